"""`kg clusters`: the corpus's communities of notes, named by what characterises them."""

from __future__ import annotations

import argparse
import textwrap

from kg.cli.common import Subparsers, count, emit_json, open_graph


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg clusters` and its options to the `kg` parser."""
    p = sub.add_parser(
        "clusters",
        parents=[common],
        help="communities of notes, named by their distinctive words",
        description="Group the notes into communities over their links (Leiden, seeded: "
        "the same corpus gives the same clusters). Written links, sources and related "
        "concepts weigh most, mentions least; categories, #tags and stubs are left out. "
        "Each cluster shows its size, the share of its notes' links that stay inside, "
        "its most distinctive words (of titles, descriptions and claims) and its most "
        "central notes.",
    )
    p.add_argument(
        "-n", type=count, default=20, help="how many clusters, largest first (default 20)"
    )
    p.add_argument(
        "--resolution",
        type=float,
        default=1.0,
        help="above 1: more, smaller clusters; below 1: fewer, larger (default 1)",
    )
    p.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    p.add_argument("--notes", action="store_true", help="list every note of each cluster")


def run(args: argparse.Namespace) -> int:
    """Print the largest clusters: id, size, share inside, name and central notes.

    Parameters
    ----------
    args
        The parsed arguments of `kg clusters`.

    Returns
    -------
    int
        The exit status: 0, or 1 when no note is clustered.
    """
    graph = open_graph(args, embed="none")
    shape = graph.clusters(resolution=args.resolution, seed=args.seed)
    shown = shape.largest(args.n)
    if args.json:
        emit_json(
            {
                "clusters": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "size": c.size,
                        "inside": c.inside,
                        "words": list(c.words),
                        "central": [
                            {"id": i, "title": t} for i, t in zip(c.central, c.titles, strict=True)
                        ],
                        "linked": [{"id": i, "links": n} for i, n in c.linked],
                        **({"notes": list(c.note_ids)} if args.notes else {}),
                    }
                    for c in shown
                ],
                "count": len(shape),
                "clustered": len(shape.labels),
                "unclustered": len(shape.unclustered),
                "resolution": args.resolution,
                "seed": args.seed,
            }
        )
        return 0 if len(shape) else 1
    print(
        f"{len(shape)} clusters of {len(shape.labels)} notes, {len(shape.unclustered)} "
        f"unclustered; the {len(shown)} largest"
    )
    for c in shown:
        print(f"\n#{c.id:<3} {c.size} notes · {c.inside:.0%} of links inside · {c.name}"[:80])
        if c.linked:
            reach = ", ".join(f"#{i} ({n})" for i, n in c.linked[:6])
            print(textwrap.shorten(f"links with {reach}", 74, placeholder="…").join(("    ", "")))
        for title in c.titles:
            print(textwrap.shorten(title, 74, placeholder="…").join(("    ", "")))
        if args.notes:
            for note_id in c.note_ids:
                if note_id not in c.central:
                    print(
                        textwrap.shorten(graph.note_table.title(note_id), 72, placeholder="…").join(
                            ("      ", "")
                        )
                    )
    return 0 if len(shape) else 1
