"""The one small hierarchy of errors kg raises.

Every message says what went wrong and what to do about it.

>>> try:
...     raise NoteNotFound("hidden reasonin", ["Do base models already contain hidden reasoning ability?"])
... except KgError as error:
...     print(error)
no note titled 'hidden reasonin'; did you mean: 'Do base models already contain hidden reasoning ability?'
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


class KgError(Exception):
    """Base class of every error kg raises on purpose.

    `suggestions` lists what the caller may have meant, for a program to offer: the
    valid values of an argument, or the titles closest to one that matched no note
    (empty when there is nothing to suggest). `kg --json` prints them with the error.

    >>> InvalidArgument("unknown direction 'up'; valid: out, in", suggestions=["out", "in"]).suggestions
    ['out', 'in']
    """

    def __init__(self, *args: object, suggestions: Iterable[str] = ()) -> None:
        super().__init__(*args)
        self.suggestions: list[str] = list(suggestions)


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
        super().__init__(message, suggestions=self.suggestions)


class CorpusError(KgError):
    """The corpus folder or a setting is unusable (missing folder, bad config)."""


class IndexDamaged(CorpusError):
    """The index file a graph reads its notes from was damaged after the graph was opened
    (overwritten or cut short by something other than kg, a disk fault). Loading the
    corpus again reads the files and rebuilds the index.

    >>> print(IndexDamaged("notes/.kg/graph-1.sqlite", "database disk image is malformed"))
    the index file notes/.kg/graph-1.sqlite was damaged while this graph was open (database disk image is malformed); load the corpus again (kg.load, or restart the command or the browser): a damaged index is rebuilt from the notes
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        where = f"the index file {path}" if path else "the index file"
        super().__init__(
            f"{where} was damaged while this graph was open ({reason}); load the corpus "
            "again (kg.load, or restart the command or the browser): a damaged index is "
            "rebuilt from the notes"
        )


class IndexLocked(KgError):
    """Another process holds the index lock."""


class ModelUnavailable(KgError):
    """The embedding model cannot be loaded; lexical features keep working."""


class ExportError(KgError):
    """An export could not be written; nothing half-written is left behind."""


class InvalidArgument(KgError, ValueError):
    """An argument kg does not know, such as a link kind or a direction; the message
    lists the values it takes."""


class MissingPackage(KgError, ImportError):
    """An optional package a call needs is not installed (pandas for `.to_frame()` and
    `g.frame()`); the message says what to install. An `ImportError` too, so
    ``except ImportError`` catches it."""


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
    raise InvalidArgument(
        f"unknown {name} {value!r}; valid: {', '.join(choices)}", suggestions=choices
    )


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
            raise InvalidArgument(
                f"unknown {name} {item!r}; valid: {', '.join(members)}", suggestions=list(members)
            )
        chosen.add(members[key])
    return frozenset(chosen)


def check_count(name: str, value: object, minimum: int = 0, maximum: int | None = None) -> int:
    """`value` when it is a whole number from `minimum` (to `maximum`, when given): a depth,
    a `k`, a limit; else `InvalidArgument`.

    >>> check_count("depth", 2)
    2
    >>> check_count("depth", -1)
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: depth must be a whole number of at least 0, not -1
    >>> check_count("k", 2.5, minimum=1)
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: k must be a whole number of at least 1, not 2.5
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise InvalidArgument(f"{name} must be a whole number {bounds}, not {value!r}")
    return value


def check_flag(name: str, value: object, optional: bool = False) -> bool | None:
    """`value` when it is True or False (or None, when `optional`), else `InvalidArgument`:
    a string such as "no" is not taken as true.

    >>> check_flag("stubs", False), check_flag("semantic", None, optional=True)
    (False, None)
    >>> check_flag("stubs", "no")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: stubs must be True or False, not 'no'
    """
    if isinstance(value, bool) or (optional and value is None):
        return value
    valid = "True, False or None" if optional else "True or False"
    raise InvalidArgument(f"{name} must be {valid}, not {value!r}")


def check_text(name: str, value: object, what: str = "a string", optional: bool = False) -> str:
    """`value` when it is a string (None too, when `optional`), else `InvalidArgument`
    saying what is expected.

    >>> check_text("text", "majority vote")
    'majority vote'
    >>> check_text("text", None, "the words to search for (a string)")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: text must be the words to search for (a string), not None
    """
    if isinstance(value, str) or (optional and value is None):
        return value  # type: ignore[return-value]
    raise InvalidArgument(f"{name} must be {what}{' or None' if optional else ''}, not {value!r}")


def check_number(
    name: str, value: object, minimum: float | None = None, maximum: float | None = None
) -> float:
    """`value` as a float when it is a finite real number within the bounds given, else
    `InvalidArgument` (a threshold, a score).

    >>> check_number("threshold", 0.25, 0, 1)
    0.25
    >>> check_number("threshold", "high", 0, 1)
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: threshold must be a number from 0 to 1, not 'high'
    """
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if (
        not math.isfinite(number)
        or (minimum is not None and number < minimum)
        or (maximum is not None and number > maximum)
    ):
        if minimum is not None and maximum is not None:
            bounds = f" from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            bounds = f" of at least {minimum:g}"
        elif maximum is not None:
            bounds = f" of at most {maximum:g}"
        else:
            bounds = ""
        raise InvalidArgument(f"{name} must be a number{bounds}, not {value!r}")
    return number


def check_path(name: str, value: object, what: str = "a path", optional: bool = False) -> None:
    """Nothing when `value` is a str or a path-like object (or None, when `optional`),
    else `InvalidArgument` saying what is expected.

    >>> check_path("index", 5, "a folder")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: index must be a folder (a str or Path), not 5
    """
    if isinstance(value, (str, os.PathLike)) or (optional and value is None):
        return
    valid = f"{what} (a str or Path){' or None' if optional else ''}"
    raise InvalidArgument(f"{name} must be {valid}, not {value!r}")


def check_callable(name: str, value: object, what: str) -> None:
    """Nothing when `value` is None or callable, else `InvalidArgument`.

    >>> check_callable("progress", "yes", "called as progress(stage, done, total)")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: progress must be a function called as progress(stage, done, total), or None, not 'yes'
    """
    if value is not None and not callable(value):
        raise InvalidArgument(f"{name} must be a function {what}, or None, not {value!r}")


def check_options(call: str, given: Iterable[str], valid: Iterable[str]) -> None:
    """Nothing when every keyword in `given` is one of `valid`, else `InvalidArgument`
    naming the first unknown one and the valid ones (where a call takes `**options`).

    >>> check_options("kg.load", ["embed", "embeder"], ["index", "embed", "embedder"])
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: kg.load takes no option 'embeder'; valid: index, embed, embedder
    """
    choices = list(valid)
    for name in given:
        if name not in choices:
            raise InvalidArgument(
                f"{call} takes no option {name!r}; valid: {', '.join(choices)}",
                suggestions=choices,
            )


def shorten(text: str, width: int = 60) -> str:
    """`text` cut to `width` characters with an ellipsis, for lists of valid values.

    >>> shorten("Base models already contain the reasoning RL brings out", 20)
    'Base models already…'
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class StoreError(KgError):
    """A SPARQL store could not be reached, refused a request, or its server would not start."""
