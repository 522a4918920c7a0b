"""Inline mentions: the known titles a page's running text names, and the question-shaped
titles it cites that no page has (stubs), each link keeping the sentence it is in.

Every known title is found at once by one Aho-Corasick automaton (`kg.text.TitleMatcher`)
over each paragraph; question-shaped citations (`kg.sentences.question_mentions`) that no known
title covers become stub notes, in the order they are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kg.graph.vault import outside_code
from kg.model import LinkKind, NoteKind, Page, Paragraph
from kg.parse.share import share_out, share_workers
from kg.sentences import question_mentions, sentences_at
from kg.text import TitleMatcher, fold

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
    builder: GraphBuilder,
    pages: Sequence[Page],
    matcher: TitleMatcher | None = None,
    workers: int | None = 1,
) -> None:
    """Inline mentions: known titles in running text, then question-shaped unknown ones.

    What each page's scan reads of nothing but the page and the titles searched for
    (`_prepare`: its paragraphs folded, the titles found, the question-shaped citations,
    each candidate's sentence) is worked out first, shared among `workers` processes
    (`kg.parse.share`; one by default, None for one per core); then, page by page in the
    order given, what depends on the notes known so far (stubs for questions, the links)."""
    if matcher is None:
        builder.searched = searched_titles(builder)
        matcher = TitleMatcher(builder.searched)
    recording = builder.recording
    noted = [builder.note_of(page) for page in pages]

    def prepare(start: int, stop: int) -> list[Prepared | None]:
        return [
            None if me is None else _prepare(page, me, matcher, recording)
            for page, me in zip(pages[start:stop], noted[start:stop], strict=True)
        ]

    prepared = share_out(prepare, len(pages), workers=share_workers(len(pages), workers))
    for page, me, ready in zip(pages, noted, prepared, strict=True):
        if me is None or ready is None:
            continue
        builder.begin(page)
        folded, found = ready
        if builder.events is not None and folded:
            builder.folded.setdefault(builder.current, []).extend(folded)
        if page.variant == "markdown" and builder.vault is not None:
            # Obsidian's rules: written links resolved by file; no question stubs.
            questions: list[list[tuple[int, int]]] = [[] for _ in page.body]
            wikilinked = builder.vault.add_page_links(page, me, questions)
            for paragraph, asked, (hits, _) in zip(page.body, questions, found, strict=True):
                _scan(builder, page, me, paragraph, asked, list(hits), wikilinked, None)
            continue
        questions = [asked for _, asked, _ in found]
        wikilinked = _add_wikilinks(builder, page, me, questions)
        for paragraph, (hits, asked, sentence_of) in zip(page.body, found, strict=True):
            _scan(builder, page, me, paragraph, asked, list(hits), wikilinked, sentence_of)
        if page.connections:
            _add_connections(builder, page, me)


# What `_prepare` finds in one page: its paragraphs folded (when the build records them),
# and per paragraph the titles found (start, end, note id) and, for a site page, the
# question-shaped citations and the sentence at each place a mention may start.
Prepared = tuple[list[str], list[tuple[Any, ...]]]


def _prepare(page: Page, me: str, matcher: TitleMatcher, recording: bool) -> Prepared:
    """The part of a page's mention scan (the page is note `me`'s) that reads only the
    page and the searched titles, as plain values (a helper sends them with `marshal`)."""
    folded_texts: list[str] = []
    found: list[tuple[Any, ...]] = []
    markdown = page.variant == "markdown"
    for paragraph in page.body:
        text = paragraph.text
        folded = fold(text)
        if recording:
            folded_texts.append(folded)
        hits = matcher.find(folded)
        if hits and markdown:
            hits = outside_code(text, hits)
        if markdown:
            found.append((hits, None))
            continue
        questions = question_mentions(text)
        starts = [start for start, _, note_id in hits if note_id != me]  # never its own
        for start, end in questions:
            if not any(a < end and start < b for a, b, _ in hits):
                starts.append(start)
        # A sentence depends on the titles and questions it must not be cut in, never
        # on which of the places asked for are kept: each is worked out here once.
        starts.sort()
        covered = [(a, b) for a, b, _ in hits]
        sentences = sentences_at(text, starts, covered, questions) if starts else []
        found.append((hits, questions, dict(zip(starts, sentences, strict=True))))
    return folded_texts, found


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
    hits: list[tuple[int, int, str]],
    skip: set[str],
    sentence_of: dict[int, str | None] | None,
) -> None:
    """The mentions of one paragraph from the titles found in it (`hits`): known titles,
    then the question-shaped citations no known title covers (stubs when no note has
    their title); each link's sentence from `sentence_of` (by where the mention starts)
    when `_prepare` found them, else cut here."""
    if not hits and not questions:
        return
    text = paragraph.text
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
    if sentence_of is None:
        sentences = sentences_at(text, [start for start, _, _ in kept], covered, questions)
    else:
        sentences = [sentence_of[start] for start, _, _ in kept]
    append, path = builder.links.append, page.path
    for (_start, _end, note_id), sentence in zip(kept, sentences, strict=True):
        append((me, note_id, _MENTIONS, path, line, None, "", sentence or text, "", "", "", ""))
