"""Scoring what may support a claim: by words (TF-IDF), by stored or lazily embedded
vectors, or both fused, and the one choice of scorer the CLI and the browser share.

>>> words("Why do the crowds beat single experts?")
['why', 'do', 'crowd', 'beat', 'singl', 'expert']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.query.claims import DEFAULT_THRESHOLD, Candidate, Claim, Scorer
from kg.query.wordcounts import count_note
from kg.text import tokens as words

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.model import Note


class LexicalScorer:
    """TF-IDF cosine of words, IDF from every note text of the corpus (computed once per
    graph): the ranking without embeddings, and the lexical half of the hybrid one. A
    candidate scores its best cosine over its quoted text (with its title) and each
    sentence of its body.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> from kg.query.candidates import declared_sources
    >>> candidates = declared_sources(g, line)
    >>> [round(s, 3) for s in LexicalScorer().score(g, "crowds cancel errors", candidates)]
    [0.47]
    """

    default_threshold = 0.12

    def score(
        self, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
    ) -> list[float]:
        idf = document_frequencies(graph)
        query = _weighted(words(claim.text if isinstance(claim, Claim) else claim), idf)
        return [
            max(
                _cosine(query, _weighted(words(text), idf))
                for text in (c.text + " " + c.note.title, *_body_sentences(c.note))
            )
            for c in candidates
        ]


def _body_sentences(note: Note) -> list[str]:
    """A note's body sentences: a source's words are matched sentence by sentence too, so
    the sentence that supports a claim counts, not only a title on the claim's topic."""
    from kg.sentences import split_sentences

    return [s for p in note.body for _, _, s in split_sentences(p.text)]


def document_frequencies(graph: KnowledgeGraph) -> tuple[dict[str, float], float]:
    """IDF weights of the corpus's words, cached on the graph.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph; every text of its notes (not stubs) is a document.

    Returns
    -------
    (dict of str to float, float)
        The weight of each word, and the weight of a word the corpus does not have.
    """
    cached = getattr(graph, "_trace_idf", None)
    if cached is not None:
        return cached
    from kg.query import wordcounts

    kept = wordcounts.read(graph)  # counted by an earlier process, files unchanged
    if kept is None:  # counted before an edit: only the edited notes are counted again
        kept = wordcounts.updated(graph)
        if kept is not None:
            wordcounts.keep(graph, *kept)
    counts, documents = kept if kept is not None else _count_documents(graph)
    if kept is None:
        wordcounts.keep(graph, counts, documents)
    idf = {w: math.log((documents + 1) / (n + 0.5)) for w, n in counts.items()}
    result = (idf, math.log((documents + 1) / 0.5))
    graph._trace_idf = result  # type: ignore[attr-defined]
    return result


def _count_documents(graph: KnowledgeGraph) -> tuple[dict[str, int], int]:
    """How many texts hold each word, and how many texts there are."""
    counts: dict[str, int] = {}
    documents = 0
    for note in graph.notes(stubs=False):
        documents += count_note(counts, note, 1)
    return counts, documents


def _weighted(tokens: list[str], idf: tuple[dict[str, float], float]) -> dict[str, float]:
    weights, unseen = idf
    out: dict[str, float] = {}
    for token in tokens:
        out[token] = out.get(token, 0.0) + weights.get(token, unseen)
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


class EmbeddingScorer:
    """Cosine similarity of vectors: the claim's own vector against each candidate's
    (a source summary's vector, or the candidate note's vector).

    Parameters
    ----------
    store : VectorStore or LazyVectors
        Where the vectors come from (`vectors_for`, `note_vector`, `text_vector`).
    """

    default_threshold = DEFAULT_THRESHOLD

    def __init__(self, store: Any) -> None:
        self.store = store

    def claim_vector(self, claim: Claim | str) -> np.ndarray | None:
        if isinstance(claim, Claim) and claim.index >= 0:
            field_name = {"claim": "claim", "sentence": "sentence", "summary": "summary"}[
                claim.kind
            ]
            stored = self.store.vectors_for(claim.note_id, field_name)
            if stored is not None and len(stored) > claim.field_index:
                return np.asarray(stored[claim.field_index], dtype=np.float32)
        text = claim.text if isinstance(claim, Claim) else claim
        return np.asarray(self.store.text_vector(text), dtype=np.float32)

    def candidate_vector(self, candidate: Candidate) -> np.ndarray | None:
        if candidate.summary_of is not None:
            line_id, position = candidate.summary_of
            stored = self.store.vectors_for(line_id, "summary")
            if stored is not None and len(stored) > position:
                return np.asarray(stored[position], dtype=np.float32)
        vector = self.store.note_vector(candidate.note.id)
        return None if vector is None else np.asarray(vector, dtype=np.float32)

    def score(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        query: np.ndarray | None = None,
    ) -> list[float]:
        if query is None:
            query = self.claim_vector(claim)
        scores = []
        for candidate in candidates:
            vector = self.candidate_vector(candidate)
            scores.append(0.0 if query is None or vector is None else float(query @ vector))
        return scores


class HybridScorer(EmbeddingScorer):
    """Embedding similarity fused with TF-IDF word overlap by reciprocal rank.

    Both the meaning of a claim and the rare words it shares with a source count. The order
    is fused; the score reported (and held against the threshold) stays the cosine.

    Parameters
    ----------
    store : VectorStore or LazyVectors
        Where the vectors come from.
    """

    fusion_k = 3.0

    def rank(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        query: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """Candidates best first by the fused order, as (index, cosine)."""
        dense = self.score(graph, claim, candidates, query)
        sparse = LexicalScorer().score(graph, claim, candidates)
        fused = [0.0] * len(candidates)
        for scores in (dense, sparse):
            for position, i in enumerate(_order(scores)):
                fused[i] += 1.0 / (self.fusion_k + position)
        return [(i, dense[i]) for i in _order(fused)]


def _order(scores: Sequence[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def rank(
    scorer: Scorer, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
) -> list[tuple[int, float]]:
    """Candidates best first: the scorer's own ranking if it has one, else by score.

    Parameters
    ----------
    scorer : Scorer
        The scorer.
    graph : KnowledgeGraph
        The graph.
    claim : Claim or str
        The claim the candidates may support.
    candidates : sequence of Candidate
        What to rank.

    Returns
    -------
    list of (int, float)
        (index into `candidates`, score); ties keep the candidates' order.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> from kg.query.candidates import declared_sources
    >>> [(i, round(s, 3)) for i, s in rank(LexicalScorer(), g, "crowds cancel", declared_sources(g, line))]
    [(0, 0.384)]
    """
    own = getattr(scorer, "rank", None)
    if own is not None:
        return own(graph, claim, candidates)
    scores = scorer.score(graph, claim, candidates)
    return [(i, scores[i]) for i in _order(scores)]
