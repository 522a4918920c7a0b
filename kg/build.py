"""Build the typed graph from parsed pages: one node per note, one edge per typed link.

Pages that share a title become one note (their fields merged, every file kept);
titles known only from a list or a mention become stub notes; inline mentions are
found with one Aho-Corasick automaton over every known title.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import ahocorasick_rs

from kg.model import (
    Counts,
    Diagnostic,
    LinkKind,
    LinkRow,
    Note,
    NoteKind,
    Page,
    Paragraph,
    Severity,
)
from kg.text import clean_title, fold, normalize_title, question_mentions, sentences_at, slugify
from kg.vault import VaultLinker, add_markdown_notes, join_site_groups, outside_code

# Titles shorter than this are not searched for in running text: too likely to be words.
MIN_MENTION_CHARS = 12
MIN_MENTION_WORDS = 3
_VARIANT_RANK = {"markdown": 0, "main": 1, "banner": 2}
_NOT_MENTIONED = frozenset({NoteKind.CATEGORY, NoteKind.ATTACHMENT, NoteKind.TAG})


class GraphBuilder:
    """Accumulates notes and links; `finish()` returns them for `KnowledgeGraph`."""

    def __init__(self) -> None:
        self.notes: dict[str, Note] = {}  # id -> note
        self.by_key: dict[str, str] = {}  # normalized title -> id
        self.links: list[LinkRow] = []
        self.diagnostics: list[Diagnostic] = []
        self._ids: set[str] = set()
        self.by_path: dict[str, str] = {}  # file -> id of the note read from it
        self.vault: VaultLinker | None = None  # Markdown links, attachments, tags (kg.vault)

    # ------------------------------------------------------------ nodes

    def _new_id(self, title: str, prefix: str = "") -> str:
        base = prefix + slugify(title)
        candidate, n = base, 2
        while candidate in self._ids:
            candidate, n = f"{base}-{n}", n + 1
        self._ids.add(candidate)
        return candidate

    def add_pages(self, pages: Sequence[Page]) -> None:
        groups: dict[str, list[Page]] = defaultdict(list)
        markdown: list[Page] = []
        for page in pages:
            if not page.title:
                continue
            if page.variant == "markdown":
                markdown.append(page)  # a file is a note: never merged with another .md
                continue
            groups[normalize_title(page.title)].append(page)
        markdown = join_site_groups(markdown, groups)
        for key in sorted(groups):
            group = sorted(
                groups[key], key=lambda p: (p.truncated, _VARIANT_RANK[p.variant], p.path)
            )
            note = _merge(group, self._new_id(group[0].title))
            self.notes[note.id] = note
            self.by_key[key] = note.id
            self.by_path.update((p.path, note.id) for p in group)
            for alias in note.aliases:
                self.by_key.setdefault(normalize_title(alias), note.id)
            if len(group) > 1:
                self._report_merge(group)
        add_markdown_notes(self, markdown, pages)

    def note_of(self, page: Page) -> str | None:
        """The id of the note read from `page`."""
        return self.by_path.get(page.path)

    def _report_merge(self, group: list[Page]) -> None:
        kinds = {p.kind for p in group}
        claims = {p.claim for p in group if p.claim}
        files = ", ".join(p.path for p in group)
        if len(kinds) > 1 or len(claims) > 1:
            message = (
                f"{len(group)} different pages share the title {group[0].title!r} "
                f"({files}); merged into one note, every file kept"
            )
            severity = Severity.WARNING
        else:
            message = f"one note in {len(group)} files ({files}); merged"
            severity = Severity.INFO
        self.diagnostics.append(Diagnostic(group[0].path, group[0].title_line, severity, message))

    def ensure(self, title: str, kind: NoteKind, page: Page, line: int) -> str | None:
        """The id of the note titled `title`, creating a stub if the corpus has no page for it."""
        key = normalize_title(title)
        found = self.by_key.get(key)
        if found is not None:
            return found
        title = clean_title(title)
        if not title:
            self.diagnostics.append(
                Diagnostic(page.path, line, Severity.WARNING, "an empty title in a list; ignored")
            )
            return None
        note_id = self._new_id(title, "category-" if kind is NoteKind.CATEGORY else "")
        self.notes[note_id] = Note(
            id=note_id, title=title, kind=kind, stub=kind is not NoteKind.CATEGORY
        )
        self.by_key[key] = note_id
        return note_id

    # ------------------------------------------------------------ edges

    def link(
        self,
        page: Page,
        source: str | None,
        target: str | None,
        kind: LinkKind,
        line: int,
        order: int | None = None,
        summary: str = "",
        sentence: str = "",
        label: str = "",
        annotation: str = "",
        relation: str = "",
        section: str = "",
    ) -> None:
        if source is None or target is None:
            return
        if source == target:
            self._self_link(page, kind, line)
            return
        self.links.append(
            (
                source,
                target,
                kind.value,
                page.path,
                line,
                order,
                summary,
                sentence,
                label,
                annotation,
                relation,
                section,
            )
        )

    def _self_link(self, page: Page, kind: LinkKind, line: int) -> None:
        self.diagnostics.append(
            Diagnostic(
                page.path,
                line,
                Severity.WARNING,
                f"a {kind.value} link from the note to itself; ignored",
            )
        )

    def add_declared_links(self, page: Page) -> None:
        """Links a page lists explicitly: sources, related, papers, next lines, hubs, cards."""
        me = self.note_of(page)
        if me is None:
            return
        link, ensure = self.link, self.ensure
        for hub in page.hubs:
            link(page, me, ensure(hub.title, NoteKind.HUB, page, hub.line), LinkKind.HUB, hub.line)
        if page.uses:
            self._add_uses(page, me)
        for entry in page.related:
            target = ensure(entry.title, NoteKind.SYNTHESIS, page, entry.line)
            link(
                page,
                me,
                target,
                LinkKind.RELATED,
                entry.line,
                label=entry.label,
                annotation=entry.annotation,
                relation=entry.relation,
            )
        for rank, ref in enumerate(page.papers, start=1):
            target = ensure(ref.title, NoteKind.PAPER, page, ref.line)
            link(page, me, target, LinkKind.PAPER, ref.line, order=rank)
        for order, source in enumerate(page.sources, start=1):
            if source.title:
                target = ensure(source.title, NoteKind.SYNTHESIS, page, source.line)
                link(
                    page,
                    me,
                    target,
                    LinkKind.SOURCE,
                    source.line,
                    order=order,
                    summary=source.summary,
                )
        for order, ref in enumerate(page.next_lines, start=1):
            target = ensure(ref.title, NoteKind.LINE, page, ref.line)
            link(page, me, target, LinkKind.NEXT, ref.line, order=order)
        for card in page.cards:
            if page.kind is NoteKind.HUB and card.section.strip().lower() == "sub-maps":
                target = ensure(card.title, NoteKind.HUB, page, card.line)
                link(page, me, target, LinkKind.SUBMAP, card.line, section=card.section)
            elif page.kind is NoteKind.HUB:
                target = ensure(card.title, NoteKind.SYNTHESIS, page, card.line)
                link(page, me, target, LinkKind.SECTION, card.line, section=card.section)
            else:
                target = ensure(card.title, NoteKind.SYNTHESIS, page, card.line)
                link(page, me, target, LinkKind.TOPIC, card.line)
        for category in page.categories:
            target = ensure(category, NoteKind.CATEGORY, page, page.title_line)
            link(page, me, target, LinkKind.CATEGORY, page.title_line)

    def _add_uses(self, page: Page, me: str) -> None:
        """The "lines that use this note" list: most of a corpus's links, so kept lean."""
        by_key, append, path, uses = self.by_key.get, self.links.append, page.path, "uses"
        for order, ref in enumerate(page.uses, start=1):
            line_id = by_key(normalize_title(ref.title))
            if line_id is None:
                line_id = self.ensure(ref.title, NoteKind.LINE, page, ref.line)
                if line_id is None:
                    continue
            if line_id == me:
                self._self_link(page, LinkKind.USES, ref.line)
                continue
            append((line_id, me, uses, path, ref.line, order, "", "", "", "", "", ""))

    def add_mentions(self, pages: Sequence[Page]) -> None:
        """Inline mentions: known titles in running text, then question-shaped unknown ones."""
        # Folded title -> note id; a later note with the same folded title replaces one before.
        searched: dict[str, str] = {}
        for note_id in sorted(set(self.by_key.values())):
            note = self.notes[note_id]
            title = fold(note.title)
            if (
                note.kind in _NOT_MENTIONED
                or len(title) < MIN_MENTION_CHARS
                or title.count(" ") + 1 < MIN_MENTION_WORDS
            ):
                continue
            searched[title] = note_id
        matcher = _TitleMatcher(searched)
        for page in pages:
            me = self.note_of(page)
            if me is None:
                continue
            if page.variant == "markdown" and self.vault is not None:
                # Obsidian's rules: written links resolved by file; no question stubs.
                questions: list[list[tuple[int, int]]] = [[] for _ in page.body]
                wikilinked = self.vault.add_page_links(page, me, questions)
                for paragraph, asked in zip(page.body, questions, strict=True):
                    self._scan(page, me, paragraph, asked, matcher, wikilinked)
                continue
            questions = [question_mentions(paragraph.text) for paragraph in page.body]
            wikilinked = self._add_wikilinks(page, me, questions)
            for paragraph, asked in zip(page.body, questions, strict=True):
                self._scan(page, me, paragraph, asked, matcher, wikilinked)

    def _add_wikilinks(
        self, page: Page, me: str, questions: list[list[tuple[int, int]]]
    ) -> set[str]:
        targets: set[str] = set()
        if not page.wikilinks:
            return targets
        for ref in page.wikilinks:
            target = self.ensure(ref.title, NoteKind.SYNTHESIS, page, ref.line)
            if target is None:
                continue
            targets.add(target)
            at = _paragraph_at(page.body, ref.line)
            sentence = ""
            if at is not None:
                found = page.body[at]
                position = found.text.find(self.notes[target].title)
                if position >= 0:
                    sentence = (
                        sentences_at(found.text, [position], (), questions[at])[0]
                        or found.text[:300]
                    )
                else:
                    sentence = found.text[:300]
            self.link(page, me, target, LinkKind.MENTIONS, ref.line, sentence=sentence)
        return targets

    def _scan(
        self,
        page: Page,
        me: str,
        paragraph: Paragraph,
        questions: list[tuple[int, int]],
        matcher: _TitleMatcher,
        skip: set[str],
    ) -> None:
        text = paragraph.text
        folded = fold(text)
        hits = matcher.find(folded)
        if hits and page.variant == "markdown":
            hits = outside_code(text, hits)
        covered = [(a, b) for a, b, _ in hits]
        for start, end in questions:
            if any(a < end and start < b for a, b in covered):
                continue
            title = text[start:end]
            note_id = self.ensure(title, NoteKind.SYNTHESIS, page, paragraph.line)
            if note_id is not None:
                hits.append((start, end, note_id))
                covered.append((start, end))
        if not hits:
            return
        hits = [hit for hit in sorted(hits) if hit[2] != me and hit[2] not in skip]
        sentences = sentences_at(text, [start for start, _, _ in hits], covered, questions)
        for (_start, _end, note_id), sentence in zip(hits, sentences, strict=True):
            self.link(
                page, me, note_id, LinkKind.MENTIONS, paragraph.line, sentence=sentence or text
            )

    def finish(self) -> tuple[dict[str, Note], list[LinkRow], list[Diagnostic]]:
        return self.notes, self.links, self.diagnostics


class _TitleMatcher:
    """Every known title in a text at once: one Aho-Corasick automaton, leftmost-longest
    matches that do not overlap, kept only when they start and end at word boundaries."""

    def __init__(self, titles: dict[str, str]) -> None:
        self._ids = list(titles.values())
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                list(titles), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
            )
            if titles
            else None
        )

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, note id) of each title found in `text`, in order."""
        if self._automaton is None:
            return []
        ids, size = self._ids, len(text)
        return [
            (start, end, ids[index])
            for index, start, end in self._automaton.find_matches_as_indexes(text)
            if not (start > 0 and text[start - 1].isalnum())
            and not (end < size and text[end].isalnum())
        ]


def _paragraph_at(body: Sequence[Paragraph], line: int) -> int | None:
    """The index of the paragraph that holds `line` (the last one starting at or before it)."""
    best = None
    for index, paragraph in enumerate(body):
        if paragraph.line <= line:
            best = index
    return best


def _first(values: Iterable[str]) -> str:
    return next((v for v in values if v), "")


def _merge(pages: list[Page], note_id: str) -> Note:
    """One note from the pages that carry its title, best page first."""
    best = pages[0]
    if len(pages) == 1:  # the usual case, read straight off the page
        return Note(
            id=note_id,
            title=clean_title(best.title),
            kind=best.kind,
            description=best.description or "",
            claim=best.claim or "",
            categories=tuple(dict.fromkeys(best.categories)),
            date=best.date or "",
            collection=best.collection or "",
            body=best.body,
            sources=best.sources,
            concept_map=best.concept_map or None,
            counts=best.counts,
            arxiv=best.arxiv or "",
            tags=best.tags or (),
            aliases=tuple(dict.fromkeys(best.aliases)),
            truncated=best.truncated,
            files=(best.path,),
        )
    categories: list[str] = []
    for page in pages:
        categories += [c for c in page.categories if c not in categories]
    aliases: list[str] = []
    for page in pages:
        aliases += [a for a in page.aliases if a not in aliases]
    body = max((p.body for p in pages), key=lambda b: sum(len(x.text) for x in b))
    sources = max((p.sources for p in pages), key=lambda s: (sum(1 for x in s if x.title), len(s)))
    counts = Counts(
        **{
            name: next(
                (getattr(p.counts, name) for p in pages if getattr(p.counts, name) is not None),
                None,
            )
            for name in (
                "uses",
                "related",
                "papers",
                "sources",
                "notes",
                "source_papers",
                "sections",
            )
        }
    )
    kind = best.kind
    return Note(
        id=note_id,
        title=clean_title(best.title),
        kind=kind,
        description=_first(p.description for p in pages),
        claim=_first(p.claim for p in pages),
        categories=tuple(categories),
        date=_first(p.date for p in pages),
        collection=_first(p.collection for p in pages),
        body=body,
        sources=sources,
        concept_map=next((p.concept_map for p in pages if p.concept_map), None),
        counts=counts,
        arxiv=_first(p.arxiv for p in pages),
        tags=next((p.tags for p in pages if p.tags), ()),
        aliases=tuple(aliases),
        truncated=all(p.truncated for p in pages),
        files=tuple(p.path for p in pages),
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a corpus is read.

    Parsing and building allocate millions of small objects, none of them in cycles that
    need collecting; the collector's repeated passes over them cost about a sixth of the
    time. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(
    pages: Sequence[Page], attachments: Sequence[str] = ()
) -> tuple[dict[str, Note], list[LinkRow], list[Diagnostic]]:
    """Notes, links (as `LinkRow` tuples, in the order read) and build diagnostics.

    `attachments` are the vault's other files (images, PDFs, ...; `kg.vault`) that
    Markdown links can reach."""
    with collector_paused():
        builder = GraphBuilder()
        builder.vault = VaultLinker(builder, pages, attachments)
        builder.add_pages(pages)
        for page in pages:
            if page.title:
                builder.add_declared_links(page)
        builder.add_mentions(pages)
        return builder.finish()
