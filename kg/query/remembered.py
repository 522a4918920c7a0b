"""Rankings kept while a trace is made again over a grown graph.

A trace from a store (`kg.store.reach`) is made once per round: each round reads a
folder holding a few more notes and traces again, until the trace needs none it lacks.
Most of what a round ranks, the round before ranked already (the note's own sources,
each body sentence's candidates), with the same claim, the same candidates read from the
same files, and the same stored vectors. Within `rankings_kept`, such a ranking is made
once: its key holds everything it depends on by value (the claim, the claim's note, each
candidate's note and quoted text, the scorer's weights), so a candidate that was a stub
(its note not fetched yet) and is a note now is ranked again.

Only the fused ranking over stored vectors is kept (`FusedScorer` over a vector store or
its `StoredRows`): the others either embed texts as they go (the transformer's) or are
probes whose scores are not the trace's.

>>> from kg.graph.knowledge import crowd_example
>>> from kg.query.candidates import declared_sources
>>> from kg.query.scorers import LexicalScorer
>>> g, line = crowd_example()
>>> with rankings_kept():
...     [r.index for r in ranked_once(LexicalScorer(), g, "crowds", declared_sources(g, line))]
[0]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from kg.query.claims import Candidate, Claim, Ranked, Scorer
from kg.query.fusion import FusedScorer, ranked

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

KEPT_VECTORS = ("VectorStore", "StoredRows")  # vectors read from an index, never embedded

_kept: ContextVar[dict[Hashable, list[Ranked]] | None] = ContextVar("kept_rankings", default=None)


@contextmanager
def rankings_kept() -> Iterator[dict[Hashable, list[Ranked]]]:
    """Within this block, `ranked_once` ranks the same candidates for the same claim
    once; yields the rankings kept (for tests)."""
    kept: dict[Hashable, list[Ranked]] = {}
    token = _kept.set(kept)
    try:
        yield kept
    finally:
        _kept.reset(token)


def ranked_once(
    scorer: Scorer, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
) -> list[Ranked]:
    """`kg.query.fusion.ranked`, kept within `rankings_kept` when the key can say all it
    depends on."""
    kept = _kept.get()
    key = _key(scorer, graph, claim, candidates) if kept is not None else None
    if kept is None or key is None:
        return ranked(scorer, graph, claim, candidates)
    found = kept.get(key)
    if found is None:
        found = kept[key] = ranked(scorer, graph, claim, candidates)
    return list(found)


def _key(
    scorer: Scorer, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
) -> Hashable | None:
    if not isinstance(scorer, FusedScorer):
        return None
    vectors: Any = getattr(scorer, "store", None)
    if type(vectors).__name__ not in KEPT_VECTORS:
        return None
    about: Hashable = claim
    if isinstance(claim, Claim):
        from kg.query.candidates import declared_sources

        note = graph.note(claim.note_id)  # its body (a sentence's context) and its sources
        titles = tuple(c.note.title for c in declared_sources(graph, note))
        about = (claim, note, titles)
    try:
        key = (type(vectors).__name__, scorer.weights, about, tuple(candidates))
        hash(key)
    except TypeError:  # something unhashable: rank it each time
        return None
    return key
