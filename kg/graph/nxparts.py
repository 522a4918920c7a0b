"""What `g.nx` and `g.to_networkx()` are made of, made in bulk and only when first needed.

`g.nx` is a frozen `MultiDiGraph` whose node table and adjacency are read-only mappings
over the graph's own storage: a node's neighbours are listed from its adjacency list (link
numbers) the first time they are asked for, and the attributes of all nodes (or of all
edges) are computed in one pass the first time any of them is read. So `g.nx` itself
costs next to nothing, a degree or a neighbour list costs one node's links, and a walk
over every edge's data costs one pass over the links, without a networkx call per edge.
`to_networkx` builds a new graph of plain dicts from the same parts.

>>> from kg.graph.knowledge import _demo
>>> parts = NxParts(_demo())
>>> G = parts.view()
>>> sorted(G.successors("a")), G.edges["a", "b", "e0"]["relation"], G.out_degree("a")
(['b', 'category-basics'], 'extends', 2)
>>> H = parts.graph()
>>> sorted(H.edges(keys=True)) == sorted(G.edges(keys=True)), type(H.nodes["a"]).__name__
(True, 'dict')
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kg.codec import (
    DECLARED_COUNTS,
    DELIMITER,
    NOTE_ATTRIBUTES,
    attribute_name,
    note_scalars,
    uniform_types,
    xml_text,
)
from kg.collector import collector_paused, to_old_generation
from kg.graph.tables import FieldRows
from kg.model import Link, NoteKind
from kg.properties import properties_from_json, property_columns, scalar

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph


def edge_scalars(links: tuple[Link, ...] | list[Link]) -> list[dict[str, Any]]:
    """`kg.codec.link_scalars` of every link, in order (the same keys in the same order),
    in one pass: one search over all their text for characters XML cannot hold, where
    `link_scalars` searches each link's.

    >>> from kg.model import LinkKind
    >>> edge_scalars([Link("a", "b", LinkKind.RELATED, "a.md", 3, label="x\\x00y")])
    [{'kind': 'related', 'label': 'xy', 'file': 'a.md', 'line': 3}]
    """
    fields = list(map(_FIELDS, links))
    out = _scalars([link.kind._value_ for link in links], fields)
    return _cleaned(out, [list(map(itemgetter(at), fields)) for at in _TEXT_AT])


def file_scalars(kinds: Sequence[str], rows: FieldRows) -> list[dict[str, Any]]:
    """`edge_scalars` of links read from the index file by file (`LinkTable.read_fields`):
    made file by file from their columns, each link given its kind (`kinds[i]` is link
    i's, and row `rows.rowids[i]`), then put in link order; their texts searched for
    characters XML cannot hold all at once, as the index gives them (`rows.texts`).

    >>> columns = [[1, 2], [None, 1], ["", "s"], *[["", ""]] * 4, ["", "x"]]
    >>> file_scalars(["next", "related"], FieldRows([8, 7], [(7, "a.md", columns)], b"a.md", 0))
    [{'kind': 'next', 'summary': 's', 'section': 'x', 'order': 1, 'file': 'a.md', 'line': 2}, {'kind': 'related', 'file': 'a.md', 'line': 1}]
    """
    import numpy as np

    files = rows.files
    firsts = np.fromiter((first for first, _, _ in files), np.int64, len(files))
    counts = np.fromiter((len(columns[0]) for _, _, columns in files), np.int64, len(files))
    starts = np.cumsum(counts) - counts
    rowids = np.asarray(rows.rowids, dtype=np.int64)
    at = np.searchsorted(firsts, rowids, side="right") - 1
    if len(rowids) and (
        len(kinds) != len(rowids)
        or np.any(firsts[1:] <= firsts[:-1])
        or at.min() < 0
        or np.any(rowids - firsts[at] >= counts[at])
    ):
        raise ValueError("the saved link rows do not fit the link columns")
    places = (starts[at] + rowids - firsts[at]).tolist()  # link i is made[places[i]]
    kind_at: list[str | None] = [None] * int(counts.sum())
    deque(map(kind_at.__setitem__, places, kinds), maxlen=0)  # C loops
    made: list[dict[str, Any]] = []
    for (_, file, columns), start, count in zip(
        files, starts.tolist(), counts.tolist(), strict=True
    ):
        made += _scalars(kind_at[start : start + count], zip(repeat(file), *columns, strict=False))
    out = list(map(made.__getitem__, places))
    if rows.texts is not None and _bytes_hold_xml(rows.texts, rows.separators):
        return out
    return clean_texts(out)


# A link's fields but its ends and kind, in `Link`'s order (as the index keeps them).
_FIELDS = attrgetter(
    "file", "line", "order", "summary", "sentence", "label", "annotation", "relation", "section"
)
_TEXT_AT = (0, 3, 4, 5, 6, 7, 8)  # the text fields among them


def _scalars(kinds: Iterable[str | None], fields: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """The attribute dicts of links given by their kinds and other fields (`_FIELDS`),
    texts not cleaned yet."""
    out: list[dict[str, Any]] = []
    append = out.append
    for kind, (file, line, order, summary, sentence, label, annotation, relation, section) in zip(
        kinds, fields, strict=False
    ):
        data: dict[str, Any] = {"kind": kind}
        if relation:
            data["relation"] = relation
        if label:
            data["label"] = label
        if annotation:
            data["annotation"] = annotation
        if summary:
            data["summary"] = summary
        if sentence:
            data["sentence"] = sentence
        if section:
            data["section"] = section
        if order is not None:
            data["order"] = int(order)
        if file:
            data["file"] = file
        data["line"] = int(line)
        append(data)
    return out


def _cleaned(out: list[dict[str, Any]], texts: list[Sequence[Any]]) -> list[dict[str, Any]]:
    """`out` with the characters XML cannot hold taken out of its texts when the columns
    `texts` (every text of the links) hold one; all searched at once."""
    try:
        holds = _holds_xml("\n".join(chain.from_iterable(texts)))
    except TypeError:  # a field that is no text (a damaged index): the texts of the dicts
        return clean_texts(out)
    return out if holds else clean_texts(out)


def item_scalars(item: dict[str, Any]) -> dict[str, Any]:
    """`note_scalars(note_from_json(item), xml_safe=False)` (the same keys, in the same
    order, of the same values) without making the note: `item` is a note's JSON as
    `kg.codec.note_to_json` writes it, its properties as text.

    >>> from kg.codec import note_to_json
    >>> from kg.model import ConceptMap, Counts, Note
    >>> note = Note("a", "Why A?", NoteKind.SYNTHESIS, categories=("X", "Y"), counts=Counts(uses=2),
    ...             concept_map=ConceptMap(1, 2, 3), properties_json='{"title": "T", "n": [1]}')
    >>> item_scalars(note_to_json(note)) == note_scalars(note, xml_safe=False)
    True
    """
    title = item["title"]
    out: dict[str, Any] = {
        "kind": NoteKind(item["kind"]).value,
        "title": title,
        "label": title,
        "stub": item.get("stub", False),
    }
    for name in ("description", "claim", "date", "collection", "arxiv"):
        if value := item.get(name):
            out[name] = value
    for name in ("categories", "tags", "aliases", "files"):
        if value := item.get(name):
            out[name] = DELIMITER.join(value)
    if item.get("truncated", False):
        out["truncated"] = True
    counts = item.get("counts", {})
    for name in DECLARED_COUNTS:
        if (value := counts.get(name)) is not None:
            out[f"declared_{name}"] = int(value)
    if concept_map := item.get("concept_map"):
        out["declared_direct"] = concept_map[0]
        out["declared_two_hop"] = concept_map[1]
        out["declared_cluster"] = concept_map[2]
    properties = item.get("properties")
    if properties and not isinstance(properties, str):  # an object, as an export holds it
        properties = json.dumps(properties, ensure_ascii=False)
    if properties:
        columns = property_columns(properties_from_json(properties), NOTE_ATTRIBUTES)
        for name, value in columns.items():
            if (shown := scalar(value)) is not None:
                out[attribute_name(name)] = shown
    return out


def clean_texts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` (attribute dicts) with the characters XML cannot hold taken out of their
    texts (`kg.codec.xml_text`), all searched at once: what `note_scalars` does to each.
    Changed in place.

    >>> clean_texts([{"title": "a\\x01b", "n": 3}, {"title": "c"}])
    [{'title': 'ab', 'n': 3}, {'title': 'c'}]
    """
    if not _holds_xml("\n".join(v for row in rows for v in row.values() if isinstance(v, str))):
        for row in rows:
            for name, value in row.items():
                if isinstance(value, str):
                    row[name] = xml_text(value)
    return rows


def _mixed_types(rows: list[dict[str, Any]]) -> bool:
    """Whether some attribute has values of more than one type in `rows` (then
    `kg.codec.uniform_types` has work to do), found in C loops.

    >>> _mixed_types([{"r": 4, "s": "x"}, {"r": 5}]), _mixed_types([{"r": 4}, {"r": 4.5}])
    (False, True)
    """
    names = chain.from_iterable(rows)
    types = map(type, chain.from_iterable(map(dict.values, rows)))
    return len(set(zip(names, types, strict=True))) != len(set(chain.from_iterable(rows)))


# The bytes of the C0 controls XML 1.0 cannot hold (all but tab, LF and CR).
_C0 = bytes([*range(9), 11, 12, *range(14, 32)])


def _holds_xml(text: str) -> bool:
    """Whether XML 1.0 can hold `text` (`kg.codec.xml_text` leaves it as it is), read
    from its UTF-8 bytes (`_bytes_hold_xml`), several times as fast as a regular
    expression; a lone surrogate (which XML cannot hold) cannot be encoded at all.

    >>> [_holds_xml(t) for t in ("a\\tb\\né", "a\\x0bb", "\\ufffe", "x\\ud800", "\\U0001f600")]
    [True, False, False, False, True]
    """
    try:
        data = text.encode()
    except UnicodeEncodeError:
        return False
    return _bytes_hold_xml(data)


def _bytes_hold_xml(data: bytes, separators: int = 0) -> bool:
    """Whether XML 1.0 can hold the text whose UTF-8 bytes are `data` (a text that could
    be encoded: no lone surrogate) but for `separators` US characters in it (texts joined
    by them): a C0 control byte is that control only, and U+FFFE and U+FFFF have bytes
    no other text has.

    >>> _bytes_hold_xml("a\\x1fb\\x1fc".encode(), 2), _bytes_hold_xml("a\\x1fb\\x1fc".encode(), 1)
    (True, False)
    """
    if len(data) - len(data.translate(None, _C0)) != separators:
        return False
    return b"\xef\xbf" not in data or (b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data)


class Attributes(Mapping[str, Any]):
    """One node's or edge's attributes, read-only: the dict `get` gives when first read.
    `copy()` (and `copy.deepcopy`, which networkx's `to_undirected` and `reverse` use)
    give a new plain dict."""

    __slots__ = ("_get", "_key")

    def __init__(self, get: Callable[[Any], dict[str, Any]], key: Any) -> None:
        self._get = get
        self._key = key

    def __getitem__(self, name: str) -> Any:
        return self._get(self._key)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get(self._key))

    def __len__(self) -> int:
        return len(self._get(self._key))

    def __contains__(self, name: object) -> bool:
        return name in self._get(self._key)

    def __repr__(self) -> str:
        return repr(self._get(self._key))

    def copy(self) -> dict[str, Any]:
        return dict(self._get(self._key))

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self._get(self._key))  # the values are immutable scalars


class NodeMap(Mapping[str, Attributes]):
    """networkx's node table (`G._node`): note id -> its attributes, read-only."""

    def __init__(self, parts: NxParts) -> None:
        self._parts = parts
        self._ids = parts.graph_of.note_table

    def __getitem__(self, node: str) -> Attributes:
        if node not in self._ids:
            raise KeyError(node)
        return Attributes(self._parts.node, node)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, node: object) -> bool:
        return node in self._ids

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, dict[str, Any]]:
        return {node: data.copy() for node, data in self.items()}


class Adjacency(Mapping[str, Mapping[str, Mapping[str, Attributes]]]):
    """networkx's successors (`G._succ`, `G._adj`) or predecessors (`G._pred`), read-only:
    note id -> neighbour -> edge key ('e' and the link's number) -> the edge's attributes,
    each note's part made from its adjacency list the first time it is asked for."""

    def __init__(self, parts: NxParts, lists: Mapping[str, list[int]], far: int) -> None:
        self._parts = parts
        self._lists = lists
        self._far = far  # which end of a link is the neighbour: 1 target, 0 source
        self._made: dict[str, Mapping[str, Mapping[str, Attributes]]] = {}

    def __getitem__(self, node: str) -> Mapping[str, Mapping[str, Attributes]]:
        made = self._made.get(node)
        if made is None:
            made = self._made[node] = self._make(node)
        return made

    def _make(self, node: str) -> Mapping[str, Mapping[str, Attributes]]:
        numbers = self._lists[node]  # KeyError for a node not in the graph
        far, edge, links = self._far, self._parts.edge, self._parts.links
        if links is not None:  # decoded already: their ends are at hand
            others = (
                [links[i].target for i in numbers] if far else [links[i].source for i in numbers]
            )
        else:
            ends = self._parts.ends
            others = [ends(i)[far] for i in numbers]
        neighbours: dict[str, dict[str, Attributes]] = {}
        for i, other in zip(numbers, others, strict=True):
            keys = neighbours.get(other)
            if keys is None:
                keys = neighbours[other] = {}
            keys[f"e{i}"] = Attributes(edge, i)
        return MappingProxyType(
            {other: MappingProxyType(keys) for other, keys in neighbours.items()}
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)

    def __contains__(self, node: object) -> bool:
        return node in self._lists

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            node: {
                other: {key: data.copy() for key, data in keys.items()}
                for other, keys in neighbours.items()
            }
            for node, neighbours in self.items()
        }


class NxParts:
    """The attributes of a graph's nodes and edges for networkx, each made once, when
    first asked for, and the two graphs made of them (`view`, `graph`)."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph_of = graph
        self.ends = graph.link_table.ends
        self._nodes: dict[str, dict[str, Any]] | None = None
        self._edges: list[dict[str, Any]] | None = None
        self.links: tuple[Link, ...] | None = None  # the graph's links, once decoded here

    def nodes(self) -> dict[str, dict[str, Any]]:
        """Every note's `note_scalars`, by id in the graph's order, of uniform types."""
        if self._nodes is None:
            self._nodes = self._make_nodes()
        return self._nodes

    def _make_nodes(self) -> dict[str, dict[str, Any]]:
        """New `nodes`: of the notes not decoded yet, made from their JSON
        (`NoteTable.notes_or_items`, `item_scalars`)."""
        notes = self.graph_of.note_table
        with collector_paused():
            rows = [
                item_scalars(note) if isinstance(note, dict) else note_scalars(note, xml_safe=False)
                for note in notes.notes_or_items()
            ]
            rows = clean_texts(rows)
            if _mixed_types(rows):
                rows = uniform_types(rows)
            return dict(zip(notes, rows, strict=True))

    def node(self, note_id: str) -> dict[str, Any]:
        return self.nodes()[note_id]

    def edges(self) -> list[dict[str, Any]]:
        """Every link's `link_scalars`, by link number."""
        if self._edges is None:
            self._edges = self._make_edges()
        return self._edges

    def _make_edges(self) -> list[dict[str, Any]]:
        """New `edges`: a reopened graph's links read in one pass, file by file, no `Link`
        made (`LinkTable.read_fields`); a built graph's from its links."""
        with collector_paused():
            table = self.graph_of.link_table
            if table.read_fields is not None:
                return file_scalars(table.kind_list(), table.read_fields())
            links = self.graph_of.links
            self.links = links
            return edge_scalars(links)

    def edge(self, index: int) -> dict[str, Any]:
        return self.edges()[index]

    def view(self) -> nx.MultiDiGraph:
        """A frozen `MultiDiGraph` over these parts (what `g.nx` is): adding or removing
        a node or edge raises `networkx.NetworkXError`, no attribute can be assigned."""
        import networkx as nx

        table = self.graph_of.link_table
        view = nx.MultiDiGraph()
        view._node = NodeMap(self)
        view._adj = view._succ = Adjacency(self, table.out, 1)
        view._pred = Adjacency(self, table.into, 0)
        return nx.freeze(view)

    def graph(self, keep: Callable[[str], bool] | None = None) -> nx.MultiDiGraph:
        """A new `MultiDiGraph` of new attribute dicts, of the nodes `keep` keeps (all for
        None) and the links between them: what `add_nodes_from` and `add_edges_from` in
        note and link order would give, filled in networkx's dict-of-dicts directly.
        Attributes made already (for `view`) are copied; else they are made for this graph
        alone and not kept (a second `to_networkx` makes them again)."""
        import networkx as nx

        out = nx.MultiDiGraph()
        with collector_paused():
            nodes = self._nodes if self._nodes is not None else self._make_nodes()
            fresh = nodes is not self._nodes
            node = out._node
            if keep is None:
                node.update(
                    nodes if fresh else zip(nodes, map(dict.copy, nodes.values()), strict=True)
                )
            else:
                for note_id, data in nodes.items():
                    if keep(note_id):
                        node[note_id] = data if fresh else data.copy()
            edges = self._edges if self._edges is not None else self._make_edges()
            datas = edges if edges is not self._edges else map(dict.copy, edges)
            sources, targets = self.graph_of.link_table.end_lists()
            keys_of = map("e{}".format, range(len(sources)))
            ends: Iterable[tuple[str, str, str, dict[str, Any]]]
            ends = zip(keys_of, sources, targets, datas, strict=True)
            if len(node) != len(nodes):
                ends = (end for end in ends if end[1] in node and end[2] in node)
            succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = {n: {} for n in node}
            pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = {n: {} for n in node}
            for key, source, target, data in ends:
                neighbours = succ[source]
                if target in neighbours:  # a later edge between them: its key added
                    neighbours[target][key] = data
                else:  # one key dict a pair, shared as networkx's `add_edge` shares it
                    neighbours[target] = pred[target][source] = {key: data}
            out._succ.update(succ)  # `_adj` is the same dict
            out._pred.update(pred)
            to_old_generation()
        return out
