"""The one small hierarchy of errors kg raises.

Every message says what went wrong and what to do about it.

>>> try:
...     raise NoteNotFound("hidden reasonin", ["Do base models already contain hidden reasoning ability?"])
... except KgError as error:
...     print(error)
no note titled 'hidden reasonin'; did you mean: 'Do base models already contain hidden reasoning ability?'
"""

from __future__ import annotations

from collections.abc import Sequence


class KgError(Exception):
    """Base class of every error kg raises on purpose."""


class ParseError(KgError):
    """A page or note could not be read; names the file and line."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


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


class IndexCorrupt(KgError):
    """An index file is damaged or was written by another version; rebuild with `kg index`."""


class IndexLocked(KgError):
    """Another process holds the index lock."""


class ModelUnavailable(KgError):
    """The embedding model cannot be loaded; lexical features keep working."""


class ExportError(KgError):
    """An export could not be written; nothing half-written is left behind."""
