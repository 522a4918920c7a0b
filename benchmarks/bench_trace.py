"""Masked-citation evaluation of claim tracing, on every corpus given.

    python benchmarks/bench_trace.py --corpus ../shared/seeds --corpus notes --corpus tests/data/site_pages
    python benchmarks/bench_trace.py --generate 1000

For every body sentence that names one of its note's declared sources, the title is cut
out of the sentence (and of the rest of its paragraph, read as context) and the declared
sources are ranked for the masked sentence, as `kg trace` ranks them when a sentence cites
nothing. Two tasks on the same notes:

- sources: an inquiring line's sentence naming one of its sources (which source does it
  rest on?),
- related: a synthesis note's sentence naming one of its related concepts (which related
  concept does it rely on?).

Reported per corpus and task: recall@1 and recall@3 of the true source with a 95 %
bootstrap interval (2,000 resamples of the sentences), for

- kg trace: `default_scorer(graph)`, ranking exactly as `kg trace` does,
- embeddings only: the cosine of the masked sentence and the candidate's quoted text,
- BM25 (bm25s) over the candidates' quoted texts (the lexical baseline),
- TF-IDF words (what `kg trace` does without embeddings),
- random order (expected value; its interval is over the same resamples).

Then the held-out protocol, because the fused ranking has free parameters (`GRID`: the
weights of its three parts, which context it reads at what weight, BM25's k1 and b; 504
weightings in all). Per corpus, over both tasks, beside BM25:

- shipped (in-sample): `DEFAULT_WEIGHTS`, scored on sentences that took part in choosing
  them;
- chosen on this corpus (in-sample): the best of the grid here, scored here (optimistic);
- chosen on the other corpora (held out): the weights the other corpora's sentences choose;
- leave one note out (held out): each note's sentences ranked with the weights chosen on
  every other note's sentences, of every corpus.

Weights are chosen by recall@1, then mean reciprocal rank, then grid order. The last lines
say which weights every sentence together chooses and how many leave-one-note-out folds
choose the same. This grid has only the three parts it was built with; the weights kg
ships now come from bench_evidence.py's protocol, which has every part and adds the
hand-labelled evidence claims.
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
from kg.query.fusion import CONTEXTS, DEFAULT_WEIGHTS, Weights, context_text, fuse
from kg.query.trace import (
    Candidate,
    Claim,
    EmbeddingScorer,
    FusedScorer,
    LexicalScorer,
    declared_sources,
    default_scorer,
    rank,
)
from kg.sentences import split_sentences

RESAMPLES = 2000


@dataclass
class Case:
    note_id: str
    masked: str
    candidates: list[Candidate]
    truth: int  # index of the true source among candidates
    sentences: tuple[str, ...] = ()  # the paragraph's sentences, masked too
    position: int = 0  # the masked sentence's place among them
    task: str = "sources"

    def context(self, kind: str) -> str:
        """The text around the sentence the ranking reads (`kg.query.fusion.context_text`)."""
        return context_text(self.sentences, self.position, kind)

    def claim(self) -> Claim:
        """The masked sentence as the body-sentence claim of its note a trace ranks for
        (index -1: not one of the note's numbered claims, whose text is unmasked)."""
        return Claim(self.note_id, -1, "sentence", self.masked, self.position)


def _mask(text: str, title: str) -> str:
    return re.sub(r"\s{2,}", " ", text.replace(title, " ")).strip()


def masked_cases(graph: kg.KnowledgeGraph, others_cited: bool = False) -> list[Case]:
    """One case per (sentence, declared source it names). With `others_cited`, the other
    sources the same sentence names are left out of the ranking, as `kg trace` shows them
    as cited rather than ranking them; else they are ranked too (and are right answers
    counted wrong)."""
    cases: list[Case] = []
    for note in graph.notes(stubs=False):
        if note.kind not in (NoteKind.LINE, NoteKind.SYNTHESIS):
            continue
        candidates = declared_sources(graph, note)
        if len(candidates) < 2:
            continue
        for paragraph in note.body:
            sentences = [s for _, _, s in split_sentences(paragraph.text)]
            for k, sentence in enumerate(sentences):
                for candidate in candidates:
                    title = candidate.note.title
                    if title not in sentence:
                        continue
                    masked = tuple(_mask(s, title) for s in sentences)
                    task = "sources" if candidate.kind == "source" else "related"
                    ranked = candidates
                    if others_cited:
                        ranked = [
                            c for c in candidates if c is candidate or c.note.title not in sentence
                        ]
                        if len(ranked) < 2:
                            continue
                    truth = ranked.index(candidate)
                    cases.append(Case(note.id, masked[k], ranked, truth, masked, k, task))
    return cases


def ranks_from_scores(scores: list[float], truth: int) -> int:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return order.index(truth)


def evaluate(graph: kg.KnowledgeGraph, cases: list[Case]) -> dict[str, list[int]]:
    """The rank (0 best) of the true source of every case, per ranking."""
    results: dict[str, list[int]] = {}
    scorer = default_scorer(graph)
    trace_ranks = []
    for case in cases:
        if isinstance(scorer, FusedScorer):
            order = [
                r.index
                for r in scorer.ranked(
                    graph,
                    case.claim(),
                    case.candidates,
                    context=case.context(scorer.weights.context_kind),
                )
            ]
        else:
            order = [i for i, _ in rank(scorer, graph, case.masked, case.candidates)]
        trace_ranks.append(order.index(case.truth))
    results[f"kg trace ({type(scorer).__name__})"] = trace_ranks
    if isinstance(scorer, EmbeddingScorer):
        results["embeddings only"] = [
            ranks_from_scores(
                EmbeddingScorer(scorer.store).score(graph, c.masked, c.candidates), c.truth
            )
            for c in cases
        ]
    results["BM25 (bm25s)"] = _bm25_ranks(cases)
    lexical = LexicalScorer()
    results["TF-IDF words (no vectors)"] = [
        ranks_from_scores(lexical.score(graph, c.masked, c.candidates), c.truth) for c in cases
    ]
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


def recall_with_interval(
    ranks: list[int], at: int, rng: np.random.Generator, sizes: list[int] | None = None
) -> tuple[float, float, float]:
    """Recall@`at` and its 95 % bootstrap interval over the sentences (for `sizes`, the
    random order's expected recall with candidate-set sizes `sizes`)."""
    if sizes is not None:
        hits = np.array([min(at, n) / n for n in sizes])
    else:
        hits = np.array([r < at for r in ranks], dtype=float)
    if not len(hits):
        return (0.0, 0.0, 0.0)
    draws = rng.integers(0, len(hits), size=(RESAMPLES, len(hits)))
    means = hits[draws].mean(axis=1)
    return (float(hits.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)))


def report(name: str, graph: kg.KnowledgeGraph, cases: list[Case]) -> list[str]:
    """Table rows (Markdown) for one corpus: per task and ranking, recall@1 and @3."""
    rows = []
    rng = np.random.default_rng(17)
    for task in ("sources", "related", "both"):
        chosen = [c for c in cases if task == "both" or c.task == task]
        if not chosen:
            continue
        results = evaluate(graph, chosen)
        results["random order (expected)"] = []
        sizes = [len(c.candidates) for c in chosen]
        for method, ranks in results.items():
            cells = []
            for at in (1, 3):
                value, low, high = recall_with_interval(
                    ranks, at, rng, sizes if method.startswith("random") else None
                )
                cells.append(f"{value:.3f} [{low:.2f}, {high:.2f}]")
            rows.append(f"| {name} | {task} ({len(chosen)}) | {method} | {cells[0]} | {cells[1]} |")
    return rows


# ---------------------------------------------------------------- held-out protocol

# The free parameters of the fused ranking, every combination of which is scored: the
# weights of its three parts, and which text around the claim it reads at what weight.
BM25_CONSTANTS = ((1.2, 0.75), (1.2, 1.0), (1.2, 0.3), (0.9, 0.4), (1.5, 0.5), (2.0, 0.75))
GRID = tuple(
    Weights(match, quote, note, weight, kind, k1, b)
    for match in (0.5, 1.0)
    for quote in (0.5, 1.0)
    for note in (0.0, 0.5, 1.0)
    for weight, kind in ((0.0, "previous"), *((w, k) for k in CONTEXTS for w in (0.25, 0.5)))
    for k1, b in BM25_CONSTANTS
)


@dataclass
class Parts:
    """One masked sentence's raw parts, for the claim and each kind of context, with
    each of BM25's constants."""

    corpus: str
    note_id: str
    truth: int
    claim: dict[tuple[float, float], dict[str, list[float]]]
    contexts: dict[tuple[float, float, str], dict[str, list[float]] | None]


def case_parts(graph: kg.KnowledgeGraph, corpus: str, cases: list[Case]) -> list[Parts]:
    """The parts of every case (computed once; every weighting is scored from them)."""
    scorer = default_scorer(graph)
    if not isinstance(scorer, FusedScorer):
        return []
    # BM25's constants of the grid and of the shipped weights (which need not be in it).
    constants = dict.fromkeys([*BM25_CONSTANTS, (DEFAULT_WEIGHTS.bm25_k1, DEFAULT_WEIGHTS.bm25_b)])
    scorers = {
        (k1, b): FusedScorer(scorer.store, Weights(bm25_k1=k1, bm25_b=b)) for k1, b in constants
    }
    out = []
    for case in cases:
        parts = Parts(corpus, case.note_id, case.truth, {}, {})
        for constants, each in scorers.items():
            for kind in CONTEXTS:
                parts.claim[constants], parts.contexts[(*constants, kind)] = each.claim_parts(
                    graph, case.masked, case.candidates, context=case.context(kind)
                )
        out.append(parts)
    return out


def weighted_rank(parts: Parts, weights: Weights) -> int:
    """The rank (0 best) of the true source under `weights`, ties broken as kg does."""
    constants = (weights.bm25_k1, weights.bm25_b)
    fused = fuse(
        parts.claim[constants], parts.contexts[(*constants, weights.context_kind)], weights
    )
    return ranks_from_scores(list(fused), parts.truth)


def choose(table: dict[Weights, np.ndarray], rows: np.ndarray) -> Weights:
    """The weights with the best recall@1 on `rows` (then the best mean reciprocal rank,
    then the earliest in `GRID`)."""

    def merit(weights: Weights) -> tuple[float, float, int]:
        ranks = table[weights][rows]
        return (float((ranks < 1).mean()), float((1 / (1 + ranks)).mean()), -GRID.index(weights))

    return max(GRID, key=merit)


def held_out(parts: list[Parts], bm25_ranks: dict[str, list[int]]) -> list[str]:
    """In-sample against held-out recall of the fused ranking, per corpus (both tasks).

    - shipped: `DEFAULT_WEIGHTS`, scored on sentences that took part in choosing them;
    - chosen on this corpus: the grid's best here, scored here (the optimistic figure);
    - chosen on the other corpora: the weights the other corpora's sentences choose;
    - leave one note out: each note's sentences ranked with the weights chosen on every
      other note's sentences (of every corpus).
    """
    rng = np.random.default_rng(17)
    table = {w: np.array([weighted_rank(p, w) for p in parts]) for w in GRID}
    # The shipped weights come from bench_evidence.py's grid, not this one: ranked apart.
    shipped = np.array([weighted_rank(p, DEFAULT_WEIGHTS) for p in parts])
    corpora = list(dict.fromkeys(p.corpus for p in parts))
    corpus_of = np.array([p.corpus for p in parts])
    note_of = np.array([f"{p.corpus}/{p.note_id}" for p in parts])
    every = np.arange(len(parts))
    pooled = choose(table, every)
    folds: dict[Weights, int] = {}
    by_note = np.zeros(len(parts), dtype=int)
    for note in dict.fromkeys(note_of):
        inside = note_of == note
        picked = choose(table, every[~inside])
        folds[picked] = folds.get(picked, 0) + 1
        by_note[inside] = table[picked][inside]
    lines = [
        "| corpus (sentences) | ranking | weights | recall@1 [95% CI] | recall@3 [95% CI] |",
        "| --- | --- | --- | --- | --- |",
    ]

    def row(corpus: str, name: str, weights: str, ranks: np.ndarray | list[int]) -> str:
        cells = []
        for at in (1, 3):
            value, low, high = recall_with_interval(list(map(int, ranks)), at, rng)
            cells.append(f"{value:.3f} [{low:.2f}, {high:.2f}]")
        size = int((corpus_of == corpus).sum())
        return f"| {corpus} ({size}) | {name} | {weights} | {cells[0]} | {cells[1]} |"

    for corpus in corpora:
        here = every[corpus_of == corpus]
        own = choose(table, here)
        lines.append(
            row(
                corpus,
                "shipped (in-sample)",
                describe(DEFAULT_WEIGHTS),
                shipped[here],
            )
        )
        lines.append(
            row(corpus, "chosen on this corpus (in-sample)", describe(own), table[own][here])
        )
        if len(corpora) > 1:
            other = choose(table, every[corpus_of != corpus])
            lines.append(
                row(
                    corpus,
                    "chosen on the other corpora (held out)",
                    describe(other),
                    table[other][here],
                )
            )
        lines.append(row(corpus, "leave one note out (held out)", "per fold", by_note[here]))
        lines.append(row(corpus, "BM25 (bm25s)", "", bm25_ranks[corpus]))
    count = folds.get(pooled, 0)
    lines.append("")
    lines.append(
        f"Chosen on every sentence: {describe(pooled)}"
        f"{' (the shipped default)' if pooled == DEFAULT_WEIGHTS else ' (NOT the shipped default)'}; "
        f"chosen by {count} of {sum(folds.values())} leave-one-note-out folds; "
        f"{len(GRID)} weightings in the grid."
    )
    for weights, times in sorted(folds.items(), key=lambda item: -item[1]):
        if weights != pooled:
            lines.append(f"- chosen by {times} fold(s): {describe(weights)}")
    return lines


def describe(weights: Weights) -> str:
    """Weights in one short cell.

    >>> describe(Weights(0.5, 1.0, 0.0, 0.25, "next", 1.2, 1.0))
    'match 0.5, quote 1, note 0, next 0.25, k1 1.2 b 1'
    """
    context = f"{weights.context_kind} {weights.context:g}" if weights.context else "no context"
    # The parts and settings this grid leaves at 0 (the shipped weights may use them).
    extra = [
        f"{name} {value:g}"
        for name, value in (
            ("sentence", weights.bm25_sentence),
            ("mean", weights.mean_match),
            ("coverage", weights.word_coverage),
            ("BM25 /", weights.bm25_scale),
            ("words trusted from coverage", weights.trust_words_from),
            ("to", weights.trust_words_at),
        )
        if value
    ]
    return ", ".join(
        [
            f"match {weights.best_match:g}, quote {weights.bm25_quote:g}, "
            f"note {weights.bm25_note:g}, {context}, k1 {weights.bm25_k1:g} b {weights.bm25_b:g}",
            *extra,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, action="append", default=[], help="a corpus folder (repeatable)"
    )
    parser.add_argument(
        "--generate",
        type=int,
        default=0,
        metavar="PAGES",
        help="generate a synthetic corpus of this many pages as well",
    )
    parser.add_argument(
        "--others-cited",
        action="store_true",
        help="leave out of each ranking the other sources the masked sentence names "
        "(kg trace shows them as cited)",
    )
    args = parser.parse_args()
    corpora = list(args.corpus)
    if args.generate:
        from benchmarks.generate_corpus import generate

        corpus = Path(tempfile.mkdtemp(prefix="kg-trace-")) / "corpus"
        generate(corpus, pages=args.generate, seed=7)
        corpora.append(corpus)
    if not corpora:
        parser.error("give --corpus PATH (repeatable) or --generate PAGES")
    rows = []
    parts: list[Parts] = []
    bm25_ranks: dict[str, list[int]] = {}
    for corpus in corpora:
        started = time.perf_counter()
        index = Path(tempfile.mkdtemp(prefix="kg-trace-index-"))
        graph = kg.load(corpus, index=index, embed=True)
        cases = masked_cases(graph, others_cited=args.others_cited)
        rows += report(corpus.name, graph, cases)
        parts += case_parts(graph, corpus.name, cases)
        bm25_ranks[corpus.name] = _bm25_ranks(cases)
        sizes = [len(c.candidates) for c in cases]
        print(
            f"{corpus}: {len(graph)} notes, {len(cases)} masked sentences, candidates per "
            f"sentence median {int(np.median(sizes)) if sizes else 0}, max "
            f"{max(sizes, default=0)}; {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    print("| corpus | task (sentences) | ranking | recall@1 [95% CI] | recall@3 [95% CI] |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if parts:
        print()
        print("\n".join(held_out(parts, bm25_ranks)))


if __name__ == "__main__":
    main()
