"""More signals beside kg's fused ranking, measured held out on the kept cases of
benchmarks/bench_evidence.py (``--cases FILE``): nothing is ranked again.

    HF_HUB_OFFLINE=1 python benchmarks/evidence_more.py --cases /tmp/evidence-cases.json

Each way of ranking is chosen on one half of the cases and reported on the other, both
ways round, for the same splits as bench_evidence.py (the same halves: `halves`), and the
same cases for every way:

- ``kg grid``: bench_evidence.py's own choice from `GRID` (what kg ships is chosen so);
- ``kg grid + token max-sim``: the same grid with one more part, the MiniLM token max-sim
  of each candidate (the benchmark's row, standardised over the candidates as kg's
  cosines are), at one of `EXTRA_STEPS`;
- ``... per task``: the weighting chosen on the other half of that task's cases only (a
  ranking that knows whether its candidates are sentences, whole notes, or the notes a
  masked sentence cites);
- ``reciprocal rank``: kg's fused ranking (the grid's choice) and the token max-sim
  combined by reciprocal rank (1 / (k + place)), k chosen on the other half; ``per
  task``: for each task, on the other half of its cases, k or kg's order alone.

The extra part is the MiniLM token max-sim the kept cases hold, or, from FILE.texts.json,
the same weighted by word pieces' IDF (``--weighted``: the model's token vectors, minutes)
or over kg's static token table (``--static``: what `kg.query.tokenmatch` computes in a
trace, `Weights.token_rank`).

Beside them, on every case, BM25 (the better of the task's baselines), the transformer
alone, and the token max-sim alone, with bootstrap intervals of the differences (paired).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import (
    TASKS,
    TOKEN_MAX_SIM,
    VIEW_ROWS,
    VIEWS,
    Case,
    load_cases,
    top_hit,
)
from benchmarks.evidence_protocol import (
    BM25_SCALES,
    GATES,
    GRID,
    describe,
    difference_row,
    halves,
    part_weights,
    scaled,
    trusted,
)
from kg.query.fusion import PARTS
from kg.query.weights import reciprocal_ranks

# The token max-sim part's weights tried beside each weighting of `GRID`.
EXTRA_STEPS = (0.0, 0.5, 1.0, 2.0)
# The constants k of reciprocal-rank fusion tried (1 / (k + place), place from 1).
RRF_KS = (1.0, 5.0, 20.0, 60.0)


def standardised(values: np.ndarray) -> np.ndarray:
    """Zero mean, unit spread over the candidates (all zeros when level).

    >>> standardised(np.array([1.0, 3.0])).tolist()
    [-1.0, 1.0]
    """
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def places(fused: np.ndarray, truth: frozenset[int]) -> np.ndarray:
    """The best right candidate's place (0: first) under each column of `fused`
    (candidates x weightings); ties broken as kg breaks them (the earlier candidate).

    >>> places(np.array([[0.5, 0.1], [0.5, 0.9]]), frozenset([1])).tolist()
    [1, 0]
    """
    right = sorted(truth)
    best = fused[right].max(axis=0)
    first = np.array(right)[np.argmax(fused[right], axis=0)]
    above = (fused > best).sum(axis=0)
    level = ((fused == best) & (np.arange(fused.shape[0])[:, None] < first[None, :])).sum(axis=0)
    return np.asarray(above + level)


def extended_places(cases: list[Case], extra: str, steps: tuple[float, ...]) -> np.ndarray:
    """Cases x (len(GRID) * len(steps)): the best right candidate's place when kg's fused
    score under each weighting of `GRID` has `extra` (a score row of the cases,
    standardised) added at each of `steps` (column = grid index * len(steps) + step)."""
    out = np.zeros((len(cases), len(GRID) * len(steps)), dtype=np.int32)
    words = np.array([name.startswith("BM25") for name in PARTS])
    step = np.array(steps)
    for scale in BM25_SCALES:
        for gate in GATES:
            columns = np.array(
                [
                    k
                    for k, w in enumerate(GRID)
                    if w.bm25_scale == scale and (w.trust_words_from, w.trust_words_at) == gate
                ]
            )
            matrix = np.array([part_weights(GRID[k]) for k in columns]).T
            context = np.array([GRID[k].context for k in columns])
            for row, case in enumerate(cases):
                assert case.raw_parts is not None and case.raw_context is not None
                claim = scaled(case.raw_parts, scale) * trusted(case.raw_parts, gate, words)
                around = scaled(case.raw_context, scale) * trusted(case.raw_context, gate, words)
                fused = claim @ matrix + (around @ matrix) * context  # candidates x columns
                z = standardised(case.scores[extra])
                every = fused[:, :, None] + z[:, None, None] * step[None, None, :]
                flat = every.reshape(fused.shape[0], -1)
                target = (columns[:, None] * len(steps) + np.arange(len(steps))[None, :]).ravel()
                out[row, target] = places(flat, case.truth)
    return out


def choose_column(
    place: np.ndarray, tasks: np.ndarray, rows: np.ndarray, columns: np.ndarray | None = None
) -> int:
    """The column with the best mean recall@1 over the tasks present in `rows` (then mean
    reciprocal rank, then the first), among `columns` (every one by default)."""
    if columns is None:
        columns = np.arange(place.shape[1])
    hits = np.zeros(len(columns))
    reciprocal = np.zeros(len(columns))
    present = [t for t in TASKS if (tasks[rows] == t).any()]
    for task in present:
        own = rows[tasks[rows] == task]
        sub = place[np.ix_(own, columns)]
        hits += (sub == 0).mean(axis=0) / len(present)
        reciprocal += (1.0 / (1.0 + sub)).mean(axis=0) / len(present)
    order = np.lexsort((np.arange(len(columns)), -reciprocal, -hits))
    return int(columns[order[0]])


def held_out(
    place: np.ndarray,
    tasks: np.ndarray,
    groups: list[str],
    seed: int,
    per_task: bool,
    columns: np.ndarray | None = None,
) -> tuple[np.ndarray, list[int]]:
    """Hit@1 of every case under the column chosen on the other half (per task: on the
    other half of its own task), and the columns chosen."""
    half = halves(groups, seed)
    every = np.arange(len(tasks))
    hit = np.zeros(len(tasks))
    chosen = []
    for side in (0, 1):
        inside = half == side
        for task in TASKS if per_task else (None,):
            mine = inside if task is None else inside & (tasks == task)
            train = every[(half != side) & (True if task is None else tasks == task)]
            if not mine.any() or not len(train):
                continue
            picked = choose_column(place, tasks, train, columns)
            chosen.append(picked)
            hit[mine] = place[mine, picked] == 0
    return hit, chosen


def rrf_places(
    cases: list[Case], fused_column: int, kgs: list[float], extra: str = TOKEN_MAX_SIM
) -> np.ndarray:
    """Cases x len(kgs): places under reciprocal-rank fusion of kg's fused ranking (grid
    weighting `fused_column`) and the token max-sim, with each constant k."""
    weights = GRID[fused_column]
    out = np.zeros((len(cases), len(kgs)), dtype=np.int32)
    from kg.query.weights import fuse

    for row, case in enumerate(cases):
        assert case.raw_parts is not None and case.raw_context is not None
        raw = dict(zip(PARTS, case.raw_parts.T.tolist(), strict=True))
        around = dict(zip(PARTS, case.raw_context.T.tolist(), strict=True))
        fused = fuse(raw, around, weights)
        a = 1.0 / reciprocal_ranks(fused)  # place from 1
        b = 1.0 / reciprocal_ranks(case.scores[extra])
        combined = np.column_stack([1.0 / (k + a) + 1.0 / (k + b) for k in kgs])
        out[row] = places(combined, case.truth)
    return out


WEIGHTED = "token max-sim, IDF-weighted (MiniLM tokens, not in kg)"


def weighted_token_max_sim(cases: list[Case], texts: list[dict], folder: Path) -> None:
    """Add to each case's scores the `WEIGHTED` row: the token max-sim with each claim
    token's best cosine weighted by its word piece's IDF over every distinct text of the
    run's cases of the same task (rare pieces count more, "the" next to nothing)."""
    import math

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    kept: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def encode(batch: list[str]) -> None:
        missing = [t for t in dict.fromkeys(batch) if t not in kept]
        if not missing:
            return
        rows = model.encode(
            missing, output_value="token_embeddings", batch_size=32, show_progress_bar=False
        )
        for text, matrix in zip(missing, rows, strict=True):
            ids = model.tokenizer(text, truncation=True, max_length=model.max_seq_length)
            matrix = np.asarray(matrix, dtype=np.float32)
            piece = np.asarray(ids["input_ids"][: len(matrix)])[1:-1]
            matrix = matrix[1:-1]
            if not len(matrix):
                matrix, piece = np.zeros((1, matrix.shape[1] or 384)), np.array([-1])
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            kept[text] = (matrix / np.maximum(norms, 1e-9), piece)

    for task in TASKS:
        own = [(c, t) for c, t in zip(cases, texts, strict=True) if c.task == task]
        documents = {x for _, t in own for each in t["candidates"] for x in each}
        encode(sorted(documents) + [t["claim"] for _, t in own])
        frequency: dict[int, int] = {}
        for text in documents:
            for piece in set(kept[text][1].tolist()):
                frequency[piece] = frequency.get(piece, 0) + 1
        total = len(documents)
        for case, t in own:
            query, pieces = kept[t["claim"]]
            weight = np.array(
                [math.log((total + 1) / (frequency.get(int(q), 0) + 0.5)) for q in pieces]
            )
            weight = np.maximum(weight, 0.0)
            weight = (
                weight / weight.sum() if weight.sum() > 0 else np.full(len(weight), 1 / len(weight))
            )
            out = np.zeros(len(t["candidates"]))
            for i, each in enumerate(t["candidates"]):
                for text in each:
                    rows = kept[text][0]
                    out[i] = max(out[i], float((query @ rows.T).max(axis=1) @ weight))
            case.scores[WEIGHTED] = out


STATIC = "static token max-sim (kg's token table)"


def static_token_max_sim(cases: list[Case], texts: list[dict]) -> None:
    """Add to each case's scores the `STATIC` row: the token max-sim over kg's static
    token table (the rows `kg.embed.static.TokenTable` averages), each claim token's best
    cosine to a token of the candidate's text weighted by its row's length (model2vec
    scales rare tokens' rows up), the best text of each candidate counting."""
    from dataclasses import replace

    from benchmarks.evidence_data import ROOT
    from kg.config import load_config
    from kg.embed.choose import load_embedder

    table = load_embedder(replace(load_config(ROOT / "notes"), embedder="static")).model
    kept: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def rows(text: str) -> tuple[np.ndarray, np.ndarray]:
        if text not in kept:
            ids = table.tokenizer.encode(text, add_special_tokens=False).ids
            ids = [t for t in ids if t != table.unknown] or [0]
            matrix = table.table[np.array(ids)]
            norms = np.linalg.norm(matrix, axis=1)
            kept[text] = (matrix / np.maximum(norms, 1e-9)[:, None], norms)
        return kept[text]

    for case, t in zip(cases, texts, strict=True):
        query, weight = rows(t["claim"])
        weight = weight / weight.sum() if weight.sum() > 0 else weight
        out = np.zeros(len(t["candidates"]))
        for i, each in enumerate(t["candidates"]):
            for text in each:
                out[i] = max(out[i], float((query @ rows(text)[0].T).max(axis=1) @ weight))
        case.scores[STATIC] = out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, required=True, help="bench_evidence.py's kept cases")
    parser.add_argument("--splits", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument(
        "--weighted",
        action="store_true",
        help=f"add the {WEIGHTED!r} row (from FILE.texts.json; the model's token vectors "
        "of every text) and use it as the extra part",
    )
    parser.add_argument(
        "--static",
        action="store_true",
        help=f"add the {STATIC!r} row (from FILE.texts.json) and use it as the extra part",
    )
    args = parser.parse_args()
    cases = load_cases(args.cases)
    extra = TOKEN_MAX_SIM
    if args.static:
        import json

        texts = json.loads(args.cases.with_suffix(".texts.json").read_text(encoding="utf-8"))
        static_token_max_sim(cases, texts)
        extra = STATIC
    if args.weighted:
        import json

        from kg.embed.models import DEFAULT_MODEL, find_model_folder

        texts = json.loads(args.cases.with_suffix(".texts.json").read_text(encoding="utf-8"))
        weighted_token_max_sim(cases, texts, find_model_folder(DEFAULT_MODEL))
        extra = WEIGHTED
    short = {TOKEN_MAX_SIM: "token max-sim", WEIGHTED: "IDF-weighted token max-sim"}.get(
        extra, "static token max-sim"
    )
    if any(TOKEN_MAX_SIM not in c.scores for c in cases):
        raise SystemExit(f"{args.cases} has no {TOKEN_MAX_SIM!r} row: rank again with it")
    tasks = np.array([c.task for c in cases])
    groups = [c.group for c in cases]
    written = np.array([c.written for c in cases])
    steps = EXTRA_STEPS
    place = extended_places(cases, extra, steps)
    plain = np.arange(0, place.shape[1], len(steps))  # the token max-sim at weight 0
    methods: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for seed in args.splits:
        for label, per_task, columns in (
            ("kg grid", False, plain),
            ("kg grid, per task", True, plain),
            (f"kg grid + {short}", False, None),
            (f"kg grid + {short}, per task", True, None),
        ):
            hit, chosen = held_out(place, tasks, groups, seed, per_task, columns)
            methods[f"{label} (split {seed})"] = hit
            notes.append(
                f"- {label}, split {seed}: {short} weights chosen "
                + ", ".join(f"{steps[c % len(steps)]:g}" for c in chosen)
            )
        # reciprocal rank: kg's grid choice on the other half, then k on the other half
        half = halves(groups, seed)
        every = np.arange(len(cases))
        hit = np.zeros(len(cases))
        by_task = np.zeros(len(cases))
        for side in (0, 1):
            train = every[half != side]
            column = choose_column(place, tasks, train, plain) // len(steps)
            rrf = rrf_places(cases, column, list(RRF_KS), extra)
            k = choose_column(rrf, tasks, train)
            hit[half == side] = rrf[half == side, k] == 0
            notes.append(
                f"- reciprocal rank, split {seed}, half {side}: kg's "
                f"{describe(GRID[column])}; k {RRF_KS[k]:g}"
            )
            # per task: kg's fused order alone (column 0) or with the extra, k chosen on
            # the other half of the task's own cases
            either = np.column_stack([place[:, column * len(steps)], rrf])
            kinds = []
            for task in TASKS:
                own = train[tasks[train] == task]
                picked = choose_column(either, tasks, own)
                kinds.append("off" if picked == 0 else f"k {RRF_KS[picked - 1]:g}")
                mine = (half == side) & (tasks == task)
                by_task[mine] = either[mine, picked] == 0
            notes.append(f"- reciprocal rank per task, split {seed}, half {side}: {kinds}")
        methods[f"reciprocal rank of kg and {short} (split {seed})"] = hit
        methods[f"reciprocal rank of kg and {short}, per task (split {seed})"] = by_task
    for name in ("transformer alone", TOKEN_MAX_SIM, extra, "BM25", "BM25 (quoted text)"):
        methods[name] = np.array(
            [
                float(top_hit(c.scores[name], c.truth)[0]) if name in c.scores else np.nan
                for c in cases
            ]
        )
    # Not a ranking: how many cases some one of the single rankings gets right.
    single = np.vstack(
        [methods[n] for n in ("transformer alone", extra, "BM25", "BM25 (quoted text)")]
    )
    methods["ceiling: BM25, transformer or token max-sim right"] = np.nanmax(single, axis=0)
    rng = np.random.default_rng(17)
    print(
        "| task (cases) | ranking | recall@1 [95% CI] | minus BM25 [95% CI] | minus transformer |"
    )
    print("| --- | --- | --- | --- | --- |")
    for task, view in VIEWS:
        rows = np.flatnonzero((tasks == task) & VIEW_ROWS[view](written))
        if not len(rows):
            continue
        baselines = [methods["BM25"][rows]]
        if task == TASKS[2]:
            baselines.append(methods["BM25 (quoted text)"][rows])
        bm25 = max(baselines, key=lambda v: float(v.mean()))
        model = methods["transformer alone"][rows]
        for name, values in methods.items():
            if name == "BM25 (quoted text)" and task != TASKS[2]:
                continue
            mine = values[rows]
            print(difference_row(f"{task}{view} ({len(rows)})", name, mine, bm25, model, rng))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
