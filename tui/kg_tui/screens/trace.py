"""Trace: pick a statement of the note and see the evidence tree behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static, Tree
from textual.widgets.option_list import Option

from kg import KnowledgeGraph
from kg.errors import KgError
from kg.model import Note
from kg_tui import features
from kg_tui.messages import OpenNote
from kg_tui.walk import ellipsize
from kg_tui.widgets.evidence import EvidenceRow, EvidenceTree


@dataclass
class Traced(Message):
    index: int
    tree: features.EvidenceNode | None
    error: str = ""


class TraceScreen(Screen[str | None]):
    """Statements on the left, the evidence for the highlighted one on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "close", "Back to the walk", tooltip="Close the trace and return to the walk"
        ),
        Binding(
            "plus,equals_sign",
            "depth(1)",
            "Deeper",
            key_display="+",
            tooltip="Trace one level deeper",
        ),
        Binding(
            "minus", "depth(-1)", "Shallower", key_display="-", tooltip="Trace one level shallower"
        ),
        Binding("tab", "app.focus_next", "Switch panel", show=False),
    ]

    def __init__(self, graph: KnowledgeGraph, note: Note, depth: int = 3) -> None:
        super().__init__()
        self.graph = graph
        self.note = note
        self.depth = depth
        self.claims: list[features.ClaimRow] = []
        self.traced: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("TRACE ", "bold $accent"), self.note.title), id="trace-title"
        )
        with Horizontal(id="trace-body"):
            with Vertical(id="trace-claims-pane"):
                yield Label("Statements", classes="pane-title")
                yield OptionList(id="trace-claims")
            with Vertical(id="trace-tree-pane"):
                yield Label("Evidence", classes="pane-title", id="trace-tree-title")
                yield Static("", id="trace-note")
                yield EvidenceTree(id="trace-tree")
                yield Static("", id="trace-quote")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one("#trace-claims", OptionList)
        tree = self.query_one(EvidenceTree)
        try:
            self.claims = features.claims(self.graph, self.note)
        except features.Unavailable as error:
            self._note(str(error))
            options.focus()
            return
        if not self.claims:
            options.add_option(
                Option(
                    Content.styled(
                        "This note has no claim, body or sources to trace.", "dim italic"
                    ),
                    disabled=True,
                )
            )
            self._note("Nothing to trace.")
            tree.clear()
            options.focus()
            return
        options.add_options(
            Option(
                Content.assemble((claim.where, _where_style(claim.kind)), "  ", claim.text),
                id=str(i),
            )
            for i, claim in enumerate(self.claims)
        )
        options.highlighted = 0
        options.focus()
        self._note("Enter traces the highlighted statement.")

    # ------------------------------------------------------------ tracing

    @on(OptionList.OptionHighlighted, "#trace-claims")
    def _claim_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.start_trace(int(event.option.id))

    @on(OptionList.OptionSelected, "#trace-claims")
    def _claim_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            index = int(event.option.id)
            if self.traced != index:
                self.start_trace(index)
            self.query_one(EvidenceTree).focus()

    def start_trace(self, index: int) -> None:
        self.traced = index
        claim = self.claims[index]
        self.query_one("#trace-tree-title", Label).update(
            f"Evidence · {claim.where} · depth {self.depth} · tracing…"
        )
        self.run_trace(index)

    @work(thread=True, exclusive=True, group="trace")
    def run_trace(self, index: int) -> None:
        claim = self.claims[index]
        try:
            tree = features.trace(self.graph, self.note, claim, depth=self.depth)
        except (features.Unavailable, KgError) as error:
            self.post_message(Traced(index, None, str(error)))
            return
        self.post_message(Traced(index, tree))

    def on_traced(self, message: Traced) -> None:
        if message.index != self.traced:
            return
        claim = self.claims[message.index]
        tree = self.query_one(EvidenceTree)
        title = self.query_one("#trace-tree-title", Label)
        quote = self.query_one("#trace-quote", Static)
        if message.tree is None:
            title.update(f"Evidence · {claim.where}")
            tree.clear()
            self._note(message.error or "No evidence found.")
            quote.update("")
            return
        count = tree.show_tree(message.tree, claim.where)
        title.update(
            f"Evidence · {claim.where} · {count} node{'s' if count != 1 else ''} · depth {self.depth}"
        )
        self._note(
            ""
            if count
            else "No note supports this statement: it cites nothing, and no source or "
            "related note says the same."
        )
        quote.update(Content.assemble(("Statement  ", "bold"), claim.text))

    @on(Tree.NodeHighlighted, "#trace-tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted[EvidenceRow]) -> None:
        row = event.node.data
        if row is None:
            return
        node = row.node
        quote = self.query_one("#trace-quote", Static)
        head = f"{node.kind.upper()}  {node.title}"
        if node.score is not None and node.rank:
            head += f"  ·  #{node.rank}, share of the ranking {node.score:.2f}"
        elif node.score is not None:
            head += f"  ·  score {node.score:.2f}"
        if node.parts:
            head += "  ·  " + ", ".join(f"{name} {value:.2f}" for name, value in node.parts)
        if node.cosine is not None:
            head += f"  ·  best cosine {node.cosine:.2f}"
        quote.update(
            Content.assemble(
                (ellipsize(head, 200), "bold"), "\n", (node.quote or "(no quoted text)", "italic")
            )
        )

    def _note(self, text: str) -> None:
        note = self.query_one("#trace-note", Static)
        note.update(text)
        note.display = bool(text)

    def on_open_note(self, message: OpenNote) -> None:
        message.stop()
        self.dismiss(message.note_id)

    # ------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    def action_depth(self, delta: int) -> None:
        depth = min(5, max(1, self.depth + delta))
        if depth != self.depth:
            self.depth = depth
            if self.traced is not None:
                self.start_trace(self.traced)


def _where_style(kind: str) -> str:
    return {"claim": "bold $accent", "source": "bold $secondary"}.get(kind, "bold $text-muted")
