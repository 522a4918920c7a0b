"""`kg path`: the shortest chain of typed links between two notes."""

from __future__ import annotations

import argparse
import sys

from kg.cli.common import (
    Subparsers,
    add_link_kind_option,
    emit_json,
    open_graph,
)
from kg.codec import link_to_json


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg path` and its options to the `kg` parser."""
    p = sub.add_parser(
        "path",
        parents=[common],
        help="shortest typed path between two notes",
        description="The shortest chain of typed links between two notes.",
    )
    p.add_argument("source", help="title or id of the first note")
    p.add_argument("target", help="title or id of the second note")
    add_link_kind_option(p)


def run(args: argparse.Namespace) -> int:
    """Print the shortest chain of typed links between two notes.

    Parameters
    ----------
    args
        The parsed arguments of `kg path`.

    Returns
    -------
    int
        The exit status: 0 (a path, or both name one note), or 1 when no path joins them. `kg.cli.main` turns a `KgError` into status 2.
    """
    graph = open_graph(args, embed="none")
    chain = graph.path(args.source, args.target, kinds=args.kind)
    if args.json:
        emit_json([link_to_json(lk) for lk in chain])
        return 0 if chain.found else 1
    if chain.same:
        print(f"both name one note: {graph.note(args.source).title}")
        return 0
    if not chain.found:
        print("no path between these notes", file=sys.stderr)
        return 1
    current = graph.note(args.source).id
    print(graph.note(current).title)
    for link in chain:
        forward = link.source == current
        current = link.target if forward else link.source
        print(f"  {'→' if forward else '←'} {link.describe()}  {graph.note(current).title}")
    return 0
