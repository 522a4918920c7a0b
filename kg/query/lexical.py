"""Search by words: the BM25 index of the notes (`LexicalIndex`), kept per graph and saved
in the index folder while the corpus's files are unchanged. Its words are `kg.text.tokens`,
the one tokenizer search and trace share.

>>> from kg.text import stem
>>> stem("voting"), stem("votes"), stem("vote"), stem("models"), stem("is")
('vot', 'vot', 'vot', 'model', 'is')
>>> words("Majority-voting of the LLMs' answers")
['major', 'vot', 'llm', 'answ']
"""

from __future__ import annotations

import bisect
import hashlib
import json
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.errors import KgError
from kg.model import NOT_NOTES, Note
from kg.text import plain_words, stem
from kg.text import tokens as words

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

LEXICAL_FORMAT = 3
LEXICAL_MANIFEST = "bm25.json"
PREFIX_MIN = 4  # letters an unknown query word needs to stand for the words it begins
PREFIX_WORDS = 50  # words of the notes one such query word stands for at most


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
        self._vocab_keys: list[str] | None = None

    @classmethod
    def build(cls, graph: KnowledgeGraph) -> LexicalIndex:
        import bm25s  # type: ignore[import-untyped, unused-ignore]

        notes = [n for n in graph if n.kind not in NOT_NOTES]
        retriever = bm25s.BM25(method="lucene")
        retriever.index([words(_document(n)) or [""] for n in notes], show_progress=False)
        return cls([n.id for n in notes], retriever)

    def known(self, text: str) -> list[str]:
        """The terms of `text` the notes hold; a word whose stem they lack, of
        `PREFIX_MIN` letters or more, stands for the terms it begins (at most
        `PREFIX_WORDS`, the first in order), as a search box completes a word being
        typed: "sycophan" finds "sycophancy".

        >>> from kg.graph.knowledge import _demo
        >>> lexical_index(_demo()).known("holding zxqv")
        ['hold']
        """
        vocab, limit = self.retriever.vocab_dict, len(self.retriever.scores["indptr"]) - 1
        out: list[str] = []
        for word in plain_words(text):
            term = stem(word)
            if vocab.get(term, limit) < limit:
                out.append(term)
            elif len(word) >= PREFIX_MIN:
                keys = self._sorted_vocab()
                at = bisect.bisect_left(keys, word)
                begun: list[str] = []
                while at < len(keys) and keys[at].startswith(word) and len(begun) < PREFIX_WORDS:
                    if vocab[keys[at]] < limit:
                        begun.append(keys[at])
                    at += 1
                out += begun
        return list(dict.fromkeys(out))

    def _sorted_vocab(self) -> list[str]:
        if self._vocab_keys is None:
            self._vocab_keys = sorted(self.retriever.vocab_dict)
        return self._vocab_keys

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
