"""Boosted trees instead of the linear scorer of benchmarks/evidence_ltr.py (``--trees``):
scikit-learn's HistGradientBoostingClassifier scoring each candidate's row alone, its size
chosen within the training half as the linear scorer's penalty is.

>>> TREES[0]
(8, 150)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import Case, top_hit
from benchmarks.evidence_ltr import INNER_SPLIT, MASKED, merit, task_shares
from benchmarks.evidence_protocol import halves

# The boosted trees' settings tried within a training half (leaves, iterations).
TREES = ((8, 150), (16, 300))


def trees_fit(
    matrices: list[np.ndarray], cases: list[Case], part: np.ndarray, setting: tuple[int, int]
):
    """Boosted trees scoring each candidate's row alone (right or not), each case's rows
    weighing as much as another case of its task."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.vstack([matrices[r] for r in part])
    y = np.concatenate(
        [np.isin(np.arange(matrices[r].shape[0]), list(cases[r].truth)) for r in part]
    )
    share = task_shares([cases[r].task for r in part])
    weight = np.concatenate(
        [
            np.full(matrices[r].shape[0], s / matrices[r].shape[0])
            for r, s in zip(part, share, strict=True)
        ]
    )
    leaves, rounds = setting
    model = HistGradientBoostingClassifier(
        max_leaf_nodes=leaves,
        max_iter=rounds,
        learning_rate=0.05,
        l2_regularization=1.0,
        min_samples_leaf=20,
        random_state=0,
    )
    model.fit(x, y, sample_weight=weight * len(weight) / weight.sum())
    return model


def trees_hits(model: Any, matrices: list[np.ndarray], cases: list[Case], rows) -> np.ndarray:
    return np.array(
        [top_hit(model.decision_function(matrices[r]), cases[r].truth)[0] for r in rows],
        dtype=float,
    )


def trees_half(
    matrices: list[np.ndarray], cases: list[Case], train: np.ndarray
) -> tuple[Any, tuple[int, int]]:
    inner = halves([cases[r].group for r in train], INNER_SPLIT)
    tasks = np.array([cases[r].task for r in train])
    best, chosen = -1.0, TREES[0]
    for setting in TREES if len(TREES) > 1 else ():
        hit = np.zeros(len(train))
        for side in (0, 1):
            model = trees_fit(matrices, cases, train[inner != side], setting)
            hit[inner == side] = trees_hits(model, matrices, cases, train[inner == side])
        score = merit(hit, tasks)
        if score > best:
            best, chosen = score, setting
    return trees_fit(matrices, cases, train, chosen), chosen


def held_out_trees(
    matrices: list[np.ndarray], cases: list[Case], seed: int, per_kind: bool
) -> tuple[np.ndarray, list[str]]:
    half = halves([c.group for c in cases], seed)
    tasks = np.array([c.task for c in cases])
    every = np.arange(len(cases))
    hit = np.zeros(len(cases))
    notes = []
    kinds = (tasks == MASKED, tasks != MASKED) if per_kind else (np.ones(len(cases), bool),)
    for side in (0, 1):
        for kind in kinds:
            train = every[(half != side) & kind]
            test = every[(half == side) & kind]
            model, setting = trees_half(matrices, cases, train)
            hit[test] = trees_hits(model, matrices, cases, test)
            notes.append(f"split {seed}, half {side}: trees {setting} ({len(train)} cases)")
    return hit, notes
