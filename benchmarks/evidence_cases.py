"""The cases of benchmarks/bench_evidence.py: the hand-labelled evidence claims traced in
vaults written for the run (each source one sentence, or one whole note) and the masked
citations of notes/ and the seeds, each ranked by kg's default scorer and by the baselines
beside it (the transformer alone, static vectors alone, BM25, the MiniLM token max-sim);
kept as JSON (`save_cases`, `save_texts`) to report again without ranking.

>>> top_hit(np.array([0.2, 0.9, 0.9]), frozenset([2]))
(False, 0.5)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from benchmarks.evidence_data import read_claims, resolve, split_reference
from kg.query.fusion import (
    DEFAULT_WEIGHTS,
    PARTS,
    FusedScorer,
    _note_texts,
    _query_text,
    default_scorer,
    fuse,
    token_ranked,
)
from kg.query.tokenmatch import reciprocal_rank_fusion, token_match
from kg.query.trace import Candidate, Claim, declared_sources

RESAMPLES = 2000
TOKEN_MAX_SIM = "token max-sim (MiniLM tokens, not in kg)"
# kg's own static token match (`kg.query.tokenmatch`), as a trace computes it: what
# `Weights.token_rank` combines with the fused order for a note's one-line claim (the
# evidence claims; none for masked sentences, nor without a distilled token table).
KG_TOKENS = "static token match (kg.query.tokenmatch)"
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
            # traced as the line's one-line claim
            said = Claim(graph.note(line_title).id, 0, "claim", claim.text, 0)
            score_case(case, graph, scorer, said, candidates, full, "", embedders)
            cases.append(case)
    return cases


# ---------------------------------------------------------------- masked citations


def masked_cases(
    corpora: list[Path], work: Path, embedders: dict[str, Any], others_cited: bool = False
) -> list[Case]:
    """bench_trace.py's masked citations; with `others_cited`, the other sources the
    sentence names are left out of every ranking, as `kg trace` shows them as cited and
    ranks only the rest."""
    from benchmarks.bench_trace import masked_cases as masked

    cases = []
    for corpus in corpora:
        graph = kg.load(corpus, index=work / f"index-masked-{corpus.name}")
        scorer = default_scorer(graph)
        for item in masked(graph, others_cited=others_cited):
            full = [" ".join([c.text, *_note_texts(c)]) for c in item.candidates]
            group = f"{corpus.name}/{item.note_id}"
            case = Case("masked citation", group, frozenset([item.truth]), item.masked)
            context = item.context(DEFAULT_WEIGHTS.context_kind)
            score_case(case, graph, scorer, item.claim(), item.candidates, full, context, embedders)
            quoted = [c.text for c in item.candidates]
            case.texts["BM25 (quoted text)"] = quoted
            cases.append(case)
    return cases


def score_case(
    case: Case,
    graph: kg.KnowledgeGraph,
    scorer: Any,
    claim: Claim | str,
    candidates: list[Candidate],
    full: list[str],
    context: str,
    embedders: dict[str, Any],
) -> None:
    """Every method's scores for one case (BM25's are filled in later, over all texts)."""
    assert isinstance(scorer, FusedScorer), type(scorer).__name__
    first = scorer.ranked(graph, claim, candidates, context=context)[0].index
    raw, around = scorer.claim_parts(graph, claim, candidates, context=context)
    if token_ranked(claim):
        matched = token_match(
            graph,
            _query_text(graph, claim, candidates),
            [[c.text, *_note_texts(c)] for c in candidates],
        )
        if matched is not None:
            case.scores[KG_TOKENS] = np.array(matched)
    # The report ranks from these parts with kg's own `fuse` (and the token match, with a
    # token rank): the same order as the trace.
    fused = shipped_scores(
        raw, around if scorer.weights.context else None, case.scores.get(KG_TOKENS), scorer.weights
    )
    assert fused[first] == fused.max(), (claim, first)
    text = claim.text if isinstance(claim, Claim) else claim
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
            case.scores[name] = embedder.scores(text, case.candidate_texts)
            continue
        vectors = embedder.encode([text, *full])
        case.scores[name] = vectors[1:] @ vectors[0]


def shipped_scores(
    raw: dict[str, list[float]],
    around: dict[str, list[float]] | None,
    matched: np.ndarray | None,
    weights: Any,
) -> np.ndarray:
    """What `FusedScorer.ranked` orders by: kg's `fuse` of the parts, combined by
    reciprocal rank with the static token match `matched` (None: a body sentence, or no
    token table) when `weights` have a token rank."""
    fused = fuse(raw, around, weights)
    if weights.token_rank > 0 and matched is not None:
        k = weights.token_rank
        fused = (k + 1) * reciprocal_rank_fusion([fused.tolist(), list(matched)], k)
    return np.asarray(fused)


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
        {
            "claim": c.claim,
            "context": c.context,
            "candidates": c.candidate_texts,
            # each candidate's whole text, as the plain model reads it
            "full": c.texts.get("BM25", []),
        }
        for c in cases
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
