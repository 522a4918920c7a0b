"""The file the model's whole-note vectors are kept in: per note, its plain whole-note vector
and the vector of its headline, under the hash its vector is keyed by
(`kg.embed.notevectors`), written so that an edit costs what it changed.

The vectors live in ``note-vectors/<model digest>.npz`` (the base) and small side files
beside it (``<model digest>-side-<n>.npz``), each holding the vectors one save added and
the keys it dropped (an edited note's earlier vector). Every file is written whole through
a temporary file and a rename (`kg.io.write_atomic_with`) under the index lock, so a
reader sees a file whole or not at all, never half of it. Reading applies the base, then
each side file in order; an edit therefore writes a few kilobytes instead of the whole
base (15 MB at 10,000 notes). Once `MAX_SIDES` side files gather, or a save drops many
vectors, the next save merges them into a new base and removes them (a reader that lists
the side files just as they go sees a note lacking at worst, never a wrong vector: a key
is the hash of everything its vector is made of).

Headline vectors are kept as float16 (they weigh a fifth of a search's blend: halving
their bytes costs nothing measurable); a note without a headline keeps zeros.

>>> import tempfile, pathlib
>>> import numpy as np
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> kept = NoteVectorFile(folder, "toy|1")
>>> kept.put(b"k" * 16, np.array([0.6, 0.8]), np.array([1.0, 0.0]))
>>> kept.save()
1
>>> again = NoteVectorFile(folder, "toy|1")
>>> again.get(b"k" * 16)[0].tolist(), again.get(b"k" * 16)[1].tolist()
([0.6000000238418579, 0.800000011920929], [1.0, 0.0])
>>> NoteVectorFile(folder, "other|2").has(b"k" * 16)  # another model's file
False
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import numpy as np

FOLDER = "note-vectors"
MAX_SIDES = 32  # side files gathered before a save merges them into the base
_KEY = 16  # bytes of a key; kept as rows of uint8 (an S16 array drops trailing zeros)

Row = tuple[np.ndarray, np.ndarray]  # (plain float32, headline float16)


class NoteVectorFile:
    """The whole-note vectors of one model in an index folder (see the module).

    Parameters
    ----------
    folder : pathlib.Path
        The index folder (the files go in its ``note-vectors`` folder).
    model : str
        The model's identity and the vectors' recipe; files of another are never used.
    """

    def __init__(self, folder: Path, model: str) -> None:
        self.folder = Path(folder)
        self.model = model
        digest = hashlib.blake2b(model.encode("utf-8"), digest_size=8).hexdigest()
        self.path = self.folder / FOLDER / f"{digest}.npz"
        self._side = re.compile(re.escape(digest) + r"-side-(\d+)\.npz")
        self._rows: dict[bytes, Row] = {}
        self._new: dict[bytes, Row] = {}
        self._read = False

    def _load(self) -> None:
        if not self._read:
            self._read = True
            self._rows.update(self._current())

    def sides(self) -> list[tuple[int, Path]]:
        """The side files there now, in the order they were written."""
        folder = self.path.parent
        if not folder.is_dir():
            return []
        found = [(m, p) for p in folder.iterdir() if (m := self._side.fullmatch(p.name))]
        return sorted((int(m.group(1)), p) for m, p in found)

    def _current(self) -> dict[bytes, Row]:
        """What the files hold now: the base, then each side file's drops and additions."""
        rows, _ = _read(self.path, self.model)
        for _, side in self.sides():
            added, dropped = _read(side, self.model)
            for key in dropped:
                rows.pop(key, None)
            rows.update(added)
        return rows

    def __len__(self) -> int:
        self._load()
        return len(self._rows)

    def has(self, key: bytes) -> bool:
        """Whether the vectors kept under this key are there."""
        self._load()
        return key in self._rows

    def get(self, key: bytes) -> Row | None:
        """(plain vector, headline vector) kept under this key, or None."""
        self._load()
        return self._rows.get(key)

    def put(self, key: bytes, plain: np.ndarray, head: np.ndarray | None) -> None:
        """Keep a note's vectors (head None: the note has no headline), written by `save`."""
        self._load()
        vector = np.asarray(plain, dtype=np.float32)
        headline = np.zeros_like(vector) if head is None else np.asarray(head)
        row = (vector, headline.astype(np.float16))
        self._rows[key] = row
        self._new[key] = row

    @property
    def has_new(self) -> bool:
        """Whether vectors were put since the last save."""
        return bool(self._new)

    def stale(self, keep: set[bytes]) -> int:
        """How many kept vectors are not under one of these keys."""
        self._load()
        return sum(1 for key in self._rows if key not in keep)

    def reload(self) -> None:
        """Add what the files hold now (another process may have saved more)."""
        for key, row in self._current().items():
            self._rows.setdefault(key, row)

    def save(self, keep: set[bytes] | None = None) -> int:
        """Write the vectors put since the last save, and with `keep` drop the kept vectors
        under other keys; returns how many were new. A few changes go to a new side file;
        many, or `MAX_SIDES` side files, to a new base merged with what another process
        saved meanwhile. Nothing is written when the index folder does not exist."""
        if not self.folder.is_dir():
            return 0
        from kg.io import index_lock

        with index_lock(self.folder):
            merged = self._current()
            merged.update(self._new)
            dropped = set() if keep is None else {k for k in merged if k not in keep}
            if not self._new and not dropped:
                return 0
            for key in dropped:
                merged.pop(key, None)
            sides = self.sides()
            changed = len(self._new) + len(dropped)
            if len(sides) >= MAX_SIDES or changed * 4 > len(merged) or not self.path.is_file():
                self._write(self.path, merged, set())
                for _, side in sides:
                    side.unlink(missing_ok=True)
            else:
                number = sides[-1][0] + 1 if sides else 0
                side = self.path.with_name(f"{self.path.stem}-side-{number:06d}.npz")
                self._write(side, self._new, dropped)
            self._rows = merged
        count = len(self._new)
        self._new = {}
        return count

    def _write(self, path: Path, rows: dict[bytes, Row], dropped: set[bytes]) -> None:
        from kg.io import write_atomic_with

        if rows:
            keys = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(-1, _KEY)
            plain = np.stack([p for p, _ in rows.values()]).astype(np.float32)
            heads: np.ndarray | None = np.stack([h for _, h in rows.values()])
        else:
            keys, plain, heads = np.zeros((0, _KEY), np.uint8), None, None
        gone = np.frombuffer(b"".join(sorted(dropped)), dtype=np.uint8).reshape(-1, _KEY)

        def write(handle: io.BufferedIOBase) -> None:
            arrays = {"keys": keys, "dropped": gone, "model": np.array(self.model)}
            if plain is not None and heads is not None:
                arrays.update(vectors=plain, heads=heads.astype(np.float16))
            np.savez(handle, **arrays)  # type: ignore[arg-type]

        write_atomic_with(path, write)  # type: ignore[arg-type]


def _read(path: Path, model: str) -> tuple[dict[bytes, Row], list[bytes]]:
    """(vectors by key, dropped keys) of one file, or nothing when it is missing, damaged,
    another model's, or of vectors of another size than its own rows say."""
    if not path.is_file():
        return {}, []
    try:
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return {}, []
            keys, gone = data["keys"], data["dropped"]
            names = set(data.files)
            plain = data["vectors"] if "vectors" in names else None
            heads = data["heads"] if "heads" in names else None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return {}, []
    for array in (keys, gone):
        if array.dtype != np.uint8 or array.ndim != 2 or array.shape[1] != _KEY:
            return {}, []
    dropped = [k.tobytes() for k in gone]
    if plain is None or heads is None:
        return ({}, dropped) if not len(keys) else ({}, [])
    if (
        plain.dtype != np.float32
        or heads.dtype != np.float16
        or plain.ndim != 2
        or plain.shape != heads.shape
        or len(keys) != len(plain)
        or not np.all(np.isfinite(plain))
        or not np.all(np.isfinite(heads))
    ):
        return {}, []
    return {k.tobytes(): (plain[i], heads[i]) for i, k in enumerate(keys)}, dropped
