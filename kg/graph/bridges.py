"""The notes that join clusters (`kg.graph.communities`), ranked.

A note's participation coefficient is 1 minus the sum of the squared shares of its link
weight in each cluster: 0 when all its links stay in one cluster, near 1 when they spread
evenly. Its bridge score is that times the weight of its links to other clusters.
`bridges` ranks the notes by it and says which clusters removing each one cuts off from
its own; `bridge_scores` gives every clustered note's score (the exports carry it).

>>> from kg.graph.knowledge import _demo
>>> bridges(_demo()), bridge_scores(_demo())  # one cluster: nothing to bridge
([], {'a': 0.0, 'b': 0.0, 'c': 0.0})
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.display import Results, ShortRepr
from kg.errors import check_count
from kg.graph.communities import Clustering, clusters, note_weights

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

__all__ = ["Bridge", "bridge_scores", "bridges"]


@dataclass(frozen=True, repr=False)
class Bridge(ShortRepr):
    """A note joining clusters: its score (participation times the weight of its links to
    other clusters), its participation (0-1), its own cluster, the clusters it joins
    (most strongly joined first), and the clusters cut off from its own without it."""

    note_id: str
    title: str
    score: float
    participation: float
    cluster: int
    joins: tuple[int, ...]
    apart: tuple[int, ...]
    only_link: tuple[int, ...]  # clusters no other note links directly to its own


def _spreads(
    G: nx.Graph, labels: list[int | None]
) -> Iterator[tuple[int, int, Counter[int], float, float]]:
    """Each clustered note (by number) with its cluster, its link weight in each cluster,
    its participation and its weight across (to other clusters)."""
    for note in G:
        own = labels[note]
        if own is None:
            continue
        spread: Counter[int] = Counter()
        for other, data in G[note].items():
            if (theirs := labels[other]) is not None:
                spread[theirs] += data["weight"]
        strength = sum(spread.values())
        across = strength - spread[own]
        participation = 1 - sum((w / strength) ** 2 for w in spread.values()) if strength else 0.0
        yield note, own, spread, participation, across


def bridges(
    graph: KnowledgeGraph,
    clustering: Clustering | None = None,
    *,
    top: int = 20,
    weights: nx.Graph | None = None,
) -> Results[Bridge]:
    """The notes that join clusters, ranked, and what comes apart without each.

    Parameters
    ----------
    graph
        The corpus.
    clustering
        Its clusters (default: `clusters(graph)`).
    top
        How many bridges to return.
    weights
        The graph `note_weights` gives, when already made.

    Returns
    -------
    Results of Bridge
        Ranked by score (participation times link weight to other clusters), then id.
        `apart` lists the clusters that no path of inter-cluster links joins to the
        note's own cluster once its links are gone; `only_link` those it alone links to
        its own cluster directly.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> bridges(_demo())  # one cluster: nothing to bridge
    []
    """
    check_count("top", top, 0)
    G = note_weights(graph) if weights is None else weights
    shape = clustering if clustering is not None else clusters(graph, weights=G)
    ids: list[str] = G.graph["ids"]
    labels = [shape.labels.get(note_id) for note_id in ids]  # by the notes' numbers
    # Cluster pair -> the notes whose links join them directly, each with how many.
    between: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    ranked = []
    for note, own, spread, participation, across in _spreads(G, labels):
        for other in G[note]:
            theirs = labels[other]
            if theirs is not None and theirs != own:
                pair = (min(own, theirs), max(own, theirs))
                between[pair][note] += 1
                between[pair][other] += 1
        if across > 0:
            ranked.append((-participation * across, note, participation, own, spread))
    ranked.sort(key=lambda r: (round(r[0], 9), r[1]))
    made = []
    for score, note, participation, own, spread in ranked[:top]:
        joins = tuple(c for c, _ in sorted(spread.items(), key=lambda s: (-s[1], s[0])) if c != own)
        apart, only = _cut_off(between, note, own)
        made.append(
            Bridge(
                note_id=ids[note],
                title=graph.note_table.title(ids[note]),
                score=round(-score, 4),
                participation=round(participation, 4),
                cluster=own,
                joins=joins,
                apart=apart,
                only_link=only,
            )
        )
    return Results(made, Bridge)


def bridge_scores(
    graph: KnowledgeGraph, clustering: Clustering | None = None, *, weights: nx.Graph | None = None
) -> dict[str, float]:
    """Every clustered note's bridge score as `bridges` gives it (0.0 when all its links
    stay in its cluster); unclustered notes are left out.

    >>> from kg.graph.knowledge import _demo
    >>> bridge_scores(_demo())
    {'a': 0.0, 'b': 0.0, 'c': 0.0}
    """
    G = note_weights(graph) if weights is None else weights
    shape = clustering if clustering is not None else clusters(graph, weights=G)
    ids: list[str] = G.graph["ids"]
    labels = [shape.labels.get(note_id) for note_id in ids]
    return {
        ids[note]: round(participation * across, 4) if across > 0 else 0.0
        for note, _, _, participation, across in _spreads(G, labels)
    }


def _cut_off(
    between: Mapping[tuple[int, int], Counter[int]], note: int, own: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The clusters reachable from `own` over inter-cluster links before but not after
    taking away `note`'s links; and those only its links joined to `own` directly."""
    with_it: dict[int, set[int]] = defaultdict(set)
    without: dict[int, set[int]] = defaultdict(set)
    only = []
    for (a, b), notes in between.items():
        with_it[a].add(b)
        with_it[b].add(a)
        # A link counts both its ends: the pair stays joined if a link not touching
        # `note` joins it, i.e. other notes hold more ends than `note`'s links gave them.
        others = sum(n for other, n in notes.items() if other != note)
        if others > notes.get(note, 0):
            without[a].add(b)
            without[b].add(a)
        elif own in (a, b):
            only.append(b if a == own else a)
    before, after = _reach(with_it, own), _reach(without, own)
    return tuple(sorted(before - after)), tuple(sorted(only))


def _reach(edges: Mapping[int, set[int]], start: int) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen - {start}
