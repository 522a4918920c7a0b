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
