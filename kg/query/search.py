"""Hybrid search by words and by meaning (near notes are in `kg.query.near`).

`search` fuses two rankings by reciprocal rank fusion: BM25 (the `bm25s` library, in
`kg.query.lexical`) over each note's title, description, claim and body, and embedding
similarity of the query to each note (its own vector, or its best sentence or source
summary). Exact and near-exact title
matches come first. Word search never loads the model; the BM25 index is saved in the
index folder and reused while the corpus's files are unchanged.

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
    lexical_index,
    words,
)
from kg.query.titles import title_index
from kg.text import TOKEN, fold, normalize_title, stem, stopwords

if TYPE_CHECKING:
    from kg.embed.vectors import VectorStore
    from kg.graph.knowledge import KnowledgeGraph

RRF_K = 60  # the constant of reciprocal rank fusion
CANDIDATES = 200  # how deep each ranking is read before fusion
NEAR_TITLE = 0.88  # difflib ratio of two title keys that counts as a near-exact match
MEANING_FLOOR = 0.25  # cosine above which a hit is said to match by meaning
SNIPPET = 240

# ---------------------------------------------------------------- search


@dataclass
class _Candidate:
    note_id: str
    fused: float = 0.0
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    semantic: float = 0.0
    tier: int = 3  # 0 exact title, 1 title containing the query, 2 near-exact title, 3 other
    title_rank: int | None = None  # place in title completion's list (0: named by id)


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
    """Hybrid search (see the module's doc and `KnowledgeGraph.search`).

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
        Leave out hits scoring below this (a finite number of at least 0).

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
    >>> [hit.matched for hit in search(_demo(), "Why C?", k=1, semantic=False)]
    [('exact title', 'words')]
    >>> search(_demo(), "zxqv flibbertigibbet", semantic=False)
    []
    """
    check_count("k", k)
    min_score = check_number("min_score", min_score, minimum=0)
    query = text.strip()
    if not query or k <= 0:
        return []
    terms = words(query)
    candidates: dict[str, _Candidate] = {}

    def candidate(note_id: str) -> _Candidate:
        found = candidates.get(note_id)
        if found is None:
            found = candidates[note_id] = _Candidate(note_id)
        return found

    lexical = lexical_index(graph)
    known_terms = lexical.known(query)
    if known_terms:
        scores = lexical.scores(known_terms)
        positive = np.flatnonzero(scores > 0)
        top = positive[np.argsort(-scores[positive], kind="stable")][:CANDIDATES]
        for rank, pos in enumerate(top, start=1):
            entry = candidate(lexical.note_ids[pos])
            entry.lexical_rank = rank
            entry.fused += 1.0 / (RRF_K + rank)

    store = graph.embeddings
    floor = float("inf")
    used = ""  # the vectors meaning was scored with
    if semantic is not False and store is not None and store.count:
        try:
            vector = store.text_vector(query)
        except ModelUnavailable:
            if semantic:
                raise
            vector = None
        if vector is not None:
            floor = meaning_floor(bool(known_terms) or _model_knows(store, query))
            # The model's whole-note vectors once every note has one, else the static ones.
            upgraded = query_scores(graph, query)
            if upgraded is not None:
                note_ids, best, used = upgraded
                best = np.where(_listed(store, note_ids), best, -np.inf)
            else:
                note_ids, best = _semantic_scores(store, vector)
                used = store.model
            depth = min(CANDIDATES, int(np.isfinite(best).sum()))
            if depth:
                top = np.argpartition(-best, depth - 1)[:depth]
                top = top[np.argsort(-best[top], kind="stable")]
                for rank, pos in enumerate(top, start=1):
                    note_id = note_ids[pos]
                    if note_id not in graph:
                        continue
                    entry = candidate(note_id)
                    entry.semantic_rank = rank
                    entry.semantic = float(best[pos])
                    entry.fused += 1.0 / (RRF_K + rank)
    elif semantic and (store is None or not store.count):
        raise ModelUnavailable("this graph has no embeddings, so it cannot be searched by meaning")

    # Titles: the note the query names (title, alias or id), then the titles that contain
    # the query in the order title completion lists them, then near-exact ones (a typo).
    exact = graph.find(query)
    if exact is not None and exact.kind not in NOT_NOTES:
        entry = candidate(exact.id)
        entry.tier, entry.title_rank = 0, 0
    for position, (note, level) in enumerate(title_index(graph).ranked(query, k), start=1):
        entry = candidate(note.id)
        if entry.title_rank is None:
            entry.title_rank = position
            entry.tier = 0 if level == 0 else 1
    key = _title_key(query)
    if key:
        for entry in candidates.values():
            if entry.tier < 3 or min(entry.lexical_rank or 999, entry.semantic_rank or 999) > 50:
                continue
            found = graph.note(entry.note_id)
            for title in (found.title, *found.aliases):  # a note is found by any of its titles
                other = _title_key(title)
                if other == key:  # the title itself, punctuation aside: named like an id
                    entry.tier, entry.title_rank = 0, 0
                    break
                if (
                    abs(len(other) - len(key)) <= 0.25 * max(len(key), 1)
                    and difflib.SequenceMatcher(None, key, other).ratio() >= NEAR_TITLE
                ):
                    entry.tier = 2

    hits = []
    for entry in sorted(candidates.values(), key=lambda c: _order(graph, c)):
        matched = _matched(entry, floor)
        if not matched:
            continue  # found only by a meaning under the floor: nothing the query asked for
        score = _score(entry)
        if score < min_score:
            continue
        note = graph.note(entry.note_id)
        snippet = _snippet(note, terms, entry, store if "meaning" in matched else None, query)
        hits.append(SearchHit(note, score, snippet, matched, used if "meaning" in matched else ""))
        if len(hits) == k:
            break
    return hits


def _order(graph: KnowledgeGraph, entry: _Candidate) -> tuple[Any, ...]:
    """Titles that contain the query first, in the order title completion lists them
    (notes with text before stubs), so Enter opens what the list showed and the scores
    fall as the rows go down; then the other hits, notes with text before stubs (a title
    known only from a link or a list): near-exact titles, by fused rank, then the closer
    in meaning."""
    if entry.title_rank is not None:
        return (0, False, entry.title_rank, 0, 0.0, 0.0, entry.note_id)
    stub = graph.note(entry.note_id).stub
    return (1, stub, 0, entry.tier, -round(entry.fused, 9), -entry.semantic, entry.note_id)


def _matched(entry: _Candidate, floor: float) -> tuple[str, ...]:
    matched: list[str] = []
    if entry.tier == 0:
        matched.append("exact title")
    elif entry.tier in (1, 2):
        matched.append("title")
    if entry.lexical_rank is not None:
        matched.append("words")
    if entry.semantic_rank is not None and entry.semantic >= floor:
        matched.append("meaning")
    return tuple(matched)


def _score(entry: _Candidate) -> float:
    """2 and more for the exact title, 1 and more for a title containing the query (higher
    the earlier title completion lists it), 0.5 and more for a near-exact title, else the
    fused reciprocal rank (below 0.05): so the hits come in score order."""
    if entry.title_rank is not None:
        base = 2.0 if entry.tier == 0 else 1.0
        return round(base + 1.0 / (RRF_K + 1 + entry.title_rank), 6)
    return round((0.5 if entry.tier == 2 else 0.0) + entry.fused, 6)


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


# ---------------------------------------------------------------- snippets


def _passages(note: Note) -> list[tuple[str, int, str]]:
    from kg.embed.vectors import note_texts

    return note_texts(note)


def _snippet(note: Note, terms: list[str], entry: _Candidate, store: Any, query: str) -> str:
    """The passage of the note that matched: for a title match its description; else the
    sentence with most query terms, or the one nearest in meaning."""
    passages = [p for p in _passages(note) if p[0] != "abstract"]
    if entry.tier < 3:
        for field in ("description", "claim", "sentence"):
            for name, _, text in passages:
                if name == field:
                    return _trim(text, [])
        return note.title
    wanted = set(terms)
    best_text, best_hits = "", 0
    if wanted:
        for name, _, text in passages:
            if name == "title":
                continue
            hits = len(wanted & set(words(text)))
            if hits > best_hits:
                best_text, best_hits = text, hits
    if best_hits:
        return _trim(best_text, terms)
    if store is not None:
        vector = store.text_vector(query)
        keyed = {(name, index): text for name, index, text in passages}
        best_score = -2.0
        for field in ("claim", "description", "sentence", "summary"):
            vectors = store.vectors_for(note.id, field)
            if not len(vectors):
                continue
            scores = vectors @ vector
            index = int(np.argmax(scores))
            if scores[index] > best_score and (field, index) in keyed:
                best_score, best_text = float(scores[index]), keyed[(field, index)]
        if best_text:
            return _trim(best_text, [])
    return _trim(note.description or note.claim or note.title, [])


def _trim(text: str, terms: list[str]) -> str:
    """At most SNIPPET characters of `text`, around the first query term it contains."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET:
        return text
    start = 0
    if terms:
        lowered = fold(text).lower()
        spots = [m.start() for m in TOKEN.finditer(lowered) if stem(m.group()) in set(terms)]
        if spots:
            start = max(0, spots[0] - SNIPPET // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1
    piece = text[start : start + SNIPPET]
    cut = piece.rfind(" ")
    piece = piece[:cut] if cut > SNIPPET // 2 else piece
    return ("…" if start else "") + piece.strip() + "…"
