"""Contested claims: pairs of notes joined by a relation that means disagreement, and
claims whose evidence holds both supporting and disagreeing links.

Only what the notes say counts. A related concept's relation label (the site's
"partially contradicted: …", a Markdown note's ``label: contradicts``) is the signal;
descriptions, source summaries and running text are never read for stance. (The site's
descriptions say things such as "This challenges assumptions about …" of the note they
describe, which is no disagreement between two notes; no source summary in notes/ or the
seeds says that a source contradicts the line it serves.)

The disagreement vocabulary, `DISAGREEMENT_WORDS`, matched against a label's words:

- ``contradicts``: "contradicts", "contradicted", "partially contradicted" (site and
  notes), "challenges", "in tension with", "counter-evidence", "refutes", "disputes",
  "undermines": the two notes' claims cannot both hold as written.
- ``qualifies``: "qualified", "qualifies" (seven labels in notes/, one in the seeds, each
  an annotation that limits the other note's claim: "longer traces are not more faithful
  ones"), "complicates", "weakens": the claim holds, but less widely than the other note
  says. Relations that `kg.parse.relations` files under *qualifies* for other words
  ("limit", "bound") are not in: "upper bound on …" states a figure, not a disagreement.

>>> from kg.graph.knowledge import KnowledgeGraph
>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> notes = {i: Note(i, t, NoteKind.SYNTHESIS, claim=c, files=(f"{i}.md",))
...          for i, t, c in [("a", "Does A hold?", "a holds"), ("b", "Why B?", "b holds"),
...                          ("c", "Is C so?", "c is so")]}
>>> links = [Link("a", "b", LinkKind.RELATED, "a.md", 4, label="contradicts",
...               annotation="b overstates it", relation="contradicts"),
...          Link("a", "c", LinkKind.RELATED, "a.md", 7, label="evidence",
...               annotation="c measures it", relation="supports")]
>>> g = KnowledgeGraph(notes, links)
>>> [(c.source, c.target, c.strength, c.said) for c in contested(g)]
[('a', 'b', 'contradicts', 'b overstates it')]
>>> [(c.note, [e.note for e in c.supporting], [e.note for e in c.contradicting])
...  for c in contested_claims(g)]
[('a', ['c'], ['b'])]
>>> disagreements(g, "b"), disagreement_counts(g)
(1, {'a': 1, 'b': 1})
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.display import Results, ShortRepr
from kg.model import Link, LinkKind

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "DISAGREEMENT_WORDS",
    "Contest",
    "ContestSide",
    "ContestedClaim",
    "contested",
    "contested_claims",
    "disagreement_counts",
    "disagreement_strength",
    "disagreements",
]

# Word stem in a relation label -> how strongly the label disagrees; checked in order.
DISAGREEMENT_WORDS = (
    ("contradict", "contradicts"),
    ("challeng", "contradicts"),
    ("tension", "contradicts"),
    ("counter", "contradicts"),
    ("refut", "contradicts"),
    ("disput", "contradicts"),
    ("undermin", "contradicts"),
    ("qualif", "qualifies"),
    ("complicat", "qualifies"),
    ("weaken", "qualifies"),
)
STRENGTHS = ("contradicts", "qualifies")
# At a word's start: "extension" is no tension, "encounter" no counter-evidence.
_WORDS = re.compile(r"\b(" + "|".join(stem for stem, _ in DISAGREEMENT_WORDS) + ")")
_STRENGTH = dict(DISAGREEMENT_WORDS)


def disagreement_strength(label: str, relation: str = "") -> str:
    """'contradicts' or 'qualifies' when a relation label means disagreement, else ''.

    >>> disagreement_strength("partially contradicted"), disagreement_strength("qualified")
    ('contradicts', 'qualifies')
    >>> disagreement_strength("upper bound", "qualifies"), disagreement_strength("extension")
    ('', '')
    """
    found = _WORDS.search(label.lower())
    if found:
        return _STRENGTH[found.group(1)]
    return "contradicts" if relation == "contradicts" else ""


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class Contest(ShortRepr):
    """Two notes joined by a relation that means disagreement.

    Attributes
    ----------
    source, source_title : str
        The note whose page or front matter carries the relation, by id and title.
    target, target_title : str
        The note it names.
    label : str
        The relation label as written ("partially contradicted", "contradicts").
    strength : str
        'contradicts' (the claims cannot both hold) or 'qualifies' (one limits the other).
    said : str
        The source side's sentence: the relation's annotation as written.
    file, line : str, int
        Where the relation is written.
    sentence : str
        A sentence of the source note's text that names the target, when there is one.
    target_claim : str
        The target side's sentence: its one-line claim (its description when it has none).
    target_file : str
        The target note's file ('' for a stub).
    """

    source: str
    source_title: str
    target: str
    target_title: str
    label: str
    strength: str
    said: str
    file: str
    line: int
    sentence: str
    target_claim: str
    target_file: str


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class ContestSide(ShortRepr):
    """One side of a contested claim: another note, the label joining them, the annotation
    (as written, where written) and the direction ('out' when the claim's note wrote it)."""

    note: str
    title: str
    label: str
    said: str
    file: str
    line: int
    direction: str


@dataclass(frozen=True, slots=True, repr=False)  # repr: kg.display
class ContestedClaim(ShortRepr):
    """A note's claim with evidence on both sides: related notes it cites as support
    (relation 'supports', e.g. "evidence", "strongest evidence") and notes in disagreement
    with it (`Contest`s either way). `supported_by` and `contradicted_by` are the two
    sides' note ids (filled in from the sides), for tables (`Results.to_frame`)."""

    note: str
    title: str
    claim: str
    file: str
    supporting: tuple[ContestSide, ...]
    contradicting: tuple[ContestSide, ...]
    supported_by: tuple[str, ...] = field(init=False)
    contradicted_by: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "supported_by", tuple(s.note for s in self.supporting))
        object.__setattr__(self, "contradicted_by", tuple(s.note for s in self.contradicting))


# Links that can carry the sentence they sit in: running-text mentions and wikilinks.
_WITH_SENTENCE = frozenset({LinkKind.MENTIONS.value, LinkKind.LINKS.value})


def _related_links(graph: KnowledgeGraph) -> list[Link]:
    table = graph.link_table
    wanted = [i for i, kind in enumerate(table.kind_list()) if kind == LinkKind.RELATED.value]
    table.prefetch(wanted)
    return [table.get(i) for i in wanted]


def _contest(
    graph: KnowledgeGraph, link: Link, strength: str, sentences: dict[tuple[str, str], str]
) -> Contest:
    notes = graph.note_table
    target = notes.get(link.target, None)
    source_title = notes.title(link.source) if link.source in notes else link.source
    return Contest(
        link.source,
        source_title,
        link.target,
        target.title if target is not None else link.target,
        link.label,
        strength,
        link.annotation,
        link.file,
        link.line,
        sentences.get((link.source, link.target), ""),
        (target.claim or target.description) if target is not None else "",
        target.files[0] if target is not None and target.files else "",
    )


def contested(graph: KnowledgeGraph) -> Results[Contest]:
    """Every pair of notes joined by a relation whose label means disagreement, in the
    order the relations were read, each with both sides' sentences and files.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.

    Returns
    -------
    Results[Contest]
        One per relation written (a relation written on both notes' pages is two).

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> contested(_demo())
    []
    """
    found = [
        (link, strength)
        for link in _related_links(graph)
        if (strength := disagreement_strength(link.label, link.relation))
    ]
    pairs = {(link.source, link.target) for link, _ in found}
    sentences: dict[tuple[str, str], str] = {}
    if pairs:
        table = graph.link_table
        sources, targets = table.end_lists()
        naming = [
            i
            for i, kind in enumerate(table.kind_list())
            if kind in _WITH_SENTENCE and (sources[i], targets[i]) in pairs
        ]
        table.prefetch(naming)  # one fetch of their details, not one per link
        for i in naming:
            sentence = table.get(i).sentence
            if sentence:
                sentences.setdefault((sources[i], targets[i]), sentence)
    return Results((_contest(graph, link, s, sentences) for link, s in found), Contest)


def disagreement_counts(graph: KnowledgeGraph) -> dict[str, int]:
    """How many disagreeing relations (`contested`) touch each note, either end; notes
    in none are left out.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> disagreement_counts(_demo())
    {}
    """
    counts: Counter[str] = Counter()
    for link in _related_links(graph):
        if disagreement_strength(link.label, link.relation):
            counts[link.source] += 1
            if link.target != link.source:
                counts[link.target] += 1
    return dict(counts)


def disagreements(graph: KnowledgeGraph, note_id: str) -> int:
    """How many disagreeing relations touch the note with this id (0 when none)."""
    return disagreement_counts(graph).get(note_id, 0)


def contested_claims(graph: KnowledgeGraph) -> Results[ContestedClaim]:
    """The notes whose claims have evidence on both sides: at least one related note cited
    as support (relation 'supports') and at least one disagreeing relation either way.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> contested_claims(_demo())
    []
    """
    related = _related_links(graph)
    supporting: dict[str, list[ContestSide]] = {}
    against: dict[str, list[ContestSide]] = {}
    notes = graph.note_table

    def side(note_id: str, link: Link, direction: str) -> ContestSide:
        title = notes.title(note_id) if note_id in notes else note_id
        return ContestSide(
            note_id, title, link.label, link.annotation, link.file, link.line, direction
        )

    for link in related:
        if disagreement_strength(link.label, link.relation):
            against.setdefault(link.source, []).append(side(link.target, link, "out"))
            against.setdefault(link.target, []).append(side(link.source, link, "in"))
        elif link.relation == "supports":
            supporting.setdefault(link.source, []).append(side(link.target, link, "out"))
    out = []
    for note_id in supporting:
        if note_id in against and note_id in notes:
            note = notes[note_id]
            out.append(
                ContestedClaim(
                    note_id,
                    note.title,
                    note.claim or note.description,
                    note.files[0] if note.files else "",
                    tuple(supporting[note_id]),
                    tuple(against[note_id]),
                )
            )
    return Results(out, ContestedClaim)
