"""The trace benchmarks' held-out protocols: bench_trace.py reports the shipped weights
beside its own grid's choices even when they are not in its grid; bench_evidence.py's
fitted weights rank as kg's `fuse` ranks with them, and learn which part to trust."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kg.query.fusion import CONTEXTS, DEFAULT_WEIGHTS, PARTS, fuse

bench = pytest.importorskip("benchmarks.bench_trace")


def _parts(corpus: str, note: str, truth: int, lead: list[float]) -> object:
    """One masked sentence's parts: every part says `lead`, for every BM25 constant."""
    constants = {*bench.BM25_CONSTANTS, (DEFAULT_WEIGHTS.bm25_k1, DEFAULT_WEIGHTS.bm25_b)}
    claim = {c: {name: list(lead) for name in PARTS} for c in constants}
    contexts = {(*c, kind): None for c in constants for kind in CONTEXTS}
    return bench.Parts(corpus, note, truth, claim, contexts)


def test_the_held_out_table_reports_shipped_weights_that_are_not_in_its_grid():
    assert DEFAULT_WEIGHTS not in bench.GRID  # the situation that raised KeyError
    parts = [
        _parts("notes", "a", 0, [0.9, 0.1, 0.0]),  # every ranking puts the truth first
        _parts("notes", "b", 1, [0.9, 0.1, 0.0]),  # ... and this truth second
        _parts("seeds", "c", 2, [0.0, 0.1, 0.9]),
        _parts("seeds", "d", 0, [0.0, 0.1, 0.9]),
    ]
    lines = bench.held_out(parts, {"notes": [0, 1], "seeds": [0, 2]})
    shipped = [line for line in lines if "shipped (in-sample)" in line]
    assert len(shipped) == 2
    # notes: one of two first (0.500); seeds: one of two first
    assert all("| 0.500 [" in line for line in shipped)
    assert all(bench.describe(DEFAULT_WEIGHTS) in line for line in shipped)


evidence = pytest.importorskip("benchmarks.bench_evidence")


def _case(truth: int, raw: np.ndarray, context: np.ndarray | None = None) -> object:
    case = evidence.Case("masked citation", f"g{truth}", frozenset([truth]), "")
    case.raw_parts = raw
    case.raw_context = np.zeros_like(raw) if context is None else context
    return case


def test_the_fitted_features_rank_as_kgs_fuse_ranks_with_the_fitted_weights():
    # The benchmark fits weights on a matrix of its own making; what kg ships must rank
    # exactly as that matrix does, context, word gate and places included.
    rng = np.random.default_rng(5)
    base = replace(
        DEFAULT_WEIGHTS, bm25_scale=2.0, trust_words_from=0.1, trust_words_at=0.3, context=0.5
    )
    for _ in range(20):
        raw = rng.random((6, len(PARTS))) * np.array([1, 4, 4, 4, 1, 0.5])
        raw[rng.random(raw.shape) < 0.3] = 0.0
        case = _case(0, raw, rng.random(raw.shape))
        vector = rng.normal(size=2 * len(evidence.WEIGHED)).round(4)
        from_matrix = evidence.fit_features(case, base) @ vector
        weights = evidence.fitted_weights(vector, base)
        from_kg = fuse(
            dict(zip(PARTS, raw.T.tolist(), strict=True)),
            dict(zip(PARTS, case.raw_context.T.tolist(), strict=True)),
            weights,
        )
        assert np.allclose(from_matrix - from_matrix.mean(), from_kg - from_kg.mean())


def test_fitted_weights_learn_which_part_points_at_the_right_candidate():
    # Over these cases the meaning part (best match) always puts the right candidate
    # first and the word part (BM25 quote) puts a wrong one first by a wide margin.
    rng = np.random.default_rng(9)
    cases = []
    for k in range(12):
        raw = np.zeros((4, len(PARTS)))
        truth = k % 4
        raw[:, 0] = rng.random(4) * 0.5
        raw[truth, 0] = 0.9
        raw[(truth + 1) % 4, 1] = 6.0
        raw[:, PARTS.index("word coverage")] = 0.5
        cases.append(_case(truth, raw))
    base = replace(DEFAULT_WEIGHTS, bm25_scale=2.0, context=0.0)
    fitted = evidence.fit_weights(cases, np.arange(len(cases)), base)
    assert fitted.best_match > 0 > fitted.bm25_quote
    assert all(evidence.ranked_hit(case, fitted)[0] for case in cases)
    assert not all(evidence.ranked_hit(case, base)[0] for case in cases)


@pytest.mark.model
def test_token_max_sim_scores_a_candidate_by_its_text_closest_to_the_claim_word_by_word():
    from kg.embed.models import DEFAULT_MODEL, find_model_folder

    scorer = evidence.TokenMaxSim(find_model_folder(DEFAULT_MODEL))
    claim = "Warm ocean water thins the ice shelves from below."
    same, reworded, unrelated = scorer.scores(
        claim,
        [
            ["Chess engines search many moves ahead.", claim],  # its best text counts
            ["Seawater heated by currents melts floating glaciers at their base."],
            ["Chess engines search many moves ahead."],
        ],
    )
    assert same == pytest.approx(1.0, abs=1e-4)  # every token finds itself
    assert same > reworded > unrelated
