"""The streaming RDF writers: N-Triples, Turtle and flattened JSON-LD, written as text
straight from `kg.export.triples.blocks` (rdflib takes minutes on a 10,000-page corpus).
The export registry (`kg.export.formats`) lists them as `nt`, `turtle` and `jsonld`.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> from kg.export.subgraph import SubGraph
>>> sub = SubGraph([Note("a", "Can A happen?", NoteKind.SYNTHESIS), Note("b", "Why B?", NoteKind.SYNTHESIS)],
...                [Link("a", "b", LinkKind.RELATED, "a.md", 7, relation="contradicts")])
>>> b"<urn:kg:note:a> <http://purl.org/spar/cito/disagreesWith> <urn:kg:note:b> ." in ntriples_bytes(sub)
True
>>> b"cito:disagreesWith note:b" in turtle_bytes(sub)
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kg.codec import xml_text
from kg.export.chars import encode_clean
from kg.export.mapping import DEFAULT_BASE, TYPE, Compactor, namespaces
from kg.export.triples import Block, blocks

if TYPE_CHECKING:
    from kg.export.subgraph import SubGraph

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')


class _Terms(dict[str, str]):
    """IRI -> its written form, computed on first use (a subscript, not a call, per term)."""

    def __init__(self, render: Callable[[str], str]) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, iri: str) -> str:
        shown = self[iri] = self.render(iri)
        return shown


def _ntriples(items: Iterable[Block]) -> str:
    out: list[str] = []
    append = out.append
    for subject, pairs in items:
        head = f"<{subject}> <"
        for prop, obj in pairs:
            if obj.__class__ is tuple:
                value, datatype = obj
                if _NEEDS_ESCAPE.search(value):
                    value = _NEEDS_ESCAPE.sub(_escape, value)
                if datatype:
                    append(f'{head}{prop}> "{value}"^^<{datatype}> .\n')
                else:
                    append(f'{head}{prop}> "{value}" .\n')
            else:
                append(f"{head}{prop}> <{obj}> .\n")
    return "".join(out)


def _escape(match: re.Match[str]) -> str:
    return _ECHAR[match.group()]


def _turtle(items: Iterable[Block], prefixes: dict[str, str]) -> str:
    short = Compactor(prefixes)
    term = _Terms(lambda iri: short(iri) or f"<{iri}>")
    term[TYPE] = "a"
    out = [f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(prefixes.items())]
    append = out.append
    for subject, pairs in items:
        if not pairs:
            continue
        append("\n" + term[subject])
        last = None
        for prop, obj in pairs:
            if obj.__class__ is tuple:
                value, datatype = obj
                if _NEEDS_ESCAPE.search(value):
                    value = _NEEDS_ESCAPE.sub(_escape, value)
                shown = f'"{value}"^^{term[datatype]}' if datatype else f'"{value}"'
            else:
                shown = term[obj]  # type: ignore[index]
            if prop == last:
                append(f", {shown}")
            else:
                append(f"{' ;' if last is not None else ''}\n    {term[prop]} {shown}")
                last = prop
        append(" .\n")
    return "".join(out)


def _jsonld(items: Iterable[Block], prefixes: dict[str, str]) -> str:
    """Flattened JSON-LD: one node object per subject in "@graph", compact IRIs expanded
    by the prefixes in "@context". Written as text (values escaped by the json module's
    C string encoder); building dicts for json.dumps takes twice as long."""
    short = Compactor(prefixes)
    quote = json.encoder.encode_basestring
    term = _Terms(lambda iri: quote(short(iri) or iri))

    context = json.dumps(dict(sorted(prefixes.items())), ensure_ascii=False)
    out = ['{"@context":', context, ',"@graph":[']
    append = out.append
    first = True
    for subject, pairs in items:
        types: list[str] = []
        values: dict[str, list[str]] = {}
        for prop, obj in pairs:
            if prop == TYPE:
                types.append(term[obj])  # type: ignore[index]
                continue
            if obj.__class__ is tuple:
                literal, datatype = obj
                shown = quote(xml_text(literal))
                if datatype:
                    shown = f'{{"@value":{shown},"@type":{term[datatype]}}}'
            else:
                shown = f'{{"@id":{term[obj]}}}'  # type: ignore[index]
            key = term[prop]
            found = values.get(key)
            if found is None:
                values[key] = [shown]
            else:
                found.append(shown)
        parts = [f'"@id":{term[subject]}']
        if types:
            parts.append(f'"@type":[{",".join(types)}]')
        parts += [f"{key}:[{','.join(shown)}]" for key, shown in values.items()]
        append(("\n{" if first else ",\n{") + ",".join(parts) + "}")
        first = False
    append("\n]}\n")
    return "".join(out)


def ntriples_bytes(sub: SubGraph, base: str = DEFAULT_BASE) -> bytes:
    """The subgraph as N-Triples, UTF-8 (note and link IRIs start with `base`).

    Raises
    ------
    ExportError
        When `base` is not an absolute IRI ending in ':', '/' or '#'.
    """
    return encode_clean(_ntriples(blocks(sub, base)))


def turtle_bytes(sub: SubGraph, base: str = DEFAULT_BASE) -> bytes:
    """The subgraph as Turtle with kg's prefixes, UTF-8 (raises as `ntriples_bytes`)."""
    return encode_clean(_turtle(blocks(sub, base), namespaces(base)))


def jsonld_bytes(sub: SubGraph, base: str = DEFAULT_BASE) -> bytes:
    """The subgraph as flattened JSON-LD, UTF-8 (raises as `ntriples_bytes`)."""
    return _jsonld(blocks(sub, base), namespaces(base)).encode("utf-8")
