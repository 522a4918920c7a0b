"""Build the typed graph from parsed pages: one node per note, one edge per typed link.

Pages that share a title become one note (their fields merged, every file kept);
titles known only from a list or a mention become stub notes; inline mentions are
found with one Aho-Corasick automaton over every known title.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import MutableMapping, Sequence
from dataclasses import replace

from kg.collector import collector_paused
from kg.graph.build_state import BuildState, events_hash, page_identity
from kg.graph.kinds import PaperTitles, has_synthesis_structure, is_bare
from kg.graph.mentions import (
    MIN_MENTION_CHARS,
    MIN_MENTION_WORDS,
    add_mentions,
    searched_titles,
)
from kg.graph.merge import group_note, join_by_claim, once_per_note, page_order
from kg.graph.vault import VaultLinker, add_markdown_notes, join_site_groups
from kg.model import (
    Diagnostic,
    LinkKind,
    LinkRow,
    Note,
    NoteKind,
    Page,
    Severity,
)
from kg.text import TitleMatcher, clean_title, fold, normalize_title, slugify

__all__ = [
    "MIN_MENTION_CHARS",
    "MIN_MENTION_WORDS",
    "BuildState",
    "GraphBuilder",
    "build",
    "build_with_state",
    "events_hash",
    "group_note",
    "page_identity",
]

# Each kind's text, as links store it (an enum's `.value` is a slow lookup, made per link).
_KIND_TEXT = {kind: kind.value for kind in LinkKind}
_NOTE_KIND_TEXT = {kind: kind.value for kind in NoteKind}


class GraphBuilder:
    """Accumulates notes and links; `finish()` returns them for `KnowledgeGraph`."""

    def __init__(self) -> None:
        self.notes: dict[str, Note] = {}  # id -> note
        self.by_key: MutableMapping[str, str] = {}  # normalized title -> id
        self.links: list[LinkRow] = []
        self.diagnostics: list[Diagnostic] = []
        self._ids: set[str] = set()
        self.by_path: dict[str, str] = {}  # file -> id of the note read from it
        self.vault: VaultLinker | None = None  # Markdown links, attachments, tags (kg.graph.vault)
        # Incremental re-indexing (kg.index.update) replays some files against the state a
        # full build left; for that a build records, per file, every way the file reached
        # beyond itself (titles looked up, stubs, tags and attachments made) and what it made.
        self.recording = False
        self.events: list[tuple[object, ...]] | None = None  # the current file's, when recording
        self.records: dict[str, list[tuple[object, ...]]] = {}
        self.created: dict[str, list[tuple[str, str, str]]] = {}  # file -> (table, key, id)
        self.current = ""  # the file whose links are being added
        self.collided: set[str] = set()  # ids made while recording that needed a number
        self.searched: dict[str, str] = {}  # what running text was searched for (add_mentions)
        self.folded: dict[str, list[str]] = {}  # file -> its paragraphs as searched, recording

    def begin(self, page: Page) -> None:
        """Start adding the links of `page` (its events are recorded under its path)."""
        self.current = page.path
        if self.recording:
            self.events = self.records.setdefault(page.path, [])

    def made(self, table: str, key: str, note_id: str) -> None:
        """Note that the current file created node `note_id` (found under `key` in `table`)."""
        if self.events is not None:
            self.created.setdefault(self.current, []).append((table, key, note_id))

    # ------------------------------------------------------------ nodes

    def _new_id(self, title: str, prefix: str = "") -> str:
        base = prefix + slugify(title)
        candidate, n = base, 2
        while candidate in self._ids:
            candidate, n = f"{base}-{n}", n + 1
        self._ids.add(candidate)
        if n > 2 and self.recording:
            self.collided.add(candidate)  # its id depends on what came first
        return candidate

    def add_pages(self, pages: Sequence[Page]) -> None:
        """One note per title, and per claim: the older deployment often shows a note
        under an earlier title, and the same claim makes it the same note."""
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
        hub_keys = {normalize_title(hub.title) for page in pages for hub in page.hubs}
        paper_keys = PaperTitles(pages)
        for keys in join_by_claim(groups, self.diagnostics):
            group = sorted((p for key in keys for p in groups[key]), key=page_order)
            note = group_note(group, self._new_id(group[0].title), hub_keys, paper_keys)
            self.notes[note.id] = note
            for key in keys:
                self.by_key[key] = note.id
            self.by_path.update((p.path, note.id) for p in group)
            for alias in note.aliases:
                self.by_key.setdefault(normalize_title(alias), note.id)
            if len(group) > 1:
                self._reportmerge_pages(group, note)
        add_markdown_notes(self, markdown, pages)

    def note_of(self, page: Page) -> str | None:
        """The id of the note read from `page`."""
        return self.by_path.get(page.path)

    def _reportmerge_pages(self, group: list[Page], note: Note) -> None:
        files = ", ".join(p.path for p in group)
        titles = list(dict.fromkeys(clean_title(p.title) for p in group))
        claims = {fold(p.claim).casefold() for p in group if p.claim and not p.truncated}
        first = group[0]
        # A hub and a synthesis note share the title only when some copy really has a
        # synthesis note's structure beside a hub (or a bare page that may be one).
        synthesis = any(has_synthesis_structure(p) for p in group)
        hubby = any(p.kind is NoteKind.HUB or is_bare(p) for p in group)
        if len(titles) > 1:
            shown = "; ".join(
                f"{title!r} ({', '.join(p.path for p in group if clean_title(p.title) == title)})"
                for title in titles
            )
            tie = (
                f"the same claim {note.claim!r}"
                if sum(1 for p in group if p.claim) > 1
                else "pages of the two deployments with the same date and collection and "
                "paragraphs word for word"
            )
            message = (
                f"one note under {len(titles)} titles ({tie}): {shown}; "
                f"kept as {note.title!r}, the other titles as aliases"
            )
            severity, code = Severity.INFO, "alias"
        elif synthesis and hubby:
            message = (
                f"a hub and a synthesis note share the title {first.title!r} and nothing in "
                f"their text tells them apart ({files}); kept as one {note.kind.value} note, "
                "every file kept"
            )
            severity, code = Severity.WARNING, "merged"
        elif len({p.kind for p in group if not is_bare(p)}) > 1:
            kinds = ", ".join(sorted({p.kind.value for p in group if not is_bare(p)}))
            message = (
                f"pages of different kinds ({kinds}) share the title {first.title!r} "
                f"({files}); kept as one {note.kind.value} note, every file kept"
            )
            severity, code = Severity.WARNING, "merged"
        elif len(claims) > 1:
            message = (
                f"{len(group)} different pages share the title {first.title!r} "
                f"({files}); merged into one note, every file kept"
            )
            severity, code = Severity.WARNING, "merged"
        else:
            message = f"one note in {len(group)} files ({files}); merged"
            severity, code = Severity.INFO, "copies"
        self.diagnostics.append(Diagnostic(first.path, first.title_line, severity, message, code))

    def ensure(
        self, title: str, kind: NoteKind, page: Page, line: int, description: str = ""
    ) -> str | None:
        """The id of the note titled `title`, creating a stub if the corpus has no page for it.

        `description` is what a card or related concept says of the note: a stub known
        only from such lists shows the first one given.
        """
        key = normalize_title(title)
        found = self.by_key.get(key)
        if self.events is not None:
            self.events.append(("e", key, _NOTE_KIND_TEXT[kind], title, description, found))
        if found is not None:
            if description:
                note = self.notes[found]
                if note.stub and not note.description:
                    self.notes[found] = replace(note, description=description)
                    self.made("fill", key, found)  # the stub shows this file's description
            return found
        title = clean_title(title)
        if not title:
            self.diagnostics.append(
                Diagnostic(
                    page.path,
                    line,
                    Severity.WARNING,
                    "an empty title in a list; ignored",
                    "empty-title",
                )
            )
            return None
        note_id = self._new_id(title, "category-" if kind is NoteKind.CATEGORY else "")
        self.notes[note_id] = Note(
            id=note_id,
            title=title,
            kind=kind,
            stub=kind is not NoteKind.CATEGORY,
            description=description,
        )
        self.by_key[key] = note_id
        self.made("key", key, note_id)
        if self.events is not None:
            self.events.append(("made", note_id))
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
                _KIND_TEXT[kind],
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
                "self-link",
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
            target = ensure(entry.title, NoteKind.SYNTHESIS, page, entry.line, entry.description)
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
            said = card.description
            # The card's words stay on its link: two cards may name one note differently.
            if page.kind is NoteKind.HUB and card.section.strip().lower() == "sub-maps":
                target = ensure(card.title, NoteKind.HUB, page, card.line, said)
                link(
                    page, me, target, LinkKind.SUBMAP, card.line, summary=said, section=card.section
                )
            elif page.kind is NoteKind.HUB:
                target = ensure(card.title, NoteKind.SYNTHESIS, page, card.line, said)
                link(
                    page,
                    me,
                    target,
                    LinkKind.SECTION,
                    card.line,
                    summary=said,
                    section=card.section,
                )
            else:
                target = ensure(card.title, NoteKind.SYNTHESIS, page, card.line, said)
                link(page, me, target, LinkKind.TOPIC, card.line, summary=said)
        for category in page.categories:
            target = ensure(category, NoteKind.CATEGORY, page, page.title_line)
            link(page, me, target, LinkKind.CATEGORY, page.title_line)

    def _add_uses(self, page: Page, me: str) -> None:
        """The "lines that use this note" list: most of a corpus's links, so kept lean."""
        by_key, append, path, uses = self.by_key.get, self.links.append, page.path, "uses"
        events = self.events
        for order, ref in enumerate(page.uses, start=1):
            key = normalize_title(ref.title)
            line_id = by_key(key)
            if events is not None:
                events.append(("g", key, line_id))
            if line_id is None:
                line_id = self.ensure(ref.title, NoteKind.LINE, page, ref.line)
                if line_id is None:
                    continue
            if line_id == me:
                self._self_link(page, LinkKind.USES, ref.line)
                continue
            append((line_id, me, uses, path, ref.line, order, "", "", "", "", "", ""))

    def searched_titles(self) -> dict[str, str]:
        """The titles running text is searched for (`kg.graph.mentions.searched_titles`)."""
        return searched_titles(self)

    def add_mentions(
        self, pages: Sequence[Page], matcher: TitleMatcher | None = None, workers: int | None = 1
    ) -> None:
        """Inline mentions: known titles in running text, then question-shaped unknown ones
        (`kg.graph.mentions.add_mentions`; `workers` processes share the scan's reading)."""
        add_mentions(self, pages, matcher, workers)

    def finish(self) -> tuple[dict[str, Note], list[LinkRow], list[Diagnostic]]:
        return self.notes, once_per_note(self.notes, self.links), self.diagnostics


def build(
    pages: Sequence[Page], attachments: Sequence[str] = (), workers: int | None = None
) -> tuple[dict[str, Note], list[LinkRow], list[Diagnostic]]:
    """Notes, links (as `LinkRow` tuples, in the order read) and build diagnostics.

    `attachments` are the vault's other files (images, PDFs, ...; `kg.parse.obsidian`) that
    Markdown links can reach. The mention scan's reading of running text is shared among
    `workers` processes (`kg.parse.share`; None: as many as parse, one per core or
    ``$KG_PARSE_WORKERS``); the result is the same for any number."""
    notes, links, diagnostics, _ = build_with_state(pages, attachments, False, workers)
    return notes, links, diagnostics


def build_with_state(
    pages: Sequence[Page],
    attachments: Sequence[str] = (),
    record: bool = True,
    workers: int | None = None,
) -> tuple[dict[str, Note], list[LinkRow], list[Diagnostic], BuildState]:
    """`build`, and the `BuildState` incremental re-indexing needs (when `record`)."""
    with collector_paused():
        builder = GraphBuilder()
        builder.vault = VaultLinker(builder, pages, attachments)
        builder.add_pages(pages)
        state = BuildState(identity_diagnostics=len(builder.diagnostics))
        builder.recording = record
        for page in pages:
            if page.title:
                builder.begin(page)
                builder.add_declared_links(page)
        state.mention_diagnostics = len(builder.diagnostics)
        builder.add_mentions(pages, workers=workers)
        builder.events = None
        builder.recording = False
        notes, links, diagnostics = builder.finish()
        # Notes in id order: the order an in-place update can keep (kg.index.update).
        notes = dict(sorted(notes.items()))
        if record:
            for page in pages:
                state.note_of[page.path] = builder.note_of(page) if page.title else None
                state.identity[page.path] = page_identity(page)
                state.events[page.path] = events_hash(builder.records.get(page.path, ()))
            state.created = builder.created
            state.by_key = dict(builder.by_key)
            state.searched = builder.searched
            hubs = Counter(normalize_title(h.title) for p in pages for h in p.hubs)
            state.hub_counts = dict(sorted(hubs.items()))
            state.texts = {path: "\n".join(texts) for path, texts in builder.folded.items()}
            state.tags = dict(builder.vault.tags)
            state.attachment_nodes = dict(builder.vault.attachments)
            state.markdown_paths = [p.path for p in pages if p.variant == "markdown" and p.title]
            state.attachments = list(attachments)
        return notes, links, diagnostics, state
