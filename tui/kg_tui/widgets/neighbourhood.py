"""The neighbourhood of the current note, grouped by link kind and direction, with counts.

Enter on a neighbour re-centres the walk on it; Enter on a group opens or closes it.
With depth 2 on, each neighbour can be opened to show the notes reached through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style as RichStyle
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kg_tui import details
from kg_tui.fit import distinct_cuts
from kg_tui.labels import shown_title
from kg_tui.messages import Describe, Highlighted, OpenNote
from kg_tui.walk import KIND_COLOURS, Entry, Group

if TYPE_CHECKING:
    from kg import KnowledgeGraph

SHOW_AT_MOST = 60  # entries listed per group before a "more" row
OPEN_UP_TO = 24  # groups this small start open
TITLE_CELLS = 16  # a row's title keeps this much before its detail is shown beside it


@dataclass(frozen=True)
class Row:
    """What a line of the tree stands for, and what its label says."""

    kind: str  # 'group', 'entry', 'more'
    note_id: str | None = None
    group: Group | None = None
    rest: tuple[Entry, ...] = ()
    title: str = ""
    detail: str = ""  # relation label, order, or link kind at depth 2
    colour: str = ""
    stub: bool = False
    extra: str = ""  # "×2", "+12"
    entry: Entry | None = None  # the neighbour the row stands for (the details pane shows it)


class NeighbourhoodTree(Tree[Row]):
    """Groups of neighbours; titles are cut with an ellipsis to the panel's width."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "Open",
            show=False,
            tooltip="Walk to the highlighted neighbour; on a group, open or close it",
        ),
        Binding(
            "space",
            "toggle_node",
            "Expand",
            show=False,
            tooltip="Open or close a group, or a neighbour's depth-2 notes",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("neighbourhood", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 3
        self.ring: dict[str, list[Entry]] = {}
        self.groups: list[Group] = []  # as listed (after the type-to-filter text)
        self.all_groups: list[Group] = []
        self.text = ""
        # Cut titles of each group's rows at a width: {(group node id, width, rows): cuts}
        self._cuts: dict[tuple[int, int, int], dict[int, str]] = {}

    # ------------------------------------------------------------ filling

    def show_groups(self, groups: list[Group], ring: dict[str, list[Entry]] | None = None) -> None:
        """List `groups`; an empty list leaves the tree empty (the panel explains why)."""
        self.all_groups = groups
        self.text = ""
        self.ring = ring or {}
        self._fill(groups)

    def filter_titles(self, text: str) -> int:
        """Keep the neighbours whose title holds `text` (any case), every group open;
        returns how many rows are left. An empty `text` lists everything again."""
        self.text = text
        if not text:
            self._fill(self.all_groups)
            return sum(len(g.entries) for g in self.all_groups)
        key = text.casefold()
        kept = [
            Group(g.spec, [e for e in g.entries if key in e.note.title.casefold()])
            for g in self.all_groups
        ]
        kept = [g for g in kept if g.entries]
        self._fill(kept, open_all=True)
        return sum(len(g.entries) for g in kept)

    def _fill(self, groups: list[Group], open_all: bool = False) -> None:
        self.groups = groups
        self._cuts = {}
        self.clear()
        if not groups:
            return
        small = open_all or sum(len(g.entries) for g in groups) <= OPEN_UP_TO * 2
        for group in groups:
            label = Text.assemble(
                ("● ", RichStyle(color=KIND_COLOURS[group.kind])),
                (group.title, "bold"),
                (f"  {len(group.entries)}", "dim"),
            )
            node = self.root.add(label, Row("group", group=group))
            self._add_entries(node, group.entries)
            if small or len(group.entries) <= OPEN_UP_TO:
                node.expand()
        if not any(node.is_expanded for node in self.root.children):
            self.root.children[0].expand()  # one big group: open it rather than show nothing
        self.cursor_line = 0
        self.call_after_refresh(self._describe_cursor)

    def _describe_cursor(self) -> None:
        node = self.cursor_node
        self.post_message(
            Describe(describe_row(node.data if node is not None else None, self._graph()))
        )

    def _add_entries(self, node: TreeNode[Row], entries: list[Entry]) -> None:
        for entry in entries[:SHOW_AT_MOST]:
            self._add_entry(node, entry)
        rest = entries[SHOW_AT_MOST:]
        if rest:
            node.add_leaf(
                Text(f"… {len(rest)} more (Enter to list them)", style="dim italic"),
                Row("more", rest=tuple(rest)),
            )

    def _add_entry(self, node: TreeNode[Row], entry: Entry) -> None:
        second = self.ring.get(entry.note.id, [])
        extra = " ".join(
            part
            for part in (
                f"×{entry.links}" if entry.links > 1 else "",
                f"+{len(second)}" if second else "",
            )
            if part
        )
        row = Row(
            "entry",
            entry.note.id,
            title=shown_title(self._graph(), entry.note),
            detail=entry.detail,
            colour=KIND_COLOURS[entry.link.kind],
            stub=entry.note.stub,
            extra=extra,
            entry=entry,
        )
        if not second:
            node.add_leaf(Text(row.title), row)
            return
        child = node.add(Text(row.title), row)
        for far in second[:SHOW_AT_MOST]:
            far_row = Row(
                "entry",
                far.note.id,
                title=shown_title(self._graph(), far.note),
                detail=far.link.describe(),
                colour=KIND_COLOURS[far.link.kind],
                stub=far.note.stub,
                entry=far,
            )
            child.add_leaf(Text(far_row.title), far_row)

    # ------------------------------------------------------------ labels

    def _graph(self) -> KnowledgeGraph | None:
        """The graph the screen shows (for titles that need their folder)."""
        return getattr(self.screen, "graph", None) if self.is_attached else None

    def render_label(self, node: TreeNode[Row], base_style: RichStyle, style: RichStyle) -> Text:
        row = node.data
        if row is None or row.kind != "entry":
            return _fit(super().render_label(node, base_style, style), self._room(node))
        room = self._room(node) - (2 if node.allow_expand else 0)
        tail = "".join(f"  {part}" for part in (row.detail, row.extra) if part)
        # The title comes first: the detail and counts only beside 16 cells of it (the
        # details pane below says them in full).
        if len(tail) > room * 0.45 or room - len(tail) < min(len(row.title), TITLE_CELLS):
            tail = ""
        title = Text(
            self._cut(node, max(4, room - len(tail))), style="italic dim" if row.stub else ""
        )
        text = Text.assemble(title)
        if row.detail and tail:
            text.append(f"  {row.detail}", style=RichStyle(color=row.colour))
        if row.extra and tail:
            text.append(f"  {row.extra}", style="dim")
        text.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            text = Text.assemble((icon, base_style + RichStyle(bold=True)), text)
        return text

    def _cut(self, node: TreeNode[Row], width: int) -> str:
        """The row's title cut to `width`, told apart from its siblings' cut titles."""
        parent = node.parent
        row = node.data
        assert row is not None
        if parent is None:
            return row.title
        siblings = parent.children
        key = (parent.id, width, len(siblings))
        cuts = self._cuts.get(key)
        if cuts is None:
            rows = [(child.id, child.data.title) for child in siblings if child.data is not None]
            cut = distinct_cuts([title for _, title in rows], width)
            cuts = self._cuts[key] = {
                node_id: text for (node_id, _), text in zip(rows, cut, strict=True)
            }
        return cuts.get(node.id, row.title)

    def get_label_width(self, node: TreeNode[Row]) -> int:
        # Labels are cut to the panel's width, so no line is ever wider than the panel:
        # skip rendering every label just to measure it.
        row = node.data
        if row is not None and row.kind == "entry":
            return min(len(row.title) + 2, max(1, self._room(node)))
        return super().get_label_width(node)

    def _room(self, node: TreeNode[Row]) -> int:
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        return self.scrollable_content_region.width - max(0, depth - 1) * self.guide_depth - 1

    # ------------------------------------------------------------ events

    def on_tree_node_selected(self, event: Tree.NodeSelected[Row]) -> None:
        event.stop()
        row = event.node.data
        if row is None:
            return
        if row.kind == "entry" and row.note_id:
            self.post_message(OpenNote(row.note_id))
        elif row.kind == "group":
            event.node.toggle()
        elif row.kind == "more":
            parent = event.node.parent
            event.node.remove()
            if parent is not None:
                for entry in row.rest:
                    self._add_entry(parent, entry)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Row]) -> None:
        event.stop()
        row = event.node.data
        self.post_message(Highlighted(row.note_id if row and row.kind == "entry" else None))
        self.post_message(Describe(describe_row(row, self._graph())))

    def highlighted_note(self) -> str | None:
        node = self.cursor_node
        if node is None or node.data is None or node.data.kind != "entry":
            return None
        return node.data.note_id

    def select_note(self, note_id: str) -> bool:
        """Put the cursor on the first row of `note_id`; False when it is not listed."""
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data is not None and node.data.note_id == note_id:
                self.cursor_line = line
                self.scroll_to_line(line, animate=False)
                return True
        for group in self.root.children:
            for child in group.children:
                if child.data is not None and child.data.note_id == note_id:
                    group.expand()
                    self.call_after_refresh(self.select_note, note_id)
                    return True
        return False


def describe_row(row: Row | None, graph: KnowledgeGraph | None = None) -> details.Details | None:
    """The details pane's account of a row: a neighbour in full, or what a group holds."""
    if row is None:
        return None
    if row.kind == "entry" and row.entry is not None:
        return details.of_entry(row.entry, row.colour, graph)
    if row.kind == "group" and row.group is not None:
        group = row.group
        return details.Details(
            title=group.title,
            kind=details.plural(len(group.entries), "note") + f" · link kind “{group.kind.value}”",
            colour=KIND_COLOURS[group.kind],
            text="Enter or space opens or closes the group; Ctrl+F filters the titles.",
        )
    if row.kind == "more":
        return details.Details(title=f"{len(row.rest)} more", text="Enter lists them.")
    return None


def _fit(text: Text, room: int) -> Text:
    if room > 4 and text.cell_len > room:
        text.truncate(room, overflow="ellipsis")
    return text
