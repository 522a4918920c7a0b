"""Hybrid search by words and by meaning (near notes are in `kg.query.near`).

`search` fuses two rankings by
reciprocal rank fusion: BM25 (the `bm25s` library) over each note's title,
description, claim and body, and embedding similarity of the query to each note
(its own vector, or its best sentence or source summary). Exact and near-exact title
matches come first. Word search never loads the model; the BM25 index is saved in the
index folder and reused while the corpus's files are unchanged.

>>> stem("voting"), stem("votes"), stem("vote"), stem("models"), stem("is")
('vot', 'vot', 'vot', 'model', 'is')
>>> words("Majority-voting of the LLMs' answers")
['major', 'vot', 'llm', 'answ']
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.errors import KgError, ModelUnavailable, check_count
from kg.model import NOT_NOTES, Note, SearchHit
from kg.text import fold, normalize_title

if TYPE_CHECKING:
    from kg.embed.vectors import VectorStore
    from kg.graph.knowledge import KnowledgeGraph

RRF_K = 60  # the constant of reciprocal rank fusion
CANDIDATES = 200  # how deep each ranking is read before fusion
NEAR_TITLE = 0.88  # difflib ratio of two title keys that counts as a near-exact match
MEANING_FLOOR = 0.25  # cosine above which a hit is said to match by meaning
SNIPPET = 240
LEXICAL_FORMAT = 2
LEXICAL_MANIFEST = "bm25.json"

_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = (
    "ational",
    "ization",
    "ations",
    "ation",
    "ities",
    "ments",
    "ness",
    "ment",
    "ings",
    "ity",
    "ing",
    "ies",
    "ied",
    "ers",
    "ed",
    "es",
    "er",
    "ly",
    "s",
    "e",
)


# ---------------------------------------------------------------- words


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light English stemmer: strips one common suffix, keeping three letters at least."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def words(text: str) -> list[str]:
    """The search terms of a text: lower-cased, folded, stop words dropped, stemmed."""
    stop = _stopwords()
    return [
        stem(w)
        for w in _TOKEN.findall(fold(text).lower().replace("'s", ""))
        if len(w) > 1 and w not in stop
    ]


def _document(note: Note) -> str:
    parts = [note.title, note.title, *note.aliases, note.description, note.claim]
    parts += [p.text for p in note.body]
    return "\n".join(p for p in parts if p)


# ---------------------------------------------------------------- the BM25 index


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over every note but categories."""

    def __init__(self, note_ids: list[str], retriever: Any) -> None:
        self.note_ids = note_ids
        self.retriever = retriever
        self._pos = {note_id: i for i, note_id in enumerate(note_ids)}

    @classmethod
    def build(cls, graph: KnowledgeGraph) -> LexicalIndex:
        import bm25s

        notes = [n for n in graph if n.kind not in NOT_NOTES]
        retriever = bm25s.BM25(method="lucene")
        retriever.index([words(_document(n)) or [""] for n in notes], show_progress=False)
        return cls([n.id for n in notes], retriever)

    def scores(self, terms: list[str]) -> np.ndarray:
        """The BM25 score of every note (in `note_ids` order) for these terms."""
        vocab, limit = self.retriever.vocab_dict, len(self.retriever.scores["indptr"]) - 1
        known = [t for t in terms if vocab.get(t, limit) < limit]
        if not known:
            return np.zeros(len(self.note_ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    # ------------------------------------------------------------ files

    def save(self, folder: Path, signature: str) -> None:
        from kg.io import save_npy, write_atomic

        folder.mkdir(parents=True, exist_ok=True)
        token = hashlib.blake2b(signature.encode(), digest_size=6).hexdigest()
        scores = self.retriever.scores
        files = {}
        for name in ("data", "indices", "indptr"):
            file = f"bm25-{token}-{name}.npy"
            files[name] = {"file": file, "bytes": save_npy(folder / file, scores[name])}
        r = self.retriever
        manifest = {
            "format": LEXICAL_FORMAT,
            "signature": signature,
            "params": {
                "k1": r.k1,
                "b": r.b,
                "delta": r.delta,
                "method": r.method,
                "idf_method": r.idf_method,
                "dtype": r.dtype,
                "int_dtype": r.int_dtype,
            },
            "num_docs": int(scores["num_docs"]),
            "files": files,
            "note_ids": self.note_ids,
            "vocab": r.vocab_dict,
        }
        write_atomic(
            folder / LEXICAL_MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8")
        )
        keep = {f["file"] for f in files.values()}
        for path in folder.glob("bm25-*.npy"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    @classmethod
    def open(cls, folder: Path, signature: str) -> LexicalIndex | None:
        """The saved index if it was built for this signature and is intact, else None."""
        import bm25s

        try:
            manifest = json.loads((folder / LEXICAL_MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") != LEXICAL_FORMAT or manifest["signature"] != signature:
                return None
            arrays = {}
            for name, entry in manifest["files"].items():
                path = folder / entry["file"]
                if not entry["file"].startswith("bm25-") or path.stat().st_size != entry["bytes"]:
                    return None
                arrays[name] = np.load(path, allow_pickle=False)
            retriever = bm25s.BM25(**manifest["params"])
            vocab = {str(k): int(v) for k, v in manifest["vocab"].items()}
            num_docs = int(manifest["num_docs"])
            note_ids = [str(i) for i in manifest["note_ids"]]
            indptr = arrays["indptr"]
            if (
                len(note_ids) != num_docs
                or len(indptr) not in (len(vocab), len(vocab) + 1)
                or indptr[-1] != len(arrays["indices"])
                or len(arrays["data"]) != len(arrays["indices"])
                or (len(arrays["indices"]) and int(arrays["indices"].max()) >= num_docs)
            ):
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        retriever.vocab_dict = vocab
        retriever.unique_token_ids_set = set(vocab.values())
        retriever.scores = {**arrays, "num_docs": num_docs}
        retriever.nonoccurrence_array = None
        return cls(note_ids, retriever)


_LEXICAL: weakref.WeakKeyDictionary[Any, LexicalIndex] = weakref.WeakKeyDictionary()


def lexical_index(graph: KnowledgeGraph) -> LexicalIndex:
    """The graph's BM25 index: kept in memory per graph, read from the index folder when
    saved for the same corpus files, else built (and saved)."""
    index = _LEXICAL.get(graph)
    if index is not None:
        return index
    folder: Path | None = getattr(graph, "index_folder", None)
    signature = _signature(graph)
    if folder is not None and signature:
        index = LexicalIndex.open(folder, signature)
    if index is None:
        index = LexicalIndex.build(graph)
        if folder is not None and signature:
            from kg.io import index_lock

            try:
                with index_lock(folder, timeout=5.0):
                    index.save(folder, signature)
            except (OSError, KgError):
                pass  # a read-only or busy index folder: search still works from memory
    _LEXICAL[graph] = index
    return index


def _signature(graph: KnowledgeGraph) -> str:
    """What the graph's files were, as kg.load saw them ('' for a graph built by hand)."""
    return str(getattr(graph, "index_signature", "") or "")


# ---------------------------------------------------------------- search


@dataclass
class _Candidate:
    note_id: str
    fused: float = 0.0
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    semantic: float = 0.0
    tier: int = 2  # 0 exact title, 1 near-exact title, 2 other
    best_row: int | None = None


def _title_key(text: str) -> str:
    return " ".join(_TOKEN.findall(normalize_title(text)))


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


def search(
    graph: KnowledgeGraph, text: str, k: int = 10, semantic: bool | None = None
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

    Returns
    -------
    list of SearchHit

    Raises
    ------
    InvalidArgument
        For a negative or non-integer `k`.
    ModelUnavailable
        With `semantic=True` and no model or no vectors.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> [hit.matched for hit in search(_demo(), "Why C?", k=1, semantic=False)]
    [('exact title', 'words')]
    """
    check_count("k", k)
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
    if terms:
        scores = lexical.scores(terms)
        positive = np.flatnonzero(scores > 0)
        top = positive[np.argsort(-scores[positive], kind="stable")][:CANDIDATES]
        for rank, pos in enumerate(top, start=1):
            entry = candidate(lexical.note_ids[pos])
            entry.lexical_rank = rank
            entry.fused += 1.0 / (RRF_K + rank)

    store = graph.embeddings
    if semantic is not False and store is not None and store.count:
        try:
            vector = store.text_vector(query)
        except ModelUnavailable:
            if semantic:
                raise
            vector = None
        if vector is not None:
            note_ids, best = _semantic_scores(store, vector)
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

    # Titles: the exact one (title, alias or id), then near-exact ones among the candidates.
    key = _title_key(query)
    exact = graph.find(query)
    if exact is not None and exact.kind not in NOT_NOTES:
        candidate(exact.id).tier = 0
    if key:
        for entry in candidates.values():
            if entry.tier == 0 or min(entry.lexical_rank or 999, entry.semantic_rank or 999) > 50:
                continue
            found = graph.note(entry.note_id)
            for title in (found.title, *found.aliases):  # a note is found by any of its titles
                other = _title_key(title)
                if other == key:
                    entry.tier = 0
                elif (
                    abs(len(other) - len(key)) <= 0.25 * max(len(key), 1)
                    and difflib.SequenceMatcher(None, key, other).ratio() >= NEAR_TITLE
                ):
                    entry.tier = min(entry.tier, 1)

    # A note with text before any stub (a title known only from a link or a list), then
    # by tier and fused rank, then the closer in meaning.
    stubs = {note_id: graph.note(note_id).stub for note_id in candidates}
    head = sorted(
        candidates.values(), key=lambda c: (stubs[c.note_id], c.tier, -round(c.fused, 9))
    )[: 2 * k + 10]
    ranked = sorted(
        head,
        key=lambda c: (
            stubs[c.note_id],
            c.tier,
            -round(c.fused, 9),
            -c.semantic,
            c.note_id,
        ),
    )[:k]
    hits = []
    for entry in ranked:
        note = graph.note(entry.note_id)
        matched: list[str] = []
        if entry.tier == 0:
            matched.append("exact title")
        elif entry.tier == 1:
            matched.append("title")
        if entry.lexical_rank is not None:
            matched.append("words")
        if entry.semantic_rank is not None and entry.semantic >= MEANING_FLOOR:
            matched.append("meaning")
        bonus = {0: 2.0, 1: 1.0}.get(entry.tier, 0.0)
        snippet = _snippet(note, terms, entry, store if "meaning" in matched else None, query)
        hits.append(SearchHit(note, round(bonus + entry.fused, 6), snippet, tuple(matched)))
    return hits


# ---------------------------------------------------------------- snippets


def _passages(note: Note) -> list[tuple[str, int, str]]:
    from kg.embed.vectors import note_texts

    return note_texts(note)


def _snippet(note: Note, terms: list[str], entry: _Candidate, store: Any, query: str) -> str:
    """The passage of the note that matched: for a title match its description; else the
    sentence with most query terms, or the one nearest in meaning."""
    passages = [p for p in _passages(note) if p[0] != "abstract"]
    if entry.tier < 2:
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
        spots = [m.start() for m in _TOKEN.finditer(lowered) if stem(m.group()) in set(terms)]
        if spots:
            start = max(0, spots[0] - SNIPPET // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1
    piece = text[start : start + SNIPPET]
    cut = piece.rfind(" ")
    piece = piece[:cut] if cut > SNIPPET // 2 else piece
    return ("…" if start else "") + piece.strip() + "…"
