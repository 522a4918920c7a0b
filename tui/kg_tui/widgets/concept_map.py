"""The current note's neighbourhood drawn in the terminal, like the site's concept map.

The note sits in the middle; its neighbours sit on a ring around it, joined by lines
drawn with braille dots and coloured by link kind. When there are more neighbours than
fit, every kind gets a share of the ring and the rest are counted in the legend.
Click a node (or pick one with the arrow keys and press Enter) to walk to it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from kg import KnowledgeGraph
from kg.model import LinkKind, NoteStats
from kg_tui import details
from kg_tui.labels import SEPARATOR, cut_start, fit_with_folder, repeated_folder
from kg_tui.messages import Describe, Highlighted, OpenNote
from kg_tui.shape import ClusterColours
from kg_tui.walk import KIND_COLOURS, Group, ellipsize
from kg_tui.widgets.map_words import PRIORITY, legend_lines, map_figures, wrap_words

_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
FOLDER_CELLS = 10  # a label's folder (where titles repeat) is cut to this, from its start


@dataclass(frozen=True)
class MapNode:
    note_id: str
    title: str
    kind: LinkKind
    stub: bool
    far: int = 0  # notes reached through it at depth 2
    folder: str = ""  # shown after the title where another note has the same title


def pick_nodes(
    groups: Sequence[Group],
    limit: int,
    ring: dict[str, int] | None = None,
    graph: KnowledgeGraph | None = None,
) -> list[MapNode]:
    """Up to `limit` neighbours, shared out between link kinds so each kind shows.

    Kinds take turns by priority (related first, used-by last); a note appears once.
    Each carries its folder where `graph` holds another note of its title.
    """
    queues: dict[LinkKind, list[MapNode]] = {}
    seen: set[str] = set()
    ring = ring or {}
    for group in sorted(groups, key=lambda g: PRIORITY.index(g.kind)):
        queue = queues.setdefault(group.kind, [])
        for entry in group.entries:
            queue.append(
                MapNode(
                    entry.note.id,
                    entry.note.title,
                    group.kind,
                    entry.note.stub,
                    ring.get(entry.note.id, 0),
                    repeated_folder(graph, entry.note),
                )
            )
    picked: list[MapNode] = []
    while len(picked) < limit and any(queues.values()):
        for kind in PRIORITY:
            waiting = queues.get(kind, [])
            while waiting:
                node = waiting.pop(0)
                if node.note_id not in seen:
                    seen.add(node.note_id)
                    picked.append(node)
                    break
            if len(picked) >= limit:
                break
    # Keep kinds together around the ring, so colours read as sectors.
    picked.sort(key=lambda n: PRIORITY.index(n.kind))
    return picked


class ConceptMap(Widget, can_focus=True):
    """A radial drawing of the neighbourhood."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "right,down",
            "step(1)",
            "Next node",
            show=False,
            tooltip="Pick the next node round the ring",
        ),
        Binding(
            "left,up", "step(-1)", "Previous node", show=False, tooltip="Pick the previous node"
        ),
        Binding("enter", "open", "Walk there", tooltip="Walk to the picked node (or click a node)"),
        Binding(
            "c",
            "clusters",
            "Clusters",
            tooltip="Colour the nodes by cluster (the Shape screen's colours), and back",
            show=False,
            id="map.clusters",
        ),
    ]
    DEFAULT_CSS = """
    ConceptMap { height: 1fr; width: 1fr; }
    """

    selected: reactive[int] = reactive(-1, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.centre_title = ""
        self.centre_folder = ""  # the open note's folder, where its title repeats
        self.graph: KnowledgeGraph | None = None
        self.centre_id: str | None = None
        self.groups: list[Group] = []
        self.ring: dict[str, int] = {}
        self.stats: NoteStats | None = None
        self.nodes: list[MapNode] = []
        self.message = "No note open: the map shows the current note's neighbourhood."
        self._strips: list[Strip] = []
        self._hits: dict[tuple[int, int], int] = {}
        self._built_for: tuple[Size, int, int] | None = None
        self._version = 0
        self.by_cluster = False  # nodes coloured by cluster (c), not by link kind
        self.clusters: ClusterColours | None = None  # read in a worker, for `graph`

    # ------------------------------------------------------------ data

    def show(
        self,
        centre_id: str,
        centre_title: str,
        groups: list[Group],
        stats: NoteStats | None,
        ring: dict[str, int] | None = None,
        graph: KnowledgeGraph | None = None,
    ) -> None:
        """Draw `centre_id`'s neighbourhood; with `graph`, notes whose titles repeat in
        it are labelled with their folders, as every list labels them."""
        self.centre_id = centre_id
        self.centre_title = centre_title
        self.graph = graph
        centre = graph.find(centre_id) if graph is not None else None
        self.centre_folder = repeated_folder(graph, centre) if centre is not None else ""
        self.groups = groups
        self.stats = stats
        self.ring = ring or {}
        stale = self.clusters is None or self.clusters.graph is not graph
        if self.by_cluster and graph is not None and stale:
            self.read_clusters(graph)
        self.message = "" if groups else "No links: this note stands alone."
        self.set_reactive(ConceptMap.selected, -1)
        self._version += 1
        self.refresh()

    def show_stats(self, stats: NoteStats) -> None:
        """The figures arrived (they are counted in a worker for big neighbourhoods)."""
        self.stats = stats
        self._version += 1
        self.refresh()

    def show_message(self, message: str) -> None:
        self.centre_id = None
        self.groups = []
        self.nodes = []
        self.message = message
        self._version += 1
        self.refresh()

    def select_note(self, note_id: str | None) -> None:
        index = next((i for i, n in enumerate(self.nodes) if n.note_id == note_id), -1)
        if index != self.selected:
            self.selected = index

    def watch_selected(self) -> None:
        self._version += 1
        self.refresh()

    # ------------------------------------------------------------ actions

    def action_step(self, delta: int) -> None:
        if self.nodes:
            self.selected = (self.selected + delta) % len(self.nodes) if self.selected >= 0 else 0
            note_id = self.nodes[self.selected].note_id
            self.post_message(Highlighted(note_id))
            self.post_message(Describe(self.describe(note_id)))

    def describe(self, note_id: str) -> details.Details | None:
        """The picked node in full, as the side panel would list it."""
        for group in self.groups:
            for entry in group.entries:
                if entry.note.id == note_id:
                    return details.of_entry(entry, KIND_COLOURS[group.kind], self.graph)
        return None

    def action_open(self) -> None:
        if 0 <= self.selected < len(self.nodes):
            self.post_message(OpenNote(self.nodes[self.selected].note_id))

    def action_clusters(self) -> None:
        self.by_cluster = not self.by_cluster
        graph = self.graph
        stale = self.clusters is None or self.clusters.graph is not graph
        if self.by_cluster and graph is not None and stale:
            self.notify("Finding the clusters…", timeout=2)
            self.read_clusters(graph)
        self._version += 1
        self.refresh()

    @work(thread=True, exclusive=True, group="map-clusters")
    def read_clusters(self, graph: KnowledgeGraph) -> None:
        """Clusters of a big corpus take seconds: off the screen's thread."""
        found = ClusterColours.of(graph)
        self.app.call_from_thread(self._clusters_read, found)

    def _clusters_read(self, found: ClusterColours) -> None:
        if found.graph is self.graph:
            self.clusters = found
            self._version += 1
            self.refresh()

    def _colours(self) -> ClusterColours | None:
        found = self.clusters
        return (
            found if self.by_cluster and found is not None and found.graph is self.graph else None
        )

    def on_click(self, event: events.Click) -> None:
        index = self._hits.get((event.x, event.y))
        if index is not None and index < len(self.nodes):
            self.post_message(OpenNote(self.nodes[index].note_id))

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        key = (self.size, self._version, self.selected)
        if key != self._built_for:
            self._strips = self._draw(self.size.width, self.size.height)
            self._built_for = key
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _draw(self, width: int, height: int) -> list[Strip]:
        base = self.rich_style
        if width < 12 or height < 5:
            return [Strip([Segment(ellipsize("map: too small", width), base)])]
        cells: list[list[tuple[str, RichStyle]]] = [[(" ", base)] * width for _ in range(height)]
        self._hits = {}

        def put(x: int, y: int, text: str, style: RichStyle, hit: int | None = None) -> None:
            for i, char in enumerate(text):
                if 0 <= x + i < width and 0 <= y < height:
                    cells[y][x + i] = (char, style)
                    if hit is not None:
                        self._hits[(x + i, y)] = hit

        if self.centre_id is None or not self.groups:
            lines = self.message.split("\n") or [""]
            for i, line in enumerate(lines[: height - 1]):
                text = ellipsize(line, width - 2)
                put(
                    max(0, (width - len(text)) // 2),
                    height // 2 - len(lines) // 2 + i,
                    text,
                    base + RichStyle(dim=True, italic=True),
                )
            return [_strip(row) for row in cells]

        # Header: the figures from the graph. Footer: the legend. Both wrap, never cut.
        header = wrap_words(map_figures(self.stats), width - 2, 2) if self.stats else []
        for y, line in enumerate(header):
            put(1, y, line, base + RichStyle(dim=True))
        total = Counter({g.kind: 0 for g in self.groups})
        for group in self.groups:
            total[group.kind] += len(group.entries)
        label_w = max(10, min(24, int(width * 0.36)))
        legend_rows = max(1, (height - len(header)) // 3)
        # Nodes drawn: as many as fit with readable labels (at least 10 cells each).
        top = len(header)
        limit = max(4, min(28, ((height - top - legend_rows - 1) * width) // 60))
        self.nodes = pick_nodes(self.groups, limit, self.ring, self.graph)
        shown = Counter(n.kind for n in self.nodes)
        by_cluster = self._colours()
        legend = (
            by_cluster.legend([n.note_id for n in self.nodes], width - 2, legend_rows)
            if by_cluster is not None
            else [
                [(KIND_COLOURS[k] if k is not None else "", text) for k, text in line]
                for line in legend_lines(total, shown, width - 2, legend_rows)
            ]
        )
        bottom = height - 1 - len(legend)
        map_h = bottom - top

        cx, cy = width / 2, top + map_h / 2
        rx = max(4.0, width / 2 - label_w - 2)
        ry = max(2.0, map_h / 2 - 0.8)
        count = len(self.nodes)
        positions: list[tuple[float, float]] = []
        for i in range(count):
            # Half a step round, so no node sits level with the centre title.
            angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / max(count, 1)
            positions.append((cx + rx * math.cos(angle), cy + ry * math.sin(angle)))

        # Lines, in braille dots: 2 x 4 dots per cell.
        dots = [[0] * width for _ in range(height)]
        colour: list[list[str | None]] = [[None] * width for _ in range(height)]
        order = list(range(count))
        if 0 <= self.selected < count:
            order.remove(self.selected)
            order.append(self.selected)
        for i in order:
            x1, y1 = positions[i]
            self._line(
                dots, colour, cx, cy, x1, y1, KIND_COLOURS[self.nodes[i].kind], width, height
            )
        line_styles: dict[str | None, RichStyle] = {}
        for y in range(top, bottom + 1):
            row_dots, row_colour, row_cells = dots[y], colour[y], cells[y]
            for x in range(width):
                if row_dots[x]:
                    key = row_colour[x]
                    style = line_styles.get(key)
                    if style is None:
                        style = line_styles[key] = base + RichStyle(color=key)
                    row_cells[x] = (chr(0x2800 + row_dots[x]), style)

        # The centre note, then the node markers, then labels where they fit.
        taken = [[False] * width for _ in range(height)]

        def free(x: int, y: int, length: int) -> bool:
            if x < 0 or x + length > width or not top <= y <= bottom:
                return False
            return not any(taken[y][x : x + length])

        def claim(x: int, y: int, text: str, style: RichStyle, hit: int | None) -> None:
            put(x, y, text, style, hit)
            for i in range(len(text)):
                if 0 <= x + i < width:
                    taken[y][x + i] = True

        centre = (
            f" {fit_with_folder(self.centre_title, self.centre_folder, max(12, width // 2 - 2))} "
        )
        claim(
            max(0, int(cx - len(centre) / 2)),
            int(cy),
            centre,
            base + RichStyle(reverse=True, bold=True),
            None,
        )
        cells_of: list[tuple[int, int]] = []
        for i, node in enumerate(self.nodes):
            px, py = positions[i]
            col, row = min(max(round(px), 0), width - 1), min(max(round(py), top), bottom)
            if taken[row][col]:  # on the centre title: step away from it, up or down
                away = -1 if py < cy else 1
                row = min(max(row + away, top), bottom)
                if taken[row][col]:
                    row = min(max(row + away, top), bottom)
            cells_of.append((col, row))
            dot = by_cluster.colour(node.note_id) if by_cluster is not None else ""
            colour_style = RichStyle(color=dot or KIND_COLOURS[node.kind], bold=True)
            claim(col, row, "○" if node.stub else "●", base + colour_style, i)
        label_order = list(range(count))
        if 0 <= self.selected < count:
            label_order.remove(self.selected)
            label_order.insert(0, self.selected)
        for i in label_order:
            node = self.nodes[i]
            col, row = cells_of[i]
            suffix = f" +{node.far}" if node.far else ""
            if node.folder:  # the folder stays whole as far as it can: the title is cut
                suffix = SEPARATOR + cut_start(node.folder, FOLDER_CELLS) + suffix
            style = base + (
                RichStyle(reverse=True, bold=True)
                if i == self.selected
                else RichStyle(dim=node.stub, italic=node.stub)
            )
            right = positions[i][0] >= cx
            sides = ["right", "left"] if right else ["left", "right"]
            for side in [*sides, "above", "below"]:
                label = self._fit_label(node.title, suffix, label_w, side, col, row, free)
                if label is not None:
                    x, y, text = label
                    claim(x, y, text, style, i)
                    break

        # Legend: kinds drawn, and how many of each are not, on as many lines as it needs.
        for y, entries in enumerate(legend, start=bottom + 1):
            x = 1
            for entry_colour, text in entries:
                if not entry_colour:  # the heading: what the figures after it are
                    put(x, y, text, base + RichStyle(dim=True, italic=True))
                    x += len(text) + 2
                    continue
                put(x, y, "●", base + RichStyle(color=entry_colour))
                put(x + 2, y, text, base + RichStyle(dim=True))
                x += len(text) + 4
        return [_strip(row) for row in cells]

    @staticmethod
    def _fit_label(
        title: str,
        suffix: str,
        longest: int,
        side: str,
        col: int,
        row: int,
        free: Callable[[int, int, int], bool],
    ) -> tuple[int, int, str] | None:
        """Where a node's label fits on one side of its marker, cut as little as needed."""
        for length in range(longest, 9, -1):  # shorter labels say too little to read
            text = ellipsize(title, length - len(suffix)) + suffix
            if side == "right":
                x, y, check_x = col + 2, row, col + 1
            elif side == "left":
                x, y = col - 1 - len(text), row
                check_x = x
            else:
                x, y = col - len(text) // 2, row - 1 if side == "above" else row + 1
                check_x = x
            if free(check_x, y, len(text) + 1):
                return x, y, text
        return None

    @staticmethod
    def _line(
        dots: list[list[int]],
        colour: list[list[str | None]],
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        col: str,
        width: int,
        height: int,
    ) -> None:
        # Work in dot space; leave a gap at both ends so labels stay readable.
        px0, py0, px1, py1 = x0 * 2, y0 * 4 + 2, x1 * 2, y1 * 4 + 2
        length = math.hypot(px1 - px0, py1 - py0)
        if length < 1:
            return
        steps = int(length)
        for step in range(steps):
            t = step / steps
            if t < 0.12 or t > 0.9:
                continue
            px, py = px0 + (px1 - px0) * t, py0 + (py1 - py0) * t
            cx, cy = int(px) // 2, int(py) // 4
            if 0 <= cx < width and 0 <= cy < height:
                dots[cy][cx] |= _DOTS[int(py) % 4][int(px) % 2]
                colour[cy][cx] = col


def _strip(row: list[tuple[str, RichStyle]]) -> Strip:
    """One line of cells as a strip, runs of one style joined into one segment."""
    segments: list[Segment] = []
    text: list[str] = []
    current: RichStyle | None = None
    for char, style in row:
        if style is not current:
            if text:
                segments.append(Segment("".join(text), current))
            text = []
            current = style
        text.append(char)
    if text:
        segments.append(Segment("".join(text), current))
    return Strip(segments, len(row))
