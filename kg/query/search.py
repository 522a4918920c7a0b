"""Search that reads like a search engine's: titles, then words, then meaning.

`search` lists the notes that match a query in three kinds, each after the one before:

1. **title**: the note the query names (its title, an alias or its id; score 1), then the
   titles that contain the query in the order title completion (the browser's list as
   you type) shows them, then near-exact titles (a typo);
2. **words**: notes holding the query's words or forms of them (BM25 of the `bm25s`
   library, `kg.query.lexical`, over title, description, claim and body finds them),
   ranked by how well they match: the same word (either spelling: "memorisation" for
   "memorization") above another form with the same stem ("memorised"), above a near
   relative ("memories");
3. **meaning**: notes close to the query in meaning only (the embedding of the query
   against each note's vector and the vectors of its texts).

Notes with text come before stubs (titles known only from links), except among titles,
where the order is title completion's. Word search never loads the model; the BM25
index is saved in the index folder and reused while the corpus's files are unchanged.

The score (0 to 1) is calibrated so that it can be read alone, and a poor hit looks poor:

- title: 1 for the exact title; 0.9 + 0.09 x (the query's share of the title's
  characters) for a title containing it; 0.9 for a near-exact title.
- words: 0.2 + 0.6 R + 0.04 T + 0.03 B + 0.03 M, at most 0.9. R, how well the words
  match, is C for a query of one or two words and leans to B and M as the query grows:
  R = a C + (1 - a) (B + M) / 2 with a = 2 / (the query's words), B alone for M when
  the search has no meaning. C, the coverage, is the share of the query's words the note
  holds, each weighted by its rarity (inverse document frequency) and by how well the
  note's closest word matches it: 1 the same word, 0.8 the same stem, 0.4 a near
  relative. T is the (weighted) share found in the title, B the note's BM25 over the
  best hit's, M the meaning score below. So for a short query a note with every word
  scores 0.8 to 0.9, with half of them, or only near relatives, about 0.5, and an exact
  form always above a same-stem one (the gaps in C outweigh T, B and M together); a
  sentence ranks by BM25 and meaning, as a word count says little about a sentence.
- meaning: 0.7 M. M is the cosine's place between what the query typically scores
  with a note of this corpus (the median over all notes: 0) and a perfect match (1):
  (cos - median) / (1 - median), clipped to 0-1. A paraphrase of a note reaches 0.5 or
  more; a vaguely related note, whose cosine is little above the median, stays under
  0.3 whatever the model's cosines bunch at. A note no closer than the median is no
  match by meaning (nor is one under the floor, `meaning_floor`).

Last, no hit scores above the hit listed before it: the scores read down the list as its
order does. A stub listed after notes with text scores at most the last of them (its title
alone says little, which is why it comes after them).

>>> from kg.graph.knowledge import _demo
>>> [hit.note.title for hit in search(_demo(), "does b hold", semantic=False)][:1]
['Does B hold?']
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.embed.notevectors import query_scores
from kg.errors import ModelUnavailable, check_count, check_number
from kg.model import NOT_NOTES, Note, SearchHit
from kg.query.lexical import (  # noqa: F401  (also importable from here, as before)
    LEXICAL_MANIFEST,
    LexicalIndex,
    QueryWord,
    _document,
    lexical_index,
    words,
)
from kg.query.snippets import content_words, note_snippet
from kg.query.titles import title_index
from kg.query.wordforms import SAME_STEM, american
from kg.text import TOKEN, fold, normalize_title, stopwords

if TYPE_CHECKING:
    from kg.embed.vectors import VectorStore
    from kg.graph.knowledge import KnowledgeGraph

CANDIDATES = 200  # how deep each ranking is read
NEAR_TITLE = 0.88  # difflib ratio of two title keys that counts as a near-exact match
SPELLING_RANK = 10_000  # titles holding the query in the other spelling: after the list's
MEANING_FLOOR = 0.25  # cosine above which a hit is said to match by meaning
# The calibration (see the module's doc).
TITLE_BASE, TITLE_SPAN = 0.9, 0.09
WORDS_BASE, WORDS_COVERAGE, WORDS_TITLE, WORDS_BM25, WORDS_MEANING = 0.2, 0.6, 0.04, 0.03, 0.03
MEANING_TOP = 0.7

# ---------------------------------------------------------------- search


@dataclass
class _Candidate:
    note_id: str
    bm25: float = 0.0
    lexical: bool = False
    semantic: float = -1.0  # the cosine (best of the note's vector and its texts')
    meaning: float = 0.0  # the cosine calibrated (M of the module's doc)
    coverage: float = 0.0  # C
    relevance: float = 0.0  # R
    bm25_share: float = 0.0  # B
    in_title: float = 0.0  # T
    tier: int = 3  # 0 exact title, 1 title containing the query, 2 near-exact title, 3 other
    title_rank: int | None = None  # place in title completion's list (0: named by id)
    title_share: float = 0.0  # the query's share of the title's characters


def _title_key(text: str) -> str:
    return " ".join(TOKEN.findall(normalize_title(text)))


def _semantic_scores(store: VectorStore, query: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per stored note: the best cosine of the query with its own vector or any of its
    texts' vectors."""
    note_ids, keys, key_start = store.key_arrays()
    best = store.matrix @ query
    if len(keys):
        row_scores = np.empty(store.rows, dtype=np.float32)
        for first, segment in store.segments():
            row_scores[first : first + len(segment)] = segment @ query
        key_scores = row_scores[keys[:, 3]]
        counts = np.diff(key_start)
        present = counts > 0
        if present.any():
            maxima = np.maximum.reduceat(key_scores, key_start[:-1][present])
            best[present] = np.maximum(best[present], maxima)
    best[~store.kind_mask(None)] = -np.inf
    return note_ids, best


def calibrated_meaning(cosine: float, median: float) -> float:
    """M of the module's doc: where a cosine sits between the query's median cosine with
    the corpus's notes (0) and 1 (1).

    >>> calibrated_meaning(0.55, 0.4), calibrated_meaning(0.3, 0.4), calibrated_meaning(1.0, 0.4)
    (0.25, 0.0, 1.0)
    """
    span = max(1.0 - median, 1e-6)
    return round(float(min(1.0, max(0.0, (cosine - median) / span))), 6)


def _listed(store: VectorStore, note_ids: list[str]) -> np.ndarray:
    """Which of these notes search lists by meaning (as `_semantic_scores` masks them)."""
    mask = store.kind_mask(None)
    rows = [store.position(i) for i in note_ids]
    return np.array([r is not None and bool(mask[r]) for r in rows], dtype=bool)


def search(
    graph: KnowledgeGraph,
    text: str,
    k: int = 10,
    semantic: bool | None = None,
    min_score: float = 0.0,
) -> list[SearchHit]:
    """Search the notes by title, words and meaning (see the module's doc and
    `KnowledgeGraph.search`).

    Parameters
    ----------
    graph : KnowledgeGraph
    text : str
    k : int, default 10
        How many hits at most (0 or more).
    semantic : bool, optional
        None uses meaning when the corpus has vectors and the model loads, True insists
        (raising `ModelUnavailable`), False searches by words only.
    min_score : float, default 0.0
        Leave out hits scoring below this (a finite number of at least 0; scores are 0
        to 1).

    Returns
    -------
    list of SearchHit
        Only notes that match: by title, by words, or by meaning above the floor
        (`meaning_floor`); a query nothing matches gives an empty list.

    Raises
    ------
    InvalidArgument
        For a negative or non-integer `k`, or a `min_score` that is not a finite number
        of at least 0.
    ModelUnavailable
        With `semantic=True` and no model or no vectors.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> hit = search(_demo(), "Why C?", k=1, semantic=False)[0]
    >>> hit.matched, hit.match_kind, hit.score  # "why" alone is no match by words
    (('exact title',), 'title', 1.0)
    >>> search(_demo(), "zxqv flibbertigibbet", semantic=False)
    []
    """
    check_count("k", k)
    min_score = check_number("min_score", min_score, minimum=0)
    query = text.strip()
    if not query or k <= 0:
        return []
    candidates: dict[str, _Candidate] = {}

    def candidate(note_id: str) -> _Candidate:
        found = candidates.get(note_id)
        if found is None:
            found = candidates[note_id] = _Candidate(note_id)
        return found

    lexical = lexical_index(graph)
    query_words = content_words(lexical.query_words(query))
    known_terms = list(dict.fromkeys(t for q in query_words for t in q.terms))
    if known_terms:
        scores = lexical.scores(known_terms)
        positive = np.flatnonzero(scores > 0)
        top = positive[np.argsort(-scores[positive], kind="stable")][:CANDIDATES]
        for pos in top:
            entry = candidate(lexical.note_ids[pos])
            entry.lexical, entry.bm25 = True, float(scores[pos])

    store = graph.embeddings
    floor = float("inf")
    query_vector = None
    used = ""  # the vectors meaning was scored with
    if semantic is not False and store is not None and store.count:
        try:
            query_vector = store.text_vector(query)
        except ModelUnavailable:
            if semantic:
                raise
        if query_vector is not None:
            floor = meaning_floor(bool(known_terms) or _model_knows(store, query))
            used = _add_meaning(graph, store, query_vector, query, candidate, candidates)
    elif semantic and (store is None or not store.count):
        raise ModelUnavailable("this graph has no embeddings, so it cannot be searched by meaning")

    _add_titles(graph, query, k, candidates, candidate)
    _add_coverage(graph, lexical, query_words, candidates, query_vector is not None)

    ranked = sorted(candidates.values(), key=lambda c: _order(graph, c, floor))
    hits: list[SearchHit] = []
    ceiling = 1.0  # no hit above the one before it (a stub after a note with text included)
    for entry in ranked:
        matched = _matched(entry, floor)
        if not matched:
            continue  # found only by a meaning under the floor: nothing the query asked for
        note = graph.note(entry.note_id)
        score = min(_score(entry, matched), ceiling)
        ceiling = score
        if score < min_score:
            continue
        snippet, marks = note_snippet(
            note, query_words, entry.tier < 3, entry.lexical, store, query_vector
        )
        hits.append(
            SearchHit(
                note,
                score,
                snippet,
                matched,
                marks=marks,
                vectors=used if "meaning" in matched else "",
            )
        )
        if len(hits) == k:
            break
    return hits


def _add_meaning(
    graph: KnowledgeGraph,
    store: Any,
    vector: np.ndarray,
    query: str,
    candidate: Any,
    candidates: dict,
) -> str:
    """The notes nearest the query in meaning as candidates, and every candidate's
    cosine and calibrated meaning score (M); returns which vectors scored them: the
    model's whole-note vectors once every note has one, else the static ones."""
    upgraded = query_scores(graph, query)
    if upgraded is not None:
        note_ids, best, used = upgraded
        best = np.where(_listed(store, note_ids), best, -np.inf)
    else:
        note_ids, best = _semantic_scores(store, vector)
        used = store.model
    finite = np.isfinite(best)
    if not finite.any():
        return used
    median = float(np.median(best[finite]))
    depth = min(CANDIDATES, int(finite.sum()))
    top = np.argpartition(-best, depth - 1)[:depth]
    for pos in top[np.argsort(-best[top], kind="stable")]:
        if note_ids[pos] in graph:
            candidate(note_ids[pos])
    position = {note_id: i for i, note_id in enumerate(note_ids)}
    for entry in candidates.values():
        at = position.get(entry.note_id)
        if at is not None and np.isfinite(best[at]):
            entry.semantic = float(best[at])
            entry.meaning = calibrated_meaning(entry.semantic, median)
    return used


def _add_titles(
    graph: KnowledgeGraph, query: str, k: int, candidates: dict, candidate: Any
) -> None:
    """Titles: the note the query names (title, alias or id), then the titles that
    contain the query in the order title completion lists them, then near-exact ones."""
    key = _title_key(query)
    exact = graph.find(query)
    if exact is not None and exact.kind not in NOT_NOTES:
        entry = candidate(exact.id)
        entry.tier, entry.title_rank, entry.title_share = 0, 0, 1.0
    for position, (note, level) in enumerate(title_index(graph).ranked(query, k), start=1):
        entry = candidate(note.id)
        if entry.title_rank is None:
            entry.title_rank = position
            entry.tier = 0 if level == 0 else 1
            entry.title_share = 1.0 if level == 0 else _share(key, note)
    if not key:
        return
    spelt = _spelling_key(key)
    for entry in candidates.values():
        if entry.tier < 3 or not (entry.lexical or entry.semantic >= MEANING_FLOOR):
            continue
        found = graph.note(entry.note_id)
        for title in (found.title, *found.aliases):  # a note is found by any of its titles
            other = _title_key(title)
            if other == key or _spelling_key(other) == spelt:  # punctuation or spelling aside
                entry.tier, entry.title_rank, entry.title_share = 0, 0, 1.0
                break
            if f" {spelt} " in f" {_spelling_key(other)} ":  # holds it in the other spelling
                entry.tier, entry.title_share = 1, _share(key, found)
                entry.title_rank = SPELLING_RANK + len(other)  # after the list, shorter first
            elif entry.tier == 3 and (
                abs(len(other) - len(key)) <= 0.25 * max(len(key), 1)
                and difflib.SequenceMatcher(None, key, other).ratio() >= NEAR_TITLE
            ):
                entry.tier = 2


def _spelling_key(key: str) -> str:
    """A title key with each word in American spelling."""
    return " ".join(american(word) for word in key.split())


def _share(key: str, note: Note) -> float:
    """The query's share of the characters of the note's best-matching title."""
    lengths = [len(_title_key(t)) for t in (note.title, *note.aliases)]
    return min(1.0, len(key) / max(min(lengths), 1)) if key else 0.0


def _add_coverage(
    graph: KnowledgeGraph,
    lexical: LexicalIndex,
    query_words: list[QueryWord],
    candidates: dict[str, _Candidate],
    meaning: bool,
) -> None:
    """C, T, B and R of the module's doc for every candidate found by words."""
    total = sum(q.weight for q in query_words)
    if not total:
        return
    top = max((e.bm25 for e in candidates.values() if e.lexical), default=0.0)
    seen: dict[tuple[str, str], float] = {}  # the candidates share most of their words
    for entry in candidates.values():
        if not entry.lexical:
            continue
        entry.bm25_share = entry.bm25 / top if top > 0 else 0.0
        note = graph.note(entry.note_id)
        body = _closest(lexical, note, query_words, whole=True, seen=seen)
        title = _closest(lexical, note, query_words, whole=False, seen=seen)
        entry.coverage = sum(q.weight * body[q.word] for q in query_words) / total
        share = min(1.0, 2 / len(query_words))
        other = (entry.bm25_share + entry.meaning) / 2 if meaning else entry.bm25_share
        entry.relevance = share * entry.coverage + (1 - share) * other
        entry.in_title = sum(q.weight for q in query_words if title[q.word] >= SAME_STEM) / total


def _closest(
    lexical: LexicalIndex,
    note: Note,
    query_words: list[QueryWord],
    whole: bool,
    seen: dict[tuple[str, str], float] | None = None,
) -> dict[str, float]:
    """Per query word, how well the note's closest word matches it (in its whole
    document, or in its titles only); `seen` keeps each (word, query word) match worked
    out, for the next candidates (at 10,000 notes most of a first search's time)."""
    from kg.query.snippets import word_match

    text = _document(note) if whole else "\n".join((note.title, *note.aliases))
    found = {q.word: 0.0 for q in query_words}
    known = {} if seen is None else seen
    for word in lexical.surface_words((note.id, whole), text):
        for q in query_words:
            if found[q.word] < 1.0:
                match = known.get((word, q.word))
                if match is None:
                    match = known[word, q.word] = word_match(word, [q])
                found[q.word] = max(found[q.word], match)
    return found


def _order(graph: KnowledgeGraph, entry: _Candidate, floor: float) -> tuple[Any, ...]:
    """Titles first, in the order title completion lists them (notes with text before
    stubs), so Enter opens what the list showed; then near-exact titles; then notes with
    text before stubs, each: by words (best score first), then by meaning."""
    if entry.title_rank is not None:
        return (0, False, 0, entry.title_rank, 0.0, entry.note_id)
    stub = graph.note(entry.note_id).stub
    if entry.tier == 2:
        return (0, False, 1, 0, -entry.semantic, entry.note_id)
    kind = 0 if entry.lexical else 1
    return (1, stub, kind, 0, -_score(entry, _matched(entry, floor)), entry.note_id)


def _matched(entry: _Candidate, floor: float) -> tuple[str, ...]:
    matched: list[str] = []
    if entry.tier == 0:
        matched.append("exact title")
    elif entry.tier in (1, 2):
        matched.append("title")
    if entry.lexical:
        matched.append("words")
    if entry.semantic >= floor and entry.meaning > 0:  # above the floor and the median
        matched.append("meaning")
    return tuple(matched)


def _score(entry: _Candidate, matched: tuple[str, ...]) -> float:
    """The calibrated score of the module's doc (before the cap by the hit above)."""
    if entry.tier == 0:
        return 1.0
    if entry.tier in (1, 2):
        share = entry.title_share if entry.title_rank is not None else 0.0
        return round(TITLE_BASE + TITLE_SPAN * share, 4)
    meaning = entry.meaning if "meaning" in matched else 0.0
    if entry.lexical:
        return round(
            WORDS_BASE
            + WORDS_COVERAGE * entry.relevance
            + WORDS_TITLE * entry.in_title
            + WORDS_BM25 * entry.bm25_share
            + WORDS_MEANING * meaning,
            4,
        )
    return round(MEANING_TOP * meaning, 4)


def meaning_floor(query_known: bool) -> float:
    """The cosine above which a hit is said to match the query by meaning: `MEANING_FLOOR`
    when some word of the query is known, else none (infinity).

    A word is known when the corpus holds it (or a word it begins), or when the model
    has it whole in its vocabulary (see `_model_knows`). A query of words neither knows
    ("zxqv flibbertigibbet") is embedded from word pieces, whose vectors sit close to
    everything: with the static model "xqzvw" reaches a cosine of 0.55 with some note,
    more than "majority vote" does. Such a query matches nothing by meaning, while a
    real word the notes never use ("flattery") still finds notes by meaning.

    >>> meaning_floor(False), meaning_floor(True)
    (inf, 0.25)
    """
    return MEANING_FLOOR if query_known else float("inf")


def _model_knows(store: Any, query: str) -> bool:
    """Whether the store's embedder has some word of the query (three letters or more,
    not a stop word) whole in its vocabulary; False for an embedder that cannot say."""
    try:
        knows = getattr(store.embedder, "knows", None)
    except ModelUnavailable:
        return False
    if knows is None:
        return False
    stop = stopwords()
    return any(
        knows(word)
        for word in TOKEN.findall(fold(query).lower())
        if len(word) >= 3 and word not in stop and not word.isdigit()
    )
