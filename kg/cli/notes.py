"""`kg notes`: list the corpus's notes, by #tag or kind, or the tags themselves."""

from __future__ import annotations

import argparse
import sys

from kg.cli.common import (
    Subparsers,
    emit_json,
    has_tag,
    note_json,
    open_graph,
)
from kg.model import NOT_NOTES, Note, NoteKind


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg notes` and its options to the `kg` parser."""
    p = sub.add_parser(
        "notes",
        parents=[common],
        help="list notes, by #tag or kind",
        description="List the corpus's notes (no stubs unless --stubs), optionally only those "
        "with a #tag (nested tags included: --tag a finds #a/b) or of one kind. With --tags, "
        "list the tags themselves with their counts.",
    )
    p.add_argument("--tag", action="append", metavar="TAG", help="only notes with this tag")
    p.add_argument(
        "--kind", choices=[k.value for k in NoteKind], default=None, help="only this kind"
    )
    p.add_argument("--stubs", action="store_true", help="list stubs too")
    p.add_argument("--tags", action="store_true", help="list the tags and how many notes")


def run(args: argparse.Namespace) -> int:
    """List the corpus's notes (by --tag or --kind), or with --tags the tags and counts.

    Parameters
    ----------
    args
        The parsed arguments of `kg notes`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    graph = open_graph(args, embed="none")
    if args.tags:
        counts = graph.tags()
        if args.json:
            emit_json(counts)
        else:
            for tag, count in counts.items():
                print(f"{count:>5}  {tag}")
        return 0
    found: list[Note] = graph.notes(kind=args.kind, stubs=args.stubs)
    if args.tag:
        found = [n for n in found if has_tag(n, args.tag)]
    else:
        found = [n for n in found if args.kind or n.kind not in NOT_NOTES]
    found.sort(key=lambda n: n.title.casefold())
    if args.json:
        emit_json([{**note_json(n, full=False), "tags": list(n.tags)} for n in found])
        return 0
    for n in found:
        tags = " ".join("#" + t for t in n.tags)
        where = n.files[0] if n.files else n.id
        print(
            f"{n.title}  ({where})" + (f"  {tags}" if tags else "") + ("  [stub]" if n.stub else "")
        )
    print(f"{len(found)} notes", file=sys.stderr)
    return 0
