"""The links that join clusters (`kg.graph.communities`), ranked.

Two clusters are held together by the weight of all the links between their notes, on
the same weighted graph the clusters were found on (`note_weights`: link kinds weighted,
hubs damped). A link's share is the part of that weight its pair of notes carries: 1.0
when it is the only link between the two clusters (take it away and they no longer touch
directly), small when many links join them. `bridge_links` ranks the links across
clusters by that share, then by their weight; `bridges` (`kg.graph.bridges`) ranks the
notes.

>>> from kg.graph.knowledge import _demo
>>> bridge_links(_demo())  # one cluster: no link across
[]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kg.display import Results, ShortRepr
from kg.errors import check_count
from kg.graph.communities import Clustering, clustered
from kg.graph.weights import LINK_WEIGHTS, NoteWeights

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

__all__ = ["BridgeLink", "bridge_links"]


@dataclass(frozen=True, repr=False)
class BridgeLink(ShortRepr):
    """A pair of linked notes in two clusters: its notes (as first written), the kinds of
    the links between them, the two clusters, the pair's link weight, and its `share`
    (0-1) of the weight joining the two clusters; `only` when nothing else joins them."""

    source_id: str
    source_title: str
    target_id: str
    target_title: str
    kinds: tuple[str, ...]
    source_cluster: int
    target_cluster: int
    weight: float
    share: float

    @property
    def only(self) -> bool:
        """True when no other pair of notes links the two clusters directly."""
        return self.share >= 1.0


def bridge_links(
    graph: KnowledgeGraph,
    clustering: Clustering | None = None,
    *,
    top: int = 20,
    weights: NoteWeights | nx.Graph | None = None,
) -> Results[BridgeLink]:
    """The links between notes of different clusters, the ones that hold their two
    clusters together most alone first.

    Parameters
    ----------
    graph
        The corpus.
    clustering
        Its clusters (default: `clusters(graph)`).
    top
        How many links to return.
    weights
        The weighted graph of notes (`kg.graph.weights.weight_arrays`, or networkx's from
        `note_weights`), when already made.

    Returns
    -------
    Results of BridgeLink
        Ranked by share (high first), then weight (high first), then the notes' ids. A
        pair of notes linked several times (a written link and a mention, say) is one
        entry with every kind.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> from kg.graph.communities import clusters
    >>> g = _demo()
    >>> apart = clusters(g, found=[[0], [1, 2]], min_size=1)  # {a} and {b, c}
    >>> [(b.source_id, b.target_id, b.kinds, b.share, b.only) for b in bridge_links(g, apart)]
    [('a', 'b', ('related',), 1.0, True)]
    """
    check_count("top", top, 0)
    W, shape = clustered(graph, clustering, weights)
    label = W.cluster_of(shape.labels)
    across, lo, hi = W.across(label)
    if not len(across) or not top:
        return Results([], BridgeLink)
    # Each edge's share of the weight joining its pair of clusters.
    pair_key = lo * (int(label.max()) + 1) + hi
    keys, place = np.unique(pair_key, return_inverse=True)
    joining = np.bincount(place, weights=W.weight[across], minlength=len(keys))
    weight = W.weight[across]
    share = np.where(joining[place] > 0, weight / joining[place], 0.0)
    # Ranked by share, then weight, high first; then by the notes' numbers (their ids' order).
    order = np.lexsort((W.second[across], W.first[across], -weight, -np.round(share, 9)))
    chosen = [(int(W.first[across[i]]), int(W.second[across[i]]), i) for i in order[:top]]
    # The written direction and kinds of the chosen pairs, from the links themselves.
    ids = W.ids
    first: dict[tuple[str, str], tuple[str, str]] = {}
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    names, sources, targets, kind_names, link_kinds = graph.link_table.number_columns()
    number = {note_id: n for n, note_id in enumerate(ids)}.get
    place = np.fromiter((number(name, -1) for name in names), np.int64, len(names))
    a, b = place[sources], place[targets]
    size = max(len(ids), 1)
    key = np.minimum(a, b) * size + np.maximum(a, b)
    wanted = np.array([x * size + y for x, y, _ in chosen], dtype=np.int64)
    for i in np.flatnonzero((a >= 0) & (b >= 0) & np.isin(key, wanted)).tolist():
        kind = kind_names[link_kinds[i]]
        if LINK_WEIGHTS.get(kind, 0.0) > 0:
            source, target = names[sources[i]], names[targets[i]]
            pair = (source, target) if source < target else (target, source)
            first.setdefault(pair, (source, target))
            kinds[pair].add(str(kind))
    labels = shape.labels
    title = graph.note_table.title
    made = []
    for a, b, i in chosen:
        pair = (ids[a], ids[b])
        source, target = first.get(pair, pair)
        made.append(
            BridgeLink(
                source_id=source,
                source_title=title(source),
                target_id=target,
                target_title=title(target),
                kinds=tuple(sorted(kinds[pair])),
                source_cluster=labels[source],
                target_cluster=labels[target],
                weight=round(float(weight[i]), 4),
                share=round(float(share[i]), 4),
            )
        )
    return Results(made, BridgeLink)
