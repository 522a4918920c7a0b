"""The vector store's files in the index folder: opening them checked, saving them atomically.

On disk, in the index folder: ``vectors.json`` (the manifest: model, dimension, files
with their sizes, written last through `kg.io.write_atomic`) and NumPy files read with
``allow_pickle=False``: row segments ``vectors-seg-*.npy`` (new texts go to a new
segment, so changing one note writes a small file, not the whole store), the text
hashes, the keys, the per-note hashes and kinds, and the note matrix. A file whose size,
type or shape does not match the manifest, or an index made by another model, is never
used: its vectors are embedded again.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Self

import numpy as np

from kg.embed.state import EmbedderSource, StoreState
from kg.embed.texts import HASH, KINDS, NOTE_VECTORS, SCHEME
from kg.errors import KgError
from kg.io import DamagedFile, load_npy, save_npy, write_atomic

FORMAT = 1
MANIFEST = "vectors.json"
_PREFIX = "vectors-"


def _load_npy(
    folder: Path,
    entry: Any,
    dtype: np.dtype[Any] | type,
    shape: tuple[int | None, ...],
    mmap: bool = False,
) -> np.ndarray:
    """Load one vector file the manifest names, checked (`kg.io.load_npy`)."""
    return load_npy(folder, entry, dtype, shape, _PREFIX, mmap)


class Files(StoreState):
    """Opening and saving a store's folder (mixed into `kg.embed.store.VectorStore`)."""

    @classmethod
    def open(
        cls,
        folder: Path,
        model: str,
        fingerprint: str | None = None,
        embedder: EmbedderSource | None = None,
    ) -> Self:
        """The store saved in `folder` for this model.

        Never raises for a missing, foreign or damaged store: it returns an empty store (or
        one without the damaged parts) and says why in `problems`; those texts are embedded
        again on the next `update`.

        Parameters
        ----------
        folder : pathlib.Path
            The index folder.
        model : str
            The model name the vectors must be from.
        fingerprint : str, optional
            The model files' fingerprint; a different stored one means another model.
        embedder : Embedder or callable, optional
            The embedder for new texts, or a factory that makes it on first use.

        Returns
        -------
        VectorStore

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from kg.embed.store import VectorStore
        >>> store = VectorStore.open(Path(tempfile.mkdtemp()), "some-model")
        >>> store.count, store.problems
        (0, [])
        """
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
        if manifest.get("note_vectors") != NOTE_VECTORS:
            # Note vectors made by another recipe: sum them again from the stored texts'
            # vectors (nothing is embedded again).
            self._compute_matrix()
            self._dirty = True
        else:
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
        """Save the store in `folder`.

        Writes the new segments and the small arrays, then the manifest (last, atomically),
        then removes the vector files no manifest names any more. Call it with the index lock
        held (`kg.io.index_lock`).

        Parameters
        ----------
        folder : pathlib.Path
            The index folder (created if missing).

        Raises
        ------
        KgError
            A segment is damaged (`update` the store first).
        OSError
            The folder cannot be written.

        Examples
        --------
        >>> import tempfile
        >>> import numpy as np
        >>> from pathlib import Path
        >>> from kg.embed.store import VectorStore
        >>> folder = Path(tempfile.mkdtemp())
        >>> VectorStore.from_note_vectors(["a"], np.array([[1.0, 0.0]]), model="m").save(folder)
        >>> VectorStore.open(folder, "m").count
        1
        """
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
            "note_vectors": NOTE_VECTORS,
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
