"""Read the index folder's current graph file: open it with a read transaction (a
snapshot no later in-place update changes), and give the graph it holds, its notes and
link details decoded only when first asked for.

A damaged, foreign or half-written graph file gives None, never a graph: the caller
rebuilds. Only SQLite, JSON and integer arrays are read back; nothing is unpickled.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.collector import collector_paused
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.tables import FieldRows, Header, LinkColumns, LinkTable, NoteTable
from kg.index.guard import ReadLock
from kg.index.rows import NOTE_QUERY, aliases_of, link_details, link_field_columns, note_from_row
from kg.index.stamps import LINKS, parse_stamps, read_manifest, stamps_text
from kg.index.write import ARRAY_COLUMNS, EXTRA_COLUMNS
from kg.model import Diagnostic, Note, NoteKind, Severity
from kg.parse.corpus import FileStamp


class Meta:
    """The meta table of an open graph file, each value read when first asked for (some
    are large: the corpus's file stamps, the title keys, the build state)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._values: dict[str, str | None] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._values:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._values[key] = row[0] if row else None
        value = self._values[key]
        return default if value is None else value

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return str(value)


@dataclass
class SavedIndex:
    """An open graph file, a read transaction holding its snapshot."""

    path: Path
    db: sqlite3.Connection
    meta: Meta

    @property
    def stamps(self) -> list[tuple[str, int, int]]:
        """(path, size, mtime_ns) of each file the graph was built from, in corpus order."""
        cached = getattr(self, "_stamps", None)
        if cached is None:
            cached = self._stamps = parse_stamps(self.meta.get("stamps", ""))
        return cached

    def matches(self, stamps: Sequence[FileStamp]) -> bool:
        return bool(self.meta.get("stamps") == stamps_text(stamps))

    def title_keys(self) -> dict[str, str] | None:
        text = self.meta.get("keys")
        value = json.loads(text) if text else None
        return value if isinstance(value, dict) else None

    def state(self) -> dict[str, Any] | None:
        """The build state a full build saved (None when it saved none)."""
        text = self.meta.get("state", "")
        return json.loads(text) if text else None

    def graph(self, root: Path) -> KnowledgeGraph | None:
        """The saved graph (None when its parts do not fit together: damaged)."""
        db = self.db
        try:
            with collector_paused():  # 100,000s of tuples, none in a cycle
                ids = read_ids(db)
                position = dict(zip(ids, range(len(ids)), strict=True))
                columns, extras = read_link_columns(db, self.meta, ids, self.path.parent)
                diagnostics = read_diagnostics(db)
                details = details_reader(db, extras["rowids"])
                links = LinkTable.from_columns(columns, details, position)
                links.read_fields = fields_reader(db, extras["rowids"])
        except (OSError, ValueError, KeyError, sqlite3.Error):
            return None
        # The headers are read when a title, kind or stub flag is first asked for (a
        # tenth of a second at 100,000 notes that looking a note up does not need).
        notes = NoteTable(headers_reader(db), note_reader(db), ids=position)
        notes.read_tags, notes.read_dates = tags_and_dates_readers(db)
        notes.read_items, notes.read_texts = items_reader(db), texts_reader(db)
        graph = KnowledgeGraph(
            notes,
            links,
            diagnostics,
            files=int(self.meta.get("files", 0)),
            root=root,
            keys=self.title_keys,  # read when a title is first looked up
        )
        graph.from_index = True
        return graph

    def close(self) -> None:
        self.db.close()


def open_index(folder: Path) -> SavedIndex | None:
    """The graph file the manifest names, opened with a read transaction (so a later
    in-place update does not change what it reads), or None when there is none usable."""
    for _ in range(3):
        saved = _open_once(folder)
        if saved is not False:
            return saved if isinstance(saved, SavedIndex) else None
    return None


def _open_once(folder: Path) -> SavedIndex | bool | None:
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    name = manifest.get("graph")
    if not isinstance(name, str) or "/" in name or not name.startswith("graph-"):
        return None
    path = folder / name
    try:
        size = path.stat().st_size
    except OSError:
        return False  # a writer replaced the index between our two reads: try again
    wanted = manifest.get("size")
    if isinstance(wanted, int) and size < wanted:
        return None  # cut short: damaged
    db = None
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # In write-ahead-log mode a commit is safe from a killed process without a sync.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("BEGIN")
        meta = Meta(db)
        if meta.get("token") != manifest.get("token"):
            db.close()
            return None
        return SavedIndex(path, db, meta)
    except (OSError, ValueError, sqlite3.Error):
        if db is not None:
            db.close()
        return None


def load_graph(folder: Path, stamps: Sequence[FileStamp], root: Path) -> KnowledgeGraph | None:
    """The saved graph if it was built from exactly these files, else None (never a
    damaged, foreign or half-written one)."""
    saved = open_index(folder)
    if saved is None:
        return None
    if not saved.matches(stamps):
        saved.close()
        return None
    graph = saved.graph(root)
    if graph is None:
        saved.close()
    return graph


def read_ids(db: sqlite3.Connection) -> list[str]:
    """Every note's id, in saved order (`read_headers` order), from the notes' id index
    alone (a third of the time of reading the headers)."""
    return [note_id for (note_id,) in db.execute("SELECT id FROM notes ORDER BY id")]


def headers_reader(db: sqlite3.Connection) -> Callable[[], dict[str, Header]]:
    """A reader of every note's header from the open graph file (whose read transaction
    keeps the notes `read_ids` read), for `NoteTable`."""
    lock = ReadLock(db)

    def read() -> dict[str, Header]:
        with lock, collector_paused():
            return read_headers(db)

    return read


def read_headers(db: sqlite3.Connection) -> dict[str, Header]:
    """Every note's header (title, kind, stub, truncated, aliases) by id, in saved order."""
    kinds = {kind.value: kind for kind in NoteKind}
    flags = (False, True)
    return {
        note_id: (
            title,
            kinds[kind],
            flags[stub],
            flags[truncated],
            aliases_of(aliases) if aliases else (),
        )
        for note_id, title, kind, stub, truncated, aliases in db.execute(
            "SELECT id, title, kind, stub, truncated, aliases FROM notes ORDER BY id"
        )
    }


def note_reader(db: sqlite3.Connection) -> Callable[[str], Note]:
    """Decode one note from the open graph file when it is first asked for (the connection
    keeps its snapshot, so every note comes from the same version of the index)."""
    lock = ReadLock(db)

    def read(note_id: str) -> Note:
        with lock:
            row = db.execute(NOTE_QUERY, (note_id,)).fetchone()
        if row is None:
            raise KeyError(note_id)
        return note_from_row(*row)

    return read


def items_reader(db: sqlite3.Connection) -> Callable[[], Iterator[tuple[str, dict[str, Any]]]]:
    """A reader of every note's JSON (`kg.codec.note_to_json`) without its body, its
    sources and listed counts, its properties as text, by id in saved order, in one query:
    for bulk work that reads none of them (the networkx attributes), without decoding a
    note. SQLite leaves out the sources (two fifths of the JSON of a site's notes) before
    the JSON is parsed again here."""
    lock = ReadLock(db)

    def read() -> Iterator[tuple[str, dict[str, Any]]]:
        with lock:
            rows = db.execute(
                "SELECT n.id, json_remove(n.data, '$.body', '$.sources', '$.listed'), "
                "t.properties FROM notes n LEFT JOIN note_texts t ON t.id = n.id ORDER BY n.id"
            ).fetchall()
        for note_id, data, properties in rows:
            item = json.loads(data)
            if properties:
                item["properties"] = properties
            yield note_id, item

    return read


def texts_reader(db: sqlite3.Connection) -> Callable[[], dict[str, tuple[Any, Any]]]:
    """A reader of every note's description and claim (None when it has none) by id, in
    one query that parses no JSON here: what names a cluster besides the title."""
    lock = ReadLock(db)

    def read() -> dict[str, tuple[Any, Any]]:
        with lock:
            rows = db.execute(
                "SELECT id, json_extract(data, '$.description'), json_extract(data, '$.claim') "
                "FROM notes"
            ).fetchall()
        return {note_id: (description, claim) for note_id, description, claim in rows}

    return read


def tags_and_dates_readers(
    db: sqlite3.Connection,
) -> tuple[Callable[[], dict[str, tuple[str, ...]]], Callable[[], dict[str, str]]]:
    """Readers of every tagged note's tags and every dated note's date (ISO text) from the
    open graph file, no note decoded. One query answers both: each note's JSON is parsed
    once (the corpus's figures want the tags and the overview the dates: at 40,000 notes
    0.5 s instead of twice that), the answer the caller did not ask for kept until asked."""
    lock = ReadLock(db)
    waiting: dict[str, Any] = {}

    def read(which: str) -> Any:
        with lock:
            if which in waiting:
                return waiting.pop(which)
            rows = db.execute(
                "SELECT id, json_extract(data, '$.tags'), json_extract(data, '$.date') FROM notes"
            ).fetchall()
        found: dict[str, Any] = {
            "tags": {i: tuple(json.loads(tags)) for i, tags, _ in rows if tags is not None},
            "dates": {i: str(date) for i, _, date in rows if date},
        }
        other = "dates" if which == "tags" else "tags"
        with lock:
            waiting[other] = found[other]
        return found[which]

    return (lambda: read("tags")), (lambda: read("dates"))


def read_diagnostics(db: sqlite3.Connection) -> list[Diagnostic]:
    """The saved diagnostics, in the order a full build gives them."""
    return [
        Diagnostic(p, ln, Severity(sev), msg, code)
        for p, ln, sev, msg, code in db.execute(
            "SELECT path, line, severity, message, code FROM diagnostics "
            "ORDER BY phase, position, seq"
        )
    ]


def read_link_columns(
    db: sqlite3.Connection, meta: Meta | dict[str, str], note_ids: list[str], folder: Path
) -> tuple[LinkColumns, dict[str, array[int]]]:
    """The saved link columns and each link's row and order; ValueError (or OSError) when
    they are missing or do not fit together."""
    import numpy as np

    layout = json.loads(meta["link_columns"])
    name = layout["file"]
    if not isinstance(name, str) or "/" in name or not name.startswith(LINKS):
        raise ValueError("the graph names no link column file")
    lengths = [int(n) for n in layout["lengths"]]
    names = ARRAY_COLUMNS + EXTRA_COLUMNS
    arrays: dict[str, array[int]] = {}
    with open(folder / name, "rb") as handle:  # read straight into the arrays: one copy
        shape, dtype = _npy_header(handle)
        if dtype != np.uint32 or len(shape) != 1 or len(lengths) != len(names):
            raise ValueError("link columns of another layout")
        if sum(lengths) != shape[0]:
            raise ValueError("link columns of another length")
        for column, length in zip(names, lengths, strict=True):
            arrays[column] = values = array("I")
            try:
                values.fromfile(handle, length)
            except EOFError:
                raise ValueError("link columns cut short") from None
    extras = {column: arrays.pop(column) for column in EXTRA_COLUMNS}
    if any(len(values) != len(arrays["sources"]) for values in extras.values()):
        raise ValueError("the saved link rows do not fit the link columns")
    columns = LinkColumns(note_ids=note_ids, kind_names=list(layout["kind_names"]), **arrays)
    return columns, extras


def _npy_header(handle: Any) -> tuple[tuple[int, ...], Any]:
    """The shape and type of the array in an open .npy file (as `numpy.save` wrote it),
    the file left at its first value; ValueError for another format or a Fortran array."""
    from numpy.lib import format as npy

    version = npy.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(handle)
    elif version == (2, 0):
        shape, fortran, dtype = npy.read_array_header_2_0(handle)
    else:
        raise ValueError(f"a .npy file of version {version}")
    if fortran and len(shape) > 1:
        raise ValueError("a Fortran-ordered array")
    if array("I").itemsize != dtype.itemsize:
        raise ValueError("link columns of another layout")
    return shape, dtype


def details_reader(
    db: sqlite3.Connection, rowids: Sequence[int]
) -> Callable[[Sequence[int] | None], dict[int, tuple[Any, ...]]]:
    """Fetch links' remaining fields by link number from the open graph file (a file's
    links are one row, `kg.index.rows.link_files`). The connection keeps its read
    transaction with the graph: a later in-place update or a writer's rename cannot change
    what it reads, so the details match the links."""
    import numpy as np

    lock = ReadLock(db)
    starts: list[Any] = []  # the first rowid of every file's row, sorted: read once

    def details(indices: Sequence[int] | None) -> dict[int, tuple[Any, ...]]:
        with lock:
            if indices is None:
                found: dict[int, tuple[Any, ...]] = {}
                for row in db.execute("SELECT first, file, data FROM link_files"):
                    found.update(link_details(*row))
                return dict(enumerate(map(found.__getitem__, rowids)))  # C loops
            if not starts:
                firsts = [f for (f,) in db.execute("SELECT first FROM link_files ORDER BY first")]
                starts.append(np.asarray(firsts, dtype=np.int64))
            wanted = list(indices)
            rows = np.asarray([rowids[i] for i in wanted], dtype=np.int64)
            at = np.searchsorted(starts[0], rows, side="right") - 1
            firsts = sorted({int(f) for f in starts[0][at[at >= 0]]})
            found = {}
            for begin in range(0, len(firsts), 900):
                chunk = firsts[begin : begin + 900]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT first, file, data FROM link_files WHERE first IN ({marks})"
                for row in db.execute(query, chunk):
                    found.update(link_details(*row))
            return {i: found[rowids[i]] for i in wanted}

    return details


def fields_reader(db: sqlite3.Connection, rowids: Sequence[int]) -> Callable[[], FieldRows]:
    """A reader of every link's fields but its ends and kind, file by file as the graph file
    keeps them (`LinkTable.read_fields`), in one query, no tuple made a link."""
    lock = ReadLock(db)

    def read() -> FieldRows:
        with lock:
            rows = db.execute("SELECT first, file, data FROM link_files ORDER BY first").fetchall()
        files: list[tuple[int, str, list[list[Any]]]] = []
        texts: list[bytes] | None = []  # UTF-8: joined as bytes, never widened
        separators = 0
        for first, file, data in rows:
            columns, text, between = link_field_columns(data)
            files.append((first, file, columns))
            if texts is not None:
                try:
                    texts += (file.encode(), text.encode())  # type: ignore[union-attr]
                    separators += between
                except (AttributeError, UnicodeEncodeError):  # no text, a lone surrogate
                    texts = None
        joined = None if texts is None else b"\n".join(texts)
        return FieldRows(rowids, files, joined, separators)

    return read


def rows_of_files(db: sqlite3.Connection, files: Sequence[str]) -> list[int]:
    """The rowids of the links written in these files (`kg.index.rows.link_files`)."""
    out: list[int] = []
    wanted = list(files)
    for begin in range(0, len(wanted), 900):
        chunk = wanted[begin : begin + 900]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT first, count FROM link_files WHERE file IN ({marks})"
        for first, count in db.execute(query, chunk):
            out.extend(range(first, first + count))
    return out


def files_of_rows(db: sqlite3.Connection, rowids: Sequence[int]) -> set[str]:
    """The files these links were written in."""
    import numpy as np

    rows = db.execute("SELECT first, file FROM link_files ORDER BY first").fetchall()
    if not rows or not len(rowids):
        return set()
    firsts = np.asarray([first for first, _ in rows], dtype=np.int64)
    at = np.searchsorted(firsts, np.asarray(rowids, dtype=np.int64), side="right") - 1
    return {rows[i][1] for i in set(at.tolist()) if i >= 0}
