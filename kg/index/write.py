"""Write a built graph into the index folder as a new graph file, atomically.

A full build writes a new graph file under a temporary name, syncs it and renames it into
place, then writes the manifest that names it (also by a rename), so a reader sees the
old index or the new one, never a mix, and a kill leaves no half-written index in use.
Later edits update the file in place (`kg.index.update`, `kg.index.patch`). Only SQLite,
JSON and integer arrays are written; nothing is pickled.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import uuid
from array import array
from collections.abc import Iterable, Sequence
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

from kg.collector import collector_paused
from kg.graph.build import BuildState
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.tables import LinkColumns
from kg.index.rows import ENCODE, link_files, ranks, write_notes
from kg.index.stamps import (
    GRAPH,
    INDEX_KEY,
    LINKS,
    MANIFEST,
    remove_stale_temporaries,
    stamps_text,
)
from kg.io import write_atomic, write_atomic_with
from kg.model import Diagnostic
from kg.parse.corpus import FileStamp
from kg.text import normalize_title

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL,
                    stub INTEGER NOT NULL, truncated INTEGER NOT NULL, aliases TEXT,
                    data TEXT NOT NULL);
CREATE TABLE note_texts (id TEXT PRIMARY KEY, body TEXT, lines TEXT, properties TEXT);
CREATE TABLE link_files (first INTEGER PRIMARY KEY, file TEXT NOT NULL, count INTEGER NOT NULL,
                         data TEXT NOT NULL);
CREATE TABLE diagnostics (path TEXT, line INTEGER, severity TEXT, message TEXT, code TEXT,
                          phase INTEGER NOT NULL, position INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, note TEXT, identity TEXT NOT NULL,
                    events TEXT NOT NULL, created TEXT NOT NULL, title_key TEXT, claim_key TEXT,
                    stem TEXT);
CREATE TABLE texts (path TEXT PRIMARY KEY, folded TEXT NOT NULL);
CREATE TABLE build_keys (key TEXT PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE searched (title TEXT PRIMARY KEY, id TEXT NOT NULL, first TEXT NOT NULL);
"""
# Made after the rows are in: an index built at once costs less than one kept up row by row.
_INDEXES = """
CREATE INDEX files_by_note ON files (note);
CREATE INDEX files_by_title ON files (title_key);
CREATE INDEX build_keys_by_id ON build_keys (id);
CREATE INDEX searched_by_first ON searched (first);
CREATE INDEX link_files_by_file ON link_files (file);
"""
# Diagnostics by where they come from: reading a file ("parse"), deciding which pages make
# which note ("identity"), adding one file's declared links ("declared") or its running
# text's ("mentions"). An in-place update redoes all but "identity" for the files it
# re-reads; they are read back in the order a full build gives them (phase, file, seq).
PHASES = ("parse", "identity", "declared", "mentions")
# The link columns (kg.graph.tables.LinkColumns) saved as arrays of unsigned ints, so reopening
# a graph reads its adjacency whole instead of rebuilding it link by link.
ARRAY_COLUMNS = (
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
EXTRA_COLUMNS = ("rowids", "groups", "seqs")
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
    import numpy as np

    unknown = len(file_position)
    running, place = _RUNNING_TEXT, file_position.get
    codes = np.fromiter(
        (
            place(file, unknown) + (RUNNING_TEXT_GROUP if kind in running else 0)
            for kind, file in rows
        ),
        dtype=np.int64,
    )
    groups = array("I", codes.astype(np.uint32).tobytes())
    seqs = array("I", ranks(codes).astype(np.uint32).tobytes())
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
    # The collector held off, as while building: its passes over the graph's millions of
    # objects (none in cycles) cost more than the save itself.
    with collector_paused():
        _save(folder, graph, stamps, extra, state, parse_diagnostics)


def _save(
    folder: Path,
    graph: KnowledgeGraph,
    stamps: list[FileStamp],
    extra: dict[str, Any] | None,
    state: BuildState | None,
    parse_diagnostics: int,
) -> None:
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
            # the manifest names it; it is synced once, whole, before that rename. Large
            # pages: most rows are long (a note's body, a file's links).
            db.execute("PRAGMA page_size = 16384")
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(_SCHEMA)
            position = {s.path: i for i, s in enumerate(stamps)}
            meta = {
                "token": token,
                "files": str(graph.files),
                "stamps": stamps_text(stamps),
                "keys": ENCODE(graph.title_keys),
                "state": json.dumps(_state_json(state), ensure_ascii=False) if state else "",
                **{key: json.dumps(value) for key, value in (extra or {}).items()},
            }
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            notes = list(graph)
            write_notes(db, notes)
            # As `LinkRow` tuples (a build's links are): fields taken by C getters.
            rows = list(graph.link_table.rows())
            files = list(map(itemgetter(3), rows))
            table, rowids = link_files(files, list(map(itemgetter(slice(4, None)), rows)))
            db.executemany("INSERT INTO link_files VALUES (?, ?, ?, ?)", table)
            columns = graph.link_table.columns([n.id for n in notes])
            groups, seqs = link_order(zip(map(itemgetter(2), rows), files, strict=True), position)
            rowids = array("I", rowids.astype("uint32").tobytes())
            extras = {"rowids": rowids, "groups": groups, "seqs": seqs}
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
            db.executescript(_INDEXES)
            db.commit()
            # Later edits update this file in place, readers keeping their snapshot.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        finally:
            db.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        size = tmp.stat().st_size
        os.replace(tmp, folder / graph_name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    # Its size: a graph file cut short (a copy or disk that lost its end) is never read, even
    # where what opening reads lies before the cut. Edits in place never shrink it.
    manifest = {**INDEX_KEY, "token": token, "graph": graph_name, "size": size}
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

    arrays = [getattr(columns, name) for name in ARRAY_COLUMNS]
    arrays += [extras[name] for name in EXTRA_COLUMNS]
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
