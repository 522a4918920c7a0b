"""Results as records: one dict of plain values (str, int, float, bool, None, lists) per
result, the same keys for every result of a type, found from the type's fields.

- a plain field keeps its name; an enum gives its value, a tuple a list;
- a note inside a result gives three columns, `<field>_id`, `<field>_title` and
  `<field>_kind` (`note_id`, `note_title`, `note_kind`; `via_id`...);
- another result inside (a link, a claim, an evidence) gives its plain fields as
  `<field>_<name>` (`link_kind`, `link_line`, `claim_text`...);
- the fields `lines.HIDDEN` leaves out of a line (a note's body, a trace's children) are
  left out here too, but for numbers (a gap's `links`: how many, not the links).

>>> from kg.model import Link, LinkKind, NearNote, Note, NoteKind
>>> columns(NearNote)
['note_id', 'note_title', 'note_kind', 'score', 'linked', 'vectors']
>>> record(NearNote(Note("a", "Why A?", NoteKind.SYNTHESIS), 0.5, False))
{'note_id': 'a', 'note_title': 'Why A?', 'note_kind': 'synthesis', 'score': 0.5, 'linked': False, 'vectors': ''}
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import lru_cache
from typing import Any

from kg.display.lines import HIDDEN

Getter = Callable[[Any], Any]
PLAIN = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """`value` as plain data: an enum as its value, tuples as lists, all the way down.

    >>> plain((("a", 1.0),))
    [['a', 1.0]]
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def _bare(hint: Any) -> Any:
    """The type of an optional field (`Note | None` -> `Note`)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        kept = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else hint
    return hint


def _is_note(kind: Any) -> bool:
    names = {spec.name for spec in dataclasses.fields(kind)}
    return {"id", "title", "kind", "stub"} <= names


def _is_number(hint: Any) -> bool:
    return hint in (int, float)


def _is_plain(hint: Any) -> bool:
    hint = _bare(hint)
    if isinstance(hint, type):
        return issubclass(hint, PLAIN) or issubclass(hint, Enum)
    if typing.get_origin(hint) is tuple:  # a tuple of plain values, or of pairs of them
        return all(arg is Ellipsis or _is_plain(arg) for arg in typing.get_args(hint))
    return isinstance(hint, types.UnionType) and all(_is_plain(a) for a in typing.get_args(hint))


def _hints(kind: type) -> dict[str, Any]:
    """The field types of a result type; a field whose type names something its module
    imports only for type checking counts as `Any` (and gives no column)."""
    try:
        return typing.get_type_hints(kind)
    except NameError:
        pass
    module = vars(sys.modules[kind.__module__])
    out: dict[str, Any] = {}
    for spec in dataclasses.fields(kind):
        try:  # the annotation is kg's own source text, evaluated as typing would
            out[spec.name] = eval(spec.type, module) if isinstance(spec.type, str) else spec.type
        except NameError:
            out[spec.name] = Any
    return out


def _inside(name: str, getter: Getter) -> Getter:
    def get(item: Any) -> Any:
        inner = getattr(item, name)
        return None if inner is None else getter(inner)

    return get


def _field(name: str) -> Getter:
    return lambda item: plain(getattr(item, name))


@lru_cache(maxsize=64)
def _columns(kind: type, nested: bool = False) -> tuple[tuple[str, Getter], ...]:
    hints = _hints(kind)
    out: list[tuple[str, Getter]] = []
    for spec in dataclasses.fields(kind):
        hint = _bare(hints[spec.name])
        if spec.name in HIDDEN and not _is_number(hint):
            continue  # a count of that name (a gap's `links`) is a column all the same
        if _is_plain(hint):
            out.append((spec.name, _field(spec.name)))
        elif nested:
            continue  # one level down: plain fields only
        elif dataclasses.is_dataclass(hint) and isinstance(hint, type):
            inner = (
                [(key, _field(key)) for key in ("id", "title", "kind")]
                if _is_note(hint)
                else list(_columns(hint, nested=True))
            )
            out += [(f"{spec.name}_{key}", _inside(spec.name, get)) for key, get in inner]
    return tuple(out)


def columns(kind: type) -> list[str]:
    """The record keys of a result type, in order."""
    cached: Any = kind
    return [name for name, _get in _columns(cached)]


def record(item: Any) -> dict[str, Any]:
    """One result as a dict of plain values (see the module's docstring)."""
    kind: Any = type(item)  # a dataclass type: hashable, for the cache
    return {name: get(item) for name, get in _columns(kind)}
