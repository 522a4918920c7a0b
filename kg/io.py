"""Files written whole or not at all, kept JSON records and NumPy files read back only
after a check, and the index folder's lock.

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

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from filelock import FileLock, Timeout

from kg.errors import IndexLocked

if TYPE_CHECKING:
    import numpy as np

LOCK = "lock"  # the lock file of an index folder
WAIT_REPORT_SECONDS = 5.0  # how often a wait for another process's lock says it still waits
log = logging.getLogger(__name__)


class DamagedFile(Exception):
    """A file a manifest names is missing, of the wrong size, type or shape: rebuild it."""


def read_record(
    path: Path, format: int, fields: Mapping[str, type | tuple[type, ...]]
) -> dict | None:
    """The JSON object a kept file holds (trace word counts, clusters, the overview), or
    None when it is missing, not JSON, of another `format`, or lacks one of `fields` of
    its type: a kept file that cannot be used is recomputed, never trusted.

    Parameters
    ----------
    path
        The file.
    format
        The number its ``"format"`` field must hold.
    fields
        Each field it must have, with the type (or types) its value must be.

    Returns
    -------
    dict or None
        The whole object.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kept.json"
    >>> write_atomic(path, b'{"format": 2, "signature": "s1", "counts": {}}')
    >>> read_record(path, 2, {"signature": str, "counts": dict})
    {'format': 2, 'signature': 's1', 'counts': {}}
    >>> read_record(path, 3, {}), read_record(path, 2, {"counts": list})
    (None, None)
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != format:
        return None
    if not all(isinstance(data.get(name), kind) for name, kind in fields.items()):
        return None
    return data


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

    A wait is never silent: it is logged (logger ``kg.io``, level INFO) when it begins,
    every `WAIT_REPORT_SECONDS` while it lasts, and when it ends, naming the folder and
    the seconds waited (`kg` prints these lines on stderr).

    Raises
    ------
    IndexLocked
        When another process holds the lock for longer than `timeout`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK))
    waited = wait_for_lock(
        lock, timeout, f"another kg process to finish writing the index at {folder}"
    )
    if waited is None:
        raise IndexLocked(
            f"{folder}: another kg process has been writing this index for {timeout:.0f} s "
            "or more; wait for it or retry"
        )
    try:
        yield
    finally:
        lock.release()


def wait_for_lock(lock: FileLock, timeout: float | None, what: str) -> float | None:
    """Acquire `lock`, saying (through logging) that kg waits, for `what`, and how long.

    Parameters
    ----------
    lock : filelock.FileLock
        The lock.
    timeout : float or None
        Seconds to wait at most (None: as long as it takes).
    what : str
        What is waited for, as in "waiting for {what}".

    Returns
    -------
    float or None
        The seconds waited (0.0 when the lock was free), or None after `timeout`.
    """
    try:
        lock.acquire(timeout=0)
        return 0.0
    except Timeout:
        pass
    started = time.monotonic()
    limit = f" (at most {timeout:.0f} s)" if timeout is not None else ""
    log.info("waiting for %s%s", what, limit)
    while True:
        waited = time.monotonic() - started
        left = None if timeout is None else timeout - waited
        if left is not None and left <= 0:
            log.info("gave up waiting for %s after %.0f s", what, waited)
            return None
        step = WAIT_REPORT_SECONDS if left is None else min(WAIT_REPORT_SECONDS, left)
        try:
            lock.acquire(timeout=step)
        except Timeout:
            log.info("still waiting for %s: %.0f s so far", what, time.monotonic() - started)
            continue
        waited = time.monotonic() - started
        log.info("done waiting for %s after %.1f s", what, waited)
        return waited


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
