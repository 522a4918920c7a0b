"""`kg bridges`: the notes that join clusters, and what comes apart without them."""

from __future__ import annotations

import argparse
import textwrap
from typing import TYPE_CHECKING

from kg.cli.common import Subparsers, count, emit_json, open_graph
from kg.display import Results
from kg.graph.bridge_links import BridgeLink

if TYPE_CHECKING:
    from kg.graph.communities import Clustering


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg bridges` and its options to the `kg` parser."""
    p = sub.add_parser(
        "bridges",
        parents=[common],
        help="notes that join clusters, ranked",
        description="The notes whose links join clusters (those of `kg clusters`), ranked "
        "by their participation (how evenly their links spread over clusters, 0-1) times "
        "the weight of their links to other clusters; with the clusters that would be cut "
        "off from the note's own without it.",
    )
    p.add_argument("-n", type=count, default=20, help="how many bridges (default 20)")
    p.add_argument(
        "--links",
        action="store_true",
        help="the linked pairs of notes across clusters instead, ranked by their share "
        "(0-1) of the link weight joining their two clusters (1 = the only pair linking them)",
    )
    p.add_argument("--resolution", type=float, default=1.0, help="as for `kg clusters`")
    p.add_argument("--seed", type=int, default=0, help="as for `kg clusters`")


def run(args: argparse.Namespace) -> int:
    """Print the bridge notes, best first: score, participation, clusters joined.

    Parameters
    ----------
    args
        The parsed arguments of `kg bridges`.

    Returns
    -------
    int
        The exit status: 0, or 1 when no note joins two clusters.
    """
    graph = open_graph(args, embed="none")
    shape = graph.clusters(resolution=args.resolution, seed=args.seed)
    if args.links:
        every = graph.bridge_links(shape, top=len(graph.link_table))
        found_links = Results(list(every)[: args.n], BridgeLink)
        return _print_links(found_links, len(every), shape, args.json)
    found = graph.bridges(shape, top=args.n)
    joining = graph.joining_count(shape)
    if args.json:
        emit_json(
            [
                {
                    "id": b.note_id,
                    "title": b.title,
                    "score": b.score,
                    "participation": b.participation,
                    "cluster": {"id": b.cluster, "name": shape[b.cluster].name},
                    "joins": [{"id": c, "name": shape[c].name} for c in b.joins],
                    "apart": list(b.apart),
                    "only_link": list(b.only_link),
                }
                for b in found
            ]
        )
        return 0 if joining else 1
    notes = "note" if joining == 1 else "notes"
    if len(found) < joining:
        print(f"the {len(found)} strongest of {joining} {notes} joining {len(shape)} clusters")
    else:
        print(f"{joining} {notes} joining {len(shape)} clusters")
    print("score = part. × weight of links across (part.: participation, 1 = spread evenly)")
    if found:
        print(f"\n{'score':>6}  part.  note")
    for b in found:
        print(
            f"\n{b.score:6.2f}  {b.participation:.2f}  "
            + textwrap.shorten(b.title, 64, placeholder="…")
        )
        joins = ", ".join(f"#{c}" for c in b.joins)
        print(
            textwrap.shorten(
                f"in #{b.cluster} {shape[b.cluster].name}; joins {joins}", 72, placeholder="…"
            ).join(("        ", ""))
        )
        if b.apart:
            cut = ", ".join(f"#{c} {shape[c].name}" for c in b.apart)
            print(
                textwrap.shorten(f"without it cut off: {cut}", 72, placeholder="…").join(
                    ("        ", "")
                )
            )
        elif b.only_link:
            alone = ", ".join(f"#{c}" for c in b.only_link)
            print(f"        the only direct link to {alone} (reachable otherwise)"[:80])
    return 0 if joining else 1


def _print_links(found: Results[BridgeLink], every: int, shape: Clustering, as_json: bool) -> int:
    """Print `kg bridges --links`: each link across clusters, its share and kinds."""
    if as_json:
        emit_json(
            [
                {
                    "source": {"id": b.source_id, "title": b.source_title},
                    "target": {"id": b.target_id, "title": b.target_title},
                    "kinds": list(b.kinds),
                    "clusters": [
                        {"id": c, "name": shape[c].name}
                        for c in (b.source_cluster, b.target_cluster)
                    ],
                    "weight": b.weight,
                    "share": b.share,
                    "only": b.only,
                }
                for b in found
            ]
        )
        return 0 if every else 1
    pairs = "linked pair" if every == 1 else "linked pairs"
    strongest = f"the first {len(found)} of " if len(found) < every else ""
    print(f"{strongest}{every} {pairs} of notes across {len(shape)} clusters")
    print("share: the part (0-1) of the link weight joining two clusters that a pair's")
    print("links carry (a pair may be linked more than once, in several kinds)")
    for b in found:
        only = "  the only pair linking them" if b.only else ""
        head = f"{b.share:5.2f}  #{b.source_cluster} → #{b.target_cluster}  {', '.join(b.kinds)}"
        print("\n" + textwrap.shorten(head + only, 80, placeholder="…"))
        for title in (b.source_title, b.target_title):
            print("       " + textwrap.shorten(title, 72, placeholder="…"))
    return 0 if every else 1
