"""The vector store's state: its arrays, its embedder, and reading vectors back.

`StoreState` holds what a `kg.embed.store.VectorStore` knows: the row segments (one
L2-normalized float32 row per distinct text), the keys (note, field, index, row) of every
note's texts, and the note matrix behind `nearest`. Reading (`kg.embed.reading`),
updating (`kg.embed.update`) and the files in the index folder (`kg.embed.files`) build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

from kg.embed.models import Embedder, normalize
from kg.embed.texts import HASH
from kg.errors import KgError, ModelUnavailable

# ``progress(stage, done, total)``, as `kg.load(progress=...)` calls it: "parse" (files
# read), "embed" (distinct texts embedded: 0 first, then after each chunk of 512, last
# done == total), "distil" (0 of 1 before the static model is distilled, the first time on
# a machine, about 30 s; then the vocabulary's tokens encoded so far, of all of them; 1 of
# 1 after) and "wait" (0 of 1 when another process is distilling it, 1 of 1 when that is
# done). Called on the thread doing the work.
Progress = Callable[[str, int, int], None]
EmbedderSource = Embedder | Callable[[], Embedder]


class StoreState:
    """The arrays of a vector store, its embedder, and the reading side of its API.

    The base of `kg.embed.store.VectorStore` (whose docstring lists the parameters).
    `count` is the number of notes with a vector, `texts` the number of keyed texts,
    `embedded` how many texts the last update had to embed.
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
    def ids_with_vectors(self) -> list[str]:
        """The ids of the notes that have a vector (`count` of them)."""
        return [i for i, has in zip(self._note_ids, self._has, strict=True) if has]

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
        """The ids of the notes the store knows, in the order of the note matrix's rows."""
        return list(self._note_ids)

    def note_hash_of(self, note_id: str) -> bytes | None:
        """The hash of everything the note's texts are made of (`kg.embed.texts.note_hash`),
        as the store last read the note; None for a note it does not know."""
        at = self._note_pos.get(note_id)
        return None if at is None else bytes(self._note_hash[at])

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
        """Use `embedder` for new texts (or the factory that makes it on first use).

        Parameters
        ----------
        embedder : Embedder or callable or None
            An object with ``encode(texts)``, a function returning one, or None for none
            (then embedding raises `ModelUnavailable`). Cached query vectors are dropped.
        """
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
        """The vector of a free text; the model is loaded on first use.

        The last 256 query vectors are cached.

        Parameters
        ----------
        text : str
            The text to embed.

        Returns
        -------
        numpy.ndarray
            A read-only, L2-normalized (dim,) float32 vector.

        Raises
        ------
        ModelUnavailable
            No embedder is set or the model cannot be loaded.
        KgError
            The model's dimension differs from the stored vectors', or it returned bad values.
        """
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

    def _compute_matrix(self, kept: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Sum the note vectors from the texts' vectors (`kg.embed.update.Updates`)."""
        raise NotImplementedError

    def _append_segment(self, vectors: np.ndarray, hashes: list[bytes]) -> None:
        self._segments.append(vectors)
        self._segment_files.append(None)
        self._offsets = np.append(self._offsets, self._offsets[-1] + len(vectors))
        self._row_hash = np.concatenate([self._row_hash, np.array(hashes, dtype=HASH)])


def _embedder_of(source: EmbedderSource | None) -> Embedder | None:
    """`source` itself when it is an embedder (not a factory that makes one)."""
    return cast(Embedder, source) if hasattr(source, "encode") else None
