"""The token max-sim variants of benchmarks/evidence_tokens.py: reduced token vectors read
back as the full ones when no dimension is dropped, and every variant follows the
candidates, not their place in the list."""

from __future__ import annotations

import numpy as np

from benchmarks.evidence_tokens import (
    Reduction,
    Setting,
    Tokens,
    fit_reduction,
    idf_weights,
    max_sim,
    quantise,
    unit,
    variant_scores,
)


def token_texts(rng: np.random.Generator, count: int, size: int = 12) -> list[Tokens]:
    out = []
    for _ in range(count):
        n = int(rng.integers(1, 6))
        out.append(Tokens(unit(rng.normal(size=(n, size))), rng.integers(0, 20, size=n)))
    return out


def reduced(reduction: Reduction, texts: list[Tokens]) -> list[Tokens]:
    return [Tokens(reduction.read(reduction.keep(t.vectors)), t.pieces) for t in texts]


def test_the_reduced_max_sim_is_the_full_one_when_no_dimension_is_dropped():
    rng = np.random.default_rng(1)
    texts = token_texts(rng, 30)
    claim = token_texts(rng, 1)[0]
    every = np.vstack([t.vectors for t in texts])
    whole = fit_reduction(every, every.shape[1])
    full = [max_sim(claim.vectors, t.vectors) for t in texts]
    again = [max_sim(claim.vectors, t.vectors) for t in reduced(whole, texts)]
    assert np.allclose(again, full, atol=1e-6)
    # int8 at every dimension: off by the rounding only
    coarse = fit_reduction(every, every.shape[1], int8=True)
    close = [max_sim(claim.vectors, t.vectors) for t in reduced(coarse, texts)]
    assert np.allclose(close, full, atol=0.02)
    # fewer dimensions: no longer the same
    few = fit_reduction(every, 3)
    assert not np.allclose([max_sim(claim.vectors, t.vectors) for t in reduced(few, texts)], full)


def test_quantised_codes_are_int8_with_one_scale_per_vector():
    rows = np.array([[0.05, -0.2, 0.04], [0.0, 0.0, 0.0]])
    codes, scale = quantise(rows)
    assert codes.dtype == np.int8 and scale.shape == (2,)
    assert codes[0].tolist() == [32, -127, 25] and codes[1].tolist() == [0, 0, 0]


def test_every_variant_follows_the_candidates_not_their_place():
    rng = np.random.default_rng(2)
    claim = token_texts(rng, 1)[0]
    candidates = [token_texts(rng, int(rng.integers(1, 4))) for _ in range(5)]
    weights, unseen = idf_weights([t for each in candidates for t in each])
    settings = [
        Setting(),
        Setting(weights=weights, unseen=unseen),
        Setting(reverse=True),
        Setting(pooled=True),
        Setting(stop=frozenset({1, 2, 3})),
    ]
    order = [3, 0, 4, 1, 2]
    for setting in settings:
        scores = variant_scores(claim, candidates, setting)
        moved = variant_scores(claim, [candidates[i] for i in order], setting)
        assert np.allclose(moved, scores[order])


def test_pooling_never_scores_below_the_best_text():
    rng = np.random.default_rng(3)
    claim = token_texts(rng, 1)[0]
    candidates = [token_texts(rng, 3) for _ in range(4)]
    apart = variant_scores(claim, candidates, Setting())
    pooled = variant_scores(claim, candidates, Setting(pooled=True))
    assert (pooled >= apart - 1e-12).all()
