"""Update an index in place for the files that changed, instead of building it again.

A full build (`kg.graph.build.build_with_state`) records, for every file, its identity
(what decides which pages make one note and its id) and a hash of its events (every title
it looked up and what it found, every stub, tag and attachment it made). When files change
but keep their identity, only they (and the other files of their notes) are parsed again:
their links are replayed against the state the build left, and if every replayed file
reaches the rest of the corpus exactly as before (same events), nothing outside their own
notes, links and diagnostics can differ from a full rebuild. Then the graph file is
updated in one SQLite transaction. Anything else (a changed title or claim, a new or
dropped stub, a file added or removed) is a full rebuild, and `IndexUpdate.reason` says
why.

The property test in tests/test_incremental.py checks the claim: after random edits, the
graph updated in place equals a full rebuild note by note and link by link.
"""

from __future__ import annotations

import json
import re
import time
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.graph.build import (
    GraphBuilder,
    collector_paused,
    events_hash,
    group_note,
    page_identity,
)
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.merge import once_per_note, page_order
from kg.graph.tables import Header, LinkColumns, LinkTable, NoteTable
from kg.graph.vault import VaultIndex, VaultLinker
from kg.index.store import (
    PHASES,
    SavedIndex,
    details_reader,
    link_order,
    note_reader,
    note_row,
    read_diagnostics,
    read_headers,
    read_link_columns,
    stamps_key,
    write_link_columns,
)
from kg.model import Diagnostic, LinkRow, Note, Page
from kg.parse.corpus import MARKDOWN_SUFFIXES, PAGE_SUFFIXES, FileStamp, parse_file
from kg.text import TitleMatcher, fold

if TYPE_CHECKING:
    from kg.config import Config


@dataclass(frozen=True)
class IndexUpdate:
    """What opening a corpus did to its index.

    Attributes
    ----------
    mode : str
        "reused" (nothing changed), "updated" (in place, for the files that changed) or
        "rebuilt" (every file read again).
    changed, added, removed : tuple of str
        The files (as shown) that changed, appeared or disappeared since the index.
    files_read : int
        How many files were parsed.
    notes : int
        How many notes were made again ("updated": only the changed files' notes).
    links_removed, links_added : int
        Links taken out and put in ("updated" only).
    seconds : float
        How long it took.
    reason : str
        Why the index was rebuilt rather than updated ("" otherwise).
    """

    mode: str
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    files_read: int = 0
    notes: int = 0
    links_removed: int = 0
    links_added: int = 0
    seconds: float = 0.0
    reason: str = ""

    def describe(self) -> str:
        """One line for a person: what changed and what kg did about it.

        >>> IndexUpdate("updated", changed=("a.md",), files_read=1, notes=1,
        ...             links_removed=3, links_added=4, seconds=0.21).describe()
        '1 file changed: updated in place in 0.21 s (1 file read, 1 note remade, links -3 +4)'
        """
        parts = []
        for count, what in (
            (len(self.changed), "changed"),
            (len(self.added), "added"),
            (len(self.removed), "removed"),
        ):
            if count:
                parts.append(f"{count} file{'s' if count != 1 else ''} {what}")
        said = ", ".join(parts) or "no file changed"
        read = f"{self.files_read} file{'s' if self.files_read != 1 else ''} read"
        if self.mode == "updated":
            return (
                f"{said}: updated in place in {self.seconds:.2f} s ({read}, "
                f"{self.notes} note{'s' if self.notes != 1 else ''} remade, "
                f"links -{self.links_removed} +{self.links_added})"
            )
        if self.mode == "rebuilt":
            why = f" ({self.reason})" if self.reason else ""
            return f"{said}: rebuilt in {self.seconds:.2f} s, {read}{why}"
        return f"{said}: index reused"


class NotLocal(Exception):
    """The change reaches beyond the files that changed: rebuild instead (the message says
    why)."""


def file_changes(
    saved: SavedIndex, stamps: Sequence[FileStamp]
) -> tuple[list[str], list[str], list[str]]:
    """(changed, added, removed) paths between the index's stamps and these."""
    old = {row[0]: row for row in saved.stamps}
    new = {s.path: [s.path, s.size, s.mtime_ns] for s in stamps}
    changed = [p for p, row in new.items() if p in old and old[p] != row]
    added = [p for p in new if p not in old]
    removed = [p for p in old if p not in new]
    return changed, added, removed


def update_in_place(
    saved: SavedIndex, root: Path, config: Config, stamps: list[FileStamp]
) -> tuple[KnowledgeGraph | None, IndexUpdate]:
    """Bring the open index `saved` up to date with the files (`stamps`) in place.

    Returns the updated graph and what was done, or (None, why not) when the change
    reaches beyond the changed files and the index must be rebuilt. The caller holds the
    index lock.
    """
    started = time.perf_counter()
    changed, added, removed = file_changes(saved, stamps)
    summary = IndexUpdate("rebuilt", tuple(changed), tuple(added), tuple(removed))
    try:
        if added or removed:
            raise NotLocal("files were added or removed")
        with collector_paused():
            graph, done = _update(saved, root, config, stamps, changed)
    except NotLocal as why:
        return None, IndexUpdate(
            "rebuilt", tuple(changed), tuple(added), tuple(removed), reason=str(why)
        )
    return graph, IndexUpdate(
        "updated",
        summary.changed,
        files_read=done["files_read"],
        notes=done["notes"],
        links_removed=done["links_removed"],
        links_added=done["links_added"],
        seconds=time.perf_counter() - started,
    )


@dataclass
class _FileRecord:
    path: str
    note: str | None
    identity: str
    events: str
    created: list[list[str]] = field(default_factory=list)


_ALNUM_RUN = re.compile(r"[^\W_]+")


def candidate_titles(searched: dict[str, str], pages: Sequence[Page]) -> dict[str, str]:
    """The searched titles (folded title -> id) that can occur in these pages' running text:
    those whose first run of letters and digits is a whole run of the text. A title found
    at word boundaries has its first run whole in the text, so none is lost; the automaton
    built over the few left costs nothing next to one over every title.

    >>> from kg.model import Page, NoteKind, Paragraph
    >>> page = Page("a.txt", NoteKind.SYNTHESIS, "main", "A", body=(Paragraph("Why scaling works, again.", 3),))
    >>> candidate_titles({"Why scaling works": "w", "Whyever not at all": "x"}, [page])
    {'Why scaling works': 'w'}
    """
    runs: set[str] = set()
    for page in pages:
        for paragraph in page.body:
            runs.update(_ALNUM_RUN.findall(fold(paragraph.text)))
    out: dict[str, str] = {}
    for title, note_id in searched.items():
        first = _ALNUM_RUN.search(title)
        if first is None or first.group() in runs:
            out[title] = note_id
    return out


def _records(db: Any, column: str, values: Sequence[str]) -> list[_FileRecord]:
    out: list[_FileRecord] = []
    for start in range(0, len(values), 900):
        chunk = list(values[start : start + 900])
        marks = ",".join("?" * len(chunk))
        query = (
            f"SELECT path, note, identity, events, created FROM files WHERE {column} IN ({marks})"
        )
        for path, note, identity, events, created in db.execute(query, chunk):
            out.append(_FileRecord(path, note, identity, events, json.loads(created)))
    return out


def _update(
    saved: SavedIndex,
    root: Path,
    config: Config,
    stamps: list[FileStamp],
    changed: list[str],
) -> tuple[KnowledgeGraph, dict[str, int]]:
    db = saved.db
    state = saved.state()
    if state is None:
        raise NotLocal("the index was saved without what an update needs")
    suffixes = {*PAGE_SUFFIXES, *MARKDOWN_SUFFIXES}
    if any(Path(path).suffix.lower() not in suffixes for path in changed):
        raise NotLocal("an attachment changed")
    first = {r.path: r for r in _records(db, "path", changed)}
    if len(first) != len(changed):
        raise NotLocal("a changed file made nothing the index can replay")
    touched = sorted({r.note for r in first.values() if r.note})
    records = {r.path: r for r in _records(db, "note", touched)} | first
    position = {s.path: i for i, s in enumerate(stamps)}
    replayed = sorted(records, key=lambda path: position[path])

    pages: dict[str, Page] = {}
    problems: dict[str, list[Diagnostic]] = {}
    for path in replayed:
        page, found = parse_file(root / path, root, config, path)
        if page is None or page_identity(page) != records[path].identity:
            raise NotLocal(f"{path}: its title, claim, aliases or hubs changed")
        pages[path] = page
        problems[path] = found

    headers = read_headers(db)
    builder = _replay_builder(db, state, records, headers)
    for path in replayed:
        page = pages[path]
        if page.title:
            builder.begin(page)
            builder.add_declared_links(page)
    declared_end = len(builder.diagnostics)
    replay = [pages[p] for p in replayed]
    builder.add_mentions(replay, TitleMatcher(candidate_titles(state["searched"], replay)))
    for path in replayed:
        record = records[path]
        if (
            events_hash(builder.records.get(path, ())) != record.events
            or [list(c) for c in builder.created.get(path, [])] != record.created
        ):
            raise NotLocal(f"{path} now links to notes, stubs or tags it did not reach before")

    notes: dict[str, Note] = {}
    hub_keys = set(state["hub_keys"])
    for note_id in touched:
        files = [path for path in replayed if records[path].note == note_id]
        group = sorted((pages[path] for path in files), key=page_order)
        note = group_note(group, note_id, hub_keys)
        if (note.title, note.kind, note.stub, note.truncated, note.aliases) != headers[note_id]:
            raise NotLocal(f"the note {note.title!r} changed kind or title")
        notes[note_id] = note
    rows = once_per_note(notes, builder.links)
    diagnostics = [(d, 0) for path in replayed for d in problems[path]] + [
        (d, 2 if i < declared_end else 3) for i, d in enumerate(builder.diagnostics)
    ]

    removed_links, columns, extras = _write(
        db, saved.meta, stamps, replayed, notes, rows, diagnostics, headers
    )
    graph = _reopen(saved, root, headers, notes, columns, extras)
    return graph, {
        "files_read": len(replayed),
        "notes": len(notes),
        "links_removed": removed_links,
        "links_added": len(rows),
    }


class _Overlay(Mapping[str, Note]):
    """The notes a replay sees: the saved ones, less the ones the replayed files made
    (they make them again), plus what the replay makes."""

    def __init__(self, headers: dict[str, Header], read: Callable[[str], Note], hidden: set[str]):
        self._headers = headers
        self._read = read
        self._hidden = hidden
        self._made: dict[str, Note] = {}
        self._decoded: dict[str, Note] = {}

    def __getitem__(self, note_id: str) -> Note:
        if note_id in self._made:
            return self._made[note_id]
        if note_id in self._hidden or note_id not in self._headers:
            raise KeyError(note_id)
        note = self._decoded.get(note_id)
        if note is None:
            note = self._decoded[note_id] = self._read(note_id)
        return note

    def __setitem__(self, note_id: str, note: Note) -> None:
        self._made[note_id] = note

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError("a replay never lists every note")

    def __len__(self) -> int:
        return len(self._headers)

    def __contains__(self, note_id: object) -> bool:
        return note_id in self._made or (note_id in self._headers and note_id not in self._hidden)


def _replay_builder(
    db: Any,
    state: dict[str, Any],
    records: dict[str, _FileRecord],
    headers: dict[str, Header],
) -> GraphBuilder:
    """A builder in the state a full build left, less what the replayed files made."""
    made = [tuple(c) for r in records.values() for c in r.created]
    hidden = {note_id for _, _, note_id in made}
    builder = GraphBuilder()
    builder.notes = _Overlay(headers, note_reader(db), hidden)  # type: ignore[assignment]
    builder.by_key = dict(state["by_key"])
    for table, key, _ in made:
        if table == "key":
            builder.by_key.pop(key, None)
    builder._ids = set(headers) - hidden
    builder.by_path = {
        path: note for path, note in db.execute("SELECT path, note FROM files") if note
    }
    vault = VaultLinker.__new__(VaultLinker)
    vault.builder = builder
    vault.index = VaultIndex(state["markdown_paths"], state["attachments"])
    vault.attachments = dict(state["attachment_nodes"])
    vault.tags = dict(state["tags"])
    for table, key, _ in made:
        if table == "tag":
            vault.tags.pop(key, None)
        elif table == "attachment":
            vault.attachments.pop(key, None)
    builder.vault = vault
    builder.recording = True
    return builder


def _write(
    db: Any,
    meta: dict[str, str],
    stamps: list[FileStamp],
    replayed: list[str],
    notes: dict[str, Note],
    rows: list[LinkRow],
    diagnostics: list[tuple[Diagnostic, int]],
    headers: dict[str, Header],
) -> tuple[int, LinkColumns, dict[str, array[int]]]:
    """Replace the replayed files' notes, links and diagnostics in one transaction; returns
    how many links went and the new link columns."""
    note_ids = list(headers)
    columns, extras = read_link_columns(db, meta, note_ids)
    position = {s.path: i for i, s in enumerate(stamps)}
    marks = ",".join("?" * len(replayed))
    gone = array(
        "I",
        (r for (r,) in db.execute(f"SELECT rowid FROM links WHERE file IN ({marks})", replayed)),
    )
    try:
        db.execute("SAVEPOINT kg_update")
        db.executemany(
            "UPDATE notes SET data = ? WHERE id = ?",
            ((note_row(note)[6], note.id) for note in notes.values()),
        )
        db.execute(f"DELETE FROM links WHERE file IN ({marks})", replayed)
        added = array("I")
        for row in rows:
            cursor = db.execute(
                "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )
            added.append(int(cursor.lastrowid or 0))
        db.execute(
            f"DELETE FROM diagnostics WHERE path IN ({marks}) AND phase != {PHASES.index('identity')}",
            replayed,
        )
        seen: dict[tuple[int, int], int] = {}
        for diagnostic, phase in diagnostics:
            where = position.get(diagnostic.path or "", -1)
            seq = seen.get((phase, where), 0)
            seen[(phase, where)] = seq + 1
            db.execute(
                "INSERT INTO diagnostics VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    diagnostic.path,
                    diagnostic.line,
                    diagnostic.severity.value,
                    diagnostic.message,
                    diagnostic.code,
                    phase,
                    where,
                    seq,
                ),
            )
        new_columns, new_extras = _merge_columns(
            columns, extras, gone, rows, added, note_ids, position
        )
        write_link_columns(db, new_columns, new_extras)
        db.execute(
            "UPDATE meta SET value = ? WHERE key = 'stamps'", (json.dumps(stamps_key(stamps)),)
        )
        db.execute("RELEASE kg_update")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return len(gone), new_columns, new_extras


def _merge_columns(
    columns: LinkColumns,
    extras: dict[str, array[int]],
    gone: array[int],
    rows: list[LinkRow],
    added: array[int],
    note_ids: list[str],
    position: dict[str, int],
) -> tuple[LinkColumns, dict[str, array[int]]]:
    """The link columns less the links in rows `gone`, plus `rows` (at rows `added`), in
    the order a full build gives them (`kg.index.store.link_order`)."""
    number = {note_id: i for i, note_id in enumerate(note_ids)}
    kind_number = {name: i for i, name in enumerate(columns.kind_names)}
    rowids = np.frombuffer(extras["rowids"], dtype=np.uint32)
    keep = ~np.isin(rowids, np.frombuffer(gone, dtype=np.uint32))
    new_groups, new_seqs = link_order(((row[2], row[3]) for row in rows), position)

    def joined(old: Sequence[int], new: Sequence[int]) -> np.ndarray:
        return np.concatenate(
            [np.asarray(old, dtype=np.uint32)[keep], np.asarray(new, dtype=np.uint32)]
        )

    try:
        sources = joined(columns.sources, [number[row[0]] for row in rows])
        targets = joined(columns.targets, [number[row[1]] for row in rows])
        kinds = joined(columns.kinds, [kind_number[row[2]] for row in rows])
    except KeyError as missing:
        raise NotLocal(f"a link reaches {missing} that the index lacks") from None
    groups = joined(extras["groups"], new_groups)
    seqs = joined(extras["seqs"], new_seqs)
    all_rowids = joined(extras["rowids"], added)
    order = np.lexsort((seqs, groups))
    sources, targets, kinds = sources[order], targets[order], kinds[order]
    count = len(note_ids)

    def adjacency(ends: np.ndarray) -> tuple[array[int], array[int]]:
        by_note = np.argsort(ends, kind="stable").astype(np.uint32)
        offsets = np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=count))])
        return array("I", offsets.astype(np.uint32).tobytes()), array("I", by_note.tobytes())

    out_offsets, out_links = adjacency(sources)
    into_offsets, into_links = adjacency(targets)
    merged = LinkColumns(
        note_ids,
        columns.kind_names,
        array("I", sources.tobytes()),
        array("I", targets.tobytes()),
        array("I", kinds.tobytes()),
        out_offsets,
        out_links,
        into_offsets,
        into_links,
    )
    return merged, {
        "rowids": array("I", all_rowids[order].tobytes()),
        "groups": array("I", groups[order].tobytes()),
        "seqs": array("I", seqs[order].tobytes()),
    }


def _reopen(
    saved: SavedIndex,
    root: Path,
    headers: dict[str, Header],
    notes: dict[str, Note],
    columns: LinkColumns,
    extras: dict[str, array[int]],
) -> KnowledgeGraph:
    """The updated graph, read through a new snapshot of the same file."""
    db = saved.db
    db.execute("BEGIN")
    saved.meta = dict(db.execute("SELECT key, value FROM meta"))
    links = LinkTable.from_columns(columns, details_reader(db, extras["rowids"]))
    table = NoteTable(headers, note_reader(db))
    for note in notes.values():
        table._cache[note.id] = note
    graph = KnowledgeGraph(
        table,
        links,
        read_diagnostics(db),
        files=int(saved.meta.get("files", 0)),
        root=root,
        keys=saved.title_keys(),
    )
    graph.from_index = True
    return graph
