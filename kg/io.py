"""Files written whole or not at all, checked NumPy files, and the index folder's lock.

Every file kg keeps (the index, vector files, the lexical index, exports) is written
through `write_atomic_with`: a reader sees the old file or the whole new one, never a
part. NumPy files are read back only after their size, type and shape are checked, and
never with pickles allowed.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", b"whole")
>>> (folder / "a.txt").read_bytes()
b'whole'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from filelock import FileLock, Timeout

from kg.errors import IndexLocked

if TYPE_CHECKING:
    import numpy as np

LOCK = "lock"  # the lock file of an index folder


class DamagedFile(Exception):
    """A file a manifest names is missing, of the wrong size, type or shape: rebuild it."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    write_atomic_with(path, lambda handle: handle.write(data))


def write_atomic_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call `write` on a temporary file in `path`'s folder, sync it, then rename it to
    `path`: readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def index_lock(folder: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold an index folder's lock; a second writer waits up to `timeout` seconds.

    Raises
    ------
    IndexLocked
        When another process holds the lock for longer than `timeout`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as error:
        raise IndexLocked(
            f"{folder}: another kg process is writing this index; wait for it or retry"
        ) from error
    try:
        yield
    finally:
        lock.release()


def save_npy(path: Path, array: np.ndarray) -> int:
    """Write an array as .npy, whole or not at all; returns the file's size in bytes."""
    import numpy as np

    write_atomic_with(
        path, lambda handle: np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
    )
    return path.stat().st_size


def load_npy(
    folder: Path,
    entry: Any,
    dtype: Any,
    shape: tuple[int | None, ...],
    prefix: str,
    mmap: bool = False,
) -> np.ndarray:
    """Load the .npy file a manifest entry ({"file": name, "bytes": size}) names in
    `folder`, checking its name (it starts with `prefix`), size, type and shape.

    Raises
    ------
    DamagedFile
        When any of those does not match: the caller rebuilds instead of using it.
    """
    import numpy as np

    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        raise DamagedFile("the manifest names no file")
    name = entry["file"]
    if "/" in name or "\\" in name or not name.startswith(prefix):
        raise DamagedFile(f"{name}: not a file name this index writes")
    path = folder / name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DamagedFile(f"{name}: missing") from error
    if size != entry.get("bytes"):
        raise DamagedFile(f"{name}: {size} bytes, the manifest says {entry.get('bytes')}")
    try:
        array = np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
    except (OSError, ValueError, EOFError) as error:
        raise DamagedFile(f"{name}: unreadable ({error})") from error
    if array.dtype != np.dtype(dtype) or array.ndim != len(shape):
        raise DamagedFile(f"{name}: {array.dtype} {array.shape}, expected {np.dtype(dtype)}")
    for got, want in zip(array.shape, shape, strict=True):
        if want is not None and got != want:
            raise DamagedFile(f"{name}: shape {array.shape} does not match the manifest")
    return array
