"""The JSON forms of kg's data, written once: notes (with their counts, copies and
properties) as the index stores them, and front-matter properties as notes keep them.

Links have one JSON form too (`link_to_json` / `link_from_json`), which `kg show --json`,
`kg neighbours --json`, `kg path --json` and `kg export --format json` write.

The index, `kg show --json`, `kg export --format json` and GraphML all go through
`note_to_json` / `note_from_json`, so a note reads the same wherever it is written.

>>> from kg.model import Note, NoteKind, Counts
>>> note = Note(id="a", title="Does A hold?", kind=NoteKind.SYNTHESIS, counts=Counts(uses=4))
>>> note_from_json(note_to_json(note)) == note
True
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

from kg.model import (
    ConceptMap,
    Counts,
    Link,
    LinkKind,
    Note,
    NoteKind,
    PageCopy,
    Paragraph,
    SourceEntry,
)
from kg.properties import property_columns, scalar


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


# ASCII output and no circular check: the fastest the C encoder goes (a self-referencing
# YAML value ends in RecursionError, handled below).
_ENCODER = json.JSONEncoder(default=_json_default, check_circular=False)


def properties_to_json(meta: dict[str, Any]) -> str:
    """Front matter as one JSON object (dates as ISO text): how notes keep it, cheaply.

    >>> import datetime as dt
    >>> print(properties_to_json({"date": dt.date(2026, 1, 2), "tags": ["é"], "n": {1: "x"}}))
    {"date": "2026-01-02", "tags": ["\\u00e9"], "n": {"1": "x"}}
    >>> loop = []; loop.append(loop)
    >>> properties_to_json({"a": loop})
    '{"a": "[[...]]"}'
    """
    try:
        return _ENCODER.encode(meta)
    except (TypeError, ValueError, RecursionError):  # a date as a key, a YAML self-reference
        try:
            return json.dumps({str(k): _plain(v) for k, v in meta.items()}, default=str)
        except (TypeError, ValueError, RecursionError):
            return json.dumps({str(k): str(v) for k, v in meta.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


_COUNT_FIELDS = tuple(f.name for f in fields(Counts) if f.name != "uncertain")


def counts_to_json(counts: Counts) -> dict[str, Any]:
    """The counts a page declared, as JSON: the figures given, and which are uncertain."""
    out: dict[str, Any] = {
        name: value for name in _COUNT_FIELDS if (value := getattr(counts, name)) is not None
    }
    if counts.uncertain:
        out["uncertain"] = list(counts.uncertain)
    return out


def counts_from_json(item: dict[str, Any]) -> Counts:
    return Counts(
        **{name: item[name] for name in _COUNT_FIELDS if name in item},
        uncertain=tuple(item.get("uncertain", ())),
    )


def copy_to_json(copy: PageCopy) -> dict[str, Any]:
    """One page copy of a merged note as JSON (its file, deployment, counts, ...)."""
    cm = copy.concept_map
    return {
        "file": copy.file,
        "deployment": copy.deployment,
        "variant": copy.variant,
        "title": copy.title,
        "counts": counts_to_json(copy.counts),
        "concept_map": [cm.direct, cm.two_hop, cm.cluster] if cm else None,
        "truncated": copy.truncated,
        "description": copy.description,
    }


def note_to_json(note: Note, *, body: bool = True, properties: bool = True) -> dict[str, Any]:
    """A note as JSON; `body` and `properties` False leave those out (the index keeps
    them in columns of their own, `kg.index.rows`)."""
    out: dict[str, Any] = {"id": note.id, "title": note.title, "kind": note.kind.value}
    if note.stub:
        out["stub"] = True
    for name in ("description", "claim", "date", "collection", "arxiv"):
        value = getattr(note, name)
        if value:
            out[name] = value
    for name in ("categories", "tags", "aliases", "files"):
        value = getattr(note, name)
        if value:
            out[name] = list(value)
    if body and note.body:
        out["body"] = [[p.text, p.line] for p in note.body]
    if note.sources:
        out["sources"] = [[s.title, s.summary, s.line] for s in note.sources]
    if note.concept_map:
        cm = note.concept_map
        out["concept_map"] = [cm.direct, cm.two_hop, cm.cluster]
    counts = counts_to_json(note.counts)
    if counts:
        out["counts"] = counts
    if note.truncated:
        out["truncated"] = True
    if note.copies:
        out["copies"] = [copy_to_json(c) for c in note.copies]
    listed = counts_to_json(note.listed)
    if listed:
        out["listed"] = listed
    if properties and note.properties_json:
        out["properties"] = note.properties_json  # one JSON object, as text
    return out


def note_from_json(item: dict[str, Any]) -> Note:
    cm = item.get("concept_map")
    return Note(
        id=item["id"],
        title=item["title"],
        kind=NoteKind(item["kind"]),
        stub=item.get("stub", False),
        description=item.get("description", ""),
        claim=item.get("claim", ""),
        categories=tuple(item.get("categories", ())),
        date=item.get("date", ""),
        collection=item.get("collection", ""),
        body=tuple(Paragraph(t, ln) for t, ln in item.get("body", ())),
        sources=tuple(SourceEntry(t, s, ln) for t, s, ln in item.get("sources", ())),
        concept_map=ConceptMap(cm[0], cm[1], cm[2]) if cm else None,
        counts=counts_from_json(item.get("counts", {})),
        arxiv=item.get("arxiv", ""),
        tags=tuple(item.get("tags", ())),
        aliases=tuple(item.get("aliases", ())),
        truncated=item.get("truncated", False),
        files=tuple(item.get("files", ())),
        copies=tuple(
            PageCopy(
                c["file"],
                c["deployment"],
                c["variant"],
                c["title"],
                counts_from_json(c["counts"]),
                ConceptMap(*c["concept_map"]) if c["concept_map"] else None,
                c["truncated"],
                c.get("description", ""),
            )
            for c in item.get("copies", ())
        ),
        listed=counts_from_json(item.get("listed", {})),
        properties_json=_properties_text(item.get("properties")),
    )


def _properties_text(value: Any) -> str:
    """Front-matter properties as `Note.properties_json` holds them: the index keeps the
    text, an exported JSON file the object."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- scalar forms (networkx, GraphML)

# The attributes a networkx or GraphML user sees: strings, integers and booleans only,
# empty fields left out, lists joined by DELIMITER. `KnowledgeGraph.nx` and
# `SubGraph.to_networkx()` write the same schema.
DELIMITER = "; "
DECLARED_COUNTS = ("uses", "related", "papers", "sources", "notes", "source_papers", "sections")
_LINK_TEXT = ("relation", "label", "annotation", "summary", "sentence", "section")
# XML 1.0 Char excludes C0 controls but tab, LF and CR; surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold.

    >>> xml_text("a\\x00b\\x1bc\\td")
    'abc\\td'
    """
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def _xml_safe(values: dict[str, Any]) -> dict[str, Any]:
    if not _NOT_XML.search("".join([v for v in values.values() if isinstance(v, str)])):
        return values  # one search over all the text: nearly always nothing to remove
    return {k: xml_text(v) if isinstance(v, str) else v for k, v in values.items()}


# Every attribute `note_scalars` writes of its own: a front-matter property of one of
# these names is written as `property_NAME` (`kg.properties.PREFIX`).
NOTE_ATTRIBUTES = frozenset(
    {"kind", "title", "label", "stub", "description", "claim", "date", "collection", "arxiv"}
    | {"categories", "tags", "aliases", "files", "truncated"}
    | {f"declared_{name}" for name in (*DECLARED_COUNTS, "direct", "two_hop", "cluster")}
)


_NOT_NAME = re.compile(r"[^\w.-]")


def attribute_name(name: str) -> str:
    """A property's name as a GraphML attribute name can be (an XML name token): every
    character but letters, digits, `.`, `-` and `_` as `_`.

    >>> attribute_name("sections.Open questions"), attribute_name("")
    ('sections.Open_questions', '_')
    """
    return _NOT_NAME.sub("_", name) or "_"


def note_scalars(note: Note, xml_safe: bool = True) -> dict[str, Any]:
    """A note as scalar attributes (title, kind, description, claim, categories joined,
    date, stub, truncated, declared counts...), XML-safe unless `xml_safe` is False
    (the GraphML writer cleans its whole document at once).

    Each front-matter property is an attribute of its own, a nested one named
    ``parent.child``: text, numbers and booleans as they are, lists as JSON text; one
    named as an attribute above is `property_NAME` (`kg.properties.property_columns`),
    and a character GraphML names cannot hold is `_` (`attribute_name`).

    >>> note_scalars(Note("a", "Why A?", NoteKind.SYNTHESIS, categories=("X", "Y")))
    {'kind': 'synthesis', 'title': 'Why A?', 'label': 'Why A?', 'stub': False, 'categories': 'X; Y'}
    """
    out: dict[str, Any] = {
        "kind": note.kind.value,
        "title": note.title,
        "label": note.title,
        "stub": note.stub,
    }
    for name in ("description", "claim", "date", "collection", "arxiv"):
        value = getattr(note, name)
        if value:
            out[name] = value
    for name in ("categories", "tags", "aliases", "files"):
        value = getattr(note, name)
        if value:
            out[name] = DELIMITER.join(value)
    if note.truncated:
        out["truncated"] = True
    for name in DECLARED_COUNTS:
        value = getattr(note.counts, name)
        if value is not None:
            out[f"declared_{name}"] = int(value)
    if note.concept_map is not None:
        out["declared_direct"] = note.concept_map.direct
        out["declared_two_hop"] = note.concept_map.two_hop
        out["declared_cluster"] = note.concept_map.cluster
    if note.properties_json:
        for name, value in property_columns(note.properties, NOTE_ATTRIBUTES).items():
            if (shown := scalar(value)) is not None:
                out[attribute_name(name)] = shown
    return _xml_safe(out) if xml_safe else out


def uniform_types(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` (attribute dicts) with each attribute of one type in all of them, as a
    GraphML key declares it: integers as floats where some value is a float, everything
    as text (JSON's spelling: `true`, `4`) where types mix otherwise. Changed in place.

    >>> uniform_types([{"r": 4, "s": True}, {"r": 4.5, "s": "yes"}, {"r": 1}])
    [{'r': 4.0, 's': 'true'}, {'r': 4.5, 's': 'yes'}, {'r': 1.0}]
    """
    types: dict[str, set[type]] = {}
    for row in rows:
        for name, value in row.items():
            types.setdefault(name, set()).add(type(value))
    mixed = {name: kinds for name, kinds in types.items() if len(kinds) > 1}
    if not mixed:
        return rows
    for row in rows:
        for name, kinds in mixed.items():
            value = row.get(name)
            if value is None or type(value) is str:
                continue
            if kinds == {int, float}:
                row[name] = float(value)
            else:
                row[name] = json.dumps(value)
    return rows


def link_scalars(link: Link, xml_safe: bool = True) -> dict[str, Any]:
    """A typed link as scalar attributes (kind, relation, label, annotation, order,
    sentence, section, file, line), XML-safe unless `xml_safe` is False.

    >>> from kg.model import LinkKind
    >>> link_scalars(Link("a", "b", LinkKind.RELATED, "a.md", 3, label="extends"))
    {'kind': 'related', 'label': 'extends', 'file': 'a.md', 'line': 3}
    """
    out: dict[str, Any] = {"kind": link.kind.value}
    for name in _LINK_TEXT:
        value = getattr(link, name)
        if value:
            out[name] = value
    if link.order is not None:
        out["order"] = int(link.order)
    if link.file:
        out["file"] = link.file
    out["line"] = int(link.line)
    return _xml_safe(out) if xml_safe else out


_LINK_OPTIONAL = ("order", "summary", "sentence", "label", "annotation", "relation", "section")


def link_to_json(link: Link) -> dict[str, Any]:
    """A link as JSON: its ends, kind, file and line, and the fields it has.

    Parameters
    ----------
    link
        The link.

    Returns
    -------
    dict
        ``source``, ``target``, ``kind``, ``file`` and ``line``, then whichever of
        ``order``, ``summary``, ``sentence``, ``label``, ``annotation``, ``relation`` and
        ``section`` are set (empty ones left out).

    Examples
    --------
    >>> link = Link("a", "b", LinkKind.RELATED, "a.md", 3, label="extends", relation="extends")
    >>> link_to_json(link)
    {'source': 'a', 'target': 'b', 'kind': 'related', 'file': 'a.md', 'line': 3, 'label': 'extends', 'relation': 'extends'}
    >>> link_from_json(link_to_json(link)) == link
    True
    """
    out: dict[str, Any] = {
        "source": link.source,
        "target": link.target,
        "kind": link.kind.value,
        "file": link.file,
        "line": link.line,
    }
    for name in _LINK_OPTIONAL:
        value = getattr(link, name)
        if value not in (None, ""):
            out[name] = value
    return out


def link_from_json(item: dict[str, Any]) -> Link:
    """The link `link_to_json` wrote (keys it does not know are an error, as for `Link`)."""
    fields = {k: v for k, v in item.items() if k not in ("source", "target", "kind")}
    return Link(item["source"], item["target"], LinkKind(item["kind"]), **fields)
