"""Masked-citation evaluation of claim tracing.

    python benchmarks/bench_trace.py --corpus ../shared/seeds
    python benchmarks/bench_trace.py --generate 1000

For every body sentence that names one of its note's declared sources (an inquiring line's
sources, a synthesis note's related concepts), the title is cut out of the sentence and the
declared sources are ranked for the masked sentence, as `kg trace` ranks them when a
sentence cites nothing. Reported: recall@1 and recall@3 of the true source for

- embeddings: the stored vectors of the source summaries / related notes against the
  masked sentence's vector (what `kg trace` does with embeddings),
- BM25 (bm25s) over the same candidate texts (the lexical baseline),
- word overlap (what `kg trace` does without embeddings),
- random order (expected value).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from kg.model import NoteKind
from kg.query.trace import (
    Candidate,
    EmbeddingScorer,
    HybridScorer,
    LexicalScorer,
    claims,
    declared_sources,
)


@dataclass
class Case:
    note_id: str
    masked: str
    candidates: list[Candidate]
    truth: int  # index of the true source among candidates


def masked_cases(graph: kg.KnowledgeGraph) -> list[Case]:
    cases: list[Case] = []
    for note in graph.notes(stubs=False):
        if note.kind not in (NoteKind.LINE, NoteKind.SYNTHESIS):
            continue
        candidates = declared_sources(graph, note)
        if len(candidates) < 2:
            continue
        for claim in claims(graph, note):
            if claim.kind != "sentence":
                continue
            for position, candidate in enumerate(candidates):
                title = candidate.note.title
                if title in claim.text:
                    masked = re.sub(r"\s{2,}", " ", claim.text.replace(title, " ")).strip()
                    cases.append(Case(note.id, masked, candidates, position))
    return cases


def ranks_from_scores(scores: list[float], truth: int) -> int:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return order.index(truth)


def evaluate(graph: kg.KnowledgeGraph, cases: list[Case]) -> dict[str, tuple[float, float]]:
    results: dict[str, tuple[float, float]] = {}
    store = graph.embeddings
    if store is not None:
        scorer = EmbeddingScorer(store)
        queries = store.embedder.encode([c.masked for c in cases]) if cases else np.zeros((0, 1))
        ranks = []
        for case, query in zip(cases, queries, strict=True):
            vectors = [scorer.candidate_vector(c) for c in case.candidates]
            scores = [0.0 if v is None else float(query @ v) for v in vectors]
            ranks.append(ranks_from_scores(scores, case.truth))
        results["embeddings only"] = _recall(ranks)
        fused_ranks = []
        for case, query in zip(cases, queries, strict=True):
            order = [
                i for i, _ in HybridScorer(store).rank(graph, case.masked, case.candidates, query)
            ]
            fused_ranks.append(order.index(case.truth))
        results["hybrid: embeddings + TF-IDF (kg trace)"] = _recall(fused_ranks)
    results["BM25 (bm25s)"] = _recall(_bm25_ranks(cases))
    lexical = LexicalScorer()
    results["TF-IDF words (kg trace, no vectors)"] = _recall(
        [ranks_from_scores(lexical.score(graph, c.masked, c.candidates), c.truth) for c in cases]
    )
    if cases:
        results["random order (expected)"] = (
            float(np.mean([1 / len(c.candidates) for c in cases])),
            float(np.mean([min(3, len(c.candidates)) / len(c.candidates) for c in cases])),
        )
    return results


def _bm25_ranks(cases: list[Case]) -> list[int]:
    import bm25s

    texts: dict[str, int] = {}
    for case in cases:
        for candidate in case.candidates:
            texts.setdefault(candidate.text, len(texts))
    corpus = list(texts)
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
    )
    ranks = []
    for case in cases:
        tokens = bm25s.tokenize(
            [case.masked], stopwords="en", show_progress=False, return_ids=False
        )[0]
        scores_all = retriever.get_scores(tokens) if tokens else np.zeros(len(corpus))
        scores = [float(scores_all[texts[c.text]]) for c in case.candidates]
        ranks.append(ranks_from_scores(scores, case.truth))
    return ranks


def _recall(ranks: list[int]) -> tuple[float, float]:
    if not ranks:
        return (0.0, 0.0)
    return (sum(r == 0 for r in ranks) / len(ranks), sum(r < 3 for r in ranks) / len(ranks))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, help="a corpus folder (e.g. ../shared/seeds)")
    parser.add_argument(
        "--generate",
        type=int,
        default=0,
        metavar="PAGES",
        help="generate a synthetic corpus of this many pages instead",
    )
    parser.add_argument("--index", type=Path, default=None, help="index folder to use")
    args = parser.parse_args()
    if args.generate:
        from benchmarks.generate_corpus import generate

        corpus = Path(tempfile.mkdtemp(prefix="kg-trace-")) / "corpus"
        generate(corpus, pages=args.generate, seed=7)
    elif args.corpus:
        corpus = args.corpus
    else:
        parser.error("give --corpus PATH or --generate PAGES")
    index = args.index or Path(tempfile.mkdtemp(prefix="kg-trace-index-"))
    started = time.perf_counter()
    graph = kg.load(corpus, index=index, embed=True)
    loaded = time.perf_counter() - started
    cases = masked_cases(graph)
    started = time.perf_counter()
    results = evaluate(graph, cases)
    seconds = time.perf_counter() - started
    sizes = [len(c.candidates) for c in cases]
    print(f"corpus: {corpus} ({len(graph)} notes; loaded and embedded in {loaded:.1f} s)")
    print(
        f"masked sentences: {len(cases)}; candidates per sentence: "
        f"median {int(np.median(sizes)) if sizes else 0}, max {max(sizes, default=0)}"
    )
    print(f"{'ranking':<38} {'recall@1':>9} {'recall@3':>9}")
    for name, (r1, r3) in results.items():
        print(f"{name:<38} {r1:>9.3f} {r3:>9.3f}")
    print(f"evaluation time: {seconds:.1f} s")


if __name__ == "__main__":
    main()
