"""Reading a trace the other way and over the corpus: the claims that rest on a note
(`used_by`), and the claims whose best evidence is too weak (`unsupported_claims`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.model import NOT_NOTES, Link, LinkKind, Note, NoteKind
from kg.query.claims import Claim, Evidence, Scorer, Use, claims
from kg.query.scorers import default_scorer
from kg.query.tree import evidence_of, threshold_for

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


def used_by(graph: KnowledgeGraph, note: str | Note, depth: int = 2) -> list[Use]:
    """Claims across the corpus that rest on `note`, nearest first (how far it reaches)."""
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


@dataclass(frozen=True)
class Unsupported:
    """A claim whose best evidence scores below the threshold."""

    note: Note
    claim: Claim
    best: float
    evidence: Evidence | None = field(default=None, compare=False)


def unsupported_claims(
    graph: KnowledgeGraph, threshold: float | None = None, scorer: Scorer | None = None
) -> list[Unsupported]:
    """Every claim in the corpus (of notes with pages) whose best evidence is too weak."""
    scorer = scorer or default_scorer(graph)
    limit = threshold_for(graph, threshold, scorer)
    found: list[Unsupported] = []
    for note in graph.notes(stubs=False):
        if note.kind in (NoteKind.PAPER, NoteKind.TOPIC, NoteKind.HUB) or note.kind in NOT_NOTES:
            continue
        for item in claims(graph, note):
            top = evidence_of(graph, note, item, 1, scorer, {note.id}, 3)
            best = max((e.score for e in top), default=0.0)
            if best < limit:
                found.append(Unsupported(note, item, best, top[0] if top else None))
    return found
