"""Search by words: the BM25 index of the notes (`LexicalIndex`), kept per graph and saved
in the index folder while the corpus's files are unchanged. Its words are
`kg.query.wordforms.terms`: one spelling, Snowball stems.

>>> from kg.query.wordforms import stem
>>> stem("voting"), stem("votes"), stem("vote"), stem("models"), stem("memorised")
('vote', 'vote', 'vote', 'model', 'memor')
>>> words("Majority-voting of the LLMs' answers")
['major', 'vote', 'llm', 'answer']
"""

from __future__ import annotations

import bisect
import hashlib
import json
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.errors import KgError
from kg.model import NOT_NOTES, Note
from kg.query.bm25 import K1, B, Postings, count
from kg.query.wordforms import RELATIVE_GAP, RELATIVE_MIN, related, stem
from kg.query.wordforms import terms as words
from kg.text import TOKEN, fold, plain_words

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

LEXICAL_FORMAT = 4  # 4: Snowball stems of American spellings, term counts, fingerprints
LEXICAL_MANIFEST = "bm25.json"
PREFIX_MIN = 4  # letters an unknown query word needs to stand for the words it begins
PREFIX_WORDS = 50  # words of the notes one such query word stands for at most


def _document(note: Note) -> str:
    parts = [note.title, note.title, *note.aliases, note.description, note.claim]
    parts += [p.text for p in note.body]
    return "\n".join(p for p in parts if p)


# ---------------------------------------------------------------- the BM25 index


@dataclass(frozen=True)
class QueryWord:
    """A word of a query: as typed (folded, lower-case), the index's terms that stand for
    it, and its weight (inverse document frequency)."""

    word: str
    terms: tuple[str, ...]
    weight: float


class LexicalIndex:
    """BM25 (Lucene's variant, `kg.query.bm25`) over every note but categories, with each
    note's fingerprint (a hash of its text), so that an edit re-counts only what changed.
    """

    def __init__(self, note_ids: list[str], postings: Postings, prints: list[str]) -> None:
        self.note_ids = note_ids
        self.postings = postings
        self.prints = prints
        self.counted = len(note_ids)  # notes whose terms were counted to make this index
        self._vocab_keys: list[str] | None = None
        self._surface: dict[Any, frozenset[str]] = {}

    @classmethod
    def build(cls, graph: KnowledgeGraph) -> LexicalIndex:
        notes = [n for n in graph if n.kind not in NOT_NOTES]
        documents = [_document(n) for n in notes]
        vocab: dict[str, int] = {}
        postings = Postings.build(vocab, *count([words(d) for d in documents], vocab))
        return cls([n.id for n in notes], postings, [_fingerprint(d) for d in documents])

    def updated(self, graph: KnowledgeGraph) -> LexicalIndex:
        """The index of `graph`, built from this one (of an earlier state of its files):
        the notes whose text is unchanged keep their counts, the others are counted."""
        notes = [n for n in graph if n.kind not in NOT_NOTES]
        documents = [_document(n) for n in notes]
        ids, prints = [n.id for n in notes], [_fingerprint(d) for d in documents]
        postings, counted = self.postings.updated(
            self.note_ids, self.prints, ids, prints, lambda i: words(documents[i])
        )
        index = LexicalIndex(ids, postings, prints)
        index.counted = counted
        return index

    def known(self, text: str) -> list[str]:
        """The terms of the notes that stand for the words of `text` (see `query_words`).

        >>> from kg.graph.knowledge import _demo
        >>> lexical_index(_demo()).known("holding zxqv")
        ['hold']
        """
        return list(dict.fromkeys(t for q in self.query_words(text) for t in q.terms))

    def query_words(self, text: str) -> list[QueryWord]:
        """Each word of `text` (stop words left out) with the notes' terms that stand for
        it and its weight.

        A word stands for its own stem and the stem's near relatives the notes hold
        ("memor" and "memori": see `kg.query.wordforms.related`); a word whose stem they
        lack, of `PREFIX_MIN` letters or more, also for the terms it begins (at most
        `PREFIX_WORDS`, the first in order), as a search box completes a word being typed:
        "sycophan" finds "sycophancy". Its weight is the inverse document frequency of
        its own stem (of its rarest term when the notes lack the stem; of a word in no
        note when nothing stands for it).
        """
        has = self.postings.has
        out: list[QueryWord] = []
        for word in dict.fromkeys(plain_words(text)):
            term = stem(word)
            found: list[str] = [term] if has(term) else []
            keys = self._sorted_vocab()
            for cut in range(1, RELATIVE_GAP + 1):  # shorter relatives: "memor" of "memori"
                shorter = term[:-cut]
                if len(shorter) >= RELATIVE_MIN and has(shorter):
                    found.append(shorter)
            at = bisect.bisect_left(keys, term)
            while at < len(keys) and keys[at].startswith(term) and len(found) < PREFIX_WORDS:
                if keys[at] != term and related(term, keys[at]) and has(keys[at]):
                    found.append(keys[at])
                at += 1
            if term not in found and len(word) >= PREFIX_MIN:
                at = bisect.bisect_left(keys, word)
                while at < len(keys) and keys[at].startswith(word) and len(found) < PREFIX_WORDS:
                    if has(keys[at]):
                        found.append(keys[at])
                    at += 1
            found = list(dict.fromkeys(found))
            weight = self.idf(term) if term in found else max(map(self.idf, found), default=0.0)
            out.append(QueryWord(word, tuple(found), weight or self.idf("")))
        return out

    def idf(self, term: str) -> float:
        """BM25's (Lucene) inverse document frequency of a term; a term of no note gets
        the largest."""
        df, n = self.postings.df(term), len(self.note_ids)
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def surface_words(self, key: Any, text: str) -> frozenset[str]:
        """The distinct words of `text` as written (folded, lower-case), kept under `key`
        (a note's text does not change while its index lives)."""
        found = self._surface.get(key)
        if found is None:
            found = self._surface[key] = frozenset(TOKEN.findall(fold(text).lower()))
        return found

    def _sorted_vocab(self) -> list[str]:
        if self._vocab_keys is None:
            self._vocab_keys = sorted(self.postings.vocab)
        return self._vocab_keys

    def scores(self, terms: list[str]) -> np.ndarray:
        """The BM25 score of every note (in `note_ids` order) for these terms."""
        vocab = self.postings.vocab
        return self.postings.scores([vocab[t] for t in dict.fromkeys(terms) if t in vocab])

    # ------------------------------------------------------------ files

    def save(self, folder: Path, signature: str) -> None:
        from kg.io import save_npy, write_atomic

        folder.mkdir(parents=True, exist_ok=True)
        token = hashlib.blake2b(signature.encode(), digest_size=6).hexdigest()
        p = self.postings
        arrays = {"data": p.data, "indices": p.docs, "indptr": p.indptr, "tf": p.tf}
        arrays["lengths"] = p.lengths
        files = {}
        for name, array in arrays.items():
            file = f"bm25-{token}-{name}.npy"
            files[name] = {"file": file, "bytes": save_npy(folder / file, array)}
        manifest = {
            "format": LEXICAL_FORMAT,
            "signature": signature,
            "params": {"k1": K1, "b": B, "method": "lucene"},
            "num_docs": len(self.note_ids),
            "files": files,
            "note_ids": self.note_ids,
            "fingerprints": self.prints,
            "vocab": p.vocab,
        }
        write_atomic(
            folder / LEXICAL_MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8")
        )
        keep = {f["file"] for f in files.values()}
        for path in folder.glob("bm25-*.npy"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    @classmethod
    def open(cls, folder: Path, signature: str | None) -> LexicalIndex | None:
        """The saved index if it was built for this signature (None: for any) and is
        intact, else None."""
        try:
            manifest = json.loads((folder / LEXICAL_MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("format") != LEXICAL_FORMAT or (
                signature is not None and manifest["signature"] != signature
            ):
                return None
            if manifest["params"] != {"k1": K1, "b": B, "method": "lucene"}:
                return None
            arrays = {}
            for name, entry in manifest["files"].items():
                path = folder / entry["file"]
                if not entry["file"].startswith("bm25-") or path.stat().st_size != entry["bytes"]:
                    return None
                arrays[name] = np.load(path, allow_pickle=False)
            vocab = {str(k): int(v) for k, v in manifest["vocab"].items()}
            num_docs = int(manifest["num_docs"])
            note_ids = [str(i) for i in manifest["note_ids"]]
            prints = [str(i) for i in manifest["fingerprints"]]
            indptr, docs = arrays["indptr"], arrays["indices"]
            if (
                len(note_ids) != num_docs
                or len(prints) != num_docs
                or len(arrays["lengths"]) != num_docs
                or len(indptr) != len(vocab) + 1
                or indptr[-1] != len(docs)
                or not len(docs) == len(arrays["data"]) == len(arrays["tf"])
                or (len(docs) and int(docs.max()) >= num_docs)
                or (vocab and max(vocab.values()) >= len(vocab))
            ):
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        postings = Postings(vocab, indptr, docs, arrays["tf"], arrays["lengths"], arrays["data"])
        return cls(note_ids, postings, prints)


def _fingerprint(document: str) -> str:
    return hashlib.blake2b(document.encode("utf-8"), digest_size=8).hexdigest()


_LEXICAL: weakref.WeakKeyDictionary[Any, LexicalIndex] = weakref.WeakKeyDictionary()


def lexical_index(graph: KnowledgeGraph) -> LexicalIndex:
    """The graph's BM25 index: kept in memory per graph, read from the index folder when
    saved for the same corpus files, else updated from the one saved there before (only
    the notes whose text changed are counted again) or built, and saved."""
    index = _LEXICAL.get(graph)
    if index is not None:
        return index
    folder: Path | None = getattr(graph, "index_folder", None)
    signature = _signature(graph)
    if folder is not None and signature:
        index = LexicalIndex.open(folder, signature)
    if index is None:
        # An edit: the saved index of the files before it keeps the unchanged notes' counts.
        previous = LexicalIndex.open(folder, None) if folder is not None and signature else None
        index = previous.updated(graph) if previous else LexicalIndex.build(graph)
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
