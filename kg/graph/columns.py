"""The columns of kg's note tables (`g.to_records()`, `g.frame()`, `g.metadata()`) that
are not plain fields: a note's file on disk, its dates, its front-matter properties.

Sizes and times are read from the files as they are on disk when the table is made (a
note shown by several files: the first file's path, their total size, the latest time).
Dates written in ISO 8601 form (`2026-01-05`, `2026-01-05T10:30:00Z`), as YAML's dates
are kept, become `datetime.date` / `datetime.datetime` values.

>>> parse_date("2026-01-05"), parse_date("2026-01-05T10:30:00Z").tzinfo, parse_date("soon")
(datetime.date(2026, 1, 5), datetime.timezone.utc, None)
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.display.results import require_pandas
from kg.properties import Properties, plain, property_columns

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from kg.model import Note

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


def parse_date(text: object) -> dt.date | dt.datetime | None:
    """The date or date and time `text` writes in ISO 8601 form, else None.

    >>> parse_date("2026-02-30"), parse_date("2026-01-05 10:30")
    (None, datetime.datetime(2026, 1, 5, 10, 30))
    """
    if not isinstance(text, str) or len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        if _ISO_TIME.fullmatch(text):
            return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return None


def file_facts(root: Path | None, note: Note) -> tuple[str | None, int | None, dt.datetime | None]:
    """(path, size in bytes, modified time in UTC) of the note's files as they are now:
    the first file's path relative to the corpus, all its files' bytes, the latest
    modification; None for each where the note has no file (a stub) or it cannot be read.
    """
    if not note.files:
        return None, None, None
    path = note.files[0]
    if root is None:
        return path, None, None
    base = root if root.is_dir() else root.parent
    size, latest = 0, -1
    for file in note.files:
        try:
            info = os.stat(base / file)
        except OSError:
            return path, None, None
        size += info.st_size
        latest = max(latest, info.st_mtime_ns)
    return path, size, dt.datetime.fromtimestamp(latest / 1e9, tz=dt.UTC)


def property_cells(properties: Properties, taken: frozenset[str]) -> dict[str, Any]:
    """The note's properties as table cells: one column each (`property_columns`),
    lists as lists, ISO dates as dates.

    >>> from kg.properties import properties_from_json
    >>> property_cells(properties_from_json('{"on": "2026-01-05", "n": [1, {"a": 2}]}'), frozenset())
    {'on': datetime.date(2026, 1, 5), 'n': [1, {'a': 2}]}
    """
    cells: dict[str, Any] = {}
    for name, value in property_columns(properties, taken).items():
        if isinstance(value, str):
            cells[name] = parse_date(value) or value
        else:
            cells[name] = plain(value)
    return cells


def fill(records: list[dict[str, Any]], first: Iterable[str]) -> list[str]:
    """Every record given every column (None where it has no value), columns `first`
    then the rest in the order met; returns the columns."""
    columns = dict.fromkeys(first)
    for record in records:
        columns.update(dict.fromkeys(record))
    names = list(columns)
    for record in records:
        for name in names:
            record.setdefault(name, None)
    return names


def frame_of(
    records: list[dict[str, Any]], columns: list[str], index: str | None, call: str
) -> pd.DataFrame:
    """`records` as a DataFrame (`MissingPackage`, an `ImportError` saying how to get it,
    without pandas; `call` names what was called), columns holding only dates as datetime64."""
    pd = require_pandas(call)
    frame = pd.DataFrame(records, columns=columns)
    for name in columns:
        values = [record[name] for record in records if record.get(name) is not None]
        if not values:
            continue
        if all(type(v) is dt.date for v in values):
            frame[name] = pd.to_datetime(frame[name])
        elif len(values) < len(records) and all(type(v) is int for v in values):
            frame[name] = frame[name].astype("Int64")  # whole numbers with gaps stay whole
    return frame.set_index(index) if index else frame
