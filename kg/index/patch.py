"""Write an update into the index file: notes, links, diagnostics, file records and the
link columns in one SQLite transaction, then read the graph again through a new snapshot.

`kg.index.update` decides whether a change can be made in place (`Replay`) and raises
`NotLocal` when it cannot; this module only writes what it decided.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.graph.build import events_hash, page_identity
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.tables import Header, LinkColumns, LinkTable, NoteTable
from kg.index.read import (
    Meta,
    SavedIndex,
    details_reader,
    fields_reader,
    items_reader,
    note_reader,
    read_diagnostics,
    read_headers,
    read_link_columns,
    rows_of_files,
    tags_and_dates_readers,
    texts_reader,
)
from kg.index.rows import delete_notes, link_files, write_notes
from kg.index.stamps import stamps_text
from kg.index.write import (
    PHASES,
    RUNNING_TEXT_GROUP,
    file_row,
    link_order,
    opening,
    write_link_columns,
)
from kg.model import LinkRow, Note

if TYPE_CHECKING:
    from kg.index.replay import Replay


class NotLocal(Exception):
    """The change reaches beyond the files that changed: rebuild instead (the message says
    why)."""


def write_update(update: Replay) -> tuple[int, list[str], LinkColumns, dict[str, array[int]]]:
    """Write the update in one transaction: notes, links, diagnostics, files, texts, the
    link columns and the build state. Returns how many links went, the new note ids (in
    order) and the new link columns."""
    db, saved, builder = update.db, update.saved, update.builder
    old_ids = list(update.headers)
    folder = saved.path.parent
    columns, extras = read_link_columns(db, saved.meta, old_ids, folder)
    old_links = json.loads(saved.meta["link_columns"])["file"]
    new_ids = sorted((set(old_ids) - update.gone) | set(update.new_nodes))
    position = update.position
    files = sorted(update.replayed | set(update.removed))
    marks = ",".join("?" * len(files))
    gone_rows = array("I", rows_of_files(db, files))
    old_stamps = saved.stamps
    try:
        db.execute("SAVEPOINT kg_update")
        delete_notes(db, update.gone)
        write_notes(db, update.notes.values(), replace=True)
        write_notes(db, update.new_nodes.values())
        db.execute(f"DELETE FROM link_files WHERE file IN ({marks})", files)
        (last,) = db.execute("SELECT coalesce(max(first + count), 1) FROM link_files").fetchone()
        files_of_links = [row[3] for row in update.rows]
        table, rowids = link_files(files_of_links, [row[4:] for row in update.rows], first=last)
        added = array("I", rowids.astype(np.uint32).tobytes())
        db.executemany("INSERT INTO link_files VALUES (?, ?, ?, ?)", table)
        # Diagnostics: the removed files' all go, the replayed files' but grouping's are
        # made again; the others move with their file's place in the corpus.
        identity = PHASES.index("identity")
        db.execute(
            f"DELETE FROM diagnostics WHERE path IN ({marks}) AND "
            f"(phase != {identity} OR path IN ({','.join('?' * len(update.removed)) or 'NULL'}))",
            files + update.removed,
        )
        moved = moved_positions(old_stamps, position)
        if moved:
            db.executemany(
                "UPDATE diagnostics SET position = ? WHERE rowid = ?",
                (
                    (moved.get(where, where), rowid)
                    for rowid, where in db.execute(
                        f"SELECT rowid, position FROM diagnostics WHERE phase != {identity}"
                    ).fetchall()
                    if where in moved
                ),
            )
        diagnostics = [(d, 0) for path in update.order for d in update.problems.get(path, [])]
        diagnostics += [
            (d, 0)
            for path in update.added
            if path not in update.pages
            for d in update.problems.get(path, [])
        ]
        diagnostics += [
            (d, 2 if i < update.declared_end else 3) for i, d in enumerate(builder.diagnostics)
        ]
        seen: dict[tuple[int, int], int] = {}
        diagnostic_rows = []
        for diagnostic, phase in diagnostics:
            where = position.get(diagnostic.path or "", -1)
            seq = seen.get((phase, where), 0)
            seen[(phase, where)] = seq + 1
            diagnostic_rows.append(
                (
                    diagnostic.path,
                    diagnostic.line,
                    diagnostic.severity.value,
                    diagnostic.message,
                    diagnostic.code,
                    phase,
                    where,
                    seq,
                )
            )
        db.executemany("INSERT INTO diagnostics VALUES (?, ?, ?, ?, ?, ?, ?, ?)", diagnostic_rows)
        db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in update.removed))
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                file_row(
                    path,
                    builder.by_path.get(path) if page.title else None,
                    page_identity(page),
                    events_hash(builder.records.get(path, ())),
                    builder.created.get(path, []),
                )
                for path in update.added
                if (page := update.pages.get(path)) is not None
            ),
        )
        db.execute(f"DELETE FROM texts WHERE path IN ({marks})", files)
        db.executemany(
            "INSERT INTO texts VALUES (?, ?)",
            (
                (path, "\n".join(texts))
                for path, texts in builder.folded.items()
                if path in update.replayed
            ),
        )
        new_columns, new_extras = merge_columns(
            columns, extras, gone_rows, update.rows, added, old_ids, new_ids, position, moved
        )
        new_links = write_link_columns(db, new_columns, new_extras, folder, sync=False)
        meta = {"stamps": stamps_text(update.stamps)}
        if update.added or update.removed:
            count = len(update.added) - len(update.removed)
            meta["files"] = str(int(saved.meta.get("files", 0)) + count)
            state = dict(update.state)
            vault = builder.vault
            assert vault is not None
            keys = update.keys
            db.executemany("DELETE FROM build_keys WHERE key = ?", ((k,) for k in keys.deleted))
            db.executemany("INSERT OR REPLACE INTO build_keys VALUES (?, ?)", keys.set.items())
            searched = update.searched
            db.executemany("DELETE FROM searched WHERE id = ?", ((i,) for i in searched.gone))
            db.executemany(
                "INSERT INTO searched VALUES (?, ?, ?)",
                ((t, i, opening(t)) for t, i in searched.new.items()),
            )
            state.update(
                hub_counts=dict(sorted(update.hub_counts.items())),
                tags=vault.tags,
                attachment_nodes=vault.attachments,
                markdown_paths=update.markdown_paths,
            )
            meta["state"] = json.dumps(state, ensure_ascii=False)
        db.executemany("UPDATE meta SET value = ? WHERE key = ?", ((v, k) for k, v in meta.items()))
        db.execute("RELEASE kg_update")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        if "new_links" in locals():
            (folder / new_links).unlink(missing_ok=True)
        raise
    # The graph names the new file now; a reader that opened the old snapshot and has not
    # read its columns yet finds the file gone, and opens the index again.
    (folder / old_links).unlink(missing_ok=True)
    return len(gone_rows), new_ids, new_columns, new_extras


def moved_positions(
    old_stamps: Sequence[tuple[str, int, int]], position: dict[str, int]
) -> dict[int, int]:
    """Old place in the corpus -> new place, for the files whose place changed."""
    return {
        old: new
        for old, row in enumerate(old_stamps)
        if (new := position.get(row[0], -1)) != old and new >= 0
    }


def merge_columns(
    columns: LinkColumns,
    extras: dict[str, array[int]],
    gone: array[int],
    rows: list[LinkRow],
    added: array[int],
    old_ids: list[str],
    note_ids: list[str],
    position: dict[str, int],
    moved: dict[int, int],
) -> tuple[LinkColumns, dict[str, array[int]]]:
    """The link columns less the links in rows `gone`, plus `rows` (at rows `added`), over
    the notes `note_ids` (were `old_ids`), with files moved to new places (`moved`), in the
    order a full build gives them (`kg.index.write.link_order`)."""
    number = {note_id: i for i, note_id in enumerate(note_ids)}
    kind_number = {name: i for i, name in enumerate(columns.kind_names)}
    rowids = np.frombuffer(extras["rowids"], dtype=np.uint32)
    keep = ~np.isin(rowids, np.frombuffer(gone, dtype=np.uint32))
    new_groups, new_seqs = link_order(((row[2], row[3]) for row in rows), position)
    renumber = None
    if old_ids != note_ids:
        renumber = np.array([number.get(i, 0) for i in old_ids], dtype=np.uint32)

    def joined(
        old: Sequence[int] | np.ndarray, new: Sequence[int], remap: np.ndarray | None = None
    ) -> np.ndarray:
        kept = np.asarray(old, dtype=np.uint32)[keep]
        if remap is not None:
            kept = remap[kept]
        return np.concatenate([kept, np.asarray(new, dtype=np.uint32)])

    try:
        sources = joined(columns.sources, [number[row[0]] for row in rows], renumber)
        targets = joined(columns.targets, [number[row[1]] for row in rows], renumber)
        kinds = joined(columns.kinds, [kind_number[row[2]] for row in rows])
    except KeyError as missing:
        raise NotLocal(f"a link reaches {missing} that the index lacks") from None
    old_groups = np.asarray(extras["groups"], dtype=np.uint32)
    if moved:
        places = np.arange(max(moved) + 2, dtype=np.uint32)
        for old, new in moved.items():
            places[old] = new
        place = old_groups & np.uint32(RUNNING_TEXT_GROUP - 1)
        inside = place < len(places)
        place[inside] = places[place[inside]]
        old_groups = (old_groups & np.uint32(RUNNING_TEXT_GROUP)) | place
    groups = joined(old_groups, new_groups)
    seqs = joined(extras["seqs"], new_seqs)
    all_rowids = joined(extras["rowids"], added)
    order = np.lexsort((seqs, groups))
    sources, targets, kinds = sources[order], targets[order], kinds[order]
    count = len(note_ids)

    def adjacency(ends: np.ndarray) -> tuple[array[int], array[int]]:
        # A stable sort of 16-bit keys is a radix sort: a few times faster than of 32-bit.
        keys = ends.astype(np.uint16) if count <= 1 << 16 else ends
        by_note = np.argsort(keys, kind="stable").astype(np.uint32)
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


def reopen(
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
    saved.meta = Meta(db)
    if list(headers) != columns.note_ids:  # notes came or went: their headers and keys too
        headers = read_headers(db)
        keys = KnowledgeGraph(NoteTable(headers, note_reader(db)), []).title_keys
        db.execute("COMMIT")
        db.execute(
            "UPDATE meta SET value = ? WHERE key = 'keys'", (json.dumps(keys, ensure_ascii=False),)
        )
        db.execute("BEGIN")
        saved.meta = Meta(db)
    links = LinkTable.from_columns(columns, details_reader(db, extras["rowids"]))
    links.read_fields = fields_reader(db, extras["rowids"])  # networkx's in bulk, as at open
    table = NoteTable(headers, note_reader(db))
    table.read_tags, table.read_dates = tags_and_dates_readers(db)
    table.read_items, table.read_texts = items_reader(db), texts_reader(db)
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
