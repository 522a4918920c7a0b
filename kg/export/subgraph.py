"""Choose part of the graph to export: a neighbourhood, a path, a search result, everything.

`subgraph()` picks notes and the typed links among them and returns a `SubGraph`,
which writes itself as GraphML (`to_graphml`), RDF (`to_rdf`: Turtle, N-Triples,
JSON-LD) or JSON (`to_json`), and converts to networkx (`to_networkx`).

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
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import ExportError, KgError
from kg.model import NOT_NOTES, Link, LinkKind, Note, NoteKind

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

    from kg.graph.knowledge import KnowledgeGraph

NoteRef = str | Note
KindsArg = Iterable[LinkKind | str] | LinkKind | str | None

# Formats `SubGraph.serialize` and `kg export --format` know, and the file endings that imply them.
FORMATS = ("graphml", "turtle", "jsonld", "nt", "json")
SUFFIXES = {
    ".graphml": "graphml",
    ".xml": "graphml",
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".jsonld": "jsonld",
    ".nt": "nt",
    ".json": "json",
}
JSON_FORMAT = "kg-subgraph"
JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class NearPair:
    """Two notes that read alike: exported as a weighted, undirected-in-spirit `near` edge."""

    source: str
    target: str
    score: float


class SubGraph:
    """Notes and the typed links among them, ready to export.

    `notes` maps id to `Note` (in selection order), `links` lists the `Link`s whose
    two ends are both in `notes`, `near` the optional weighted `NearPair`s.
    `categories` maps a category name to the id of its category node, so exports can
    point to categories even when their nodes are not part of the selection.
    """

    def __init__(
        self,
        notes: Iterable[Note],
        links: Iterable[Link] = (),
        near: Iterable[NearPair] = (),
        *,
        categories: Mapping[str, str] | None = None,
        selection: Mapping[str, Any] | None = None,
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
        """A `networkx.MultiDiGraph` with only scalar attributes (what GraphML can hold)."""
        from kg.export.graphml import to_networkx

        return to_networkx(self)

    @property
    def nx(self) -> nx.MultiDiGraph:
        """`to_networkx()`, built on first use and kept (like `KnowledgeGraph.nx`)."""
        if self._nx is None:
            self._nx = self.to_networkx()
        return self._nx

    def to_rdflib(self, base: str | None = None) -> rdflib.Graph:
        """The subgraph as an `rdflib.Graph` (vocabulary in `kg.export.rdf`)."""
        from kg.export.rdf import DEFAULT_BASE, to_rdflib

        return to_rdflib(self, base or DEFAULT_BASE)

    def to_json_data(self) -> dict[str, Any]:
        """Node-link JSON (`networkx.node_link_graph(data, edges="links")` reads it)."""
        from kg.codec import note_to_json

        links: list[dict[str, Any]] = []
        for link in self.links:
            item: dict[str, Any] = {
                "source": link.source,
                "target": link.target,
                "kind": link.kind.value,
                "file": link.file,
                "line": link.line,
            }
            for name in ("order", "summary", "sentence", "label", "annotation", "relation"):
                value = getattr(link, name)
                if value not in (None, ""):
                    item[name] = value
            if link.section:
                item["section"] = link.section
            links.append(item)
        links += [
            {"source": p.source, "target": p.target, "kind": "near", "weight": p.score}
            for p in self.near
        ]
        return {
            "format": JSON_FORMAT,
            "version": JSON_VERSION,
            "directed": True,
            "multigraph": True,
            "graph": {"selection": self.selection, "categories": self.categories},
            "nodes": [_node_json(n, note_to_json) for n in self.notes.values()],
            "links": links,
        }

    @classmethod
    def from_json_data(cls, data: Mapping[str, Any]) -> SubGraph:
        """Read back what `to_json_data` wrote: the same notes, links and near pairs."""
        from kg.codec import note_from_json

        if data.get("format") != JSON_FORMAT:
            raise ExportError(f"not a kg subgraph JSON file (format {data.get('format')!r})")
        links: list[Link] = []
        near: list[NearPair] = []
        for item in data["links"]:
            if item["kind"] == "near":
                near.append(NearPair(item["source"], item["target"], float(item["weight"])))
                continue
            fields = {k: v for k, v in item.items() if k not in ("source", "target", "kind")}
            links.append(Link(item["source"], item["target"], LinkKind(item["kind"]), **fields))
        graph = data.get("graph", {})
        return cls(
            (note_from_json(n) for n in data["nodes"]),
            links,
            near,
            categories=graph.get("categories"),
            selection=graph.get("selection"),
        )

    # ------------------------------------------------------------ writing

    def serialize(self, format: str = "graphml", base: str | None = None) -> bytes:
        """The export as bytes, in one of `FORMATS` (or any other rdflib RDF format)."""
        with paused_gc():
            return self._serialize(normalize_format(format), base)

    def _serialize(self, fmt: str, base: str | None) -> bytes:
        if fmt == "graphml":
            from kg.export.graphml import graphml_bytes

            return graphml_bytes(self)
        if fmt == "json":
            text = json.dumps(self.to_json_data(), ensure_ascii=False, separators=(",", ":"))
            return text.encode("utf-8", "ignore") + b"\n"
        from kg.export.rdf import DEFAULT_BASE, serialize

        return serialize(self, fmt, base or DEFAULT_BASE)

    def write(self, path: str | Path, format: str | None = None, base: str | None = None) -> Path:
        """Write the export to `path` ('-' is stdout) through a temporary file and a rename,
        so a failed export leaves no half-written file. The format defaults to the suffix's."""
        fmt = normalize_format(format) if format else format_for(path)
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
        except OSError as error:
            raise ExportError(f"{target}: could not write the export: {error}") from error
        return target

    def to_graphml(self, path: str | Path) -> Path:
        """Write GraphML (typed nodes and edges, scalar attributes) atomically."""
        return self.write(path, "graphml")

    def to_rdf(self, path: str | Path, format: str = "turtle", base: str | None = None) -> Path:
        """Write RDF: 'turtle', 'nt' or 'jsonld' (any rdflib format name also works)."""
        return self.write(path, format, base)

    def to_json(self, path: str | Path) -> Path:
        """Write node-link JSON with every field of every note and link."""
        return self.write(path, "json")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building an export.

    An export allocates millions of small tuples and strings and no cycles; with the
    collector running, its passes over the whole heap triple the time on a large corpus.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def normalize_format(name: str) -> str:
    """The canonical name of an export format.

    >>> normalize_format("TTL"), normalize_format("json-ld"), normalize_format("ntriples")
    ('turtle', 'jsonld', 'nt')
    """
    key = name.strip().lower().replace("_", "-")
    aliases = {
        "ttl": "turtle",
        "json-ld": "jsonld",
        "ntriples": "nt",
        "n-triples": "nt",
        "xml-graphml": "graphml",
    }
    return aliases.get(key, key)


def format_for(path: str | Path) -> str:
    """The format a file name implies ('graphml' for `.graphml`, 'turtle' for `.ttl`, ...)."""
    suffix = Path(str(path)).suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(
            f"{path}: cannot tell the format from the file name; "
            f"pass one of {', '.join(FORMATS)} (--format)"
        )
    return SUFFIXES[suffix]


# ---------------------------------------------------------------- choosing


def _link_kinds(kinds: KindsArg) -> frozenset[LinkKind] | None:
    if kinds is None:
        return None
    if isinstance(kinds, (str, LinkKind)):
        kinds = [kinds]
    chosen = frozenset(LinkKind(k) for k in kinds)
    return chosen or None


def _refs(refs: NoteRef | Iterable[NoteRef] | None) -> list[NoteRef]:
    if refs is None:
        return []
    if isinstance(refs, (str, Note)):
        return [refs]
    return list(refs)


def _note_id(g: KnowledgeGraph, item: Any) -> str:
    """The id of a search or near hit, whatever shape it has (Note, id, hit with .note)."""
    if isinstance(item, (tuple, list)) and item:
        item = item[0]
    if isinstance(item, Note):
        return item.id
    if isinstance(item, str):
        return g.note(item).id
    inner = getattr(item, "note", None)
    if isinstance(inner, (Note, str)):
        return _note_id(g, inner)
    note_id = getattr(item, "id", None)
    if isinstance(note_id, str):
        return g.note(note_id).id
    raise KgError(f"cannot tell which note {item!r} is")


def _score(item: Any) -> float:
    if isinstance(item, (tuple, list)) and len(item) > 1:
        return float(item[1])
    for name in ("score", "similarity", "cosine"):
        value = getattr(item, name, None)
        if isinstance(value, (int, float)):
            return float(value)
    raise KgError(f"no similarity score on near result {item!r}")


def search_ids(g: KnowledgeGraph, text: str, k: int) -> list[str]:
    """The ids of the top `k` hits of `g.search(text, k)`."""
    search = getattr(g, "search", None)
    if search is None:
        raise KgError("this kg has no search (KnowledgeGraph.search is missing); use --around")
    return list(dict.fromkeys(_note_id(g, hit) for hit in search(text, k)))


def near_pairs_for(g: KnowledgeGraph, ids: Sequence[str], k: int) -> list[NearPair]:
    """For each note of `ids`, its `k` nearest notes in meaning among `ids` (by `g.near`),
    as one `NearPair` per unordered couple with its score. Notes without a vector (and
    category nodes) get none; a graph without embeddings is an error."""
    near = getattr(g, "near", None)
    if near is None:
        raise KgError("this kg has no semantic neighbours (KnowledgeGraph.near is missing)")
    if getattr(g, "embeddings", None) is None:
        raise KgError(
            "near pairs need the notes' embeddings: load the corpus with embeddings "
            "(kg.load(..., embed=True), the default) after `kg index` with the model installed"
        )
    inside = set(ids)
    pairs: dict[frozenset[str], NearPair] = {}
    for note_id in ids:
        note = g.note(note_id)
        if note.kind in NOT_NOTES:
            continue
        found: list[tuple[str, float]] = []
        asked = max(k, 1)
        while True:
            try:
                hits = near(note, asked)
            except KgError:  # this note has no vector
                hits = []
            found = [
                (other, _score(hit))
                for hit in hits
                if (other := _note_id(g, hit)) in inside and other != note_id
            ][:k]
            if len(found) >= k or len(hits) < asked or asked >= len(g):
                break
            asked = min(asked * 4, len(g))
        for other, score in found:
            key = frozenset((note_id, other))
            if key not in pairs:
                pairs[key] = NearPair(note_id, other, round(score, 6))
    return list(pairs.values())


def _walk(
    g: KnowledgeGraph,
    centres: list[str],
    depth: int,
    wanted: frozenset[LinkKind] | None,
    keep: Callable[[Note], bool],
    direction: str,
) -> dict[str, None]:
    """Breadth-first from the centres. Category and tag nodes are reached but not walked
    through (they join everything) unless `wanted` names category or tagged links."""
    through_categories = wanted is not None and bool({LinkKind.CATEGORY, LinkKind.TAGGED} & wanted)
    named = set(centres)
    seen: dict[str, None] = dict.fromkeys(centres)
    frontier = list(seen)
    for _ in range(depth):
        reached: list[str] = []
        for node in frontier:
            if (
                not through_categories
                and node not in named
                and g.note(node).kind in (NoteKind.CATEGORY, NoteKind.TAG)
            ):
                continue
            for link in g.links_of(node, direction, wanted):
                other = link.target if link.source == node else link.source
                if other in seen or not keep(g.note(other)):
                    continue
                seen[other] = None
                reached.append(other)
        frontier = reached
    return seen


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
) -> SubGraph:
    """Choose a subgraph of `g`.

    - `around`: one or more notes (titles or ids); their neighbourhood to `depth` links,
      walking only `kinds` of links in `direction` ('out', 'in', 'both').
    - `path`: two notes; the shortest typed path between them (over `kinds`).
    - `notes`: these notes; `search`: the top `k` hits of `g.search(search, k)`.
    - none of them: the whole corpus.

    `node_kinds` keeps only notes of those kinds (the named notes are always kept),
    `stubs=False` drops stubs. Links are every link of `kinds` among the chosen notes
    (for a path, the path's links). `near_pairs` adds weighted `near` edges; `near=K`
    computes them with `g.near` (the top-K near notes of each chosen note).
    """
    with paused_gc():
        return _choose(
            g,
            around,
            depth,
            kinds,
            node_kinds,
            path,
            notes,
            near_pairs,
            direction=direction,
            search=search,
            k=k,
            near=near,
            stubs=stubs,
        )


def _choose(
    g: KnowledgeGraph,
    around: NoteRef | Iterable[NoteRef] | None,
    depth: int,
    kinds: KindsArg,
    node_kinds: Iterable[NoteKind | str] | NoteKind | str | None,
    path: tuple[NoteRef, NoteRef] | Sequence[NoteRef] | None,
    notes: Iterable[NoteRef] | None,
    near_pairs: Iterable[NearPair | tuple[str, str, float]] | None,
    *,
    direction: str,
    search: str | None,
    k: int,
    near: int | None,
    stubs: bool,
) -> SubGraph:
    if depth < 0:
        raise KgError(f"depth must be 0 or more, not {depth}")
    if direction not in ("out", "in", "both"):
        raise KgError("direction is 'out', 'in' or 'both'")
    wanted = _link_kinds(kinds)
    if isinstance(node_kinds, (str, NoteKind)):
        node_kinds = [node_kinds]
    wanted_nodes = frozenset(NoteKind(x) for x in node_kinds) if node_kinds else None
    selection: dict[str, Any] = {}
    if wanted is not None:
        selection["kinds"] = sorted(kind.value for kind in wanted)
    if wanted_nodes is not None:
        selection["node_kinds"] = sorted(kind.value for kind in wanted_nodes)

    def keep(note: Note) -> bool:
        return (wanted_nodes is None or note.kind in wanted_nodes) and (stubs or not note.stub)

    centres = [g.note(ref).id for ref in _refs(around)]
    listed = [g.note(ref).id for ref in _refs(notes)]
    if search is not None:
        listed += search_ids(g, search, k)
        selection["search"] = search
    chain: list[Link] = []
    if path is not None:
        ends = list(path)
        if len(ends) != 2:
            raise KgError("a path needs exactly two notes")
        chain = g.path(ends[0], ends[1], kinds=wanted)
        selection["path"] = [g.note(e).id for e in ends]

    chosen: dict[str, None] = {}
    induced = bool(centres or listed or search is not None)
    if centres:
        chosen.update(_walk(g, centres, depth, wanted, keep, direction))
        selection.update(around=centres, depth=depth, direction=direction)
    if listed:
        chosen.update((i, None) for i in listed if i in centres or keep(g.note(i)))
        selection["notes"] = listed
    if not induced and path is None:
        chosen.update((n.id, None) for n in g if keep(n))
        selection["whole"] = True

    links: list[Link] = []
    if path is None or induced:
        whole = selection.get("whole", False)
        if whole:
            links = [
                lk
                for lk in g.links
                if (wanted is None or lk.kind in wanted)
                and lk.source in chosen
                and lk.target in chosen
            ]
        else:
            for node in chosen:
                links += [lk for lk in g.links_of(node, "out", wanted) if lk.target in chosen]
    if path is not None:
        ends_ids = selection["path"]
        for end in ends_ids:
            chosen.setdefault(end, None)
        present = set(map(id, links))
        for link in chain:
            chosen.setdefault(link.source, None)
            chosen.setdefault(link.target, None)
            if id(link) not in present:
                links.append(link)

    pairs: list[NearPair] = [
        p if isinstance(p, NearPair) else NearPair(g.note(p[0]).id, g.note(p[1]).id, float(p[2]))
        for p in near_pairs or ()
    ]
    if near is not None and near > 0:
        pairs += near_pairs_for(g, list(chosen), near)
        selection["near"] = near
    for pair in pairs:
        chosen.setdefault(pair.source, None)
        chosen.setdefault(pair.target, None)

    notes_out = [g.note(i) for i in chosen]
    names = {c for n in notes_out for c in n.categories}
    categories: dict[str, str] = {}
    for name in sorted(names):
        found = g.find(name)
        if found is not None and found.kind is NoteKind.CATEGORY:
            categories[name] = found.id
    return SubGraph(notes_out, links, pairs, categories=categories, selection=selection)


def _node_json(note: Note, encode: Callable[[Note], dict[str, Any]]) -> dict[str, Any]:
    """A note as exported JSON: the index's form, with front-matter properties as an object."""
    out = encode(note)
    if note.properties_json:
        out["properties"] = json.loads(note.properties_json)
    return out
