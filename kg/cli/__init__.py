"""The `kg` command: index a corpus and query it from the shell.

Every command reads the corpus named by --corpus (default ./notes, or $KG_CORPUS),
keeps its index in CORPUS/.kg/ unless --index says otherwise, and prints JSON with --json.
Each command is one module of this package with an `add_parser` and a `run`; the shared
options and output helpers are in `kg.cli.common`.

>>> build_parser().parse_args(["path", "A", "B", "--json"]).command
'path'
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from kg.cli import (
    bridges,
    browse,
    clusters,
    contested,
    export,
    gaps,
    index,
    near,
    neighbours,
    notes,
    path,
    push,
    search,
    serve,
    show,
    sparql,
    stats,
    trace,
    watch,
)
from kg.cli.common import common_options
from kg.cli.report import Parser, report_error
from kg.errors import KgError

__all__ = ["COMMANDS", "build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]

# The commands in the order `kg --help` lists them: name -> the module that adds and runs it.
_MODULES = (
    index,
    show,
    neighbours,
    notes,
    path,
    stats,
    near,
    clusters,
    bridges,
    gaps,
    search,
    trace,
    contested,
    browse,
    export,
    sparql,
    serve,
    push,
    watch,
)
COMMANDS: dict[str, Handler] = {m.__name__.rsplit(".", 1)[1]: m.run for m in _MODULES}


def build_parser(json_errors: bool = False) -> argparse.ArgumentParser:
    """The `kg` argument parser with every command's subparser.

    Parameters
    ----------
    json_errors
        Print usage errors as JSON objects on stderr (what `kg … --json` does).

    Returns
    -------
    argparse.ArgumentParser
        The parser; `args.command` names the command chosen (None when none was given).
    """
    parser = Parser(
        prog="kg",
        description="A knowledge-graph browser for research notes.",
        epilog="Run `kg COMMAND --help` for a command's options.",
        json_errors=json_errors,
    )
    parser.add_argument("--version", action="version", version="kg 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options()
    for module in _MODULES:
        module.add_parser(sub, common)
    for command in sub.choices.values():  # each is made as a Parser, the parser's class
        if isinstance(command, Parser):
            command.json_errors = json_errors
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kg` console script.

    Parameters
    ----------
    argv
        The arguments after `kg` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 on success, 1 when a command found nothing or a problem it
        reports (see each command), 2 on a usage error or a `KgError`, 130 when interrupted.
        An error is one line on stderr; with --json, one JSON object with ``error`` (the
        `KgError`'s class, or ``UsageError``), ``message`` and ``suggestions`` (the valid
        values, or the closest titles).

    Examples
    --------
    >>> main([])  # doctest: +ELLIPSIS
    usage: kg [-h] [--version] COMMAND ...
    ...
    0
    """
    words = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in words
    parser = build_parser(json_errors=as_json)
    args = parser.parse_args(words)
    if not args.command:
        parser.print_help()
        return 0
    if args.command != "browse":  # the browser says what it waits for on its own screen
        from kg.cli.progress import log_to_stderr

        log_to_stderr()
    try:
        return COMMANDS[args.command](args)
    except KgError as error:
        report_error(args.command, error, as_json)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
