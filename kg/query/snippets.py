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
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.query.lexical import QueryWord
from kg.query.wordforms import RELATIVE, closeness, stem
from kg.text import cut_around, fold, stopwords

if TYPE_CHECKING:
    from kg.model import Note

SNIPPET = 240  # characters of a snippet at most, ellipses aside
_WORD = re.compile(r"[A-Za-z0-9]+")


# Words that ask rather than name (question words, auxiliaries, pronouns, determiners): the
# BM25 stop list keeps them, so "does" would match every note that says "does". A query's
# words of this list are left out of its words match and of the snippet's marks; titles
# still match the query as typed ("Does ch" completes "Does chain-of-thought ...").
_ASKING = """a about after also am an and any are as at be been before being but by can could
    did do does doing done for from had has have having he her his how i if in into is it
    its may me might more most must my no nor not of on or our over should so some such
    than that the their them then there these they this those to too under us very was we
    were what when where which while who whom whose why will with would you your"""
QUERY_STOPWORDS = frozenset(_ASKING.split())


def content_words(query: list[QueryWord]) -> list[QueryWord]:
    """The query's words but those that only ask (`QUERY_STOPWORDS`).

    >>> from kg.query.lexical import QueryWord
    >>> [q.word for q in content_words([QueryWord("does", ("doe",), 1.0),
    ...                                   QueryWord("ch", (), 2.0)])]
    ['ch']
    """
    return [q for q in query if q.word not in QUERY_STOPWORDS]


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


def _passages(note: Note) -> list[tuple[str, int, str]]:
    from kg.embed.vectors import note_texts

    return note_texts(note)


def note_snippet(
    note: Note,
    query_words: Sequence[QueryWord],
    title_match: bool,
    lexical: bool,
    store: Any,
    query_vector: np.ndarray | None,
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The passage of the note that matched a search, cut around its first matching word
    (see `window`), and the spans of its matching words: for a title match
    (`title_match`) its description (or claim, or first sentence); else, for a note found
    by its words (`lexical`), the passage that matches the query's words best; else the
    one nearest in meaning (`store`'s vectors of its texts against `query_vector`).

    >>> from kg.graph.knowledge import _demo
    >>> note = _demo().note("Does B hold?")  # no description, claim or body: its title
    >>> words = [QueryWord("hold", ("hold",), 1.0)]
    >>> note_snippet(note, words, title_match=True, lexical=False, store=None, query_vector=None)
    ('Does B hold?', ((7, 11),))
    """
    passages = [p for p in _passages(note) if p[0] not in ("abstract", "title")]
    if title_match:
        for field in ("description", "claim", "sentence"):
            for name, _, text in passages:
                if name == field:
                    return window(text, query_words)
        return note.title, tuple((a, b) for a, b, _ in matches(note.title, query_words))
    if lexical and query_words:
        best_text, best_score = "", 0.0
        for _, _, text in passages:
            score = passage_score(text, query_words)
            if score > best_score:
                best_text, best_score = text, score
        if best_score:
            return window(best_text, query_words)
    if store is not None and query_vector is not None:
        keyed = {(name, index): text for name, index, text in passages}
        best_text, best_cosine = "", -2.0
        for field in ("claim", "description", "sentence", "summary"):
            vectors = store.vectors_for(note.id, field)
            if not len(vectors):
                continue
            cosines = vectors @ query_vector
            index = int(np.argmax(cosines))
            if cosines[index] > best_cosine and (field, index) in keyed:
                best_cosine, best_text = float(cosines[index]), keyed[(field, index)]
        if best_text:
            return window(best_text, query_words)
    first = next((text for name, _, text in passages if name == "sentence"), "")
    return window(note.description or note.claim or first or note.title, query_words)
