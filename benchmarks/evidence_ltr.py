"""A learned reranker over many cheap features per (claim, candidate), held out on the
kept cases of benchmarks/bench_evidence.py (``--cases FILE`` and ``FILE.texts.json``;
nothing is ranked again).

    HF_HUB_OFFLINE=1 python benchmarks/evidence_ltr.py --cases /tmp/tune24/cases.json

Each candidate of a case gets a row of features computed from its own texts and the claim
only (`features`; no label, no candidate order): kg's six parts for the claim and for its
context, kg's fused score with the shipped weights, the static token match kg computes,
the plain model's and the static vectors' whole-text cosines, BM25, and word features
read from the texts (stemmed overlap over the candidate and over its best text, the same
weighted by IDF, word-pair overlap, shared numbers and capitalised terms, length); each
score-like column brought to a common scale within the case (standardised over the
candidates) and its place among them (1, 1/2, 1/3, ...), and a few columns times the
claim's best word coverage (how far its words are to be trusted). A linear scorer of the
rows is fitted by a conditional logit (the log of the softmax share of the right
candidates within each case, each task weighing alike) with a penalty on the weights'
squares chosen within the training half (its groups split in two again).

Fitted on one half of the claims (bench_evidence.py's `halves`: by claim, the masked
citations by their note) and reported on the other, both ways round, splits 1, 2, 3; the
same cases in every row; paired bootstrap intervals of the differences to BM25 (masked:
the better of BM25 over whole texts and over the quoted texts) and to the plain model.
``--kind`` fits one scorer for the evidence claims and one for the masked citations (a
trace knows a note's own body sentence); ``--minilm-tokens`` adds the MiniLM token max-sim
(not computable by kg at trace time) as a feature, ``--window`` the plain model over each
sentence with its neighbours (benchmarks/evidence_window.py), ``--trees`` boosted trees
instead of the linear scorer (benchmarks/evidence_trees.py); ``--tokens NAME ...`` the
MiniLM token variants of benchmarks/evidence_tokens.py (its reduced token vectors too).

>>> overlap({"a", "b"}, {"b", "c"}), overlap(set(), {"c"})
(0.5, 0.0)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import (
    KG_TOKENS,
    TASKS,
    TOKEN_MAX_SIM,
    VIEW_ROWS,
    VIEWS,
    Case,
    load_cases,
    top_hit,
)
from benchmarks.evidence_more import STATIC, static_token_max_sim
from benchmarks.evidence_protocol import difference_row, halves
from benchmarks.evidence_window import WINDOW, add_windows
from kg.query.fusion import DEFAULT_WEIGHTS, PARTS
from kg.query.weights import reciprocal_ranks
from kg.text import plain_words, stem, tokens

MASKED = TASKS[2]
PENALTIES = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
INNER_SPLIT = 101
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
NAMED = re.compile(r"\b[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*\b|\b[A-Z][a-z]+\b")


def overlap(claim: set[str], text: set[str]) -> float:
    """The share of the claim's words that the text holds."""
    return len(claim & text) / len(claim) if claim else 0.0


def pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def named(text: str) -> set[str]:
    """Capitalised words not opening a sentence, and words with inner capitals or digits."""
    found = set()
    for sentence in re.split(r"(?<=[.!?:;])\s+", text):
        for k, match in enumerate(NAMED.finditer(sentence)):
            if k == 0 and match.start() == 0 and match.group().istitle():
                continue
            found.add(stem(match.group().lower()))
    return found


@dataclass(frozen=True)
class Idf:
    """Inverse document frequency of stemmed words over a task's distinct texts."""

    counts: dict[str, int]
    total: int

    def __call__(self, word: str) -> float:
        return math.log((self.total + 1) / (self.counts.get(word, 0) + 0.5))


def full_texts(text: dict) -> list[str]:
    """Each candidate's whole text (older kept texts have none: its texts joined)."""
    return text.get("full") or [" ".join(each) for each in text["candidates"]]


def task_idf(texts: list[dict], cases: list[Case], task: str) -> Idf:
    distinct = {
        x for c, t in zip(cases, texts, strict=True) if c.task == task for x in full_texts(t)
    }
    counts: Counter[str] = Counter()
    for text in distinct:
        counts.update(set(tokens(text)))
    return Idf(dict(counts), len(distinct))


# The score-like columns: each enters standardised over the case's candidates and as its
# reciprocal place.
SCORES = (
    *(f"kg {p}" for p in PARTS),
    *(f"kg context {p}" for p in PARTS),
    "kg static token match",
    "transformer alone",
    "static alone",
    "BM25",
    "BM25 (quoted text)",
    "stem overlap",
    "stem overlap, best text",
    "IDF overlap",
    "IDF overlap, best text",
    "pair overlap, best text",
    "numbers shared",
    "named terms shared",
    "log length",
)
# Columns also multiplied by the claim's best IDF overlap (a gate the linear scorer can
# learn: words trusted as far as some candidate holds them).
GATED = ("BM25", "transformer alone", "kg best match", "kg static token match", "IDF overlap")


def word_columns(claim: str, candidates: list[list[str]], full: list[str], idf: Idf) -> np.ndarray:
    """Candidates x 10: the word features of `SCORES` after "BM25 (quoted text)"."""
    mine = tokens(claim)
    claim_set = set(mine)
    weight = {w: max(idf(w), 0.0) for w in claim_set}
    total_weight = sum(weight.values()) or 1.0
    claim_pairs = pairs(mine)
    claim_numbers = numbers(claim)
    claim_named = named(claim)
    rows = []
    for texts, whole in zip(candidates, full, strict=True):
        each = [set(tokens(t)) for t in texts] or [set()]
        union = set().union(*each)
        best = max(overlap(claim_set, s) for s in each)
        idf_union = sum(weight[w] for w in claim_set & union) / total_weight
        idf_best = max(sum(weight[w] for w in claim_set & s) / total_weight for s in each)
        pair_best = max((overlap(claim_pairs, pairs(tokens(t))) for t in texts), default=0.0)  # type: ignore[arg-type]
        rows.append(
            [
                overlap(claim_set, union),
                best,
                idf_union,
                idf_best,
                pair_best,
                len(claim_numbers & numbers(whole)),
                len(claim_named & named(whole)),
                math.log1p(len(plain_words(whole))),
            ]
        )
    return np.array(rows, dtype=float)


def standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def features(
    case: Case,
    text: dict,
    idf: Idf,
    minilm: bool,
    window: bool = False,
    extra: tuple[str, ...] = (),
) -> tuple[np.ndarray, list[str]]:
    """Candidates x columns, and the columns' names (`extra`: more of the case's scores)."""
    assert case.raw_parts is not None and case.raw_context is not None
    n = case.raw_parts.shape[0]
    bm25 = case.scores["BM25"]
    columns = [
        *case.raw_parts.T,
        *case.raw_context.T,
        case.scores.get(KG_TOKENS, case.scores[STATIC]),
        case.scores["transformer alone"],
        case.scores["static alone"],
        bm25,
        case.scores.get("BM25 (quoted text)", bm25),
        *word_columns(text["claim"], text["candidates"], full_texts(text), idf).T,
    ]
    names = list(SCORES)
    if minilm:
        columns.append(case.scores[TOKEN_MAX_SIM])
        names.append("MiniLM token max-sim")
    if window:
        columns.append(case.scores[WINDOW])
        names.append("transformer, window")
    for score in extra:
        columns.append(case.scores[score])
        names.append(score)
    out, labels = [], []
    for name, values in zip(names, columns, strict=True):
        values = np.asarray(values, dtype=float)
        out += [standardised(values), reciprocal_ranks(values.tolist())]
        labels += [f"{name} (z)", f"{name} (place)"]
    # kg's BM25 parts as they stand (not standardised: their size says how much of the
    # claim a candidate holds), scaled as kg scales them
    for j, p in enumerate(PARTS):
        if p.startswith("BM25"):
            out.append(case.raw_parts[:, j] / 2.0)
            labels.append(f"kg {p} (raw / 2)")
    coverage = float(np.max(columns[names.index("IDF overlap")]))
    for name in GATED:
        out.append(out[labels.index(f"{name} (z)")] * coverage)
        labels.append(f"{name} (z) x best coverage")
        out.append(out[labels.index(f"{name} (z)")] * (1 - coverage))
        labels.append(f"{name} (z) x (1 - best coverage)")
    # how far apart BM25 puts its first two candidates (a claim whose words pick one
    # candidate out), beside each gated column
    bm25_z = out[labels.index("BM25 (z)")]
    top = np.sort(bm25_z)[::-1]
    margin = float(top[0] - top[1]) if len(top) > 1 else 0.0
    for name in GATED:
        out.append(out[labels.index(f"{name} (z)")] * margin)
        labels.append(f"{name} (z) x BM25 margin")
    matrix = np.column_stack(out)
    assert matrix.shape[0] == n
    return matrix, labels


# ---------------------------------------------------------------- the fit


def fit(
    rows: list[np.ndarray],
    truths: list[frozenset[int]],
    shares: np.ndarray,
    penalty: float,
    scale: np.ndarray,
) -> np.ndarray:
    """The weights `w` maximising sum of share * log(softmax share of the right candidates
    under rows @ (w / scale)) minus penalty * |w|^2 (columns on a common spread)."""
    from scipy.optimize import minimize

    xs = [x / scale for x in rows]
    rights = []
    for x, truth in zip(xs, truths, strict=True):
        right = np.zeros(x.shape[0], dtype=bool)
        right[list(truth)] = True
        rights.append(right)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total = penalty * float(w @ w)
        grad = 2 * penalty * w
        for x, right, share in zip(xs, rights, shares, strict=True):
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            held = max(float(p[right].sum()), 1e-300)
            total -= share * math.log(held)
            q = np.where(right, p, 0.0) / held
            grad -= share * ((q - p) @ x)
        return total, grad

    size = xs[0].shape[1]
    found = minimize(loss, np.zeros(size), jac=True, method="L-BFGS-B")
    return found.x / scale


def task_shares(tasks: list[str]) -> np.ndarray:
    present = sorted(set(tasks))
    count = Counter(tasks)
    return np.array([len(tasks) / (len(present) * count[t]) for t in tasks])


def spread(rows: list[np.ndarray]) -> np.ndarray:
    stacked = np.vstack(rows)
    s = stacked.std(axis=0)
    return np.where(s > 0, s, 1.0)


def hits_of(rows: list[np.ndarray], truths: list[frozenset[int]], w: np.ndarray) -> np.ndarray:
    return np.array([top_hit(x @ w, t)[0] for x, t in zip(rows, truths, strict=True)], dtype=float)


def merit(hit: np.ndarray, tasks: np.ndarray) -> float:
    present = sorted(set(tasks.tolist()))
    return float(np.mean([hit[tasks == t].mean() for t in present]))


def fit_half(
    matrices: list[np.ndarray],
    cases: list[Case],
    train: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Weights fitted on `train` (case indices), the penalty chosen by a split of their
    groups in two (fitted on one part, scored on the other, both ways)."""
    groups = [cases[r].group for r in train]
    inner = halves(groups, INNER_SPLIT)
    tasks = np.array([cases[r].task for r in train])
    best, chosen = -1.0, PENALTIES[0]
    for penalty in PENALTIES:
        hit = np.zeros(len(train))
        for side in (0, 1):
            part = train[inner != side]
            rows = [matrices[r] for r in part]
            w = fit(
                rows,
                [cases[r].truth for r in part],
                task_shares([cases[r].task for r in part]),
                penalty,
                spread(rows),
            )
            test = np.flatnonzero(inner == side)
            hit[test] = hits_of(
                [matrices[train[i]] for i in test], [cases[train[i]].truth for i in test], w
            )
        score = merit(hit, tasks)
        if score > best:
            best, chosen = score, penalty
    rows = [matrices[r] for r in train]
    w = fit(
        rows,
        [cases[r].truth for r in train],
        task_shares([cases[r].task for r in train]),
        chosen,
        spread(rows),
    )
    return w, chosen


def held_out(
    matrices: list[np.ndarray], cases: list[Case], seed: int, per_kind: bool
) -> tuple[np.ndarray, list[str], list[np.ndarray]]:
    half = halves([c.group for c in cases], seed)
    tasks = np.array([c.task for c in cases])
    every = np.arange(len(cases))
    hit = np.zeros(len(cases))
    notes, weights = [], []
    kinds = (tasks == MASKED, tasks != MASKED) if per_kind else (np.ones(len(cases), bool),)
    for side in (0, 1):
        for kind in kinds:
            train = every[(half != side) & kind]
            test = every[(half == side) & kind]
            w, penalty = fit_half(matrices, cases, train)
            weights.append(w)
            hit[test] = hits_of([matrices[r] for r in test], [cases[r].truth for r in test], w)
            notes.append(f"split {seed}, half {side}: penalty {penalty:g} ({len(train)} cases)")
    return hit, notes, weights


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--splits", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--kind", action="store_true", help="one scorer per kind of claim")
    parser.add_argument("--minilm-tokens", action="store_true")
    parser.add_argument(
        "--window", action="store_true", help="the plain model over sentences with neighbours"
    )
    parser.add_argument("--trees", action="store_true", help="boosted trees, not linear")
    parser.add_argument("--tokens", nargs="*", default=[], help="evidence_tokens.py variants")
    parser.add_argument("--token-cache", type=Path, help="token vectors kept here (.npz)")
    parser.add_argument("--token-basis", type=Path, help="PCA fitted on these texts (JSON list)")
    parser.add_argument("--drop", nargs="*", default=[], help="feature name prefixes left out")
    args = parser.parse_args()
    cases = load_cases(args.cases)
    texts = json.loads(args.cases.with_suffix(".texts.json").read_text(encoding="utf-8"))
    static_token_max_sim(cases, texts)
    for case, text in zip(cases, texts, strict=True):
        case.claim = text["claim"]
    if args.window:
        add_windows(cases, args.cases)
    extra: tuple[str, ...] = ()
    if args.tokens:
        from benchmarks.evidence_tokens import PREFIX, add_token_scores

        basis = json.loads(args.token_basis.read_text()) if args.token_basis else None
        add_token_scores(cases, texts, args.tokens, args.token_cache, basis)
        extra = tuple(PREFIX + name for name in args.tokens)
    idf = {task: task_idf(texts, cases, task) for task in TASKS}
    built = [
        features(c, t, idf[c.task], args.minilm_tokens, args.window, extra)
        for c, t in zip(cases, texts, strict=True)
    ]
    labels = built[0][1]
    keep = [j for j, name in enumerate(labels) if not any(name.startswith(d) for d in args.drop)]
    matrices = [m[:, keep] for m, _ in built]
    labels = [labels[j] for j in keep]
    print(f"{len(cases)} cases, {len(labels)} features", file=sys.stderr)
    tasks = np.array([c.task for c in cases])
    written = np.array([c.written for c in cases])
    methods: dict[str, np.ndarray] = {}
    notes: list[str] = []
    name = (
        ("boosted trees" if args.trees else "learned reranker")
        + (", per kind" if args.kind else "")
        + (", with MiniLM tokens" if args.minilm_tokens else "")
        + (", with windows" if args.window else "")
        + "".join(f", with {name}" for name in args.tokens)
    )
    for seed in args.splits:
        if args.trees:
            from benchmarks.evidence_trees import held_out_trees

            hit, said = held_out_trees(matrices, cases, seed, args.kind)
        else:
            hit, said, _ = held_out(matrices, cases, seed, args.kind)
        methods[f"{name} (split {seed})"] = hit
        notes += said
    kg_shipped = []
    for case in cases:
        assert case.raw_parts is not None and case.raw_context is not None
        raw = dict(zip(PARTS, case.raw_parts.T.tolist(), strict=True))
        around = dict(zip(PARTS, case.raw_context.T.tolist(), strict=True))
        from benchmarks.evidence_cases import shipped_scores

        scores = shipped_scores(raw, around, case.scores.get(KG_TOKENS), DEFAULT_WEIGHTS)
        kg_shipped.append(top_hit(scores, case.truth)[0])
    methods["kg default (shipped, in-sample)"] = np.array(kg_shipped, dtype=float)
    for base in (
        "transformer alone",
        "static alone",
        TOKEN_MAX_SIM,
        WINDOW,
        "BM25",
        "BM25 (quoted text)",
        *extra,
    ):
        methods[base] = np.array(
            [
                float(top_hit(c.scores[base], c.truth)[0]) if base in c.scores else np.nan
                for c in cases
            ]
        )
    rng = np.random.default_rng(17)
    print(
        "| task (cases) | ranking | recall@1 [95% CI] | minus BM25 [95% CI] | minus transformer [95% CI] |"
    )
    print("| --- | --- | --- | --- | --- |")
    for task, view in VIEWS:
        rows = np.flatnonzero((tasks == task) & VIEW_ROWS[view](written))
        baselines = [methods["BM25"][rows]]
        if task == MASKED:
            baselines.append(methods["BM25 (quoted text)"][rows])
        bm25 = max(baselines, key=lambda v: float(v.mean()))
        model = methods["transformer alone"][rows]
        for label, values in methods.items():
            mine = values[rows]
            if np.isnan(mine).any() or (label == "BM25 (quoted text)" and task != MASKED):
                continue
            print(difference_row(f"{task}{view} ({len(rows)})", label, mine, bm25, model, rng))
    print()
    print("\n".join(notes))
    if args.trees:
        return
    # the weights fitted on every case, largest first
    every = np.arange(len(cases))
    w, penalty = fit_half(matrices, cases, every)
    scale = spread(matrices)
    order = np.argsort(-np.abs(w * scale))
    print(f"\nFitted on every case (penalty {penalty:g}), weight x spread, largest 15:")
    for j in order[:15]:
        print(f"- {labels[j]}: {w[j] * scale[j]:+.3f}")


if __name__ == "__main__":
    main()
