"""RDF export and SPARQL: the one place where kg's kinds meet standard vocabularies.

Every note becomes `<BASE>note:<slug>` (BASE defaults to `urn:kg:`), typed `kg:Note`,
its kind's class and a standard class (`NOTE_CLASSES`). Every link becomes a direct
triple with the property of its kind (`LINK_PROPERTIES`; related links use the CiTO
property of their relation, `RELATION_PROPERTIES`) and a qualified node
`<BASE>link:<hash>` (a `kg:Link`) that keeps what the triple cannot: the raw relation
label, the annotation, order, section, the sentence of a mention, and the file and line
it was read from. Related links are also `cito:Citation`s, sources `prov:Derivation`s.

Turtle, N-Triples and JSON-LD are written by a streaming writer in this module (rdflib
takes minutes on a 10,000-page corpus); `to_rdflib` builds the same triples as an
`rdflib.Graph`, which `sparql` queries. Shapes for the export are in
`kg/data/shapes.ttl`; `validate` checks a graph against them with pySHACL.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> from kg.export.subgraph import SubGraph
>>> sub = SubGraph([Note("a", "Can A happen?", NoteKind.SYNTHESIS), Note("b", "Why B?", NoteKind.SYNTHESIS)],
...                [Link("a", "b", LinkKind.RELATED, "a.md", 7, label="partially contradicted",
...                      relation="contradicts")])
>>> relation_property("contradicts") == CITO + "disagreesWith"
True
>>> graph = to_rdflib(sub)
>>> rows = sparql(graph, "SELECT ?label WHERE { ?c cito:hasCitationCharacterization cito:disagreesWith ; kg:label ?label }")
>>> [str(row.label) for row in rows]
['partially contradicted']
>>> b"<urn:kg:note:a> <http://purl.org/spar/cito/disagreesWith> <urn:kg:note:b> ." in serialize(sub, "nt")
True
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kg.errors import ExportError, KgError
from kg.export.graphml import encode_clean
from kg.model import Link, LinkKind, Note, NoteKind

if TYPE_CHECKING:
    import rdflib
    from rdflib.query import Result

    from kg.export.subgraph import NearPair, SubGraph

# ---------------------------------------------------------------- vocabularies

CITO = "http://purl.org/spar/cito/"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
KG = "urn:kg:vocab:"  # kg's own terms, for what no standard vocabulary says
DEFAULT_BASE = "urn:kg:"

PREFIXES: dict[str, str] = {
    "cito": CITO,
    "dcterms": DCTERMS,
    "kg": KG,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "xsd": XSD,
}

TYPE = RDF + "type"

# Node kind -> (kg class, standard class). Every note is also a kg:Note.
NOTE_CLASSES: dict[NoteKind, tuple[str, str]] = {
    NoteKind.SYNTHESIS: (KG + "Synthesis", SCHEMA + "Article"),
    NoteKind.LINE: (KG + "InquiringLine", SCHEMA + "CreativeWork"),
    NoteKind.TOPIC: (KG + "Topic", SKOS + "Concept"),
    NoteKind.HUB: (KG + "Hub", SKOS + "Concept"),
    NoteKind.PAPER: (KG + "Paper", SCHEMA + "ScholarlyArticle"),
    NoteKind.CATEGORY: (KG + "Category", SKOS + "Concept"),
    NoteKind.ATTACHMENT: (KG + "Attachment", SCHEMA + "MediaObject"),
    NoteKind.TAG: (KG + "Tag", SKOS + "Concept"),
}
CONCEPT_KINDS = frozenset(k for k, (_, c) in NOTE_CLASSES.items() if c == SKOS + "Concept")


class Mapping(NamedTuple):
    """The direct triple of a link kind: its property, and whether it points backwards
    (`inverse`: the triple reads `target PROPERTY source`)."""

    property: str
    inverse: bool = False


# Link kind -> direct property. RELATED uses RELATION_PROPERTIES instead.
LINK_PROPERTIES: dict[LinkKind, Mapping] = {
    LinkKind.SOURCE: Mapping(PROV + "wasDerivedFrom"),
    LinkKind.MENTIONS: Mapping(DCTERMS + "references"),
    LinkKind.RELATED: Mapping(CITO + "citesAsRelated"),
    LinkKind.PAPER: Mapping(CITO + "citesAsRecommendedReading"),
    LinkKind.NEXT: Mapping(KG + "nextLine"),
    LinkKind.USES: Mapping(CITO + "usesConclusionsFrom"),
    LinkKind.SECTION: Mapping(DCTERMS + "hasPart"),
    LinkKind.SUBMAP: Mapping(SKOS + "broader", inverse=True),
    LinkKind.TOPIC: Mapping(DCTERMS + "subject", inverse=True),
    LinkKind.HUB: Mapping(DCTERMS + "isPartOf"),
    LinkKind.CATEGORY: Mapping(DCTERMS + "subject"),
    LinkKind.LINKS: Mapping(KG + "linksTo"),
    LinkKind.EMBEDS: Mapping(KG + "embeds"),
    LinkKind.TAGGED: Mapping(SCHEMA + "about"),
}

# Normalized relation of a related link (kg.parse.relations) -> CiTO property.
RELATION_PROPERTIES: dict[str, str] = {
    "contradicts": CITO + "disagreesWith",
    "extends": CITO + "extends",
    "mechanism": CITO + "obtainsSupportFrom",
    "supports": CITO + "citesAsEvidence",
    "qualifies": CITO + "qualifies",
    "implements": CITO + "usesMethodIn",
    "example": CITO + "citesAsEvidence",
    "parallels": CITO + "citesAsRelated",
    "related": CITO + "citesAsRelated",
}
DEFAULT_RELATION_PROPERTY = CITO + "citesAsRelated"  # any relation not in the table
NEAR_PROPERTY = KG + "near"

# Note fields -> properties.
NOTE_PROPERTIES: dict[str, str] = {
    "id": DCTERMS + "identifier",
    "title": DCTERMS + "title",
    "description": DCTERMS + "description",
    "claim": KG + "claim",
    "date": DCTERMS + "date",
    "collection": KG + "collection",
    "categories": DCTERMS + "subject",
    "aliases": SKOS + "altLabel",
    "stub": KG + "stub",
    "truncated": KG + "truncated",
    "files": KG + "file",
    "arxiv": SCHEMA + "identifier",
    "arxiv_url": SCHEMA + "url",
    "tags": SCHEMA + "keywords",
    "concept_label": SKOS + "prefLabel",
    "properties": KG + "properties",  # every front-matter key, as one JSON object
}
COUNT_PROPERTIES: dict[str, str] = {
    name: KG + "declared" + "".join(part.title() for part in name.split("_"))
    for name in ("uses", "related", "papers", "sources", "notes", "source_papers", "sections")
}

# Qualified link node: fields -> properties.
LINK_FIELDS: dict[str, str] = {
    "kind": KG + "linkKind",
    "from": KG + "from",
    "to": KG + "to",
    "relation": KG + "relation",
    "label": KG + "label",
    "annotation": RDFS + "comment",
    "order": KG + "order",
    "summary": KG + "summary",
    "sentence": KG + "sentence",
    "section": KG + "section",
    "file": KG + "file",
    "line": KG + "line",
    "score": KG + "score",
}
LINK_CLASS = KG + "Link"
CITATION_CLASS = CITO + "Citation"
DERIVATION_CLASS = PROV + "Derivation"

SHAPES = Path(__file__).parent.parent / "data" / "shapes.ttl"


def relation_property(relation: str) -> str:
    """The CiTO property of a normalized relation; unknown relations are `citesAsRelated`.

    >>> relation_property("extends").rsplit("/", 1)[1], relation_property("whatever").rsplit("/", 1)[1]
    ('extends', 'citesAsRelated')
    """
    return RELATION_PROPERTIES.get(relation, DEFAULT_RELATION_PROPERTY)


def link_property(link: Link) -> Mapping:
    """The direct property of a link (its relation's CiTO property for related links)."""
    if link.kind is LinkKind.RELATED:
        return Mapping(relation_property(link.relation or "related"))
    return LINK_PROPERTIES[link.kind]


def mapping_table() -> str:
    """The vocabulary mapping as a Markdown table (the README shows this table)."""
    rows = ["| kg | RDF |", "| --- | --- |"]

    def short(iri: str) -> str:
        return compact(iri) or f"<{iri}>"

    for kind, (own, standard) in NOTE_CLASSES.items():
        rows.append(
            f"| note kind `{kind.value}` | `kg:Note`, `{short(own)}`, `{short(standard)}` |"
        )
    for link_kind, mapping in LINK_PROPERTIES.items():
        if link_kind is LinkKind.RELATED:
            continue
        reads = "target → source" if mapping.inverse else "source → target"
        rows.append(f"| link `{link_kind.value}` | `{short(mapping.property)}` ({reads}) |")
    for relation, prop in RELATION_PROPERTIES.items():
        rows.append(f"| related link, relation `{relation}` | `{short(prop)}` |")
    rows.append(f"| related link, any other relation | `{short(DEFAULT_RELATION_PROPERTY)}` |")
    rows.append(f"| near pair (`--near`) | `{short(NEAR_PROPERTY)}` with `kg:score` |")
    rows.append(
        f"| every link, qualified | a `{short(LINK_CLASS)}` node `link:<hash>` with the fields below |"
    )
    rows.append(
        f"| related link, qualified | also a `{short(CITATION_CLASS)}`: `cito:hasCitingEntity`, "
        "`cito:hasCitedEntity`, `cito:hasCitationCharacterization` |"
    )
    rows.append(
        f"| source link, qualified | also a `{short(DERIVATION_CLASS)}`: "
        "`prov:qualifiedDerivation` from the line, `prov:entity` |"
    )
    labels = {
        "id": "note slug id",
        "files": "files a note was read from",
        "arxiv": "paper arXiv id (`arXiv:…`)",
        "arxiv_url": "paper arXiv page (IRI)",
        "tags": "paper tags, a Markdown note's #tags",
        "properties": "a Markdown note's front matter, every key (one JSON object)",
        "concept_label": "title of a topic, hub or category",
        "categories": "note categories (category nodes are `skos:Concept`s)",
    }
    for name, prop in NOTE_PROPERTIES.items():
        rows.append(f"| {labels.get(name, f'note `{name}`')} | `{short(prop)}` |")
    for name, prop in COUNT_PROPERTIES.items():
        rows.append(f"| note declared count `{name}` | `{short(prop)}` |")
    for name, prop in LINK_FIELDS.items():
        rows.append(f"| link `{name}` (on the `kg:Link` node) | `{short(prop)}` |")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- IRIs and terms


# A literal is a plain tuple (lexical form, datatype IRI or '' for a string): a million of
# them are made for a large corpus, and tuples cost a fraction of a NamedTuple.
Lit = tuple[str, str]
Term = str | Lit  # a str is an IRI
Block = tuple[str, list[tuple[str, Term]]]  # a subject and its (predicate, object) pairs

XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"
XSD_DOUBLE = XSD + "double"
XSD_DATE = XSD + "date"
TRUE: Lit = ("true", XSD_BOOLEAN)
FALSE: Lit = ("false", XSD_BOOLEAN)

# Characters no RDF syntax should carry raw: C0 controls but tab/newlines, surrogates,
# U+FFFE/U+FFFF (removed, as in GraphML, so every format says the same).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def text(value: str) -> Lit:
    """A plain string literal. Characters no RDF syntax should carry raw are removed by
    the writers (`clean`), in one pass over the whole output."""
    return (value, "")


def clean(value: str) -> str:
    """`value` without C0 controls (but tab and newlines), surrogates, U+FFFE/U+FFFF.

    >>> clean("a\\x00b\\x1bc")
    'abc'
    """
    return _NOT_TEXT.sub("", value) if _NOT_TEXT.search(value) else value


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


def check_base(base: str) -> str:
    """`base` if it can start kg's IRIs: an absolute IRI ending in ':', '/' or '#'."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", base) or _IRI_UNSAFE.search(base):
        raise ExportError(f"{base!r} is not an absolute IRI to start kg's IRIs with")
    if base[-1] not in ":/#":
        raise ExportError(f"the base IRI {base!r} must end with ':', '/' or '#'")
    return base


def namespaces(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The standard prefixes plus `note:` and `link:` under `base`."""
    sep = ":" if base.endswith(":") else "/"
    return {**PREFIXES, "link": f"{base}link{sep}", "note": f"{base}note{sep}"}


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

    for note in sub.notes.values():
        subject = iri[note.id]
        yield subject, _note_pairs(note) + direct.pop(subject, [])
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


# ---------------------------------------------------------------- writers

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')
# Local names the Turtle and JSON-LD writers may abbreviate (a safe subset of PN_LOCAL).
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


class _Compactor:
    """Abbreviates IRIs to prefix:local. Every namespace ends in '/', '#' or ':' and no
    local name kg writes contains one, so the namespace of an IRI is everything up to its
    last such character: one dict lookup instead of a scan over the prefixes."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_namespace = {namespace: prefix for prefix, namespace in prefixes.items()}

    def __call__(self, iri: str) -> str | None:
        cut = max(iri.rfind("/"), iri.rfind("#"), iri.rfind(":")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        if prefix is not None and _LOCAL.match(iri[cut:]):
            return f"{prefix}:{iri[cut:]}"
        return None


class _Terms(dict[str, str]):
    """IRI -> its written form, computed on first use (a subscript, not a call, per term)."""

    def __init__(self, render: Callable[[str], str]) -> None:
        super().__init__()
        self.render = render

    def __missing__(self, iri: str) -> str:
        shown = self[iri] = self.render(iri)
        return shown


_standard = _Compactor(PREFIXES)


def compact(iri: str) -> str | None:
    """`iri` as prefix:local with the standard prefixes, or None.

    >>> compact(CITO + "extends"), compact("urn:x")
    ('cito:extends', None)
    """
    return _standard(iri)


def shorten(value: Any, prefixes: dict[str, str] | None = None) -> str:
    """A result value for people: IRIs as prefix:local where a prefix fits.

    >>> shorten("urn:kg:note:why-x"), shorten(3)
    ('note:why-x', '3')
    """
    text_value = str(value)
    if isinstance(value, str) and ":" in text_value:
        found = _Compactor(prefixes or namespaces())(text_value)
        if found is not None:
            return found
    return text_value


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
    short = _Compactor(prefixes)
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
    short = _Compactor(prefixes)
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
                shown = quote(clean(literal))
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


def serialize(sub: SubGraph, format: str = "turtle", base: str = DEFAULT_BASE) -> bytes:
    """The subgraph as RDF bytes: 'turtle', 'nt' or 'jsonld' from the streaming writer,
    any other rdflib format name ('xml', 'n3', 'trig', ...) through rdflib."""
    fmt = {"ttl": "turtle", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt"}.get(
        format, format
    )
    if fmt == "nt":
        return encode_clean(_ntriples(blocks(sub, base)))
    if fmt == "turtle":
        return encode_clean(_turtle(blocks(sub, base), namespaces(base)))
    if fmt == "jsonld":
        return _jsonld(blocks(sub, base), namespaces(base)).encode("utf-8")
    try:
        data = to_rdflib(sub, base).serialize(format=fmt, encoding="utf-8")
    except Exception as error:  # rdflib raises its own plugin errors for unknown formats
        raise ExportError(f"cannot write RDF as {format!r}: {error}") from error
    return data if isinstance(data, bytes) else data.encode("utf-8")


# ---------------------------------------------------------------- rdflib and SPARQL


def to_rdflib(sub: SubGraph, base: str = DEFAULT_BASE) -> rdflib.Graph:
    """The triples of `serialize` as an `rdflib.Graph`, with the prefixes bound."""
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
                    value = clean(value)
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


def sparql(graph: rdflib.Graph, query: str) -> Result:
    """Run a SPARQL query over `graph`; the prefixes of `PREFIXES` (and `note:`, `link:`
    as bound on the graph) need no PREFIX lines. Raises `KgError` on a malformed query."""
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
    """The rows of a SELECT result as dicts of plain Python values."""
    names = [str(v) for v in result.vars or []]
    rows: Iterable[Any] = result
    return [{name: python_value(row[i]) for i, name in enumerate(names)} for row in rows]


def validate(graph: rdflib.Graph, shapes: str | Path | None = None) -> tuple[bool, str]:
    """Check `graph` against kg's SHACL shapes with pySHACL: (conforms, report text)."""
    try:
        import pyshacl
    except ImportError as error:
        raise KgError("validating needs pySHACL: pip install pyshacl") from error
    from rdflib import Graph

    shapes_graph = Graph().parse(str(shapes or SHAPES), format="turtle")
    conforms, _, report = pyshacl.validate(
        graph, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=False
    )
    return bool(conforms), str(report)
