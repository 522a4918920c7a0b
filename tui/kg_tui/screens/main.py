"""The main screen: search, the note, its neighbourhood, near notes and the concept map."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from kg import KnowledgeGraph
from kg.errors import KgError
from kg.model import Note, NoteKind, NoteStats
from kg_tui import features
from kg_tui.details import plural
from kg_tui.messages import (
    Describe,
    GraphLoaded,
    Highlighted,
    JumpHistory,
    LoadFailed,
    LoadProgress,
    OpenNote,
)
from kg_tui.screens.export import ExportRequest
from kg_tui.screens.export_choices import export_choices, write_export
from kg_tui.screens.panels import PanelMethods
from kg_tui.stray import StrayKeys
from kg_tui.viewstate import Recall
from kg_tui.walk import HOME, Filter, Group, History, group_neighbours, second_ring
from kg_tui.widgets.breadcrumb import Breadcrumb
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.find_bar import FindBar
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView, home_lists
from kg_tui.widgets.search import SearchInput, SearchPanel, SearchResults

if TYPE_CHECKING:
    from kg_tui.app import KgApp

WIDE = (120, 36)  # from this size on, the map gets its own panel
NARROW = 80  # below this width the side panel collapses: one panel at a time
INLINE_STATS = 60  # links up to which a note's figures are counted before the first paint


@dataclass
class Prepared(Message):
    graph: KnowledgeGraph
    titles: features.TitleIndex
    lists: list[tuple[str, list[Note]]]


@dataclass
class StatsReady(Message):
    note_id: str
    stats: NoteStats


@dataclass
class NearReady(Message):
    note_id: str
    rows: list[features.NearRow]
    error: str = ""


@dataclass
class SearchReady(Message):
    query: str
    rows: list[features.SearchRow]
    how: str
    error: str = ""


@dataclass
class RingReady(Message):
    note_id: str
    groups: list[Group]
    ring: dict[str, Any]


@dataclass
class Exported(Message):
    path: str
    size: str
    error: str = ""


def neighbour_counts(groups: list[Group]) -> str:
    """What the side panel lists, counted as the note's figures count it: distinct notes
    (categories and tags apart), and rows when a note is listed under several groups."""
    grouping = (NoteKind.CATEGORY, NoteKind.TAG)
    notes = {e.note.id for g in groups for e in g.entries if e.note.kind not in grouping}
    groupers = {e.note.id for g in groups for e in g.entries if e.note.kind in grouping}
    rows = sum(len(g.entries) for g in groups)
    text = plural(len(notes), "note") + " linked directly"
    if groupers:
        text += " + " + plural(len(groupers), "category or tag", "categories and tags")
    if rows > len(notes) + len(groupers):
        text += f", in {rows} rows (some notes sit in two groups)"
    return text


class MainScreen(PanelMethods):
    """Walk the graph one note at a time."""

    AUTO_FOCUS = "#tree"

    # Every binding has an id, so `keymap:` in kg.yaml can give it other keys; the footer
    # shows the short description, the help and the command palette the tooltip.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "search",
            "Search",
            tooltip="Search titles as you type; Enter searches by meaning",
            id="main.search",
            # Taken before the focused panel sees it, so the letters typed right after it
            # (one burst while the corpus opens) land in the search box.
            priority=True,
        ),
        Binding(
            "left_square_bracket,backspace",
            "back",
            "Back",
            key_display="[",
            tooltip="Back to the previous note (also Backspace, and Esc with nothing open)",
            id="main.back",
        ),
        Binding(
            "right_square_bracket",
            "forward",
            "Fwd",
            key_display="]",
            tooltip="Forward again after going back",
            show=False,
            id="main.forward",
        ),
        Binding("alt+left", "back", "Back", show=False, id="main.back_alt"),
        Binding("alt+right", "forward", "Forward", show=False, id="main.forward_alt"),
        Binding(
            "f",
            "filter",
            "Filter",
            tooltip="Filter by link kind, category or tag",
            id="main.filter",
        ),
        Binding("d", "depth", "Depth", tooltip="Depth 2 on or off", show=False, id="main.depth"),
        Binding(
            "t",
            "trace",
            "Trace",
            tooltip="Trace a statement of this note to its evidence",
            id="main.trace",
        ),
        Binding(
            "p",
            "path",
            "Path",
            tooltip="Shortest typed path between two notes",
            show=False,
            id="main.path",
        ),
        Binding(
            "x",
            "export",
            "Export",
            tooltip="Export what is shown (neighbourhood, path or search) in a format you pick",
            id="main.export",
        ),
        Binding("l", "tab('links')", "Links", tooltip="Links tab", show=False, id="main.links"),
        Binding(
            "n",
            "tab('near')",
            "Near",
            tooltip="Near tab: notes close in meaning",
            show=False,
            id="main.near",
        ),
        Binding("m", "tab('map')", "Map", tooltip="Map tab / panel", show=False, id="main.map"),
        Binding(
            "z",
            "zoom",
            "Zoom",
            tooltip="Zoom the map over the whole body",
            show=False,
            id="main.zoom",
        ),
        Binding(
            "r",
            "read",
            "Read",
            tooltip="Read the note (focus the reading view)",
            show=False,
            id="main.read",
        ),
        Binding("g", "home", "Home", tooltip="Corpus overview", show=False, id="main.home"),
        Binding(
            "escape",
            "unfocus_search",
            "Close search, else back",
            show=False,
            id="main.escape",
        ),
        Binding(
            "ctrl+f",
            "find",
            "Find",
            tooltip="Type to filter the links or near list by title, or find words in the note",
            show=False,
            id="main.find",
        ),
        Binding(
            "w",
            "maximize",
            "Widen",
            tooltip="Widen the focused panel to the whole screen, and back (also Esc)",
            show=False,
            id="main.maximize",
        ),
        Binding(
            "tab",
            "cycle(1)",
            "Next panel",
            show=False,
            id="panel.next",
            tooltip="Move the focus to the next panel: the note, the side panel, the map",
        ),
        Binding(
            "shift+tab",
            "cycle(-1)",
            "Previous panel",
            show=False,
            id="panel.previous",
            tooltip="Move the focus to the previous panel",
        ),
    ]

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
        self.gone: Note | None = None  # the note on screen whose file was deleted (live.py)

    @property
    def kg_app(self) -> KgApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("kg", id="brand")
            yield SearchInput(
                placeholder="/ search titles · Enter searches by meaning", id="search", compact=True
            )
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
        yield Footer(compact=True)

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
        self.set_class(width < NARROW, "-narrow")
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
        self.query_one(NoteView).show_message(
            "Building the index…",
            f"{message.stage}: {message.done:,} of {message.total:,} "
            f"{'texts' if message.stage == 'embed' else 'files'}. "
            "This happens once; later starts reuse the index.",
        )

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
        # (unless the person is already typing a search: the graph came after the keys).
        self.call_later(self._focus_start, NoteView if target is None else NeighbourhoodTree)
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
        self.last_paint = time.perf_counter() - started

    def _show_current(self, graph: KnowledgeGraph) -> None:
        self._reset_find()
        note = self.current
        tree = self.query_one("#tree", NeighbourhoodTree)
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
                widget.show(note.id, note.title, self.groups, self.stats)
            self._status(self._links_text() if self.groups else self._empty_text())
            if self.depth == 2:
                self.call_after_refresh(self.load_ring, note.id)
            self._near_for = None
            if self.query_one("#tabs", TabbedContent).active == "near":
                self.refresh_near()
        self._update_breadcrumb()

    def _empty_text(self) -> str:
        if self.filter.active:
            return (
                f"No links left after the filter ({self.filter.describe()}); press f to change it."
            )
        return "No links: this note stands alone."

    def _links_text(self) -> str:
        parts = [neighbour_counts(self.groups), f"depth {self.depth}"]
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
            titles.append(found.title if found else "Home")
        self.query_one(Breadcrumb).set_trail(titles, len(self.history.ahead()))

    @on(OpenNote)
    def _open_requested(self, message: OpenNote) -> None:
        message.stop()
        if isinstance(self.focused, (SearchInput, SearchResults)) or self.focused is None:
            self.query_one("#tree", NeighbourhoodTree).focus()
        self._hide_results()
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

    @work(thread=True, exclusive=True, group="stats")
    def count_stats(self, note: Note) -> None:
        graph = self.graph
        if graph is not None:
            stats = graph.stats(note)
            if not get_current_worker().is_cancelled:
                self.post_message(StatsReady(note.id, stats))

    def on_stats_ready(self, message: StatsReady) -> None:
        note = self.current
        if note is None or note.id != message.note_id:
            return
        self.stats = message.stats
        self.query_one(NoteView).show_figures(note, message.stats)
        for widget in self.query(ConceptMap):
            widget.show_stats(message.stats)

    # ------------------------------------------------------------ depth 2

    @work(thread=True, exclusive=True, group="ring")
    def load_ring(self, note_id: str) -> None:
        graph = self.graph
        if graph is None:
            return
        neighbours = graph.neighbours(note_id, depth=2, kinds=self.filter.kinds)
        groups = group_neighbours(neighbours, self.filter.categories, self.filter.tags)
        ring = second_ring(neighbours, note_id)
        if not get_current_worker().is_cancelled:
            self.post_message(RingReady(note_id, groups, ring))

    def on_ring_ready(self, message: RingReady) -> None:
        note = self.current
        if note is None or note.id != message.note_id or self.depth != 2:
            return
        self.groups = message.groups
        self.query_one("#tree", NeighbourhoodTree).show_groups(self.groups, message.ring)
        counts = {via: len(entries) for via, entries in message.ring.items()}
        for widget in self.query(ConceptMap):
            widget.show(note.id, note.title, self.groups, self.stats, counts)
        far = len({e.note.id for entries in message.ring.values() for e in entries})
        self._status(self._links_text() + f" · {plural(far, 'more note')} at depth 2")

    # ------------------------------------------------------------ near

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.set_class(event.pane.id == "map", "-maptab")
        if event.pane.id == "near":
            self.refresh_near()

    def rank_near_again(self) -> None:
        """Rank the open note's near notes again (the vectors behind them changed)."""
        self._near_for = None
        if self.current is not None:
            self.refresh_near()

    def refresh_near(self) -> None:
        note = self.current
        near_list = self.query_one(NearList)
        if note is None or self.graph is None:
            near_list.show_unavailable("Open a note to rank the notes near it.")
            return
        if self._near_for == note.id:
            return
        self._near_for = note.id
        near_list.show_loading(note.title)
        self.compute_near(note)

    @work(thread=True, exclusive=True, group="near")
    def compute_near(self, note: Note) -> None:
        graph = self.graph
        if graph is None:
            return
        try:
            rows = features.near(graph, note, k=self.query_one(NearList).k)
        except features.Unavailable as error:
            self.post_message(NearReady(note.id, [], str(error)))
            return
        except KgError as error:
            self.post_message(NearReady(note.id, [], str(error)))
            return
        self.post_message(NearReady(note.id, rows))

    def on_near_list_wanted(self, message: NearList.Wanted) -> None:
        self._near_for = None
        self.refresh_near()

    def on_near_ready(self, message: NearReady) -> None:
        note = self.current
        if note is None or note.id != message.note_id:
            return
        near_list = self.query_one(NearList)
        if message.error:
            near_list.show_unavailable(message.error)
        else:
            near_list.show_rows(message.rows)

    # ------------------------------------------------------------ search

    @on(SearchInput.Changed, "#search")
    def _typed(self, event: SearchInput.Changed) -> None:
        query = event.value.strip()
        results = self.query_one(SearchPanel)
        if not query or self.graph is None:
            results.display = False
            return
        results.display = True
        if self.titles is None:
            results.show_error("Reading titles… (Enter searches now)")
            return
        results.show_titles(query, self.titles.match(query, limit=12))

    @on(SearchInput.Submitted, "#search")
    def _submitted(self, event: SearchInput.Submitted) -> None:
        query = event.value.strip()
        if not query or self.graph is None:
            return
        results = self.query_one(SearchPanel)
        results.display = True
        results.show_busy(query)
        self._searching = query
        self.run_search(query)

        def still_busy() -> None:
            if self._searching == query:
                results.show_busy(
                    query,
                    "The first search by meaning loads the language model: a few seconds. "
                    "The browser stays usable meanwhile (Esc closes this list).",
                )

        self.set_timer(1.5, still_busy)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        graph = self.graph
        if graph is None:
            return
        try:
            rows, how = features.search(graph, query, k=20)
        except (features.Unavailable, KgError) as error:
            self.post_message(SearchReady(query, [], "", str(error)))
            return
        self.post_message(SearchReady(query, rows, how))

    def on_search_ready(self, message: SearchReady) -> None:
        if self._searching == message.query:
            self._searching = None
        results = self.query_one(SearchPanel)
        if self.query_one(SearchInput).value.strip() != message.query:
            return
        if message.error:
            results.show_error(message.error)
        else:
            results.show_hits(message.query, message.rows, message.how)
            if message.rows:
                results.focus_list()

    def on_search_input_to_results(self, message: SearchInput.ToResults) -> None:
        results = self.query_one(SearchPanel)
        if results.display and results.option_count:
            results.focus_list()

    def on_search_input_leave(self, message: SearchInput.Leave) -> None:
        self._hide_results()
        self.query_one("#tree", NeighbourhoodTree).focus()

    def _hide_results(self) -> None:
        self.query_one(SearchPanel).display = False

    def on_descendant_focus(self, event: Any) -> None:
        focused = self.focused
        if not isinstance(focused, (SearchInput, SearchResults)):
            self._hide_results()
            side = self.query_one("#side")
            self.set_class(
                focused is not None and side in focused.ancestors_with_self, "-side-focus"
            )

    # ------------------------------------------------------------ actions

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
        if self._stray.swallow(event.character or "", event.key in self.active_bindings, now):
            event.stop()
            event.prevent_default()
            if self._stray.should_hint(now):
                self.notify(
                    "Typing here runs no command: press / to search, F1 lists the keys.",
                    timeout=3,
                )

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
        self.query_one("#tabs", TabbedContent).active = name
        target = {"links": "#tree", "near": "#near-options", "map": "#map-tab"}[name]
        self.query_one(target).focus()

    def action_zoom(self) -> None:
        """The concept map over the whole body, and back."""
        zoomed = not self.has_class("-zoom")
        self.set_class(zoomed, "-zoom")
        if zoomed:
            if self.has_class("-wide"):
                self.query_one("#map-panel", ConceptMap).focus()
            else:
                self.query_one("#tabs", TabbedContent).active = "map"
                self.query_one("#map-tab", ConceptMap).focus()
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

        self.app.push_screen(FilterScreen(kinds, categories, self.filter, tags), chosen)

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
