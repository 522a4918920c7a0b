"""Reading a vector store: a note's vector and its texts' vectors, rows, kind masks, and
the notes nearest to a vector."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from kg.embed.state import StoreState
from kg.embed.texts import FIELD_CODE, FIELDS, KIND_CODE, KINDS
from kg.errors import KgError
from kg.model import NOT_NOTES, NoteKind


class Reading(StoreState):
    """The reading side of a vector store (a base of `kg.embed.store.VectorStore`)."""

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

    def position(self, note_id: str) -> int | None:
        """The note's row in the note matrix, or None when the store does not know it."""
        return self._note_pos.get(note_id)

    def note_vector(self, note_id: str) -> np.ndarray | None:
        """The note's own vector: the whole note's, the normalized weighted mean of all its
        texts' vectors (headline texts weigh `kg.embed.texts.OWN_WEIGHT` sentences).

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

    def field_vectors(self, note_ids: Sequence[str], field: str) -> list[np.ndarray]:
        """The vectors of one field of many notes, read at once (what `vectors_for` gives
        note by note, without its zero rows for missing indices).

        Parameters
        ----------
        note_ids : sequence of str
            The notes' ids.
        field : str
            One of `kg.embed.texts.FIELDS`.

        Returns
        -------
        list of numpy.ndarray
            For each note, an (n, dim) array of its field's vectors in index order; (0, dim)
            when it has none.

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 2.0]]))
        >>> [v.tolist() for v in store.field_vectors(["b", "z"], "title")]
        [[[0.0, 1.0]], []]
        """
        code = FIELD_CODE.get(field)
        if code is None:
            raise ValueError(f"unknown field {field!r}; fields are {', '.join(FIELDS)}")
        picked: list[np.ndarray] = []
        for note_id in note_ids:
            pos = self._note_pos.get(note_id)
            if pos is None:
                picked.append(np.zeros(0, dtype=np.int64))
                continue
            block = self._keys[self._key_start[pos] : self._key_start[pos + 1]]
            block = block[block[:, 1] == code]
            picked.append(block[np.argsort(block[:, 2], kind="stable"), 3])
        sizes = [len(rows) for rows in picked]
        found = self.gather(np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64))
        return np.split(found, np.cumsum(sizes)[:-1]) if picked else []

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
        if len(self._segments) == 1 and self._segments[0] is not None:  # no second copy
            return np.asarray(self._segments[0][rows], dtype=np.float32)
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

    def row_hashes(self, rows: np.ndarray | Sequence[int]) -> list[bytes]:
        """The hashes (`kg.embed.texts.text_hash`) of the texts these rows are the vectors
        of: what a store's pusher sends with them (`kg.store.static_rows`).

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a"], np.array([[1.0, 0.0]]))
        >>> len(store.row_hashes([0])[0]) <= 16
        True
        """
        return [bytes(h) for h in self._row_hash[np.asarray(rows, dtype=np.int64)].tolist()]

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
