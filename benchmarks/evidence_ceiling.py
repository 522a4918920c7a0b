"""How high kg's fused ranking can reach on the masked citations at all, and what weights
chosen on other data give there (issue 24, point 5), from the kept cases of
benchmarks/bench_evidence.py (``--cases FILE``; nothing is ranked again).

    python benchmarks/evidence_ceiling.py /tmp/tune24/cases.json /tmp/trace5/cases-oc.json

For each file: (1) the weighting the evidence claims alone choose (the masked citations
never seen), its recall@1 on all masked citations against BM25 (the better of the whole
note and the quoted text) and the plain model, with paired bootstrap intervals, and the
same choice made by each half of the evidence claims (bench_evidence.py's `halves`);
(2) how many of the grid's weightings reach each count of right first candidates on the
masked citations *in sample* — the ceiling no held-out choice from this grid can pass.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import load_cases, top_hit
from benchmarks.evidence_protocol import GRID, choose, describe, grid_hits, halves, interval

MASKED = "masked citation"


def first_hits(cases: list, rows: np.ndarray, name: str) -> np.ndarray:
    """1.0 where `name`'s scores put a right candidate first, per case of `rows`."""
    return np.array([top_hit(cases[i].scores[name], cases[i].truth)[0] for i in rows], float)


def report(path: Path) -> None:
    cases = load_cases(path)
    hits, reciprocal = grid_hits(cases)
    tasks = np.array([c.task for c in cases])
    evidence, masked = np.where(tasks != MASKED)[0], np.where(tasks == MASKED)[0]
    quoted = first_hits(cases, masked, "BM25 (quoted text)")
    whole = first_hits(cases, masked, "BM25")
    plain = first_hits(cases, masked, "transformer alone")
    bm25 = quoted if quoted.mean() >= whole.mean() else whole
    chosen = choose(hits, reciprocal, tasks, evidence)
    mine = hits[masked, chosen].astype(float)
    rng = np.random.default_rng(0)
    d, dl, dh = interval(mine - bm25, rng)
    m, ml, mh = interval(mine - plain, rng)
    print(f"## {path} ({len(masked)} masked citations)")
    print(f"chosen on the evidence claims alone: {describe(GRID[chosen])}")
    print(
        f"masked: kg {mine.mean():.3f}; BM25 quoted {quoted.mean():.3f}, whole "
        f"{whole.mean():.3f}; plain model {plain.mean():.3f}; minus the better BM25 "
        f"{d:+.3f} [{dl:+.3f}, {dh:+.3f}]; minus the plain model {m:+.3f} [{ml:+.3f}, {mh:+.3f}]"
    )
    groups = [c.group for c in cases]
    for seed in (1, 2, 3):
        side = halves(groups, seed)
        got = []
        for half in (0, 1):
            rows = np.where((tasks != MASKED) & (side == half))[0]
            got.append(f"{hits[masked, choose(hits, reciprocal, tasks, rows)].mean():.3f}")
        print(f"split {seed}: chosen on either half of the evidence claims -> {' / '.join(got)}")
    right = np.round(hits[masked].mean(axis=0) * len(masked)).astype(int)
    bar = int(np.ceil((bm25.mean() + 0.05) * len(masked) - 1e-9))
    print(f"target: {bar} of {len(masked)} right (BM25 {bm25.mean():.3f} + 0.05)")
    print("weightings of the grid (of", len(GRID), ") with at least N right, in sample:")
    print("  " + ", ".join(f"{n}: {(right >= n).sum()}" for n in range(bar - 4, right.max() + 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="+", type=Path, help="kept cases of bench_evidence.py")
    for path in parser.parse_args().cases:
        report(path)


if __name__ == "__main__":
    main()
