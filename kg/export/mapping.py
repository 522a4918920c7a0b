"""How kg's kinds meet standard vocabularies: the one RDF mapping every RDF writer uses.

Every note becomes `<BASE>note:<slug>` (BASE defaults to `urn:kg:`), typed `kg:Note`,
its kind's class and a standard class (`NOTE_CLASSES`). Every link becomes a direct
triple with the property of its kind (`LINK_PROPERTIES`; related links use the CiTO
property of their relation, `RELATION_PROPERTIES`) and a qualified node
`<BASE>link:<hash>` (a `kg:Link`) that keeps what the triple cannot: the raw relation
label, the annotation, order, section, the sentence of a mention, and the file and line
it was read from (`LINK_FIELDS`). Related links are also `cito:Citation`s, sources
`prov:Derivation`s. `kg.export.triples` applies the mapping to a subgraph.

>>> relation_property("contradicts") == CITO + "disagreesWith"
True
>>> link_property(Link("a", "b", LinkKind.TOPIC)).inverse
True
>>> namespaces("https://example.org/kg/")["note"]
'https://example.org/kg/note/'
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from kg.errors import ExportError
from kg.model import Link, LinkKind, NoteKind

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
# Computed by kg, not declared: how many disagreeing relations touch a note
# (`kg.graph.contested`); written when more than none.
DISAGREEMENTS_PROPERTY = KG + "disagreements"
# Computed by kg on the whole corpus (`kg.graph.communities`): a clustered note's cluster
# number, its cluster's name and the note's bridge score; nothing for a note in no cluster.
CLUSTER_PROPERTY = KG + "cluster"
CLUSTER_NAME_PROPERTY = KG + "clusterName"
BRIDGE_PROPERTY = KG + "bridgeScore"

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
    rows.append(
        f"| note's disagreements (relations that contradict or qualify it, or that it "
        f"writes; computed) | `{short(DISAGREEMENTS_PROPERTY)}` |"
    )
    rows.append(f"| note's cluster (`g.clusters()`; computed) | `{short(CLUSTER_PROPERTY)}` |")
    rows.append(f"| note's cluster name (computed) | `{short(CLUSTER_NAME_PROPERTY)}` |")
    rows.append(
        f"| note's bridge score (`g.bridge_scores()`; computed) | `{short(BRIDGE_PROPERTY)}` |"
    )
    for name, prop in LINK_FIELDS.items():
        rows.append(f"| link `{name}` (on the `kg:Link` node) | `{short(prop)}` |")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- IRIs

_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


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


# Local names the Turtle and JSON-LD writers may abbreviate (a safe subset of PN_LOCAL).
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


class Compactor:
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


_standard = Compactor(PREFIXES)


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
        found = Compactor(prefixes or namespaces())(text_value)
        if found is not None:
            return found
    return text_value
