"""Inline mentions: the known titles a page's running text names, and the question-shaped
titles it cites that no page has (stubs), each link keeping the sentence it is in.

Every known title is found at once by one Aho-Corasick automaton (`kg.text.TitleMatcher`)
over each paragraph; question-shaped citations (`kg.text.question_mentions`) that no known
title covers become stub notes, in the order they are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kg.graph.vault import outside_code
from kg.model import LinkKind, NoteKind, Page, Paragraph
from kg.text import TitleMatcher, fold, question_mentions, sentences_at

if TYPE_CHECKING:
    from kg.graph.build import GraphBuilder

# Titles shorter than this are not searched for in running text: too likely to be words.
MIN_MENTION_CHARS = 12
MIN_MENTION_WORDS = 3

_NOT_MENTIONED = frozenset({NoteKind.CATEGORY, NoteKind.ATTACHMENT, NoteKind.TAG})
_MENTIONS = LinkKind.MENTIONS.value


def searched_titles(builder: GraphBuilder) -> dict[str, str]:
    """The titles running text is searched for: folded title -> note id (a later note
    with the same folded title replaces one before)."""
    searched: dict[str, str] = {}
    notes = builder.notes
    for note_id in sorted(set(builder.by_key.values())):
        note = notes[note_id]
        title = fold(note.title)
        if (
            note.kind in _NOT_MENTIONED
            or len(title) < MIN_MENTION_CHARS
            or title.count(" ") + 1 < MIN_MENTION_WORDS
        ):
            continue
        searched[title] = note_id
    return searched


def add_mentions(
    builder: GraphBuilder, pages: Sequence[Page], matcher: TitleMatcher | None = None
) -> None:
    """Inline mentions: known titles in running text, then question-shaped unknown ones."""
    if matcher is None:
        builder.searched = searched_titles(builder)
        matcher = TitleMatcher(builder.searched)
    for page in pages:
        me = builder.note_of(page)
        if me is None:
            continue
        builder.begin(page)
        if page.variant == "markdown" and builder.vault is not None:
            # Obsidian's rules: written links resolved by file; no question stubs.
            questions: list[list[tuple[int, int]]] = [[] for _ in page.body]
            wikilinked = builder.vault.add_page_links(page, me, questions)
            for paragraph, asked in zip(page.body, questions, strict=True):
                _scan(builder, page, me, paragraph, asked, matcher, wikilinked)
            continue
        questions = [question_mentions(paragraph.text) for paragraph in page.body]
        wikilinked = _add_wikilinks(builder, page, me, questions)
        for paragraph, asked in zip(page.body, questions, strict=True):
            _scan(builder, page, me, paragraph, asked, matcher, wikilinked)
        if page.connections:
            _add_connections(builder, page, me)


def _add_connections(builder: GraphBuilder, page: Page, me: str) -> None:
    """The titles an older-deployment note lists on its "Connections:" line: cited
    notes, so mentions, the line itself standing as their sentence."""
    sentence = "Connections: " + ", ".join(ref.title for ref in page.connections)
    for ref in page.connections:
        target = builder.ensure(ref.title, NoteKind.SYNTHESIS, page, ref.line)
        builder.link(page, me, target, LinkKind.MENTIONS, ref.line, sentence=sentence)


def _add_wikilinks(
    builder: GraphBuilder, page: Page, me: str, questions: list[list[tuple[int, int]]]
) -> set[str]:
    targets: set[str] = set()
    if not page.wikilinks:
        return targets
    for ref in page.wikilinks:
        target = builder.ensure(ref.title, NoteKind.SYNTHESIS, page, ref.line)
        if target is None:
            continue
        targets.add(target)
        at = _paragraph_at(page.body, ref.line)
        sentence = ""
        if at is not None:
            found = page.body[at]
            position = found.text.find(builder.notes[target].title)
            if position >= 0:
                sentence = (
                    sentences_at(found.text, [position], (), questions[at])[0] or found.text[:300]
                )
            else:
                sentence = found.text[:300]
        builder.link(page, me, target, LinkKind.MENTIONS, ref.line, sentence=sentence)
    return targets


def _paragraph_at(body: Sequence[Paragraph], line: int) -> int | None:
    """The index of the paragraph that holds `line` (the last one starting at or before it)."""
    best = None
    for index, paragraph in enumerate(body):
        if paragraph.line <= line:
            best = index
    return best


def _scan(
    builder: GraphBuilder,
    page: Page,
    me: str,
    paragraph: Paragraph,
    questions: list[tuple[int, int]],
    matcher: TitleMatcher,
    skip: set[str],
) -> None:
    """The mentions of one paragraph: known titles, then the question-shaped citations
    no known title covers (stubs when no note has their title)."""
    text = paragraph.text
    folded = fold(text)
    if builder.events is not None:
        builder.folded.setdefault(builder.current, []).append(folded)
    hits = matcher.find(folded)
    if hits and page.variant == "markdown":
        hits = outside_code(text, hits)
    if not hits and not questions:
        return
    covered = [(a, b) for a, b, _ in hits]
    line = paragraph.line
    if questions:
        ensure = builder.ensure
        for start, end in questions:
            if any(a < end and start < b for a, b in covered):
                continue
            note_id = ensure(text[start:end], NoteKind.SYNTHESIS, page, line)
            if note_id is not None:
                hits.append((start, end, note_id))
                covered.append((start, end))
        if not hits:
            return
        hits.sort()
    kept = [hit for hit in hits if hit[2] != me and hit[2] not in skip]
    if not kept:
        return
    sentences = sentences_at(text, [start for start, _, _ in kept], covered, questions)
    append, path = builder.links.append, page.path
    for (_start, _end, note_id), sentence in zip(kept, sentences, strict=True):
        append((me, note_id, _MENTIONS, path, line, None, "", sentence or text, "", "", "", ""))
