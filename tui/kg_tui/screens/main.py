"""The main screen: search, the note, its neighbourhood, near notes and the concept map.

This module lays the screen out, loads the corpus into it and walks from note to note;
its keys are in `main_keys`, its actions in `main_actions`, the near list, figures and
ring in `main_near`, the search box in `main_search`, panels and places in `panels`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from kg import KnowledgeGraph
from kg.model import Note, NoteKind, NoteStats
from kg_tui import details, features
from kg_tui.details import Details, plural
from kg_tui.labels import shown_title
from kg_tui.messages import (
    Describe,
    GraphLoaded,
    Highlighted,
    JumpHistory,
    LoadFailed,
    LoadProgress,
    OpenNote,
)
from kg_tui.screens.main_actions import ActionMethods, Exported
from kg_tui.screens.main_keys import MAIN_BINDINGS
from kg_tui.screens.main_near import NearMethods
from kg_tui.screens.main_search import SearchMethods
from kg_tui.stray import StrayKeys
from kg_tui.viewstate import Recall
from kg_tui.walk import HOME, Filter, Group, History, group_neighbours
from kg_tui.widgets.breadcrumb import Breadcrumb
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.find_bar import FindBar
from kg_tui.widgets.footer import FittingFooter
from kg_tui.widgets.map_words import stub_part
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView, home_lists
from kg_tui.widgets.search import SearchInput, SearchPanel, SearchResults

if TYPE_CHECKING:
    from kg_tui.app import KgApp

WIDE = (120, 36)  # from this size on, the map gets its own panel
NARROW = 80  # below this width the side panel collapses: one panel at a time
INLINE_STATS = 60  # links up to which a note's figures are counted before the first paint
SHORT_STATUS = 100  # below this width (and from NARROW on) the links' status is shorter


@dataclass
class Prepared(Message):
    graph: KnowledgeGraph
    titles: features.TitleIndex
    lists: list[tuple[str, list[Note]]]


def describe_open(graph: KnowledgeGraph | None, note: Note | None) -> Details | None:
    """The details pane's account of the open note itself (None on the overview: the
    pane's hint then says what it shows)."""
    return None if note is None else details.of_note(note, "the open note", graph=graph)


def neighbour_counts(groups: list[Group], explain: bool = True) -> str:
    """What the side panel lists, counted as the note's figures count it: distinct notes
    (categories and tags apart), and rows when a note is listed under several groups
    (why, when `explain`: a narrow side panel keeps its lines for the rows)."""
    grouping = (NoteKind.CATEGORY, NoteKind.TAG)
    notes = {e.note.id for g in groups for e in g.entries if e.note.kind not in grouping}
    groupers = {e.note.id for g in groups for e in g.entries if e.note.kind in grouping}
    rows = sum(len(g.entries) for g in groups)
    stubs = {e.note.id for g in groups for e in g.entries if e.note.stub}
    stubs -= {e.note.id for g in groups for e in g.entries if e.note.kind is NoteKind.ATTACHMENT}
    text = plural(len(notes), "note") + " linked directly" + stub_part(len(stubs))
    if groupers:
        text += " + " + plural(len(groupers), "category or tag", "categories and tags")
    if rows > len(notes) + len(groupers):
        text += f", in {rows} rows" + (" (some notes sit in two groups)" if explain else "")
    return text


class MainScreen(ActionMethods, SearchMethods, NearMethods):
    """Walk the graph one note at a time."""

    AUTO_FOCUS = "#tree"
    BINDINGS: ClassVar[list[BindingType]] = MAIN_BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.graph: KnowledgeGraph | None = None
        self.history = History()
        self.depth = 1
        self.filter = Filter()
        self.groups: list[Group] = []
        self.stats: NoteStats | None = None
        self.titles: features.TitleIndex | None = None
        self.home: list[tuple[str, list[Note]]] | None = None
        self.last_paint: float = 0.0  # seconds the last walk step took to build (for benchmarks)
        self.last_export: Exported | None = None  # what the export key did last
        self._near_for: str | None = None
        self._searching: str | None = None
        self._stray = StrayKeys()
        self.recall = Recall()  # where the person was on each step, for Back
        self._keep_query = False  # the next step was picked from search: its query stays
        self.gone: Note | None = None  # the note on screen whose file was deleted (live.py)

    @property
    def kg_app(self) -> KgApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("kg", id="brand")
            yield SearchInput(placeholder=SearchInput.HINTS[0], id="search", compact=True)
            yield Static("", id="corpus-info")
        yield Breadcrumb(id="breadcrumb")
        with Horizontal(id="body"):
            yield NoteView(id="note")
            with Vertical(id="side"):
                with TabbedContent(id="tabs", initial="links"):
                    with TabPane("Links", id="links"):
                        yield Static("", id="links-status")
                        yield NeighbourhoodTree(id="tree")
                    with TabPane("Near", id="near"):
                        yield NearList(id="near-list")
                    with TabPane("Map", id="map"):
                        yield ConceptMap(id="map-tab")
                yield ConceptMap(id="map-panel")
                yield DetailsPane("The highlighted row is described here in full.", id="details")
        yield FindBar(id="find")
        yield SearchPanel(id="results")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#results").display = False
        self.query_one(NoteView).show_message(
            "Opening the corpus…", "Reading the index; the first note appears in a moment."
        )
        self.query_one("#corpus-info", Static).update("loading…")
        self.kg_app.draw_first_screen(self)  # the last session's overview, until the graph
        self._layout_for(self.size.width, self.size.height)
        if self.kg_app.graph is not None:
            self.attach(self.kg_app.graph, self.kg_app.start)

    def on_resize(self, event: Any) -> None:
        self._layout_for(self.size.width, self.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        # Below NARROW columns one panel shows at a time: the note, or the side panel
        # while it has the focus (Tab, l, n, m switch), never both squeezed.
        if (width < NARROW) != self.has_class("-narrow"):
            self.set_class(width < NARROW, "-narrow")
            self.refresh_bindings()  # `w` on the note widens only beside the side panel
        if self.groups and self.is_mounted:
            self._status(self._links_text())  # its wording depends on the width
        wide = width >= WIDE[0] and height >= WIDE[1]
        if wide == self.has_class("-wide") and self.is_mounted:
            return
        was = self.focused.id if self.focused is not None else None
        self.call_after_refresh(self._focus_somewhere, was)
        self.set_class(wide, "-wide")
        tabs = self.query_one("#tabs", TabbedContent)
        if wide:
            if tabs.active == "map":
                tabs.active = "links"
            tabs.hide_tab("map")
        else:
            tabs.show_tab("map")

    # ------------------------------------------------------------ loading

    def on_graph_loaded(self, message: GraphLoaded) -> None:
        self.attach(message.graph, self.kg_app.start)

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one(NoteView).show_message("The corpus could not be opened", message.error)
        self.query_one("#corpus-info", Static).update("no corpus")

    def on_load_progress(self, message: LoadProgress) -> None:
        # What opening is doing (first index, rebuild, update), how far, for how long.
        self.query_one(NoteView).show_message(*self.kg_app.describe_progress(message))

    def attach(self, graph: KnowledgeGraph, start: str | None = None) -> None:
        """Show `graph`, opening `start` (a title or id) or the corpus overview."""
        self.graph = graph
        self.titles = None
        self.home = self.kg_app.remembered_lists(graph)  # the last session's, if still so
        stats = graph.corpus_stats()
        name = self.kg_app.corpus_name
        self.query_one("#corpus-info", Static).update(f"{name} · {stats.notes:,} notes")
        self.history = History()
        self.history.visit(HOME)
        target = graph.find(start) if start else None
        if start and target is None:
            self.notify(f"No note called “{start}”; showing the overview.", severity="warning")
        if target is not None:
            self.history.visit(target.id)
        self.show_current()
        # Focus where the first screen's hint points: the overview's links, or the tree
        # (the note itself under 80 columns, where the side panel would cover it), unless
        # the person is already typing a search: the graph came after the keys.
        narrow = self.has_class("-narrow")
        self.call_later(
            self._focus_start, NoteView if target is None or narrow else NeighbourhoodTree
        )
        self.call_after_refresh(self.prepare, graph)  # after the first populated frame

    def _focus_start(self, where: type[NoteView] | type[NeighbourhoodTree]) -> None:
        # Set at once, not queued: a `/` pressed right after is not overtaken by it.
        if not isinstance(self.focused, SearchInput):
            self.set_focus(self.query_one(where))

    @work(thread=True, exclusive=True, group="prepare")
    def prepare(self, graph: KnowledgeGraph) -> None:
        """After the first paint: the title index for completion and the overview lists."""
        titles = features.TitleIndex(graph)
        lists = home_lists(graph)
        self.post_message(Prepared(graph, titles, lists))

    def on_prepared(self, message: Prepared) -> None:
        if message.graph is not self.graph:
            return
        self.titles = message.titles
        self.home = message.lists
        gone = self.gone is not None and self.history.current == self.gone.id
        if self.current is None and not gone:  # not over "This note was deleted"
            self.query_one(NoteView).show_home(message.graph, self.kg_app.corpus_name, self.home)
        search = self.query_one(SearchInput)
        if search.has_focus and search.value.strip():
            self._typed(SearchInput.Changed(search, search.value))

    # ------------------------------------------------------------ walking

    @property
    def current(self) -> Note | None:
        if self.graph is None or not self.history.current:
            return None
        return self.graph.find(self.history.current)

    def open_note(self, note_id: str) -> None:
        if self.graph is None:
            self.kg_app.open_when_loaded(note_id)  # picked on the first screen
            return
        note = self.graph.find(note_id)
        if note is None:
            self.notify(f"No note {note_id!r} in this corpus", severity="error")
            return
        self._remember()
        self.history.visit(note.id)
        self.recall.forget_from(self.history.position)
        self.show_current()

    def show_current(self) -> None:
        """Redraw everything for the note at the current point of the history."""
        graph = self.graph
        if graph is None:
            return
        started = time.perf_counter()
        with self.app.batch_update():  # one frame for the whole step
            self._show_current(graph)
        self.refresh_bindings()  # the note's keys show with a note open, not on the overview
        self.last_paint = time.perf_counter() - started

    def _show_current(self, graph: KnowledgeGraph) -> None:
        self._reset_find()
        self._forget_query()
        note = self.current
        tree = self.query_one("#tree", NeighbourhoodTree)
        # The details pane describes this step until a row is highlighted: never a row
        # of the step before (the tree describes its first row once it has one).
        self.query_one(DetailsPane).show(describe_open(graph, note))
        tree.scroll_home(animate=False)
        maps = list(self.query(ConceptMap))
        if note is None:
            self.query_one(NoteView).show_home(graph, self.kg_app.corpus_name, self.home)
            self.groups = []
            self.stats = None
            tree.show_groups([])
            for widget in maps:
                widget.show_message("Open a note to draw its\nneighbourhood here.")
            self.query_one(NearList).show_unavailable("Open a note to rank the notes near it.")
            self._status("Open a note to see its neighbourhood: press / to search.")
        else:
            neighbours = graph.neighbours(note, depth=1, kinds=self.filter.kinds)
            # The figures walk the 2-hop network: counted at once for small neighbourhoods,
            # in a worker for big ones so the step never waits for them.
            self.stats = graph.stats(note) if len(neighbours) <= INLINE_STATS else None
            if self.stats is None:  # after this step's frame, so the worker never slows it
                self.call_after_refresh(self.count_stats, note)
            self.groups = group_neighbours(neighbours, self.filter.categories, self.filter.tags)
            self.query_one(NoteView).show_note(graph, note, self.stats)
            tree.show_groups(self.groups)
            for widget in maps:
                widget.show(note.id, note.title, self.groups, self.stats, graph=graph)
            self._status(self._links_text() if self.groups else self._empty_text())
            if self.depth == 2:
                self.call_after_refresh(self.load_ring, note.id)
            self._near_for = None
            if self.query_one("#tabs", TabbedContent).active == "near":
                self.refresh_near()
        self._update_breadcrumb()

    def _forget_query(self) -> None:
        """Walking on clears the search box, so an old query never reads as a filter of
        what is shown; the step opened from the search keeps it (/ lists its hits again)."""
        keep, self._keep_query = self._keep_query, False
        search = self.query_one(SearchInput)
        if not keep and search.value and not search.has_focus:
            search.value = ""

    def _empty_text(self) -> str:
        if self.filter.active:
            return (
                f"No links left after the filter ({self.filter.describe()}); press f to change it."
            )
        return "No links: this note stands alone."

    def _links_text(self) -> str:
        # Beside the note at 80 to 99 columns the side panel is at its narrowest.
        explain = not NARROW <= self.size.width < SHORT_STATUS
        parts = [neighbour_counts(self.groups, explain), f"depth {self.depth}"]
        if self.filter.active:
            parts.append(self.filter.describe())
        return " · ".join(parts)

    def _status(self, text: str) -> None:
        self.query_one("#links-status", Static).update(text)

    def _update_breadcrumb(self) -> None:
        graph = self.graph
        titles = []
        for item in self.history.trail():
            found = graph.find(item) if graph is not None and item else None
            titles.append(shown_title(graph, found) if found else "Home")
        self.query_one(Breadcrumb).set_trail(titles, len(self.history.ahead()))

    @on(OpenNote)
    def _open_requested(self, message: OpenNote) -> None:
        message.stop()
        from_search = isinstance(self.focused, (SearchInput, SearchResults))
        if from_search or self.focused is None:
            # The note just picked is what the person wants to read: its text, not its
            # links (below 80 columns the side panel would cover the note otherwise).
            self.query_one(NoteView).focus()
        self._hide_results()
        self._keep_query = from_search
        self.open_note(message.note_id)

    def on_jump_history(self, message: JumpHistory) -> None:
        self._remember()
        self.history.jump(message.position)
        self.show_current()
        self._restore()

    def on_highlighted(self, message: Highlighted) -> None:
        for widget in self.query(ConceptMap):
            widget.select_note(message.note_id)

    def on_describe(self, message: Describe) -> None:
        message.stop()
        self.query_one(DetailsPane).show(message.details)
