"""GraphML export: typed nodes and typed edges with scalar attributes only.

The attributes are kg's scalar forms of notes and links (`kg.codec.note_scalars` and
`link_scalars`, the schema of `KnowledgeGraph.nx` too). Nodes carry kind, title (and
`label`, which Gephi shows), description, claim, categories joined by `DELIMITER`, date, stub flag and the counts the page declares; edges carry kind,
normalized relation, the raw relation label, annotation, order (source order, paper
rank), and provenance (file, line). Near pairs become `near` edges with a `weight`.
No vectors, no lists: every value is a string, integer, float or boolean. Each
front-matter property is a node attribute of its own (lists as JSON text); an attribute
whose values differ in type between notes is written as text (integers and floats as
floats), so one GraphML key types it. The file adds node attributes `KnowledgeGraph.nx`
leaves out, all computed on the whole corpus whatever part is exported:
`disagreements`, each note's count of relations that contradict or qualify
(`kg.graph.contested`; 0 for none); `cluster` (int), `cluster_name` and `bridge` (double:
the note's bridge score, 0.0 when its links stay in its cluster), from
`KnowledgeGraph.clusters` and `bridge_scores`, so Gephi can colour by them; a note in no
cluster (stubs, categories, tags, unlinked notes) gets `cluster` -1, `cluster_name` ''
and `bridge` 0.0 (`NO_CLUSTER`).

Characters XML cannot carry (C0 controls other than tab and newlines, lone surrogates,
U+FFFE/U+FFFF) are removed (`kg.export.chars`, `kg.codec.xml_text`). The export registry lists this writer as
`graphml`; `SubGraph.write` writes the file through a temporary file and a rename.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> from kg.export.subgraph import SubGraph
>>> sub = SubGraph([Note("a", "Can A\\x07 happen?", NoteKind.SYNTHESIS, categories=("X", "Y")),
...                 Note("b", "Why B?", NoteKind.LINE)],
...                [Link("a", "b", LinkKind.RELATED, "a.md", 3, label="extends", relation="extends")])
>>> g = to_networkx(sub)
>>> g.nodes["a"]["title"], g.nodes["a"]["categories"]
('Can A happen?', 'X; Y')
>>> data = graphml_bytes(sub)
>>> data.startswith(b"<?xml") and b"\\x07" not in data and b'attr.name="relation"' in data
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.codec import DELIMITER, link_scalars, note_scalars, uniform_types, xml_text
from kg.export.chars import encode_clean
from kg.properties import PREFIX

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from kg.export.subgraph import NearPair, SubGraph

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def near_attributes(pair: NearPair) -> dict[str, Any]:
    return {"kind": "near", "weight": float(pair.score)}


# What the file writes on a note in no cluster (a stub, category, tag or unlinked note).
NO_CLUSTER: dict[str, Any] = {"cluster": -1, "cluster_name": "", "bridge": 0.0}


def computed_attributes(sub: SubGraph) -> list[dict[str, Any]]:
    """What the file adds to each note's scalars, in the subgraph's order: `disagreements`
    (`kg.graph.contested`, 0 for none) when the subgraph was chosen from a graph, and
    `cluster`, `cluster_name`, `bridge` (the whole corpus's `SubGraph.shape`; `NO_CLUSTER`
    for a note in none) unless the shape was left out. Empty dicts for a bare subgraph.

    >>> from kg.model import Note, NoteKind
    >>> from kg.export.subgraph import Shape, SubGraph
    >>> sub = SubGraph([Note("a", "A?", NoteKind.SYNTHESIS), Note("b", "B?", NoteKind.TAG)],
    ...                shape=Shape({"a": 0}, {0: "verifiers"}, {"a": 0.25}))
    >>> computed_attributes(sub)
    [{'cluster': 0, 'cluster_name': 'verifiers', 'bridge': 0.25}, {'cluster': -1, 'cluster_name': '', 'bridge': 0.0}]
    """
    counts, shape = sub.disagreements, sub.shape
    out: list[dict[str, Any]] = []
    for note_id in sub.notes:
        values: dict[str, Any] = {}
        if counts:
            values["disagreements"] = counts.get(note_id, 0)
        if shape is not None:
            found = shape.of(note_id)
            if found is None:
                values.update(NO_CLUSTER)
            else:
                values["cluster"], values["cluster_name"], values["bridge"] = found
        out.append(values)
    return out


def _with_computed(sub: SubGraph, attributes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notes' scalars with `computed_attributes` added; a front-matter property of one
    of those names becomes `property_NAME`, as one of `note_scalars`' own names does."""
    added = computed_attributes(sub)
    if not any(added):
        return attributes
    rows = []
    for values, extra in zip(attributes, added, strict=True):
        if any(name in values for name in extra):
            values = {(PREFIX + k if k in extra else k): v for k, v in values.items()}
        rows.append({**values, **extra})
    return rows


def to_networkx_graph_attributes(sub: SubGraph) -> dict[str, str]:
    """Graph-level attributes: how the subgraph was chosen, as strings."""
    out: dict[str, str] = {}
    for name, value in sub.selection.items():
        if isinstance(value, (list, tuple)):
            value = DELIMITER.join(map(str, value))
        out[f"selection_{name}"] = xml_text(str(value))
    return out


def to_networkx(sub: SubGraph) -> nx.MultiDiGraph:
    """The subgraph as a networkx graph whose attributes are all scalars.

    Parameters
    ----------
    sub
        The subgraph.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by note id with `kg.codec.note_scalars` (as `g.nx`; the GraphML file
        adds `computed_attributes`); edges keyed 'e0', 'e1', ... (which
        GraphML writes as edge ids) with `kg.codec.link_scalars`, near pairs last as `near` edges
        with a `weight`; graph attributes ``selection_*`` say how it was chosen.
        ``networkx.write_graphml`` writes it as it is.
    """
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]  # lazily: 0.1 s

    graph = nx.MultiDiGraph()
    graph.graph.update(to_networkx_graph_attributes(sub))
    notes = list(sub.notes.values())
    attributes = uniform_types([note_scalars(note) for note in notes])
    graph.add_nodes_from(zip([note.id for note in notes], attributes, strict=True))
    graph.add_edges_from(
        (link.source, link.target, f"e{i}", link_scalars(link)) for i, link in enumerate(sub.links)
    )
    offset = len(sub.links)
    graph.add_edges_from(
        (pair.source, pair.target, f"e{offset + i}", near_attributes(pair))
        for i, pair in enumerate(sub.near)
    )
    return graph


# GraphML attribute types of the values kg writes (networkx and igraph read them back).
_TYPES: dict[type, str] = {bool: "boolean", int: "int", float: "double", str: "string"}
_HEADER = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    f'<graphml xmlns="{GRAPHML_NS}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _text(value: str) -> str:
    """Character data: markup escaped, CR kept as a reference (parsers fold raw CR to LF)."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def _attr(value: str) -> str:
    """An attribute value, quoted; whitespace kept as references (parsers normalize it)."""
    value = _text(value).replace('"', "&quot;")
    return '"' + value.replace("\n", "&#10;").replace("\t", "&#9;") + '"'


class _Keys:
    """GraphML <key> declarations, one per (scope, attribute name), typed by first value."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        self.declarations: list[str] = []

    def id(self, scope: str, name: str, value: Any) -> str:
        key = self.ids.get((scope, name))
        if key is None:
            key = self.ids[(scope, name)] = f"{scope[0]}{len(self.ids)}"
            kind = _TYPES[type(value)]
            self.declarations.append(
                f'  <key id="{key}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}"/>\n'
            )
        return key

    def data(self, scope: str, values: dict[str, Any], indent: str) -> str:
        parts: list[str] = []
        ids = self.ids
        for name, value in values.items():
            key = ids.get((scope, name)) or self.id(scope, name, value)
            if value.__class__ is str:
                text = value
                if "&" in text or "<" in text or ">" in text or "\r" in text:
                    text = _text(text)
            elif value is True:
                text = "true"
            elif value is False:
                text = "false"
            else:
                text = repr(value)
            parts.append(f'{indent}<data key="{key}">{text}</data>\n')
        return "".join(parts)


def graphml_bytes(sub: SubGraph) -> bytes:
    """The GraphML document of a subgraph (the `graphml` format of `kg.export.formats`).

    Parameters
    ----------
    sub
        The subgraph.

    Returns
    -------
    bytes
        UTF-8 GraphML of the graph `to_networkx` gives, streamed straight to text
        (networkx's writer takes several times longer on a large corpus); characters XML
        cannot hold are removed from the whole document in one pass.
    """
    keys = _Keys()
    body: list[str] = ['  <graph id="G" edgedefault="directed">\n']
    graph = to_networkx_graph_attributes(sub)
    if graph:
        body.append(keys.data("graph", graph, "    "))
    quoted: dict[str, str] = {}
    notes = list(sub.notes.values())
    attributes = uniform_types(
        _with_computed(sub, [note_scalars(note, xml_safe=False) for note in notes])
    )
    for note, values in zip(notes, attributes, strict=True):
        quoted[note.id] = ref = _attr(note.id)
        body.append(f"    <node id={ref}>\n")
        body.append(keys.data("node", values, "      "))
        body.append("    </node>\n")
    number = 0
    for link in sub.links:
        body.append(
            f'    <edge id="e{number}" source={quoted[link.source]} target={quoted[link.target]}>\n'
        )
        body.append(keys.data("edge", link_scalars(link, xml_safe=False), "      "))
        body.append("    </edge>\n")
        number += 1
    for pair in sub.near:
        body.append(
            f'    <edge id="e{number}" source={quoted[pair.source]} target={quoted[pair.target]}>\n'
        )
        body.append(keys.data("edge", near_attributes(pair), "      "))
        body.append("    </edge>\n")
        number += 1
    body.append("  </graph>\n</graphml>\n")
    document = _HEADER + "".join(keys.declarations) + "".join(body)
    return encode_clean(document)
