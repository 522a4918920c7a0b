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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kg.display import Results, ShortRepr
from kg.errors import check_count
from kg.graph.communities import Clustering, clustered
from kg.graph.weights import NoteWeights

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

__all__ = ["Bridge", "bridge_scores", "bridges", "joining_count"]


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


@dataclass(frozen=True, eq=False)
class _Spread:
    """Every clustered note's link weight in each cluster, worked out at once from the
    weighted graph of notes: `notes` and `clusters` the (note, cluster) pairs, sorted,
    `weight` the note's link weight in that cluster; per note (by number), its cluster
    (`own`, -1 for none), participation and weight `across` (to other clusters)."""

    own: np.ndarray
    notes: np.ndarray
    clusters: np.ndarray
    weight: np.ndarray
    participation: np.ndarray
    across: np.ndarray

    def of(self, note: int) -> dict[int, float]:
        """The note's link weight in each cluster."""
        lo, hi = np.searchsorted(self.notes, [note, note + 1])
        return dict(zip(self.clusters[lo:hi].tolist(), self.weight[lo:hi].tolist(), strict=True))


def _spread(W: NoteWeights, labels: Mapping[str, int]) -> _Spread:
    own = W.cluster_of(labels)
    rows, cols, weight, _ = W.both
    theirs = own[cols]
    kept = (own[rows] >= 0) & (theirs >= 0)
    k = int(own.max()) + 1 if len(own) else 0
    keys, where = np.unique(rows[kept] * k + theirs[kept], return_inverse=True)
    summed = np.bincount(where.ravel(), weights=weight[kept], minlength=len(keys))
    notes, clusters = keys // max(k, 1), keys % max(k, 1)
    strength = np.bincount(notes, weights=summed, minlength=len(W))
    mine = clusters == own[notes]
    inside = np.bincount(notes[mine], weights=summed[mine], minlength=len(W))
    share = summed / np.where(strength > 0, strength, 1.0)[notes]
    squares = np.bincount(notes, weights=share**2, minlength=len(W))
    participation = np.where(strength > 0, 1 - squares, 0.0)
    return _Spread(own, notes, clusters, summed, participation, strength - inside)


def _between(W: NoteWeights, own: np.ndarray) -> dict[tuple[int, int], int]:
    """How many pairs of notes are linked across each pair of clusters (lower, higher)."""
    _, lo, hi = W.across(own)
    k = int(own.max()) + 1 if len(own) else 1
    pairs, counts = np.unique(lo * k + hi, return_counts=True)
    return {(p // k, p % k): n for p, n in zip(pairs.tolist(), counts.tolist(), strict=True)}


def bridges(
    graph: KnowledgeGraph,
    clustering: Clustering | None = None,
    *,
    top: int = 20,
    weights: NoteWeights | nx.Graph | None = None,
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
        The weighted graph of notes (`kg.graph.weights.weight_arrays`, or networkx's from
        `note_weights`), when already made.

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
    W, shape = clustered(graph, clustering, weights)
    spread = _spread(W, shape.labels)
    candidates = np.flatnonzero((spread.own >= 0) & (spread.across > 0))
    scores = spread.participation[candidates] * spread.across[candidates]
    rounded = np.array([round(-s, 9) for s in scores.tolist()], dtype=np.float64)
    ranked = candidates[np.lexsort((candidates, rounded))][:top].tolist()
    between = _between(W, spread.own) if ranked else {}
    rows, cols = W.both[:2]
    made = []
    for note in ranked:
        own = int(spread.own[note])
        weight = spread.of(note)
        joins = tuple(c for c, _ in sorted(weight.items(), key=lambda s: (-s[1], s[0])) if c != own)
        lo, hi = np.searchsorted(rows, [note, note + 1])
        theirs = spread.own[cols[lo:hi]]
        mine = Counter(theirs[(theirs >= 0) & (theirs != own)].tolist())
        apart, only = _cut_off(between, mine, own)
        participation = float(spread.participation[note])
        made.append(
            Bridge(
                note_id=W.ids[note],
                title=graph.note_table.title(W.ids[note]),
                score=round(participation * float(spread.across[note]), 4),
                participation=round(participation, 4),
                cluster=own,
                joins=joins,
                apart=apart,
                only_link=only,
            )
        )
    return Results(made, Bridge)


def joining_count(
    graph: KnowledgeGraph,
    clustering: Clustering | None = None,
    *,
    weights: NoteWeights | nx.Graph | None = None,
) -> int:
    """How many clustered notes link to another cluster: every note `bridges` can rank
    (its ``top`` shows the strongest of them).

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> from kg.graph.communities import clusters
    >>> g = _demo()
    >>> joining_count(g), joining_count(g, clusters(g, found=[[0], [1, 2]], min_size=1))
    (0, 2)
    """
    W, shape = clustered(graph, clustering, weights)
    spread = _spread(W, shape.labels)
    return int(np.count_nonzero((spread.own >= 0) & (spread.across > 0)))


def bridge_scores(
    graph: KnowledgeGraph,
    clustering: Clustering | None = None,
    *,
    weights: NoteWeights | nx.Graph | None = None,
) -> dict[str, float]:
    """Every clustered note's bridge score as `bridges` gives it (0.0 when all its links
    stay in its cluster); unclustered notes are left out.

    >>> from kg.graph.knowledge import _demo
    >>> bridge_scores(_demo())
    {'a': 0.0, 'b': 0.0, 'c': 0.0}
    """
    W, shape = clustered(graph, clustering, weights)
    spread = _spread(W, shape.labels)
    scores = (spread.participation * spread.across).tolist()
    across, own = spread.across.tolist(), spread.own.tolist()
    return {
        W.ids[note]: round(scores[note], 4) if across[note] > 0 else 0.0
        for note in range(len(W))
        if own[note] >= 0
    }


def _cut_off(
    between: Mapping[tuple[int, int], int], mine: Mapping[int, int], own: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The clusters reachable from `own` over inter-cluster links before but not after
    taking away a note's links (`mine`: how many notes of each other cluster it links
    to); and those only its links joined to `own` directly. `between` counts the linked
    note pairs across each pair of clusters."""
    with_it: dict[int, set[int]] = defaultdict(set)
    without: dict[int, set[int]] = defaultdict(set)
    only = []
    for (a, b), count in between.items():
        with_it[a].add(b)
        with_it[b].add(a)
        # The pair stays joined when a linked pair of notes not touching the note joins it.
        other = b if a == own else a if b == own else None
        if other is None or count > mine.get(other, 0):
            without[a].add(b)
            without[b].add(a)
        else:
            only.append(other)
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
