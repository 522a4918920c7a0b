"""The trace ranking's piece-by-piece match over the static token table, and its
reciprocal-rank combination with the fused order (`kg.query.tokenmatch`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kg.graph.knowledge import crowd_example
from kg.query.claims import Claim
from kg.query.fusion import FusedScorer, Weights
from kg.query.tokenmatch import reciprocal_rank_fusion, token_match, token_table
from kg.query.weights import weights_from_mapping, weights_to_mapping


def test_a_candidate_first_in_both_orders_stays_first():
    fused = reciprocal_rank_fusion([[0.1, 0.9, 0.5], [0.2, 0.7, 0.6]], 5.0)
    assert int(fused.argmax()) == 1


def test_two_orders_that_disagree_meet_between_them():
    # Candidate 0 is first by one order and third by the other; candidate 2 second by both.
    fused = reciprocal_rank_fusion([[0.9, 0.1, 0.5], [0.1, 0.9, 0.5]], 1.0)
    assert fused[0] == pytest.approx(fused[1])
    assert fused[2] < fused[0]


def test_level_scores_share_their_place():
    fused = reciprocal_rank_fusion([[0.5, 0.5, 0.1]], 0.0)
    assert fused.tolist() == pytest.approx([1.0, 1.0, 1 / 3])


def test_the_token_rank_is_read_and_written_with_the_weights():
    weights = Weights(token_rank=5.0)
    assert weights_from_mapping(weights_to_mapping(weights)) == weights
    assert weights_from_mapping({"token rank": 5}).token_rank == 5.0


def _table_or_skip():
    graph, _ = crowd_example()
    if token_table(graph) is None:
        pytest.skip("no static token table distilled on this machine")
    return graph


def test_the_candidate_that_says_the_claims_words_matches_best():
    graph = _table_or_skip()
    found = token_match(
        graph,
        "crowds average their errors away",
        [["Chess engines search deep trees."], ["Errors of many guesses cancel in a crowd."]],
    )
    assert found is not None and found[1] > found[0]


def test_an_empty_claim_gives_no_match():
    graph = _table_or_skip()
    assert token_match(graph, "", [["anything"]]) is None


def test_a_trace_with_the_token_rank_ranks_every_candidate_shares_in_rank_order(
    seeds_dir, tmp_path
):
    _table_or_skip()
    from fake_embedder import FakeEmbedder

    import kg
    from kg.query.trace import declared_sources

    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    line = next(n for n in graph.notes() if len(declared_sources(graph, n)) >= 3)
    candidates = declared_sources(graph, line)
    combined = FusedScorer(graph.embeddings, replace(Weights(context=0.0), token_rank=5.0))
    claim = Claim(line.id, 0, "claim", candidates[-1].note.title + " and what it says", 0)
    ranked = combined.ranked(graph, claim, candidates)
    shares = [r.score for r in ranked]
    assert sorted(r.index for r in ranked) == list(range(len(candidates)))
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) == pytest.approx(1.0)


def test_the_token_rank_counts_for_a_one_line_claim_only(seeds_dir, tmp_path):
    _table_or_skip()
    from fake_embedder import FakeEmbedder

    import kg
    from kg.query.claims import claims
    from kg.query.trace import declared_sources

    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    line = next(n for n in graph.notes() if len(declared_sources(graph, n)) >= 3)
    candidates = declared_sources(graph, line)
    sentence = next(c for c in claims(graph, line) if c.kind == "sentence")
    plain = FusedScorer(graph.embeddings, Weights())
    combined = FusedScorer(graph.embeddings, replace(Weights(), token_rank=5.0))
    # a body sentence and free text: ranked and scored as without the token rank
    for claim in (sentence, sentence.text):
        assert combined.ranked(graph, claim, candidates) == plain.ranked(graph, claim, candidates)
    # the same words as the note's one-line claim: the token rank counts
    said = Claim(line.id, 0, "claim", sentence.text, 0)
    assert combined.ranked(graph, said, candidates) != plain.ranked(graph, said, candidates)


def test_the_benchmark_ranks_a_one_line_claim_as_the_trace_does(seeds_dir, tmp_path):
    # bench_evidence.py ranks kg's shipped row from the parts it keeps and the token match:
    # the same scores as the trace's own ranking, with and without the token rank.
    _table_or_skip()
    cases = pytest.importorskip("benchmarks.evidence_cases")
    from fake_embedder import FakeEmbedder

    import kg
    from kg.query.fusion import _note_texts, _query_text
    from kg.query.tokenmatch import token_match as match
    from kg.query.trace import declared_sources

    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    lines = [n for n in graph.notes() if len(declared_sources(graph, n)) >= 3][:5]
    for rank in (0.0, 1.0, 5.0):
        scorer = FusedScorer(graph.embeddings, replace(Weights(context=0.0), token_rank=rank))
        for line in lines:
            candidates = declared_sources(graph, line)
            claim = Claim(line.id, 0, "claim", candidates[0].note.title + " says so", 0)
            raw, around = scorer.claim_parts(graph, claim, candidates)
            texts = [[c.text, *_note_texts(c)] for c in candidates]
            matched = match(graph, _query_text(graph, claim, candidates), texts)
            scores = cases.shipped_scores(raw, around, matched, scorer.weights)
            ranked = scorer.ranked(graph, claim, candidates)
            assert [r.index for r in ranked] == sorted(
                range(len(candidates)), key=lambda i: (-scores[i], i)
            )
