"""What the main screen's parts share: the state `MainScreen` keeps, declared once so each
base class of the screen (panels, near, search, actions) can be type-checked on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from kg import KnowledgeGraph
    from kg.model import Note, NoteStats
    from kg_tui import features
    from kg_tui.app import KgApp
    from kg_tui.stray import StrayKeys
    from kg_tui.viewstate import Recall
    from kg_tui.walk import Filter, Group, History
    from kg_tui.widgets.search import SearchInput


class MainBase(Screen[None]):
    """The main screen's state; the methods below are `MainScreen`'s (declared for mypy)."""

    graph: KnowledgeGraph | None
    history: History
    recall: Recall
    depth: int
    filter: Filter
    groups: list[Group]
    stats: NoteStats | None
    titles: features.TitleIndex | None
    _near_for: str | None
    _searching: str | None
    _stray: StrayKeys

    if TYPE_CHECKING:

        @property
        def kg_app(self) -> KgApp: ...

        @property
        def current(self) -> Note | None: ...

        def open_note(self, note_id: str) -> None: ...

        def show_current(self) -> None: ...

        def _status(self, text: str) -> None: ...

        def _links_text(self) -> str: ...

        def refresh_near(self) -> None: ...

        def _hide_results(self) -> None: ...

        def _typed(self, event: SearchInput.Changed) -> None: ...
