"""The export formats: one writer per format behind a registry, as rdflib keeps its
serializers. `kg export --format` takes its choices from here, `SubGraph.write` and
`SubGraph.serialize` look writers up here, and a file name's suffix picks a format.

>>> names()
('graphml', 'turtle', 'jsonld', 'nt', 'json')
>>> get("TTL").name, get("json-ld").name, for_path("out/graph.nt").name
('turtle', 'jsonld', 'nt')
>>> get("dot")
Traceback (most recent call last):
...
kg.errors.ExportError: no export format 'dot'; the formats are graphml, turtle, jsonld, nt, json
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import ExportError
from kg.export.graphml import graphml_bytes
from kg.export.mapping import DEFAULT_BASE
from kg.export.nodelink import json_bytes
from kg.export.rdf_syntax import jsonld_bytes, ntriples_bytes, turtle_bytes

if TYPE_CHECKING:
    from kg.export.subgraph import SubGraph

# A writer turns a subgraph into the bytes of a document; the second argument is the IRI
# RDF formats start note and link IRIs with (other formats ignore it).
Writer = Callable[["SubGraph", str], bytes]


@dataclass(frozen=True, slots=True)
class Format:
    """One export format.

    Parameters
    ----------
    name
        The name `--format` and `SubGraph.write` take.
    writer
        ``writer(sub, base) -> bytes``.
    suffixes
        File endings that imply the format (lower case, with the dot).
    description
        One line for people (`kg export --help` lists it).
    aliases
        Other names accepted for it (`ttl`, `json-ld`, ...).
    """

    name: str
    writer: Writer
    suffixes: tuple[str, ...]
    description: str
    aliases: tuple[str, ...] = ()


_FORMATS: dict[str, Format] = {}
_NAMES: dict[str, str] = {}  # name, alias -> name


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def register(fmt: Format) -> Format:
    """Add a format (replacing one of the same name); returns it.

    Raises
    ------
    ValueError
        When one of its suffixes or aliases already belongs to another format.
    """
    for suffix in fmt.suffixes:
        owner = next((f.name for f in _FORMATS.values() if suffix in f.suffixes), fmt.name)
        if owner != fmt.name:
            raise ValueError(f"the suffix {suffix!r} already means {owner}")
    for alias in (fmt.name, *fmt.aliases):
        owner = _NAMES.get(_key(alias), fmt.name)
        if owner != fmt.name:
            raise ValueError(f"the name {alias!r} already means {owner}")
    _FORMATS[fmt.name] = fmt
    _NAMES.update((_key(alias), fmt.name) for alias in (fmt.name, *fmt.aliases))
    return fmt


def names() -> tuple[str, ...]:
    """The registered format names, in the order they were registered."""
    return tuple(_FORMATS)


def formats() -> tuple[Format, ...]:
    """The registered formats, in the order they were registered."""
    return tuple(_FORMATS.values())


def find(name: str) -> Format | None:
    """The format a name or alias means (case and '_' / '-' ignored), or None."""
    found = _NAMES.get(_key(name))
    return None if found is None else _FORMATS[found]


def get(name: str) -> Format:
    """The format a name or alias means.

    Raises
    ------
    ExportError
        When no format has that name; the message lists the valid names.
    """
    found = find(name)
    if found is None:
        raise ExportError(f"no export format {name!r}; the formats are {', '.join(names())}")
    return found


def for_path(path: str | Path) -> Format:
    """The format a file name implies ('graphml' for `.graphml`, 'turtle' for `.ttl`, ...).

    Raises
    ------
    ExportError
        When no format claims the suffix; the message lists the valid formats.
    """
    suffix = Path(str(path)).suffix.lower()
    for fmt in _FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt
    raise ExportError(
        f"{path}: cannot tell the format from the file name; "
        f"pass one of {', '.join(names())} (--format)"
    )


def serialize(sub: SubGraph, name: str, base: str | None = None) -> bytes:
    """The subgraph in the format `name`; a name no format has goes to rdflib's
    serializers ('xml', 'n3', 'trig', ...), through `kg.export.rdf.rdflib_bytes`.

    Raises
    ------
    ExportError
        When neither kg nor rdflib knows the format, or `base` is not a valid base IRI.
    """
    fmt = find(name)
    if fmt is not None:
        return fmt.writer(sub, base or DEFAULT_BASE)
    from kg.export.rdf import rdflib_bytes

    try:
        return rdflib_bytes(sub, name, base or DEFAULT_BASE)
    except ExportError as error:
        raise ExportError(f"{error} (kg's formats are {', '.join(names())})") from error


def _graphml(sub: SubGraph, base: str) -> bytes:
    return graphml_bytes(sub)


register(
    Format(
        "graphml",
        _graphml,
        (".graphml", ".xml"),
        "GraphML for Gephi, Cytoscape, yEd, networkx, igraph: scalar attributes only",
        ("xml-graphml",),
    )
)
register(
    Format("turtle", turtle_bytes, (".ttl", ".turtle"), "RDF as Turtle", ("ttl",)),
)
register(
    Format("jsonld", jsonld_bytes, (".jsonld",), "RDF as flattened JSON-LD", ("json-ld",)),
)
register(
    Format("nt", ntriples_bytes, (".nt",), "RDF as N-Triples", ("ntriples", "n-triples")),
)
register(
    Format(
        "json",
        json_bytes,
        (".json",),
        "node-link JSON with every field of every note and link (kg's own schema)",
    )
)
