"""The saved build state as a replay sees it: the index's tables read row by row when a
replayed file asks, with what the replay changes kept aside (`kg.index.replay`).

A full build leaves in the graph file what every file made and looked up (files,
build_keys, searched, the notes); an in-place update replays a few files against it
without reading it whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.graph.build import (
    GraphBuilder,
)
from kg.graph.tables import Header
from kg.graph.vault import VaultIndex, VaultLinker
from kg.index.read import note_reader
from kg.index.write import opening, openings
from kg.model import Note, Page
from kg.text import fold

if TYPE_CHECKING:
    pass


@dataclass
class FileRecord:
    path: str
    note: str | None
    identity: str
    events: str
    created: list[list[str]] = field(default_factory=list)


class SearchedTitles:
    """The titles running text is searched for (folded title -> note id), as saved, less
    the removed notes' and plus the added ones'; looked up in the index by first run."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.gone: set[str] = set()
        self.new: dict[str, str] = {}

    def __contains__(self, title: object) -> bool:
        if title in self.new:
            return True
        row = self._db.execute("SELECT id FROM searched WHERE title = ?", (title,)).fetchone()
        return row is not None and row[0] not in self.gone

    def candidates(self, pages: Sequence[Page]) -> dict[str, str]:
        """The searched titles that can occur in these pages' running text: those whose
        `opening` is among the text's `openings`. No title the text holds is missed, and
        the automaton is built over a few titles, not over every one."""
        runs: set[str] = set()
        for page in pages:
            for paragraph in page.body:
                runs |= openings(fold(paragraph.text))
        found: dict[str, str] = {}
        wanted = sorted(runs)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT title, id FROM searched WHERE first IN ({marks})"
            found.update((t, i) for t, i in self._db.execute(query, chunk) if i not in self.gone)
        found.update((t, i) for t, i in self.new.items() if opening(t) in runs or not opening(t))
        return found


class NoteOfFile(dict[str, str]):
    """File -> the id of its note, read from the index for the files a replay asks about."""

    def __init__(self, db: Any) -> None:
        super().__init__()
        self._db = db
        self._gone: set[str] = set()

    def get(self, path: str, default: Any = None) -> Any:
        if path in self:
            return self[path]
        if path in self._gone:
            return default
        row = self._db.execute("SELECT note FROM files WHERE path = ?", (path,)).fetchone()
        return row[0] if row and row[0] else default

    def pop(self, path: str, default: Any = None) -> Any:
        self._gone.add(path)
        return super().pop(path, default)


class SavedKeys(MutableMapping[str, str]):
    """The build's title keys (normalized title -> note id) as saved, read from the index
    when asked for; what an update changes is kept aside and written back by `_write`."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.set: dict[str, str] = {}
        self.deleted: set[str] = set()

    def __getitem__(self, key: str) -> str:
        if key in self.set:
            return self.set[key]
        if key in self.deleted:
            raise KeyError(key)
        row = self._db.execute("SELECT id FROM build_keys WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return str(row[0])

    def __setitem__(self, key: str, note_id: str) -> None:
        self.set[key] = note_id
        self.deleted.discard(key)

    def __delitem__(self, key: str) -> None:
        self[key]  # raises KeyError when absent
        self.set.pop(key, None)
        self.deleted.add(key)

    def keys_of(self, note_ids: set[str]) -> list[str]:
        """The saved keys that name these notes."""
        found = []
        wanted = sorted(note_ids)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key FROM build_keys WHERE id IN ({marks})"
            found += [k for (k,) in self._db.execute(query, chunk)]
        return found

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError("an update never lists every title key")

    def __len__(self) -> int:
        raise NotImplementedError("an update never counts the title keys")


def file_records(db: Any, column: str, values: Sequence[str]) -> list[FileRecord]:
    out: list[FileRecord] = []
    for start in range(0, len(values), 900):
        chunk = list(values[start : start + 900])
        marks = ",".join("?" * len(chunk))
        query = (
            f"SELECT path, note, identity, events, created FROM files WHERE {column} IN ({marks})"
        )
        for path, note, identity, events, created in db.execute(query, chunk):
            out.append(FileRecord(path, note, identity, events, json.loads(created)))
    return out


class Overlay(Mapping[str, Note]):
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


def replay_builder(db: Any, state: dict[str, Any], headers: dict[str, Header]) -> GraphBuilder:
    """A builder in the state the saved full build left (`unhide` takes out what the
    files to replay made, so they make it again)."""
    builder = GraphBuilder()
    builder.notes = Overlay(headers, note_reader(db), set())  # type: ignore[assignment]
    builder.by_key = SavedKeys(db)
    builder._ids = set(headers)
    builder.by_path = NoteOfFile(db)
    vault = VaultLinker.__new__(VaultLinker)
    vault.builder = builder
    vault.index = VaultIndex(state["markdown_paths"], state["attachments"])
    vault.attachments = dict(state["attachment_nodes"])
    vault.tags = dict(state["tags"])
    builder.vault = vault
    builder.recording = True
    return builder


def unhide(builder: GraphBuilder, records: Sequence[FileRecord]) -> None:
    """Take out of the builder's state the nodes these files made first."""
    vault = builder.vault
    assert vault is not None
    for record in records:
        for table, key, note_id in record.created:
            if table == "fill":
                continue
            builder.notes._hidden.add(note_id)  # type: ignore[attr-defined]
            builder._ids.discard(note_id)
            if table == "key":
                builder.by_key.pop(key, None)
            elif table == "tag":
                vault.tags.pop(key, None)
            elif table == "attachment":
                vault.attachments.pop(key, None)
