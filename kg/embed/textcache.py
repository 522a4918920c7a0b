"""Vectors of single texts kept in the index folder between runs, so a second `kg trace`
of the same notes embeds nothing and need not load the model.

One file per model (``trace-vectors/<model key>.npz`` in the index folder) holds the
texts' hashes (16-byte BLAKE2b of the text, as rows of bytes), their normalized vectors and the model's
identity (its name and fingerprint). It is written whole through a temporary file and a
rename under the index lock, merged with what another process saved meanwhile; a file
that is damaged, half there, or from another model is ignored (its texts are embedded
again), never used.

>>> import tempfile, pathlib
>>> import numpy as np
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> cache = TextVectorCache(folder, "toy|1")
>>> cache.get("a text") is None
True
>>> cache.put("a text", np.array([0.6, 0.8], dtype=np.float32))
>>> cache.save()
1
>>> again = TextVectorCache(folder, "toy|1")
>>> again.get("a text").tolist(), again.dim
([0.6000000238418579, 0.800000011920929], 2)
>>> TextVectorCache(folder, "other|2").get("a text") is None  # another model's file
True
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

FOLDER = "trace-vectors"
_KEY = 16  # bytes of a text hash; kept as rows of uint8 (an S16 array drops trailing zeros)


def text_key(text: str) -> bytes:
    """The 16-byte hash a text's vector is kept under.

    >>> len(text_key("errors cancel")), text_key("a") == text_key("a")
    (16, True)
    """
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class TextVectorCache:
    """Normalized vectors of texts by one model, read from and saved to an index folder.

    Parameters
    ----------
    folder : pathlib.Path
        The index folder (the file goes in its ``trace-vectors`` folder).
    model : str
        The model's identity (name and fingerprint); vectors saved by another are not used.
    """

    def __init__(self, folder: Path, model: str) -> None:
        self.folder = Path(folder)
        self.model = model
        digest = hashlib.blake2b(model.encode("utf-8"), digest_size=8).hexdigest()
        self.path = self.folder / FOLDER / f"{digest}.npz"
        self._vectors: dict[bytes, np.ndarray] = {}
        self._new: dict[bytes, np.ndarray] = {}
        self._read = False
        self.hits = 0  # texts answered from the cache

    def _load(self) -> None:
        if not self._read:
            self._read = True
            self._vectors.update(_read(self.path, self.model))

    def __len__(self) -> int:
        self._load()
        return len(self._vectors)

    @property
    def dim(self) -> int | None:
        """The vectors' size (None while the cache is empty)."""
        self._load()
        for vector in self._vectors.values():
            return int(vector.shape[0])
        return None

    def get(self, text: str) -> np.ndarray | None:
        """The text's vector, or None when it was never saved."""
        self._load()
        found = self._vectors.get(text_key(text))
        if found is not None:
            self.hits += 1
        return found

    def has(self, text: str) -> bool:
        """Whether the text's vector is kept (not counted as a hit)."""
        self._load()
        return text_key(text) in self._vectors

    def put(self, text: str, vector: np.ndarray) -> None:
        """Keep a text's (normalized) vector, to be written by `save`."""
        self._load()
        key = text_key(text)
        row = np.asarray(vector, dtype=np.float32)
        self._vectors[key] = row
        self._new[key] = row

    @property
    def has_new(self) -> bool:
        """Whether vectors were put since the last save."""
        return bool(self._new)

    def save(self, keep: set[bytes] | None = None) -> int:
        """Write the vectors put since the last save (merged with the file as it is now,
        which another process may have grown); returns how many were new. Nothing is
        written when the index folder does not exist or nothing is new. With `keep`, only
        the vectors under these `text_key` hashes are written (and kept in memory): the
        others are dropped from the file."""
        if (not self._new and keep is None) or not self.folder.is_dir():
            return 0
        from kg.io import index_lock, write_atomic_with

        with index_lock(self.folder):
            merged = _read(self.path, self.model)
            merged.update(self._vectors)
            if keep is not None:
                merged = {k: v for k, v in merged.items() if k in keep}
                self._vectors = {k: v for k, v in self._vectors.items() if k in keep}
                if not merged:
                    self.path.unlink(missing_ok=True)
                    count = len(self._new)
                    self._new.clear()
                    return count
            dims = {v.shape[0] for v in merged.values()}
            if len(dims) != 1:  # vectors of two sizes under one model: keep only ours
                merged = dict(self._new)
            keys = np.frombuffer(b"".join(merged), dtype=np.uint8).reshape(-1, _KEY)
            vectors = np.stack(list(merged.values())).astype(np.float32)

            def write(handle: io.BufferedIOBase) -> None:
                np.savez(handle, keys=keys, vectors=vectors, model=np.array(self.model))

            write_atomic_with(self.path, write)  # type: ignore[arg-type]
        count = len(self._new)
        self._new.clear()
        return count


def merge_file(path: Path, data: bytes) -> int:
    """Merge a cache file's bytes (from elsewhere: a store) into the cache file at `path`,
    for the model the bytes name; returns how many vectors were new. Bytes that are not a
    sound cache file are ignored; vectors of another model than the file at `path` holds
    replace nothing (that file is kept)."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        incoming = Path(scratch) / "incoming.npz"
        incoming.write_bytes(data)
        try:
            with np.load(incoming, allow_pickle=False) as opened:
                model = str(opened["model"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return 0
        theirs = _read(incoming, model)
    if not theirs or not path.parent.parent.is_dir():
        return 0
    cache = TextVectorCache(path.parent.parent, model)
    if cache.path != path:
        return 0  # named for another model than it holds
    cache._load()
    for key, vector in theirs.items():
        if key not in cache._vectors:
            cache._vectors[key] = vector
            cache._new[key] = vector
    return cache.save()


def _read(path: Path, model: str) -> dict[bytes, np.ndarray]:
    """The vectors of a cache file, or nothing when it is missing, damaged or another
    model's."""
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return {}
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return {}
    if (
        keys.dtype != np.uint8
        or keys.ndim != 2
        or keys.shape[1] != _KEY
        or vectors.dtype != np.float32
        or vectors.ndim != 2
        or len(keys) != len(vectors)
        or not np.all(np.isfinite(vectors))
    ):
        return {}
    return {k.tobytes(): vectors[i] for i, k in enumerate(keys)}
