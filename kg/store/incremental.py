"""Cut only the files whose graph can have changed since the last push, and build a few
files' graphs without building the whole corpus's.

Every file has a *source key*: a hash of what the index says decided its notes and links
(its stamp, its identity, the hash of its build events, the nodes it made first, its note;
`kg.graph.build.BuildState`). A push keeps, in the index folder, each file's key, the hash of
its graph, its note and its *partners* (the files one of whose links makes a triple one of
its links makes too: the triple goes to the first such link's file). The next push
re-partitions the files whose key changed, that appeared or went, the other files of their
notes, their partners old and new (until no new partner turns up), and the graph of the
notes no file holds; every other file keeps its hash. A corpus opened without an index, or
an index that moved on since the graph was read, is partitioned whole.

`partition_files` builds some files' graphs from the notes and links that decide them: the
files' notes, every link that makes a triple about one of the subjects their graphs hold,
and the notes at those links' ends, in the corpus's order, cut by the same code as the
whole corpus (`kg.store.partition.cut`), so each graph is byte for byte the one a whole
partition gives (tests/test_store_incremental.py checks it after random edits).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.export.mapping import LINK_PROPERTIES
from kg.export.subgraph import SubGraph
from kg.export.triples import _iri_part
from kg.model import LinkKind, NoteKind
from kg.parse.corpus import MARKDOWN_SUFFIXES, PAGE_SUFFIXES
from kg.store.partition import (
    SHARED,
    Cut,
    FileGraph,
    corpus_texts,
    cut,
    read_text,
    stored_subgraph,
)

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

STATE_FILE = "store-push.json"
STATE_VERSION = 1
WHOLE = 0.25  # re-partition the whole corpus when more than this share of files changed
GROUP = 400  # files cut at a time when the whole corpus is
_INVERSE = frozenset(kind.value for kind, m in LINK_PROPERTIES.items() if m.inverse)
_SOURCE = LinkKind.SOURCE.value


@dataclass
class IndexView:
    """What the index the graph was read from says about its files: each file's source
    `keys` and `note` (None for a file that makes no note), and where its links are."""

    keys: dict[str, str]
    note: dict[str, str | None]
    _links: Any = None  # (folder, rowid -> link number) for a graph read from the index
    _empty: list[int] = field(default_factory=list)

    def links_written_in(self, g: KnowledgeGraph, paths: Collection[str]) -> list[int]:
        """The numbers of the links written in `paths`, and of those written in no file."""
        if self._links is None:  # built in this process: every link is at hand
            return [i for i, link in enumerate(g.links) if link.file in paths or not link.file]
        import sqlite3

        from kg.index.read import rows_of_files

        graph_file, number = self._links
        wanted = sorted(p for p in paths if p != SHARED)
        found = list(self._empty)
        db = sqlite3.connect(f"file:{graph_file}?mode=ro", uri=True)
        try:
            found += [number[rowid] for rowid in rows_of_files(db, wanted)]
        finally:
            db.close()
        return sorted(set(found))


def index_view(g: KnowledgeGraph) -> IndexView | None:
    """The `IndexView` of the index `g` was read from; None when `g` has no index or the
    index no longer holds the graph `g` is (it was updated since)."""
    from kg.index.read import open_index, read_link_columns, rows_of_files
    from kg.index.stamps import corpus_signature

    folder = getattr(g, "index_folder", None)
    if folder is None or not g.index_signature:
        return None
    saved = open_index(Path(folder))
    if saved is None:
        return None
    try:
        if corpus_signature(saved.meta.get("stamps", "")) != g.index_signature:
            return None
        stamps = {path: (size, mtime) for path, size, mtime in saved.stamps}
        keys: dict[str, str] = {}
        notes: dict[str, str | None] = {}
        rows = saved.db.execute("SELECT path, note, identity, events, created FROM files")
        for path, note, identity, events, created in rows:
            text = f"{stamps.get(path)}\x1f{note}\x1f{identity}\x1f{events}\x1f{created}"
            keys[path] = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
            notes[path] = note
        # Files that make no note, and a vault's attachments, each the home of its node.
        state = json.loads(saved.meta.get("state") or "{}")
        attachment_nodes: dict[str, str] = state.get("attachment_nodes", {})
        for path, stamp in stamps.items():
            if path in keys:
                continue
            if _is_page(path):
                notes[path] = None
            elif (node := attachment_nodes.get(path.casefold())) is not None:
                notes[path] = node
            else:
                continue
            keys[path] = hashlib.blake2b(repr(stamp).encode(), digest_size=12).hexdigest()
        view = IndexView(keys, notes)
        if getattr(g, "from_index", False):
            _, extras = read_link_columns(
                saved.db, saved.meta, list(g.note_table), saved.path.parent
            )
            rowids = extras["rowids"]
            if len(rowids) != len(g.link_table):
                return None
            number = {rowid: i for i, rowid in enumerate(rowids)}
            view._links = (saved.path, number)
            view._empty = [number[rowid] for rowid in rows_of_files(saved.db, [""])]
        return view
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None
    finally:
        saved.close()


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.lower().endswith(PAGE_SUFFIXES + MARKDOWN_SUFFIXES) and name != "README.md"


def partition_files(
    g: KnowledgeGraph, paths: Iterable[str], view: IndexView, root: Path | None = None
) -> Cut:
    """The graphs of `paths` (`SHARED` for the notes no file holds), each exactly as the
    whole corpus's partition (`kg.store.partition.partition`) gives it.

    Parameters
    ----------
    g
        The graph.
    paths
        The files (corpus paths) whose graphs to build.
    view
        The index's view of `g`'s files (`index_view`).
    root
        The corpus folder the texts are read from (default ``g.root``).

    Returns
    -------
    Cut
        The graphs, and each built file's partners.
    """
    wanted = set(paths)
    notes = g.note_table
    links = g.link_table
    made = {n for n in view.note.values() if n is not None}
    homed: set[str] = {n for p in wanted if (n := view.note.get(p)) is not None and n in notes}
    if SHARED in wanted:
        homed |= {i for i in notes if i not in made}
    written = view.links_written_in(g, wanted)
    links.prefetch(written)
    # Each subject's triples that go to these files: every link at a subject they hold,
    # and at any other subject the links that make a triple one of theirs makes (the
    # same subject, property and other end), which decide whose file it goes to.
    others: dict[str, set[str]] = {}
    for i in written:
        link = links.get(i)
        inverse = link.kind.value in _INVERSE
        subject, other = (link.target, link.source) if inverse else (link.source, link.target)
        others.setdefault(subject, set()).add(_iri_part(other))
        if link.kind is LinkKind.SOURCE:
            others.setdefault(link.source, set()).add(_iri_part(link.target))
    chosen = set(written)
    for note_id in homed | set(others):
        near = None if note_id in homed else others[note_id]
        for i in links.out.get(note_id, ()):
            kind = links.kind(i)
            if (kind not in _INVERSE or kind == _SOURCE) and (
                near is None or _iri_part(links.ends(i)[1]) in near
            ):
                chosen.add(i)
        for i in links.into.get(note_id, ()):
            if links.kind(i) in _INVERSE and (near is None or _iri_part(links.ends(i)[0]) in near):
                chosen.add(i)
    subjects = homed | set(others)
    order = sorted(chosen)
    links.prefetch(order)
    picked = [links.get(i) for i in order]
    ends = set(subjects)
    for link in picked:
        ends.add(link.source)
        ends.add(link.target)
    position = {note_id: i for i, note_id in enumerate(notes)}
    kept = [notes[i] for i in sorted(ends, key=position.__getitem__)]
    names = sorted({name for note in kept for name in note.categories})
    categories: dict[str, str] = {}
    for name in names:
        found = g.find(name)
        if found is not None and found.kind is NoteKind.CATEGORY:
            categories[name] = found.id
    sub = SubGraph(kept, picked, categories=categories)
    base = Path(root or g.root or ".")
    texts = {p: None if p == SHARED else read_text(base / p) for p in wanted}
    return cut(sub, texts, only=wanted)


@dataclass(frozen=True)
class Plan:
    """What a push starts from: every file's graph `hashes` (by path), the `graphs` built
    to know them (the files whose graph could have changed; all of them when the corpus was
    cut whole, unless they were handed to `plan`'s `each` instead), the `state` to keep for
    the next push, and whether the corpus was cut `whole`."""

    hashes: dict[str, str]
    graphs: dict[str, FileGraph]
    state: dict[str, Any]
    whole: bool


def state_path(g: KnowledgeGraph) -> Path | None:
    """Where a push keeps its state for `g`'s corpus (None when `g` has no index)."""
    folder = getattr(g, "index_folder", None)
    return None if folder is None else Path(folder) / STATE_FILE


def read_state(path: Path | None) -> dict[str, Any] | None:
    """The state the last push kept (None when there is none usable)."""
    if path is None:
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    files = state.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(entry, list) and len(entry) == 4 and isinstance(entry[3], list)
        for entry in files.values()
    ):
        return None
    return state


def write_state(path: Path | None, state: dict[str, Any]) -> None:
    """Keep `state` for the next push (atomically; a failure to write costs speed only)."""
    from kg.io import write_atomic

    if path is None:
        return
    with contextlib.suppress(OSError):
        write_atomic(path, json.dumps(state, separators=(",", ":")).encode("utf-8"))


def plan(
    g: KnowledgeGraph,
    state: dict[str, Any] | None,
    each: Callable[[dict[str, FileGraph]], None] | None = None,
    group: int = GROUP,
) -> Plan:
    """Every file's graph hash, cutting again only the files whose graph can have changed
    since `state` (the whole corpus without a usable state or index).

    Parameters
    ----------
    g
        The graph.
    state
        What the last plan kept (`Plan.state`), or None.
    each
        Called with the graphs cut, as soon as they are cut: the whole corpus of a graph
        with an index is cut `group` files at a time, so a push can send some while it
        cuts the next (such graphs are then not kept in `Plan.graphs`).
    group
        How many files to cut at a time when cutting the whole corpus.

    Returns
    -------
    Plan
    """
    view = index_view(g)
    if view is None:
        return _whole(g, view, each)
    old: dict[str, list[Any]] = state["files"] if state is not None else {}
    current = set(view.keys) | {SHARED}
    changed = {p for p in current if p != SHARED and (p not in old or old[p][0] != view.keys[p])}
    removed = set(old) - current
    if state is None or len(changed) + len(removed) > WHOLE * len(current):
        return _in_groups(g, view, each, group)
    by_note: dict[str, set[str]] = {}
    for path, note in view.note.items():
        if note is not None:
            by_note.setdefault(note, set()).add(path)
    old_by_note: dict[str, set[str]] = {}
    for path, entry in old.items():
        if entry[2] is not None:
            old_by_note.setdefault(entry[2], set()).add(path)

    def widen(seeds: set[str]) -> set[str]:
        grown = set(seeds)
        for path in seeds:
            note = view.note.get(path)
            if note is not None:
                grown |= by_note.get(note, set())
            entry = old.get(path)
            if entry is not None:
                if entry[2] is not None:
                    grown |= old_by_note.get(entry[2], set())
                grown |= set(entry[3])
        return grown

    todo = widen(changed | removed) | {SHARED}
    while True:
        build = todo & current
        result = partition_files(g, build, view)
        new = {q for p in build for q in result.partners.get(p, ())} - todo
        if not new:
            break
        todo |= widen(new)
    if each is not None:
        each(result.graphs)
    hashes = {
        p: result.graphs[p].hash if p in result.graphs else old[p][1] for p in sorted(current)
    }
    files = {
        p: [
            view.keys.get(p, ""),
            hashes[p],
            view.note.get(p),
            sorted(result.partners.get(p, ())) if p in result.graphs else old[p][3],
        ]
        for p in hashes
    }
    return Plan(hashes, result.graphs, {"version": STATE_VERSION, "files": files}, False)


def _in_groups(
    g: KnowledgeGraph,
    view: IndexView,
    each: Callable[[dict[str, FileGraph]], None] | None,
    group: int,
) -> Plan:
    """The whole corpus, cut `group` files at a time (each graph as a whole cut gives it)."""
    paths = sorted(set(view.keys) | {SHARED})
    hashes: dict[str, str] = {}
    kept: dict[str, FileGraph] = {}
    files: dict[str, list[Any]] = {}
    for start in range(0, len(paths), max(1, group)):
        result = partition_files(g, paths[start : start + group], view)
        for p, graph in result.graphs.items():
            hashes[p] = graph.hash
            files[p] = [view.keys.get(p, ""), graph.hash, view.note.get(p)]
            files[p].append(sorted(result.partners.get(p, ())))
        if each is not None:
            each(result.graphs)
        else:
            kept.update(result.graphs)
    state = {"version": STATE_VERSION, "files": dict(sorted(files.items()))}
    return Plan(dict(sorted(hashes.items())), kept, state, True)


def _whole(
    g: KnowledgeGraph,
    view: IndexView | None,
    each: Callable[[dict[str, FileGraph]], None] | None = None,
) -> Plan:
    whole = cut(stored_subgraph(g), corpus_texts(g.root))
    if each is not None:
        each(whole.graphs)
    hashes = {p: f.hash for p, f in whole.graphs.items()}
    keys = view.keys if view is not None else {}
    notes = view.note if view is not None else {}
    files = {
        p: [keys.get(p, ""), h, notes.get(p), sorted(whole.partners.get(p, ()))]
        for p, h in hashes.items()
    }
    state = {"version": STATE_VERSION, "files": files}
    return Plan(hashes, whole.graphs, state, True)
