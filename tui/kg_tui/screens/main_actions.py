"""The main screen's actions: walking keys, tabs, zoom, depth, and the dialogs (filter,
trace, path, export). A base class of `MainScreen`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import TabbedContent

from kg_tui import features
from kg_tui.labels import shown_title
from kg_tui.messages import JumpHistory
from kg_tui.screens.export import ExportRequest
from kg_tui.screens.export_choices import export_choices, write_export
from kg_tui.screens.panels import PanelMethods
from kg_tui.vault import filter_kinds
from kg_tui.walk import HOME, Filter, group_neighbours
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput, SearchPanel


@dataclass
class Exported(Message):
    path: str
    size: str
    error: str = ""


# Keys that act on the open note (or, for export, on what is shown): hidden from the
# footer, the help's palette and the key itself on the overview, where they cannot act.
NOTE_KEYS = {
    "trace": "t traces a statement of the open note",
    "filter": "f filters the open note's links",
    "export": "x exports what is shown: a note's neighbourhood, a path or search results",
}


class ActionMethods(PanelMethods):
    """The screen's key actions; `MainScreen` supplies the walk."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On the overview, with no note open, the note's keys (`NOTE_KEYS`) are hidden;
        export stays while a path or search results are there to write."""
        if action in NOTE_KEYS and self.current is None:
            return action == "export" and bool(export_choices(self))
        return True

    last_export: Exported | None  # what the export key did last
    _before_zoom: tuple[str, str]  # the tab and focused panel before the map was zoomed

    def action_search(self) -> None:
        from textual.actions import SkipAction
        from textual.widgets import Input

        if isinstance(self.focused, Input):
            raise SkipAction()  # a box (search, find) types the `/`
        search = self.query_one(SearchInput)
        self.set_focus(search)  # at once: the keys typed right after `/` go to the box
        if search.value.strip():
            self._typed(SearchInput.Changed(search, search.value))

    def action_unfocus_search(self) -> None:
        """Esc: close the search list or the zoomed map; with neither open, go back."""
        if self.has_class("-widened"):
            self.remove_class("-widened")
            self.refresh_bindings()  # the footer's w names what it does now
            return
        if self.query_one(SearchPanel).display or self.has_class("-zoom"):
            self._hide_results()
            if self.has_class("-zoom"):
                self.action_zoom()
            return
        if self.history.can_back:
            self.action_back()

    def on_key(self, event: Any) -> None:
        """Stray typing (see `kg_tui.stray`): letters that are no key do nothing but hint."""
        from textual.widgets import Input

        if isinstance(self.focused, Input) or not event.is_printable:
            return
        now = time.monotonic()
        hidden = self._hidden_note_key(event.key)
        bound = event.key in self.active_bindings or bool(hidden)
        if self._stray.swallow(event.character or "", bound, now):
            event.stop()
            event.prevent_default()
            if self._stray.should_hint(now):
                self.notify(
                    "Typing here runs no command: press / to search, F1 lists the keys.",
                    timeout=3,
                )
        elif hidden:  # a note's key on the overview: say what it needs
            event.stop()
            self.notify(f"Open a note first: {hidden} (/ searches).", timeout=3)

    def _hidden_note_key(self, key: str) -> str:
        """What the note's key `key` does, when it is hidden (no note open), else ''."""
        for binding in self._bindings.key_to_bindings.get(key, []):
            if binding.action in NOTE_KEYS and self.check_action(binding.action, ()) is False:
                return NOTE_KEYS[binding.action]
        return ""

    def action_back(self) -> None:
        if not self.history.can_back:
            self.notify("Nothing further back", timeout=2)
            return
        self._remember()
        self.history.back()
        self.show_current()
        self._restore()

    def action_forward(self) -> None:
        if not self.history.can_forward:
            self.notify("Nothing ahead", timeout=2)
            return
        self._remember()
        self.history.forward()
        self.show_current()
        self._restore()

    def action_history(self) -> None:
        from kg_tui.screens.history import HistoryScreen

        graph = self.graph
        steps = self.history.items()
        if graph is None or not steps:
            self.notify("No history yet: walk to a note first", timeout=3)
            return
        titles = []
        for item in steps:
            found = graph.find(item) if item else None
            titles.append(shown_title(graph, found) if found is not None else "Home")

        def picked(position: int | None) -> None:
            if position is not None and position != self.history.position:
                self.post_message(JumpHistory(position))

        self.app.push_screen(HistoryScreen(titles, self.history.position), picked)

    def action_home(self) -> None:
        self._remember()
        self.history.visit(HOME)
        self.recall.forget_from(self.history.position)
        self.show_current()
        self.query_one(NoteView).focus()

    def action_read(self) -> None:
        self.query_one(NoteView).focus()

    def action_tab(self, name: str) -> None:
        if name == "map" and self.has_class("-wide"):
            self.query_one("#map-panel", ConceptMap).focus()
            return
        if name == "near" and self.current is None:
            self.notify(
                "The Near tab ranks the notes nearest the open note by meaning, words and links: "
                "open a note first (/ searches).",
                title="Near",
                timeout=5,
            )
        self.query_one("#tabs", TabbedContent).active = name
        target = self.query_one(
            {"links": "#tree", "near": "#near-options", "map": "#map-tab"}[name]
        )
        target.focus()
        # Once the tab is on show, so the focus (and the footer's keys) follow it even
        # when the tab was hidden a moment ago.
        self.call_after_refresh(target.focus)

    def action_zoom(self) -> None:
        """The concept map over the whole body, and back."""
        zoomed = not self.has_class("-zoom")
        self.set_class(zoomed, "-zoom")
        tabs = self.query_one("#tabs", TabbedContent)
        if zoomed:
            # Unzooming returns where the person was: the map, the note, a list.
            focused = self.focused
            self._before_zoom = (tabs.active, focused.id or "" if focused is not None else "")
            if self.has_class("-wide"):
                self.query_one("#map-panel", ConceptMap).focus()
            else:
                tabs.active = "map"
                self.query_one("#map-tab", ConceptMap).focus()
            return
        tab, focus = getattr(self, "_before_zoom", ("links", "tree"))
        wide = self.has_class("-wide")
        if focus in ("map-tab", "map-panel"):
            focus = "map-panel" if wide else "map-tab"
            tab = tab if wide else "map"
        if tab and tab != tabs.active and not (tab == "map" and wide):
            tabs.active = tab
        found = self.query(f"#{focus}") if focus else None
        if found and found.first().focusable:
            found.first().focus()
        else:
            self.query_one("#tree", NeighbourhoodTree).focus()

    def action_depth(self) -> None:
        self.depth = 1 if self.depth == 2 else 2
        self.notify(
            "Depth 2: open a neighbour with space to see the notes reached through it"
            if self.depth == 2
            else "Depth 1: direct links only",
            timeout=3,
        )
        self.show_current()

    def action_filter(self) -> None:
        from kg_tui.screens.filter import FilterScreen

        if self.graph is None:
            return
        note = self.current
        kinds = sorted(
            {g.kind for g in group_neighbours(self.graph.neighbours(note))} if note else set()
        )
        categories = sorted({c for n in self.graph.notes(stubs=False) for c in n.categories})
        tags = list(self.graph.tags())

        def chosen(result: Filter | None) -> None:
            if result is not None:
                self.filter = result
                self.show_current()

        offered = filter_kinds(self.graph, kinds)
        self.app.push_screen(FilterScreen(kinds, categories, self.filter, tags, offered), chosen)

    def action_trace(self) -> None:
        from kg_tui.screens.trace import TraceScreen

        note = self.current
        if note is None or self.graph is None:
            self.notify("Open a note first: trace follows the evidence for its claims", timeout=3)
            return

        if not features.claims(self.graph, note):
            what = "a stub, known only from links to it" if note.stub else "a note"
            self.notify(
                f"Nothing to trace: “{note.title}” is {what}, with no claim, body sentence "
                "or source summary.",
                title="Trace",
                timeout=5,
            )
            return

        def follow(note_id: str | None) -> None:
            if note_id:
                self.open_note(note_id)

        line, near = (
            self.query_one(NoteView).statement_here()
            if isinstance(self.focused, NoteView)
            else (None, "")
        )
        self.app.push_screen(TraceScreen(self.graph, note, line=line, near=near), follow)

    def action_shape(self) -> None:
        from kg_tui.screens.shape import ShapeScreen

        if self.graph is None:
            self.notify("The corpus is still opening: its shape follows in a moment", timeout=3)
            return

        def follow(note_id: str | None) -> None:
            if note_id:
                self.open_note(note_id)

        self.app.push_screen(ShapeScreen(self.graph), follow)

    def action_path(self) -> None:
        from kg_tui.screens.path import PathScreen

        if self.graph is None:
            return
        here = self.current
        earlier = [
            i for i in reversed(self.history.trail()[:-1]) if i and i != (here.id if here else None)
        ]
        other = self.graph.find(earlier[0]) if earlier else None

        def follow(note_id: str | None) -> None:
            if note_id:
                self.open_note(note_id)

        self.app.push_screen(
            PathScreen(
                self.graph,
                here.title if here else "",
                other.title if other else "",
                titles=self.titles,
            ),
            follow,
        )

    def action_export(self) -> None:
        from kg_tui.screens.export import ExportScreen

        choices = export_choices(self)
        if not choices:
            self.notify("Open a note or search first: export writes what is shown", timeout=3)
            return

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self.notify(f"Writing {request.path.name}…", timeout=2)
                self.export(request)

        self.app.push_screen(ExportScreen(choices, self.kg_app.export_dir), chosen)

    @work(thread=True, exclusive=True, group="export")
    def export(self, request: ExportRequest) -> None:
        graph = self.graph
        if graph is None:
            return
        try:
            path, size = write_export(self, graph, request)
        except features.Unavailable as error:
            self.post_message(Exported("", "", str(error)))
            return
        self.post_message(Exported(str(path), size))

    def on_exported(self, message: Exported) -> None:
        if message.error:
            self.notify(message.error, title="Export failed", severity="error", timeout=8)
        else:
            what = f" ({message.size})" if message.size else ""
            self.notify(f"Wrote {message.path}{what}", title="Export", timeout=8)
        self.last_export = message
