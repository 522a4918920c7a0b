"""The weighted graph of notes that clusters and bridges work on, as arrays.

One node per note with a page (categories, #tags, attachments and stubs left out), the
notes numbered in the order of their ids; one edge per pair of notes that links of a
weighted kind join, either way. A link adds the weight of its kind (`LINK_WEIGHTS`, the
one place they are decided), times ``sqrt(HUB_LINKS / links)`` when one of its notes has
more than `HUB_LINKS` weighted links (a hub listing hundreds of notes must not glue them
into one cluster); an edge's weight is the sum over its links, rounded to 6
decimals, and ``links`` counts them.

The whole graph is worked out with numpy from the link table's number columns
(`LinkTable.number_columns`): no Python step per link, so 1 million links take a fraction
of a second instead of the ten seconds that building a networkx graph of them took.
`NoteWeights.to_networkx` gives the same graph as networkx's, for whoever wants one.

>>> from kg.graph.knowledge import _demo
>>> w = weight_arrays(_demo())
>>> w
NoteWeights(3 notes, 2 edges)
>>> w.ids, w.first.tolist(), w.second.tolist(), w.weight.tolist(), w.links.tolist()
(('a', 'b', 'c'), [0, 1], [1, 2], [1.0, 0.3], [1, 1])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.graph.figures import is_note
from kg.model import LinkKind

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

__all__ = ["HUB_LINKS", "LINK_WEIGHTS", "NoteWeights", "note_ids", "rounded", "weight_arrays"]

# How much one link of each kind joins its two notes. Written links, cited sources, related
# concepts and a line's next line are deliberate; a hub's sections, topics and parents are
# lists; a title merely appearing in running text joins least. Categories and #tags are
# groupings a writer already made, shared by too many notes to tell communities apart.
LINK_WEIGHTS: dict[str, float] = {
    LinkKind.LINKS: 1.0,
    LinkKind.RELATED: 1.0,
    LinkKind.SOURCE: 1.0,
    LinkKind.USES: 1.0,
    LinkKind.NEXT: 1.0,
    LinkKind.EMBEDS: 0.5,
    LinkKind.PAPER: 0.5,
    LinkKind.HUB: 0.5,
    LinkKind.SECTION: 0.5,
    LinkKind.SUBMAP: 0.5,
    LinkKind.TOPIC: 0.5,
    LinkKind.MENTIONS: 0.3,
    LinkKind.CATEGORY: 0.0,
    LinkKind.TAGGED: 0.0,
}
# A link touching a note with more links than this weighs sqrt(HUB_LINKS / its links).
HUB_LINKS = 50


@dataclass(frozen=True, eq=False, repr=False)
class NoteWeights:
    """The weighted graph of notes: `ids` the notes in order (a note's number is its
    place), and for every edge, sorted by (first, second), its ends ``first < second``,
    its `weight` and how many `links` make it."""

    ids: tuple[str, ...]
    first: np.ndarray
    second: np.ndarray
    weight: np.ndarray
    links: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"NoteWeights({len(self.ids)} notes, {len(self.first)} edges)"

    @cached_property
    def both(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every edge both ways, sorted by its first end then its second: (from, to,
        weight, links), each edge twice. A note's neighbours are one slice (`starts`).

        >>> from kg.graph.knowledge import _demo
        >>> [a.tolist() for a in weight_arrays(_demo()).both[:2]]
        [[0, 1, 1, 2], [1, 0, 2, 1]]
        """
        rows = np.concatenate((self.first, self.second))
        cols = np.concatenate((self.second, self.first))
        order = np.argsort(rows * max(len(self.ids), 1) + cols, kind="stable")  # each pair once
        weight = np.concatenate((self.weight, self.weight))
        links = np.concatenate((self.links, self.links))
        return rows[order], cols[order], weight[order], links[order]

    def cluster_of(self, labels: Mapping[str, int]) -> np.ndarray:
        """Each note's cluster by its number (-1: in none), from note id -> cluster id.

        >>> from kg.graph.knowledge import _demo
        >>> weight_arrays(_demo()).cluster_of({"a": 0, "c": 1}).tolist()
        [0, -1, 1]
        """
        return np.fromiter((labels.get(i, -1) for i in self.ids), np.int64, len(self.ids))

    def across(self, cluster: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The edges that join two clusters (`cluster`: each note's, as `cluster_of`
        gives): their places among the edges, and their clusters (lower, higher).

        >>> from kg.graph.knowledge import _demo
        >>> w = weight_arrays(_demo())
        >>> [x.tolist() for x in w.across(w.cluster_of({"a": 1, "b": 0, "c": 0}))]
        [[0], [0], [1]]
        """
        a, b = cluster[self.first], cluster[self.second]
        edges = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
        return edges, np.minimum(a[edges], b[edges]), np.maximum(a[edges], b[edges])

    def matrix(self) -> Any:
        """The symmetric weight matrix (scipy's CSR, notes by notes).

        >>> from kg.graph.knowledge import _demo
        >>> weight_arrays(_demo()).matrix().toarray().tolist()
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.3], [0.0, 0.3, 0.0]]
        """
        from scipy import sparse  # type: ignore[import-untyped, unused-ignore]

        rows, cols, weight, _ = self.both
        n = len(self.ids)
        return sparse.csr_matrix((weight, (rows, cols)), shape=(n, n))

    def to_networkx(self) -> nx.Graph:
        """The same graph in networkx: nodes 0..n-1, ``G.graph["ids"]`` the note ids, edges
        with ``weight`` and ``links``.

        >>> from kg.graph.knowledge import _demo
        >>> sorted(weight_arrays(_demo()).to_networkx().edges(data="weight"))
        [(0, 1, 1.0), (1, 2, 0.3)]
        """
        import networkx as nx

        G = nx.Graph(ids=list(self.ids))
        G.add_nodes_from(range(len(self.ids)))
        G.add_edges_from(
            (a, b, {"weight": w, "links": n})
            for a, b, w, n in zip(
                self.first.tolist(),
                self.second.tolist(),
                self.weight.tolist(),
                self.links.tolist(),
                strict=True,
            )
        )
        return G

    @classmethod
    def from_networkx(cls, G: nx.Graph) -> NoteWeights:
        """The arrays of a graph `note_weights` made (nodes 0..n-1, ``G.graph["ids"]``, or
        the node numbers when it has none; ``weight`` 1 and ``links`` 1 when missing).

        >>> import networkx as nx
        >>> NoteWeights.from_networkx(nx.Graph([(1, 0), (1, 2)])).first.tolist()
        [0, 1]
        """
        edges = sorted(
            (min(a, b), max(a, b), float(d.get("weight", 1.0)), int(d.get("links", 1)))
            for a, b, d in G.edges(data=True)
        )
        ids = G.graph.get("ids") or [str(n) for n in range(G.number_of_nodes())]
        columns = list(zip(*edges, strict=True)) if edges else [(), (), (), ()]
        return cls(
            tuple(ids),
            np.array(columns[0], dtype=np.int64),
            np.array(columns[1], dtype=np.int64),
            np.array(columns[2], dtype=np.float64),
            np.array(columns[3], dtype=np.int64),
        )


def note_ids(graph: KnowledgeGraph) -> list[str]:
    """The notes of the weighted graph, sorted: a note's number is its place here (what
    the communities kept in the index are read back against).

    >>> from kg.graph.knowledge import _demo
    >>> note_ids(_demo())
    ['a', 'b', 'c']
    """
    return sorted(i for i, h in graph.note_table.headers() if is_note(h[1], h[2]))


def weight_arrays(graph: KnowledgeGraph) -> NoteWeights:
    """The weighted graph of notes of a corpus (see the module's docstring).

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> weight_arrays(_demo()).ids
    ('a', 'b', 'c')
    """
    ids = note_ids(graph)
    number = {note: n for n, note in enumerate(ids)}.get
    names, sources, targets, kind_names, kinds = graph.link_table.number_columns()
    place = np.fromiter((number(name, -1) for name in names), dtype=np.int64, count=len(names))
    kind_weight = np.array([LINK_WEIGHTS.get(k, 0.0) for k in kind_names], dtype=np.float64)
    weight = kind_weight[kinds] if len(kinds) else np.zeros(0)
    a, b = place[sources], place[targets]
    kept = (weight > 0) & (a >= 0) & (b >= 0) & (a != b)
    a, b, weight = a[kept], b[kept], weight[kept]
    degree = np.bincount(a, minlength=len(ids)) + np.bincount(b, minlength=len(ids))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    busiest = np.maximum(degree[lo], degree[hi])
    hub = busiest > HUB_LINKS
    weight[hub] *= np.sqrt(HUB_LINKS / busiest[hub])
    # Summed pair by pair, each pair's links lightest first (as a sorted list summed them).
    order = np.lexsort((weight, lo * max(len(ids), 1) + hi))
    lo, hi, weight = lo[order], hi[order], weight[order]
    boundary = np.ones(len(lo), dtype=bool)
    boundary[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    starts = np.flatnonzero(boundary)
    ends = np.r_[starts[1:], len(lo)]
    summed = np.add.reduceat(weight, starts) if len(starts) else weight
    return NoteWeights(tuple(ids), lo[starts], hi[starts], rounded(summed, 6), ends - starts)


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """`values` rounded to `digits` decimals exactly as Python's `round` rounds each (numpy's
    own rounding can differ in the last bit): the few near a half are rounded by Python.

    >>> rounded(np.array([0.1234565, 2.5e-7, 1 / 3]), 6).tolist()
    [0.123456, 0.0, 0.333333]
    """
    scaled = values * 10.0**digits
    out = np.rint(scaled) / 10.0**digits
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-3
    if near.any():
        out[near] = [round(v, digits) for v in values[near].tolist()]
    return out
