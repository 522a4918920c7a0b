"""Evidence ranking, held out: kg's default against the plain model, static vectors and
BM25 on the hand-built claims (benchmarks/data/evidence_claims.yaml) and on masked
citations, in one run.

    HF_HUB_OFFLINE=1 python benchmarks/bench_evidence.py --seeds ../shared/seeds

Three tasks, every case a claim and its candidate sources:

- evidence, sentences: each source is one sentence of the claim's source notes (every
  sentence of them); a hit ranks a sentence labelled relevant first;
- evidence, notes: each source is a whole note (title and body); a hit ranks first a note
  with a relevant sentence (claims whose every source has one are left out);
- masked citation: bench_trace.py's cases on notes/ and the seeds (a sentence naming a
  declared source, the name cut out; which declared source does it rest on?).

The evidence tasks are traced in a Markdown vault written for the run (one note per source,
one inquiring line per claim listing its sources), loaded with kg's default configuration;
kg ranks with `default_scorer(graph)` as `kg trace` does, each claim as its line's one-line
claim (with the shipped token rank, `Weights.token_rank`, which counts for one-line claims
only) and each masked sentence as a body sentence of its note. Beside it: the transformer alone
(all-MiniLM-L6-v2's cosine of the claim and the source's whole text), static vectors alone
(the same with the static table), and BM25 (bm25s, English stop words) over the same texts
(for masked citations, BM25 over the quoted texts, as bench_trace.py, and over the whole
note; the better one is the baseline).

Held out: the fused ranking's weights (`GRID`: each part's weight, the context's, BM25's
scale, and the word gate, from which word coverage a claim's words count and from which
they count in full) are chosen on one half of the claims and notes (by mean recall@1 over
the three tasks, then mean reciprocal rank) and reported on the other, both ways round, so
every case is ranked with weights chosen without it. Beside them, a fitted combiner
(`fit_best`; not what kg ships, see BENCHMARKS.md): the weight of each part and of each
part's place among the candidates (`Weights.ranks`), fitted on the same half by a
conditional logit (the log of the softmax share the right candidates get, each task's cases
together weighing as much as another task's, minus `FIT_PENALTY` times the weights'
squares), with the BM25 scale, word gate and context weight of the grid under which fitting
does best within the half (the half split in two again). The figures: recall@1 with a 95 %
bootstrap interval, and the paired bootstrap interval of the difference to BM25 and to the
transformer alone (2,000 resamples of the cases). The last lines give the weights every
case together chooses: what kg ships (`DEFAULT_WEIGHTS`, kg/data/trace_weights.json, which
``--write-weights`` writes before the tables are made).
The evidence tasks are reported for every claim and then by how the claims were written
(from their sentence's words, paraphrased, reworded: benchmarks/evidence_data.py).

Every case's scores and parts can be kept (``--cases FILE``, JSON, no text of the seeds)
and reported again without ranking anything (its claims' and candidates' texts go to
FILE with the suffix .texts.json beside it, for trying new parts: keep that one out of
the repository); the "kg default" row is ranked from the
parts with kg's own `fuse`, and each case checks that this puts first what the trace
itself puts first.

    HF_HUB_OFFLINE=1 python benchmarks/bench_evidence.py --seeds ../shared/seeds \
        --cases /tmp/evidence-cases.json --write-weights
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import (  # noqa: F401  (importable from here, as before)
    KG_TOKENS,
    RESAMPLES,
    TASKS,
    TOKEN_MAX_SIM,
    VIEW_ROWS,
    VIEWS,
    Cached,
    Case,
    TokenMaxSim,
    evidence_cases,
    fill_bm25,
    load_cases,
    masked_cases,
    save_cases,
    save_texts,
    score_case,
    top_hit,
    write_vault,
)
from benchmarks.evidence_data import ROOT
from benchmarks.evidence_protocol import (  # noqa: F401  (importable from here, as before)
    BM25_SCALES,
    CONTEXT_STEPS,
    FIT_PENALTY,
    GATES,
    GRID,
    INNER_SPLIT,
    STEPS,
    WEIGHED,
    choose,
    describe,
    fit_best,
    fit_features,
    fit_weights,
    fitted_weights,
    grid_hits,
    halves,
    interval,
    part_weights,
    pooled_choice,
    ranked_hit,
    scaled,
    shipped_hits,
    trusted,
)
from kg.query.fusion import DEFAULT_WEIGHTS, Weights


def report(
    cases: list[Case], seeds: tuple[int, ...], shipped: Weights = DEFAULT_WEIGHTS
) -> tuple[list[str], Weights]:
    """The tables (per task, every method's recall@1 held out, and the differences) and
    the weights every case together chooses.

    Held out, two ways per split: the grid's weighting chosen on the other half (how kg's
    shipped weights are chosen), and weights fitted on the other half (`fit_best`, the
    fitted combiner, reported beside it and not shipped: see BENCHMARKS.md)."""
    hits, reciprocal = grid_hits(cases)
    tasks = np.array([c.task for c in cases])
    every = np.arange(len(cases))
    pooled = choose(hits, reciprocal, tasks, every)
    shipped_hit = shipped_hits(cases, shipped)
    lines = [
        f"Cases: {', '.join(f'{t} {int((tasks == t).sum())}' for t in TASKS)}; "
        f"{len(GRID)} weightings.",
        "",
    ]
    held = np.zeros((len(seeds), len(cases)), dtype=float)
    held_fit = np.zeros((len(seeds), len(cases)), dtype=float)
    chosen_lines = []
    for k, seed in enumerate(seeds):
        half = halves([c.group for c in cases], seed)
        for side in (0, 1):
            picked = choose(hits, reciprocal, tasks, every[half != side])
            inside = half == side
            held[k, inside] = hits[inside, picked]
            fitted = fit_best(cases, every[half != side])
            held_fit[k, inside] = shipped_hits([cases[r] for r in every[inside]], fitted)
            chosen_lines.append(
                f"- split {seed}, chosen without half {side}: {describe(GRID[picked])}; "
                f"fitted: {describe(fitted)}"
            )
    rng = np.random.default_rng(17)
    lines.append(
        "| task (cases) | ranking | recall@1 [95% CI] | minus BM25 [95% CI] | "
        "minus transformer [95% CI] |"
    )
    lines.append("| --- | --- | --- | --- | --- |")
    written = np.array([c.written for c in cases])
    for task, view in VIEWS:
        rows = every[(tasks == task) & VIEW_ROWS[view](written)]
        if not len(rows):
            continue
        baseline_names = ["BM25"] + (["BM25 (quoted text)"] if task == "masked citation" else [])
        methods: dict[str, np.ndarray] = {}
        for seed_index, seed in enumerate(seeds):
            methods[f"kg, weights chosen on the other half (split {seed})"] = held[seed_index, rows]
        for seed_index, seed in enumerate(seeds):
            methods[f"kg fitted (not shipped), fitted on the other half (split {seed})"] = held_fit[
                seed_index, rows
            ]
        methods["kg, pooled weights (in-sample)"] = hits[rows, pooled].astype(float)
        methods["kg default (shipped weights, in-sample)"] = shipped_hit[rows].astype(float)
        for name in cases[rows[0]].scores:
            methods[name] = np.array(
                [float(top_hit(cases[r].scores[name], cases[r].truth)[0]) for r in rows]
            )
        bm25 = max((methods[n] for n in baseline_names), key=lambda v: float(v.mean()))
        plain = methods["transformer alone"]
        for name, values in methods.items():
            value, low, high = interval(values, rng)
            cells = [f"{value:.3f} [{low:.3f}, {high:.3f}]"]
            for other in (bm25, plain):
                diff = values - other
                d, dl, dh = interval(diff, rng)  # paired: the same resampled cases
                cells.append(f"{d:+.3f} [{dl:+.3f}, {dh:+.3f}]")
            lines.append(f"| {task}{view} ({len(rows)}) | {name} | {' | '.join(cells)} |")
    lines.append("")
    lines.append(
        f"Chosen on every case: {describe(GRID[pooled])}"
        f"{' (the shipped default)' if GRID[pooled] == replace(shipped, token_rank=0.0) else ' (NOT the shipped default)'}."
    )
    lines.append(f"Fitted on every case (not shipped): {describe(fit_best(cases, every))}.")
    lines += chosen_lines
    return lines, GRID[pooled]


def write_weights(weights: Weights, cases: list[Case]) -> Path:
    """Ship `weights`: kg/data/trace_weights.json, which `kg.query.weights` reads."""
    import json

    from kg.query.weights import WEIGHTS_FILE, weights_to_mapping

    counts = {t: sum(c.task == t for c in cases) for t in TASKS}
    path = ROOT / "kg" / "data" / WEIGHTS_FILE
    about = json.loads(path.read_text(encoding="utf-8"))["about"]
    data = {
        "about": about,
        "chosen on": {task: count for task, count in counts.items()},
        "weights": weights_to_mapping(weights),
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seeds",
        type=Path,
        default=ROOT.parent / "shared" / "seeds",
        help="the seed pages (the data set's corpus 's'; not in the repository)",
    )
    parser.add_argument(
        "--splits",
        type=int,
        nargs="+",
        default=[1, 2, 3],
        help="random seeds of the half splits (each split is used both ways)",
    )
    parser.add_argument(
        "--cases",
        type=Path,
        help="keep every case's scores and parts in this JSON file (and its texts in "
        "FILE.texts.json), and report from it when it exists (no ranking: the protocol "
        "and tables only)",
    )
    parser.add_argument(
        "--rank-again", action="store_true", help="rank every case even if --cases exists"
    )
    parser.add_argument(
        "--no-token-max-sim",
        action="store_true",
        help=f"leave out the {TOKEN_MAX_SIM!r} row (about 4 minutes of a ranking run)",
    )
    parser.add_argument(
        "--others-cited",
        action="store_true",
        help="masked citations: leave the other sources the sentence names out of every "
        "ranking (`kg trace` shows them as cited and ranks only the rest)",
    )
    parser.add_argument(
        "--write-weights",
        action="store_true",
        help="ship the weights every case chooses (kg/data/trace_weights.json)",
    )
    args = parser.parse_args()
    from kg.config import load_config
    from kg.embed.choose import load_embedder

    base = load_config(ROOT / "notes")
    from kg.embed.models import find_model_folder

    embedders: dict[str, Any] = {
        "transformer alone": Cached(load_embedder(replace(base, embedder="transformer"))),
        "static alone": Cached(load_embedder(replace(base, embedder="static"))),
    }
    if not args.no_token_max_sim:
        embedders[TOKEN_MAX_SIM] = TokenMaxSim(find_model_folder(base.model))
    started = time.perf_counter()
    if args.cases and args.cases.exists() and not args.rank_again:
        cases = load_cases(args.cases)
    else:
        with tempfile.TemporaryDirectory(prefix="kg-evidence-") as folder:
            work = Path(folder)
            cases = evidence_cases(args.seeds, work, embedders)
            cases += masked_cases(
                [ROOT / "notes", args.seeds], work, embedders, others_cited=args.others_cited
            )
            fill_bm25(cases)
        if args.cases:
            save_cases(cases, args.cases)
            save_texts(cases, args.cases.with_suffix(".texts.json"))
    if DEFAULT_WEIGHTS.token_rank and not any(KG_TOKENS in c.scores for c in cases):
        raise SystemExit(f"{args.cases} has no {KG_TOKENS!r} row: rank again")
    shipped = DEFAULT_WEIGHTS
    if args.write_weights:  # the grid's choice; the token rank stays as shipped
        shipped = replace(pooled_choice(cases), token_rank=DEFAULT_WEIGHTS.token_rank)
        print(f"wrote {write_weights(shipped, cases)}", file=sys.stderr)
    lines, _ = report(cases, tuple(args.splits), shipped)
    print("\n".join(lines))
    print(f"\n{time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
