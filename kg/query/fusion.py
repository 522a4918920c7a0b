"""The ranking kg traces with when it has vectors: meaning and words fused by normalized
scores, each candidate compared through every text of its note, the claim read with the
sentence after it.

Five parts can be computed for each candidate of a claim, each once for the claim and once
for its context (the sentence after it in its paragraph, by default):

- ``best match``: the highest cosine between the claim and any text of the candidate note
  (the text it is quoted by, its description, its claim, each body sentence);
- ``mean match``: the cosine between the claim and the mean of those texts' vectors (what
  the note says as a whole, which the plain model's whole-note cosine also sees);
- ``BM25 quote``: BM25 of the claim's words in the quoted text (IDF from the corpus);
- ``BM25 note``: BM25 in the quoted text and every text of the candidate note;
- ``BM25 sentence``: the best BM25 in any one of those texts, so that the sentence which
  supports the claim counts, not only a title that shares its topic;
- ``word coverage``: the share of the claim's word weight (IDF) the candidate holds
  anywhere; it is not summed, it gates the BM25 parts.

Each part is standardised over the candidates (zero mean, unit spread; the BM25 parts are
divided by `Weights.bm25_scale` instead when it is set, see `normalised`) and the parts are
summed with their `Weights`, the context's at `Weights.context` times the claim's. The
BM25 parts count for a claim only as far as some candidate holds its words (`word_trust`:
not at all when the best coverage is at most `Weights.trust_words_from`, in full from
`Weights.trust_words_at`): a claim that says its evidence in other words is ranked by
what it means, not by the one candidate that happens to share a common word with it. A
part's place among the candidates (1 for the one it puts first, 1/2 for the second:
`kg.query.weights.reciprocal_ranks`) can be added too, at its own weight (`Weights.ranks`;
none in what kg ships). With `Weights.token_rank` above 0 the fused order is then combined
by reciprocal rank with a match of the claim's word pieces one by one over the static token
table (`kg.query.tokenmatch`), for a note's one-line claim (`token_ranked`; see
BENCHMARKS.md). The score shown is the softmax share of that sum: candidates in
score order are candidates in rank order, and the shares of one claim's ranked candidates add up to 1. The titles of the
claim's declared sources are cut out of the claim first where they stand whole (a cited note is shown as cited,
not ranked), and the candidates' titles out of its context.

The default weights (`DEFAULT_WEIGHTS`) are read from kg/data/trace_weights.json, which
benchmarks/bench_evidence.py --write-weights writes with the weights its held-out protocol
chooses on every case of its three tasks (hand-labelled evidence claims ranked by sentence
and by note, and masked citations); the figures it reports are those of weights chosen on
the other half of the cases: see BENCHMARKS.md, "Evidence ranking".

The weights and the fusing arithmetic are in `kg.query.weights` (re-exported here).

>>> softmax_shares([0.0, 0.0])
[0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.errors import ModelUnavailable
from kg.query.candidates import strip_titles
from kg.query.claims import Candidate, Claim, Ranked, Scorer
from kg.query.scorers import EmbeddingScorer, LexicalScorer, document_frequencies, rank
from kg.query.tokenmatch import reciprocal_rank_fusion, token_match
from kg.query.weights import (
    CONTEXTS,
    DEFAULT_WEIGHTS,
    PARTS,
    Weights,
    context_text,
    fuse,
    normalised,
    softmax_shares,
    word_trust,
)
from kg.sentences import split_sentences
from kg.text import tokens as words

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "CONTEXTS",
    "DEFAULT_WEIGHTS",
    "PARTS",
    "FusedScorer",
    "Weights",
    "bm25",
    "claim_context",
    "context_text",
    "default_scorer",
    "fuse",
    "normalised",
    "ranked",
    "softmax_shares",
    "word_coverage",
    "word_trust",
]


class FusedScorer(EmbeddingScorer):
    """Best-match cosine and BM25 scores, standardised and summed (see the module).

    Parameters
    ----------
    store : VectorStore or LazyVectors
        Where the vectors come from.
    weights : Weights
        How the parts are weighed (`DEFAULT_WEIGHTS` unless given).
    """

    def __init__(self, store: Any, weights: Weights = DEFAULT_WEIGHTS) -> None:
        super().__init__(store)
        self.weights = weights

    def score(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        query: np.ndarray | None = None,
    ) -> list[float]:
        """The best-match cosine of each candidate (what the threshold is held against)."""
        text = _query_text(graph, claim, candidates)
        return self._best_match(_vector(self, text), candidates)

    def rank(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        context: str | None = None,
    ) -> list[tuple[int, float]]:
        """Candidates best first, as (index, softmax share of the fused score)."""
        return [(r.index, r.score) for r in self.ranked(graph, claim, candidates, context)]

    def part_scores(
        self, graph: KnowledgeGraph, text: str, candidates: Sequence[Candidate]
    ) -> dict[str, list[float]]:
        """The raw parts (`PARTS`) of each candidate for one text, claim or context
        (all zeros for an empty text)."""
        if not text:
            return {name: [0.0] * len(candidates) for name in PARTS}
        quoted = [c.text for c in candidates]
        whole = [" ".join([c.text, *_note_texts(c)]) for c in candidates]
        query = _vector(self, text)
        k1, b = self.weights.bm25_k1, self.weights.bm25_b
        values = (
            self._best_match(query, candidates),
            bm25(graph, text, quoted, k1, b),
            bm25(graph, text, whole, k1, b),
            _best_sentence_bm25(graph, text, candidates, k1, b),
            self._mean_match(query, candidates),
            word_coverage(graph, text, candidates),
        )
        return dict(zip(PARTS, values, strict=True))

    def claim_parts(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        context: str | None = None,
    ) -> tuple[dict[str, list[float]], dict[str, list[float]] | None]:
        """The raw parts of each candidate for the claim and for its context (None when
        there is no context); the titles of the claim's declared sources cut out of both.

        Parameters
        ----------
        graph : KnowledgeGraph
            The graph.
        claim : Claim or str
            The claim.
        candidates : sequence of Candidate
            What to rank.
        context : str, optional
            The text read with the claim; for a body sentence, the text around it the
            weights name (`Weights.context_kind`) when not given.

        Returns
        -------
        (dict, dict or None)
            Each part's values, for the claim and for the context.
        """
        text = _query_text(graph, claim, candidates)
        if context is None:
            context = claim_context(graph, claim, self.weights.context_kind)
        context = _strip_titles(context, candidates)
        raw = self.part_scores(graph, text, candidates)
        return raw, self.part_scores(graph, context, candidates) if context else None

    def ranked(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        context: str | None = None,
    ) -> list[Ranked]:
        """Candidates best first with their score, best cosine and parts.

        Parameters
        ----------
        graph : KnowledgeGraph
            The graph.
        claim : Claim or str
            The claim.
        candidates : sequence of Candidate
            What to rank.
        context : str, optional
            The text read with the claim (see `claim_parts`).

        Returns
        -------
        list of Ranked
        """
        if not candidates:
            return []
        weights = self.weights
        if not weights.context:
            context = ""
        raw, around = self.claim_parts(graph, claim, candidates, context)
        fused = fuse(raw, around, weights)
        if weights.token_rank > 0 and len(candidates) > 1 and token_ranked(claim):
            texts = [[c.text, *_note_texts(c)] for c in candidates]
            matched = token_match(graph, _query_text(graph, claim, candidates), texts)
            if matched is not None:  # places combined; scaled so the first gets about 2
                k = weights.token_rank
                fused = (k + 1) * reciprocal_rank_fusion([fused.tolist(), matched], k)
        shares = softmax_shares(list(fused))
        order = sorted(range(len(candidates)), key=lambda i: (-fused[i], i))
        shown = [name for name, _ in weights.parts()]
        return [
            Ranked(
                i,
                shares[i],
                raw["best match"][i],
                tuple((name, round(raw[name][i], 4)) for name in shown),
            )
            for i in order
        ]

    def _best_match(self, query: np.ndarray | None, candidates: Sequence[Candidate]) -> list[float]:
        out = []
        for candidate in candidates:
            best = 0.0
            if query is not None:
                vector = self.candidate_vector(candidate)
                if vector is not None:
                    best = float(query @ vector)
                note = candidate.note
                if not note.stub:
                    for field in ("description", "claim", "sentence"):
                        rows = self.store.vectors_for(note.id, field)
                        if rows is not None and len(rows):
                            best = max(best, float(np.max(np.asarray(rows) @ query)))
            out.append(best)
        return out

    def _mean_match(self, query: np.ndarray | None, candidates: Sequence[Candidate]) -> list[float]:
        out = []
        for candidate in candidates:
            rows = [] if query is None else _text_vectors(self.store, candidate)
            if not rows:
                out.append(0.0)
                continue
            mean = np.mean(np.vstack(rows), axis=0)
            norm = float(np.linalg.norm(mean))
            out.append(float(mean @ query) / norm if norm > 0 else 0.0)
        return out


def _text_vectors(store: Any, candidate: Candidate) -> list[np.ndarray]:
    note = candidate.note
    if note.stub:
        return []
    rows = []
    for field in ("description", "claim", "sentence"):
        found = store.vectors_for(note.id, field)
        if found is not None and len(found):
            rows.append(np.asarray(found, dtype=np.float32))
    return rows


def token_ranked(claim: Claim | str) -> bool:
    """Whether `Weights.token_rank` counts for `claim`: a note's one-line claim, which
    says in its own words what the note's sources support together (the hand-labelled
    evidence claims of BENCHMARKS.md). Not a body sentence: it is read with the sentence
    after it and its sources are often quoted in few words, so the piece-by-piece match
    loses there (masked citations), and `kg trace --unsupported` checks every one; nor a
    source summary, a deeper level's quote or free text, which nothing measured.

    >>> token_ranked(Claim("n", 0, "claim", "Crowds beat experts.", 0))
    True
    >>> token_ranked(Claim("n", 1, "sentence", "It does.", 0)), token_ranked("free text")
    (False, False)
    """
    return isinstance(claim, Claim) and claim.kind == "claim"


def _best_sentence_bm25(
    graph: KnowledgeGraph, text: str, candidates: Sequence[Candidate], k1: float, b: float
) -> list[float]:
    """The best BM25 of `text` in any one text of each candidate (lengths averaged over
    every text of every candidate)."""
    owner: list[int] = []
    texts: list[str] = []
    for i, candidate in enumerate(candidates):
        for each in dict.fromkeys([candidate.text, *_note_texts(candidate)]):
            owner.append(i)
            texts.append(each)
    best = [0.0] * len(candidates)
    for i, score in zip(owner, bm25(graph, text, texts, k1, b), strict=True):
        best[i] = max(best[i], score)
    return best


def word_coverage(graph: KnowledgeGraph, text: str, candidates: Sequence[Candidate]) -> list[float]:
    """How much of `text`'s word weight each candidate holds: the IDF of the claim's
    distinct words found anywhere in the candidate (its quoted text, description, claim,
    body) over the IDF of all of them (0 to 1).

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> from kg.query.candidates import declared_sources
    >>> g, line = crowd_example()
    >>> [round(c, 2) for c in word_coverage(g, "crowds cancel errors", declared_sources(g, line))]
    [1.0]
    """
    idf, unseen = document_frequencies(graph)
    terms = {t: idf.get(t, unseen) for t in set(words(text))}
    total = sum(terms.values())
    out = []
    for candidate in candidates:
        found: set[str] = set()
        for each in dict.fromkeys([candidate.text, *_note_texts(candidate)]):
            found.update(words(each))
        held = sum(w for t, w in terms.items() if t in found)
        out.append(held / total if total > 0 else 0.0)
    return out


def _vector(scorer: EmbeddingScorer, text: str) -> np.ndarray | None:
    return scorer.claim_vector(text) if text else None


def _query_text(graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]) -> str:
    text = claim.text if isinstance(claim, Claim) else claim
    titles = [c.note.title for c in candidates]
    if isinstance(claim, Claim) and claim.index >= 0:
        from kg.query.candidates import declared_sources

        titles += [c.note.title for c in declared_sources(graph, graph.note(claim.note_id))]
    return strip_titles(text, titles)


def _strip_titles(text: str, candidates: Sequence[Candidate]) -> str:
    return strip_titles(text, [c.note.title for c in candidates])


def claim_context(graph: KnowledgeGraph, claim: Claim | str, kind: str) -> str:
    """The context (`context_text`) of a body-sentence claim in its paragraph ('' if none
    or the claim is not a body sentence)."""
    if not isinstance(claim, Claim) or claim.kind != "sentence":
        return ""
    note = graph.note(claim.note_id)
    for paragraph in note.body:
        if claim.line and paragraph.line != claim.line:
            continue
        sentences = [s for _, _, s in split_sentences(paragraph.text)]
        if claim.text in sentences:
            return context_text(sentences, sentences.index(claim.text), kind)
    return ""


def _note_texts(candidate: Candidate) -> list[str]:
    note = candidate.note
    texts = [note.description, note.claim]
    texts += [s for p in note.body for _, _, s in split_sentences(p.text)]
    return [t for t in texts if t and t.strip()]


def bm25(
    graph: KnowledgeGraph, query: str, texts: Sequence[str], k1: float = 1.2, b: float = 0.75
) -> list[float]:
    """BM25 of `query`'s words in each of `texts`, IDF from every note text of the graph.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, _ = crowd_example()
    >>> [round(s, 2) for s in bm25(g, "errors cancel", ["errors cancel out", "chess"])]
    [0.89, 0.0]
    """
    idf, unseen = document_frequencies(graph)
    tokenised = [words(t) for t in texts]
    average = max(1e-9, sum(len(t) for t in tokenised) / max(1, len(tokenised)))
    terms = set(words(query))
    out = []
    for tokens in tokenised:
        total = 0.0
        for term in terms:
            count = tokens.count(term)
            if count:
                norm = count + k1 * (1 - b + b * len(tokens) / average)
                total += idf.get(term, unseen) * count * (k1 + 1) / norm
        out.append(total)
    return out


def ranked(
    scorer: Scorer, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
) -> list[Ranked]:
    """Candidates best first with the score their order comes from, by any scorer.

    Parameters
    ----------
    scorer : Scorer
        The scorer (a `FusedScorer` gives its parts too).
    graph : KnowledgeGraph
        The graph.
    claim : Claim or str
        The claim.
    candidates : sequence of Candidate
        What to rank.

    Returns
    -------
    list of Ranked

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> from kg.query.candidates import declared_sources
    >>> from kg.query.scorers import LexicalScorer
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> [(r.index, round(r.score, 3)) for r in ranked(LexicalScorer(), g, "crowds cancel", declared_sources(g, line))]
    [(0, 0.384)]
    """
    if isinstance(scorer, FusedScorer):
        return scorer.ranked(graph, claim, candidates)
    return [Ranked(i, s, s) for i, s in rank(scorer, graph, claim, candidates)]


def default_scorer(graph: KnowledgeGraph) -> Scorer:
    """The scorer kg traces with: the CLI and the browser both trace through here, so
    they rank alike.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.

    Returns
    -------
    Scorer
        A `FusedScorer` over the transformer's vectors of just this trace's texts with
        ``embedder: hybrid`` (``graph.lazy_vectors.rank_first``) when the model loads; else
        over the stored vectors when the graph has them; else over vectors embedded for
        just this trace when ``kg.load(embed="lazy")`` set that up and the model
        loads; else a `LexicalScorer`.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> type(default_scorer(g)).__name__
    'LexicalScorer'
    """
    store = graph.embeddings
    lazy = graph.lazy_vectors
    if lazy is not None and getattr(lazy, "rank_first", False):
        try:  # the hybrid embedder: its transformer ranks traces
            lazy.ready()
            return FusedScorer(lazy)
        except ModelUnavailable:
            lazy = None
    if store is not None and int(store.count) > 0:
        return FusedScorer(store)
    if lazy is not None:
        try:
            lazy.ready()
        except ModelUnavailable:
            return LexicalScorer()
        return FusedScorer(lazy)
    return LexicalScorer()
