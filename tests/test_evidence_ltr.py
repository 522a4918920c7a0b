"""The learned reranker of benchmarks/evidence_ltr.py: a candidate's features come from its
own texts and the claim only (never its label, never its place in the list), and the fit
learns which feature points at the right candidate."""

from __future__ import annotations

import numpy as np

from benchmarks.evidence_cases import Case
from benchmarks.evidence_ltr import Idf, features, fit, hits_of, spread, task_shares
from benchmarks.evidence_more import STATIC
from kg.query.fusion import PARTS

TEXTS = [
    ["Sentence 1", "Process reward models rerank samples on MATH."],
    ["Sentence 2", "Majority voting stops improving after a few hundred samples."],
    ["Sentence 3", "Judges prefer longer answers in 2023 studies by OpenAI."],
    ["Sentence 4", "A verifier is no better than the generator it checks."],
]
CLAIM = "Reranking samples with a process reward model helps on MATH."


def case_of(order: list[int], truth: int) -> tuple[Case, dict]:
    rng = np.random.default_rng(0)
    parts = rng.random((len(TEXTS), len(PARTS)))[order]
    case = Case("evidence, sentences", "c1", frozenset([order.index(truth)]), CLAIM)
    case.raw_parts, case.raw_context = parts, np.zeros_like(parts)
    for name in ("transformer alone", "static alone", "BM25", STATIC):
        case.scores[name] = rng.random(len(TEXTS))[order]
    candidates = [TEXTS[i] for i in order]
    text = {"claim": CLAIM, "candidates": candidates, "full": [c[1] for c in candidates]}
    return case, text


def test_features_follow_the_candidates_not_their_place_or_label():
    idf = Idf({}, 10)
    first, text = case_of([0, 1, 2, 3], truth=0)
    matrix, names = features(first, text, idf, minilm=False)
    order = [2, 0, 3, 1]
    moved, moved_text = case_of(order, truth=1)  # another label: the features stay the same
    again, _ = features(moved, moved_text, idf, minilm=False)
    assert np.allclose(again, matrix[order])
    assert len(names) == matrix.shape[1] == len(set(names))
    overlap = names.index("stem overlap (z)")
    assert int(np.argmax(matrix[:, overlap])) == 0  # the sentence sharing the claim's words


def test_the_fit_puts_first_what_the_telling_feature_points_at():
    rng = np.random.default_rng(3)
    rows, truths = [], []
    for _ in range(40):
        x = rng.normal(size=(6, 3))
        right = int(rng.integers(6))
        x[right, 1] += 3.0  # feature 1 tells; 0 and 2 are noise
        rows.append(x)
        truths.append(frozenset([right]))
    w = fit(rows, truths, task_shares(["t"] * 40), 0.1, spread(rows))
    assert int(np.argmax(np.abs(w))) == 1
    assert hits_of(rows, truths, w).mean() > 0.9
