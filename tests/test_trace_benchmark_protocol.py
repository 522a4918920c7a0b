"""The masked-citation benchmark's held-out protocol (benchmarks/bench_trace.py): it reports
the shipped weights beside its own grid's choices even when the shipped weights (chosen by
bench_evidence.py's larger grid) are not in its grid."""

from __future__ import annotations

import pytest

from kg.query.fusion import CONTEXTS, DEFAULT_WEIGHTS, PARTS

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
