"""Reading a trace the other way and over the corpus: the claims that rest on a note
(`used_by`), and the claims whose best evidence is too weak (`unsupported_claims`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.display import ShortRepr
from kg.model import NOT_NOTES, Link, LinkKind, Note, NoteKind
from kg.query.claims import Claim, Evidence, Scorer, Use, claims
from kg.query.fusion import default_scorer
from kg.query.kept import run_kept_first
from kg.query.tree import EVERY, evidence_of, keep_embedded, threshold_for

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


def used_by(graph: KnowledgeGraph, note: str | Note, depth: int = 3) -> list[Use]:
    """Claims across the corpus that rest on `note`, nearest first (how far it reaches).

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : str or Note
        The note, or its title or id.
    depth : int
        How many links back to follow.

    Returns
    -------
    list of Use
        One per (note, claim, depth).

    Raises
    ------
    NoteNotFound
        No note has that title or id.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> [(u.note.id, u.kind, u.depth) for u in used_by(g, "c")]
    [('l', 'source', 1), ('l', 'cited', 1)]
    """
    start = graph.note(note)
    uses: list[Use] = []
    frontier = [start]
    seen = {start.id}
    kinds = [
        LinkKind.MENTIONS,
        LinkKind.LINKS,
        LinkKind.EMBEDS,
        LinkKind.SOURCE,
        LinkKind.RELATED,
        LinkKind.PAPER,
        LinkKind.USES,
    ]
    for level in range(1, depth + 1):
        reached: list[Note] = []
        for current in frontier:
            for link in graph.backlinks(current, kinds=kinds):
                other = graph.note(link.source)
                if other.id == start.id:
                    continue
                claim = _claim_for(link, other)
                uses.append(
                    Use(other, claim, _use_kind(link), level, current if level > 1 else None)
                )
                if other.id not in seen:
                    seen.add(other.id)
                    reached.append(other)
        frontier = reached
    unique: dict[tuple[str, str, int], Use] = {}
    for use in uses:
        unique.setdefault((use.note.id, use.claim, use.depth), use)
    return list(unique.values())


def _claim_for(link: Link, other: Note) -> str:
    if link.kind in (LinkKind.MENTIONS, LinkKind.LINKS, LinkKind.EMBEDS) and link.sentence:
        return link.sentence
    if link.kind is LinkKind.SOURCE and link.summary:
        return link.summary
    return other.claim or other.description or other.title


def _use_kind(link: Link) -> str:
    return {
        LinkKind.MENTIONS: "cited",
        LinkKind.LINKS: "linked",
        LinkKind.EMBEDS: "embedded",
        LinkKind.SOURCE: "source",
        LinkKind.RELATED: "related",
        LinkKind.PAPER: "paper",
        LinkKind.USES: "uses",
    }[link.kind]


# Why a claim is listed by `unsupported_claims` (`Unsupported.reason`).
WEAK = "weak"
NO_SOURCES = "no sources"


@dataclass(frozen=True, repr=False)  # repr: kg.display
class Unsupported(ShortRepr):
    """A claim whose best evidence scores below the threshold.

    Attributes
    ----------
    note : Note
        The note.
    claim : Claim
        The claim.
    best : float
        Its best evidence's score.
    evidence : Evidence or None
        That evidence.
    reason : str
        Why: 'weak' (the note lists sources, related notes or papers, and none of them
        holds the claim well enough) or 'no sources' (it lists none, and the claim names
        no other note: there is nothing to trace it to; `best` is 0, `evidence` None).
    """

    note: Note
    claim: Claim
    best: float
    evidence: Evidence | None = field(default=None, compare=False)
    reason: str = WEAK


def sourceless_notes(found: Iterable[Unsupported]) -> dict[str, list[Unsupported]]:
    """The claims of `found` with nothing to trace them to, by note id, in order.

    >>> from kg.graph.knowledge import crowd_example
    >>> g, _ = crowd_example()
    >>> list(sourceless_notes(unsupported_claims(g)))
    ['c']
    """
    grouped: dict[str, list[Unsupported]] = {}
    for item in found:
        if item.reason == NO_SOURCES:
            grouped.setdefault(item.note.id, []).append(item)
    return grouped


def unsupported_claims(
    graph: KnowledgeGraph,
    threshold: float | None = None,
    scorer: Scorer | None = None,
    notes: Iterable[str | Note] | None = None,
) -> list[Unsupported]:
    """Every claim in the corpus (of notes with pages) whose best evidence is too weak.

    Papers, topics, hubs, stubs, categories, tags and attachments make no claims here.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    threshold : float, optional
        The threshold (see `kg.query.tree.threshold_for`).
    scorer : Scorer, optional
        How to rank evidence (`default_scorer(graph)` if None).
    notes : iterable of str or Note, optional
        Check only these notes (titles, ids or notes); every note if None.

    Returns
    -------
    list of Unsupported

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> [(u.note.id, u.claim.text, u.best) for u in unsupported_claims(g)]
    [('c', 'crowds cancel individual errors', 0.0)]
    """
    found: list[Unsupported] = []
    chosen = graph.notes(stubs=False) if notes is None else [graph.note(n) for n in notes]
    for note in chosen:
        if (
            note.stub
            or note.kind in (NoteKind.PAPER, NoteKind.TOPIC, NoteKind.HUB)
            or note.kind in NOT_NOTES
        ):
            continue
        if scorer is not None:
            found += _weak_claims(graph, note, scorer, threshold)
            continue
        # Not told how to rank: each note with the vectors its trace would choose
        # (`kg.query.kept`), so the lint and `trace` never disagree on a claim.
        kept = run_kept_first(
            graph, functools.partial(_weak_claims, graph, note, threshold=threshold)
        )
        found += (
            kept[0]
            if kept is not None
            else _weak_claims(graph, note, default_scorer(graph), threshold)
        )
    keep_embedded(graph)
    return found


def _weak_claims(
    graph: KnowledgeGraph, note: Note, scorer: Scorer, threshold: float | None
) -> list[Unsupported]:
    """The claims of `note` whose best evidence under `scorer` is below the threshold."""
    limit = threshold_for(graph, threshold, scorer)
    found = []
    for item in claims(graph, note):
        # Every candidate, not the ranking's first few: the best evidence is held
        # against the threshold whatever the ranking's weights put first.
        top = evidence_of(graph, note, item, 1, scorer, {note.id}, EVERY)
        best = max((e.support for e in top), default=0.0)
        if best < limit:
            reason = WEAK if top else NO_SOURCES
            found.append(Unsupported(note, item, best, top[0] if top else None, reason))
    return found
