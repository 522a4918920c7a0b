"""Reads from an open graph file that say so plainly when the file was damaged after it
was opened.

A graph opened from the index reads notes, headers and link details from its SQLite file
when first asked for. Should that file be overwritten or cut short in the meantime (by
hand, by a disk fault: kg itself writes a new file and renames it into place, or updates
it in a transaction), SQLite reports a corrupt or unreadable database; the graph then
raises `kg.errors.IndexDamaged`, naming the file and what to do, instead of SQLite's bare
error from deep inside a lookup.

>>> import sqlite3
>>> db = sqlite3.connect(":memory:")
>>> with ReadLock(db):
...     db.execute("SELECT 1").fetchone()
(1,)
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress
from types import TracebackType

from kg.errors import IndexDamaged

# SQLite's primary result codes for a file that is not (or no longer) a database it can read.
DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR", "SQLITE_FORMAT")


class ReadLock:
    """A lock around reads of one open graph file (a connection serves one thread at a
    time); a read that finds the file damaged raises `IndexDamaged`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._lock = threading.Lock()

    def __enter__(self) -> ReadLock:
        self._lock.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._lock.release()
        if isinstance(error, sqlite3.DatabaseError) and is_damage(error):
            raise IndexDamaged(file_of(self._db), str(error)) from error


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error says the file is damaged (not locked, not closed, not a bad
    query).

    >>> is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    True
    >>> is_damage(sqlite3.OperationalError("database is locked"))
    False
    """
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str):
        return name.startswith(DAMAGED)
    # No result code (raised by hand, older SQLite): only a plain DatabaseError is damage.
    return type(error) is sqlite3.DatabaseError


def file_of(db: sqlite3.Connection) -> str:
    """The path of the connection's main database file ('' when it cannot be read)."""
    with suppress(sqlite3.Error):
        for _, name, path in db.execute("PRAGMA database_list"):
            if name == "main":
                return str(path)
    return ""
