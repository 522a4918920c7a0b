"""kg's RDF as an rdflib graph: SPARQL over it, SHACL validation, and rdflib's other
serializations (RDF/XML, N3, TriG, ...), which the export registry falls back to.

The triples are those of `kg.export.triples` (the mapping is in `kg.export.mapping`);
shapes for the export are in `kg/data/shapes.ttl`, which `validate` checks with pySHACL.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> from kg.export.subgraph import SubGraph
>>> sub = SubGraph([Note("a", "Can A happen?", NoteKind.SYNTHESIS), Note("b", "Why B?", NoteKind.SYNTHESIS)],
...                [Link("a", "b", LinkKind.RELATED, "a.md", 7, label="partially contradicted",
...                      relation="contradicts")])
>>> graph = to_rdflib(sub)
>>> rows = sparql(graph, "SELECT ?label WHERE { ?c cito:hasCitationCharacterization cito:disagreesWith ; kg:label ?label }")
>>> [str(row.label) for row in rows]
['partially contradicted']
>>> b"rdf:RDF" in rdflib_bytes(sub, "xml")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.codec import xml_text
from kg.errors import ExportError, KgError
from kg.export.mapping import DEFAULT_BASE, PREFIXES, namespaces
from kg.export.triples import blocks

if TYPE_CHECKING:
    import rdflib
    from rdflib.query import Result

    from kg.export.subgraph import SubGraph

SHAPES = Path(__file__).parent.parent / "data" / "shapes.ttl"


def to_rdflib(sub: SubGraph, base: str = DEFAULT_BASE) -> rdflib.Graph:
    """The subgraph's triples (`kg.export.triples.blocks`) as an `rdflib.Graph`.

    Parameters
    ----------
    sub
        The subgraph.
    base
        The IRI note and link IRIs start with.

    Returns
    -------
    rdflib.Graph
        The same triples the streaming writers write, with kg's prefixes bound.

    Raises
    ------
    ExportError
        When `base` is not an absolute IRI ending in ':', '/' or '#'.
    """
    from rdflib import Graph, Literal, URIRef

    graph = Graph()
    for prefix, namespace in namespaces(base).items():
        graph.bind(prefix, namespace, override=True, replace=True)
    iris: dict[str, URIRef] = {}
    datatypes: dict[str, URIRef] = {}

    def uri(value: str) -> URIRef:
        found = iris.get(value)
        if found is None:
            found = iris[value] = URIRef(value)
        return found

    def quads() -> Iterator[tuple[Any, Any, Any, Graph]]:
        for subject, pairs in blocks(sub, base):
            s = uri(subject)
            for prop, obj in pairs:
                if obj.__class__ is tuple:
                    value, datatype = obj
                    value = xml_text(value)
                    if datatype:
                        dt = datatypes.get(datatype)
                        if dt is None:
                            dt = datatypes[datatype] = URIRef(datatype)
                        o: Any = Literal(value, datatype=dt)
                    else:
                        o = Literal(value)
                else:
                    o = uri(obj)  # type: ignore[arg-type]
                yield s, uri(prop), o, graph

    graph.addN(quads())
    return graph


def rdflib_bytes(sub: SubGraph, format: str, base: str = DEFAULT_BASE) -> bytes:
    """The subgraph in one of rdflib's serializations ('xml', 'n3', 'trig', ...).

    Parameters
    ----------
    sub
        The subgraph to write.
    format
        An rdflib serializer name.
    base
        The IRI that note and link IRIs start with.

    Returns
    -------
    bytes
        The document, UTF-8.

    Raises
    ------
    ExportError
        When rdflib has no serializer of that name.
    """
    try:
        data = to_rdflib(sub, base).serialize(format=format, encoding="utf-8")
    except Exception as error:  # rdflib raises its own plugin errors for unknown formats
        raise ExportError(f"cannot write RDF as {format!r}: {error}") from error
    return data if isinstance(data, bytes) else data.encode("utf-8")


def sparql(graph: rdflib.Graph, query: str) -> Result:
    """Run a SPARQL query over `graph`.

    Parameters
    ----------
    graph
        A graph `to_rdflib` built.
    query
        The query; the prefixes of `PREFIXES` (and `note:`, `link:` as bound on the graph)
        need no PREFIX lines.

    Returns
    -------
    rdflib.query.Result
        rdflib's result: rows for SELECT, ``askAnswer`` for ASK, ``graph`` for CONSTRUCT.

    Raises
    ------
    KgError
        On a malformed query.
    """
    bound = {prefix: str(ns) for prefix, ns in graph.namespaces()}
    try:
        return graph.query(query, initNs={**bound, **PREFIXES})
    except Exception as error:  # pyparsing / rdflib raise many kinds on a bad query
        raise KgError(f"SPARQL query failed: {error}") from error


def python_value(term: Any) -> Any:
    """A result term as plain Python: IRIs and strings as str, typed literals as values."""
    if term is None:
        return None
    from rdflib import Literal

    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, (str, int, float, bool)) else str(term)
    return str(term)


def result_rows(result: Result) -> list[dict[str, Any]]:
    """The rows of a SELECT result as dicts of plain Python values.

    Examples
    --------
    >>> from rdflib import Graph, Literal, URIRef
    >>> graph = Graph()
    >>> _ = graph.add((URIRef("urn:kg:note:a"), URIRef("urn:kg:vocab:order"), Literal(3)))
    >>> result_rows(sparql(graph, "SELECT ?s ?n WHERE { ?s kg:order ?n }"))
    [{'s': 'urn:kg:note:a', 'n': 3}]
    """
    names = [str(v) for v in result.vars or []]
    rows: Iterable[Any] = result
    return [{name: python_value(row[i]) for i, name in enumerate(names)} for row in rows]


def validate(graph: rdflib.Graph, shapes: str | Path | None = None) -> tuple[bool, str]:
    """Check `graph` against kg's SHACL shapes with pySHACL.

    Parameters
    ----------
    graph
        A graph `to_rdflib` built.
    shapes
        A Turtle file of shapes (default `SHAPES`, ``kg/data/shapes.ttl``).

    Returns
    -------
    tuple of (bool, str)
        Whether the graph conforms, and pySHACL's report.

    Raises
    ------
    KgError
        When pySHACL is not installed.
    """
    try:
        import pyshacl  # type: ignore[import-not-found, unused-ignore]
    except ImportError as error:
        raise KgError("validating needs pySHACL: pip install pyshacl") from error
    from rdflib import Graph

    shapes_graph = Graph().parse(str(shapes or SHAPES), format="turtle")
    conforms, _, report = pyshacl.validate(
        graph, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=False
    )
    return bool(conforms), str(report)
