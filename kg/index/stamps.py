"""The index folder's files (CORPUS/.kg/ by default) and the stamps that say whether it
is current.

The folder holds a manifest (``manifest.json``), which names the current graph file
(``graph-<token>.sqlite``, `kg.index.write`), which in turn names its link column file
(``links-<token>.npy``). The graph file records the stamps (path, size, modification
time) of the files it was built from; `stamps_text` writes them as one string, so
comparing them with the corpus on disk is one string comparison, and `corpus_signature`
turns them into the signature the vectors and the search index record. A killed writer's
leftovers (temporary files, graph files no manifest names) are removed under the index
lock (`remove_stale_temporaries`, `tidy`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from kg.io import LOCK
from kg.parse import PARSE_VERSION
from kg.parse.corpus import FileStamp, ScannedFiles

# 10: updated in place (WAL), the corpus's file stamps and the build state inside the graph
# file, link columns in a file of their own; 11: Obsidian's rules read more closely (empty
# notes, %% comments, fences in callouts, links in properties): an older index is rebuilt;
# 12: the site's pages read more closely (older papers, snippets, notes joined across
# deployments by their body, each copy's description, card descriptions on their links,
# the items each list holds), Obsidian's accepted file formats and same-name rule; 13: notes'
# bodies and properties in columns of their own, a file's link fields in one row (kg.index.rows).
# Bump it when the index's files change shape; a change of what the parser gives bumps
# `kg.parse.PARSE_VERSION` instead. Both are the index's key (`INDEX_KEY`): the manifest
# records them, and an index that does not match either is rebuilt (vectors are kept).
FORMAT_VERSION = 13
INDEX_KEY = {"version": FORMAT_VERSION, "parse": PARSE_VERSION}
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
    if not isinstance(data, dict):
        return None
    # A manifest of before `kg.parse.PARSE_VERSION` names no parser: the first one's.
    key = {"version": data.get("version"), "parse": data.get("parse", 1)}
    return data if key == INDEX_KEY else None


def stamps_text(stamps: Sequence[FileStamp]) -> str:
    """The stamps as one string (fields and files apart by NUL, which no path holds):
    cheap to write and to compare with the files on disk.

    >>> from kg.parse.corpus import FileStamp, ScannedFiles
    >>> text = stamps_text([FileStamp("a.md", 3, 7), FileStamp("b c.txt", 10, 8)])
    >>> parse_stamps(text)
    [('a.md', 3, 7), ('b c.txt', 10, 8)]
    >>> from kg.parse.corpus import ScannedFiles
    >>> stamps_text(ScannedFiles(["a.md", "b c.txt"], [3, 10], [7, 8])) == text
    True
    """
    last = _last_stamps_text
    if last and last[0] is stamps and last[1] == len(stamps):
        return last[2]  # one load asks several times for the same list (it is not changed)
    if isinstance(stamps, ScannedFiles):  # columns: joined in C loops, no FileStamp made
        text = "\0".join(map("{}\0{}\0{}".format, stamps.paths, stamps.sizes, stamps.mtimes))
    else:
        text = "\0".join(f"{s.path}\0{s.size}\0{s.mtime_ns}" for s in stamps)
    _last_stamps_text[:] = [stamps, len(stamps), text]
    return text


_last_stamps_text: list[Any] = []


def corpus_signature(stamps: str) -> str:
    """The signature the vector store and the search index record for a corpus whose
    files have these stamps (`stamps_text`): they are current when it matches."""
    from kg.embed.texts import signature_of

    return signature_of([FORMAT_VERSION, PARSE_VERSION, stamps])


def parse_stamps(text: str) -> list[tuple[str, int, int]]:
    """The (path, size, mtime_ns) triples `stamps_text` wrote."""
    fields = text.split("\0") if text else []
    return [
        (fields[i], int(fields[i + 1]), int(fields[i + 2])) for i in range(0, len(fields) - 2, 3)
    ]
