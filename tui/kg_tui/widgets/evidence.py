"""An evidence tree: a claim, the notes that support it, and what they say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style as RichStyle
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kg.display.lines import two_places
from kg.model import LinkKind
from kg_tui.features import EvidenceNode
from kg_tui.messages import OpenNote
from kg_tui.walk import KIND_COLOURS

BADGES = {
    "claim": ("CLAIM", "#ffffff"),
    "cited": ("CITED", KIND_COLOURS[LinkKind.MENTIONS]),
    "linked": ("LINKED", KIND_COLOURS[LinkKind.LINKS]),
    "embedded": ("EMBEDDED", KIND_COLOURS[LinkKind.EMBEDS]),
    "source": ("SOURCE", KIND_COLOURS[LinkKind.SOURCE]),
    "related": ("RELATED", KIND_COLOURS[LinkKind.RELATED]),
    "paper": ("PAPER", KIND_COLOURS[LinkKind.PAPER]),
    "uses": ("USES", KIND_COLOURS[LinkKind.USES]),
    "weak": ("WEAK", "#ff8787"),
}


@dataclass(frozen=True)
class EvidenceRow:
    node: EvidenceNode
    quote_only: bool = False
    score: int = 0  # characters at the label's end that give the rank and score
    relation: int = 0  # characters before those that give the relation ("evidence")
    lead: int = 0  # cells before the title: the fold mark and the badge ("▼ RELATED ")


class EvidenceTree(Tree[EvidenceRow]):
    """Enter on a node opens its note in the walk; each node's quote sits right under it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "select_cursor", "Open note", tooltip="Walk to the highlighted evidence note"
        ),
        Binding("space", "toggle_node", "Fold", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("evidence", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 3
        self.where = ""
        self.number: int | None = None  # the traced statement's number (`kg trace --claim N`)

    def show_tree(self, root: EvidenceNode, where: str = "", number: int | None = None) -> int:
        """Fill the tree; returns the number of evidence nodes under the claim."""
        self.where = where
        self.number = number
        self.clear()
        count = self._add(self.root, root)
        self.root.expand_all()
        self.cursor_line = 0
        return count - 1

    def show_list(self, nodes: list[EvidenceNode]) -> int:
        """List `nodes` (claims that use a note, weak claims) as top-level rows."""
        self.where = ""
        self.number = None
        self.clear()
        count = sum(self._add(self.root, node) for node in nodes)
        self.root.expand_all()
        self.cursor_line = 0
        return count

    def _add(self, parent: TreeNode[EvidenceRow], node: EvidenceNode) -> int:
        badge, colour = BADGES.get(node.kind, (node.kind.upper(), "#aaaaaa"))
        if node.kind == "claim" and self.where != "claim":
            badge = "STATEMENT"  # a body sentence or a source summary, not the claim line
        label = Text.assemble((f"{badge} ", RichStyle(color=colour, bold=True)))
        if node.kind == "claim":
            if self.where != "claim":  # "CLAIM claim" said nothing twice
                label.append(f"{self.where} ", style="bold")
            label.append(" ".join(node.quote.split()), style="italic")
        else:
            label.append(node.title or "(no note)", style="bold" if node.note_id else "dim")
        relation = score = ""
        if node.label:
            relation = f"  {node.label}"
            label.append(relation, style=RichStyle(color=colour))
        if node.score is not None and node.kind != "claim":
            place = f"#{node.rank} " if node.rank else ""
            score = f"  {place}{two_places(node.score)}"
            label.append(score, style="dim")
        if node.kind == "claim":
            if node.unsupported:
                label.append("  weakly supported", style=RichStyle(color="#ff8787", bold=True))
            elif node.children:
                label.append("  supported", style=RichStyle(color="#87d787", bold=True))
        show_quote = bool(node.quote) and node.kind != "claim" and node.quote != node.title
        lead = len(badge) + 3  # the fold mark (2 cells) and the badge with its space
        row = EvidenceRow(node, score=len(score), relation=len(relation), lead=lead)
        if not show_quote and not node.children:
            parent.add_leaf(label, row)
            return 1
        branch = parent.add(label, row)
        if show_quote:
            quote = " ".join(node.quote.split())
            branch.add_leaf(Text(f"“{quote}”", style="italic dim"), EvidenceRow(node, True))
        count = 1
        for child in node.children:
            count += self._add(branch, child)
        return count

    def render_label(
        self, node: TreeNode[EvidenceRow], base_style: RichStyle, style: RichStyle
    ) -> Text:
        text = super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth - 1
        if room > 4 and text.cell_len > room:
            row = node.data
            text = fit_label(text, room, row) if row is not None else text
        return text

    def on_tree_node_selected(self, event: Tree.NodeSelected[EvidenceRow]) -> None:
        event.stop()
        row = event.node.data
        if row is not None and row.node.note_id:
            self.post_message(OpenNote(row.node.note_id))

    def highlighted_node(self) -> EvidenceNode | None:
        node = self.cursor_node
        return node.data.node if node is not None and node.data is not None else None


TITLE_AT_LEAST = 12  # cells of a title kept before the relation gives way to it


def fit_label(text: Text, room: int, row: EvidenceRow) -> Text:
    """Cut a row's `text` to `room` cells, cutting the title and never the score: the
    rank and score at the end always stay, the relation before them while the title
    keeps `TITLE_AT_LEAST` cells.

    >>> label = Text("▼ RELATED Can reward models be gamed by longer answers?  evidence  #1 0.42")
    >>> row = EvidenceRow(None, score=9, relation=10, lead=10)  # type: ignore[arg-type]
    >>> fit_label(label, 45, row).plain
    '▼ RELATED Can reward mode…  evidence  #1 0.42'
    >>> fit_label(label, 30, row).plain
    '▼ RELATED Can reward…  #1 0.42'
    """
    keep = row.score + row.relation
    if room - text[len(text) - keep :].cell_len - row.lead < TITLE_AT_LEAST:
        keep = row.score
    tail = text[len(text) - keep :] if keep else Text("")
    head = text[: len(text) - keep]
    head.truncate(max(room - tail.cell_len, 1), overflow="ellipsis")
    head.append_text(tail)
    return head
