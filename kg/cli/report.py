"""How the `kg` command reports problems: errors (a usage error, a `KgError`) and the
diagnostics reading a corpus found, as text for a person or, with --json, as data.

With --json an error is one JSON object on stderr, ``{"error", "message", "suggestions"}``,
and a diagnostic one object ``{"file", "line", "severity", "code", "message"}``; the exit
status is the same either way (see `kg.cli.main`).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import Any, NoReturn

from kg.errors import KgError
from kg.model import Diagnostic

# The `error` of a command line argparse cannot read (an unknown option or command, a
# value that is not one of an option's choices, a missing argument).
USAGE_ERROR = "UsageError"


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as the commands print it with --json.

    Examples
    --------
    >>> from kg.model import Severity
    >>> diagnostic_json(Diagnostic("a.md", 3, Severity.WARNING, "cut off", "truncated"))
    {'file': 'a.md', 'line': 3, 'severity': 'warning', 'code': 'truncated', 'message': 'cut off'}
    >>> diagnostic_json(Diagnostic("kg.yaml", None, Severity.ERROR, "not a mapping"))["code"]
    'error'
    """
    return {
        "file": diagnostic.path,
        "line": diagnostic.line,
        "severity": diagnostic.severity.value,
        # What kind of problem; a diagnostic kg gives no kind of its own is its severity.
        "code": diagnostic.code or diagnostic.severity.value,
        "message": diagnostic.message,
    }


def error_json(error: str, message: str, suggestions: list[str] | None = None) -> str:
    """The one-line JSON object an error is under --json.

    >>> error_json("NoteNotFound", "no note titled 'x'", ["X?"])
    '{"error": "NoteNotFound", "message": "no note titled \\'x\\'", "suggestions": ["X?"]}'
    """
    return json.dumps(
        {"error": error, "message": message, "suggestions": list(suggestions or [])},
        ensure_ascii=False,
    )


def report_error(command: str, error: KgError, as_json: bool) -> None:
    """Print `error`, raised by `kg COMMAND`, on stderr: its class, message and suggestions
    as one JSON object with --json, else ``kg COMMAND: message``."""
    if as_json:
        print(error_json(type(error).__name__, str(error), error.suggestions), file=sys.stderr)
    else:
        print(f"kg {command}: {error}", file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are JSON objects on stderr when `json_errors`
    is set (`kg --json`), with the valid values as suggestions, closest first.

    Examples
    --------
    >>> import contextlib, io
    >>> parser = Parser(prog="kg", json_errors=True)
    >>> _ = parser.add_argument("--format", choices=["graphml", "turtle", "nt"])
    >>> stderr = io.StringIO()
    >>> with contextlib.redirect_stderr(stderr):
    ...     try:
    ...         parser.parse_args(["--format", "turtel"])
    ...     except SystemExit as stop:
    ...         print(stop.code)
    2
    >>> json.loads(stderr.getvalue())["suggestions"]
    ['turtle', 'graphml', 'nt']
    """

    def __init__(self, *args: Any, json_errors: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.json_errors = json_errors
        self._valid: list[str] = []  # the choices of the last value refused

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            valid = [str(choice) for choice in action.choices]
            close = difflib.get_close_matches(str(value), valid, n=len(valid), cutoff=0.5)
            self._valid = close + [choice for choice in valid if choice not in close]
        super()._check_value(action, value)

    def error(self, message: str) -> NoReturn:
        if not self.json_errors:
            super().error(message)
        print(error_json(USAGE_ERROR, f"{self.prog}: {message}", self._valid), file=sys.stderr)
        sys.exit(2)
