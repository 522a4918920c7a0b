"""A list of results that prints as a table: what kg's list-returning queries give.

`Results` is a `list` (indexing, slicing, equality with a plain list, `json.dumps` all work
as for a list) that prints as an aligned table, renders as an HTML table in Jupyter, and
turns into records (`to_records`, no pandas needed) or a pandas DataFrame (`to_frame`).

>>> from kg.model import NearNote, Note, NoteKind
>>> hits = Results([NearNote(Note("a", "Why A?", NoteKind.SYNTHESIS), 0.91, True),
...                 NearNote(Note("b", "Does B hold?", NoteKind.LINE), 0.5, False)], NearNote)
>>> hits
  note          score  linked
  Why A?        0.910  True
  Does B hold?  0.500  False
>>> hits[0].score, hits == list(hits), Results([], NearNote)
(0.91, True, [])
>>> [row["note_id"] for row in hits.to_records()]
['a', 'b']
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, SupportsIndex, TypeVar, overload

from kg.display.lines import brief, shown_fields
from kg.display.records import columns, record
from kg.errors import MissingPackage

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

T = TypeVar("T")

# How many rows a printed table shows (in text, in HTML), and how wide a cell grows.
TEXT_ROWS = 20
HTML_ROWS = 100
CELL_WIDTH = 40
TABLE_WIDTH = 160


def require_pandas(call: str, instead: str = ".to_records()") -> Any:
    """The pandas module, or `MissingPackage` saying how to install it and what gives
    the same rows without it."""
    try:
        import pandas
    except ImportError as error:
        raise MissingPackage(
            f"{call} needs pandas, which is not installed: `pip install pandas` (or kg's "
            f"extra, `pip install 'kg[pandas]'`); {instead} gives the same rows as a list "
            "of dicts without it"
        ) from error
    return pandas


def table_cells(
    items: list[Any], width: int = CELL_WIDTH, quoted: bool = True
) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of cells a table shows for `items`: every field any of them
    shows (`lines.shown_fields`), in field order, each value cut short."""
    rows: list[dict[str, str]] = []
    for item in items:
        rows.append({name: brief(value, width, quoted) for name, value in shown_fields(item)})
    every = {name for row in rows for name in row}
    names = [spec.name for spec in dataclasses.fields(items[0]) if spec.name in every]
    return names, [[row.get(name, "") for name in names] for row in rows]


def aligned(rows: list[list[str]], width: int = TABLE_WIDTH) -> list[str]:
    """The rows (the header first) as lines of aligned columns: as many columns as fit in
    `width` characters, a last column '…' when some do not.

    >>> aligned([["a", "bb"], ["ccc", "d"]])
    ['  a    bb', '  ccc  d']
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    kept, used = 0, 2
    while kept < len(widths) and used + widths[kept] <= width - 3:
        used += widths[kept] + 2
        kept += 1
    kept = max(kept, 1)
    more = ["…"] if kept < len(widths) else []
    return [
        "  "
        + "  ".join(
            [*(c.ljust(w) for c, w in zip(row, widths[:kept], strict=False)), *more]
        ).rstrip()
        for row in rows
    ]


class Results(list[T]):
    """A list of query results (`NearNote`, `SearchHit`, `Neighbour`, `Link`, `Use`...).

    Parameters
    ----------
    items : iterable
        The results.
    item_type : type, optional
        Their type, which gives the columns of an empty list's records and frame (the
        first item's type when not given).

    Examples
    --------
    >>> Results([1, 2]) == [1, 2], Results([3, 4, 5])[1:]
    (True, [4, 5])
    """

    def __init__(self, items: Iterable[T] = (), item_type: type | None = None) -> None:
        super().__init__(items)
        self.item_type = item_type

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Results[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | Results[T]:
        if isinstance(index, slice):
            return Results(super().__getitem__(index), self.item_type)
        return super().__getitem__(index)

    def _type(self) -> type | None:
        return type(self[0]) if self else self.item_type

    def __repr__(self) -> str:
        if not self or not hasattr(self[0], "__dataclass_fields__"):
            return super().__repr__()
        names, rows = table_cells(list(self[:TEXT_ROWS]), quoted=False)
        lines = aligned([names, *rows])
        if len(self) > TEXT_ROWS:
            lines.append(f"  … {len(self) - TEXT_ROWS} more")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if not self or not hasattr(self[0], "__dataclass_fields__"):
            return f"<p>{html.escape(super().__repr__())}</p>"
        names, rows = table_cells(list(self[:HTML_ROWS]), width=120, quoted=False)
        head = "".join(f"<th>{html.escape(name)}</th>" for name in ["#", *names])
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in [str(index), *row])
            + "</tr>"
            for index, row in enumerate(rows)
        )
        more = (
            f"<tr><td colspan='{len(names) + 1}'>… {len(self) - HTML_ROWS} more</td></tr>"
            if len(self) > HTML_ROWS
            else ""
        )
        kind = self._type()
        caption = f"{len(self)} × {kind.__name__ if kind is not None else 'result'}"
        return (
            f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}{more}</tbody></table>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict of plain values per result (keys: `kg.display.records.columns`).

        Returns
        -------
        list of dict
            A note inside a result gives `note_id`, `note_title`, `note_kind`; a link
            `link_kind`, `link_file`, `link_line`...; the result's own fields keep their
            names (`score`, `linked`, `depth`...).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().neighbours("a", kinds="related").to_records()[0]["link_label"]
        'extends'
        """
        return [record(item) for item in self]

    def to_frame(self) -> pd.DataFrame:
        """The records (`to_records`) as a pandas DataFrame, one row per result in order.

        Returns
        -------
        pandas.DataFrame
            With the columns of `to_records`, even when there are no results.

        Raises
        ------
        kg.errors.MissingPackage
            When pandas is not installed (an `ImportError` too).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().backlinks("c").to_frame()[["source", "kind", "line"]]
          source      kind  line
        0      b  mentions     5
        """
        pandas = require_pandas(".to_frame()")
        kind = self._type()
        names = columns(kind) if kind is not None and hasattr(kind, "__dataclass_fields__") else []
        return pandas.DataFrame(self.to_records(), columns=names or None)
