"""What makes two notes related, beside their vectors: the words they share (`word_scores`,
BM25 with one note's words as the query) and the graph around them (`graph_scores`,
Adamic-Adar over their shared neighbours: shared sources, co-citation, common links and
tags). `near` fuses these with the cosine of the whole notes' vectors (`NearWeights`, read
from the shipped kg/data/near_weights.json).

>>> from kg.graph.knowledge import _demo
>>> graph = _demo()
>>> scores = graph_scores(graph, "a", ["a", "b", "c"])
>>> scores.shape, float(scores[0])
((3,), 0.0)
>>> NearWeights.shipped().parts()[0][0]
'meaning'
"""

from __future__ import annotations

import json
import math
import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.errors import InvalidArgument
from kg.query.lexical import _document, lexical_index
from kg.query.wordforms import terms as words

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

WEIGHTS_FILE = "near_weights.json"


@dataclass(frozen=True, slots=True)
class NearWeights:
    """How `near` weighs its signals, the word and graph scores scaled to 0-1 over the
    candidates.

    Attributes
    ----------
    meaning : float
        Weight of the cosine of the two notes' best vectors: the model's whole-note vectors
        once computed (`kg.embed.notevectors`), the static whole-note vectors until then.
    words : float
        Weight of BM25 of the note's words in the other note, over its best.
    graph : float
        Weight of Adamic-Adar over shared neighbours, over its best.
    sentences : float
        Weight of the cosine of the static whole-note vectors (the weighted mean of the
        note's texts' vectors, sentence by sentence), whichever vectors `meaning` reads.

    Examples
    --------
    >>> NearWeights(1.0, 0.0, 0.0).parts()
    (('meaning', 1.0), ('words', 0.0), ('graph', 0.0), ('sentences', 0.0))
    """

    meaning: float = 1.0
    words: float = 0.0
    graph: float = 0.0
    sentences: float = 0.0

    @classmethod
    def check(cls, value: object) -> NearWeights | None:
        """`value` as weights: None (the shipped ones), `NearWeights`, or a mapping of
        meaning, words, graph and sentences to numbers of at least 0, not all 0; else
        `InvalidArgument` saying so.

        >>> NearWeights.check({"meaning": 1, "words": 0.5})
        NearWeights(meaning=1.0, words=0.5, graph=0.0, sentences=0.0)
        >>> NearWeights.check({"title": 1})
        Traceback (most recent call last):
        ...
        kg.errors.InvalidArgument: weights must be NearWeights or a mapping of meaning, words, graph, sentences to numbers of at least 0 (not all 0), not {'title': 1}
        """
        if value is None or isinstance(value, cls):
            return value
        fields = ("meaning", "words", "graph", "sentences")
        wrong = InvalidArgument(
            f"weights must be NearWeights or a mapping of {', '.join(fields)} to numbers "
            f"of at least 0 (not all 0), not {value!r}"
        )
        if not isinstance(value, Mapping) or not value or set(value) - set(fields):
            raise wrong
        numbers = [value.get(name, 0.0) for name in fields]
        if not all(
            isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) and n >= 0
            for n in numbers
        ) or not any(numbers):
            raise wrong
        return cls(*(float(n) for n in numbers))

    def parts(self) -> tuple[tuple[str, float], ...]:
        """(name, weight) of each signal."""
        return (
            ("meaning", self.meaning),
            ("words", self.words),
            ("graph", self.graph),
            ("sentences", self.sentences),
        )

    @classmethod
    def shipped(cls) -> NearWeights:
        """The weights kg ships (kg/data/near_weights.json, chosen by
        benchmarks/bench_links.py on half a vault's notes)."""
        text = resources.files("kg").joinpath("data", WEIGHTS_FILE).read_text("utf-8")
        data = json.loads(text)["weights"]
        return cls(*(float(data.get(name, 0.0)) for name, _ in cls().parts()))

    def fuse(
        self,
        meaning: np.ndarray,
        lexical: np.ndarray,
        graph: np.ndarray,
        sentences: np.ndarray | None = None,
    ) -> np.ndarray:
        """The fused score of every candidate: the weighted sum of the cosines and the
        scaled word and graph scores (`sentences` is `meaning` when not given).

        >>> fused = NearWeights(0.5, 0.5, 0.0).fuse(np.array([0.2, 0.4]), np.array([2.0, 1.0]), np.zeros(2))
        >>> fused.round(2).tolist()
        [0.6, 0.45]
        """
        out = self.meaning * meaning + self.words * _scaled(lexical) + self.graph * _scaled(graph)
        if self.sentences:
            out = out + self.sentences * (meaning if sentences is None else sentences)
        return out


def _scaled(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def word_scores(graph: KnowledgeGraph, note_id: str, ids: Sequence[str]) -> np.ndarray:
    """How much each note of `ids` and the note share in words, both ways: BM25 (kg's index
    of the notes) of the note's own words in each note, plus BM25 of each note's words in
    the note, each scaled to 0-1 over `ids`.

    Relatedness has no direction: a note that explains a term another one uses is found
    by the second score when the first note's own words are too many to find it (on
    Obsidian's help vault the written links among the 10 nearest go from 0.75 by the first
    score alone to 0.83 with both; BENCHMARKS.md). The note itself scores 0; a note the
    index lacks (a category) scores 0.
    """
    index = lexical_index(graph)
    terms = words(_document(graph.note(note_id)))
    forward = index.scores(terms)
    backward = _backward_scores(graph, index, note_id)
    pos = {note: i for i, note in enumerate(index.note_ids)}
    rows = np.array([pos.get(i, -1) if i != note_id else -1 for i in ids], dtype=np.int64)
    there = rows >= 0
    out = []
    for scores in (forward, backward):
        picked = np.zeros(len(ids), dtype=np.float32)
        picked[there] = scores[rows[there]]
        out.append(_scaled(picked))
    return (out[0] + out[1]).astype(np.float32)


_MATRICES: weakref.WeakKeyDictionary[Any, tuple[Any, Any, dict[str, int]]] = (
    weakref.WeakKeyDictionary()
)


def _backward_scores(graph: KnowledgeGraph, index: Any, note_id: str) -> np.ndarray:
    """BM25 of every note's own words (its text as the query) in the note `note_id`, in
    the index's note order: each note's term counts times the note's term weights, one
    sparse product (`kg.query.bm25`'s postings keep each note's count and weight of a term)."""
    from scipy import sparse  # type: ignore[import-untyped, unused-ignore]

    found = _MATRICES.get(index)
    if found is None:
        postings = index.postings  # by term: each note's count and BM25 weight of the term
        shape = (len(index.note_ids), len(postings.indptr) - 1)
        weights = sparse.csc_matrix(
            (postings.data, postings.docs, postings.indptr), shape=shape
        ).tocsr()
        counts = sparse.csc_matrix(
            (postings.tf.astype(np.float32), postings.docs, postings.indptr), shape=shape
        ).tocsr()
        positions = {other: row for row, other in enumerate(index.note_ids)}
        found = _MATRICES[index] = (weights, counts, positions)
    weights, counts, positions = found
    position = positions.get(note_id)
    if position is None:
        return np.zeros(len(index.note_ids), dtype=np.float32)
    return np.asarray((counts @ weights[position].T).todense(), dtype=np.float32).ravel()


def _neighbours(graph: KnowledgeGraph, node: str) -> set[str]:
    out = {lk.target if lk.source == node else lk.source for lk in graph.links_of(node)}
    out.discard(node)
    return out


def graph_scores(
    graph: KnowledgeGraph,
    note_id: str,
    ids: Sequence[str],
    hidden: Collection[str] = (),
) -> np.ndarray:
    """Adamic-Adar of the note and each note of `ids`: the sum over the nodes both are
    linked to (either way, any kind: a shared source, a note citing both, a shared tag) of
    1 / log(that node's degree).

    Parameters
    ----------
    graph : KnowledgeGraph
    note_id : str
        The note.
    ids : sequence of str
        The notes to score.
    hidden : collection of str
        Nodes whose links with the note are ignored (a benchmark hides a note's written
        links so they cannot predict themselves).

    Returns
    -------
    numpy.ndarray
        One float32 score per id; 0 for the note itself.
    """
    own = _neighbours(graph, note_id) - set(hidden)
    totals: dict[str, float] = {}
    for node in own:
        around = _neighbours(graph, node)
        degree = len(around)
        if degree < 2:
            continue
        share = 1.0 / math.log(degree)
        for other in around:
            totals[other] = totals.get(other, 0.0) + share
    totals.pop(note_id, None)
    return np.array([totals.get(i, 0.0) for i in ids], dtype=np.float32)
