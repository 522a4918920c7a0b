"""What a trace is made of: a note's claims, the evidence tree's nodes, and the candidates
that may support a claim (cited notes, declared sources, related concepts, papers).

>>> from kg.model import Note, NoteKind, Paragraph
>>> from kg.graph.knowledge import KnowledgeGraph
>>> note = Note(id="a", title="Why A?", kind=NoteKind.SYNTHESIS, claim="A holds.",
...             body=(Paragraph("First point. Second point.", 3),))
>>> [(c.index, c.kind, c.text) for c in claims(KnowledgeGraph({"a": note}, []), "a")]
[(0, 'claim', 'A holds.'), (1, 'sentence', 'First point.'), (2, 'sentence', 'Second point.')]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kg.errors import KgError
from kg.model import Link, LinkKind, Note
from kg.text import fold, split_sentences

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

DEFAULT_THRESHOLD = 0.35


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim of a note: its position, kind ('claim', 'sentence', 'summary') and text."""

    note_id: str
    index: int  # 0 is the one-line claim; body sentences and summaries follow in order
    kind: str
    text: str
    field_index: int  # position among the note's texts of this kind (for stored vectors)
    line: int = 0


@dataclass(frozen=True)
class Evidence:
    """A node of a trace tree: a claim at the root, then what supports it."""

    kind: str  # 'claim', 'sentence', 'cited', 'source', 'related', 'paper'
    text: str  # the claim, or the quoted text that supports it
    score: float
    note: Note | None = None
    link: Link | None = None
    label: str = ""  # relation label, for related concepts
    children: tuple[Evidence, ...] = ()
    unsupported: bool = False

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Evidence]]:
        """Every node of the tree with its depth, parents before children."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass(frozen=True)
class Use:
    """A claim somewhere in the corpus that rests on a note, `depth` links away."""

    note: Note
    claim: str
    kind: str  # how it rests on it: 'cited', 'source', 'related', 'paper', 'uses'
    depth: int
    via: Note | None = None


class Scorer(Protocol):
    default_threshold: float

    def score(
        self, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
    ) -> list[float]: ...


@dataclass(frozen=True)
class Candidate:
    """Something that may support a claim: a note and the text it would be quoted by."""

    note: Note
    text: str
    kind: str
    link: Link | None = None
    summary_of: tuple[str, int] | None = None  # (line id, summary index) when a summary


# ---------------------------------------------------------------- claims


def claims(graph: KnowledgeGraph, note: str | Note) -> list[Claim]:
    """A note's claims: its one-line claim (index 0), then each body sentence, then each
    source summary, numbered on from 1."""
    target = graph.note(note)
    found: list[Claim] = []
    if target.claim:
        found.append(Claim(target.id, 0, "claim", target.claim, 0))
    texts: list[tuple[str, str, int, int]] = []  # (kind, text, field index, line)
    for paragraph in target.body:
        for _, _, sentence in split_sentences(paragraph.text):
            texts.append(("sentence", sentence, len(texts), paragraph.line))
    for position, source in enumerate(target.sources):
        if source.summary:
            texts.append(("summary", source.summary, position, source.line))
    for number, (kind, text, field_index, line) in enumerate(texts, start=1):
        found.append(Claim(target.id, number, kind, text, field_index, line))
    return found


def select_claim(graph: KnowledgeGraph, note: Note, claim: int | str | None) -> Claim:
    every = claims(graph, note)
    if claim is None:
        if every and every[0].kind == "claim":
            return every[0]
        text = note.description or note.title
        return Claim(note.id, 0, "claim", text, 0)
    if isinstance(claim, int):
        for item in every:
            if item.index == claim:
                return item
        raise KgError(
            f"{note.title!r} has no claim {claim}; it has claims "
            f"{', '.join(str(c.index) for c in every) or 'none'} (see `kg trace "
            f"TITLE` for the list)"
        )
    wanted = fold(claim).casefold().strip()
    for item in every:
        if fold(item.text).casefold().strip() == wanted:
            return item
    for item in every:
        if wanted in fold(item.text).casefold():
            return item
    return Claim(note.id, -1, "claim", claim, 0)


# ---------------------------------------------------------------- candidates


def cited_in(graph: KnowledgeGraph, note: Note, text: str) -> list[Note]:
    """Notes whose titles stand in `text`, among those `note` links to (in text order)."""
    folded = fold(text)
    found: list[tuple[int, Note]] = []
    seen: set[str] = set()
    for link in graph.links_of(note, "out"):
        if link.target in seen or link.kind in (LinkKind.CATEGORY, LinkKind.TAGGED):
            continue
        other = graph.note(link.target)
        position = folded.find(fold(other.title))
        if position >= 0:
            seen.add(other.id)
            found.append((position, other))
    return [n for _, n in sorted(found, key=lambda item: item[0])]


def declared_sources(graph: KnowledgeGraph, note: Note) -> list[Candidate]:
    """A note's declared sources: a line's source list, a note's related concepts."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for link in graph.links_of(note, "out", kinds=[LinkKind.SOURCE, LinkKind.RELATED]):
        if link.target in seen:
            continue
        seen.add(link.target)
        other = graph.note(link.target)
        if link.kind is LinkKind.SOURCE:
            position = (link.order or 1) - 1
            summary_of = (note.id, position) if link.summary else None
            text = link.summary or best_text(other)
            out.append(Candidate(other, text, "source", link, summary_of))
        else:
            text = " ".join(t for t in (link.annotation, other.description) if t) or best_text(
                other
            )
            out.append(Candidate(other, text, "related", link))
    return out


def papers_of(graph: KnowledgeGraph, note: Note) -> list[Candidate]:
    return [
        Candidate(
            graph.note(link.target),
            graph.note(link.target).description or graph.note(link.target).title,
            "paper",
            link,
        )
        for link in sorted(
            graph.links_of(note, "out", kinds=LinkKind.PAPER), key=lambda lk: lk.order or 0
        )
    ]


def best_text(note: Note) -> str:
    return note.claim or note.description or note.title
