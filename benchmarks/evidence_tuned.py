"""The shipped MiniLM fitted to the corpus's own citations, measured held out on the kept
cases of benchmarks/bench_evidence.py (``--cases FILE``, with its FILE.texts.json).

    HF_HUB_OFFLINE=1 python benchmarks/evidence_tuned.py --cases /tmp/evidence-cases.json \
        --seeds ../shared/seeds [--fine-tune]

The pairs (benchmarks/evidence_pairs.py) come from notes/ and the seeds with no hand label:
each sentence naming another note (its name cut out), each note's one-line claim and each
source summary, paired with the cited note's texts. For every split (1, 2, 3, the halves of
bench_evidence.py) and each half, one model is fitted on the pairs a held-out reading of
that half may see (`allowed`): none from a note whose masked citations are in the half (the
masked cases are exactly such sentences, so their notes go whole), none whose citing text
is a sentence labelled relevant to a hand-written claim of the half, and those sentences
cut out of every cited note's texts. So every case is scored by a model fitted without its
half ("out of fold"), and the fusion's weights are chosen, as bench_evidence.py chooses
them, on the other half, whose cases are scored by their own out-of-fold model.

Two fits: by default a linear adapter on the frozen model's vectors (`fit_adapter`, its
penalty chosen within the training pairs), seconds; with ``--fine-tune`` the model itself
(`fit`: contrastive, in-batch and hard negatives, a plain torch loop), many CPU minutes.

Rows, for every split: the fitted model alone (the cosine of the claim and each candidate's
whole text, as the plain model's row); kg's grid with the fitted model's vectors in place of
the plain model's in the fused parts (best match and mean match, for the claim and its
context); what ships (the grid and the static token match for one-line claims) with them;
the per-kind reciprocal rank of kg, static tokens, the fitted model and BM25
(benchmarks/evidence_rrf.py). A control row recomputes the parts with the plain model the
same way, so that the substitution itself is measured. BM25 and the plain model are the
kept cases' own, with paired bootstrap intervals (2,000 resamples).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import evidence_rrf
from benchmarks.evidence_cases import TASKS, Case, load_cases, top_hit
from benchmarks.evidence_data import ROOT, read_claims, resolve, split_reference
from benchmarks.evidence_more import STATIC, extended_places, static_token_max_sim
from benchmarks.evidence_pairs import (
    TOP_LAYERS,
    Pair,
    allowed,
    corpus_pairs,
    fit,
    fit_adapter,
    fit_top,
)
from benchmarks.evidence_protocol import difference_row, halves
from kg.query.fusion import PARTS

BEST, MEAN = PARTS.index("best match"), PARTS.index("mean match")
Vectors = Callable[[list[str]], np.ndarray]


def relevant_sentences(seeds: Path) -> dict[str, set[str]]:
    """Each hand-written claim's sentences labelled relevant (the texts it was written from)."""
    data = read_claims()
    sources = resolve(data, {"s": seeds})
    out: dict[str, set[str]] = {}
    for claim in data.claims:
        own = out.setdefault(claim.id, set())
        for reference in claim.relevant:
            name, index = split_reference(reference)
            own.add(sources[name].sentences[index])
    return out


def parts(claim: str, candidates: list[list[str]], vectors: Vectors) -> tuple[list, list]:
    """Best match and mean match of each candidate, as kg's `FusedScorer` computes them
    from a note's texts (the best cosine to any text; the cosine to their mean vector, the
    quoted text left out)."""
    if not claim:
        return [0.0] * len(candidates), [0.0] * len(candidates)
    query = vectors([claim])[0]
    best, mean = [], []
    for texts in candidates:
        rows = vectors(texts)
        best.append(float((rows @ query).max()))
        own = rows[1:] if len(rows) > 1 else rows
        centre = own.mean(axis=0)
        norm = float(np.linalg.norm(centre))
        mean.append(float(centre @ query) / norm if norm > 0 else 0.0)
    return best, mean


def rescored(case: Case, text: dict, vectors: Vectors) -> tuple[Case, np.ndarray]:
    """A copy of `case` with its best and mean match (claim and context) from `vectors`,
    and the cosine of the claim to each candidate's whole text."""
    out = copy.copy(case)
    assert case.raw_parts is not None and case.raw_context is not None
    out.raw_parts = case.raw_parts.copy()
    out.raw_context = case.raw_context.copy()
    out.scores = dict(case.scores)
    best, mean = parts(text["claim"], text["candidates"], vectors)
    out.raw_parts[:, BEST], out.raw_parts[:, MEAN] = best, mean
    if text["context"]:
        best, mean = parts(text["context"], text["candidates"], vectors)
        out.raw_context[:, BEST], out.raw_context[:, MEAN] = best, mean
    whole = vectors([text["claim"], *text["full"]])
    return out, whole[1:] @ whole[0]


class Kept:
    """A sentence-transformers model's unit vectors, each text encoded once."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.kept: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.kept]
        if missing:
            rows = self.model.encode(
                missing, batch_size=32, normalize_embeddings=True, show_progress_bar=False
            )
            self.kept.update(zip(missing, np.asarray(rows, dtype=np.float32), strict=True))
        return np.vstack([self.kept[t] for t in texts])


def every_text(texts: list[dict]) -> list[str]:
    found: dict[str, None] = {}
    for t in texts:
        for each in [
            t["claim"],
            t["context"],
            *t["full"],
            *(x for c in t["candidates"] for x in c),
        ]:
            if each:
                found[each] = None
    return list(found)


def fitted_rows(
    cases: list[Case],
    texts: list[dict],
    pairs: list[Pair],
    relevant: dict[str, set[str]],
    seed: int,
    plain: Kept,
    fine_tune: bool,
    folder: Path,
    notes: list[str],
    top: int = 0,
) -> tuple[list[Case], np.ndarray]:
    """Every case rescored by the model fitted without its half (split `seed`)."""
    groups = [c.group for c in cases]
    half = halves(groups, seed)
    out: list[Case] = list(cases)
    alone = [np.zeros(0)] * len(cases)
    for side in (0, 1):
        held = {g for g, h in zip(groups, half, strict=True) if h == side}
        sentences = set().union(*(relevant.get(g, set()) for g in held))
        mine = allowed(pairs, held, sentences)
        started = time.perf_counter()
        if fine_tune:
            model = fit_top(mine, folder, seed=seed, layers=top) if top else fit(mine, folder, seed)
            kept = Kept(model)
            kept(every_text([texts[r] for r in np.flatnonzero(half == side)]))
            vectors: Vectors = kept
            chosen = f"fine-tuned ({f'top {top} layer(s)' if top else 'every layer'})"
        else:

            def vector(text: str) -> np.ndarray:
                return plain([text])[0]

            adapter, penalty, merit = fit_adapter(mine, vector, seed=seed)
            chosen = (
                f"adapter, penalty {penalty:g} (within the pairs, recall@1 "
                + ", ".join(f"{k:g}: {v:.3f}" for k, v in merit.items())
                + "; 0 is the plain model)"
            )

            def adapted(batch: list[str], adapter: Any = adapter) -> np.ndarray:
                return np.asarray(adapter.apply(plain(batch)))

            vectors = adapted
        for row in np.flatnonzero(half == side):
            out[row], alone[row] = rescored(cases[row], texts[row], vectors)
        notes.append(
            f"- split {seed}, half {side}: {len(mine)} pairs of {len(pairs)} "
            f"({len({p.group for p in mine})} citing notes; {len(sentences)} relevant sentences "
            f"kept out), {chosen}, {time.perf_counter() - started:.0f} s"
        )
    for case, scores in zip(out, alone, strict=True):
        case.scores = dict(case.scores)
        case.scores[FITTED] = scores
    return out, half


FITTED = "the fitted model alone"
WAYS = evidence_rrf.WAYS


def held_rows(cases: list[Case], seed: int, prefix: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """evidence_rrf.py's held-out rows (kg's grid, the switch, per kind) on `cases`, the
    fitted model's order standing for the plain model's in the per-kind ranks."""
    evidence_rrf.KEPT.clear()
    keep = {"kg grid", evidence_rrf.SWITCH, "per kind: kg, static tokens, transformer, BM25"}
    evidence_rrf.WAYS = tuple(w for w in WAYS if w[0] in keep)
    place = extended_places(cases, STATIC, (0.0,))
    found, said = evidence_rrf.held_out_rows(cases, seed, place, np.arange(place.shape[1]), 1)
    rows = {
        f"{prefix}{name}": values
        for name, values in found.items()
        if name.rsplit(" (split", 1)[0] in keep
    }
    return rows, said


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, required=True, help="bench_evidence.py's kept cases")
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--splits", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--fine-tune", action="store_true", help="fit the model itself (slow)")
    parser.add_argument(
        "--top",
        type=int,
        default=TOP_LAYERS,
        help="with --fine-tune, how many top layers are fitted (0: every layer, far slower)",
    )
    parser.add_argument("--out", type=Path, help="keep each case's held-out hits here (JSON)")
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    from kg.embed.models import DEFAULT_MODEL, find_model_folder

    cases = load_cases(args.cases)
    texts = json.loads(args.cases.with_suffix(".texts.json").read_text(encoding="utf-8"))
    if any("full" not in t for t in texts):
        raise SystemExit(f"{args.cases}: its texts have no whole texts: rank again")
    static_token_max_sim(cases, texts)
    folder = find_model_folder(DEFAULT_MODEL)
    plain = Kept(SentenceTransformer(str(folder), device="cpu"))
    started = time.perf_counter()
    plain(every_text(texts))
    print(f"plain vectors: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="kg-pairs-") as work:
        pairs = corpus_pairs(ROOT / "notes", Path(work)) + corpus_pairs(args.seeds, Path(work))
    relevant = relevant_sentences(args.seeds)
    tasks = np.array([c.task for c in cases])
    methods: dict[str, np.ndarray] = {}
    notes: list[str] = [f"- pairs: {len(pairs)} ({len({p.group for p in pairs})} citing notes)"]
    control = []
    for case, text in zip(cases, texts, strict=True):
        again, _ = rescored(case, text, plain)
        control.append(again)
    for seed in args.splits:
        found, said = held_rows(cases, seed, "")
        methods.update(found)
        found, _ = held_rows(control, seed, "control, plain model's parts recomputed: ")
        methods.update(found)
        tuned, _ = fitted_rows(
            cases, texts, pairs, relevant, seed, plain, args.fine_tune, folder, notes, args.top
        )
        methods[f"{FITTED} (split {seed})"] = np.array(
            [float(top_hit(c.scores[FITTED], c.truth)[0]) for c in tuned]
        )
        for c in tuned:
            c.scores["transformer alone"] = c.scores[FITTED]  # its order in the per-kind rank
        found, said = held_rows(tuned, seed, "fitted model in kg: ")
        methods.update(found)
        notes += [s for s in said if "kg, static tokens" in s or "switch" in s]
        print(f"split {seed} done", file=sys.stderr)
    for name in ("transformer alone", "BM25", "BM25 (quoted text)"):
        methods[name] = np.array(
            [
                float(top_hit(c.scores[name], c.truth)[0]) if name in c.scores else np.nan
                for c in cases
            ]
        )
    if args.out:
        kept = {k: v.tolist() for k, v in methods.items()}
        args.out.write_text(json.dumps({"tasks": tasks.tolist(), "hits": kept}), encoding="utf-8")
    rng = np.random.default_rng(17)
    print(
        "| task (cases) | ranking | recall@1 [95% CI] | minus BM25 [95% CI] | minus transformer |"
    )
    print("| --- | --- | --- | --- | --- |")
    for task in TASKS:
        rows = np.flatnonzero(tasks == task)
        baselines = [methods["BM25"][rows]]
        if task == TASKS[2]:
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
