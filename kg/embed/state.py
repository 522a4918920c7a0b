"""The vector store's state: its arrays, its embedder, and reading vectors back.

`StoreState` holds what a `kg.embed.store.VectorStore` knows: the row segments (one
L2-normalized float32 row per distinct text), the keys (note, field, index, row) of every
note's texts, and the note matrix behind `nearest`. Updating (`kg.embed.update`) and the
files in the index folder (`kg.embed.files`) build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from kg.embed.models import Embedder, normalize
from kg.embed.texts import FIELD_CODE, FIELDS, HASH, KIND_CODE, KINDS
from kg.errors import KgError, ModelUnavailable
from kg.model import NOT_NOTES, NoteKind

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

    # ------------------------------------------------------------ reading

    def has(self, note_id: str) -> bool:
        """Whether the note has a vector of its own.

        Parameters
        ----------
        note_id : str
            The note's id.

        Returns
        -------
        bool

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> store.has("a"), store.has("z")
        (True, False)
        """
        pos = self._note_pos.get(note_id)
        return pos is not None and bool(self._has[pos])

    def note_vector(self, note_id: str) -> np.ndarray | None:
        """The note's own vector: the normalized mean of its title, description, claim and
        abstract vectors.

        Parameters
        ----------
        note_id : str
            The note's id.

        Returns
        -------
        numpy.ndarray or None
            A read-only (dim,) row of the note matrix, or None when the note has no vector.

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> store.note_vector("b").tolist(), store.note_vector("z")
        ([0.0, 1.0], None)
        """
        pos = self._note_pos.get(note_id)
        if pos is None or not self._has[pos]:
            return None
        return self._matrix[pos]

    def keys_of(self, note_id: str) -> list[tuple[str, int]]:
        """The (field, index) keys stored for a note, in stored order.

        Parameters
        ----------
        note_id : str
            The note's id.

        Returns
        -------
        list of (str, int)
            Empty for a note the store does not know.

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> store.keys_of("a")
        [('title', 0)]
        """
        pos = self._note_pos.get(note_id)
        if pos is None:
            return []
        block = self._keys[self._key_start[pos] : self._key_start[pos + 1]]
        return [(FIELDS[int(f)], int(i)) for f, i in block[:, 1:3]]

    def vectors_for(self, note_id: str, field: str) -> np.ndarray:
        """The vectors of one field of a note.

        Parameters
        ----------
        note_id : str
            The note's id.
        field : str
            One of `kg.embed.texts.FIELDS`.

        Returns
        -------
        numpy.ndarray
            An (n, dim) array whose row i is index i (a zero row where index i has no text);
            (0, dim) when there are none.

        Raises
        ------
        ValueError
            `field` is not a field name.
        KgError
            A row is in a damaged segment.

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> store.vectors_for("a", "title").tolist(), store.vectors_for("a", "claim").shape
        ([[1.0, 0.0]], (0, 2))
        """
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
        """The stored vectors of these rows.

        Parameters
        ----------
        rows : array-like of int
            Row numbers, 0 to `rows` - 1.

        Returns
        -------
        numpy.ndarray
            A new (len(rows), dim) float32 array.

        Raises
        ------
        KgError
            A row is in a damaged segment (run `kg index` to repair it).
        """
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
        """(first row, array) of every usable segment, for scoring all rows at once.

        Returns
        -------
        list of (int, numpy.ndarray)
            Damaged segments are left out.
        """
        return [
            (int(self._offsets[i]), seg) for i, seg in enumerate(self._segments) if seg is not None
        ]

    def key_arrays(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The key arrays, for scoring every text at once.

        Returns
        -------
        (list of str, numpy.ndarray, numpy.ndarray)
            The note ids, the (texts, 4) keys (note, field, index, row) and the start of each
            note's keys (notes + 1 offsets). Not copies: do not change them.
        """
        return self._note_ids, self._keys, self._key_start

    def kind_mask(self, kinds: Iterable[NoteKind | str] | None) -> np.ndarray:
        """A boolean mask over the note matrix: notes that have a vector and one of `kinds`.

        Parameters
        ----------
        kinds : iterable of NoteKind or str, or None
            The note kinds allowed; None allows every kind but categories, tags and attachments.

        Returns
        -------
        numpy.ndarray
            A read-only bool array, one entry per note (cached per set of kinds).

        Raises
        ------
        ValueError
            A kind is not a `NoteKind` value.

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> store.kind_mask(["synthesis"]).tolist(), store.kind_mask(["paper"]).tolist()
        ([True, True], [False, False])
        """
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
        """The notes whose vectors are nearest to `vector` by cosine, best first.

        Parameters
        ----------
        vector : numpy.ndarray
            A (dim,) query vector, L2-normalized.
        k : int
            How many notes at most.
        mask : numpy.ndarray, optional
            Which notes are allowed (see `kind_mask`); every note with a vector by default.
        exclude : iterable of str
            Note ids to leave out.

        Returns
        -------
        list of (str, float)
            (note id, cosine) pairs; empty when ``k <= 0`` or no note has a vector.

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> store.nearest(np.array([1.0, 0.0]), k=1), store.nearest(np.array([1.0, 0.0]), exclude=["a"])
        ([('a', 1.0)], [('b', 0.0)])
        """
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


def _embedder_of(source: EmbedderSource | None) -> Embedder | None:
    """`source` itself when it is an embedder (not a factory that makes one)."""
    return cast(Embedder, source) if hasattr(source, "encode") else None
