"""The graph file's row formats: how a note and a file's links are written as SQLite rows
and read back. Written here once, for a full save (`kg.index.write`), an in-place update
(`kg.index.patch`) and every reader (`kg.index.read`).

A note is a row of the notes table: its header (title, kind, stub, truncated, aliases)
and the rest of its fields as JSON (`kg.codec.note_to_json`), but for its two large
texts, which a row of note_texts keeps as they are: the body (paragraphs apart by RS,
their lines as digits) and the front-matter properties (already JSON text). Escaping
them into the JSON again cost most of a save, and apart from the headers they are not
read when a graph is opened.

A file's links are one row too: the file, the number of the first of its links (the
others follow it), and their fields other than their ends and kind (which the link
columns hold) as one text (`link_fields`). An edit replaces a file's links whole, so a row a file is
what it rewrites.

>>> from kg.model import Note, NoteKind, Paragraph
>>> note = Note("a", "Why A?", NoteKind.SYNTHESIS, body=(Paragraph("One.", 3), Paragraph("Two.", 5)))
>>> row = note_row(note)
>>> row[6], row[7], row[8]
('{"id":"a","title":"Why A?","kind":"synthesis"}', 'One.\\x1eTwo.', '3,5')
>>> note_from_row(*row[6:]) == note
True
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

from kg.codec import note_from_json, note_to_json
from kg.model import Note

# Compact JSON by the C encoder, text as it is (no \\u escapes), no cycle check.
ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
_RS = "\x1e"  # between paragraphs: a record separator, which running text never holds
_US = "\x1f"  # between aliases, and between the texts of a file's links
NOTE_COLUMNS = "id, title, kind, stub, truncated, aliases, data, body, lines, properties"


def note_row(note: Note) -> tuple[Any, ...]:
    """A note as a row of the notes table (`NOTE_COLUMNS`)."""
    texts = [p.text for p in note.body]
    plain = not any(_RS in text for text in texts)  # else the body stays in the JSON
    item = note_to_json(note, body=not plain, properties=False)
    return (
        note.id,
        note.title,
        note.kind.value,
        int(note.stub),
        int(note.truncated),
        _US.join(note.aliases) if note.aliases else None,
        ENCODE(item),
        _RS.join(texts) if plain and texts else None,
        ",".join([str(p.line) for p in note.body]) if plain and texts else None,
        note.properties_json or None,
    )


def write_notes(db: sqlite3.Connection, notes: Iterable[Note], replace: bool = False) -> None:
    """Insert these notes (or, with `replace`, write them over the saved ones of their ids):
    their headers and JSON into the notes table, their body and properties into
    note_texts (apart, so that reading every header does not read every body)."""
    notes = list(notes)
    texts: list[tuple[Any, ...]] = []

    def split() -> Iterator[tuple[Any, ...]]:
        for note in notes:
            row = note_row(note)
            if row[7] is not None or row[9] is not None:
                texts.append((row[0], *row[7:]))
            yield row[:7]

    verb = "INSERT OR REPLACE" if replace else "INSERT"
    db.executemany(f"{verb} INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)", split())
    if replace:
        db.executemany("DELETE FROM note_texts WHERE id = ?", ((note.id,) for note in notes))
    db.executemany("INSERT INTO note_texts VALUES (?, ?, ?, ?)", texts)


def delete_notes(db: sqlite3.Connection, note_ids: Iterable[str]) -> None:
    """Remove these notes (headers, JSON and texts)."""
    ids = [(note_id,) for note_id in note_ids]
    db.executemany("DELETE FROM notes WHERE id = ?", ids)
    db.executemany("DELETE FROM note_texts WHERE id = ?", ids)


# One note's data, body, lines and properties (`note_from_row`), by id.
NOTE_QUERY = (
    "SELECT n.data, t.body, t.lines, t.properties FROM notes n "
    "LEFT JOIN note_texts t ON t.id = n.id WHERE n.id = ?"
)


def aliases_of(text: str | None) -> tuple[str, ...]:
    """The aliases a notes row holds (`note_row`)."""
    return tuple(text.split(_US)) if text else ()


def note_from_row(data: str, body: str | None, lines: str | None, properties: str | None) -> Note:
    """The note of a notes row, from its data, body, lines and properties columns."""
    item = json.loads(data)
    if body is not None and lines is not None:
        item["body"] = zip(body.split(_RS), map(int, lines.split(",")), strict=True)
    if properties:
        item["properties"] = properties
    return note_from_json(item)


def ranks(codes: Any) -> Any:
    """Each item's place among the items of its code, in the order given (numpy arrays).

    >>> import numpy as np
    >>> ranks(np.array([5, 2, 5, 5, 2])).tolist()
    [0, 0, 1, 2, 1]
    """
    import numpy as np

    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(codes)))
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = np.arange(len(codes)) - np.repeat(starts, counts)
    return out


def link_files(
    files: Sequence[str], fields: Sequence[Sequence[Any]], first: int = 1
) -> tuple[list[tuple[int, str, int, str]], Any]:
    """The rows of the link_files table for links written in `files` whose other fields
    (line, order, summary, sentence, label, annotation, relation, section) are `fields`,
    their rowids numbered from `first`: (first rowid, file, count, the fields as
    `link_fields` writes them), one per file; and each link's rowid, in the order given
    (a file's links take consecutive rowids), as a numpy array.

    >>> table, rowids = link_files(["x.md", "y.md", "x.md"],
    ...                            [(3, 1, "", "a"), (4, None, "s", ""), (5, 2, "", "b")])
    >>> table
    [(1, 'x.md', 2, 'c[[3,5],[1,2]]\\x1f\\x1f\\x1fa\\x1fb'), (3, 'y.md', 1, 'c[[4],[null]]\\x1fs\\x1f')]
    >>> rowids.tolist(), link_files([], [])[0]
    ([1, 3, 2], [])
    """
    import numpy as np

    numbers: dict[str, int] = {}
    codes = np.fromiter(
        (numbers.setdefault(file, len(numbers)) for file in files), dtype=np.int64, count=len(files)
    )
    counts = np.bincount(codes, minlength=len(numbers))
    offsets = np.concatenate(([0], np.cumsum(counts)))[:-1].astype(np.int64)
    order = np.argsort(codes, kind="stable").tolist()
    grouped = [fields[i] for i in order]
    table = [
        (first + start, file, count, link_fields(grouped[start : start + count]))
        for file, start, count in zip(numbers, offsets.tolist(), counts.tolist(), strict=True)
    ]
    rowids = first + offsets[codes] + ranks(codes)
    return table, rowids


def link_fields(fields: Sequence[Sequence[Any]]) -> str:
    """One file's links' fields as one text: "c", then their lines and orders as JSON,
    then every text field, column by column, apart by US (a file's text rarely holds
    one: then "j" and the whole as JSON). Joining texts costs a fraction of encoding them.

    >>> text = link_fields([(3, 1, "x", "y"), (5, None, "", "z")])
    >>> text, link_details(7, "a.md", text)
    ('c[[3,5],[1,null]]\\x1fx\\x1f\\x1fy\\x1fz', {7: ('a.md', 3, 1, 'x', 'y'), 8: ('a.md', 5, None, '', 'z')})
    >>> link_details(1, "b.md", link_fields([(2, None, "one\x1ftwo", "")]))
    {1: ('b.md', 2, None, 'one\\x1ftwo', '')}
    """
    columns = list(zip(*fields, strict=True))
    texts = list(chain.from_iterable(columns[2:]))
    try:
        joined = _US.join(texts)
    except TypeError:  # a field that is no text
        joined = None
    if joined is None or joined.count(_US) != len(texts) - 1:
        return "j" + ENCODE(fields)
    return "c" + ENCODE(columns[:2]) + _US + joined


def link_details(first: int, file: str, data: str) -> dict[int, tuple[Any, ...]]:
    """rowid -> (file, line, order, summary, sentence, label, annotation, relation,
    section) for the links of one link_files row (`link_fields`)."""
    if data[0] == "j":
        rows = json.loads(data[1:])
    else:
        head, _, rest = data[1:].partition(_US)
        lines, orders = json.loads(head)
        count = len(lines)
        texts = rest.split(_US)
        rows = zip(
            lines,
            orders,
            *(texts[at : at + count] for at in range(0, len(texts), count)),
            strict=True,
        )
    return {first + at: (file, *fields) for at, fields in enumerate(rows)}


def link_field_columns(data: str) -> tuple[list[list[Any]], str | None, int]:
    """The fields of one link_files row's links (`link_fields`) column by column: their
    lines, orders, summaries, sentences, labels, annotations, relations and sections (what
    `link_details` gives link by link, without a tuple a link); with their texts as one
    text (None when some field that should be one is not: a damaged row) and how many
    of the US characters in it stand between texts (any other was in a text).

    >>> link_field_columns(link_fields([(3, 1, "x", "y"), (5, None, "", "z")]))
    ([[3, 5], [1, None], ['x', ''], ['y', 'z']], 'x\\x1f\\x1fy\\x1fz', 3)
    >>> link_field_columns(link_fields([(2, None, "one\x1ftwo", "")]))
    ([[2], [None], ['one\\x1ftwo'], ['']], 'one\\x1ftwo\\n', 0)
    """
    if data[0] == "j":
        columns = [list(column) for column in zip(*json.loads(data[1:]), strict=True)]
        try:
            return columns, "\n".join(chain.from_iterable(columns[2:])), 0
        except TypeError:
            return columns, None, 0
    head, _, rest = data[1:].partition(_US)
    lines, orders = json.loads(head)
    count = len(lines)
    if not count:
        return [lines, orders], "", 0
    texts = rest.split(_US)
    columns = [lines, orders, *(texts[at : at + count] for at in range(0, len(texts), count))]
    return columns, rest, len(texts) - 1
