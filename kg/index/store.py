"""The index folder (CORPUS/.kg/ by default): the built graph, saved so reopening is cheap.

A full build writes a new graph file under a temporary name and renames it into place,
then the manifest that names it, so a reader sees the old index or the new one, never a
mix. An edit updates the graph file in place (`kg.index.update`), in one SQLite
transaction in write-ahead-log mode: a kill leaves the old graph or the new one, and a
reader keeps the snapshot it opened. The graph file holds the stamps of the files it was
built from; stamps that do not match the corpus, or a damaged file, mean the index is
updated or rebuilt, never used as it is. Only SQLite, JSON and integer arrays are read
back; nothing is unpickled.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import threading
import uuid
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from kg.codec import note_from_json, note_to_json
from kg.graph.build import BuildState
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.tables import Header, LinkColumns, LinkTable, NoteTable
from kg.io import LOCK, write_atomic, write_atomic_with
from kg.model import Diagnostic, Note, NoteKind, Severity
from kg.parse.corpus import FileStamp
from kg.text import normalize_title

# 7: notes per Markdown file, attachments, tags, properties; 8: page copies, diagnostic codes;
# 10: updated in place (WAL), the corpus's file stamps and the build state inside the graph
# file, link columns in a file of their own; 11: Obsidian's rules read more closely (empty
# notes, %% comments, fences in callouts, links in properties): an older index is rebuilt;
# 12: the site's pages read more closely (older papers, snippets, notes joined across
# deployments by their body, each copy's description, card descriptions on their links,
# the items each list holds), Obsidian's accepted file formats and same-name rule
FORMAT_VERSION = 12
MANIFEST = "manifest.json"
LINKS = "links-"  # the prefix of link column files: links-<token>.npy
GRAPH = "graph.sqlite"  # the prefix of graph files: graph-<token>.sqlite


def index_dir(corpus: Path, index: Path | None = None) -> Path:
    """Where a corpus keeps its index: `index` if given, else CORPUS/.kg/."""
    if index is not None:
        return index
    return (corpus if corpus.is_dir() else corpus.parent) / ".kg"


def remove_stale_temporaries(folder: Path) -> None:
    """Delete what a killed writer left behind: temporary files, and graph files that the
    manifest does not name (call with the lock held, so no live writer owns them)."""
    for name in (GRAPH, MANIFEST, LINKS):
        for leftover in folder.glob(f".{name}*.tmp"):
            leftover.unlink(missing_ok=True)
    for old in _other_graph_files(folder):
        old.unlink(missing_ok=True)


def _other_graph_files(folder: Path) -> list[Path]:
    """Graph files (with their -wal and -shm companions) the manifest does not name, and
    link column files its graph file does not name."""
    manifest = read_manifest(folder)
    current = manifest.get("graph") if manifest else None
    keep = {f"{current}{suffix}" for suffix in ("", "-wal", "-shm")} if current else set()
    others = [p for p in folder.glob("graph-*.sqlite*") if p.name not in keep]
    links = current_links_file(folder / current) if current else None
    return others + [p for p in folder.glob(f"{LINKS}*.npy") if p.name != links]


def current_links_file(graph_file: Path) -> str | None:
    """The name of the link column file a graph file names (None when unreadable)."""
    try:
        db = sqlite3.connect(f"file:{graph_file}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'link_columns'").fetchone()
        finally:
            db.close()
        return str(json.loads(row[0])["file"]) if row else None
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None


def tidy(folder: Path) -> None:
    """Remove a killed writer's leftovers if there are any and no writer is at work now."""
    leftovers = _other_graph_files(folder)
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


def stamps_text(stamps: Sequence[FileStamp]) -> str:
    """The stamps as one string (fields and files apart by NUL, which no path holds):
    cheap to write and to compare with the files on disk.

    >>> from kg.parse.corpus import FileStamp
    >>> text = stamps_text([FileStamp("a.md", 3, 7), FileStamp("b c.txt", 10, 8)])
    >>> parse_stamps(text)
    [('a.md', 3, 7), ('b c.txt', 10, 8)]
    """
    last = _last_stamps_text
    if last and last[0] is stamps and last[1] == len(stamps):
        return last[2]  # one load asks several times for the same list (it is not changed)
    text = "\0".join(f"{s.path}\0{s.size}\0{s.mtime_ns}" for s in stamps)
    _last_stamps_text[:] = [stamps, len(stamps), text]
    return text


_last_stamps_text: list[Any] = []


def corpus_signature(stamps: str) -> str:
    """The signature the vector store and the search index record for a corpus whose
    files have these stamps (`stamps_text`): they are current when it matches."""
    from kg.embed.texts import signature_of

    return signature_of([FORMAT_VERSION, stamps])


def parse_stamps(text: str) -> list[tuple[str, int, int]]:
    """The (path, size, mtime_ns) triples `stamps_text` wrote."""
    fields = text.split("\0") if text else []
    return [
        (fields[i], int(fields[i + 1]), int(fields[i + 2])) for i in range(0, len(fields) - 2, 3)
    ]


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL,
                    stub INTEGER NOT NULL, truncated INTEGER NOT NULL, aliases TEXT NOT NULL,
                    data TEXT NOT NULL);
CREATE TABLE links (source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL,
                    file TEXT NOT NULL, line INTEGER NOT NULL, ord INTEGER, summary TEXT,
                    sentence TEXT, label TEXT, annotation TEXT, relation TEXT, section TEXT);
CREATE TABLE diagnostics (path TEXT, line INTEGER, severity TEXT, message TEXT, code TEXT,
                          phase INTEGER NOT NULL, position INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, note TEXT, identity TEXT NOT NULL,
                    events TEXT NOT NULL, created TEXT NOT NULL, title_key TEXT, claim_key TEXT,
                    stem TEXT);
CREATE INDEX files_by_note ON files (note);
CREATE INDEX files_by_title ON files (title_key);
CREATE TABLE texts (path TEXT PRIMARY KEY, folded TEXT NOT NULL);
CREATE TABLE build_keys (key TEXT PRIMARY KEY, id TEXT NOT NULL);
CREATE INDEX build_keys_by_id ON build_keys (id);
CREATE TABLE searched (title TEXT PRIMARY KEY, id TEXT NOT NULL, first TEXT NOT NULL);
CREATE INDEX searched_by_first ON searched (first);
"""
# Diagnostics by where they come from: reading a file ("parse"), deciding which pages make
# which note ("identity"), adding one file's declared links ("declared") or its running
# text's ("mentions"). An in-place update redoes all but "identity" for the files it
# re-reads; they are read back in the order a full build gives them (phase, file, seq).
PHASES = ("parse", "identity", "declared", "mentions")
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
# Kept beside them: each link's row in the links table (an in-place update leaves gaps) and
# its place in the order a full build adds links: by phase (declared lists, then running
# text), then by file, then in the order the file gave them (`link_order`).
_EXTRA_COLUMNS = ("rowids", "groups", "seqs")
_RUNNING_TEXT = frozenset({"mentions", "links", "embeds", "tagged"})
RUNNING_TEXT_GROUP = 1 << 24  # group = this (for running text's links) + the file's place


def link_order(
    rows: Iterable[tuple[str, str]], file_position: dict[str, int]
) -> tuple[array[int], array[int]]:
    """Each link's (group, seq) from its (kind, file): group = the file's place in the
    corpus, plus `RUNNING_TEXT_GROUP` for links found in running text (a full build adds
    them after every file's declared links); seq = its place among the links of its group.

    >>> groups, seqs = link_order([("source", "a"), ("mentions", "a"), ("source", "a")], {"a": 0})
    >>> list(groups) == [0, RUNNING_TEXT_GROUP, 0], list(seqs)
    (True, [0, 0, 1])
    """
    groups, seqs = array("I"), array("I")
    seen: dict[int, int] = {}
    unknown = len(file_position)
    for kind, file in rows:
        group = (RUNNING_TEXT_GROUP if kind in _RUNNING_TEXT else 0) + file_position.get(
            file, unknown
        )
        seq = seen.get(group, 0)
        seen[group] = seq + 1
        groups.append(group)
        seqs.append(seq)
    return groups, seqs


def diagnostic_order(
    diagnostics: Sequence[Diagnostic],
    state: BuildState | None,
    parse_count: int,
    file_position: dict[str, int],
) -> list[tuple[int, int, int]]:
    """Each of a built graph's diagnostics' (phase, file position, seq): the first
    `parse_count` come from reading files, then grouping's, then the links' (`PHASES`)."""
    bounds = (
        (
            parse_count,
            parse_count + state.identity_diagnostics,
            parse_count + state.mention_diagnostics,
        )
        if state is not None
        else (0, len(diagnostics), len(diagnostics))
    )
    out: list[tuple[int, int, int]] = []
    seen: dict[tuple[int, int], int] = {}
    for index, diagnostic in enumerate(diagnostics):
        phase = sum(index >= bound for bound in bounds)
        position = 0 if phase == 1 else file_position.get(diagnostic.path or "", -1)
        seq = seen.get((phase, position), 0)
        seen[(phase, position)] = seq + 1
        out.append((phase, position, seq))
    return out


def save_graph(
    folder: Path,
    graph: KnowledgeGraph,
    stamps: list[FileStamp],
    extra: dict[str, Any] | None = None,
    state: BuildState | None = None,
    parse_diagnostics: int = 0,
) -> None:
    """Save the graph as a new SQLite file, graph-<token>.sqlite, then the manifest that
    names it (written last, by a rename), then remove the graph file the old manifest
    named. At every moment the folder holds a whole index: the old manifest with its graph
    file, or the new manifest with the new one.

    `state` (from `kg.graph.build.build_with_state`) lets a later edit update the file in
    place; without it every change rebuilds. `parse_diagnostics` says how many of the
    graph's diagnostics came from reading the files (they come first)."""
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
            position = {s.path: i for i, s in enumerate(stamps)}
            meta = {
                "token": token,
                "files": str(graph.files),
                "stamps": stamps_text(stamps),
                "keys": json.dumps(graph.title_keys, ensure_ascii=False),
                "state": json.dumps(_state_json(state), ensure_ascii=False) if state else "",
                **{key: json.dumps(value) for key, value in (extra or {}).items()},
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            notes = list(graph)
            db.executemany(
                "INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)", (note_row(n) for n in notes)
            )
            rows = list(graph.link_table.rows())
            db.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            columns = graph.link_table.columns([n.id for n in notes])
            groups, seqs = link_order(((row[2], row[3]) for row in rows), position)
            extras = {"rowids": array("I", range(1, len(rows) + 1)), "groups": groups, "seqs": seqs}
            write_link_columns(db, columns, extras, folder, sync=True)
            order = diagnostic_order(graph.diagnostics, state, parse_diagnostics, position)
            db.executemany(
                "INSERT INTO diagnostics VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (d.path, d.line, d.severity.value, d.message, d.code, *key)
                    for d, key in zip(graph.diagnostics, order, strict=True)
                ),
            )
            if state is not None:
                db.executemany(
                    "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        file_row(
                            path,
                            state.note_of.get(path),
                            identity,
                            state.events.get(path, ""),
                            state.created.get(path, []),
                        )
                        for path, identity in state.identity.items()
                    ),
                )
                db.executemany("INSERT INTO texts VALUES (?, ?)", state.texts.items())
                db.executemany("INSERT INTO build_keys VALUES (?, ?)", state.by_key.items())
                db.executemany(
                    "INSERT INTO searched VALUES (?, ?, ?)",
                    ((t, i, opening(t)) for t, i in state.searched.items()),
                )
            # Found by file when an edit replaces one file's links.
            db.execute("CREATE INDEX links_by_file ON links (file)")
            db.commit()
            # Later edits update this file in place, readers keeping their snapshot.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        finally:
            db.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, folder / graph_name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    manifest = {"version": FORMAT_VERSION, "token": token, "graph": graph_name}
    write_atomic(folder / MANIFEST, json.dumps(manifest).encode("utf-8"))
    remove_stale_temporaries(folder)


_ALNUM_RUN = re.compile(r"[^\W_]+")


def opening(title: str) -> str:
    """A title's first two runs of letters and digits with what stands between them (its
    first run alone when it has one): found at word boundaries in running text, a title
    shows this opening as two neighbouring runs there (see `openings`).

    >>> opening("(Why) does scaling work?"), opening("Self-play"), opening("--")
    ('Why) does', 'Self-play', '')
    """
    runs = list(_ALNUM_RUN.finditer(title))
    if not runs:
        return ""
    return title[runs[0].start() : runs[min(1, len(runs) - 1)].end()]


def openings(text: str) -> set[str]:
    """Every run of letters and digits in `text`, and every stretch from one run's start to
    the next run's end: a superset of the `opening` of any title found in `text`.

    >>> sorted(openings("Why scaling, again"))
    ['Why', 'Why scaling', 'again', 'scaling', 'scaling, again']
    """
    runs = list(_ALNUM_RUN.finditer(text))
    found = {run.group() for run in runs}
    found.update(text[a.start() : b.end()] for a, b in pairwise(runs))
    return found


def file_row(
    path: str, note: str | None, identity: str, events: str, created: Sequence[Sequence[str]]
) -> tuple[Any, ...]:
    """A row of the files table: what an in-place update needs to know of one file."""
    _kind, variant, title, _line, claim = json.loads(identity)[:5]
    stem = path.rpartition("/")[2].rpartition(".")[0].casefold() if variant == "markdown" else None
    return (
        path,
        note,
        identity,
        events,
        json.dumps([list(c) for c in created], ensure_ascii=False),
        normalize_title(title) if title else None,
        normalize_title(claim) if claim and variant != "markdown" else None,
        stem,
    )


def note_row(note: Note) -> tuple[Any, ...]:
    """A note as a row of the notes table."""
    return (
        note.id,
        note.title,
        note.kind.value,
        int(note.stub),
        int(note.truncated),
        json.dumps(list(note.aliases)),
        json.dumps(note_to_json(note), ensure_ascii=False),
    )


def write_link_columns(
    db: sqlite3.Connection,
    columns: LinkColumns,
    extras: dict[str, array[int]],
    folder: Path,
    sync: bool,
) -> str:
    """Write the link columns, and each link's row and order (`link_order`), to a new file
    links-<token>.npy beside the graph file, and name it in the graph file's meta table
    (in the caller's transaction, so the graph names the old file or the whole new one).
    Returns the new file's name.

    They live outside SQLite because an edit rewrites them whole: written once as a plain
    file they cost a fraction of what the same bytes cost in the database's log.
    """
    import numpy as np

    arrays = [getattr(columns, name) for name in _ARRAY_COLUMNS]
    arrays += [extras[name] for name in _EXTRA_COLUMNS]
    lengths = [len(values) for values in arrays]
    flat = np.concatenate([np.frombuffer(array("I", v), dtype=np.uint32) for v in arrays])
    name = f"{LINKS}{uuid.uuid4().hex}.npy"
    if sync:
        write_atomic_with(folder / name, lambda handle: np.save(handle, flat, allow_pickle=False))
    else:  # an in-place update: its transaction, not a sync, keeps it whole against a kill
        tmp = folder / f".{name}.tmp"
        with open(tmp, "wb") as handle:
            np.save(handle, flat, allow_pickle=False)
        os.replace(tmp, folder / name)
    layout = {"file": name, "lengths": lengths, "kind_names": columns.kind_names}
    db.execute("INSERT OR REPLACE INTO meta VALUES ('link_columns', ?)", (json.dumps(layout),))
    return name


def _state_json(state: BuildState) -> dict[str, Any]:
    return {
        "hub_counts": state.hub_counts,
        "tags": state.tags,
        "attachment_nodes": state.attachment_nodes,
        "markdown_paths": state.markdown_paths,
        "attachments": state.attachments,
    }


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

    def matches(self, stamps: list[FileStamp]) -> bool:
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
            headers = read_headers(db)
            columns, extras = read_link_columns(db, self.meta, list(headers), self.path.parent)
            diagnostics = read_diagnostics(db)
            links = LinkTable.from_columns(columns, details_reader(db, extras["rowids"]))
        except (OSError, ValueError, KeyError, sqlite3.Error):
            return None
        notes = NoteTable(headers, note_reader(db))
        notes.read_tags, notes.read_dates = tags_and_dates_readers(db)
        graph = KnowledgeGraph(
            notes,
            links,
            diagnostics,
            files=int(self.meta.get("files", 0)),
            root=root,
            keys=self.title_keys(),
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
    if not path.exists():
        return False  # a writer replaced the index between our two reads: try again
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


def load_graph(folder: Path, stamps: list[FileStamp], root: Path) -> KnowledgeGraph | None:
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


def read_headers(db: sqlite3.Connection) -> dict[str, Header]:
    """Every note's header (title, kind, stub, truncated, aliases) by id, in saved order."""
    return {
        note_id: (
            title,
            NoteKind(kind),
            bool(stub),
            bool(truncated),
            tuple(json.loads(aliases)) if aliases != "[]" else (),
        )
        for note_id, title, kind, stub, truncated, aliases in db.execute(
            "SELECT id, title, kind, stub, truncated, aliases FROM notes ORDER BY id"
        )
    }


def note_reader(db: sqlite3.Connection) -> Callable[[str], Note]:
    """Decode one note from the open graph file when it is first asked for (the connection
    keeps its snapshot, so every note comes from the same version of the index)."""
    lock = threading.Lock()

    def read(note_id: str) -> Note:
        with lock:
            row = db.execute("SELECT data FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise KeyError(note_id)
        return note_from_json(json.loads(row[0]))

    return read


def tags_and_dates_readers(
    db: sqlite3.Connection,
) -> tuple[Callable[[], dict[str, tuple[str, ...]]], Callable[[], dict[str, str]]]:
    """Readers of every tagged note's tags and every dated note's date (ISO text) from the
    open graph file, no note decoded. One query answers both: each note's JSON is parsed
    once (the corpus's figures want the tags and the overview the dates: at 40,000 notes
    0.5 s instead of twice that), the answer the caller did not ask for kept until asked."""
    lock = threading.Lock()
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
    flat = np.load(folder / name, allow_pickle=False)
    lengths = [int(n) for n in layout["lengths"]]
    names = _ARRAY_COLUMNS + _EXTRA_COLUMNS
    if flat.dtype != np.uint32 or flat.ndim != 1 or len(lengths) != len(names):
        raise ValueError("link columns of another layout")
    if sum(lengths) != len(flat):
        raise ValueError("link columns of another length")
    arrays: dict[str, array[int]] = {}
    start = 0
    for column, length in zip(names, lengths, strict=True):
        arrays[column] = array("I", flat[start : start + length].tobytes())
        start += length
    extras = {column: arrays.pop(column) for column in _EXTRA_COLUMNS}
    if any(len(values) != len(arrays["sources"]) for values in extras.values()):
        raise ValueError("the saved link rows do not fit the link columns")
    columns = LinkColumns(note_ids=note_ids, kind_names=list(layout["kind_names"]), **arrays)
    return columns, extras


_DETAIL_COLUMNS = "file, line, ord, summary, sentence, label, annotation, relation, section"


def details_reader(
    db: sqlite3.Connection, rowids: Sequence[int]
) -> Callable[[Sequence[int] | None], dict[int, tuple[Any, ...]]]:
    """Fetch links' remaining fields by link number from the open graph file. The
    connection keeps its read transaction with the graph: a later in-place update or a
    writer's rename cannot change what it reads, so the details match the links."""
    lock = threading.Lock()

    def details(indices: Sequence[int] | None) -> dict[int, tuple[Any, ...]]:
        with lock:
            number = {rowid: i for i, rowid in enumerate(rowids)} if indices is None else None
            if number is not None:
                query = f"SELECT rowid, {_DETAIL_COLUMNS} FROM links"
                return {number[row[0]]: row[1:] for row in db.execute(query) if row[0] in number}
            out: dict[int, tuple[Any, ...]] = {}
            wanted = list(indices or ())
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                by_row = {rowids[i]: i for i in chunk}
                marks = ",".join("?" * len(chunk))
                query = f"SELECT rowid, {_DETAIL_COLUMNS} FROM links WHERE rowid IN ({marks})"
                out.update((by_row[row[0]], row[1:]) for row in db.execute(query, list(by_row)))
            return out

    return details
