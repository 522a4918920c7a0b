"""The communities of the weighted graph of notes (`kg.graph.weights.NoteWeights`):
igraph's Leiden method when igraph is installed, else networkx's Louvain method.

Leiden optimises the same modularity as Louvain and refines each community so none falls
apart; on the 10,000-page generated corpus (175,833 weighted edges) ten of its iterations
take about 0.6 s and reach a higher modularity than networkx's Louvain does in 8-10 s.
Larger graphs get fewer passes (`passes`: 2 for the 877,872 edges of 50,000 pages), and
a search that starts from communities kept before an edit of links gets
`WARM_ITERATIONS`.
Both are seeded: igraph draws from a `random.Random` of the seed for the time of the call
(then its generator is set back), so the same graph and seed give the same communities in
any process.

>>> import networkx as nx
>>> G = nx.Graph([(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)])
>>> sorted(sorted(c) for c in communities(G))
[[0, 1, 2], [3, 4, 5]]
>>> from kg.graph.weights import NoteWeights
>>> communities(NoteWeights.from_networkx(G)) == communities(G)
True
>>> METHOD in ("igraph-leiden", "networkx-louvain")
True
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kg.graph.weights import NoteWeights

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

__all__ = ["EDGE_PASSES", "ITERATIONS", "METHOD", "WARM_ITERATIONS", "communities", "passes"]

ITERATIONS = 10  # Leiden's passes: more gain little modularity (0.2154 at 10, 0.2165 to the end)
# ... but no more than this many edges visited in all: a pass over the 877,872 edges of
# 50,000 generated pages takes about a second, so a graph that large gets 2 passes
# (modularity 0.1754 after 2, 0.1860 after 10; networkx's Louvain 0.1533), one of
# 200,000 edges or fewer all 10.
EDGE_PASSES = 2_000_000
# Leiden's passes from communities kept before an edit of links: the notes stay where they
# were unless the edit moves them (gen10000, one link added: 11-31 notes of 10,000 change
# cluster after 1-2 passes, 375-602 after 10, 134-4,475 found anew).
WARM_ITERATIONS = 2


def _method() -> str:
    try:
        import igraph  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: F401
    except ImportError:
        return "networkx-louvain"
    return "igraph-leiden"


METHOD = _method()  # which method `communities` uses (part of the index cache's key)
_RNG_LOCK = threading.Lock()  # igraph's random generator is one for the process


def passes(edges: int) -> int:
    """How many passes Leiden makes over a graph of `edges` edges found anew: `ITERATIONS`,
    or as many as `EDGE_PASSES` edge visits allow, at least 2.

    >>> passes(175_833), passes(877_872)
    (10, 2)
    """
    return max(2, min(ITERATIONS, EDGE_PASSES // max(edges, 1)))


def communities(
    G: NoteWeights | nx.Graph,
    *,
    resolution: float = 1.0,
    seed: int | random.Random = 0,
    initial: Sequence[int] | None = None,
) -> list[list[int]]:
    """The communities of `G` (nodes 0..n-1, edge attribute ``weight``), each sorted.

    Parameters
    ----------
    G
        The weighted graph of notes (`kg.graph.weights.weight_arrays`; a networkx graph as
        `kg.graph.communities.note_weights` gives is taken too).
    resolution
        Modularity's resolution: above 1 more, smaller communities.
    seed
        The random seed (or generator).
    initial
        A community number per node to start from (Leiden only, with `WARM_ITERATIONS`
        passes; ignored by Louvain).

    Returns
    -------
    list of list of int
        Every node in exactly one community.
    """
    if METHOD == "networkx-louvain":
        import networkx as nx

        graph = G.to_networkx() if isinstance(G, NoteWeights) else G
        found = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed
        )
        return [sorted(c) for c in found]
    import igraph  # type: ignore[import-untyped, import-not-found, unused-ignore]

    arrays = G if isinstance(G, NoteWeights) else NoteWeights.from_networkx(G)
    n = len(arrays)
    if n == 0:
        return []
    # Edges in (first, second) order, as networkx listed them: the same communities.
    h = igraph.Graph(
        n=n, edges=list(zip(arrays.first.tolist(), arrays.second.tolist(), strict=True))
    )
    weights = arrays.weight.tolist()
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    with _RNG_LOCK:
        igraph.set_random_number_generator(rng)
        try:
            found = h.community_leiden(
                objective_function="modularity",
                weights=weights,
                resolution=resolution,
                n_iterations=passes(len(arrays.first)) if initial is None else WARM_ITERATIONS,
                initial_membership=list(initial) if initial is not None else None,
            )
        finally:
            igraph.set_random_number_generator(random)
    groups: dict[int, list[int]] = {}
    for node, group in enumerate(found.membership):
        groups.setdefault(group, []).append(node)
    return list(groups.values())
