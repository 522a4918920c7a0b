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

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.collector import collector_paused
from kg.display import ShortRepr
from kg.graph.knowledge import KnowledgeGraph
from kg.index.patch import NotLocal, reopen, write_update
from kg.index.read import SavedIndex, note_reader
from kg.index.replay import Replay
from kg.index.stamps import corpus_signature
from kg.model import Note
from kg.parse.corpus import FileStamp

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
            "rebuilt",
            tuple(changed),
            tuple(added),
            tuple(removed),
            reason=f"not updated in place, as {why}",  # why a whole rebuild: no problem
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
