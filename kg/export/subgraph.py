"""Part of the graph to export: `subgraph()` chooses notes and the typed links among them
(a neighbourhood, a path, a search result, everything) and returns a `SubGraph`, which
writes itself in any format of the export registry (`kg.export.formats`: GraphML, Turtle,
JSON-LD, N-Triples, JSON) and converts to networkx and rdflib.

>>> from kg.graph.knowledge import KnowledgeGraph
>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> notes = {i: Note(id=i, title=t, kind=NoteKind.SYNTHESIS) for i, t in
...          [("a", "Can A happen?"), ("b", "Does B hold?"), ("c", "Why C?")]}
>>> g = KnowledgeGraph(notes, [Link("a", "b", LinkKind.RELATED, label="extends", relation="extends"),
...                            Link("b", "c", LinkKind.MENTIONS)])
>>> sub = subgraph(g, around="Can A happen?", depth=1)
>>> sorted(sub.notes), [lk.kind.value for lk in sub.links]
(['a', 'b'], ['related'])
>>> len(subgraph(g, around="a", depth=2, kinds="related").links)
1
>>> [lk.kind.value for lk in subgraph(g, path=("a", "c")).links]
['related', 'mentions']
>>> len(subgraph(g))  # no selector: the whole corpus
3
>>> sub.serialize("nt").startswith(b"<urn:kg:note:a>")
True
>>> SubGraph.from_json_data(sub.to_json_data()).notes == sub.notes
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.codec import link_from_json, note_from_json
from kg.collector import collector_paused
from kg.errors import ExportError, KgError
from kg.export import formats
from kg.export.nodelink import JSON_FORMAT, node_link_data
from kg.export.select import KindsArg, NoteRef, choose
from kg.model import Link, Note, NoteKind

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]
    import rdflib

    from kg.graph.knowledge import KnowledgeGraph


@dataclass(frozen=True, slots=True)
class NearPair:
    """Two notes that read alike: exported as a weighted, undirected-in-spirit `near` edge."""

    source: str
    target: str
    score: float


@dataclass(frozen=True)
class Shape:
    """The corpus's clusters as an export carries them (`KnowledgeGraph.clusters`, computed
    on the whole corpus, not on the exported part): each clustered note's cluster id and
    bridge score (`KnowledgeGraph.bridge_scores`, 0.0 for a note whose links stay in its
    cluster), and the names of those clusters. Notes in no cluster (stubs, categories,
    tags, notes without weighted links) are in neither mapping.

    >>> Shape({"a": 0}, {0: "verifiers"}, {"a": 0.5}).of("a"), Shape({}, {}, {}).of("b")
    ((0, 'verifiers', 0.5), None)
    """

    clusters: Mapping[str, int]
    names: Mapping[int, str]
    bridges: Mapping[str, float]

    def of(self, note_id: str) -> tuple[int, str, float] | None:
        """A note's cluster id, cluster name and bridge score, or None outside clusters."""
        number = self.clusters.get(note_id)
        if number is None:
            return None
        return number, self.names.get(number, ""), self.bridges.get(note_id, 0.0)

    def to_json_data(self) -> dict[str, Any]:
        """The shape as JSON data (cluster names keyed by the id as text)."""
        return {
            "clusters": dict(self.clusters),
            "cluster_names": {str(k): v for k, v in self.names.items()},
            "bridges": dict(self.bridges),
        }

    @classmethod
    def from_json_data(cls, data: Mapping[str, Any]) -> Shape:
        """Read back what `to_json_data` wrote."""
        return cls(
            {k: int(v) for k, v in data.get("clusters", {}).items()},
            {int(k): str(v) for k, v in data.get("cluster_names", {}).items()},
            {k: float(v) for k, v in data.get("bridges", {}).items()},
        )


class SubGraph:
    """Notes and the typed links among them, ready to export.

    `notes` maps id to `Note` (in selection order), `links` lists the `Link`s whose
    two ends are both in `notes`, `near` the optional weighted `NearPair`s.
    `categories` maps a category name to the id of its category node, so exports can
    point to categories even when their nodes are not part of the selection.
    `disagreements` and `shape` are what a subgraph chosen from a graph (`subgraph`)
    carries of the whole corpus: each note's count of disagreeing relations, and the
    corpus's clusters and bridge scores (`Shape`); the exports write them on the nodes.
    """

    def __init__(
        self,
        notes: Iterable[Note],
        links: Iterable[Link] = (),
        near: Iterable[NearPair] = (),
        *,
        categories: Mapping[str, str] | None = None,
        selection: Mapping[str, Any] | None = None,
        disagreements: Mapping[str, int] | None = None,
        shape: Shape | None = None,
    ) -> None:
        self.notes: dict[str, Note] = {n.id: n for n in notes}
        self.links: list[Link] = list(links)
        self.near: list[NearPair] = list(near)
        for end in (e for lk in self.links for e in (lk.source, lk.target)):
            if end not in self.notes:
                raise ValueError(f"link end {end!r} is not one of the subgraph's notes")
        for pair in self.near:
            if pair.source not in self.notes or pair.target not in self.notes:
                raise ValueError(f"near pair {pair} joins notes outside the subgraph")
        self.categories: dict[str, str] = dict(categories or {})
        self.selection: dict[str, Any] = dict(selection or {})
        # Each note's count of disagreeing relations in the whole corpus (`kg.graph.contested`),
        # when the subgraph was chosen from a graph; empty (nothing written) otherwise.
        self.disagreements: dict[str, int] = dict(disagreements or {})
        # The whole corpus's clusters of the chosen notes (None: nothing written).
        self.shape: Shape | None = shape
        self._nx: nx.MultiDiGraph | None = None

    def __len__(self) -> int:
        return len(self.notes)

    def __iter__(self) -> Iterator[Note]:
        return iter(self.notes.values())

    def __contains__(self, note_id: object) -> bool:
        return note_id in self.notes

    def __repr__(self) -> str:
        near = f", {len(self.near)} near pairs" if self.near else ""
        return f"<SubGraph {len(self.notes)} notes, {len(self.links)} links{near}>"

    def category_id(self, name: str) -> str:
        """The node id of a category name (`category-<slug>` when the graph did not say)."""
        from kg.text import slugify

        return self.categories.get(name) or "category-" + slugify(name)

    # ------------------------------------------------------------ conversions

    def to_networkx(self) -> nx.MultiDiGraph:
        """A `networkx.MultiDiGraph` with only scalar attributes (what GraphML can hold).

        Edge keys are unique ids ('e0', 'e1', ...); near pairs are `near` edges with a
        `weight`. `kg.export.graphml` documents the attributes.
        """
        from kg.export.graphml import to_networkx

        return to_networkx(self)

    @property
    def nx(self) -> nx.MultiDiGraph:
        """`to_networkx()`, built on first use and kept (like `KnowledgeGraph.nx`)."""
        if self._nx is None:
            self._nx = self.to_networkx()
        return self._nx

    def to_rdflib(self, base: str | None = None) -> rdflib.Graph:
        """The subgraph as an `rdflib.Graph` (the mapping is in `kg.export.mapping`)."""
        from kg.export.mapping import DEFAULT_BASE
        from kg.export.rdf import to_rdflib

        return to_rdflib(self, base or DEFAULT_BASE)

    def to_json_data(self) -> dict[str, Any]:
        """Node-link JSON (`networkx.node_link_graph(data, edges="links")` reads it);
        `kg.export.nodelink` writes it."""
        return node_link_data(self)

    @classmethod
    def from_json_data(cls, data: Mapping[str, Any]) -> SubGraph:
        """Read back what `to_json_data` wrote: the same notes, links and near pairs.

        Raises
        ------
        ExportError
            When `data` is not kg's subgraph JSON.
        """
        if data.get("format") != JSON_FORMAT:
            raise ExportError(f"not a kg subgraph JSON file (format {data.get('format')!r})")
        links: list[Link] = []
        near: list[NearPair] = []
        for item in data["links"]:
            if item["kind"] == "near":
                near.append(NearPair(item["source"], item["target"], float(item["weight"])))
            else:
                links.append(link_from_json(item))
        graph = data.get("graph", {})
        shape = graph.get("shape")
        return cls(
            (note_from_json(n) for n in data["nodes"]),
            links,
            near,
            categories=graph.get("categories"),
            selection=graph.get("selection"),
            disagreements=graph.get("disagreements"),
            shape=Shape.from_json_data(shape) if shape is not None else None,
        )

    # ------------------------------------------------------------ writing

    def serialize(self, format: str = "graphml", base: str | None = None) -> bytes:
        """The export as bytes.

        Parameters
        ----------
        format
            A name of `kg.export.formats.names()` or an alias ('ttl', 'json-ld', ...);
            any other rdflib serializer name ('xml', 'n3', 'trig') goes through rdflib.
        base
            The IRI RDF formats start note and link IRIs with (default ``urn:kg:``).

        Raises
        ------
        ExportError
            When the format is unknown or `base` is not a valid base IRI.
        """
        with collector_paused():
            return formats.serialize(self, format, base)

    def write(self, path: str | Path, format: str | None = None, base: str | None = None) -> Path:
        """Write the export to `path` ('-' is stdout) through a temporary file and a rename,
        so a failed export leaves no half-written file.

        Parameters
        ----------
        path
            The file to write, or '-' for stdout.
        format
            As for `serialize`; by default the format the file's suffix implies.
        base
            As for `serialize`.

        Returns
        -------
        Path
            The file written (``Path("-")`` for stdout).

        Raises
        ------
        ExportError
            When the format is unknown or cannot be told from the suffix, the subgraph
            cannot be written in it, or the file cannot be written.
        """
        fmt = format or formats.for_path(path).name
        try:
            data = self.serialize(fmt, base)
        except KgError:
            raise
        except (ValueError, TypeError, OSError) as error:
            raise ExportError(f"could not export as {fmt}: {error}") from error
        if str(path) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return Path("-")
        from kg.io import write_atomic

        target = Path(path)
        try:
            write_atomic(target, data)
            # The temporary file was private (0600); an export is a document to share,
            # so it gets the permissions any new file gets here (0666 less the umask).
            target.chmod(0o666 & ~_umask())
        except OSError as error:
            raise ExportError(f"{target}: could not write the export: {error}") from error
        return target

    @staticmethod
    def formats() -> tuple[formats.Format, ...]:
        """The export formats `write` and `serialize` know, from the registry
        (`kg.export.formats`): each with its `name`, `suffixes` and `description`.

        >>> [f.name for f in SubGraph.formats()]
        ['graphml', 'turtle', 'jsonld', 'nt', 'json']
        """
        return formats.formats()

    def to_graphml(self, path: str | Path) -> Path:
        """Write GraphML (typed nodes and edges, scalar attributes) atomically."""
        return self.write(path, "graphml")

    def to_rdf(self, path: str | Path, format: str = "turtle", base: str | None = None) -> Path:
        """Write RDF: 'turtle', 'nt' or 'jsonld' (any rdflib format name also works)."""
        return self.write(path, format, base)

    def to_json(self, path: str | Path) -> Path:
        """Write node-link JSON with every field of every note and link."""
        return self.write(path, "json")


def _umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def subgraph(
    g: KnowledgeGraph,
    around: NoteRef | Iterable[NoteRef] | None = None,
    depth: int = 1,
    kinds: KindsArg = None,
    node_kinds: Iterable[NoteKind | str] | NoteKind | str | None = None,
    path: tuple[NoteRef, NoteRef] | Sequence[NoteRef] | None = None,
    notes: Iterable[NoteRef] | None = None,
    near_pairs: Iterable[NearPair | tuple[str, str, float]] | None = None,
    *,
    direction: str = "both",
    search: str | None = None,
    k: int = 20,
    near: int | None = None,
    stubs: bool = True,
    shape: bool = True,
) -> SubGraph:
    """Choose a subgraph of `g` (`KnowledgeGraph.subgraph` calls this).

    Parameters
    ----------
    g
        The graph.
    around
        One or more notes (titles or ids): their neighbourhood to `depth` links, walking
        only `kinds` of links in `direction`.
    depth
        How many links away from `around` (0 or more).
    kinds
        Link kinds to walk and keep (default all).
    node_kinds
        Keep only notes of these kinds (the named notes are always kept).
    path
        Two notes: the shortest typed path between them (over `kinds`).
    notes
        These notes.
    near_pairs
        Weighted `near` edges to add, as `NearPair`s or (note, note, score).
    direction
        'out', 'in' or 'both' (the walk from `around`).
    search
        Add the top `k` hits of ``g.search(search, k)``.
    k
        How many search hits.
    near
        Add each chosen note's top-`near` notes in meaning among the chosen (`g.near`).
    stubs
        False leaves stub notes out.
    shape
        False leaves out the corpus's clusters and bridge scores (`SubGraph.shape`), which
        take seconds to compute on a large corpus the first time a graph is asked.

    Returns
    -------
    SubGraph
        The chosen notes; every link of `kinds` among them (for a path alone, the path's
        links); the near pairs. With no `around`, `path`, `notes` or `search`, the whole
        corpus.

    Raises
    ------
    KgError
        On a bad `depth`, `direction` or `path`, a note `g` does not hold
        (`NoteNotFound`), or `near` on a graph without embeddings.

    Examples
    --------
    >>> from kg.graph.knowledge import KnowledgeGraph
    >>> from kg.model import Link, LinkKind, Note, NoteKind
    >>> g = KnowledgeGraph({"a": Note("a", "A?", NoteKind.SYNTHESIS), "b": Note("b", "B?", NoteKind.LINE)},
    ...                    [Link("a", "b", LinkKind.MENTIONS)])
    >>> subgraph(g, around="A?", node_kinds="line", near_pairs=[("a", "b", 0.5)])
    <SubGraph 2 notes, 1 links, 1 near pairs>
    """
    given = [
        p if isinstance(p, NearPair) else NearPair(g.note(p[0]).id, g.note(p[1]).id, float(p[2]))
        for p in near_pairs or ()
    ]
    with collector_paused():
        chosen = choose(
            g,
            around,
            depth,
            kinds,
            node_kinds,
            path,
            notes,
            [(p.source, p.target, p.score) for p in given],
            direction=direction,
            search=search,
            k=k,
            near=near,
            stubs=stubs,
        )
        return SubGraph(
            chosen.notes,
            chosen.links,
            [NearPair(*pair) for pair in chosen.near],
            categories=chosen.categories,
            selection=chosen.selection,
            disagreements=_disagreements(g, chosen.notes),
            shape=_shape(g, chosen.notes) if shape else None,
        )


def _disagreements(g: KnowledgeGraph, notes: Iterable[Note]) -> dict[str, int]:
    """Every chosen note's count of disagreeing relations in the whole corpus, 0 for none."""
    counts = g.disagreement_counts()
    return {note.id: counts.get(note.id, 0) for note in notes}


def _shape(g: KnowledgeGraph, notes: Iterable[Note]) -> Shape:
    """The whole corpus's clusters and bridge scores, for the chosen notes."""
    clustering = g.clusters()
    scores = g.bridge_scores(clustering)
    labels = clustering.labels
    chosen = {note.id: labels[note.id] for note in notes if note.id in labels}
    names = {number: clustering[number].name for number in sorted(set(chosen.values()))}
    return Shape(chosen, names, {note_id: scores.get(note_id, 0.0) for note_id in chosen})
