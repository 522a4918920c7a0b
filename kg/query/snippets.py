"""Search snippets: the passage of a note that matched, cut around the first word that
matches the query (a form of it counts: "memorised" for "memorization"), with the spans of
every matching word marked.

>>> words = [QueryWord("memorization", ("memor",), 1.0)]
>>> text = "Benchmarks leak. " * 20 + "A model that memorised the test set scores well."
>>> piece, marks = window(text, words)
>>> [piece[a:b] for a, b in marks], piece.startswith("…"), "memorised" in piece
(['memorised'], True, True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.query.lexical import QueryWord
from kg.query.wordforms import RELATIVE, closeness, stem
from kg.text import cut_around, fold, stopwords

SNIPPET = 240  # characters of a snippet at most, ellipses aside
_WORD = re.compile(r"[A-Za-z0-9]+")


def word_match(word: str, query: Sequence[QueryWord]) -> float:
    """How well a lower-case word of a note matches the query's words: the best
    `kg.query.wordforms.closeness` with one of them, or `RELATIVE` when its stem is one of
    the terms a query word stands for (a word being typed: "sycophan"), else 0."""
    if len(word) < 2 or word in stopwords():
        return 0.0
    best = 0.0
    for q in query:
        best = max(best, closeness(q.word, word))
        if best < RELATIVE and stem(word) in q.terms:
            best = RELATIVE
    return best


def matches(text: str, query: Sequence[QueryWord]) -> list[tuple[int, int, float]]:
    """(start, end, closeness) of each word of `text` that matches the query."""
    found: list[tuple[int, int, float]] = []
    seen: dict[str, float] = {}
    for hit in _WORD.finditer(fold(text)):
        word = hit.group().lower()
        quality = seen.get(word)
        if quality is None:
            quality = seen[word] = word_match(word, query)
        if quality:
            found.append((hit.start(), hit.end(), quality))
    return found


def passage_score(text: str, query: Sequence[QueryWord]) -> float:
    """How well a passage matches: each query word's weight times the best closeness of
    a word of the passage to it, summed."""
    total = 0.0
    words = {hit.group().lower() for hit in _WORD.finditer(fold(text))}
    for q in query:
        best = max((word_match(w, [q]) for w in words), default=0.0)
        total += q.weight * best
    return total


def window(text: str, query: Sequence[QueryWord]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """At most `SNIPPET` characters of `text` (whitespace collapsed) centred on its first
    word that matches the query, never cut before that word's end (`kg.text.cut_around`),
    and the spans of the matching words in it."""
    text = " ".join(text.split())
    return cut_around(text, [(a, b) for a, b, _ in matches(text, query)], SNIPPET)
