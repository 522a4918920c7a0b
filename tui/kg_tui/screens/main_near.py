"""The main screen's figures, depth-2 ring and near list: each worked out on a thread and
shown only if the person is still on the note it was for. A base class of `MainScreen`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message
from textual.widgets import TabbedContent
from textual.worker import get_current_worker

from kg.errors import KgError
from kg.model import Note, NoteStats
from kg_tui import details, features
from kg_tui.details import Details
from kg_tui.screens.panels import PanelMethods
from kg_tui.walk import Group, group_neighbours, second_ring, second_ring_words
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.near_list import NearList, describe_near
from kg_tui.widgets.neighbourhood import NeighbourhoodTree, describe_row
from kg_tui.widgets.note_view import NoteView


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
class RingReady(Message):
    note_id: str
    groups: list[Group]
    ring: dict[str, Any]


class NearMethods(PanelMethods):
    """Figures, ring and near list; `MainScreen` supplies the walk."""

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
            widget.show(note.id, note.title, self.groups, self.stats, counts, self.graph)
        self._status(self._links_text() + " · " + second_ring_words(message.ring))

    # ------------------------------------------------------------ near

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.set_class(event.pane.id == "map", "-maptab")
        self.set_class(event.pane.id == "near", "-neartab")
        if event.pane.id == "near":
            self.refresh_near()
        self._describe_tab(event.pane.id or "")

    def _describe_tab(self, tab: str) -> None:
        """The details pane follows the tab on show: its highlighted row, else the open
        note (never the last row of the tab left behind)."""
        said: Details | None = None
        if tab == "links":
            node = self.query_one("#tree", NeighbourhoodTree).cursor_node
            said = describe_row(node.data if node is not None else None, self.graph)
        elif tab == "near":
            near = self.query_one(NearList)
            option = near.options.highlighted_option
            row = near.rows.get(option.id or "") if option is not None else None
            said = describe_near(row, self.graph) if row is not None else None
        elif tab == "map":
            picked = self.query_one("#map-tab", ConceptMap)
            if 0 <= picked.selected < len(picked.nodes):
                said = picked.describe(picked.nodes[picked.selected].note_id)
        note = self.current
        if said is None and note is not None:
            said = details.of_note(note, "the open note", graph=self.graph)
        self.query_one(DetailsPane).show(said)

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
