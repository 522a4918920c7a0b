"""The vector store: one embedding per text of every note, kept in the index folder.

Each embedded text is named by a key (note id, field, index):

- ``title``, ``description``, ``claim``, ``abstract`` (a paper's abstract): index 0;
- ``sentence``: the note's body sentences, split with `kg.text.split_sentences`,
  numbered in order over the paragraphs;
- ``summary``: an inquiring line's source summaries; index i is ``note.sources[i]``.

Vectors are L2-normalized float32, one row per distinct text (identical texts share a
row), named by a hash of the text. Re-indexing embeds only texts whose hash is not
stored yet; a different model means every text is embedded again. A note's own vector
is the normalized mean of its title, description, claim (and abstract) vectors; these
sit in one contiguous matrix so "nearest notes" is one matrix-vector product.

On disk, in the index folder: ``vectors.json`` (the manifest: model, dimension,
files with their sizes, written last through `kg.io.write_atomic`) and NumPy files
read with ``allow_pickle=False``: row segments ``vectors-seg-*.npy`` (new texts go to a
new segment, so changing one note writes a small file, not the whole store), the text
hashes, the keys, the per-note hashes and kinds, and the note matrix. A file whose
size, type or shape does not match the manifest, or an index made by another model,
is never used: its vectors are embedded again.

>>> from kg.model import Note, NoteKind, Paragraph
>>> note = Note(id="a", title="Why A?", kind=NoteKind.SYNTHESIS, claim="A holds.",
...             body=(Paragraph("First point. Second point.", 3),))
>>> [(field, index, text) for field, index, text in note_texts(note)]
[('title', 0, 'Why A?'), ('claim', 0, 'A holds.'), ('sentence', 0, 'First point.'), ('sentence', 1, 'Second point.')]
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from kg.embed.models import Embedder, normalize
from kg.errors import KgError, ModelUnavailable
from kg.io import DamagedFile, load_npy, save_npy
from kg.model import NOT_NOTES, Note, NoteKind
from kg.text import split_sentences

if TYPE_CHECKING:
    from kg.config import Config
    from kg.graph.knowledge import KnowledgeGraph

Progress = Callable[[str, int, int], None]
EmbedderSource = Embedder | Callable[[], Embedder]

FORMAT = 1
SCHEME = 1  # what note_texts embeds; part of every note hash
MANIFEST = "vectors.json"
FIELDS = ("title", "description", "claim", "sentence", "summary", "abstract")
FIELD_CODE = {name: code for code, name in enumerate(FIELDS)}
NOTE_FIELDS = (0, 1, 2, 5)  # title, description, claim, abstract: a note's own vector
KINDS = tuple(NoteKind)
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
HASH = np.dtype("S16")
CHUNK = 512  # texts handed to the embedder at a time (progress is reported per chunk)
_PREFIX = "vectors-"


# ---------------------------------------------------------------- what is embedded


def note_sentences(note: Note) -> list[str]:
    """A note's body sentences in order over its paragraphs: index i is key (id, 'sentence', i)."""
    return [s for paragraph in note.body for _, _, s in split_sentences(paragraph.text)]


def note_texts(note: Note) -> list[tuple[str, int, str]]:
    """Every text of a note that gets a vector, as (field, index, text)."""
    out: list[tuple[str, int, str]] = []
    for name in ("title", "description", "claim"):
        text = getattr(note, name).strip()
        if text:
            out.append((name, 0, text))
    if note.kind is NoteKind.PAPER and note.body:
        abstract = " ".join(p.text.strip() for p in note.body if p.text.strip())
        if abstract:
            out.append(("abstract", 0, abstract))
    out += [("sentence", i, s) for i, s in enumerate(note_sentences(note))]
    out += [
        ("summary", i, source.summary.strip())
        for i, source in enumerate(note.sources)
        if source.summary.strip()
    ]
    return out


def text_hash(text: str) -> bytes:
    """The 16-byte BLAKE2b digest a text's vector is stored under, without trailing NUL
    bytes: NumPy's fixed-width bytes ("S16") drop them, so keys match what is read back."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest().rstrip(b"\0")


def note_hash(note: Note) -> bytes:
    """A digest of everything `note_texts` reads: equal hashes mean equal keys and texts."""
    digest = hashlib.blake2b(digest_size=16)
    parts = [str(SCHEME), note.kind.value, note.title, note.description, note.claim]
    parts += [p.text for p in note.body]
    parts.append("\x1e")
    parts += [s.summary for s in note.sources]
    digest.update("\x1f".join(parts).encode("utf-8"))
    return digest.digest().rstrip(b"\0")


def signature_of(parts: Iterable[Any]) -> str:
    """A short hash of JSON-able parts (the loader passes the corpus's file stamps)."""
    data = json.dumps(list(parts), separators=(",", ":"), default=str).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# ---------------------------------------------------------------- files


def _load_npy(
    folder: Path,
    entry: Any,
    dtype: np.dtype[Any] | type,
    shape: tuple[int | None, ...],
    mmap: bool = False,
) -> np.ndarray:
    """Load one vector file the manifest names, checked (`kg.io.load_npy`)."""
    return load_npy(folder, entry, dtype, shape, _PREFIX, mmap)


# ---------------------------------------------------------------- the store


class VectorStore:
    """Vectors of every note's texts, and the note matrix behind `near`.

    Get one from `kg.load(path)` as `graph.embeddings`. `count` is the number of notes
    with a vector, `texts` the number of keyed texts, `embedded` how many texts the last
    update had to embed.
    """

    def __init__(
        self, model: str = "", dim: int = 0, embedder: EmbedderSource | None = None
    ) -> None:
        self.model = model
        self.fingerprint: str | None = None
        self.dim = dim
        self.signature = ""
        self.complete = True
        self.embedded = 0
        self.problems: list[str] = []  # what could not be used or done, for diagnostics
        self.folder: Path | None = None
        self._source = embedder
        self._embedder: Embedder | None = _embedder_of(embedder)
        self._queries: dict[str, np.ndarray] = {}
        self._reset_rows()
        self._reset_notes()
        self._dirty = False

    # ------------------------------------------------------------ state

    def _reset_rows(self) -> None:
        self._segments: list[np.ndarray | None] = []  # None: a damaged segment, rows unusable
        self._segment_files: list[str | None] = []  # None: in memory, not saved yet
        self._offsets = np.zeros(1, dtype=np.int64)
        self._row_hash = np.zeros(0, dtype=HASH)

    def _reset_notes(self) -> None:
        self._note_ids: list[str] = []
        self._note_pos: dict[str, int] = {}
        self._note_hash = np.zeros(0, dtype=HASH)
        self._kinds = np.zeros(0, dtype=np.int8)
        self._keys = np.zeros((0, 4), dtype=np.int32)  # note, field, index, row
        self._key_start = np.zeros(1, dtype=np.int64)
        self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._has = np.zeros(0, dtype=bool)
        self._count = 0
        self._masks: dict[Any, np.ndarray] = {}

    @property
    def count(self) -> int:
        """How many notes have a vector."""
        return self._count

    @property
    def texts(self) -> int:
        """How many (note, field, index) texts have a vector."""
        return len(self._keys)

    @property
    def rows(self) -> int:
        """How many distinct vectors are stored (identical texts share one)."""
        return int(self._offsets[-1])

    @property
    def note_ids(self) -> list[str]:
        return list(self._note_ids)

    @property
    def matrix(self) -> np.ndarray:
        """The (notes, dim) matrix of note vectors, rows in `note_ids` order (read-only)."""
        return self._matrix

    def __repr__(self) -> str:
        return (
            f"VectorStore(model={self.model!r}, dim={self.dim}, notes={self.count}, "
            f"texts={self.texts}, rows={self.rows})"
        )

    # ------------------------------------------------------------ embedder

    @property
    def embedder(self) -> Embedder:
        """The embedder for new texts, created on first use (may raise `ModelUnavailable`)."""
        if self._embedder is None:
            source = self._source
            if source is None:
                raise ModelUnavailable(
                    "no embedding model is configured for these vectors; open the corpus "
                    "with kg.load(path) to embed new texts"
                )
            self._embedder = _embedder_of(source) or cast(Callable[[], Embedder], source)()
        return self._embedder

    def set_embedder(self, embedder: EmbedderSource | None) -> None:
        """Use `embedder` (or the factory that makes it on first use) for new texts."""
        self._source = embedder
        self._embedder = _embedder_of(embedder)
        self._queries.clear()

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.embedder.encode(list(texts)))
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise KgError(
                f"the embedder returned an array of shape {vectors.shape} for {len(texts)} texts"
            )
        if not np.isfinite(vectors).all():
            raise KgError("the embedder returned vectors that are not finite numbers")
        return normalize(vectors)

    def text_vector(self, text: str) -> np.ndarray:
        """The vector of a free text (the model is loaded on first use)."""
        cached = self._queries.get(text)
        if cached is None:
            cached = self._encode([text])[0]
            if self.dim and cached.shape[0] != self.dim:
                raise KgError(
                    f"the model gives {cached.shape[0]}-dimensional vectors but the stored "
                    f"ones have {self.dim}; run `kg index` to re-embed"
                )
            cached.flags.writeable = False
            if len(self._queries) >= 256:
                self._queries.pop(next(iter(self._queries)))
            self._queries[text] = cached
        return cached

    # ------------------------------------------------------------ reading

    def has(self, note_id: str) -> bool:
        pos = self._note_pos.get(note_id)
        return pos is not None and bool(self._has[pos])

    def note_vector(self, note_id: str) -> np.ndarray | None:
        """The note's own vector (normalized mean of its title, description, claim and
        abstract vectors), or None when it has none."""
        pos = self._note_pos.get(note_id)
        if pos is None or not self._has[pos]:
            return None
        return self._matrix[pos]

    def keys_of(self, note_id: str) -> list[tuple[str, int]]:
        """The (field, index) keys stored for a note, in stored order."""
        pos = self._note_pos.get(note_id)
        if pos is None:
            return []
        block = self._keys[self._key_start[pos] : self._key_start[pos + 1]]
        return [(FIELDS[int(f)], int(i)) for f, i in block[:, 1:3]]

    def vectors_for(self, note_id: str, field: str) -> np.ndarray:
        """The vectors of one field of a note as an (n, dim) array whose row i is index i
        (a zero row where index i has no text); (0, dim) when there are none."""
        code = FIELD_CODE.get(field)
        if code is None:
            raise ValueError(f"unknown field {field!r}; fields are {', '.join(FIELDS)}")
        pos = self._note_pos.get(note_id)
        if pos is None:
            return np.zeros((0, self.dim), dtype=np.float32)
        block = self._keys[self._key_start[pos] : self._key_start[pos + 1]]
        block = block[block[:, 1] == code]
        if not len(block):
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.zeros((int(block[:, 2].max()) + 1, self.dim), dtype=np.float32)
        out[block[:, 2]] = self.gather(block[:, 3])
        return out

    def gather(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The stored vectors of these rows, as a new (len(rows), dim) array."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        if not len(rows):
            return out
        segment_of = np.searchsorted(self._offsets, rows, side="right") - 1
        for s in np.unique(segment_of):
            segment = self._segments[int(s)]
            if segment is None:
                raise KgError("a damaged vector segment was read; run `kg index` to repair it")
            where = segment_of == s
            out[where] = segment[rows[where] - self._offsets[s]]
        return out

    def segments(self) -> list[tuple[int, np.ndarray]]:
        """(first row, array) of every usable segment, for scoring all rows at once."""
        return [
            (int(self._offsets[i]), seg) for i, seg in enumerate(self._segments) if seg is not None
        ]

    def key_arrays(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(note ids, keys (note, field, index, row), key start per note) for bulk scoring."""
        return self._note_ids, self._keys, self._key_start

    def kind_mask(self, kinds: Iterable[NoteKind | str] | None) -> np.ndarray:
        """A boolean mask over the note matrix: notes that have a vector and one of `kinds`
        (None: every kind but categories)."""
        wanted = (
            frozenset(k for k in KINDS if k not in NOT_NOTES)
            if kinds is None
            else frozenset(NoteKind(k) for k in kinds)
        )
        mask = self._masks.get(wanted)
        if mask is None:
            codes = np.array([KIND_CODE[k] for k in wanted], dtype=np.int8)
            mask = np.isin(self._kinds, codes) & self._has
            mask.flags.writeable = False
            self._masks[wanted] = mask
        return mask

    def nearest(
        self,
        vector: np.ndarray,
        k: int = 10,
        mask: np.ndarray | None = None,
        exclude: Iterable[str] = (),
    ) -> list[tuple[str, float]]:
        """The `k` notes whose vectors have the highest cosine with `vector`, best first,
        among those `mask` allows, leaving out the ids in `exclude`."""
        if k <= 0 or not self._count:
            return []
        scores = self._matrix @ np.asarray(vector, dtype=np.float32)
        allowed = self._has if mask is None else mask
        scores[~allowed] = -np.inf
        for note_id in exclude:
            pos = self._note_pos.get(note_id)
            if pos is not None:
                scores[pos] = -np.inf
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._note_ids[i], float(scores[i])) for i in top if np.isfinite(scores[i])]

    # ------------------------------------------------------------ building

    @classmethod
    def from_note_vectors(
        cls,
        note_ids: Sequence[str],
        vectors: np.ndarray,
        kinds: Sequence[NoteKind | str] | None = None,
        model: str = "given",
    ) -> VectorStore:
        """A store holding only note vectors (one title key each), e.g. synthetic ones for
        benchmarks; the rows are normalized."""
        matrix = normalize(np.asarray(vectors, dtype=np.float32))
        store = cls(model=model, dim=matrix.shape[1])
        n = len(note_ids)
        store._segments = [matrix]
        store._segment_files = [None]
        store._offsets = np.array([0, n], dtype=np.int64)
        store._row_hash = np.array(
            [text_hash(f"{i}\x00{v}") for i, v in enumerate(note_ids)], dtype=HASH
        )
        store._set_notes(
            list(note_ids),
            np.zeros(n, dtype=HASH),
            np.array(
                [KIND_CODE[NoteKind(k)] for k in kinds]
                if kinds is not None
                else [KIND_CODE[NoteKind.SYNTHESIS]] * n,
                dtype=np.int8,
            ),
            np.column_stack([np.arange(n), np.zeros(n), np.zeros(n), np.arange(n)]).astype(
                np.int32
            ),
            np.arange(n + 1, dtype=np.int64),
        )
        store._matrix = matrix
        store._has = np.linalg.norm(matrix, axis=1) > 0
        store._count = int(store._has.sum())
        return store

    def _set_notes(
        self,
        note_ids: list[str],
        hashes: np.ndarray,
        kinds: np.ndarray,
        keys: np.ndarray,
        key_start: np.ndarray,
    ) -> None:
        self._note_ids = note_ids
        self._note_pos = {note_id: i for i, note_id in enumerate(note_ids)}
        self._note_hash = hashes
        self._kinds = kinds
        self._keys = keys
        self._key_start = key_start
        self._masks = {}

    def _append_segment(self, vectors: np.ndarray, hashes: list[bytes]) -> None:
        self._segments.append(vectors)
        self._segment_files.append(None)
        self._offsets = np.append(self._offsets, self._offsets[-1] + len(vectors))
        self._row_hash = np.concatenate([self._row_hash, np.array(hashes, dtype=HASH)])

    def _usable_rows(self) -> np.ndarray:
        usable = np.zeros(self.rows, dtype=bool)
        for i, segment in enumerate(self._segments):
            if segment is not None:
                usable[self._offsets[i] : self._offsets[i + 1]] = True
        return usable

    def update(
        self,
        graph: KnowledgeGraph,
        signature: str = "",
        trusted: bool = False,
        progress: Progress | None = None,
    ) -> int:
        """Bring the store in line with `graph`: embed the texts not stored yet, drop what
        is gone, recompute the note matrix. Returns how many texts were embedded.

        With `trusted` (the graph was read back from the index) and the signature the
        store was saved with, nothing is read from the notes at all.
        """
        try:
            return self._update(graph, signature, trusted, progress)
        except _Restart:
            return self._update(graph, signature, False, progress)

    def _update(
        self, graph: KnowledgeGraph, signature: str, trusted: bool, progress: Progress | None
    ) -> int:
        self.embedded = 0
        if trusted and signature and signature == self.signature and self.complete:
            return 0
        usable = self._usable_rows()
        row_of: dict[bytes, int] = {
            h: r for r, h in enumerate(self._row_hash.tolist()) if usable[r]
        }
        old_pos = self._note_pos
        old_keys, old_start, old_hash = self._keys, self._key_start, self._note_hash
        key_blocks: list[np.ndarray] = []
        pending: dict[bytes, str] = {}
        pending_keys: list[tuple[int, int, int, bytes]] = []  # note, field, index, hash
        note_ids: list[str] = []
        hashes: list[bytes] = []
        kinds: list[int] = []
        for position, note in enumerate(graph):
            note_ids.append(note.id)
            kinds.append(KIND_CODE[note.kind])
            digest = note_hash(note)
            hashes.append(digest)
            before = old_pos.get(note.id)
            if before is not None and old_hash[before] == digest:
                block = old_keys[old_start[before] : old_start[before + 1]].copy()
                if usable[block[:, 3]].all():
                    block[:, 0] = position
                    key_blocks.append(block)
                    continue
            rows: list[tuple[int, int, int]] = []
            for field, index, text in note_texts(note):
                h = text_hash(text)
                row = row_of.get(h)
                if row is None:
                    pending.setdefault(h, text)
                    pending_keys.append((position, FIELD_CODE[field], index, h))
                else:
                    rows.append((FIELD_CODE[field], index, row))
            if rows:
                block = np.array(rows, dtype=np.int32).reshape(-1, 3)
                key_blocks.append(np.column_stack([np.full(len(block), position), block]))
        embedded_rows = self._embed_pending(pending, progress)
        missing = 0
        if pending_keys:
            extra = []
            for note_at, field_code, index, h in pending_keys:
                row = embedded_rows.get(h)
                if row is None:
                    missing += 1
                else:
                    extra.append((note_at, field_code, index, row))
            if extra:
                key_blocks.append(np.array(extra, dtype=np.int32).reshape(-1, 4))
        keys = (
            np.concatenate(key_blocks).astype(np.int32)
            if key_blocks
            else np.zeros((0, 4), dtype=np.int32)
        )
        order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
        keys = np.ascontiguousarray(keys[order])
        counts = (
            np.bincount(keys[:, 0], minlength=len(note_ids))
            if len(keys)
            else np.zeros(len(note_ids), dtype=np.int64)
        )
        key_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._set_notes(
            note_ids,
            np.array(hashes, dtype=HASH),
            np.array(kinds, dtype=np.int8),
            keys,
            key_start,
        )
        self.complete = missing == 0
        if missing:
            self.problems.append(
                f"{missing} texts have no vectors yet, so some notes are missing from "
                "near and semantic search; install the model and run `kg index`"
            )
        self._compact_if_wasteful()
        self._compute_matrix()
        self.signature = signature
        self._dirty = True
        return self.embedded

    def _embed_pending(
        self, pending: dict[bytes, str], progress: Progress | None
    ) -> dict[bytes, int]:
        """Embed the pending texts (longest first, in chunks) into one new segment."""
        if not pending:
            return {}
        items = sorted(pending.items(), key=lambda item: -len(item[1]))
        try:
            embedder = self.embedder
        except ModelUnavailable as error:
            self.problems.append(str(error))
            return {}
        chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
        # Alternate long and short chunks so the rate (and so the ETA) is steady.
        ordered: list[list[tuple[bytes, str]]] = []
        low, high = 0, len(chunks) - 1
        while low <= high:
            ordered.append(chunks[low])
            if high > low:
                ordered.append(chunks[high])
            low, high = low + 1, high - 1
        vectors: np.ndarray | None = None
        out_hashes: list[bytes] = []
        done = 0
        if progress:
            progress("embed", 0, len(items))
        for chunk in ordered:
            try:
                block = self._encode([text for _, text in chunk])
            except ModelUnavailable as error:
                self.problems.append(str(error))
                break
            if vectors is None:
                dim = block.shape[1]
                if self.dim and dim != self.dim and self.rows:
                    # Same name, other dimension: the stored vectors are from another model.
                    self.problems.append(
                        f"stored vectors have {self.dim} dimensions but {embedder.name} "
                        f"gives {dim}; embedding everything again"
                    )
                    self._reset_rows()
                    self._reset_notes()
                    raise _Restart
                self.dim = dim
                vectors = np.empty((len(items), dim), dtype=np.float32)
            vectors[done : done + len(block)] = block
            out_hashes += [h for h, _ in chunk]
            done += len(block)
            self.embedded += len(block)
            if progress:
                progress("embed", done, len(items))
        if vectors is None or not done:
            return {}
        first = self.rows
        self._append_segment(vectors[:done], out_hashes)
        return {h: first + i for i, h in enumerate(out_hashes)}

    def _compact_if_wasteful(self) -> None:
        """Rewrite the rows into one segment when a quarter of them is no longer used, a
        segment is damaged, or there are many segments."""
        if not self.rows:
            return
        live = np.zeros(self.rows, dtype=bool)
        live[self._keys[:, 3]] = True
        damaged = any(s is None for s in self._segments)
        if not damaged and len(self._segments) <= 16 and live.sum() >= 0.75 * self.rows:
            return
        keep = np.flatnonzero(live)
        vectors = self.gather(keep) if len(keep) else np.zeros((0, self.dim), np.float32)
        new_row = np.full(self.rows, -1, dtype=np.int64)
        new_row[keep] = np.arange(len(keep))
        hashes = self._row_hash[keep]
        self._reset_rows()
        if len(keep):
            self._append_segment(vectors, list(hashes.tolist()))
        self._keys[:, 3] = new_row[self._keys[:, 3]]

    def _compute_matrix(self) -> None:
        n = len(self._note_ids)
        own = np.isin(self._keys[:, 1], NOTE_FIELDS)
        notes, rows = self._keys[own, 0], self._keys[own, 3]
        sums = np.zeros((n, self.dim), dtype=np.float32)
        if len(rows):
            np.add.at(sums, notes, self.gather(rows))
        matrix = normalize(sums)
        self._has = np.zeros(n, dtype=bool)
        if len(notes):
            self._has[notes] = True
        self._has &= np.linalg.norm(matrix, axis=1) > 0
        matrix.flags.writeable = False
        self._matrix = matrix
        self._count = int(self._has.sum())
        self._masks = {}

    # ------------------------------------------------------------ files

    @classmethod
    def open(
        cls,
        folder: Path,
        model: str,
        fingerprint: str | None = None,
        embedder: EmbedderSource | None = None,
    ) -> VectorStore:
        """The store saved in `folder` for this model; an empty one (with the reason in
        `problems`) when there is none, it was made by another model, or it is damaged."""
        store = cls(model=model, embedder=embedder)
        store.fingerprint = fingerprint
        store.folder = folder
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return store
        except (OSError, ValueError) as error:
            store.problems.append(f"{folder / MANIFEST}: unreadable ({error}); embedding again")
            return store
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            store.problems.append(f"{folder / MANIFEST}: another format; embedding again")
            return store
        stored_fp = manifest.get("fingerprint")
        if manifest.get("model") != model or (
            fingerprint and stored_fp and stored_fp != fingerprint
        ):
            store.problems.append(
                f"the stored vectors were made by {manifest.get('model')!r}"
                f"{f' ({stored_fp})' if stored_fp else ''}, not {model!r}; embedding again"
            )
            return store
        try:
            store._read(folder, manifest)
        except (DamagedFile, KeyError, TypeError, ValueError) as error:
            store.problems.append(f"{folder}: damaged vector index ({error}); embedding again")
            store._reset_rows()
            store._reset_notes()
            store.signature = ""
        if fingerprint is None:
            store.fingerprint = stored_fp
        return store

    def _read(self, folder: Path, manifest: dict[str, Any]) -> None:
        dim = int(manifest["dim"])
        self.dim = dim
        files = manifest["files"]
        rows = int(manifest["rows"])
        self._row_hash = _load_npy(folder, files["hashes"], HASH, (rows,))
        self.signature = str(manifest.get("signature", ""))
        self.complete = bool(manifest.get("complete", False))
        offsets = [0]
        for entry in manifest["segments"]:
            n = int(entry["rows"])
            try:
                segment: np.ndarray | None = _load_npy(
                    folder, entry, np.float32, (n, dim), mmap=True
                )
                if n:
                    sample = np.asarray(segment[np.linspace(0, n - 1, min(n, 64)).astype(int)])  # type: ignore[index]
                    norms = np.linalg.norm(sample, axis=1)
                    if not np.isfinite(norms).all() or (np.abs(norms - 1) > 1e-3).any():
                        raise DamagedFile(f"{entry['file']}: vectors are not of length 1")
            except DamagedFile as error:
                self.problems.append(f"{folder}: {error}; embedding its texts again")
                segment = None
                self.signature = ""
            self._segments.append(segment)
            self._segment_files.append(entry["file"] if segment is not None else None)
            offsets.append(offsets[-1] + n)
        if offsets[-1] != rows:
            raise DamagedFile("segment rows do not add up")
        self._offsets = np.array(offsets, dtype=np.int64)
        note_ids = manifest["note_ids"]
        if not isinstance(note_ids, list) or not all(isinstance(i, str) for i in note_ids):
            raise DamagedFile("note ids")
        n = len(note_ids)
        try:
            keys = _load_npy(folder, files["keys"], np.int32, (int(manifest["texts"]), 4))
            key_start = _load_npy(folder, files["key_start"], np.int64, (n + 1,))
            hashes = _load_npy(folder, files["note_hashes"], HASH, (n,))
            kinds = _load_npy(folder, files["kinds"], np.int8, (n,))
            matrix = _load_npy(folder, files["matrix"], np.float32, (n, dim))
            has = _load_npy(folder, files["has"], np.bool_, (n,))
            if len(keys) and (
                keys[:, 3].min() < 0 or keys[:, 3].max() >= rows or keys[:, 0].max() >= n
            ):
                raise DamagedFile("keys point outside the stored rows")
            if key_start[-1] != len(keys) or (np.diff(key_start) < 0).any():
                raise DamagedFile("key offsets")
            if len(kinds) and (kinds.min() < 0 or kinds.max() >= len(KINDS)):
                raise DamagedFile("note kinds")
            norms = np.linalg.norm(matrix[has], axis=1)
            if not np.isfinite(matrix).all() or (np.abs(norms - 1) > 1e-3).any():
                raise DamagedFile("note vectors are not of length 1")
        except DamagedFile as error:
            # The rows are fine (their hashes are): keys and note vectors are rebuilt.
            self.problems.append(f"{folder}: {error}; rebuilding the note vectors")
            self.signature = ""
            return
        self._set_notes(list(note_ids), hashes, kinds, keys, key_start)
        matrix.flags.writeable = False
        self._matrix = matrix
        self._has = has
        self._count = int(has.sum())
        if any(s is None for s in self._segments):
            self.complete = False

    @property
    def dirty(self) -> bool:
        """True when the store differs from what is saved."""
        return self._dirty

    def save(self, folder: Path) -> None:
        """Write new segments and the small arrays, then the manifest (last, atomically),
        then remove vector files no manifest names any more. Call with the index lock held."""
        from kg.io import write_atomic

        folder.mkdir(parents=True, exist_ok=True)
        generation = uuid.uuid4().hex[:16]
        segments = []
        for i, segment in enumerate(self._segments):
            if segment is None:
                raise KgError("cannot save a store with a damaged segment; update it first")
            name = self._segment_files[i]
            if name is None or not (folder / name).is_file():
                name = f"{_PREFIX}seg-{generation}-{i}.npy"
                save_npy(folder / name, segment)
                self._segment_files[i] = name
            segments.append(
                {"file": name, "rows": len(segment), "bytes": (folder / name).stat().st_size}
            )
        files = {}
        for label, array in (
            ("hashes", self._row_hash),
            ("keys", self._keys),
            ("key_start", self._key_start),
            ("note_hashes", self._note_hash),
            ("kinds", self._kinds),
            ("matrix", self._matrix),
            ("has", self._has),
        ):
            name = f"{_PREFIX}{generation}-{label}.npy"
            files[label] = {"file": name, "bytes": save_npy(folder / name, array)}
        manifest = {
            "format": FORMAT,
            "scheme": SCHEME,
            "model": self.model,
            "fingerprint": self.fingerprint,
            "dim": self.dim,
            "signature": self.signature,
            "complete": self.complete,
            "rows": self.rows,
            "texts": self.texts,
            "notes": self.count,
            "segments": segments,
            "files": files,
            "note_ids": self._note_ids,
        }
        write_atomic(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
        keep = {entry["file"] for entry in segments} | {f["file"] for f in files.values()}
        for path in folder.glob(f"{_PREFIX}*.npy"):
            if path.name not in keep:
                path.unlink(missing_ok=True)
        for path in folder.glob(f".{_PREFIX}*.tmp"):
            path.unlink(missing_ok=True)
        self.folder = folder
        self._dirty = False


class _Restart(Exception):
    """Raised inside an update when the stored vectors turn out to be from another model."""


# ---------------------------------------------------------------- wiring into kg.load


def attach(
    graph: KnowledgeGraph,
    folder: Path,
    config: Config,
    *,
    embedder: Embedder | None = None,
    signature: str = "",
    save: bool = True,
    progress: Progress | None = None,
) -> VectorStore:
    """Open the vectors saved in `folder`, embed what `graph` has that they lack, save
    them (under the index lock) and set `graph.embeddings`. Never raises because the model
    is missing: notes then keep the vectors already stored and the reason is reported
    as a diagnostic."""
    from kg.embed.models import load_embedder
    from kg.io import index_lock
    from kg.model import Diagnostic, Severity

    source: EmbedderSource | None = embedder
    fingerprint: str | None = None
    unavailable: str | None = None
    if embedder is None:
        try:
            found = load_embedder(config)
        except ModelUnavailable as error:
            unavailable = str(error)
        else:
            source, fingerprint = found, found.fingerprint
    else:
        fingerprint = getattr(embedder, "fingerprint", None)
    name = embedder.name if embedder is not None else config.model
    store = VectorStore.open(folder, name, fingerprint, embedder=source)
    if source is None:
        store.set_embedder(_unavailable(unavailable or "no embedding model"))
    notices = list(store.problems)
    store.update(graph, signature=signature, trusted=graph.from_index, progress=progress)
    if store.dirty and save:
        with index_lock(folder):
            store.save(folder)
    for problem in dict.fromkeys(store.problems):
        severity = Severity.INFO if problem in notices else Severity.WARNING
        graph.diagnostics.append(Diagnostic(str(folder / MANIFEST), None, severity, problem))
    graph.embeddings = store if store.count else None
    return store


def attach_stored(graph: KnowledgeGraph) -> VectorStore | None:
    """Attach the vectors saved in the graph's index folder when they are complete and
    were made from exactly the graph's files by the configured model; never embeds
    and never loads the model. Returns the store attached, or None."""
    from kg.embed.models import find_model_folder, fingerprint

    folder = graph.index_folder
    config = graph.config
    if folder is None or config is None or not graph.index_signature:
        return None
    try:
        stamp: str | None = fingerprint(find_model_folder(config.model))
    except ModelUnavailable:
        stamp = None
    store = VectorStore.open(folder, config.model, stamp)
    if (
        store.problems
        or not store.complete
        or not store.count
        or store.signature != graph.index_signature
    ):
        return None
    store.set_embedder(lambda: _configured(config))
    graph.embeddings = store
    return store


def _configured(config: Config) -> Embedder:
    from kg.embed.models import load_embedder

    return load_embedder(config)


def _embedder_of(source: EmbedderSource | None) -> Embedder | None:
    """`source` itself when it is an embedder (not a factory that makes one)."""
    return cast(Embedder, source) if hasattr(source, "encode") else None


def _unavailable(message: str) -> Callable[[], Embedder]:
    def fail() -> Embedder:
        raise ModelUnavailable(message)

    return fail
