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

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from kg.codec import link_scalars, note_scalars
from kg.errors import KgError, check_flag
from kg.model import NoteKind

if TYPE_CHECKING:
    import networkx  # type: ignore[import-untyped, unused-ignore]
    import networkx as nx
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

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
    "categories",
    "tags",
    "aliases",
    "files",
    "links_out",
    "links_in",
)


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


@contextmanager
def _paused_gc() -> Iterator[None]:
    """The cyclic collector off while many small dicts are made (none of them in cycles):
    its passes over the heap cost a third of the time on a large graph."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_networkx(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """Every node and link of `graph` as a new `MultiDiGraph` (what `g.nx` copies)."""
    import networkx as nx

    out = nx.MultiDiGraph()
    notes = graph.note_table
    links = graph.links
    with _paused_gc():
        out.add_nodes_from((note_id, note_scalars(notes[note_id])) for note_id in notes)
        out.add_edges_from(
            (link.source, link.target, f"e{i}", link_scalars(link)) for i, link in enumerate(links)
        )
    return out


def copy_networkx(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """What `graph.copy()` gives (new attribute dicts; their values are immutable
    scalars), filled in networkx's dict-of-dicts form directly: three times
    faster than `copy()`, which adds the edges one by one.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("a", "b", {"kind": "x"}), ("a", "b", {"kind": "y"})])
    >>> h = copy_networkx(g)
    >>> nx.utils.graphs_equal(g, h), h["a"]["b"][0] is not g["a"]["b"][0]
    (True, True)
    """
    import networkx as nx

    with _paused_gc():
        out = nx.MultiDiGraph()
        out.graph.update(graph.graph)
        out._node.update((n, data.copy()) for n, data in graph._node.items())
        succ = {
            u: {v: {key: data.copy() for key, data in keys.items()} for v, keys in nbrs.items()}
            for u, nbrs in graph._succ.items()
        }
        out._succ.update(succ)  # `_adj` is the same dict
        out._pred.update((v, {u: succ[u][v] for u in nbrs}) for v, nbrs in graph._pred.items())
    return out


def read_only(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """`graph` frozen (`networkx.freeze`: no node or edge can be added or removed) with
    every node and edge attribute dict made a read-only mapping, so one graph can be
    handed to every caller without any of them changing it for the others.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", kind="x")
    >>> frozen = read_only(g)
    >>> frozen.edges["a", "b", 0]["kind"]
    'x'
    >>> frozen.edges["a", "b", 0]["kind"] = "y"
    Traceback (most recent call last):
    ...
    TypeError: 'mappingproxy' object does not support item assignment
    """
    import networkx

    for node, data in graph._node.items():
        graph._node[node] = MappingProxyType(data)
    for neighbours in graph._adj.values():
        for keys in neighbours.values():  # one key dict, shared by _succ and _pred
            for key, data in keys.items():
                keys[key] = MappingProxyType(data)
    return networkx.freeze(graph)


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
    full = copy_networkx(graph.nx)  # a new graph: ours to trim
    if stubs and all(leave_out.values()):
        return full
    notes = graph.note_table
    full.remove_nodes_from(
        [n for n in list(full) if not _keep(notes.kind(n), notes.is_stub(n), leave_out, stubs)]
    )
    return full


def to_records(
    graph: KnowledgeGraph,
    stubs: bool = True,
    categories: bool = True,
    tags: bool = True,
    attachments: bool = True,
) -> list[dict[str, Any]]:
    """One dict per note with the keys of `COLUMNS`; lists (categories, tags, aliases,
    files) as lists, `links_out` / `links_in` the links leaving and reaching it."""
    leave_out = _filter(stubs, categories, tags, attachments)
    table = graph.link_table
    records = []
    for note in graph.notes(stubs=True):
        if not _keep(note.kind, note.stub, leave_out, stubs):
            continue
        records.append(
            {
                "id": note.id,
                "title": note.title,
                "kind": note.kind.value,
                "stub": note.stub,
                "truncated": note.truncated,
                "description": note.description,
                "claim": note.claim,
                "date": note.date,
                "categories": list(note.categories),
                "tags": list(note.tags),
                "aliases": list(note.aliases),
                "files": list(note.files),
                "links_out": len(table.out[note.id]),
                "links_in": len(table.into[note.id]),
            }
        )
    return records


def to_frame(graph: KnowledgeGraph, **leave_out: bool) -> pd.DataFrame:
    """`to_records` as a pandas DataFrame indexed by note id; `KgError` without pandas."""
    records = to_records(graph, **leave_out)  # checks the arguments first
    try:
        import pandas as pd
    except ImportError as error:
        raise KgError(
            "g.frame() needs pandas, which is not installed: `pip install pandas` "
            "(or use g.to_records(), a list of dicts)"
        ) from error
    return pd.DataFrame(records, columns=list(COLUMNS)).set_index("id")


class NetworkxMethods:
    """`KnowledgeGraph`'s methods for other libraries: networkx, records, pandas."""

    _nx: networkx.MultiDiGraph | None

    @property
    def nx(self) -> networkx.MultiDiGraph:
        """The whole graph as a new `networkx.MultiDiGraph` of scalar attributes.

        Nodes are note ids with title, kind, stub and the fields the note has
        (description, claim, categories joined by '; ', date, tags, aliases, files,
        truncated, declared counts); edges (keyed 'e0', 'e1'... by position in `g.links`)
        have kind, line and the fields the link has (relation, label, annotation, order,
        sentence, section, file). Built once and shared, so it is read-only: adding or
        removing a node or edge raises `networkx.NetworkXError` and attribute dicts cannot
        be assigned to. `g.to_networkx()` gives a new graph of the same schema to change.

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
            self._nx = read_only(build_networkx(cast("KnowledgeGraph", self)))
        return self._nx

    def to_networkx(
        self,
        stubs: bool = True,
        categories: bool = True,
        tags: bool = True,
        attachments: bool = True,
    ) -> networkx.MultiDiGraph:
        """The graph as a new `networkx.MultiDiGraph` (the schema of `g.nx`), leaving out
        what is asked to be left out.

        Parameters
        ----------
        stubs, categories, tags, attachments : bool
            False leaves out stubs, category nodes, #tag nodes or attachments, with
            the links that touch them.

        Returns
        -------
        networkx.MultiDiGraph

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> sorted(_demo().to_networkx(stubs=False, categories=False))
        ['a', 'b', 'c']
        """
        return to_networkx(cast("KnowledgeGraph", self), stubs, categories, tags, attachments)

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
            Keys `kg.graph.nxview.COLUMNS`: id, title, kind, stub, truncated,
            description, claim, date, categories, tags, aliases, files (lists),
            links_out, links_in.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [(r["id"], r["links_out"], r["links_in"]) for r in _demo().to_records(stubs=False, categories=False)]
        [('a', 2, 0), ('b', 1, 1), ('c', 1, 1)]
        """
        return to_records(cast("KnowledgeGraph", self), stubs, categories, tags, attachments)

    def frame(
        self,
        stubs: bool = True,
        categories: bool = True,
        tags: bool = True,
        attachments: bool = True,
    ) -> pd.DataFrame:
        """`to_records` as a pandas DataFrame indexed by note id.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        KgError
            When pandas is not installed (`pip install pandas`).

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
