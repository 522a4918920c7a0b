"""One result on one short line, and as a small HTML table in Jupyter.

A result's line names its type and its fields in order, each value cut short: a note
inside another result shows as its title, a link as its kind ('related (mechanism)'),
long texts end in '…', and fields still at their default, or holding a note's whole text
(body, sources, copies...), are left out. A field a result type gains later shows up
without a change here.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, repr=False)
... class Hit(ShortRepr):
...     title: str
...     score: float
...     snippet: str = ""
>>> Hit("Why X?", 0.81234, "x " * 200)  # doctest: +ELLIPSIS
Hit(title='Why X?', score=0.812, snippet='x x x x ... x x…')
>>> Hit("Why X?", 1.0)
Hit(title='Why X?', score=1.000)
"""

from __future__ import annotations

import dataclasses
import html
from enum import Enum
from typing import Any

# How long a result's line may grow, and one value in it.
LINE_WIDTH = 200
VALUE_WIDTH = 48

# Fields that hold a whole note's text or its parse (shown by `note.body`, `note.sources`...,
# never on one line), a trace's subtree, fused parts (`kg trace --explain`), or a
# snippet's highlighted spans (character offsets, for a screen, not a reader).
HIDDEN = frozenset(
    {
        "body",
        "sources",
        "copies",
        "counts",
        "listed",
        "concept_map",
        "properties_json",
        "roles",
        "diagnostics",
        "children",
        "parts",
        "related",
        "papers",
        "uses",
        "cards",
        "wikilinks",
        "hubs",
        "next_lines",
        "connections",
        "links",
        "tag_refs",
        "marks",
    }
)


def clip(text: str, width: int = VALUE_WIDTH) -> str:
    """`text` on one line (runs of white space as one space), cut to `width` with '…'.

    >>> clip("a  long\\n text", 8)
    'a long…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def brief(value: Any, width: int = VALUE_WIDTH, quoted: bool = True) -> str:
    """A value as a few characters: a note as its quoted title, a link as its kind, a
    claim as its quoted text, a score with three decimals, an enum as its value (texts
    without quotes when not `quoted`, as in HTML).

    >>> brief(0.5), brief(("a", "b", "c", "d", "e")), brief(None), brief("x", quoted=False)
    ('0.500', "('a', 'b', 'c', …+2)", 'None', 'x')
    """
    show = repr if quoted else str
    if value is None or isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, str):
        return show(clip(value, width))
    if isinstance(value, tuple | list):
        shown = [brief(item, width // 2, quoted) for item in value[:3]]
        more = [f"…+{len(value) - 3}"] if len(value) > 3 else []
        inner = ", ".join(shown + more)
        if not quoted:  # a table's cell, an HTML cell: the items alone
            return clip(inner, width)
        return clip(f"({inner}{',' if len(value) == 1 else ''})", width)
    if isinstance(value, ShortRepr):
        title = getattr(value, "title", None)
        if isinstance(title, str):
            return show(clip(title, width))
        describe = getattr(value, "describe", None)
        if callable(describe):
            return str(describe())
        text = getattr(value, "text", None)
        if isinstance(text, str):
            return show(clip(text, width))
    return clip(repr(value), width)


def shown_fields(item: Any) -> list[tuple[str, Any]]:
    """The (name, value) pairs a result shows: its dataclass fields in order, less the
    `HIDDEN` ones (but for counts of those names) and those still at their default
    (required fields always show)."""
    out = []
    for spec in dataclasses.fields(item):
        if not spec.repr:
            continue
        value = getattr(item, spec.name)
        # A hidden name holding a count (a gap's `links`) is a figure, not a parse: shown.
        if spec.name in HIDDEN and (isinstance(value, bool) or not isinstance(value, int)):
            continue
        if spec.default is not dataclasses.MISSING and _same(value, spec.default):
            continue
        if spec.default_factory is not dataclasses.MISSING and _same(value, spec.default_factory()):
            continue
        out.append((spec.name, value))
    return out


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):  # an array compares element-wise
        return False


def one_line(item: Any, width: int = LINE_WIDTH) -> str:
    """`Type(field=value, ...)` for a dataclass result, at most `width` characters: a text
    that does not fit is cut shorter, and the fields after it give way to '…'."""
    head = f"{type(item).__name__}("
    parts: list[str] = []
    used = len(head) + 1
    fields = shown_fields(item)
    for index, (name, value) in enumerate(fields):
        # Room for this part, its separator, and a ', …' when more fields follow.
        room = width - used - 2 * bool(parts) - (3 if index < len(fields) - 1 else 0)
        part = f"{name}={brief(value)}"
        if len(part) > room and isinstance(value, str | ShortRepr) and room - len(name) > 16:
            part = f"{name}={brief(value, room - len(name) - 3)}"
        if len(part) > room:
            parts.append("…")
            break
        parts.append(part)
        used += len(part) + 2 * (len(parts) > 1)
    return head + ", ".join(parts) + ")"


def html_fields(item: Any) -> str:
    """A result as an HTML table of its shown fields, every text escaped."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
        f"<td style='text-align:left'>{html.escape(brief(value, 300, quoted=False))}</td></tr>"
        for name, value in shown_fields(item)
    )
    return f"<table><caption>{html.escape(type(item).__name__)}</caption>{rows}</table>"


class ShortRepr:
    """What kg's result types inherit: a one-line repr (`one_line`) and `_repr_html_`
    for Jupyter. A dataclass inheriting it passes ``repr=False`` so its own generated
    repr does not replace this one; equality and hashing stay the dataclass's."""

    __slots__ = ()

    def __repr__(self) -> str:
        return one_line(self)

    def _repr_html_(self) -> str:
        return html_fields(self)


def two_places(score: float) -> str:
    """A score in two decimals; a positive one too small for them is '<0.01', not a
    '0.00' that reads as no support at all.

    >>> two_places(0.256), two_places(0.004), two_places(0.0)
    ('0.26', '<0.01', '0.00')
    """
    return "<0.01" if 0 < score < 0.005 else f"{score:.2f}"
