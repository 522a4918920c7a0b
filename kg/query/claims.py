"""What a trace is made of: a note's claims, the evidence tree's nodes, and the candidates
that may support a claim (found by `kg.query.candidates`).

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

from kg.display import ShortRepr, TreeDisplay
from kg.errors import InvalidArgument, shorten
from kg.model import Link, Note
from kg.parse.claim_line import claim_line
from kg.sentences import split_sentences
from kg.text import fold

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

DEFAULT_THRESHOLD = 0.35


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class Claim(ShortRepr):
    """One claim of a note.

    Attributes
    ----------
    note_id : str
        The note it is a claim of.
    index : int
        Its number: 0 is the one-line claim, body sentences and summaries follow in order.
    kind : str
        'claim', 'sentence' or 'summary'.
    text : str
        The claim.
    field_index : int
        Its position among the note's texts of this kind (for stored vectors).
    line : int
        The line of the note's file it comes from (0 if unknown).
    """

    note_id: str
    index: int  # 0 is the one-line claim; body sentences and summaries follow in order
    kind: str
    text: str
    field_index: int  # position among the note's texts of this kind (for stored vectors)
    line: int = 0


@dataclass(frozen=True, repr=False)  # repr: kg.display
class Evidence(TreeDisplay):
    """A node of a trace tree: a claim at the root, then what supports it.

    Attributes
    ----------
    kind : str
        'claim', 'sentence', 'cited', 'source', 'related' or 'paper'.
    text : str
        The claim, or the quoted text that supports it.
    score : float
        How well it supports its parent: 1.0 for a cited note; for ranked evidence of the
        claim itself, its share of the fused ranking among the claim's candidates (its
        cosine, ranked by a single scorer); for a claim, its best child's. Deeper down (a
        source's own sources, ranked against the text the source was quoted by) its
        cosine with that text: a share among a source's two or three candidates (1.00 for
        a lone one) would say nothing of the claim.
    note : Note or None
        The note the text is from.
    link : Link or None
        The link followed to it.
    label : str
        The relation label, for related concepts.
    children : tuple of Evidence
        What supports it in turn.
    unsupported : bool
        For a claim: its best evidence scores below the threshold.
    cosine : float or None
        For ranked evidence, its best cosine with the claim, what the threshold is held
        against when it differs from `score` (None: `score` is).
    parts : tuple of (str, float)
        For ranked evidence, the parts the ranking fused (``kg trace --explain``).
    rank : int
        For ranked evidence, its place in the ranking (1 is best; 0 when not ranked).
    vectors : str
        For the root of a trace that chose its vectors (`kg.query.kept`): which ranked it,
        'transformer' (kept in the index) or 'static' ('' otherwise).
    """

    kind: str  # 'claim', 'sentence', 'cited', 'source', 'related', 'paper'
    text: str  # the claim, or the quoted text that supports it
    score: float
    note: Note | None = None
    link: Link | None = None
    label: str = ""  # relation label, for related concepts
    children: tuple[Evidence, ...] = ()
    unsupported: bool = False
    cosine: float | None = None
    parts: tuple[tuple[str, float], ...] = ()
    rank: int = 0
    vectors: str = ""

    @property
    def quote(self) -> str:
        """The quoted text as a reader reads it: a related concept's annotation and the
        note's description (ranked as one text) parted by a dash.

        >>> from kg.model import Link, LinkKind
        >>> link = Link("a", "b", LinkKind.RELATED, annotation="evidence: x holds")
        >>> Evidence("related", "evidence: x holds Examines x.", 0.5, link=link).quote
        'evidence: x holds — Examines x.'
        """
        annotation = self.link.annotation if self.link is not None else ""
        if annotation and self.text.startswith(annotation + " "):
            return f"{annotation} — {self.text[len(annotation) + 1 :]}"
        return self.text

    @property
    def support(self) -> float:
        """What the unsupported threshold is held against: the cosine, else the score."""
        return self.score if self.cosine is None else self.cosine

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Evidence]]:
        """Every node of the tree with its depth, parents before children.

        Parameters
        ----------
        depth : int
            The depth of this node.

        Yields
        ------
        (int, Evidence)

        Examples
        --------
        >>> from kg.graph.knowledge import crowd_example
        >>> g, line = crowd_example()  # a line citing one note, as source and in its body
        >>> from kg.query.tree import trace
        >>> [(depth, node.kind) for depth, node in trace(g, "l", claim=1).walk()]
        [(0, 'claim'), (1, 'cited')]
        """
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass(frozen=True)
class Ranked:
    """One ranked candidate.

    Attributes
    ----------
    index : int
        Its position among the candidates given.
    score : float
        The score the order comes from (for the fused ranking, its softmax share).
    cosine : float
        Its best cosine with the claim: what the unsupported threshold is held against.
    parts : tuple of (str, float)
        The raw parts fused (before standardising), for ``kg trace --explain``.
    """

    index: int
    score: float
    cosine: float
    parts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, repr=False)  # repr: kg.display
class Use(ShortRepr):
    """A claim somewhere in the corpus that rests on a note, `depth` links away.

    Attributes
    ----------
    note : Note
        The note that makes the claim.
    claim : str
        The claim (the citing sentence, the source summary, or the note's claim).
    kind : str
        How it rests on the note: 'cited', 'linked', 'embedded', 'source', 'related',
        'paper' or 'uses'.
    depth : int
        1 for a direct use, 2 for a use of a note that uses it, and so on.
    via : Note or None
        The note in between, beyond depth 1.
    """

    note: Note
    claim: str
    kind: str  # how it rests on it: 'cited', 'source', 'related', 'paper', 'uses'
    depth: int
    via: Note | None = None


class Scorer(Protocol):
    """What ranks the candidates of a claim: `kg.query.scorers` has the ones kg uses.

    A scorer has a `default_threshold` (below it a claim is unsupported) and
    ``score(graph, claim, candidates)``, one score per candidate; it may also have
    ``rank(graph, claim, candidates)`` giving (index, score) pairs best first.
    """

    default_threshold: float

    def score(
        self, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
    ) -> list[float]: ...


@dataclass(frozen=True)
class Candidate:
    """Something that may support a claim: a note and the text it would be quoted by.

    Attributes
    ----------
    note : Note
        The note.
    text : str
        The text quoted (a source summary, a related concept's annotation, a description).
    kind : str
        'source', 'related' or 'paper'.
    link : Link or None
        The link to it.
    summary_of : (str, int) or None
        (line id, summary index) when the text is an inquiring line's source summary.
    """

    note: Note
    text: str
    kind: str
    link: Link | None = None
    summary_of: tuple[str, int] | None = None  # (line id, summary index) when a summary


def claims(graph: KnowledgeGraph, note: str | Note) -> list[Claim]:
    """A note's claims: its one-line claim (index 0), then each body sentence, then each
    source summary, numbered on from 1.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : str or Note
        The note, or its title or id.

    Returns
    -------
    list of Claim

    Raises
    ------
    NoteNotFound
        No note has that title or id.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> [(c.index, c.kind, c.text) for c in claims(g, "l")]
    [(1, 'sentence', 'In Can crowds beat experts in chess?, errors cancel out.'), (2, 'summary', 'errors cancel')]
    """
    target = graph.note(note)
    found: list[Claim] = []
    if target.claim:
        # The note keeps no line of its claim: the line of its file that states it.
        found.append(Claim(target.id, 0, "claim", target.claim, 0, claim_line(graph.root, target)))
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
    """The claim of `note` that `claim` names.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : Note
        The note.
    claim : int or str or None
        A claim's index, its text (or part of it), or None for the one-line claim (the
        description or title when the note has none).

    Returns
    -------
    Claim

    Raises
    ------
    InvalidArgument
        `claim` is an index the note has no claim at, or a text none of its claims is or
        contains; the message lists the note's claims.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> select_claim(g, line, 2).text, select_claim(g, line, "errors").index
    ('errors cancel', 1)
    >>> select_claim(g, line, 7)
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: 'Why do votes win?' has no claim 7; valid: 1 'In Can crowds beat experts in chess?, errors cancel out.', 2 'errors cancel'
    """
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
        raise _no_such_claim(note, every, f"has no claim {claim}")
    wanted = fold(claim).casefold().strip()
    for item in every:
        if fold(item.text).casefold().strip() == wanted:
            return item
    if wanted:
        for item in every:
            if wanted in fold(item.text).casefold():
                return item
    raise _no_such_claim(note, every, f"makes no claim {claim!r}")


def _no_such_claim(note: Note, every: list[Claim], what: str) -> InvalidArgument:
    """The error for a claim `note` does not make, listing the claims it does make (their
    numbers and the start of their texts, what `trace(claim=...)` takes)."""
    if not every:
        return InvalidArgument(
            f"{note.title!r} {what}; it makes no claims: trace it with claim=None"
        )
    listed = ", ".join(f"{c.index} {shorten(c.text)!r}" for c in every[:12])
    more = f", … ({len(every)} in all: g.claims(note) lists them)" if len(every) > 12 else ""
    return InvalidArgument(
        f"{note.title!r} {what}; valid: {listed}{more}",
        suggestions=[str(c.index) for c in every],  # the numbers `--claim` takes
    )
