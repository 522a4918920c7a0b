"""The one small hierarchy of errors kg raises.

Every message says what went wrong and what to do about it.

>>> try:
...     raise NoteNotFound("hidden reasonin", ["Do base models already contain hidden reasoning ability?"])
... except KgError as error:
...     print(error)
no note titled 'hidden reasonin'; did you mean: 'Do base models already contain hidden reasoning ability?'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


class KgError(Exception):
    """Base class of every error kg raises on purpose."""


class NoteNotFound(KgError, LookupError):
    """No note matches a title or id; carries the closest titles as suggestions."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        message = f"no note titled {query!r}"
        if self.suggestions:
            message += "; did you mean: " + ", ".join(repr(s) for s in self.suggestions)
        else:
            message += "; try `kg search` to find it by its words"
        super().__init__(message)


class CorpusError(KgError):
    """The corpus folder or a setting is unusable (missing folder, bad config)."""


class IndexLocked(KgError):
    """Another process holds the index lock."""


class ModelUnavailable(KgError):
    """The embedding model cannot be loaded; lexical features keep working."""


class ExportError(KgError):
    """An export could not be written; nothing half-written is left behind."""


class InvalidArgument(KgError, ValueError):
    """An argument kg does not know, such as a link kind or a direction; the message
    lists the values it takes."""


def check_choice(name: str, value: object, valid: Iterable[str]) -> str:
    """`value` when it is one of `valid`, else `InvalidArgument` naming the valid values.

    >>> check_choice("direction", "out", ("out", "in", "both"))
    'out'
    >>> check_choice("direction", "forward", ("out", "in", "both"))
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: unknown direction 'forward'; valid: out, in, both
    """
    choices = list(valid)
    if isinstance(value, str) and value in choices:
        return value
    raise InvalidArgument(f"unknown {name} {value!r}; valid: {', '.join(choices)}")


def check_choices(name: str, value: object, valid: type[E]) -> frozenset[E] | None:
    """The members of the enum `valid` that `value` names: None for None (no filter), one
    member for a single string or member, every one for an iterable of them; anything
    else raises `InvalidArgument` naming the valid values. How every kg method reads
    `kinds` (link kinds) and `node_kinds` (note kinds).

    >>> from enum import StrEnum
    >>> class Colour(StrEnum):
    ...     RED = "red"
    ...     BLUE = "blue"
    >>> sorted(check_choices("colour", ["red", Colour.BLUE], Colour))
    [<Colour.BLUE: 'blue'>, <Colour.RED: 'red'>]
    >>> check_choices("colour", "red", Colour), check_choices("colour", None, Colour)
    (frozenset({<Colour.RED: 'red'>}), None)
    >>> check_choices("colour", "rde", Colour)
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: unknown colour 'rde'; valid: red, blue
    """
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        items = [items]
    members = {member.value: member for member in valid}
    chosen: set[E] = set()
    for item in items:
        key = item.value if isinstance(item, valid) else item
        if not isinstance(key, str) or key not in members:
            raise InvalidArgument(f"unknown {name} {item!r}; valid: {', '.join(members)}")
        chosen.add(members[key])
    return frozenset(chosen)


def check_count(name: str, value: object, minimum: int = 0) -> int:
    """`value` when it is a whole number of at least `minimum` (a depth, a `k`), else
    `InvalidArgument`.

    >>> check_count("depth", 2)
    2
    >>> check_count("depth", -1)
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: depth must be a whole number of at least 0, not -1
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return value


class StoreError(KgError):
    """A SPARQL store could not be reached, refused a request, or its server would not start."""
