"""Pages as plain tuples, for handing parsed files from one process to another.

A worker process that parses files (`kg.parse.parallel`) sends its pages back as nested
tuples of text, numbers, booleans and None, written with `marshal`: no class is named in
the data, so reading it builds nothing but those values, and then `decode_page` builds
the `Page` from them. Both ends are this module, so the field order is shared; a
`Page` decoded is equal to the one encoded.

>>> from kg.model import NoteKind, Page, Paragraph
>>> page = Page("a.txt", NoteKind.LINE, "main", "Why A?", body=(Paragraph("A holds.", 3),))
>>> decode_page(encode_page(page)) == page
True
"""

from __future__ import annotations

from itertools import starmap
from typing import Any

from kg.model import (
    Card,
    ConceptMap,
    Counts,
    Diagnostic,
    NoteKind,
    Page,
    Paragraph,
    RelatedEntry,
    Severity,
    SourceEntry,
    TitledRef,
    WrittenLink,
)

# One parsed file: the page (encoded; None when the file made none) and the problems of
# reading it, those of parsing it excluded (the page carries them).
Encoded = tuple[Any, ...]


def _pairs(refs: tuple[TitledRef, ...]) -> tuple[tuple[str, int], ...]:
    return tuple((ref.title, ref.line) for ref in refs)


def _refs(pairs: tuple[tuple[str, int], ...]) -> tuple[TitledRef, ...]:
    return tuple(starmap(TitledRef, pairs))


def encode_diagnostics(items: tuple[Diagnostic, ...] | list[Diagnostic]) -> tuple[Any, ...]:
    """Diagnostics as tuples (`decode_diagnostics` reads them back)."""
    return tuple((d.path, d.line, d.severity.value, d.message, d.code) for d in items)


def decode_diagnostics(items: tuple[Any, ...]) -> tuple[Diagnostic, ...]:
    """The diagnostics `encode_diagnostics` wrote."""
    return tuple(
        Diagnostic(path, line, Severity(severity), message, code)
        for path, line, severity, message, code in items
    )


def _counts(counts: Counts) -> tuple[Any, ...]:
    return (
        counts.uses,
        counts.related,
        counts.papers,
        counts.sources,
        counts.notes,
        counts.source_papers,
        counts.sections,
        counts.uncertain,
    )


def encode_page(page: Page) -> tuple[Any, ...]:
    """`page` as nested tuples of plain values, in `Page`'s field order."""
    figures = page.concept_map
    return (
        page.path,
        page.kind.value,
        page.variant,
        page.title,
        page.title_line,
        page.description,
        page.claim,
        page.categories,
        page.date,
        page.collection,
        _pairs(page.hubs),
        tuple((p.text, p.line) for p in page.body),
        _pairs(page.uses),
        tuple(
            (r.title, r.description, r.label, r.annotation, r.relation, r.line)
            for r in page.related
        ),
        _pairs(page.papers),
        tuple((s.title, s.summary, s.line) for s in page.sources),
        _pairs(page.next_lines),
        tuple((c.title, c.description, c.section, c.line) for c in page.cards),
        _pairs(page.wikilinks),
        None if figures is None else (figures.direct, figures.two_hop, figures.cluster),
        _counts(page.counts),
        page.arxiv,
        page.tags,
        page.aliases,
        page.truncated,
        page.roles,
        encode_diagnostics(page.diagnostics),
        page.deployment,
        _pairs(page.connections),
        tuple((w.target, w.line, w.anchor, w.shown, w.embed, w.markdown) for w in page.links),
        _pairs(page.tag_refs),
        page.properties_json,
    )


def decode_page(data: tuple[Any, ...]) -> Page:
    """The `Page` that `encode_page` wrote as `data`."""
    (
        path,
        kind,
        variant,
        title,
        title_line,
        description,
        claim,
        categories,
        date,
        collection,
        hubs,
        body,
        uses,
        related,
        papers,
        sources,
        next_lines,
        cards,
        wikilinks,
        figures,
        counts,
        arxiv,
        tags,
        aliases,
        truncated,
        roles,
        diagnostics,
        deployment,
        connections,
        links,
        tag_refs,
        properties_json,
    ) = data
    return Page(
        path,
        NoteKind(kind),
        variant,
        title,
        title_line,
        description,
        claim,
        categories,
        date,
        collection,
        _refs(hubs),
        tuple(starmap(Paragraph, body)),
        _refs(uses),
        tuple(starmap(RelatedEntry, related)),
        _refs(papers),
        tuple(starmap(SourceEntry, sources)),
        _refs(next_lines),
        tuple(starmap(Card, cards)),
        _refs(wikilinks),
        None if figures is None else ConceptMap(*figures),
        Counts(*counts),
        arxiv,
        tags,
        aliases,
        truncated,
        roles,
        decode_diagnostics(diagnostics),
        deployment,
        _refs(connections),
        tuple(starmap(WrittenLink, links)),
        _refs(tag_refs),
        properties_json,
    )


def encode_parsed(page: Page | None, problems: list[Diagnostic]) -> Encoded:
    """One file's `parse_file` result as plain tuples: the page, and the problems of
    reading the file (the first ones of `problems`; the page's own follow them)."""
    if page is None:
        return (None, encode_diagnostics(problems))
    read = len(problems) - len(page.diagnostics)
    return (encode_page(page), encode_diagnostics(problems[:read]))


def decode_parsed(data: Encoded) -> tuple[Page | None, list[Diagnostic]]:
    """The `parse_file` result `encode_parsed` wrote."""
    encoded, read = data
    problems = list(decode_diagnostics(read))
    if encoded is None:
        return None, problems
    page = decode_page(encoded)
    return page, problems + list(page.diagnostics)
