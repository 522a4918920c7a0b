"""A subgraph as RDF triples, grouped by subject (`blocks`), by the mapping of
`kg.export.mapping`: what the streaming writers (`kg.export.rdf_syntax`) and rdflib
(`kg.export.rdf.to_rdflib`) both read.

A term is an IRI (a `str`) or a literal (a plain tuple: lexical form, datatype IRI or ''
for a string): a million of them are made for a large corpus, and tuples cost a fraction
of a NamedTuple.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> from kg.export.subgraph import SubGraph
>>> sub = SubGraph([Note("a", "Can A happen?", NoteKind.SYNTHESIS), Note("b", "Why B?", NoteKind.LINE)],
...                [Link("a", "b", LinkKind.MENTIONS, "a.md", 2)])
>>> [subject for subject, _ in blocks(sub)][:2]
['urn:kg:note:a', 'urn:kg:note:b']
>>> date_literal("2025-01-16")[1].endswith("#date"), date_literal("2025-02-30")[1]
(True, '')
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from kg.export.mapping import (
    BRIDGE_PROPERTY,
    CITATION_CLASS,
    CITO,
    CLUSTER_NAME_PROPERTY,
    CLUSTER_PROPERTY,
    CONCEPT_KINDS,
    COUNT_PROPERTIES,
    DEFAULT_BASE,
    DERIVATION_CLASS,
    DISAGREEMENTS_PROPERTY,
    KG,
    LINK_CLASS,
    LINK_FIELDS,
    NEAR_PROPERTY,
    NOTE_CLASSES,
    NOTE_PROPERTIES,
    PROV,
    TYPE,
    XSD,
    check_base,
    link_property,
    namespaces,
)
from kg.model import Link, LinkKind, Note, NoteKind

if TYPE_CHECKING:
    from kg.export.subgraph import NearPair, SubGraph

Lit = tuple[str, str]
Term = str | Lit  # a str is an IRI
Block = tuple[str, list[tuple[str, Term]]]  # a subject and its (predicate, object) pairs

XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"
XSD_DOUBLE = XSD + "double"
XSD_DATE = XSD + "date"
TRUE: Lit = ("true", XSD_BOOLEAN)
FALSE: Lit = ("false", XSD_BOOLEAN)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def double_text(value: float) -> str:
    """An xsd:double's text in the form a store gives it back (whole numbers without a
    decimal point, as Oxigraph writes them), so a pushed graph equals the local export.

    >>> double_text(0.0), double_text(10.0), double_text(0.6412)
    ('0', '10', '0.6412')
    """
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def text(value: str) -> Lit:
    """A plain string literal. Characters no RDF syntax should carry raw are removed by
    the writers (`kg.export.chars`), in one pass over the whole output."""
    return (value, "")


def date_literal(value: str) -> Lit:
    """An xsd:date when `value` is a valid ISO date, else a plain string.

    >>> date_literal("2025-01-16")[1].endswith("#date"), date_literal("2025-02-30")[1]
    (True, '')
    """
    value = value.strip()
    if _DATE.match(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return text(value)
        return (value, XSD_DATE)
    return text(value)


def integer(value: int) -> Lit:
    return (str(int(value)), XSD_INTEGER)


def _iri_part(slug: str) -> str:
    return _IRI_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", slug)


def link_key(link: Link) -> str:
    """A stable hash of everything a link says: the local name of its qualified node."""
    fields = (
        link.source,
        link.kind.value,
        link.target,
        link.file,
        str(link.line),
        "" if link.order is None else str(link.order),
        link.label,
        link.annotation,
        link.relation,
        link.section,
        link.summary,
        link.sentence,
    )
    return hashlib.blake2b("\x1f".join(fields).encode("utf-8"), digest_size=10).hexdigest()


# ---------------------------------------------------------------- the triples


def blocks(sub: SubGraph, base: str = DEFAULT_BASE) -> Iterator[Block]:
    """The triples of a subgraph, grouped by subject: notes first, then link nodes.

    Each triple appears once: a direct triple two links share (two mentions of the same
    note) is written once, each link still gets its own qualified node."""
    ns = namespaces(check_base(base))
    note_ns, link_ns = ns["note"], ns["link"]
    iri: dict[str, str] = {note_id: note_ns + _iri_part(note_id) for note_id in sub.notes}

    def note_iri(note_id: str) -> str:
        found = iri.get(note_id)
        if found is None:
            found = iri[note_id] = note_ns + _iri_part(note_id)
        return found

    direct: dict[str, list[tuple[str, Term]]] = {}
    seen: set[tuple[str, str, str]] = set()

    def add_direct(subject: str, prop: str, obj: str) -> None:
        key = (subject, prop, obj)
        if key not in seen:
            seen.add(key)
            direct.setdefault(subject, []).append((prop, obj))

    # Categories named on notes, whose category nodes are not in the subgraph.
    outside: dict[str, str] = {}
    for note in sub.notes.values():
        for name in note.categories:
            category = sub.category_id(name)
            add_direct(note_iri(note.id), NOTE_PROPERTIES["categories"], note_iri(category))
            if category not in sub.notes:
                outside.setdefault(category, name)

    link_nodes: list[Block] = []
    known: set[str] = set()
    for link in sub.links:
        mapping = link_property(link)
        source, target = note_iri(link.source), note_iri(link.target)
        if mapping.inverse:
            add_direct(target, mapping.property, source)
        else:
            add_direct(source, mapping.property, target)
        node = link_ns + link_key(link)
        if node in known:
            continue
        known.add(node)
        pairs = _link_pairs(link, source, target, mapping.property)
        if link.kind is LinkKind.SOURCE:
            add_direct(source, PROV + "qualifiedDerivation", node)
        link_nodes.append((node, pairs))
    for pair in sub.near:
        source, target = note_iri(pair.source), note_iri(pair.target)
        add_direct(source, NEAR_PROPERTY, target)
        node = link_ns + _near_key(pair)
        if node not in known:
            known.add(node)
            link_nodes.append((node, _near_pairs(pair, source, target)))

    disagreements, shape = sub.disagreements, sub.shape
    for note in sub.notes.values():
        subject = iri[note.id]
        pairs = _note_pairs(note)
        if disagreements.get(note.id):
            pairs.append((DISAGREEMENTS_PROPERTY, integer(disagreements[note.id])))
        found = shape.of(note.id) if shape is not None else None
        if found is not None:
            pairs.append((CLUSTER_PROPERTY, integer(found[0])))
            pairs.append((CLUSTER_NAME_PROPERTY, text(found[1])))
            pairs.append((BRIDGE_PROPERTY, (double_text(found[2]), XSD_DOUBLE)))
        yield subject, pairs + direct.pop(subject, [])
    for category, name in sorted(outside.items()):
        subject = iri[category]
        placeholder = Note(id=category, title=name, kind=NoteKind.CATEGORY)
        yield subject, _note_pairs(placeholder) + direct.pop(subject, [])
    yield from link_nodes
    for subject, pairs in direct.items():  # objects of inverse links outside the notes
        yield subject, pairs


def _note_pairs(note: Note) -> list[tuple[str, Term]]:
    own, standard = NOTE_CLASSES[note.kind]
    p = NOTE_PROPERTIES
    pairs: list[tuple[str, Term]] = [
        (TYPE, KG + "Note"),
        (TYPE, own),
        (TYPE, standard),
        (p["id"], text(note.id)),
        (p["title"], text(note.title)),
        (p["stub"], TRUE if note.stub else FALSE),
    ]
    if note.kind in CONCEPT_KINDS:
        pairs.append((p["concept_label"], text(note.title)))
    if note.description:
        pairs.append((p["description"], text(note.description)))
    if note.claim:
        pairs.append((p["claim"], text(note.claim)))
    if note.date:
        pairs.append((p["date"], date_literal(note.date)))
    if note.collection:
        pairs.append((p["collection"], text(note.collection)))
    if note.truncated:
        pairs.append((p["truncated"], TRUE))
    for alias in dict.fromkeys(note.aliases):
        if alias != note.title:
            pairs.append((p["aliases"], text(alias)))
    for name in dict.fromkeys(note.files):
        pairs.append((p["files"], text(name)))
    if note.arxiv:
        arxiv = note.arxiv.strip()
        pairs.append((p["arxiv"], text(f"arXiv:{arxiv}")))
        if re.fullmatch(r"[A-Za-z0-9.\-/]+", arxiv):
            pairs.append((p["arxiv_url"], f"https://arxiv.org/abs/{arxiv}"))
    for tag in dict.fromkeys(note.tags):
        pairs.append((p["tags"], text(tag)))
    for name, prop in COUNT_PROPERTIES.items():
        value = getattr(note.counts, name)
        if value is not None:
            pairs.append((prop, integer(value)))
    if note.properties_json:
        pairs.append((p["properties"], text(note.properties_json)))
    return pairs


def _link_pairs(link: Link, source: str, target: str, prop: str) -> list[tuple[str, Term]]:
    f = LINK_FIELDS
    pairs: list[tuple[str, Term]] = [
        (TYPE, LINK_CLASS),
        (f["kind"], (link.kind.value, "")),
        (f["from"], source),
        (f["to"], target),
    ]
    if link.kind is LinkKind.RELATED:
        pairs += [
            (TYPE, CITATION_CLASS),
            (CITO + "hasCitingEntity", source),
            (CITO + "hasCitedEntity", target),
            (CITO + "hasCitationCharacterization", prop),
            (f["relation"], (link.relation or "related", "")),
        ]
    elif link.kind is LinkKind.SOURCE:
        pairs += [(TYPE, DERIVATION_CLASS), (PROV + "entity", target)]
    if link.label:
        pairs.append((f["label"], (link.label, "")))
    if link.annotation:
        pairs.append((f["annotation"], (link.annotation, "")))
    if link.summary:
        pairs.append((f["summary"], (link.summary, "")))
    if link.sentence:
        pairs.append((f["sentence"], (link.sentence, "")))
    if link.section:
        pairs.append((f["section"], (link.section, "")))
    if link.order is not None:
        pairs.append((f["order"], (str(link.order), XSD_INTEGER)))
    if link.file:
        pairs.append((f["file"], (link.file, "")))
    pairs.append((f["line"], (str(link.line), XSD_INTEGER)))
    return pairs


def _near_key(pair: NearPair) -> str:
    key = f"{pair.source}\x1fnear\x1f{pair.target}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=10).hexdigest()


def _near_pairs(pair: NearPair, source: str, target: str) -> list[tuple[str, Term]]:
    f = LINK_FIELDS
    return [
        (TYPE, LINK_CLASS),
        (f["kind"], ("near", "")),
        (f["from"], source),
        (f["to"], target),
        (f["score"], (repr(float(pair.score)), XSD_DOUBLE)),
    ]
