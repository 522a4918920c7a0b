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

from kg.display import Results, ShortRepr
from kg.errors import check_count
from kg.graph.communities import LINK_WEIGHTS, Clustering, clusters, note_weights

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
    weights: nx.Graph | None = None,
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
        The graph `note_weights` gives, when already made.

    Returns
    -------
    Results of BridgeLink
        Ranked by share (high first), then weight (high first), then the notes' ids. A
        pair of notes linked several times (a written link and a mention, say) is one
        entry with every kind.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> g = _demo()
    >>> apart = clusters(g, found=[[0], [1, 2]], min_size=1)  # {a} and {b, c}
    >>> [(b.source_id, b.target_id, b.kinds, b.share, b.only) for b in bridge_links(g, apart)]
    [('a', 'b', ('related',), 1.0, True)]
    """
    check_count("top", top, 0)
    G = note_weights(graph) if weights is None else weights
    shape = clustering if clustering is not None else clusters(graph, weights=G)
    ids: list[str] = G.graph["ids"]
    number = {note_id: n for n, note_id in enumerate(ids)}
    labels = shape.labels
    # The written direction and kinds of each pair of notes across clusters.
    first: dict[tuple[int, int], tuple[int, int]] = {}
    kinds: dict[tuple[int, int], set[str]] = defaultdict(set)
    sources, targets = graph.link_table.end_lists()
    for source, target, kind in zip(sources, targets, graph.link_table.kind_list(), strict=True):
        a, b = number.get(source), number.get(target)
        if a is None or b is None or a == b or LINK_WEIGHTS.get(kind, 0.0) <= 0:
            continue
        ca, cb = labels.get(source), labels.get(target)
        if ca is None or cb is None or ca == cb:
            continue
        pair = (min(a, b), max(a, b))
        first.setdefault(pair, (a, b))
        kinds[pair].add(str(kind))
    # The weight joining each pair of clusters, from the same weighted graph.
    joining: dict[tuple[int, int], float] = defaultdict(float)
    weight_of = {pair: float(G[pair[0]][pair[1]]["weight"]) for pair in first}
    for (a, b), w in weight_of.items():
        ca, cb = labels[ids[a]], labels[ids[b]]
        joining[(min(ca, cb), max(ca, cb))] += w
    ranked = []
    for pair, (a, b) in first.items():
        ca, cb = labels[ids[a]], labels[ids[b]]
        total = joining[(min(ca, cb), max(ca, cb))]
        w = weight_of[pair]
        share = w / total if total > 0 else 0.0
        ranked.append((-round(share, 9), -w, ids[a], ids[b], a, b, share, w, pair))
    ranked.sort()
    title = graph.note_table.title
    return Results(
        [
            BridgeLink(
                source_id=ids[a],
                source_title=title(ids[a]),
                target_id=ids[b],
                target_title=title(ids[b]),
                kinds=tuple(sorted(kinds[pair])),
                source_cluster=labels[ids[a]],
                target_cluster=labels[ids[b]],
                weight=round(w, 4),
                share=round(share, 4),
            )
            for *_, a, b, share, w, pair in ranked[:top]
        ],
        BridgeLink,
    )
