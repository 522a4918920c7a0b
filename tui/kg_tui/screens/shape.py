"""`s`: the shape of the corpus on one screen, each item walkable.

Clusters (name, size, the share of their links that stay inside, central notes), the
bridges between them, the gaps (clusters near in meaning, barely linked, with links to
write), the contested pairs and the claims with evidence on both sides. Enter on a cluster
lists its notes under it (its central notes first), on a gap its bridging notes; Enter on
any note row opens that note in the walk, and O opens the other note of a pair (a
suggested link, a contested pair). Notes in disagreement say how many disagreements.
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
from kg_tui.details import plural
from kg_tui.shape import STEPS, Row, Shape, cluster_colour, read_shape
from kg_tui.widgets.footer import FittingFooter
from kg_tui.widgets.hanging import Hanging
from kg_tui.widgets.shape_list import ShapeList


@dataclass
class ShapeRead(Message):
    """The worker's answer: the shape, or why it could not be read."""

    shape: Shape | None
    error: str = ""


@dataclass
class ShapeStep(Message):
    """The worker started on one part of the shape (one of `STEPS`)."""

    name: str


INDENT = {"member": "    ", "bridging": "    ", "link": "    ", "side": "    "}
LOADING = "Finding clusters, bridges, gaps and contested claims…"


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
            tooltip="Open the highlighted row's note (a cluster: its most central note; a gap: "
            "its nearest bridging note)",
            id="shape.open",
        ),
        Binding(
            "O",
            "other",
            "Other note",
            tooltip="Open the other note of the highlighted pair (a suggested link, a "
            "contested pair)",
            id="shape.other",
        ),
    ]

    def __init__(self, graph: KnowledgeGraph) -> None:
        super().__init__()
        self.graph = graph
        self.shape: Shape | None = None
        self.opened: set[str] = set()  # keys of the clusters and gaps whose notes are listed
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("SHAPE ", "bold $accent"), "of the corpus"), id="shape-title"
        )
        yield ShapeList(id="shape-list")
        yield Static("", id="shape-detail")
        yield FittingFooter(compact=False)

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.add_option(Option(LOADING))
        listing.focus()
        self.read(self.graph)

    @work(thread=True, exclusive=True, group="shape")
    def read(self, graph: KnowledgeGraph) -> None:
        """Clusters of a big corpus take seconds: off the screen's thread."""
        try:
            shape = read_shape(graph, lambda name: self.post_message(ShapeStep(name)))
            self.post_message(ShapeRead(shape))
        except KgError as error:
            self.post_message(ShapeRead(None, str(error)))

    def on_shape_step(self, message: ShapeStep) -> None:
        """Long work shows how far it has got: which part, of how many."""
        if self.shape is not None:
            return
        listing = self.query_one(OptionList)
        listing.clear_options()
        number = STEPS.index(message.name) + 1 if message.name in STEPS else 0
        listing.add_option(
            Option(f"{LOADING}\n  finding {message.name} ({number} of {len(STEPS)})")
        )

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
        clusters = plural(len(shape.clusters), "cluster")
        rows = [Row("heading", f"Clusters: {clusters} of {plural(shape.notes, 'note')}")]
        for cluster in shape.clusters:
            rows.append(cluster)
            if cluster.key in self.opened:
                rows.extend(shape.members.get(cluster.cluster or 0, ()))
        rows.append(
            Row(
                "heading",
                "Bridges: "
                + (
                    f"the {len(shape.bridges)} strongest of "
                    if len(shape.bridges) < shape.joining
                    else ""
                )
                + f"{plural(shape.joining, 'note')} joining clusters",
            )
        )
        rows.extend(shape.bridges)
        gaps = sum(1 for r in shape.gaps if r.kind == "gap")
        rows.append(
            Row(
                "heading",
                f"Gaps: {plural(gaps, 'pair')} alike in meaning, linked less than that predicts",
            )
        )
        if shape.missing:
            rows.append(Row("note", f"  {shape.missing}"))
        elif not gaps:
            rows.append(
                Row("note", "  none: no two clusters are linked less than their likeness predicts")
            )
        for row in shape.gaps:
            rows.append(row)
            if row.kind == "gap" and row.key in self.opened:
                rows.extend(shape.bridging.get(row.key, ()))
        rows.append(
            Row("heading", f"Contested: {plural(len(shape.contests), 'pair')} in disagreement")
        )
        rows.extend(shape.contests)
        claims = sum(1 for r in shape.claims if r.kind == "claim")
        rows.append(Row("heading", f"Claims with evidence on both sides: {claims}"))
        rows.extend(shape.claims)
        return rows

    def _option(self, index: int, row: Row) -> Option:
        if row.kind in ("heading", "note"):
            style = "bold $accent" if row.kind == "heading" else "italic $text-muted"
            return Option(Content.styled(row.text, style), disabled=True)
        colour = cluster_colour(row.cluster)
        opened = row.key in self.opened
        mark = ("▼ " if opened else "▶ ") if row.key and row.kind != "gap" else ""
        text: str | Content = row.text
        if row.kind == "gap" and self.shape is not None:
            # The gap's suggested links show under it anyway: what Enter folds and unfolds
            # is its bridging notes, and the sign says so, beside their count.
            count = plural(len(self.shape.bridging.get(row.key, ())), "bridging note")
            text = Content.assemble(row.text, (f" · {'▼' if opened else '▶'} {count}", "dim"))
        # A bullet in the cluster's colour; wrapped lines hang under the text.
        sign = ("• ", f"bold {colour}") if colour else ("• ", "dim")
        prompt = Content.assemble(INDENT.get(row.kind, "  "), sign, mark, text)
        return Option(Hanging(prompt), id=str(index))

    def _fill(self, keep: str = "") -> None:
        if self.shape is None:
            return
        self.rows = self._layout(self.shape)
        listing = self.query_one(ShapeList)
        listing.clear_options()
        listing.add_options([self._option(i, r) for i, r in enumerate(self.rows)])
        where = next((i for i, r in enumerate(self.rows) if keep and r.key == keep), None)
        if where is None:
            where = next((i for i, r in enumerate(self.rows) if r.note_id), None)
        listing.highlighted = where
        if where is not None and keep in self.opened:  # the rows just listed, in sight
            added = len(self.shape.members.get(self.rows[where].cluster or 0, ()))
            if self.rows[where].kind == "gap":
                added = len(self.shape.bridging.get(keep, ()))
            self.call_after_refresh(listing.bring_into_sight, where, where + added)

    def rows_of(self, kind: str) -> list[Row]:
        """The rows of one kind on show ('bridge', 'gap', ...)."""
        return [r for r in self.rows if r.kind == kind]

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
        if row.key:  # a cluster or a gap: list its notes under it, or fold them away
            self.opened ^= {row.key}
            self._fill(keep=row.key)
        elif row.note_id:
            self.dismiss(row.note_id)

    def action_open(self) -> None:
        row = self.row()
        if row is not None and row.note_id:
            self.dismiss(row.note_id)

    def action_other(self) -> None:
        row = self.row()
        if row is not None and row.other:
            self.dismiss(row.other)
        else:
            self.notify("O opens the other note of a pair: a suggested link or a contested one")

    def action_close(self) -> None:
        self.dismiss(None)
