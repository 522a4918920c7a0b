"""The kinds of nodes and links, and what a file is read into: a `Page`, its entries, its
counts and its diagnostics (`kg.model` exports all of them).

>>> Page("a.txt", NoteKind.LINE, "main", "Why A?").kind.value
'line'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kg.display.lines import ShortRepr


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
