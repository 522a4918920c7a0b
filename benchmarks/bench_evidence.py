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
kg ranks with `default_scorer(graph)` as `kg trace` does. Beside it: the transformer alone
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
import itertools
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from benchmarks.evidence_data import ROOT, read_claims, resolve, split_reference
from kg.query.fusion import (
    DEFAULT_WEIGHTS,
    PARTS,
    FusedScorer,
    Weights,
    _note_texts,
    default_scorer,
    fuse,
    normalised,
)
from kg.query.trace import Candidate, declared_sources
from kg.query.weights import reciprocal_ranks, word_trust

RESAMPLES = 2000
TOKEN_MAX_SIM = "token max-sim (MiniLM tokens, not in kg)"
TASKS = ("evidence, sentences", "evidence, notes", "masked citation")
# The rows reported per task: every case, then the evidence claims by how they were written
# (from their sentence's own words, paraphrased without its rare words, reworded without
# any of its content words: benchmarks/evidence_data.py's WRITTEN).
VIEWS = tuple(
    (task, view)
    for task in TASKS
    for view in (
        ("", ", from its words", ", paraphrased", ", reworded") if task != TASKS[2] else ("",)
    )
)
VIEW_ROWS = {
    "": lambda written: np.ones(len(written), dtype=bool),
    ", from its words": lambda written: written == "",
    ", paraphrased": lambda written: written == "paraphrase",
    ", reworded": lambda written: written == "reworded",
}


@dataclass
class Case:
    """One ranking: the claim, its candidates, which are right, and every method's scores."""

    task: str
    group: str  # what the halves split by: the claim, or the masked sentence's note
    truth: frozenset[int]
    claim: str
    written: str = ""  # a hand-built claim written away from its sentence's words: how
    texts: dict[str, list[str]] = field(default_factory=dict)  # BM25's texts, per baseline
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    raw_parts: np.ndarray | None = None  # candidates x PARTS, as computed (claim)
    raw_context: np.ndarray | None = None  # the same for the context (zeros: none)
    context: str = ""  # the text read with the claim (masked citations: the next sentence)
    candidate_texts: list[list[str]] = field(default_factory=list)  # each one's texts


def top_hit(scores: np.ndarray, truth: frozenset[int]) -> tuple[bool, float]:
    """Whether the best-scored candidate is right (ties: the earlier), and 1 / rank of the
    best right one."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    best = min(order.index(t) for t in truth)
    return best == 0, 1.0 / (1 + best)


class Cached:
    """An embedder whose vectors are kept per text: the same sentences and notes recur
    across claims, and the run embeds each once."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.embedder.encode(missing), strict=True))
        return np.vstack([self.vectors[t] for t in texts])


class TokenMaxSim:
    """A late-interaction score kg does not compute (measured beside it): the shipped
    MiniLM's token vectors (its [CLS] and [SEP] left out, each scaled to length 1), and for
    each candidate the best, over its texts, of the mean over the claim's tokens of each
    one's highest cosine to a token of the text. Nothing is fitted; each text is encoded
    once per run."""

    def __init__(self, folder: Path) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(folder), device="cpu")
        self.kept: dict[str, np.ndarray] = {}

    def tokens(self, texts: list[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.kept]
        if missing:
            encoded = self.model.encode(
                missing, output_value="token_embeddings", batch_size=32, show_progress_bar=False
            )
            for text, rows in zip(missing, encoded, strict=True):
                rows = np.asarray(rows, dtype=np.float32)[1:-1]
                if not len(rows):
                    rows = np.zeros((1, self.model.get_sentence_embedding_dimension() or 384))
                norms = np.linalg.norm(rows, axis=1, keepdims=True)
                self.kept[text] = rows / np.maximum(norms, 1e-9)
        return [self.kept[t] for t in texts]

    def scores(self, claim: str, candidates: list[list[str]]) -> np.ndarray:
        (query,) = self.tokens([claim])
        out = np.zeros(len(candidates))
        for i, texts in enumerate(candidates):
            for rows in self.tokens(texts):
                out[i] = max(out[i], float((query @ rows.T).max(axis=1).mean()))
        return out


# ---------------------------------------------------------------- the evidence vaults


def write_vault(folder: Path, notes: list[tuple[str, str]], lines: list[tuple[str, list[str]]]):
    """A vault of plain notes (title, body) and inquiring lines (title, source titles)."""
    folder.mkdir(parents=True)
    for number, (title, body) in enumerate(notes):
        head = yaml.safe_dump({"type": "note", "title": title}, sort_keys=False)
        (folder / f"source-{number:04d}.md").write_text(f"---\n{head}---\n{body}\n")
    for number, (title, sources) in enumerate(lines):
        meta = {"type": "line", "title": title, "sources": sources}
        head = yaml.safe_dump(meta, sort_keys=False)
        (folder / f"claim-{number:04d}.md").write_text(f"---\n{head}---\n")


def evidence_cases(seeds: Path, work: Path, embedders: dict[str, Any]) -> list[Case]:
    data = read_claims()
    sources = resolve(data, {"s": seeds})
    cases: list[Case] = []
    for mode in ("sentences", "notes"):
        notes: list[tuple[str, str]] = []
        title_of: dict[str, str] = {}  # sentence or source reference -> note title
        if mode == "sentences":
            for name, source in sources.items():
                for k, sentence in enumerate(source.sentences):
                    title = f"Sentence {len(notes) + 1}"
                    title_of[f"{name}#{k}"] = title
                    notes.append((title, sentence))
        else:
            for name, source in sources.items():
                title_of[name] = source.title
                notes.append((source.title, " ".join(source.sentences)))
        lines = []
        for claim in data.claims:
            if mode == "sentences":
                own = [
                    title_of[f"{s}#{k}"]
                    for s in claim.sources
                    for k in range(len(sources[s].sentences))
                ]
            else:
                own = [title_of[s] for s in claim.sources]
            lines.append((f"Claim {claim.id}", own))
        folder = work / f"evidence-{mode}"
        write_vault(folder, notes, lines)
        graph = kg.load(folder, index=work / f"index-{mode}")
        scorer = default_scorer(graph)
        texts = {title: body for title, body in notes}
        for claim, (line_title, _) in zip(data.claims, lines, strict=True):
            candidates = declared_sources(graph, graph.note(line_title))
            if mode == "sentences":
                right = {title_of[r] for r in claim.relevant}
            else:
                right = {title_of[split_reference(r)[0]] for r in claim.relevant}
            truth = frozenset(i for i, c in enumerate(candidates) if c.note.title in right)
            if len(truth) == len(candidates):
                continue  # every source bears on it: nothing to rank
            full = [texts[c.note.title] for c in candidates]
            case = Case(f"evidence, {mode}", claim.id, truth, claim.text, claim.written)
            score_case(case, graph, scorer, claim.text, candidates, full, "", embedders)
            cases.append(case)
    return cases


# ---------------------------------------------------------------- masked citations


def masked_cases(corpora: list[Path], work: Path, embedders: dict[str, Any]) -> list[Case]:
    from benchmarks.bench_trace import masked_cases as masked

    cases = []
    for corpus in corpora:
        graph = kg.load(corpus, index=work / f"index-masked-{corpus.name}")
        scorer = default_scorer(graph)
        for item in masked(graph):
            full = [" ".join([c.text, *_note_texts(c)]) for c in item.candidates]
            group = f"{corpus.name}/{item.note_id}"
            case = Case("masked citation", group, frozenset([item.truth]), item.masked)
            context = item.context(DEFAULT_WEIGHTS.context_kind)
            score_case(case, graph, scorer, item.masked, item.candidates, full, context, embedders)
            quoted = [c.text for c in item.candidates]
            case.texts["BM25 (quoted text)"] = quoted
            cases.append(case)
    return cases


def score_case(
    case: Case,
    graph: kg.KnowledgeGraph,
    scorer: Any,
    claim: str,
    candidates: list[Candidate],
    full: list[str],
    context: str,
    embedders: dict[str, Any],
) -> None:
    """Every method's scores for one case (BM25's are filled in later, over all texts)."""
    assert isinstance(scorer, FusedScorer), type(scorer).__name__
    first = scorer.ranked(graph, claim, candidates, context=context)[0].index
    raw, around = scorer.claim_parts(graph, claim, candidates, context=context)
    # The report ranks from these parts with kg's own `fuse`: the same order as the trace.
    fused = fuse(raw, around if scorer.weights.context else None, scorer.weights)
    assert fused[first] == fused.max(), (claim, first)
    case.raw_parts = np.array([raw[name] for name in PARTS], dtype=float).T
    case.raw_context = (
        np.array([around[name] for name in PARTS], dtype=float).T
        if around
        else np.zeros_like(case.raw_parts)
    )
    case.texts["BM25"] = full
    case.context = context
    case.candidate_texts = [list(dict.fromkeys([c.text, *_note_texts(c)])) for c in candidates]
    for name, embedder in embedders.items():
        if isinstance(embedder, TokenMaxSim):
            case.scores[name] = embedder.scores(claim, case.candidate_texts)
            continue
        vectors = embedder.encode([claim, *full])
        case.scores[name] = vectors[1:] @ vectors[0]


def save_cases(cases: list[Case], path: Path) -> None:
    """Every case's truth, scores and parts as JSON, for `--cases` to report again
    without ranking anything (no texts of the seeds are written)."""
    import json

    rows = [
        {
            "task": c.task,
            "group": c.group,
            "truth": sorted(c.truth),
            "written": c.written,
            "scores": {k: v.tolist() for k, v in c.scores.items()},
            "raw_parts": None if c.raw_parts is None else c.raw_parts.tolist(),
            "raw_context": None if c.raw_context is None else c.raw_context.tolist(),
        }
        for c in cases
    ]
    path.write_text(json.dumps({"parts": list(PARTS), "cases": rows}), encoding="utf-8")


def save_texts(cases: list[Case], path: Path) -> None:
    """Every case's claim, context and candidates' texts, in the order of `save_cases`
    (for trying new parts on the kept cases; it holds the seeds' sentences, so keep it
    out of the repository)."""
    import json

    rows = [
        {"claim": c.claim, "context": c.context, "candidates": c.candidate_texts} for c in cases
    ]
    path.write_text(json.dumps(rows), encoding="utf-8")


def load_cases(path: Path) -> list[Case]:
    """The cases `save_cases` wrote."""
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    if data["parts"] != list(PARTS):
        raise SystemExit(f"{path} has parts {data['parts']}, this code {list(PARTS)}: rank again")
    cases = []
    for row in data["cases"]:
        case = Case(row["task"], row["group"], frozenset(row["truth"]), "", row["written"])
        case.scores = {k: np.array(v) for k, v in row["scores"].items()}
        case.raw_parts = np.array(row["raw_parts"])
        case.raw_context = np.array(row["raw_context"])
        cases.append(case)
    return cases


def fill_bm25(cases: list[Case]) -> None:
    """BM25 (bm25s, English stop words) of each claim over its candidates' texts, IDF from
    every text of the run's cases of the same task."""
    import bm25s

    for task in TASKS:
        own = [c for c in cases if c.task == task]
        for key in ("BM25", "BM25 (quoted text)"):
            chosen = [c for c in own if key in c.texts]
            if not chosen:
                continue
            index: dict[str, int] = {}
            for case in chosen:
                for text in case.texts[key]:
                    index.setdefault(text, len(index))
            corpus = list(index)
            retriever = bm25s.BM25()
            retriever.index(
                bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
            )
            for case in chosen:
                tokens = bm25s.tokenize(
                    [case.claim], stopwords="en", show_progress=False, return_ids=False
                )[0]
                every = retriever.get_scores(tokens) if tokens else np.zeros(len(corpus))
                case.scores[key] = np.array([float(every[index[t]]) for t in case.texts[key]])


# ---------------------------------------------------------------- the held-out protocol

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
    earlier candidate, as kg breaks them)."""
    out = np.zeros(len(cases), dtype=bool)
    for row, case in enumerate(cases):
        assert case.raw_parts is not None and case.raw_context is not None
        raw = dict(zip(PARTS, case.raw_parts.T.tolist(), strict=True))
        around = dict(zip(PARTS, case.raw_context.T.tolist(), strict=True))
        fused = fuse(raw, around, weights)
        out[row] = int(np.argmax(fused)) in case.truth
    return out


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
        f"{' (the shipped default)' if GRID[pooled] == shipped else ' (NOT the shipped default)'}."
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
            cases += masked_cases([ROOT / "notes", args.seeds], work, embedders)
            fill_bm25(cases)
        if args.cases:
            save_cases(cases, args.cases)
            save_texts(cases, args.cases.with_suffix(".texts.json"))
    shipped = DEFAULT_WEIGHTS
    if args.write_weights:
        shipped = pooled_choice(cases)
        print(f"wrote {write_weights(shipped, cases)}", file=sys.stderr)
    lines, _ = report(cases, tuple(args.splits), shipped)
    print("\n".join(lines))
    print(f"\n{time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
