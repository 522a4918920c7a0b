"""The index folder (CORPUS/.kg/ by default): the built graph, saved so reopening is cheap.

Files are written to a temporary name and renamed into place, the manifest last, so
a reader sees the old index or the new one, never a mix. A manifest that does not
match the corpus's files, or a damaged file, means the index is rebuilt, never used.
The graph is a SQLite file; only SQLite, JSON and NumPy arrays are read back, nothing
is unpickled.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import threading
import uuid
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from kg.codec import note_from_json, note_to_json
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.tables import Header, LinkColumns, LinkTable, NoteTable
from kg.io import LOCK, write_atomic
from kg.model import (
    Diagnostic,
    NoteKind,
    Severity,
)
from kg.parse.corpus import FileStamp

FORMAT_VERSION = (
    8  # 7: notes per Markdown file, attachments, tags, properties; 8: page copies, diagnostic codes
)
MANIFEST = "manifest.json"
GRAPH = "graph.sqlite"  # the prefix of graph files: graph-<token>.sqlite


def index_dir(corpus: Path, index: Path | None = None) -> Path:
    """Where a corpus keeps its index: `index` if given, else CORPUS/.kg/."""
    if index is not None:
        return index
    return (corpus if corpus.is_dir() else corpus.parent) / ".kg"


def remove_stale_temporaries(folder: Path) -> None:
    """Delete what a killed writer left behind: temporary files, and graph files that the
    manifest does not name (call with the lock held, so no live writer owns them)."""
    for name in (GRAPH, MANIFEST):
        for leftover in folder.glob(f".{name}.*.tmp"):
            leftover.unlink(missing_ok=True)
    manifest = read_manifest(folder)
    current = manifest.get("graph") if manifest else None
    for old in folder.glob("graph-*.sqlite"):
        if old.name != current:
            old.unlink(missing_ok=True)


def tidy(folder: Path) -> None:
    """Remove a killed writer's leftovers if there are any and no writer is at work now."""
    manifest = read_manifest(folder)
    current = manifest.get("graph") if manifest else None
    leftovers = [p for p in folder.glob("graph-*.sqlite") if p.name != current]
    leftovers += list(folder.glob(f".{GRAPH}.*.tmp")) + list(folder.glob(f".{MANIFEST}.*.tmp"))
    if not leftovers:
        return
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return  # a writer is busy; it, or a later run, cleans up
    try:
        remove_stale_temporaries(folder)
    finally:
        lock.release()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == FORMAT_VERSION else None


def stamps_key(stamps: list[FileStamp]) -> list[list[Any]]:
    return [[s.path, s.size, s.mtime_ns] for s in stamps]


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL,
                    stub INTEGER NOT NULL, truncated INTEGER NOT NULL, aliases TEXT NOT NULL,
                    data TEXT NOT NULL);
CREATE TABLE links (source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL,
                    file TEXT NOT NULL, line INTEGER NOT NULL, ord INTEGER, summary TEXT,
                    sentence TEXT, label TEXT, annotation TEXT, relation TEXT, section TEXT);
CREATE TABLE diagnostics (path TEXT, line INTEGER, severity TEXT, message TEXT, code TEXT);
CREATE TABLE link_columns (name TEXT PRIMARY KEY, data BLOB NOT NULL);
"""
# The link columns (kg.graph.tables.LinkColumns) saved as arrays of unsigned ints, so reopening
# a graph reads its adjacency whole instead of rebuilding it link by link.
_ARRAY_COLUMNS = (
    "sources",
    "targets",
    "kinds",
    "out_offsets",
    "out_links",
    "into_offsets",
    "into_links",
)


def save_graph(
    folder: Path,
    graph: KnowledgeGraph,
    stamps: list[FileStamp],
    extra: dict[str, Any] | None = None,
) -> None:
    """Save the graph as a new SQLite file, graph-<token>.sqlite, then the manifest that
    names it and the corpus files it was built from (written last, by a rename), then
    remove the graph file the old manifest named. At every moment the folder holds a whole
    index: the old manifest with its graph file, or the new manifest with the new one."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    token = uuid.uuid4().hex
    graph_name = f"graph-{token}.sqlite"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{GRAPH}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        db = sqlite3.connect(tmp)
        try:
            # No journal and no syncing while writing: this file is not the index until
            # the manifest names it; it is synced once, whole, before that rename.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('token', ?)", (token,))
            db.execute("INSERT INTO meta VALUES ('files', ?)", (str(graph.files),))
            notes = list(graph)
            db.executemany(
                "INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        n.id,
                        n.title,
                        n.kind.value,
                        int(n.stub),
                        int(n.truncated),
                        json.dumps(list(n.aliases)),
                        json.dumps(note_to_json(n), ensure_ascii=False),
                    )
                    for n in notes
                ),
            )
            columns = graph.link_table.columns([n.id for n in notes])
            layout = {"byteorder": sys.byteorder, "itemsize": array("I").itemsize}
            layout["kind_names"] = columns.kind_names  # type: ignore[assignment]
            db.execute("INSERT INTO meta VALUES ('link_columns', ?)", (json.dumps(layout),))
            db.executemany(
                "INSERT INTO link_columns VALUES (?, ?)",
                ((name, array("I", getattr(columns, name)).tobytes()) for name in _ARRAY_COLUMNS),
            )
            db.executemany(
                "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                graph.link_table.rows(),
            )
            db.executemany(
                "INSERT INTO diagnostics VALUES (?, ?, ?, ?, ?)",
                ((d.path, d.line, d.severity.value, d.message, d.code) for d in graph.diagnostics),
            )
            db.commit()
        finally:
            db.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, folder / graph_name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    stats = graph.corpus_stats()
    manifest = {
        "version": FORMAT_VERSION,
        "token": token,
        "files": stamps_key(stamps),
        "graph": graph_name,
        "graph_bytes": (folder / graph_name).stat().st_size,
        "summary": {
            "files": stats.files,
            "notes": stats.notes,
            "stubs": stats.stubs,
            "links": stats.links,
            "warnings": stats.warnings,
            "errors": stats.errors,
        },
        **(extra or {}),
    }
    write_atomic(folder / MANIFEST, json.dumps(manifest).encode("utf-8"))
    remove_stale_temporaries(folder)


def load_graph(folder: Path, stamps: list[FileStamp], root: Path) -> KnowledgeGraph | None:
    """The saved graph if it was built from exactly these files, else None (never a
    damaged, foreign or half-written one)."""
    for _ in range(3):
        graph = _load_graph_once(folder, stamps, root)
        if graph is not False:
            return graph if isinstance(graph, KnowledgeGraph) else None
    return None


def _load_graph_once(
    folder: Path, stamps: list[FileStamp], root: Path
) -> KnowledgeGraph | bool | None:
    """The saved graph if it was built from exactly these files, else None (never a
    damaged, foreign or half-written one)."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("files") != stamps_key(stamps):
        return None
    name = manifest.get("graph")
    if not isinstance(name, str) or "/" in name or not name.startswith("graph-"):
        return None
    path = folder / name
    if not path.exists():
        return False  # a writer replaced the index between our two reads: try again
    try:
        if path.stat().st_size != manifest.get("graph_bytes"):
            return None
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        keep_open = False
        try:
            meta = dict(db.execute("SELECT key, value FROM meta"))
            if meta.get("token") != manifest.get("token"):
                return None
            headers: dict[str, Header] = {}
            data: dict[str, str] = {}
            for note_id, title, kind, stub, truncated, aliases, blob in db.execute(
                "SELECT id, title, kind, stub, truncated, aliases, data FROM notes ORDER BY rowid"
            ):
                headers[note_id] = (
                    title,
                    NoteKind(kind),
                    bool(stub),
                    bool(truncated),
                    tuple(json.loads(aliases)),
                )
                data[note_id] = blob
            columns = _read_link_columns(db, meta, list(headers))
            diagnostics = [
                Diagnostic(p, ln, Severity(sev), msg, code)
                for p, ln, sev, msg, code in db.execute("SELECT * FROM diagnostics")
            ]
            keep_open = True
        finally:
            if not keep_open:
                db.close()
    except (OSError, ValueError, KeyError, sqlite3.Error):
        return None
    notes = NoteTable(headers, lambda note_id: note_from_json(json.loads(data[note_id])))
    try:
        links = LinkTable.from_columns(columns, _details_reader(db))
    except ValueError:  # columns that do not fit together: damaged
        db.close()
        return None
    graph = KnowledgeGraph(notes, links, diagnostics, files=int(meta.get("files", 0)), root=root)
    graph.from_index = True
    return graph


def _read_link_columns(
    db: sqlite3.Connection, meta: dict[str, str], note_ids: list[str]
) -> LinkColumns:
    """The saved link columns; ValueError when they are missing or were written by a
    machine that lays out integers differently."""
    layout = json.loads(meta["link_columns"])
    if layout.get("byteorder") != sys.byteorder or layout.get("itemsize") != array("I").itemsize:
        raise ValueError("link columns written with another integer layout")
    blobs = dict(db.execute("SELECT name, data FROM link_columns"))
    arrays: dict[str, array[int]] = {}
    for name in _ARRAY_COLUMNS:
        values = array("I")
        values.frombytes(blobs[name])
        arrays[name] = values
    return LinkColumns(note_ids=note_ids, kind_names=list(layout["kind_names"]), **arrays)


_DETAIL_COLUMNS = "file, line, ord, summary, sentence, label, annotation, relation, section"


def _details_reader(
    db: sqlite3.Connection,
) -> Callable[[Sequence[int] | None], dict[int, tuple[Any, ...]]]:
    """Fetch links' remaining fields by row number from the open graph file. The
    connection stays open with the graph: a later writer's rename cannot pull the file
    away from it, so what is read matches what the links came from."""
    lock = threading.Lock()

    def details(indices: Sequence[int] | None) -> dict[int, tuple[Any, ...]]:
        with lock:
            if indices is None:
                query = f"SELECT rowid, {_DETAIL_COLUMNS} FROM links ORDER BY rowid"
                return {row[0] - 1: row[1:] for row in db.execute(query)}
            out: dict[int, tuple[Any, ...]] = {}
            wanted = list(indices)
            for start in range(0, len(wanted), 900):
                chunk = [i + 1 for i in wanted[start : start + 900]]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT rowid, {_DETAIL_COLUMNS} FROM links WHERE rowid IN ({marks})"
                out.update((row[0] - 1, row[1:]) for row in db.execute(query, chunk))
            return out

    return details
