"""Reciprocal rank of several orders, chosen per kind of claim, held out on the kept cases of
benchmarks/bench_evidence.py (``--cases FILE``; nothing is ranked again).

    HF_HUB_OFFLINE=1 python benchmarks/evidence_rrf.py --cases /tmp/evidence-cases.json

kg's fused order (the grid's weighting chosen on the other half, as bench_evidence.py
chooses it) is combined with other orders of the same candidates by weighted reciprocal
rank, sum over orders of w / (k + place), the weights and k chosen on the other half of
the cases, both ways round, splits 1, 2, 3 (`halves`); the same cases for every row:

- ``the switch``: kg and kg's static token match (`Weights.token_rank`) for the evidence
  claims (claims that are not a note's own body sentence), kg's order alone for masked
  citations (a note's own body sentences), as `kg.query.fusion.own_sentence` decides;
- ``per kind``: every combination of `ORDERS` at the weights of `ORDER_WEIGHTS` and each k
  of `RRF_KS`, chosen once on the other half's evidence claims (both tasks together: a
  trace cannot tell sentence-sized notes from whole ones) and once on its masked
  citations (a trace knows a note's own body sentence);
- ``masked: + citing sentences``: for masked citations, kg's order and the order of the
  citing sentences of other notes (`--citing FILE`, benchmarks/evidence_citing.py: each
  candidate's best cosine between the masked sentence and a sentence of another note that
  names the candidate, the name cut out).

Beside them BM25 and the transformer alone, with paired bootstrap intervals.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import TASKS, TOKEN_MAX_SIM, Case, load_cases, top_hit
from benchmarks.evidence_more import (
    STATIC,
    choose_column,
    extended_places,
    places,
    static_token_max_sim,
)
from benchmarks.evidence_protocol import GRID, difference_row, halves
from kg.query.fusion import DEFAULT_WEIGHTS, PARTS, fuse
from kg.query.weights import reciprocal_ranks

RRF_KS = (1.0, 5.0, 20.0, 60.0)
ORDER_WEIGHTS = (0.0, 0.5, 1.0)
CITING = "citing sentences of other notes (transformer)"
ORDER = "place in the source list near the sentence's in the body"
MASKED = TASKS[2]


def kg_order(case: Case, column: int) -> np.ndarray:
    """kg's fused scores of the case's candidates under the grid's weighting `column`."""
    assert case.raw_parts is not None and case.raw_context is not None
    raw = dict(zip(PARTS, case.raw_parts.T.tolist(), strict=True))
    around = dict(zip(PARTS, case.raw_context.T.tolist(), strict=True))
    return np.asarray(fuse(raw, around, GRID[column]))


def combos(
    orders: tuple[str, ...], steps: tuple[float, ...] = ORDER_WEIGHTS
) -> list[tuple[float, tuple[float, ...]]]:
    """(k, a weight per order beside kg's) for every k and weighting of `steps`; kg's
    order alone (all zero) once, first, when 0 is a step."""
    out: list[tuple[float, tuple[float, ...]]] = []
    if 0.0 in steps:
        out.append((60.0, (0.0,) * len(orders)))
    for k in RRF_KS:
        for w in itertools.product(steps, repeat=len(orders)):
            if any(w):
                out.append((k, w))
    return out


EVIDENCE_ORDERS = (STATIC, "transformer alone", "BM25")
SWITCH = "the switch: kg and kg's static token match, masked kg alone"
# (name, the orders beside kg's for the evidence claims, for masked citations: None the
# same, () kg's order alone)
WAYS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    (SWITCH, (STATIC,), ()),
    ("per kind: kg, static tokens, transformer, BM25", EVIDENCE_ORDERS, None),
    (
        "per kind: kg, MiniLM tokens, transformer, BM25",
        (TOKEN_MAX_SIM, "transformer alone", "BM25"),
        None,
    ),
    (
        "per kind; masked: kg, citing sentences, transformer, BM25",
        EVIDENCE_ORDERS,
        (CITING, "transformer alone", "BM25"),
    ),
    ("per kind; masked: kg, source-list place", EVIDENCE_ORDERS, (ORDER,)),
    (
        "per kind; masked: kg, citing sentences, source-list place, BM25",
        EVIDENCE_ORDERS,
        (CITING, ORDER, "BM25"),
    ),
    (
        "per kind; masked: kg, BM25 of the quoted texts, source-list place, citing",
        EVIDENCE_ORDERS,
        ("BM25 (quoted text)", ORDER, CITING),
    ),
    (
        "per kind; masked: kg, citing, place, transformer, BM25",
        EVIDENCE_ORDERS,
        (CITING, ORDER, "transformer alone", "BM25"),
    ),
)
KEPT: dict[tuple, np.ndarray] = {}


def combo_places(cases: list[Case], column: int, orders: tuple[str, ...], grid: list) -> np.ndarray:
    """Cases x len(grid): the best right candidate's place under each combination (kept
    per weighting and orders: the halves of the splits often choose the same)."""
    key = (column, orders, tuple(grid))
    if key not in KEPT:
        KEPT[key] = _combo_places(cases, column, orders, grid)
    return KEPT[key]


def _combo_places(
    cases: list[Case], column: int, orders: tuple[str, ...], grid: list
) -> np.ndarray:
    out = np.zeros((len(cases), len(grid)), dtype=np.int32)
    for row, case in enumerate(cases):
        own = [1.0 / reciprocal_ranks(kg_order(case, column))]  # places from 1
        for name in orders:
            scores = case.scores.get(name)
            own.append(
                1.0 / reciprocal_ranks(scores)
                if scores is not None
                else np.full(len(own[0]), np.inf)
            )
        place = np.vstack(own)
        matrix = np.column_stack(
            [
                1.0 / (k + place[0])
                + sum(w * (1.0 / (k + p)) for w, p in zip(ws, place[1:], strict=True))
                for k, ws in grid
            ]
        )
        out[row] = places(matrix, case.truth)
    return out


def held_out_rows(
    cases: list[Case], seed: int, plain_place: np.ndarray, plain_columns: np.ndarray, steps: int
) -> tuple[dict[str, np.ndarray], list[str]]:
    """The held-out hits of each way of ranking on one split, and what each half chose."""
    tasks = np.array([c.task for c in cases])
    half = halves([c.group for c in cases], seed)
    every = np.arange(len(cases))
    rows = {name: np.zeros(len(cases)) for name in ("kg grid", *(w[0] for w in WAYS))}
    notes = []
    for side in (0, 1):
        train = every[half != side]
        test = half == side
        column = choose_column(plain_place, tasks, train, plain_columns) // steps
        alone = np.array([top_hit(kg_order(c, column), c.truth)[0] for c in cases])
        rows["kg grid"][test] = alone[test]
        for name, orders, masked_orders in WAYS:
            chosen = []
            for kind in ("evidence", "masked"):
                mine = (tasks == MASKED) if kind == "masked" else (tasks != MASKED)
                use = orders if kind == "evidence" or masked_orders is None else masked_orders
                if kind == "masked" and masked_orders == ():
                    rows[name][test & mine] = alone[test & mine]
                    chosen.append("masked: kg alone")
                    continue
                # the switch is what `Weights.token_rank` ships: both orders at weight 1
                grid = combos(use, (1.0,) if name == SWITCH else ORDER_WEIGHTS)
                place = combo_places(cases, column, use, grid)
                picked = choose_column(place, tasks, train[mine[train]])
                rows[name][test & mine] = place[test & mine, picked] == 0
                k, ws = grid[picked]
                chosen.append(
                    f"{kind}: k {k:g}, "
                    + ", ".join(f"{o} {w:g}" for o, w in zip(use, ws, strict=True))
                )
            notes.append(f"- {name}, split {seed}, half {side}: " + "; ".join(chosen))
    return {f"{k} (split {seed})": v for k, v in rows.items()}, notes


def add_citing(cases: list[Case], path: Path) -> None:
    """The `CITING` row of each masked case, from benchmarks/evidence_citing.py's JSON (the
    masked cases in bench_evidence.py's order)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    masked = [c for c in cases if c.task == MASKED]
    if len(rows) != len(masked):
        raise SystemExit(f"{path}: {len(rows)} masked cases, the kept cases {len(masked)}")
    for case, row in zip(masked, rows, strict=True):
        if row["group"] != case.group or row["truth"] != min(case.truth):
            raise SystemExit(f"{path}: case {row['group']} is not in the kept cases' order")
        case.scores[CITING] = np.array(row["transformer"])
        case.scores[ORDER] = np.array(row["order"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, required=True, help="bench_evidence.py's kept cases")
    parser.add_argument("--citing", type=Path, help="evidence_citing.py's JSON")
    parser.add_argument("--splits", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--baselines",
        type=Path,
        help="kept cases whose masked citations rank every candidate: BM25's and the plain "
        "model's figures on them (kg's from --cases, ranked with --others-cited as the "
        "trace ranks)",
    )
    args = parser.parse_args()
    cases = load_cases(args.cases)
    texts = json.loads(args.cases.with_suffix(".texts.json").read_text(encoding="utf-8"))
    static_token_max_sim(cases, texts)
    if args.citing:
        add_citing(cases, args.citing)
    tasks = np.array([c.task for c in cases])
    steps = (0.0,)
    plain_place = extended_places(cases, STATIC, steps)
    plain_columns = np.arange(plain_place.shape[1])
    methods: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for seed in args.splits:
        found, said = held_out_rows(cases, seed, plain_place, plain_columns, len(steps))
        methods.update(found)
        notes += said
    for name in (
        "transformer alone",
        STATIC,
        TOKEN_MAX_SIM,
        CITING,
        ORDER,
        "BM25",
        "BM25 (quoted text)",
    ):
        methods[name] = np.array(
            [
                float(top_hit(c.scores[name], c.truth)[0]) if name in c.scores else np.nan
                for c in cases
            ]
        )
    if args.baselines:
        base = [c for c in load_cases(args.baselines) if c.task == MASKED]
        rows = np.flatnonzero(tasks == MASKED)
        if [c.group for c in base] != [cases[r].group for r in rows]:
            raise SystemExit(f"{args.baselines}: not the same masked cases")
        for name in ("transformer alone", "BM25", "BM25 (quoted text)"):
            methods[name][rows] = [float(top_hit(c.scores[name], c.truth)[0]) for c in base]
    # what every case together chooses for the switch (kg's shipped weights, then k)
    shipped = GRID.index(replace(DEFAULT_WEIGHTS, token_rank=0.0))
    grid = combos((STATIC,), (1.0,))
    place = combo_places(cases, shipped, (STATIC,), grid)
    picked = choose_column(place, tasks, np.flatnonzero(tasks != MASKED))
    in_sample = ", ".join(
        f"{t} {float((place[tasks == t, picked] == 0).mean()):.3f}" for t in TASKS[:2]
    )
    notes.append(
        f"- the switch on every evidence case, kg's shipped weights: k {grid[picked][0]:g} "
        f"(in-sample: {in_sample})"
    )
    rng = np.random.default_rng(17)
    print(
        "| task (cases) | ranking | recall@1 [95% CI] | minus BM25 [95% CI] | minus transformer |"
    )
    print("| --- | --- | --- | --- | --- |")
    for task in TASKS:
        rows = np.flatnonzero(tasks == task)
        baselines = [methods["BM25"][rows]]
        if task == MASKED:
            baselines.append(methods["BM25 (quoted text)"][rows])
        bm25 = max(baselines, key=lambda v: float(v.mean()))
        model = methods["transformer alone"][rows]
        for name, values in methods.items():
            mine = values[rows]
            if np.isnan(mine).any():
                continue
            print(difference_row(f"{task} ({len(rows)})", name, mine, bm25, model, rng))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
