"""`kg neighbours`: the notes linked to a note, to a depth."""

from __future__ import annotations

import argparse

from kg.cli.common import (
    Subparsers,
    add_link_kind_option,
    add_tag_option,
    count,
    emit_json,
    has_tag,
    note_json,
    open_graph,
)
from kg.codec import link_to_json
from kg.model import Neighbour


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg neighbours` and its options to the `kg` parser."""
    p = sub.add_parser(
        "neighbours",
        parents=[common],
        help="list a note's neighbourhood",
        description="List the notes linked to a note, to a depth.",
    )
    p.add_argument("title", help="the note's title or id")
    p.add_argument("--depth", type=count, default=1, help="how many links away (default 1)")
    add_link_kind_option(p)
    p.add_argument(
        "--direction",
        choices=("out", "in", "both"),
        default="both",
        help="follow links forwards, backwards or both (default both)",
    )
    add_tag_option(p, "list notes")


def run(args: argparse.Namespace) -> int:
    """Print the notes linked to a note within --depth links.

    Parameters
    ----------
    args
        The parsed arguments of `kg neighbours`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    graph = open_graph(args, embed="none")
    note = graph.note(args.title)
    found: list[Neighbour] = graph.neighbours(
        note, depth=args.depth, kinds=args.kind, direction=args.direction
    )
    if args.tag:
        found = [n for n in found if has_tag(n.note, args.tag)]
    if args.json:
        emit_json(
            [
                {
                    **note_json(n.note, full=False),
                    "depth": n.depth,
                    "direction": n.direction,
                    "link": link_to_json(n.link),
                }
                for n in found
            ]
        )
        return 0
    print(f"{note.title}: {len(found)} links within depth {args.depth}")
    for n in found:
        arrow = "→" if n.direction == "out" else "←"
        print(
            f"  {'  ' * (n.depth - 1)}{arrow} {n.link.describe():<26} {n.note.title}"
            + ("  [stub]" if n.note.stub else "")
        )
    return 0
