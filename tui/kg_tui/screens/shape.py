"""`s`: the shape of the corpus on one screen, each item walkable.

Clusters (name, size, the share of their links that stay inside, central notes), the
bridges between them, the gaps (clusters near in meaning, barely linked, with links to
write) and the contested claims. Enter on a cluster lists its notes under it (its
central notes first); Enter on any note row opens that note in the walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kg import KnowledgeGraph
from kg.errors import KgError
from kg_tui.shape import Row, Shape, cluster_colour, read_shape
from kg_tui.widgets.footer import FittingFooter
from kg_tui.widgets.hanging import Hanging


@dataclass
class ShapeRead(Message):
    """The worker's answer: the shape, or why it could not be read."""

    shape: Shape | None
    error: str = ""


INDENT = {"member": "    ", "link": "    ", "cluster": "  ", "gap": "  "}


class ShapeScreen(Screen[str | None]):
    """Dismisses with the id of the note to open, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "close",
            "Back to the walk",
            tooltip="Close the shape overview and return to the walk",
            id="shape.close",
        ),
        Binding("s", "close", "Close", show=False),
        Binding(
            "o",
            "open",
            "Open note",
            tooltip="Open the highlighted row's note (a cluster: its most central note)",
            id="shape.open",
        ),
    ]

    def __init__(self, graph: KnowledgeGraph) -> None:
        super().__init__()
        self.graph = graph
        self.shape: Shape | None = None
        self.opened: set[int] = set()  # clusters whose notes are listed
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("SHAPE ", "bold $accent"), "of the corpus"), id="shape-title"
        )
        yield OptionList(id="shape-list")
        yield Static("", id="shape-detail")
        yield FittingFooter(compact=False)

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.add_option(Option("Finding clusters, bridges, gaps and contested claims…"))
        listing.focus()
        self.read(self.graph)

    @work(thread=True, exclusive=True, group="shape")
    def read(self, graph: KnowledgeGraph) -> None:
        """Clusters of a big corpus take seconds: off the screen's thread."""
        try:
            self.post_message(ShapeRead(read_shape(graph)))
        except KgError as error:
            self.post_message(ShapeRead(None, str(error)))

    def on_shape_read(self, message: ShapeRead) -> None:
        if message.shape is None:
            listing = self.query_one(OptionList)
            listing.clear_options()
            listing.add_option(Option(f"The shape could not be read: {message.error}"))
            return
        self.shape = message.shape
        self._fill()

    # ------------------------------------------------------------ rows

    def _layout(self, shape: Shape) -> list[Row]:
        rows = [Row("heading", f"Clusters: {len(shape.clusters)} of {shape.notes} notes")]
        for cluster in shape.clusters:
            rows.append(cluster)
            if cluster.cluster in self.opened:
                rows.extend(shape.members.get(cluster.cluster or 0, ()))
        rows.append(Row("heading", f"Bridges: {len(shape.bridges)} notes joining clusters"))
        rows.extend(shape.bridges)
        gaps = sum(1 for r in shape.gaps if r.kind == "gap")
        rows.append(Row("heading", f"Gaps: {gaps} pairs near in meaning, barely linked"))
        if shape.missing:
            rows.append(Row("note", f"  {shape.missing}"))
        rows.extend(shape.gaps)
        rows.append(Row("heading", f"Contested: {len(shape.contests)} pairs in disagreement"))
        rows.extend(shape.contests)
        return rows

    def _option(self, index: int, row: Row) -> Option:
        if row.kind in ("heading", "note"):
            style = "bold $accent" if row.kind == "heading" else "italic $text-muted"
            return Option(Content.styled(row.text, style), disabled=True)
        colour = cluster_colour(row.cluster)
        mark = "▼ " if row.kind == "cluster" and row.cluster in self.opened else ""
        mark = mark or ("▶ " if row.kind == "cluster" else "")
        # A bullet in the cluster's colour; wrapped lines hang under the text.
        sign = ("• ", f"bold {colour}") if colour else ("• ", "dim")
        prompt = Content.assemble(INDENT.get(row.kind, "  "), sign, mark, row.text)
        return Option(Hanging(prompt), id=str(index))

    def _fill(self, keep: str = "") -> None:
        if self.shape is None:
            return
        self.rows = self._layout(self.shape)
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options([self._option(i, r) for i, r in enumerate(self.rows)])
        where = next((i for i, r in enumerate(self.rows) if keep and r.key == keep), None)
        if where is None:
            where = next((i for i, r in enumerate(self.rows) if r.note_id), None)
        listing.highlighted = where

    def row(self) -> Row | None:
        """The highlighted row."""
        listing = self.query_one(OptionList)
        index = listing.highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        row = self.row()
        self.query_one("#shape-detail", Static).update(row.detail if row is not None else "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.row()
        if row is None:
            return
        if row.kind == "cluster" and row.cluster is not None:
            self.opened ^= {row.cluster}
            self._fill(keep=row.key)
        elif row.note_id:
            self.dismiss(row.note_id)

    def action_open(self) -> None:
        row = self.row()
        if row is not None and row.note_id:
            self.dismiss(row.note_id)

    def action_close(self) -> None:
        self.dismiss(None)
