"""The held-out protocol of benchmarks/bench_evidence.py: the grid of weightings the
halves choose from (`GRID`), the fitted combiner (`fit_best`), the halves, the bootstrap
intervals and the cells that describe a weighting.

>>> int(halves(["a", "b", "a", "c"], 1).sum()) in (1, 2, 3)
True
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import KG_TOKENS, RESAMPLES, TASKS, Case, shipped_scores, top_hit
from kg.query.fusion import DEFAULT_WEIGHTS, PARTS, Weights, fuse, normalised
from kg.query.weights import reciprocal_ranks, word_trust

# The fused ranking's free weights: each of its parts (`PARTS`; word coverage only gates
# the others) and the context's weight (the sentence after the claim, for masked
# citations; the evidence claims have none).
STEPS = (0.0, 0.5, 1.0)
WEIGHED = tuple(name for name in PARTS if name != "word coverage")
# How the BM25 parts are brought to the cosines' scale: divided by 2 or 5. (Standardised
# and / 10 were in the grid before the word gate; no half chose them then, and with the
# gate's options added they only gave the halves more ways to fit their own cases.)
BM25_SCALES = (2.0, 5.0)
# How far a claim's words are trusted (`kg.query.weights.word_trust`): not at all below
# the first word coverage, in full from the second; (0, 0) trusts them always.
GATES = ((0.0, 0.0), (0.1, 0.3), (0.2, 0.3), (0.2, 0.4), (0.2, 0.5))
CONTEXT_STEPS = (0.0, 0.25, 0.5)
GRID = tuple(
    Weights(
        best_match=match,
        bm25_quote=quote,
        bm25_note=note,
        context=context,
        context_kind=DEFAULT_WEIGHTS.context_kind,
        bm25_k1=DEFAULT_WEIGHTS.bm25_k1,
        bm25_b=DEFAULT_WEIGHTS.bm25_b,
        bm25_sentence=sentence,
        mean_match=mean,
        bm25_scale=bm25_scale,
        trust_words_from=low,
        trust_words_at=full,
    )
    for bm25_scale in BM25_SCALES
    for low, full in GATES
    for match, quote, note, sentence, mean in itertools.product(STEPS, repeat=len(WEIGHED))
    if match or quote or note or sentence or mean
    for context in CONTEXT_STEPS
)


# ---------------------------------------------------------------- the fitted weights

# How strongly the fitted weights are pulled towards 0 (the penalty on their squares).
# Chosen on the tuning halves only: each half split again in two, fitted on one quarter and
# scored on the other (BENCHMARKS.md, "Tracing ahead out of sample: fitted weights").
FIT_PENALTY = 0.1
# The seed of the split within the rows a fit may see (`fit_best`).
INNER_SPLIT = 101


def fit_features(case: Case, base: Weights) -> np.ndarray:
    """Candidates x 2 * len(WEIGHED): each weighed part as `fuse` brings it to scale (the
    BM25 parts trusted as far as `word_trust` says), then its `reciprocal_ranks`; the
    context's added at `base.context` times the claim's, as `fuse` adds them. A weight
    vector `w` then ranks as `fuse` does with `fitted_weights(w, base)`."""
    assert case.raw_parts is not None and case.raw_context is not None
    gate = (base.trust_words_from, base.trust_words_at)
    words = np.array([name.startswith("BM25") for name in PARTS])
    columns = [PARTS.index(name) for name in WEIGHED]
    total = np.zeros((case.raw_parts.shape[0], 2 * len(WEIGHED)))
    for raw, scale in ((case.raw_parts, 1.0), (case.raw_context, base.context)):
        if not scale or not raw.any():
            continue
        values = scaled(raw, base.bm25_scale) * trusted(raw, gate, words)
        ranks = np.column_stack([reciprocal_ranks(raw[:, j]) for j in columns])
        total += scale * np.hstack([values[:, columns], ranks])
    return total


def fitted_weights(vector: np.ndarray, base: Weights) -> Weights:
    """`base` with its parts' weights and their ranks' weights taken from `vector` (the
    order of `fit_features`), rounded to 4 decimals."""
    values = [round(float(v), 4) for v in vector]
    parts = dict(zip(WEIGHED, values[: len(WEIGHED)], strict=True))
    ranks = tuple(zip(WEIGHED, values[len(WEIGHED) :], strict=True))
    return replace(
        base,
        best_match=parts["best match"],
        bm25_quote=parts["BM25 quote"],
        bm25_note=parts["BM25 note"],
        bm25_sentence=parts["BM25 sentence"],
        mean_match=parts["mean match"],
        ranks=ranks,
    )


def fit_weights(
    cases: list[Case], rows: np.ndarray, base: Weights, penalty: float = FIT_PENALTY
) -> Weights:
    """The weights (`fit_features`' columns) that make the right candidates of `rows` most
    likely under a softmax over each case's candidates (a conditional logit: the log of
    the share the right candidates get, summed, each task's cases weighing as much as
    another task's), minus `penalty` times their squares; BM25's scale, the word gate and
    the context's weight are `base`'s.

    Examples
    --------
    >>> parts = np.zeros((3, len(PARTS)))
    >>> parts[:, 0] = [0.9, 0.2, 0.1]  # the meaning part points at candidate 0
    >>> case = Case("evidence, sentences", "c1", frozenset([0]), "")
    >>> case.raw_parts, case.raw_context = parts, np.zeros_like(parts)
    >>> fitted = fit_weights([case], np.array([0]), Weights(context=0.0), penalty=0.01)
    >>> fitted.best_match > 0 and int(np.argmax(fuse(dict(zip(PARTS, parts.T)), None, fitted)))
    0
    """
    from scipy.optimize import minimize

    features = {int(r): fit_features(cases[r], base) for r in rows}
    tasks = [cases[r].task for r in rows]
    present = sorted(set(tasks))
    share = {t: 1.0 / (len(present) * tasks.count(t)) for t in present}
    size = 2 * len(WEIGHED)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total = penalty * float(w @ w)
        grad = 2 * penalty * w
        for r, task in zip(rows, tasks, strict=True):
            x = features[int(r)]
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            right = np.zeros(len(s), dtype=bool)
            right[list(cases[r].truth)] = True
            held = max(float(p[right].sum()), 1e-300)
            total -= share[task] * np.log(held)
            q = np.where(right, p, 0.0) / held
            grad -= share[task] * ((q - p) @ x)
        return total, grad

    found = minimize(loss, np.zeros(size), jac=True, method="L-BFGS-B")
    return fitted_weights(found.x, base)


def fit_best(cases: list[Case], rows: np.ndarray, penalty: float = FIT_PENALTY) -> Weights:
    """Weights fitted on `rows` (`fit_weights`), with the BM25 scale, word gate and
    context weight of the grid (`BM25_SCALES`, `GATES`, `CONTEXT_STEPS`) under which
    fitting ranks best out of sample within `rows`: `rows` split in two by group, fitted
    on each part and scored on the other (mean recall@1 over the tasks, then mean
    reciprocal rank, then the order tried). Nothing outside `rows` is looked at."""
    inner = halves([cases[r].group for r in rows], INNER_SPLIT)
    present = sorted({cases[r].task for r in rows})
    best: tuple[float, float] | None = None
    chosen = DEFAULT_WEIGHTS
    for scale, gate, context in itertools.product(BM25_SCALES, GATES, CONTEXT_STEPS):
        base = replace(
            DEFAULT_WEIGHTS,
            bm25_scale=scale,
            trust_words_from=gate[0],
            trust_words_at=gate[1],
            context=context,
        )
        scored = []
        for side in (0, 1):
            fitted = fit_weights(cases, rows[inner != side], base, penalty)
            scored += [(ranked_hit(cases[r], fitted), cases[r].task) for r in rows[inner == side]]
        merit = (0.0, 0.0)
        for task in present:
            own = [hit for hit, t in scored if t == task]
            merit = (
                merit[0] + float(np.mean([h for h, _ in own])) / len(present),
                merit[1] + float(np.mean([q for _, q in own])) / len(present),
            )
        if best is None or merit > best:
            best, chosen = merit, base
    return fit_weights(cases, rows, chosen, penalty)


def ranked_hit(case: Case, weights: Weights) -> tuple[bool, float]:
    """Whether kg's `fuse` with `weights` puts a right candidate first, and 1 / the best
    right one's place (ties: the earlier candidate first, as kg breaks them)."""
    assert case.raw_parts is not None and case.raw_context is not None
    raw = dict(zip(PARTS, case.raw_parts.T.tolist(), strict=True))
    around = dict(zip(PARTS, case.raw_context.T.tolist(), strict=True))
    return top_hit(fuse(raw, around, weights), case.truth)


def part_weights(weights: Weights) -> np.ndarray:
    return np.array([dict(weights.parts()).get(name, 0.0) for name in PARTS])


def grid_hits(cases: list[Case]) -> tuple[np.ndarray, np.ndarray]:
    """Hit@1 and reciprocal rank of every case (rows) under every weighting (columns),
    the parts brought to scale by kg's own `normalised`, ties broken as kg breaks them
    (the earlier candidate first)."""
    hits = np.zeros((len(cases), len(GRID)), dtype=bool)
    reciprocal = np.zeros((len(cases), len(GRID)))
    words = np.array([name.startswith("BM25") for name in PARTS])
    for scale, gate in itertools.product(BM25_SCALES, GATES):
        columns = np.array(
            [
                k
                for k, w in enumerate(GRID)
                if w.bm25_scale == scale and (w.trust_words_from, w.trust_words_at) == gate
            ]
        )
        matrix = np.array([part_weights(GRID[k]) for k in columns]).T  # parts x weightings
        context = np.array([GRID[k].context for k in columns])
        for row, case in enumerate(cases):
            assert case.raw_parts is not None and case.raw_context is not None
            claim = scaled(case.raw_parts, scale) * trusted(case.raw_parts, gate, words)
            around = scaled(case.raw_context, scale) * trusted(case.raw_context, gate, words)
            fused = claim @ matrix + (around @ matrix) * context
            size = fused.shape[0]
            truth = sorted(case.truth)
            best_right = fused[truth].max(axis=0)
            # the best right candidate's place: those above it, and earlier ones level with it
            first_right = np.array(truth)[np.argmax(fused[truth], axis=0)]
            above = (fused > best_right).sum(axis=0)
            level_earlier = (
                (fused == best_right) & (np.arange(size)[:, None] < first_right[None, :])
            ).sum(axis=0)
            place = above + level_earlier
            hits[row, columns] = place == 0
            reciprocal[row, columns] = 1.0 / (1 + place)
    return hits, reciprocal


def trusted(raw: np.ndarray, gate: tuple[float, float], words: np.ndarray) -> np.ndarray:
    """Each part's factor for one case: kg's `word_trust` for the BM25 parts, 1 for the rest."""
    coverage = {"word coverage": raw[:, PARTS.index("word coverage")].tolist()}
    return np.where(words, word_trust(coverage, *gate), 1.0)


def scaled(raw: np.ndarray, bm25_scale: float) -> np.ndarray:
    """Candidates x PARTS, each part brought to scale as kg's `fuse` does."""
    return np.column_stack(
        [normalised(name, raw[:, j].tolist(), bm25_scale) for j, name in enumerate(PARTS)]
    )


def choose(hits: np.ndarray, reciprocal: np.ndarray, tasks: np.ndarray, rows: np.ndarray) -> int:
    """The weighting with the best mean recall@1 over the tasks on `rows` (then mean
    reciprocal rank, then grid order)."""
    merit_hits = np.zeros(len(GRID))
    merit_rr = np.zeros(len(GRID))
    present = [t for t in TASKS if (tasks[rows] == t).any()]
    for task in present:
        own = rows[tasks[rows] == task]
        merit_hits += hits[own].mean(axis=0) / len(present)
        merit_rr += reciprocal[own].mean(axis=0) / len(present)
    order = np.lexsort((np.arange(len(GRID)), -merit_rr, -merit_hits))
    return int(order[0])


def halves(groups: list[str], seed: int) -> np.ndarray:
    """0 or 1 per case: its group's half (groups shuffled, then split in two)."""
    names = sorted(set(groups))
    np.random.default_rng(seed).shuffle(names)
    first = set(names[: len(names) // 2])
    return np.array([0 if g in first else 1 for g in groups])


def interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mean and 95 % bootstrap interval (resampling the cases)."""
    draws = rng.integers(0, len(values), size=(RESAMPLES, len(values)))
    means = values[draws].mean(axis=1)
    return float(values.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def difference_row(
    label: str,
    name: str,
    mine: np.ndarray,
    bm25: np.ndarray,
    model: np.ndarray,
    rng: np.random.Generator,
) -> str:
    """One table row: a ranking's recall@1 over `label`'s cases and its differences to
    BM25 and to the plain model, each with its paired 95 % bootstrap interval.

    >>> ones, zeros = np.ones(4), np.zeros(4)
    >>> difference_row("notes (4)", "kg", ones, zeros, ones, np.random.default_rng(0))
    '| notes (4) | kg | 1.000 [1.000, 1.000] | +1.000 [+1.000, +1.000] | +0.000 [+0.000, +0.000] |'
    """
    v, lo, hi = interval(mine, rng)
    d, dl, dh = interval(mine - bm25, rng)
    m, ml, mh = interval(mine - model, rng)
    return (
        f"| {label} | {name} | {v:.3f} [{lo:.3f}, {hi:.3f}] | "
        f"{d:+.3f} [{dl:+.3f}, {dh:+.3f}] | {m:+.3f} [{ml:+.3f}, {mh:+.3f}] |"
    )


def describe(weights: Weights) -> str:
    """Weights in one short cell.

    >>> describe(Weights(best_match=1.0, bm25_quote=0.0, bm25_sentence=0.5, context=0.0))
    'match 1, quote 0, note 0, sentence 0.5, mean 0, no context, BM25 standardised, words always'
    >>> describe(Weights(trust_words_from=0.2, trust_words_at=0.4)).split(", ")[-1]
    'words from coverage 0.2 to 0.4'
    >>> describe(Weights(ranks=(("best match", 0.5), ("BM25 quote", -1.0)))).split(", ")[-1]
    'ranks 0.5 -1'
    """
    context = f"{weights.context_kind} {weights.context:g}" if weights.context else "no context"
    bm25 = f"BM25 / {weights.bm25_scale:g}" if weights.bm25_scale else "BM25 standardised"
    gate = (
        f"words from coverage {weights.trust_words_from:g} to {weights.trust_words_at:g}"
        if weights.trust_words_at
        else "words always"
    )
    ranks = (
        ", ranks " + " ".join(f"{weight:g}" for _, weight in weights.ranks) if weights.ranks else ""
    )
    return (
        f"match {weights.best_match:g}, quote {weights.bm25_quote:g}, "
        f"note {weights.bm25_note:g}, sentence {weights.bm25_sentence:g}, "
        f"mean {weights.mean_match:g}, {context}, {bm25}, {gate}{ranks}"
    )


def pooled_choice(cases: list[Case]) -> Weights:
    """The weights every case together chooses (what `--write-weights` ships)."""
    hits, reciprocal = grid_hits(cases)
    tasks = np.array([c.task for c in cases])
    return GRID[choose(hits, reciprocal, tasks, np.arange(len(cases)))]


def shipped_hits(cases: list[Case], weights: Weights) -> np.ndarray:
    """Hit@1 of every case ranked by kg's `fuse` with `weights` from its parts (ties: the
    earlier candidate, as kg breaks them), with the token rank of `weights` for the cases
    that kept kg's static token match (`shipped_scores`)."""
    out = np.zeros(len(cases), dtype=bool)
    for row, case in enumerate(cases):
        assert case.raw_parts is not None and case.raw_context is not None
        raw = dict(zip(PARTS, case.raw_parts.T.tolist(), strict=True))
        around = dict(zip(PARTS, case.raw_context.T.tolist(), strict=True))
        fused = shipped_scores(raw, around, case.scores.get(KG_TOKENS), weights)
        out[row] = int(np.argmax(fused)) in case.truth
    return out
