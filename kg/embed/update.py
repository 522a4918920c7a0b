"""Updating the vector store: embed the texts it lacks, drop what is gone, rebuild the note matrix.

Re-indexing embeds only texts whose hash is not stored yet (new texts go to a new row
segment); a different model means every text is embedded again. A note's own vector is the whole
note's: the normalized weighted mean of all its texts' vectors (`kg.embed.texts.OWN_WEIGHT`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Self

import numpy as np

from kg.embed.models import normalize
from kg.embed.reading import Reading
from kg.embed.state import Progress
from kg.embed.texts import (
    FIELD_CODE,
    HASH,
    KIND_CODE,
    NOTE_FIELDS,
    OWN_WEIGHT,
    note_hash,
    note_texts,
    text_hash,
)
from kg.errors import ModelUnavailable
from kg.model import NoteKind

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

CHUNK = 512  # texts handed to the embedder at a time (progress is reported per chunk)
_SUM_ROWS = 32768  # text vectors summed at a time into note vectors (bounds the memory)


class Updates(Reading):
    """Building and updating a store (mixed into `kg.embed.store.VectorStore`)."""

    @classmethod
    def from_note_vectors(
        cls,
        note_ids: Sequence[str],
        vectors: np.ndarray,
        kinds: Sequence[NoteKind | str] | None = None,
        model: str = "given",
    ) -> Self:
        """A store holding only note vectors (one title key each), e.g. synthetic ones for
        benchmarks and tests.

        Parameters
        ----------
        note_ids : sequence of str
            The notes, one per row of `vectors`.
        vectors : numpy.ndarray
            An (n, dim) array; the rows are normalized.
        kinds : sequence of NoteKind or str, optional
            The notes' kinds (all synthesis notes by default).
        model : str
            The model name recorded.

        Returns
        -------
        VectorStore

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.from_note_vectors(["a"], np.array([[3.0, 4.0]]), kinds=["paper"])
        >>> store.note_vector("a").tolist(), store.kind_mask(["paper"]).tolist()
        ([0.6000000238418579, 0.800000011920929], [True])
        """
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

    def pending(self, graph: KnowledgeGraph) -> int:
        """How many distinct texts of `graph` have no stored vector (what `update` would
        embed), found by hashing the texts, without the model.

        Examples
        --------
        >>> from kg.graph.knowledge import crowd_example
        >>> from kg.embed.store import VectorStore
        >>> g, _ = crowd_example()
        >>> VectorStore(model="m").pending(g) > 0
        True
        """
        usable = self._usable_rows()
        stored = {h for h, ok in zip(self._row_hash.tolist(), usable, strict=True) if ok}
        wanted = {text_hash(text) for note in graph for _, _, text in note_texts(note)}
        return len(wanted - stored)

    def reuse(self, hashes: Sequence[bytes], vectors: np.ndarray) -> int:
        """Keep vectors this same model made elsewhere (a store's pusher sent them with
        the hashes of their texts, `kg.embed.texts.text_hash`): the next `update` takes
        them for those texts instead of embedding them. Rows not of this store's
        dimension are refused, and rows not finite or not of length 1 left out (their
        texts are embedded as any other); returns how many rows were new (call `save`
        then).

        Examples
        --------
        >>> import numpy as np
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore(model="m")
        >>> store.reuse([b"x", b"y"], np.array([[1.0, 0.0], [0.0, 1.0]])), store.rows
        (2, 2)
        >>> store.reuse([b"x"], np.array([[1.0, 0.0]])), store.reuse([b"z"], np.array([[2.0, 0.0]]))
        (0, 0)
        """
        rows = np.asarray(vectors, dtype=np.float32)
        if rows.ndim != 2 or len(rows) != len(hashes) or not len(rows):
            return 0
        if self.dim and rows.shape[1] != self.dim:
            return 0
        with np.errstate(invalid="ignore", over="ignore"):
            fit = np.isfinite(rows).all(axis=1) & (np.abs(np.linalg.norm(rows, axis=1) - 1) <= 1e-3)
        usable = self._usable_rows()
        have = {h for h, ok in zip(self._row_hash.tolist(), usable, strict=True) if ok}
        new: dict[bytes, int] = {}
        for i, h in enumerate(hashes):
            if fit[i] and h not in have:
                new.setdefault(h, i)
        if not new:
            return 0
        if not self.dim:
            self.dim = int(rows.shape[1])
            if not self.count:
                self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._append_segment(np.ascontiguousarray(rows[list(new.values())]), list(new))
        self._dirty = True
        return len(new)

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
        is gone, recompute the note matrix.

        With `trusted` (the graph was read back from the index) and the signature the store
        was saved with, nothing is read from the notes at all. Texts the embedder cannot embed
        (the model is missing) are reported in `problems` and leave `complete` False.

        Parameters
        ----------
        graph : KnowledgeGraph
            The notes to hold vectors for.
        signature : str
            The corpus signature to record (`kg.embed.texts.signature_of`).
        trusted : bool
            Whether the graph was read from the index this store was saved with.
        progress : callable, optional
            Called as ``progress("embed", done, total)`` while embedding.

        Returns
        -------
        int
            How many texts were embedded.

        Raises
        ------
        KgError
            The embedder returned vectors of the wrong shape or not finite.
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
        old_pos = self._note_pos
        old_keys, old_start, old_hash = self._keys, self._key_start, self._note_hash
        key_blocks: list[np.ndarray] = []
        pending: dict[bytes, str] = {}
        pending_keys: list[tuple[int, int, int, bytes]] = []  # note, field, index, hash
        note_ids: list[str] = []
        hashes: list[bytes] = []
        kinds: list[int] = []
        # After an in-place update of the index from the state this store was saved for,
        # only the notes it names can differ: the others keep their rows without being
        # decoded (on 10,000 notes decoding them all costs most of an edit's second).
        update = getattr(graph, "index_update", None)
        changed = (
            set(update.changed_notes)
            if update is not None
            and update.mode == "updated"
            and self.complete
            and self.signature
            and update.previous_signature == self.signature
            else None
        )
        # Whether each stored note's rows are all usable (no damaged segment), at once.
        bad = np.concatenate([[0], np.cumsum(~usable[old_keys[:, 3]])]) if len(old_keys) else None
        whole = (
            (bad[old_start[1:]] - bad[old_start[:-1]]) == 0
            if bad is not None
            else np.ones(len(old_start) - 1, dtype=bool)
        )
        table = graph.note_table
        kept: list[tuple[int, int]] = []  # (position, old position) of notes kept as they were
        fresh: list[tuple[int, list[tuple[str, int, str]]]] = []  # position, texts to look up
        for position, (note_id, header) in enumerate(table.headers()):
            before = old_pos.get(note_id)
            if (
                changed is not None
                and note_id not in changed
                and before is not None
                and whole[before]
            ):
                kept.append((position, before))
                note_ids.append(note_id)
                kinds.append(KIND_CODE[header[1]])
                hashes.append(b"")  # the stored hash, filled in below at once
                continue
            note = table[note_id]
            note_ids.append(note.id)
            kinds.append(KIND_CODE[note.kind])
            digest = note_hash(note)
            hashes.append(digest)
            before = old_pos.get(note.id)
            if before is not None and old_hash[before] == digest and whole[before]:
                kept.append((position, before))
                continue
            fresh.append((position, list(note_texts(note))))
        note_hashes = np.array(hashes, dtype=HASH)
        if kept:
            # The kept notes' rows and hashes, moved to their new positions in one step.
            pairs = np.array(kept, dtype=np.int64)
            note_hashes[pairs[:, 0]] = old_hash[pairs[:, 1]]
            new_of_old = np.full(len(old_start) - 1, -1, dtype=np.int64)
            new_of_old[pairs[:, 1]] = pairs[:, 0]
            moved = new_of_old[old_keys[:, 0]] if len(old_keys) else new_of_old[:0]
            kept_keys = old_keys[moved >= 0].astype(np.int32)
            kept_keys[:, 0] = moved[moved >= 0]
        else:
            kept_keys = np.zeros((0, 4), dtype=np.int32)
        row_of = self._rows_of(
            {text_hash(text) for _, texts in fresh for _, _, text in texts}, usable
        )
        for position, texts in fresh:
            rows: list[tuple[int, int, int]] = []
            for field, index, text in texts:
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
        old_matrix, old_has = self._matrix, self._has
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
        made = (
            np.concatenate(key_blocks).astype(np.int32)
            if key_blocks
            else np.zeros((0, 4), dtype=np.int32)
        )
        made = made[np.lexsort((made[:, 2], made[:, 1], made[:, 0]))]
        # The kept rows were sorted by note, field and index already (each note's run in
        # that order): a stable sort by note merges the two sorted runs in linear time.
        keys = np.concatenate([kept_keys, made])
        keys = np.ascontiguousarray(keys[np.argsort(keys[:, 0], kind="stable")])
        counts = (
            np.bincount(keys[:, 0], minlength=len(note_ids))
            if len(keys)
            else np.zeros(len(note_ids), dtype=np.int64)
        )
        key_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._set_notes(
            note_ids,
            note_hashes,
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
        self._compute_matrix(_kept_rows(kept, old_matrix, old_has))
        self.signature = signature
        self._dirty = True
        return self.embedded

    def _rows_of(self, wanted: set[bytes], usable: np.ndarray) -> dict[bytes, int]:
        """The stored row of each of these text hashes that has one in a usable segment. A
        few (an edit's texts) are looked for one by one in the hash column; many through a
        map of every row (a tenth of a second at 240,000 rows)."""
        if not wanted:
            return {}
        if len(wanted) > 256:
            return {
                h: r for r, h in enumerate(self._row_hash.tolist()) if usable[r] and h in wanted
            }
        found: dict[bytes, int] = {}
        # The hashes' first 8 bytes as integers: one integer comparison per row and hash.
        heads = np.ascontiguousarray(self._row_hash).view(np.uint64)[::2]
        for h in wanted:
            first = np.frombuffer(h.ljust(16, b"\0")[:8], dtype=np.uint64)[0]
            for row in np.flatnonzero(heads == first).tolist():
                if usable[row] and self._row_hash[row] == h:
                    found[h] = row
                    break
        return found

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

    def _compute_matrix(self, kept: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Each note's vector: the normalized weighted mean of its texts' vectors.

        `kept` gives (positions, vectors) of notes whose texts did not change; their vectors
        are copied, so an edit sums the texts of the edited notes only.
        """
        n = len(self._note_ids)
        sums = np.zeros((n, self.dim), dtype=np.float32)
        todo = np.ones(n, dtype=bool)
        if kept is not None and len(kept[0]):
            sums[kept[0]] = kept[1]
            todo[kept[0]] = False
        keys = self._keys[todo[self._keys[:, 0]]] if len(self._keys) else self._keys
        for start in range(0, len(keys), _SUM_ROWS):
            part = keys[start : start + _SUM_ROWS]
            vectors = self.gather(part[:, 3])
            own = np.isin(part[:, 1], NOTE_FIELDS)
            vectors[own] *= OWN_WEIGHT
            # keys are sorted by note: sum each note's run of rows at once
            firsts = np.flatnonzero(np.r_[True, part[1:, 0] != part[:-1, 0]])
            sums[part[firsts, 0]] += np.add.reduceat(vectors, firsts, axis=0)
        matrix = sums
        matrix[todo] = normalize(sums[todo])  # kept rows are unit already: left bit for bit
        self._has = np.ones(n, dtype=bool)  # a kept row is a unit vector
        self._has[todo] = np.linalg.norm(matrix[todo], axis=1) > 0
        matrix.flags.writeable = False
        self._matrix = matrix
        self._count = int(self._has.sum())
        self._masks = {}


def _kept_rows(
    kept: list[tuple[int, int]], old_matrix: np.ndarray, old_has: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(positions, vectors) of the kept notes whose old vector can be reused."""
    if not kept or len(old_matrix) == 0:
        return None
    pairs = np.array(kept, dtype=np.int64)
    pairs = pairs[pairs[:, 1] < len(old_matrix)]
    pairs = pairs[old_has[pairs[:, 1]]]
    return pairs[:, 0], old_matrix[pairs[:, 1]]


class _Restart(Exception):
    """Raised inside an update when the stored vectors turn out to be from another model."""
