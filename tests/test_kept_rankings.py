"""Rankings kept while a trace is made again over a grown graph (`kg.query.remembered`):
a trace from a store traces once per round, and what a round ranked before is not ranked
again, while a candidate that changed is."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kg.model import NoteKind
from kg.query import remembered
from kg.query.candidates import declared_sources
from kg.query.fusion import FusedScorer, ranked
from kg.query.remembered import ranked_once, rankings_kept
from kg.query.scorers import LexicalScorer
from kg.query.tree import trace


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rankings `ranked_once` really made (the real ranking, counted)."""
    calls: list[int] = []

    def counting(*args):  # type: ignore[no-untyped-def]
        calls.append(1)
        return ranked(*args)

    monkeypatch.setattr(remembered, "ranked", counting)
    return calls


def a_line_with_sources(graph):  # type: ignore[no-untyped-def]
    lines = [n for n in graph.notes(stubs=False) if n.kind is NoteKind.LINE]
    return max(lines, key=lambda n: (len(declared_sources(graph, n)), n.id))


def test_a_trace_made_again_within_the_block_ranks_nothing_again(embedded_graph, counted):
    g = embedded_graph
    note = a_line_with_sources(g)
    alone = trace(g, note, scorer=FusedScorer(g.embeddings))
    outside = len(counted)
    assert outside > 1
    with rankings_kept() as kept:
        first = trace(g, note, scorer=FusedScorer(g.embeddings))
        made = len(counted) - outside
        again = trace(g, note, scorer=FusedScorer(g.embeddings))  # a new scorer, as a round makes
        assert len(counted) - outside == made  # the second trace ranked nothing
    assert 0 < len(kept) <= made
    assert first == again == alone
    trace(g, note, scorer=FusedScorer(g.embeddings))  # after the block: ranked again
    assert len(counted) - outside == made + outside


def test_a_candidate_that_changed_is_ranked_again(embedded_graph, counted):
    g = embedded_graph
    note = a_line_with_sources(g)
    candidates = declared_sources(g, note)
    scorer = FusedScorer(g.embeddings)
    claim = "errors cancel out when many people judge"
    with rankings_kept() as kept:
        ranked_once(scorer, g, claim, candidates)
        ranked_once(scorer, g, claim, list(candidates))
        assert len(counted) == 1 and len(kept) == 1
        # the first candidate's note read again with another claim (a stub fetched since)
        grown = replace(candidates[0], note=replace(candidates[0].note, claim="something else"))
        ranked_once(scorer, g, claim, [grown, *candidates[1:]])
        ranked_once(scorer, g, "another claim", candidates)
        assert len(counted) == 3 and len(kept) == 3


def test_only_rankings_over_stored_vectors_are_kept(embedded_graph, counted):
    g = embedded_graph
    candidates = declared_sources(g, a_line_with_sources(g))
    with rankings_kept() as kept:
        ranked_once(LexicalScorer(), g, "errors cancel", candidates)
        ranked_once(LexicalScorer(), g, "errors cancel", candidates)
    assert len(counted) == 2 and not kept
