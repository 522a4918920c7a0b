"""The graph for other libraries: a networkx `MultiDiGraph`, and a table of notes.

Nodes and edges carry scalar attributes only (strings, integers, booleans; no None, no
objects), the schema `kg.codec.note_scalars` / `link_scalars` write and
`SubGraph.to_networkx()` shares, so `nx.write_graphml` and `nx.node_link_data` take the
graph as it is. Edge keys are the links' positions in `g.links` ('e0', 'e1', ...).

>>> from kg.graph.knowledge import KnowledgeGraph
>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> g = KnowledgeGraph({"a": Note("a", "Why A?", NoteKind.SYNTHESIS, categories=("X",)),
...                     "s": Note("s", "S", NoteKind.SYNTHESIS, stub=True)},
...                    [Link("a", "s", LinkKind.MENTIONS, "a.md", 2)])
>>> G = to_networkx(g)
>>> G.nodes["a"]["categories"], G.edges["a", "s", "e0"]["line"]
('X', 2)
>>> list(to_networkx(g, stubs=False))
['a']
>>> to_records(g)[0]["links_out"]
1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from kg.errors import check_flag
from kg.graph.columns import file_facts, fill, frame_of, parse_date, property_cells
from kg.graph.nxparts import NxParts
from kg.model import NoteKind

if TYPE_CHECKING:
    import networkx  # type: ignore[import-untyped, unused-ignore]
    import networkx as nx
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.analysis import NoteVectors
    from kg.graph.knowledge import KnowledgeGraph


# Record columns, in order: what `to_records` gives for every note.
COLUMNS = (
    "id",
    "title",
    "kind",
    "stub",
    "truncated",
    "description",
    "claim",
    "date",
    "collection",
    "categories",
    "tags",
    "aliases",
    "files",
    "path",
    "size",
    "modified",
    "links_out",
    "links_in",
)
_TAKEN = frozenset(COLUMNS)


def _keep(kind: NoteKind, stub: bool, leave_out: dict[NoteKind, bool], stubs: bool) -> bool:
    if stub and not stubs and kind is not NoteKind.ATTACHMENT:
        return False
    return leave_out.get(kind, True)


def _filter(stubs: bool, categories: bool, tags: bool, attachments: bool) -> dict[NoteKind, bool]:
    """What to leave out, each a checked bool (a string such as "no" raises, never counts as
    true)."""
    for name, value in (
        ("stubs", stubs),
        ("categories", categories),
        ("tags", tags),
        ("attachments", attachments),
    ):
        check_flag(name, value)
    return {NoteKind.CATEGORY: categories, NoteKind.TAG: tags, NoteKind.ATTACHMENT: attachments}


def to_networkx(
    graph: KnowledgeGraph,
    stubs: bool = True,
    categories: bool = True,
    tags: bool = True,
    attachments: bool = True,
) -> nx.MultiDiGraph:
    """A new `MultiDiGraph` of `graph`, optionally without stubs, category nodes, #tag
    nodes or attachments (and the links that touch them)."""
    leave_out = _filter(stubs, categories, tags, attachments)
    parts = nx_parts(graph)
    if stubs and all(leave_out.values()):
        return parts.graph()
    notes = graph.note_table
    return parts.graph(lambda n: _keep(notes.kind(n), notes.is_stub(n), leave_out, stubs))


def nx_parts(graph: KnowledgeGraph) -> NxParts:
    """The graph's `NxParts`, made once and kept (the attributes they make are shared by
    `g.nx` and every `to_networkx`)."""
    parts = graph._nx_parts
    if parts is None:
        parts = graph._nx_parts = NxParts(graph)
    return parts


def to_records(
    graph: KnowledgeGraph,
    stubs: bool = True,
    categories: bool = True,
    tags: bool = True,
    attachments: bool = True,
) -> list[dict[str, Any]]:
    """One dict per note: the keys of `COLUMNS`, then one per front-matter property met
    (see `NetworkxMethods.to_records`); every dict has every key."""
    leave_out = _filter(stubs, categories, tags, attachments)
    table = graph.link_table
    root = graph.root
    records = []
    for note in graph.notes(stubs=True):
        if not _keep(note.kind, note.stub, leave_out, stubs):
            continue
        path, size, modified = file_facts(root, note)
        record = {
            "id": note.id,
            "title": note.title,
            "kind": note.kind.value,
            "stub": note.stub,
            "truncated": note.truncated,
            "description": note.description,
            "claim": note.claim,
            "date": (parse_date(note.date) or note.date) if note.date else None,
            "collection": note.collection or None,
            "categories": list(note.categories),
            "tags": list(note.tags),
            "aliases": list(note.aliases),
            "files": list(note.files),
            "path": path,
            "size": size,
            "modified": modified,
            "links_out": len(table.out[note.id]),
            "links_in": len(table.into[note.id]),
        }
        if note.properties_json:
            record.update(property_cells(note.properties, _TAKEN))
        records.append(record)
    fill(records, COLUMNS)
    return records


def to_frame(graph: KnowledgeGraph, **leave_out: bool) -> pd.DataFrame:
    """`to_records` as a pandas DataFrame indexed by note id; `MissingPackage` (an
    `ImportError` and a `KgError`) without pandas."""
    records = to_records(graph, **leave_out)  # checks the arguments first
    return frame_of(records, fill(records, COLUMNS), "id", "g.frame()")


class NetworkxMethods:
    """`KnowledgeGraph`'s methods for other libraries: networkx, records, pandas."""

    _nx: networkx.MultiDiGraph | None
    _nx_parts: NxParts | None = None  # what `nx` and `to_networkx` are made of

    @property
    def nx(self) -> networkx.MultiDiGraph:
        """The whole graph as a new `networkx.MultiDiGraph` of scalar attributes.

        Nodes are note ids with title, kind, stub and the fields the note has
        (description, claim, categories joined by '; ', date, tags, aliases, files,
        truncated, declared counts) and each front-matter property as an attribute of
        its own (`kg.codec.note_scalars`: lists as JSON text, `property_NAME` where kg
        has an attribute of that name); edges (keyed 'e0', 'e1'... by position in `g.links`)
        have kind, line and the fields the link has (relation, label, annotation, order,
        sentence, section, file). Made at once and shared: a node's neighbours are read
        from the graph when first asked for, and all the attributes in one pass when any
        is first read (`kg.graph.nxparts`). So it is read-only: adding or removing a node
        or edge raises `networkx.NetworkXError`, and attributes, neighbours and edge keys
        cannot be assigned to (networkx's `copy()`, `to_undirected()` and `reverse()` give
        graphs of plain dicts). `g.to_networkx()` gives a new graph of the same schema to
        change.

        Examples
        --------
        >>> import json, networkx as nx
        >>> from kg.graph.knowledge import _demo
        >>> G = _demo().nx
        >>> G.nodes["a"]["categories"], G.edges["a", "b", "e0"]["relation"]
        ('Basics', 'extends')
        >>> len(json.dumps(nx.node_link_data(G, edges="links"))) > 0
        True
        """
        if self._nx is None:
            self._nx = nx_parts(cast("KnowledgeGraph", self)).view()
        return self._nx

    def to_networkx(
        self,
        stubs: bool = True,
        categories: bool = True,
        tags: bool = True,
        attachments: bool = True,
        undirected: bool = False,
        simple: bool = False,
        weight: str | Mapping[str, float] | None = None,
    ) -> networkx.Graph:
        """The graph as a new networkx graph (the schema of `g.nx`), leaving out what is
        asked to be left out, weighted, undirected or simple as asked.

        Parameters
        ----------
        stubs, categories, tags, attachments : bool
            False leaves out stubs, category nodes, #tag nodes or attachments, with
            the links that touch them.
        undirected : bool, default False
            True gives an undirected graph: a link a->b joins b to a as well.
        simple : bool, default False
            True collapses the parallel links between two notes (of several kinds, or
            both ways when undirected) into one edge, with `links` (how many), `kinds`
            (their kinds, sorted, joined by ';') and, when weighted, `weight` (the sum
            of theirs). False keeps one edge per link, with its own attributes.
        weight : None, "kind" or mapping of link kind to weight, default None
            None sets no weight. "kind" gives each edge a `weight` attribute by its link
            kind: 1.0 for source, related, links and embeds; 0.75 for paper and uses;
            0.5 for mentions, next, section, topic, hub and submap; 0.25 for category
            and tagged (`kg.graph.analysis.KIND_WEIGHTS`). A mapping such as
            ``{"mentions": 0, "related": 2}`` changes the kinds it names and keeps those
            weights for the rest. networkx's algorithms read `weight` by default
            (``nx.pagerank(G)``, ``nx.community.louvain_communities(G, seed=1)``).

        Returns
        -------
        networkx.Graph
            A `MultiDiGraph` by default, a `MultiGraph` when `undirected`, a `DiGraph`
            when `simple`, a `Graph` when both.

        Raises
        ------
        InvalidArgument
            A flag that is not True or False; a weight that is not None, "kind" or a
            mapping of known link kinds to numbers of at least 0.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> g = _demo()
        >>> sorted(g.to_networkx(stubs=False, categories=False))
        ['a', 'b', 'c']
        >>> G = g.to_networkx(undirected=True, simple=True, weight="kind")
        >>> type(G).__name__, G.edges["a", "b"]["kinds"], G.edges["a", "b"]["weight"]
        ('Graph', 'related', 1.0)
        >>> g.to_networkx(weight={"mentions": 0}).edges["b", "c", "e1"]["weight"]
        0.0
        """
        from kg.graph.analysis import analysis_graph

        multi = to_networkx(cast("KnowledgeGraph", self), stubs, categories, tags, attachments)
        return analysis_graph(multi, undirected, simple, weight)

    def vectors(self) -> NoteVectors:
        """The notes' vectors as (ids, matrix), for clustering, UMAP or your own search.

        Returns
        -------
        kg.NoteVectors
            `ids` (note ids, one per row) and `matrix`, a read-only (notes, dim) float32
            array of unit rows: each the whole note's vector, the normalized weighted mean
            of its texts' vectors (title, claim, description, sentences), the vectors
            `g.near` ranks by; `model` names the model that made them. Only notes with a
            vector have a row (stubs known only by a title may have none).

        Raises
        ------
        KgError
            When the graph has no vectors (opened with ``embed="none"``).

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> from kg.graph.knowledge import _demo
        >>> g = _demo()
        >>> g.embeddings = VectorStore.from_note_vectors(["a", "b"], np.eye(2))
        >>> ids, matrix = g.vectors().ids, g.vectors().matrix
        >>> ids, matrix.shape
        (('a', 'b'), (2, 2))
        """
        from kg.graph.analysis import note_vectors

        return note_vectors(cast("KnowledgeGraph", self))

    def to_records(
        self,
        stubs: bool = True,
        categories: bool = True,
        tags: bool = True,
        attachments: bool = True,
    ) -> list[dict[str, Any]]:
        """The notes as a list of dicts, one per node, for a table (no pandas needed).

        Parameters
        ----------
        stubs, categories, tags, attachments : bool
            False leaves those nodes out (as in `to_networkx`).

        Returns
        -------
        list of dict
            Every dict has the same keys. First `kg.graph.nxview.COLUMNS`: id, title,
            kind, stub, truncated, description, claim, date (a `datetime.date` where
            the text is an ISO date), categories, tags, aliases, files (lists), path
            (the note's first file, relative to the corpus), size (its files' bytes),
            modified (their latest modification, a `datetime.datetime` in UTC; path,
            size and modified are None for a stub), links_out, links_in (the links
            leaving and reaching it). Then one key per front-matter property of any
            note, in the order met, None where a note lacks it: a nested property
            spread out as ``parent.child``, lists as lists, ISO dates as
            `datetime.date` / `datetime.datetime`; a property named as a column above
            is ``property_NAME`` (a `title:` property: ``property_title``).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [(r["id"], r["links_out"], r["links_in"]) for r in _demo().to_records(stubs=False, categories=False)]
        [('a', 2, 0), ('b', 1, 1), ('c', 1, 1)]
        >>> from kg.graph.knowledge import KnowledgeGraph
        >>> from kg.model import Note, NoteKind
        >>> note = Note("n", "N", NoteKind.SYNTHESIS,
        ...             properties_json='{"rating": 4, "title": "N", "review": {"on": "2026-01-05"}}')
        >>> {k: v for k, v in KnowledgeGraph({"n": note}, []).to_records()[0].items()
        ...  if k in ("rating", "property_title", "review.on")}
        {'rating': 4, 'property_title': 'N', 'review.on': datetime.date(2026, 1, 5)}
        """
        return to_records(cast("KnowledgeGraph", self), stubs, categories, tags, attachments)

    def frame(
        self,
        stubs: bool = True,
        categories: bool = True,
        tags: bool = True,
        attachments: bool = True,
    ) -> pd.DataFrame:
        """`to_records` as a pandas DataFrame indexed by note id: the same columns, a
        column holding only dates (`date`, a date property) as datetime64, `modified`
        as datetime64 in UTC.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        kg.errors.MissingPackage
            When pandas is not installed (`pip install pandas`); an `ImportError` and a
            `KgError`.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> df = _demo().frame()  # doctest: +SKIP
        >>> df.loc["a", "title"]  # doctest: +SKIP
        'Can A happen?'
        """
        return to_frame(
            cast("KnowledgeGraph", self),
            stubs=stubs,
            categories=categories,
            tags=tags,
            attachments=attachments,
        )
