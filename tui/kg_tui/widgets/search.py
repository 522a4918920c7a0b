"""The search box and its drop-down: titles complete as you type, Enter searches by meaning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from kg.model import Note
from kg_tui.features import SearchRow
from kg_tui.messages import OpenNote
from kg_tui.walk import ellipsize


class SearchInput(Input):
    """The search box. ↓ moves into the results; Esc leaves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Search by meaning", key_display="⏎"),
        Binding("down", "results", "Results", key_display="↓"),
        Binding("escape", "leave", "Leave search", key_display="Esc"),
    ]

    @dataclass
    class ToResults(Message):
        """Move the focus into the results list."""

    @dataclass
    class Leave(Message):
        """Close the drop-down and give the focus back."""

    def action_results(self) -> None:
        self.post_message(self.ToResults())

    def action_leave(self) -> None:
        self.post_message(self.Leave())


class SearchResults(OptionList):
    """The drop-down under the search box."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Leave search", show=False)]

    def action_leave(self) -> None:
        self.post_message(SearchInput.Leave())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(OpenNote(event.option.id))

    def _width(self) -> int:
        """Cells available for a result line (the list may still be hidden)."""
        return max(20, min(self.screen.size.width - 6, 100) - 4)

    def show_titles(self, query: str, notes: list[Note]) -> None:
        self.clear_options()
        if not notes:
            self.add_option(
                Option(
                    Content.styled(
                        f"No title contains “{query}” · Enter searches by meaning", "dim italic"
                    ),
                    disabled=True,
                )
            )
            return
        self.add_option(
            Option(
                Content.styled(f"Titles · Enter on the box searches “{query}” by meaning", "dim"),
                disabled=True,
            )
        )
        self.add_options(
            Option(
                Content.assemble(
                    (note.title, "italic dim" if note.stub else "bold"),
                    (f"  {note.kind.value}", "dim"),
                ),
                id=note.id,
            )
            for note in notes
        )
        self.highlighted = 1

    def show_busy(self, query: str, note: str = "") -> None:
        self.clear_options()
        text = f"Searching for “{query}”…" + (f"\n{note}" if note else "")
        self.add_option(Option(Content.styled(text, "dim italic"), disabled=True))

    def show_hits(self, query: str, rows: list[SearchRow], how: str) -> None:
        self.clear_options()
        width = self._width()
        if not rows:
            self.add_option(
                Option(
                    Content.styled(f"Nothing found for “{query}” ({how})", "dim italic"),
                    disabled=True,
                )
            )
            return
        self.add_option(
            Option(
                Content.styled(f"{len(rows)} results for “{query}” · {how}", "dim"), disabled=True
            )
        )
        for rank, row in enumerate(rows, start=1):
            snippet = " ".join(row.snippet.split())
            if snippet == row.note.title:
                snippet = ""
            how_found = f"by {row.matched}" if row.matched else ""
            detail = " · ".join(part for part in (how_found, snippet) if part)
            prompt = Content.assemble(
                (f"{rank:>2}. ", "dim"),
                (row.note.title, "italic" if row.note.stub else "bold"),
                ("\n    " + ellipsize(detail, width - 4), "dim") if detail else "",
            )
            self.add_option(Option(prompt, id=row.note.id))
        self.highlighted = 1

    def show_error(self, message: str) -> None:
        self.clear_options()
        self.add_option(Option(Content.styled(message, "italic"), disabled=True))
