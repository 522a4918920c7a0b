"""`kg gaps`: pairs of clusters close in meaning but barely linked, and links to bridge them."""

from __future__ import annotations

import argparse
import textwrap
from collections import Counter
from dataclasses import asdict
from typing import TYPE_CHECKING

from kg.cli.common import (
    Subparsers,
    add_embed_now_option,
    count,
    emit_json,
    open_graph,
    progress_printer,
)

if TYPE_CHECKING:
    from kg.graph.communities import Clustering
    from kg.graph.knowledge import KnowledgeGraph
    from kg.query.gaps import Gap


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg gaps` and its options to the `kg` parser."""
    p = sub.add_parser(
        "gaps",
        parents=[common],
        help="clusters near in meaning but barely linked",
        description="Pairs of clusters of notes whose meanings are close (the cosine of "
        "their centroids) but that few links join, compared with what their sizes and "
        "meaning predict; for each, the notes most likely to bridge them and suggested "
        "links (notes across the gap near by meaning and not linked), with the sentence of "
        "each note that makes them near. Clusters: those of `kg clusters` (the same "
        "--resolution and --seed).",
    )
    p.add_argument("-k", "--top", type=count, default=5, help="how many gaps (default 5)")
    p.add_argument(
        "-s", "--suggestions", type=count, default=5, help="links suggested per gap (default 5)"
    )
    p.add_argument(
        "--min-size", type=count, default=3, help="leave out smaller clusters (default 3)"
    )
    p.add_argument("--resolution", type=float, default=1.0, help="as for `kg clusters`")
    p.add_argument("--seed", type=int, default=0, help="as for `kg clusters`")
    add_embed_now_option(p)


def clustering(graph: KnowledgeGraph, resolution: float = 1.0, seed: int = 0) -> Clustering:
    """The clustering `kg gaps` works on: `g.clusters(resolution=, seed=)`'s, as
    `kg clusters` lists them with the same options."""
    return graph.clusters(resolution=resolution, seed=seed)


def _label(shape: Clustering, cluster: int) -> str:
    """A cluster as `kg clusters` names it: its id, size and name."""
    found = shape[cluster]
    return f"#{cluster} {found.name} ({found.size} notes)"


def _print(
    graph: KnowledgeGraph, shape: Clustering, found: list[Gap], top: int, min_size: int
) -> None:
    if not found and top:
        sizes = Counter(shape.labels.values())
        if sum(1 for n in sizes.values() if n >= min_size) < 2:
            print("No gaps: fewer than two clusters of notes with vectors.")
        else:
            print("No gaps: no two clusters are linked less than their likeness predicts.")
        return
    print(f"{len(found)} gap{'s' * (len(found) != 1)}: clusters alike in meaning, "
          "linked less than that predicts (score 0-1)")  # fmt: skip
    for n, gap in enumerate(found, 1):
        print(f"\n{n}. score {gap.score:.3f}  similarity {gap.similarity:.3f}  "
              f"{gap.links} note pairs linked ({gap.expected:.1f} expected)")  # fmt: skip
        print(f"   {_label(shape, gap.first)}")
        print(f"   {_label(shape, gap.second)}")
        bridging = ", ".join(graph.note(i).title for i in gap.bridging)
        print(textwrap.fill(f"bridging: {bridging}", 78, initial_indent="   ",
                            subsequent_indent="     "))  # fmt: skip
        for s in gap.suggested:
            pair = f"{s.similarity:.3f}  {graph.note(s.source).title}  <->  {graph.note(s.target).title}"
            print(textwrap.fill(pair, 78, initial_indent="   ", subsequent_indent="         "))
            for text, file, line in (
                (s.source_sentence, s.source_file, s.source_line),
                (s.target_sentence, s.target_file, s.target_line),
            ):
                where = f"{file}:{line}: " if file else ""
                print(textwrap.fill(f"{where}{text}", 78, initial_indent="         ",
                                    subsequent_indent="           "))  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Print the gaps between clusters, with bridging notes and suggested links.

    Parameters
    ----------
    args
        The parsed arguments of `kg gaps`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.cli.progress import embed_missing
    from kg.query.gaps import gaps

    graph = open_graph(args, embed="stored")
    embed_missing(graph, args.embed_now, progress_printer(not args.json))
    shape = clustering(graph, args.resolution, args.seed)
    found = gaps(graph, shape.labels, top=args.top, suggestions=args.suggestions,
                 min_size=max(args.min_size, 1))  # fmt: skip
    if args.json:
        emit_json([asdict(g) for g in found])
        return 0
    _print(graph, shape, list(found), args.top, max(args.min_size, 1))
    return 0
