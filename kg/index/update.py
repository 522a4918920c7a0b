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
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.display import ShortRepr
from kg.graph.build import (
    MIN_MENTION_CHARS,
    MIN_MENTION_WORDS,
    GraphBuilder,
    collector_paused,
    events_hash,
    group_note,
    page_identity,
)
from kg.graph.kinds import is_bare, kind_is_guessed
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.merge import join_stamp, once_per_note, page_order
from kg.graph.tables import Header
from kg.graph.vault import VaultIndex, VaultLinker
from kg.index.patch import NotLocal, reopen, write_update
from kg.index.store import (
    SavedIndex,
    corpus_signature,
    file_row,
    note_reader,
    opening,
    openings,
    read_headers,
    read_link_columns,
)
from kg.model import Diagnostic, Note, NoteKind, Page
from kg.parse.corpus import MARKDOWN_SUFFIXES, PAGE_SUFFIXES, FileStamp, parse_file
from kg.text import TitleMatcher, fold, normalize_title, slugify

if TYPE_CHECKING:
    from kg.config import Config


@dataclass(frozen=True, repr=False)  # repr: kg.display
class IndexUpdate(ShortRepr):
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
    changed_notes : tuple of str
        "updated": the ids of the nodes made again, added or removed; every other node is
        as it was (the vector store then reads only these).
    previous_signature : str
        "updated": the signature of the files the index was built from before.
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
    changed_notes: tuple[str, ...] = ()  # ids of the nodes made again, added or removed
    previous_signature: str = ""  # the corpus signature (kg.load) the index had before

    def describe(self) -> str:
        """One line for a person: what changed and what kg did about it.

        >>> IndexUpdate("updated", changed=("a.md",), files_read=1, notes=1,
        ...             links_removed=3, links_added=4, seconds=0.21).describe()
        '1 file changed: updated in place in 0.21 s (1 file read, 1 note written, links -3 +4)'
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
                f"{self.notes} note{'s' if self.notes != 1 else ''} written, "
                f"links -{self.links_removed} +{self.links_added})"
            )
        if self.mode == "rebuilt":
            why = f" ({self.reason})" if self.reason else ""
            if not parts:
                return f"indexed in {self.seconds:.2f} s, {read}{why}"
            return f"{said}: rebuilt in {self.seconds:.2f} s, {read}{why}"
        return f"{said}: index reused"


def file_changes(
    saved: SavedIndex, stamps: Sequence[FileStamp]
) -> tuple[list[str], list[str], list[str]]:
    """(changed, added, removed) paths between the index's stamps and these."""
    old = {row[0]: row for row in saved.stamps}
    new = {s.path: (s.path, s.size, s.mtime_ns) for s in stamps}
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
    previous = corpus_signature(saved.meta.get("stamps", ""))
    summary = IndexUpdate("rebuilt", tuple(changed), tuple(added), tuple(removed))
    try:
        with collector_paused():
            replay = Replay(saved, root, config, stamps, changed, added, removed)
            replay.run()
            replaced = _earlier_versions(replay)
            removed_links, note_ids, columns, extras = write_update(replay)
            headers = replay.headers
            if note_ids != list(headers):
                headers = {i: headers[i] for i in note_ids if i in headers}
            graph = reopen(saved, root, headers, replay.notes, columns, extras)
            graph.replaced_notes = replaced
    except sqlite3.Error as problem:  # an index this version cannot update: rebuild it
        return None, IndexUpdate(
            "rebuilt",
            tuple(changed),
            tuple(added),
            tuple(removed),
            reason=f"the index could not be updated ({problem})",
        )
    except NotLocal as why:
        return None, IndexUpdate(
            "rebuilt", tuple(changed), tuple(added), tuple(removed), reason=str(why)
        )
    return graph, IndexUpdate(
        "updated",
        summary.changed,
        summary.added,
        summary.removed,
        files_read=len(replay.pages),
        notes=len(replay.notes) + len(replay.new_notes),
        links_removed=removed_links,
        links_added=len(replay.rows),
        seconds=time.perf_counter() - started,
        changed_notes=tuple(sorted(set(replay.notes) | set(replay.new_nodes) | replay.gone)),
        previous_signature=previous,
    )


def _earlier_versions(replay: Replay) -> dict[str, Note]:
    """The notes the update makes again or removes, as the index holds them before it is
    written (a few notes: what depends on their texts is updated from them)."""
    read = note_reader(replay.db)
    earlier: dict[str, Note] = {}
    for note_id in set(replay.notes) | set(replay.new_nodes) | replay.gone:
        try:
            earlier[note_id] = read(note_id)
        except KeyError:
            continue  # a new note
    return earlier


@dataclass
class _FileRecord:
    path: str
    note: str | None
    identity: str
    events: str
    created: list[list[str]] = field(default_factory=list)


class _Searched:
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


class _NoteOfFile(dict[str, str]):
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


class _Keys(MutableMapping[str, str]):
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


class Replay:
    """One in-place update: which files to read again, the builder that replays them, and
    every check that the change stays within them (`NotLocal` otherwise)."""

    def __init__(
        self,
        saved: SavedIndex,
        root: Path,
        config: Config,
        stamps: list[FileStamp],
        changed: list[str],
        added: list[str],
        removed: list[str],
    ) -> None:
        state = saved.state()
        if state is None:
            raise NotLocal("the index was saved without what an update needs")
        suffixes = {*PAGE_SUFFIXES, *MARKDOWN_SUFFIXES}
        if any(Path(p).suffix.lower() not in suffixes for p in changed + added + removed):
            raise NotLocal("an attachment was added, changed or removed")
        self.saved, self.db, self.root, self.config, self.state = (
            saved,
            saved.db,
            root,
            config,
            state,
        )
        self.stamps = stamps
        self.position = {s.path: i for i, s in enumerate(stamps)}
        self.changed, self.added, self.removed = changed, added, removed
        self.headers = read_headers(self.db)
        self.records = {r.path: r for r in _records(self.db, "path", changed + removed)}
        if any(p not in self.records for p in changed + removed):
            raise NotLocal("a changed file made nothing the index can replay")
        self.pages: dict[str, Page] = {}
        self.problems: dict[str, list[Diagnostic]] = {}
        self.replayed: set[str] = set()
        self.touched: set[str] = set()  # notes made again from their pages
        self.gone: set[str] = set()  # nodes that go with removed files
        self.new_notes: dict[str, Note] = {}
        self.hub_counts: dict[str, int] = dict(state["hub_counts"])
        self.searched = _Searched(self.db)
        self.keys = _Keys(self.db)

    # ------------------------------------------------------------ plan

    def run(self) -> None:
        self._remove()
        self._add()
        self.builder = _replay_builder(self.db, self.state, self.headers)
        builder = self.builder
        builder.by_key = self.keys
        builder._ids -= self.gone
        builder.notes._hidden |= self.gone  # type: ignore[attr-defined]
        for path in self.removed:
            builder.by_path.pop(path, None)
        builder.vault.index = VaultIndex(self.markdown_paths, self.state["attachments"])  # type: ignore[union-attr]
        for note in self.new_notes.values():
            builder.notes[note.id] = note
            builder._ids.add(note.id)
            builder.by_key[normalize_title(note.title)] = note.id
            for alias in note.aliases:
                builder.by_key.setdefault(normalize_title(alias), note.id)
        for path in self.added:
            page = self.pages.get(path)
            if page is not None and page.title:
                builder.by_path[path] = next(
                    n.id for n in self.new_notes.values() if n.files == (path,)
                )
        # Changed files, and every other file of their notes (one note's links are kept
        # once across its files, so they go together).
        taken = self._take(list(self.changed))
        self._declared(sorted(taken, key=self.position.__getitem__))
        self._declared(
            sorted((p for p in self.added if p in self.pages), key=self.position.__getitem__)
        )
        # Titles newly searched for in running text: the files whose text has them are
        # read again too.
        new_titles = self._new_searched()
        if new_titles:
            hits = [
                path
                for path in self._text_hits(new_titles)
                if path not in self.replayed and path not in self.removed
            ]
            hits = self._take(hits)
            self._declared(sorted(hits, key=self.position.__getitem__))
        self.declared_end = len(builder.diagnostics)
        order = sorted(self.replayed, key=self.position.__getitem__)
        replay = [self.pages[p] for p in order]
        builder.add_mentions(replay, TitleMatcher(self.searched.candidates(replay)))
        self.order = order
        self._check_events()
        self._notes()

    def _take(self, paths: list[str]) -> list[str]:
        """Read these files and the other files of their notes again; returns the files
        newly taken."""
        records = {r.path: r for r in _records(self.db, "path", paths)}
        notes = sorted({r.note for r in records.values() if r.note} - self.touched)
        records |= {r.path: r for r in _records(self.db, "note", notes)}
        taken = [p for p in records if p not in self.replayed and p not in self.removed]
        for path in taken:
            record = self.records.setdefault(path, records[path])
            page, found = parse_file(self.root / path, self.root, self.config, path)
            if page is None or page_identity(page) != record.identity:
                raise NotLocal(f"{path}: its title, claim, aliases or hubs changed")
            self._check_partners(path, join_stamp(page))
            self.pages[path] = page
            self.problems[path] = found
        self.touched.update(notes)
        self.replayed.update(taken)
        if hasattr(self, "builder"):
            _unhide(self.builder, [records[p] for p in taken])
        return taken

    def _declared(self, paths: list[str]) -> None:
        builder = self.builder
        for path in paths:
            page = self.pages[path]
            if page.title:
                builder.begin(page)
                builder.add_declared_links(page)

    # ------------------------------------------------------------ removed files

    def _remove(self) -> None:
        db, headers = self.db, self.headers
        for path in self.removed:
            record = self.records[path]
            if any(c[0] == "fill" for c in record.created):
                raise NotLocal(f"{path} gave a description other notes show")
            if record.note:
                files = [
                    p
                    for (p,) in db.execute("SELECT path FROM files WHERE note = ?", (record.note,))
                ]
                if files != [path]:
                    raise NotLocal(f"{path} was one of several files of one note")
                self.gone.add(record.note)
            self.gone.update(c[2] for c in record.created)
            self._check_alone(path, record.identity, removing=True)
            for hub in json.loads(record.identity)[8]:
                self.hub_counts[hub] -= 1
                if not self.hub_counts[hub]:
                    del self.hub_counts[hub]
                    target = self.keys.get(hub)
                    if target and target not in self.gone and not headers[target][2]:
                        raise NotLocal(f"{path} was the last to list the hub {hub!r}")
        if not self.gone:
            return
        columns, extras = read_link_columns(
            db, self.saved.meta, list(headers), self.saved.path.parent
        )
        number = {note_id: i for i, note_id in enumerate(headers)}
        gone = np.array(sorted(number[n] for n in self.gone if n in number), dtype=np.uint32)
        ends = np.isin(np.asarray(columns.sources), gone) | np.isin(
            np.asarray(columns.targets), gone
        )
        link_rows = np.asarray(extras["rowids"])[ends].tolist()
        linking: set[str] = set()
        for start in range(0, len(link_rows), 900):
            chunk = link_rows[start : start + 900]
            marks = ",".join("?" * len(chunk))
            linking.update(
                f
                for (f,) in db.execute(
                    f"SELECT DISTINCT file FROM links WHERE rowid IN ({marks})", chunk
                )
            )
        if linking - set(self.removed):
            raise NotLocal("other files link to a note that was removed")
        for note_id in self.gone:
            title = headers[note_id][0]
            for other in headers:
                if other.startswith(note_id + "-") and other[len(note_id) + 1 :].isdigit():
                    raise NotLocal(f"the note {title!r} shares its id's stem with another")
        keys = set(self.keys.keys_of(self.gone))
        for key in keys:
            del self.keys[key]
        for note_id, header in headers.items():
            if note_id in self.gone:
                continue
            if normalize_title(header[0]) in keys or any(
                normalize_title(a) in keys for a in header[4]
            ):
                raise NotLocal(
                    f"another note has the title or alias of a removed one ({header[0]!r})"
                )
        self.searched.gone |= self.gone

    def _check_partners(self, path: str, stamp: str) -> None:
        """A page the other deployment shows a page of the same date and collection for
        may be joined with it by their body (`kg.graph.merge`), which an update does not
        redo."""
        if not stamp:
            return
        date_collection, _, deployment = stamp.rpartition("|")
        other = "older" if deployment == "current" else "current"
        # The stamp is a string of the identity's JSON: one LIKE over the files table.
        needle = json.dumps(f"{date_collection}|{other}", ensure_ascii=False)
        pattern = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = "SELECT path FROM files WHERE identity LIKE ? ESCAPE '\\' AND path != ? LIMIT 1"
        partner = f"{date_collection}|{other}"
        if self.db.execute(query, (f"%{pattern}%", path)).fetchone() is not None or any(
            join_stamp(page) == partner
            for other_path, page in self.pages.items()
            if other_path != path
        ):
            raise NotLocal(f"{path}: the other deployment has a page of its date and collection")

    def _check_alone(self, path: str, identity: str, removing: bool) -> None:
        """A file's note must not share its title, claim or (Markdown) file name with
        another file's: those decide grouping, which an update does not redo."""
        db = self.db
        fields = json.loads(identity)
        if len(fields) > 11:
            if fields[10]:
                raise NotLocal(f"{path} lists related papers (they type notes that show no kind)")
            if not removing:
                self._check_partners(path, fields[11])
        title = fields[2]
        row = file_row(path, None, identity, "", [])
        title_key, claim_key, stem = row[5], row[6], row[7]
        others = set(self.removed) | {path}
        if title_key:
            for (other,) in db.execute("SELECT path FROM files WHERE title_key = ?", (title_key,)):
                if other not in others:
                    raise NotLocal(f"{path}: another file has the title {title!r}")
        if stem:
            for (other,) in db.execute("SELECT path FROM files WHERE stem = ?", (stem,)):
                if other not in others:
                    raise NotLocal(f"{path}: another Markdown file has its name")
        if claim_key:
            if not hasattr(self, "_claims"):
                self._claims = sorted(
                    (c, p)
                    for c, p in db.execute(
                        "SELECT claim_key, path FROM files WHERE claim_key IS NOT NULL"
                    )
                )
            for other_claim, other in self._claims:
                if other in others:
                    continue
                if other_claim.startswith(claim_key) or claim_key.startswith(other_claim):
                    raise NotLocal(f"{path}: its claim is (part of) another page's claim")

    # ------------------------------------------------------------ added files

    def _add(self) -> None:
        by_key = self.keys
        ids = set(self.headers) - self.gone
        added_keys: set[str] = set()
        pages = []
        for path in sorted(self.added, key=self.position.__getitem__):
            page, found = parse_file(self.root / path, self.root, self.config, path)
            self.problems[path] = found
            if page is None:
                continue
            self.pages[path] = page
            self.replayed.add(path)
            if not page.title:
                continue
            identity = page_identity(page)
            self._check_alone(path, identity, removing=False)
            if kind_is_guessed([page]) and not (
                is_bare(page) and normalize_title(page.title) in self.hub_counts
            ):
                raise NotLocal(f"{path}: what other pages list decides its kind")
            key = normalize_title(page.title)
            keys = {key, *(normalize_title(a) for a in page.aliases)}
            if "/" in page.title or keys & added_keys or any(k in by_key for k in keys):
                raise NotLocal(f"{path}: its title or an alias is already a title in the corpus")
            if page.variant == "markdown":
                stem = path.rpartition("/")[2].rpartition(".")[0]
                if normalize_title(stem) in by_key:
                    raise NotLocal(f"{path}: links to its name were read as another note")
            note_id = slugify(page.title)
            if note_id in ids or any(
                i.startswith(note_id + "-") and i[len(note_id) + 1 :].isdigit() for i in ids
            ):
                raise NotLocal(f"{path}: its id {note_id!r} is taken")
            for hub in page.hubs:
                hub_key = normalize_title(hub.title)
                target = by_key.get(hub_key)
                if not self.hub_counts.get(hub_key) and target and not self.headers[target][2]:
                    raise NotLocal(f"{path} is the first to list {hub.title!r} as a hub")
                self.hub_counts[hub_key] = self.hub_counts.get(hub_key, 0) + 1
            added_keys |= keys
            ids.add(note_id)
            pages.append((path, page, note_id))
        for _path, page, note_id in pages:
            note = group_note([page], note_id, self.hub_counts)
            self.new_notes[note_id] = note

    @property
    def markdown_paths(self) -> list[str]:
        paths = [p for p in self.state["markdown_paths"] if p not in self.removed]
        paths += [
            p
            for p, page in self.pages.items()
            if p in self.added and page.variant == "markdown" and page.title
        ]
        return paths

    def _new_searched(self) -> dict[str, str]:
        """Titles a full build would search running text for that the saved build did not:
        the added notes', and stubs they made in their lists."""
        builder = self.builder
        fresh: dict[str, str] = {}
        candidates = list(self.new_notes)
        for path in self.added:
            candidates += [c[2] for c in builder.created.get(path, []) if c[0] == "key"]
        for note_id in candidates:
            note = builder.notes[note_id]
            title = fold(note.title)
            if (
                note.kind in (NoteKind.CATEGORY, NoteKind.ATTACHMENT, NoteKind.TAG)
                or len(title) < MIN_MENTION_CHARS
                or title.count(" ") + 1 < MIN_MENTION_WORDS
            ):
                continue
            if title in self.searched:
                raise NotLocal(f"{note.title!r} is the title of another note too")
            fresh[title] = note_id
        self.searched.new.update(fresh)
        return fresh

    def _text_hits(self, titles: dict[str, str]) -> list[str]:
        hits: set[str] = set()
        for title in titles:
            hits.update(
                p
                for (p,) in self.db.execute(
                    "SELECT path FROM texts WHERE instr(folded, ?) > 0", (title,)
                )
            )
        return sorted(hits)

    # ------------------------------------------------------------ checks

    def _check_events(self) -> None:
        builder = self.builder
        for path in self.replayed:
            record = self.records.get(path)
            if record is None:
                continue  # an added file: checked below
            if (
                events_hash(builder.records.get(path, ())) != record.events
                or [list(c) for c in builder.created.get(path, [])] != record.created
            ):
                raise NotLocal(f"{path} now links to notes, stubs or tags it did not reach before")
        added = [p for p in self.added if p in self.pages]
        for path in added:
            if any(c[2] in builder.collided for c in builder.created.get(path, [])):
                raise NotLocal(f"{path} made a node whose id was taken")
        if not added:
            return
        makers: dict[tuple[str, str], str] = {}
        for path, created in self.db.execute("SELECT path, created FROM files"):
            for table, key, _ in json.loads(created):
                makers.setdefault((table, key), path)
        for path in added:
            mine = self.position[path]
            for event in builder.records.get(path, ()):
                table = {"e": "key", "t": "tag", "a": "attachment"}.get(str(event[0]))
                if table is None or event[-1] is None:
                    continue
                key = str(event[1])
                for what in (table, "fill"):
                    maker = makers.get((what, key))
                    if (
                        maker is not None
                        and maker not in self.removed
                        and self.position.get(maker, -1) > mine
                    ):
                        raise NotLocal(f"{path} comes before the file that made {key!r}")

    def _notes(self) -> None:
        builder = self.builder
        notes: dict[str, Note] = {}
        for note_id in sorted(self.touched):
            files = [
                p for p in self.replayed if self.records.get(p) and self.records[p].note == note_id
            ]
            group = sorted((self.pages[p] for p in files), key=page_order)
            note = group_note(group, note_id, self.hub_counts)
            header = (note.title, note.kind, note.stub, note.truncated, note.aliases)
            if header != self.headers[note_id]:
                raise NotLocal(f"the note {note.title!r} changed kind or title")
            notes[note_id] = note
        self.notes = notes
        made = {}
        for path in self.added:
            for table, _key, note_id in builder.created.get(path, []):
                if table != "fill":
                    made[note_id] = builder.notes[note_id]
        self.new_nodes = {**self.new_notes, **made}
        self.rows = once_per_note({**notes, **self.new_notes}, builder.links)


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


def _replay_builder(db: Any, state: dict[str, Any], headers: dict[str, Header]) -> GraphBuilder:
    """A builder in the state the saved full build left (`_unhide` takes out what the
    files to replay made, so they make it again)."""
    builder = GraphBuilder()
    builder.notes = _Overlay(headers, note_reader(db), set())  # type: ignore[assignment]
    builder.by_key = _Keys(db)
    builder._ids = set(headers)
    builder.by_path = _NoteOfFile(db)
    vault = VaultLinker.__new__(VaultLinker)
    vault.builder = builder
    vault.index = VaultIndex(state["markdown_paths"], state["attachments"])
    vault.attachments = dict(state["attachment_nodes"])
    vault.tags = dict(state["tags"])
    builder.vault = vault
    builder.recording = True
    return builder


def _unhide(builder: GraphBuilder, records: Sequence[_FileRecord]) -> None:
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
