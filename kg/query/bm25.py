"""BM25 as arrays: the term counts of every note, and the weights computed from them all at
once (Lucene's variant, as the `bm25s` library computes it), so that an edit re-counts only
the notes it changed.

A `Postings` holds, per term (CSC order: a term's entries together, by note), the note and
the term's count there, and each note's length; the BM25 weight of each entry follows
from those (`weights`). `count` turns the terms of some notes into entries; `Postings.build`
puts entries in order and computes the weights; `Postings.updated` keeps the entries of the
notes that did not change and counts the others again.

>>> vocab = {}
>>> postings = Postings.build(vocab, *count([["vote", "crowd"], ["vote"], ["plan"]], vocab))
>>> [round(float(score), 3) for score in postings.scores([vocab["vote"]])]
[0.153, 0.212, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

K1, B = 1.5, 0.75  # BM25's constants (bm25s's defaults)
_DEAD_SHARE = 0.25  # compact the vocabulary when more of its terms are in no note


def count(
    documents: Sequence[Sequence[str]], vocab: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entries of some notes' terms: (term ids, note positions, counts) and each
    note's length; new terms are added to `vocab`."""
    terms: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    lengths = np.zeros(len(documents), dtype=np.int32)
    for position, document in enumerate(documents):
        ids = np.fromiter(
            (vocab.setdefault(word, len(vocab)) for word in document),
            dtype=np.int32,
            count=len(document),
        )
        lengths[position] = len(ids)
        unique, tf = np.unique(ids, return_counts=True)
        terms.append(unique)
        counts.append(tf.astype(np.int32))
        docs.append(np.full(len(unique), position, dtype=np.int32))
    empty = np.zeros(0, dtype=np.int32)
    return (
        np.concatenate(terms) if terms else empty,
        np.concatenate(docs) if docs else empty,
        np.concatenate(counts) if counts else empty,
        lengths,
    )


def weights(
    indptr: np.ndarray, docs: np.ndarray, tf: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """BM25 (Lucene) of each entry: idf(term) x tf / (tf + K1 (1 - B + B len / mean len))."""
    n = len(lengths)
    df = np.diff(indptr)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    mean = float(lengths.mean()) if n else 1.0
    norm = K1 * ((1 - B) + B * lengths / max(mean, 1e-9))
    term_of = np.repeat(np.arange(len(df)), df)
    counts = tf.astype(np.float64)
    return (idf[term_of] * counts / (norm[docs] + counts)).astype(np.float32)


@dataclass
class Postings:
    """Every note's term counts, by term, and their BM25 weights (see the module)."""

    vocab: dict[str, int]
    indptr: np.ndarray  # int64, one more than the terms: term t's entries are indptr[t:t+2]
    docs: np.ndarray  # int32 note position of each entry
    tf: np.ndarray  # int32 count of each entry
    lengths: np.ndarray  # int32 terms of each note
    data: np.ndarray  # float32 BM25 weight of each entry

    @classmethod
    def build(
        cls,
        vocab: dict[str, int],
        terms: np.ndarray,
        docs: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
    ) -> Postings:
        """Postings from entries in any order (the vocabulary compacted when many of its
        terms are in no note)."""
        df = np.bincount(terms, minlength=len(vocab))
        dead = df == 0
        if len(vocab) and dead.sum() > _DEAD_SHARE * len(vocab):
            renumber = np.cumsum(~dead) - 1
            vocab = {term: int(renumber[i]) for term, i in vocab.items() if not dead[i]}
            terms = renumber[terms].astype(np.int32)
            df = df[~dead]
        # By term; stable, so each term's entries keep their order (by note when built,
        # and the kept ones already sorted when updated: the sort is then nearly linear).
        order = np.argsort(terms, kind="stable")
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        docs, tf = docs[order].astype(np.int32), tf[order].astype(np.int32)
        return cls(vocab, indptr, docs, tf, lengths, weights(indptr, docs, tf, lengths))

    def updated(
        self,
        old_ids: Sequence[str],
        old_prints: Sequence[str],
        new_ids: Sequence[str],
        new_prints: Sequence[str],
        terms_of: Callable[[int], list[str]],
    ) -> tuple[Postings, int]:
        """The postings of the notes `new_ids`: those whose id and fingerprint were there
        before keep their entries, the others are counted again (`terms_of(position)`
        gives their terms). Returns the postings and how many notes were counted."""
        before = {
            (note_id, mark): i
            for i, (note_id, mark) in enumerate(zip(old_ids, old_prints, strict=True))
        }
        moved = np.full(len(old_ids), -1, dtype=np.int64)
        changed: list[int] = []
        for position, key in enumerate(zip(new_ids, new_prints, strict=True)):
            i = before.get(key)
            if i is None:
                changed.append(position)
            else:
                moved[i] = position
        term_of = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))
        kept = moved[self.docs] >= 0
        lengths = np.zeros(len(new_ids), dtype=np.int32)
        stayed = moved >= 0
        lengths[moved[stayed]] = self.lengths[stayed]
        vocab = dict(self.vocab)
        terms, docs, tf, counted = count([terms_of(p) for p in changed], vocab)
        where = np.asarray(changed, dtype=np.int32)
        if len(changed):
            docs = where[docs]
            lengths[where] = counted
        postings = Postings.build(
            vocab,
            np.concatenate([term_of[kept].astype(np.int32), terms]),
            np.concatenate([moved[self.docs[kept]].astype(np.int32), docs]),
            np.concatenate([self.tf[kept], tf]),
            lengths,
        )
        return postings, len(changed)

    def has(self, term: str) -> bool:
        """Whether some note holds the term."""
        at = self.vocab.get(term)
        return at is not None and self.indptr[at + 1] > self.indptr[at]

    def df(self, term: str) -> int:
        """How many notes hold the term."""
        at = self.vocab.get(term)
        return 0 if at is None else int(self.indptr[at + 1] - self.indptr[at])

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """The BM25 score of every note for these terms (ids of the vocabulary)."""
        out = np.zeros(len(self.lengths), dtype=np.float32)
        for term in term_ids:
            start, end = self.indptr[term], self.indptr[term + 1]
            out[self.docs[start:end]] += self.data[start:end]  # a note once per term
        return out
