"""Walking the graph: the links of a note, neighbourhoods, shortest paths.

Functions take the `KnowledgeGraph` first; its methods of the same names call them.
Every argument goes through one validation (`link_kinds`, `note_kinds`, `check_direction`,
`kg.errors.check_count`): a bad value raises `InvalidArgument` naming the valid ones.

>>> from kg.graph.knowledge import _demo
>>> g = _demo()
>>> shortest_path(g, "a", "c").titles
('Can A happen?', 'Does B hold?', 'Why C?')
>>> neighbours(g, "b", direction="forward")
Traceback (most recent call last):
...
kg.errors.InvalidArgument: unknown direction 'forward'; valid: out, in, both
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, cast

from kg.display import Results
from kg.display.lines import LINE_WIDTH, clip
from kg.errors import check_choice, check_choices, check_count, check_flag
from kg.model import Link, LinkKind, Neighbour, Note, NoteKind

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

Direction = str  # 'out', 'in' or 'both'
DIRECTIONS = ("out", "in", "both")
LinkKinds = Iterable[LinkKind | str] | LinkKind | str | None
NoteKinds = Iterable[NoteKind | str] | NoteKind | str | None
NoteRef = str | Note
# Nodes that group notes: `path` does not walk through them, `stats` does not count them.
GROUPING_KINDS = frozenset({NoteKind.CATEGORY, NoteKind.TAG})
WRITTEN_LINKS = frozenset({LinkKind.LINKS, LinkKind.EMBEDS})


def link_kinds(kinds: LinkKinds) -> frozenset[LinkKind] | None:
    """`kinds` as link kinds (None: every kind); one string is one kind.

    >>> link_kinds("related"), link_kinds(None)
    (frozenset({<LinkKind.RELATED: 'related'>}), None)
    >>> link_kinds("relatd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: unknown link kind 'relatd'; valid: ..., related, ...
    """
    return check_choices("link kind", kinds, LinkKind)


def note_kinds(kinds: NoteKinds) -> frozenset[NoteKind] | None:
    """`kinds` as note kinds (None: every kind); one string is one kind.

    >>> sorted(k.value for k in note_kinds("paper")), sorted(note_kinds(["line", NoteKind.HUB]))
    (['paper'], [<NoteKind.HUB: 'hub'>, <NoteKind.LINE: 'line'>])
    """
    return check_choices("node kind", kinds, NoteKind)


def check_direction(direction: object) -> Direction:
    """'out', 'in' or 'both', else `InvalidArgument` naming them."""
    return check_choice("direction", direction, DIRECTIONS)


# ---------------------------------------------------------------- links and neighbours


def links_of(
    graph: KnowledgeGraph, note: NoteRef, direction: Direction = "both", kinds: LinkKinds = None
) -> list[Link]:
    """The links that leave (`out`), reach (`in`) or touch (`both`) a note (see
    `KnowledgeGraph.links_of`)."""
    way = check_direction(direction)
    wanted = link_kinds(kinds)
    node = graph.note(note).id
    table = graph.link_table
    rows = (table.out[node] if way != "in" else []) + (table.into[node] if way != "out" else [])
    table.prefetch(rows)
    found = [table.get(i) for i in rows]
    return [lk for lk in found if wanted is None or lk.kind in wanted]


def steps(
    graph: KnowledgeGraph, node: str, wanted: frozenset[LinkKind] | None, direction: Direction
) -> Iterator[tuple[Link, str, str]]:
    """(link, the note at its other end, 'out' or 'in') for each link of `node`."""
    table = graph.link_table
    if direction in ("out", "both"):
        table.prefetch(table.out[node])
        for index in table.out[node]:
            link = table.get(index)
            if wanted is None or link.kind in wanted:
                yield link, link.target, "out"
    if direction in ("in", "both"):
        table.prefetch(table.into[node])
        for index in table.into[node]:
            link = table.get(index)
            if wanted is None or link.kind in wanted:
                yield link, link.source, "in"


def neighbours(
    graph: KnowledgeGraph,
    note: NoteRef,
    depth: int = 1,
    kinds: LinkKinds = None,
    direction: Direction = "both",
    node_kinds: NoteKinds = None,
) -> list[Neighbour]:
    """Notes within `depth` links (see `KnowledgeGraph.neighbours`)."""
    check_count("depth", depth)
    wanted = link_kinds(kinds)
    wanted_nodes = note_kinds(node_kinds)
    way = check_direction(direction)
    centre = graph.note(note).id
    notes = graph.note_table
    depth_of = {centre: 0}
    frontier = [centre]
    result: list[Neighbour] = []
    for level in range(1, depth + 1):
        reached: list[str] = []
        for node in frontier:
            for link, other, side in steps(graph, node, wanted, way):
                if depth_of.get(other, level) < level:
                    continue
                if other not in depth_of:
                    depth_of[other] = level
                    reached.append(other)
                target = notes[other]
                if wanted_nodes is None or target.kind in wanted_nodes:
                    result.append(Neighbour(target, link, level, side))
        frontier = reached
    return result


# ---------------------------------------------------------------- paths


class NotePath(list[Link]):
    """A shortest path: the links along it, in order, and the notes they pass through.

    It is the list of links (as `g.path` always returned), with more said about it:

    - `found`: True when `start` and `end` are joined, including when they are the same
      note (a path of no links); False when no chain of links joins them.
    - `same`: True when both ends are one note (`found` and no links).
    - `notes`: the notes from `start` to `end` (one note when `same`, none when not found);
      `links`: the links as a tuple; `titles`: the notes' titles.

    So `if path.found` asks "are they joined?"; `len(path)` counts the hops; iterating
    gives the links. A fresh object: changing it changes nothing in the graph.

    >>> from kg.model import Note, NoteKind
    >>> a, b = Note("a", "A", NoteKind.HUB), Note("b", "B", NoteKind.HUB)
    >>> p = NotePath([a, b], [Link("a", "b", LinkKind.HUB)])
    >>> p.found, p.same, len(p), p.titles
    (True, False, 1, ('A', 'B'))
    >>> NotePath([a], []).same, NotePath([], []).found
    (True, False)
    """

    __slots__ = ("_notes",)

    def __init__(self, notes: Sequence[Note], links: Iterable[Link]) -> None:
        super().__init__(links)
        self._notes = tuple(notes)

    @property
    def notes(self) -> tuple[Note, ...]:
        """The notes along the path, from start to end (empty when not found)."""
        return self._notes

    @property
    def links(self) -> tuple[Link, ...]:
        """The links along the path, in walking order (a link may be walked backwards)."""
        return tuple(self)

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(n.title for n in self._notes)

    @property
    def found(self) -> bool:
        return bool(self._notes)

    @property
    def same(self) -> bool:
        return len(self._notes) == 1

    def __repr__(self) -> str:
        if not self.found:
            return "NotePath(found=False)"
        titles = list(self.titles)
        line = f"NotePath({' -> '.join(repr(t) for t in titles)}, {len(self)} links)"
        if len(line) <= LINE_WIDTH:
            return line
        # Too long for a line: each title cut short, the middle of a long path left out.
        if len(titles) > 6:
            titles = [*titles[:3], f"… {len(titles) - 4} more", titles[-1]]
        width = max(12, (LINE_WIDTH - 24) // len(titles) - 6)
        shown = [t if t.startswith("… ") else repr(clip(t, width)) for t in titles]
        return f"NotePath({' -> '.join(shown)}, {len(self)} links)"


def shortest_path(
    graph: KnowledgeGraph,
    a: NoteRef,
    b: NoteRef,
    kinds: LinkKinds = None,
    directed: bool = False,
) -> NotePath:
    """The shortest chain of links from `a` to `b` (see `KnowledgeGraph.path`)."""
    wanted = link_kinds(kinds)
    check_flag("directed", directed)
    start, goal = graph.note(a), graph.note(b)
    if start.id == goal.id:
        return NotePath([start], [])
    notes = graph.note_table
    came: dict[str, tuple[str, Link] | None] = {start.id: None}
    queue = deque([start.id])
    while queue:
        node = queue.popleft()
        for link, other, _ in steps(graph, node, wanted, "out" if directed else "both"):
            if other in came or (notes.kind(other) in GROUPING_KINDS and other != goal.id):
                continue
            came[other] = (node, link)
            if other == goal.id:
                chain: list[Link] = []
                ids = [goal.id]
                step = came[goal.id]
                while step is not None:
                    chain.append(step[1])
                    ids.append(step[0])
                    step = came[step[0]]
                return NotePath([notes[i] for i in reversed(ids)], reversed(chain))
            queue.append(other)
    return NotePath([], [])


# ---------------------------------------------------------------- the methods


class WalkMethods:
    """`KnowledgeGraph`'s methods that walk links and count: each calls the function of
    the same job above (or in `kg.graph.figures`)."""

    def links_of(
        self, note: NoteRef, direction: Direction = "both", kinds: LinkKinds = None
    ) -> Results[Link]:
        """The links that leave (`out`), reach (`in`) or touch (`both`) a note.

        Parameters
        ----------
        note : str or Note
            Id, title, alias or file of the note.
        direction : {'both', 'out', 'in'}
        kinds : LinkKind or str or iterable of them, optional
            Only links of these kinds (one string is one kind).

        Returns
        -------
        list of Link

        Raises
        ------
        NoteNotFound
            When no note matches.
        InvalidArgument
            For an unknown direction or link kind (the message lists the valid ones).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [lk.target for lk in _demo().links_of("a", "out", kinds="related")]
        ['b']
        """
        return Results(links_of(cast("KnowledgeGraph", self), note, direction, kinds), Link)

    def backlinks(self, note: NoteRef, kinds: LinkKinds = None) -> Results[Link]:
        """Links from other notes into this one: who cites, mentions, uses or relates to it.

        Parameters
        ----------
        note : str or Note
        kinds : LinkKind or str or iterable of them, optional

        Returns
        -------
        list of Link

        Raises
        ------
        NoteNotFound, InvalidArgument

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [lk.source for lk in _demo().backlinks("Why C?")]
        ['b']
        """
        return Results(links_of(cast("KnowledgeGraph", self), note, "in", kinds), Link)

    def linked_mentions(self, note: NoteRef) -> Results[Link]:
        """Backlinks written as links or embeds (`[[Name]]`, `![[Name]]`, `[x](Name.md)`):
        Obsidian's "linked mentions".

        Returns
        -------
        list of Link

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().linked_mentions("b")
        []
        """
        return Results(links_of(cast("KnowledgeGraph", self), note, "in", WRITTEN_LINKS), Link)

    def unlinked_mentions(self, note: NoteRef) -> Results[Link]:
        """Backlinks found in running text, where the note's title appears without a link:
        Obsidian's "unlinked mentions".

        Returns
        -------
        list of Link

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [lk.source for lk in _demo().unlinked_mentions("c")]
        ['b']
        """
        return Results(links_of(cast("KnowledgeGraph", self), note, "in", LinkKind.MENTIONS), Link)

    def neighbours(
        self,
        note: NoteRef,
        depth: int = 1,
        kinds: LinkKinds = None,
        direction: Direction = "both",
        node_kinds: NoteKinds = None,
    ) -> Results[Neighbour]:
        """Notes within `depth` links, one entry per link that first reaches them at a depth.

        Parameters
        ----------
        note : str or Note
        depth : int, default 1
            How many links away (0 or more).
        kinds : LinkKind or str or iterable of them, optional
            The link kinds walked (one string is one kind).
        direction : {'both', 'out', 'in'}
            Follow links forwards, backwards, or both.
        node_kinds : NoteKind or str or iterable of them, optional
            The note kinds listed (notes of other kinds are still walked through).

        Returns
        -------
        list of Neighbour
            The note, the link that reached it, its depth and 'out' or 'in'.

        Raises
        ------
        NoteNotFound, InvalidArgument

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [(n.note.id, n.depth) for n in _demo().neighbours("a", depth=2, node_kinds="line")]
        [('c', 2)]
        """
        found = neighbours(cast("KnowledgeGraph", self), note, depth, kinds, direction, node_kinds)
        return Results(found, Neighbour)

    def path(
        self, a: NoteRef, b: NoteRef, kinds: LinkKinds = None, directed: bool = False
    ) -> NotePath:
        """The shortest chain of typed links from `a` to `b`, through notes (not categories
        or tags); links may be walked backwards unless `directed`.

        Parameters
        ----------
        a, b : str or Note
        kinds : LinkKind or str or iterable of them, optional
            The link kinds walked.
        directed : bool
            Only follow links forwards.

        Returns
        -------
        NotePath
            The list of links, with `.notes` along the path, `.found` (the two are joined,
            True for the same note too), `.same` (a is b: one note, no links).

        Raises
        ------
        NoteNotFound, InvalidArgument

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> g = _demo()
        >>> p = g.path("a", "c")
        >>> p.found, [n.id for n in p.notes], [lk.kind.value for lk in p]
        (True, ['a', 'b', 'c'], ['related', 'mentions'])
        >>> g.path("a", "a").same, g.path("a", "c", kinds="related").found
        (True, False)
        """
        return shortest_path(cast("KnowledgeGraph", self), a, b, kinds, directed)
