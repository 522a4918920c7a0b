"""Inquiring lines of the notes site: title, description, body, the sources with their
summaries (paired with the titles the body cites when the page lists summaries only) and
the next inquiring lines.
"""

from __future__ import annotations

import re

from kg.model import Counts, Paragraph, Severity, SourceEntry, TitledRef
from kg.parse.site_reader import (
    LIST_ITEM,
    NEXT_HEADER,
    SOURCES_CUT,
    SOURCES_HEADER,
    TERMINAL,
    Line,
    Reader,
    header_prefix,
    is_header,
    read_head,
    truncated_tail,
)
from kg.parse.vocabulary import CategoryVocabulary
from kg.sentences import question_mentions


def parse_line(
    content: list[Line], reader: Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    """Read the fields of an inquiring line from its non-blank lines.

    Parameters
    ----------
    content : list of Line
        The page's non-blank lines after the banner; interface lines already have their role.
    reader : Reader
        Records each line's role and the page's diagnostics.
    vocabulary : CategoryVocabulary
        Category names to split a run-together category line with.
    banner : bool
        Whether the page carried a banner (the banner variant).

    Returns
    -------
    dict
        Keyword arguments of `Page` (and ``title_line``, the title's line number), read by
        `kg.parse.site.parse_page`.

    Examples
    --------
    >>> from kg.parse.site_reader import Line, Reader
    >>> from kg.parse.vocabulary import CategoryVocabulary
    >>> lines = [Line(1, "Why X?"), Line(2, "This explores X."), Line(3, "Sources 1 note"),
    ...          Line(4, "Does Y hold?"), Line(5, "Y holds.")]
    >>> fields = parse_line(lines, Reader("p", [""] * 5, last=5), CategoryVocabulary.default(), False)
    >>> [(s.title, s.summary) for s in fields["sources"]], fields["truncated"]
    ([('Does Y hold?', 'Y holds.')], False)
    """
    fields, index = read_head(content, reader, ("title", "description"))
    body: list[Paragraph] = []
    raw_sources: list[tuple[Line | None, Line | None]] = []
    next_lines: list[TitledRef] = []
    declared: int | None = None
    uncertain: tuple[str, ...] = ()
    section = "body"
    pending_title: Line | None = None
    for line in content[index:]:
        text = line.text
        if reader.roles[line.number - 1] == "interface":
            continue
        if reader.is_last(line) and not TERMINAL.search(text) and not is_header(text):
            # The copy ends on this line, unfinished: it is no source, summary or next line.
            cut_sources = SOURCES_CUT.match(text)
            if cut_sources and declared is None:
                declared, uncertain = int(cut_sources.group(1)), ("sources",)
                reader.role(line, "header")
                continue
            if section != "body" or header_prefix(text):
                reader.cut(line)
                continue
        sources = SOURCES_HEADER.match(text)
        if sources:
            if declared is not None:
                reader.warn(line, "a second 'Sources' header; its sources are added")
            declared = int(sources.group(1))
            section = "sources"
            reader.role(line, "header")
            continue
        if NEXT_HEADER.match(text):
            section = "next"
            reader.role(line, "header")
            continue
        if section == "body":
            reader.role(line, "body")
            body.append(Paragraph(text, line.number))
        elif section == "sources":
            looks_like_title = text.endswith("?") and len(text) <= 250 and len(text.split()) <= 30
            if looks_like_title:
                if pending_title is not None:
                    raw_sources.append((pending_title, None))
                pending_title = line
            else:
                raw_sources.append((pending_title, line))
                pending_title = None
        else:
            item = LIST_ITEM.match(text)
            if item:
                reader.role(line, "next")
                next_lines.append(TitledRef(item.group(1).strip(), line.number))
            else:
                reader.skip(line, "not a list item in 'Next inquiring lines'")
    if pending_title is not None:
        raw_sources.append((pending_title, None))
    for title_line, summary_line in raw_sources:
        if title_line:
            reader.role(title_line, "source-title")
        if summary_line:
            reader.role(summary_line, "source-summary")
    entries = _pair_sources(raw_sources, body, fields.get("title", ""), reader)
    if declared is not None and len(entries) != declared and reader.roles[reader.last - 1] != "cut":
        reader.warn(
            None,
            f"'Sources {declared} notes' lists {len(entries)}; all listed are kept "
            "and the declared count is recorded",
        )
    last = content[-1] if content else None
    last_role = reader.roles[last.number - 1] if last is not None else ""
    ends_cleanly = last is not None and (
        last_role in ("header", "next", "source-title", "interface")
        or (last_role != "cut" and not truncated_tail(content))
    )
    truncated = declared is None or not ends_cleanly or bool(uncertain)
    fields.update(
        body=tuple(body),
        sources=tuple(entries),
        next_lines=tuple(next_lines),
        counts=Counts(sources=declared, uncertain=uncertain),
        truncated=truncated,
    )
    return fields


def _pair_sources(
    raw: list[tuple[Line | None, Line | None]],
    body: list[Paragraph],
    own_title: str,
    reader: Reader,
) -> list[SourceEntry]:
    """Source entries; summaries listed without titles get the titles the body cites, in order.

    The main-text variant lists summaries only, in the order the body first cites the
    notes. When the counts differ, an order-preserving alignment by word overlap decides.
    """
    mentioned: list[tuple[str, str]] = []  # (title, sentence-ish context)
    seen = {own_title}
    for paragraph in body:
        for start, end in question_mentions(paragraph.text):
            title = paragraph.text[start:end]
            if title not in seen:
                seen.add(title)
                context = paragraph.text[max(0, start - 200) : end + 200]
                mentioned.append((title, context))
    listed = {t.text for t, _ in raw if t is not None}
    candidates = [(t, c) for t, c in mentioned if t not in listed]
    untitled = [i for i, (t, s) in enumerate(raw) if t is None and s is not None]
    assignment: dict[int, str] = {}
    if untitled and candidates:
        if len(untitled) == len(candidates):
            assignment = {i: candidates[k][0] for k, i in enumerate(untitled)}
        else:
            summaries = [raw[i][1].text for i in untitled]  # type: ignore[union-attr]
            pairs = _align(summaries, [f"{t} {c}" for t, c in candidates])
            assignment = {untitled[a]: candidates[b][0] for a, b in pairs}
            reader.warn(
                None,
                f"{len(untitled)} source summaries without titles but the body cites "
                f"{len(candidates)} notes; paired {len(pairs)} by word overlap",
                Severity.INFO,
            )
    entries = []
    for i, (title_line, summary_line) in enumerate(raw):
        source_title = title_line.text if title_line else assignment.get(i)
        summary = summary_line.text if summary_line else ""
        number = (title_line or summary_line).number  # type: ignore[union-attr]
        entries.append(SourceEntry(source_title, summary, number))
        if source_title is None:
            reader.warn(
                summary_line,
                "source summary with no title to pair it with; kept untitled",
                Severity.INFO,
            )
    return entries


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}


def _align(left: list[str], right: list[str]) -> list[tuple[int, int]]:
    """Order-preserving pairing of two lists maximizing word overlap (a small DP)."""
    lw = [_words(t) for t in left]
    rw = [_words(t) for t in right]
    n, m = len(left), len(right)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            overlap = len(lw[i] & rw[j]) / (1 + len(lw[i] | rw[j])) if lw[i] and rw[j] else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], overlap + best[i + 1][j + 1])
    pairs = []
    i = j = 0
    while i < n and j < m:
        overlap = len(lw[i] & rw[j]) / (1 + len(lw[i] | rw[j])) if lw[i] and rw[j] else 0.0
        if overlap > 0 and abs(best[i][j] - (overlap + best[i + 1][j + 1])) < 1e-12:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs
