"""One in-place update (`Replay`): which files to read again, the builder that replays them
against the saved build state (`kg.index.lookups`), and every check that the change stays
within them (`NotLocal` otherwise, and the index is rebuilt).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.graph.build import (
    MIN_MENTION_CHARS,
    MIN_MENTION_WORDS,
    events_hash,
    group_note,
    page_identity,
)
from kg.graph.kinds import is_bare, kind_is_guessed
from kg.graph.merge import join_stamp, once_per_note, page_order
from kg.graph.vault import VaultIndex
from kg.index.lookups import (
    SavedKeys,
    SearchedTitles,
    file_records,
    replay_builder,
    unhide,
)
from kg.index.patch import NotLocal
from kg.index.read import SavedIndex, files_of_rows, read_headers, read_link_columns
from kg.index.write import file_row
from kg.model import Diagnostic, Note, NoteKind, Page
from kg.parse.corpus import MARKDOWN_SUFFIXES, PAGE_SUFFIXES, FileStamp, parse_file
from kg.text import TitleMatcher, fold, normalize_title, slugify

if TYPE_CHECKING:
    from kg.config import Config


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
        self.records = {r.path: r for r in file_records(self.db, "path", changed + removed)}
        if any(p not in self.records for p in changed + removed):
            raise NotLocal("a changed file made nothing the index can replay")
        self.pages: dict[str, Page] = {}
        self.problems: dict[str, list[Diagnostic]] = {}
        self.replayed: set[str] = set()
        self.touched: set[str] = set()  # notes made again from their pages
        self.gone: set[str] = set()  # nodes that go with removed files
        self.new_notes: dict[str, Note] = {}
        self.hub_counts: dict[str, int] = dict(state["hub_counts"])
        self.searched = SearchedTitles(self.db)
        self.keys = SavedKeys(self.db)

    # ------------------------------------------------------------ plan

    def run(self) -> None:
        self._remove()
        self._add()
        self.builder = replay_builder(self.db, self.state, self.headers)
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
        records = {r.path: r for r in file_records(self.db, "path", paths)}
        notes = sorted({r.note for r in records.values() if r.note} - self.touched)
        records |= {r.path: r for r in file_records(self.db, "note", notes)}
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
            unhide(self.builder, [records[p] for p in taken])
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
        linking = files_of_rows(db, np.asarray(extras["rowids"])[ends].tolist())
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
