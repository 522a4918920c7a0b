"""`kg export`: write part of the graph in a format of the export registry."""

from __future__ import annotations

import argparse
import json
import sys
import time

from kg.cli.common import (
    Subparsers,
    add_link_kind_option,
    count,
    emit_json,
    open_graph,
)
from kg.errors import KgError
from kg.export import formats
from kg.model import NoteKind


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg export` and its options to the `kg` parser."""
    p = sub.add_parser(
        "export",
        parents=[common],
        help="export a subgraph as GraphML, RDF or JSON",
        description="Write part of the graph (or all of it) for Gephi, Cytoscape, yEd, a triple "
        "store or your own scripts: the neighbourhood of --around notes, a --path between two "
        "notes, the hits of a --search, or the whole corpus when none is given. Link kinds and "
        "relation labels are kept in every format.",
        epilog="Formats: "
        + "; ".join(
            f"{f.name} ({', '.join(f.suffixes)}): {f.description}" for f in formats.formats()
        )
        + ".",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="file to write ('-' for stdout); written atomically",
    )
    p.add_argument(
        "-f",
        "--format",
        choices=formats.names(),
        default=None,
        help="output format (default: from the file name, else graphml)",
    )
    p.add_argument(
        "--around", action="append", metavar="TITLE", help="centre note, title or id (repeatable)"
    )
    p.add_argument("--depth", type=count, default=1, help="links away from --around (default 1)")
    add_link_kind_option(p)
    p.add_argument(
        "--node-kind",
        action="append",
        choices=[k.value for k in NoteKind],
        help="only notes of these kinds (repeatable; named notes always kept)",
    )
    p.add_argument(
        "--direction",
        choices=("out", "in", "both"),
        default="both",
        help="walk links forwards, backwards or both from --around (default both)",
    )
    p.add_argument(
        "--path", nargs=2, metavar=("FROM", "TO"), help="the shortest typed path between two notes"
    )
    p.add_argument("--search", metavar="TEXT", help="the top -k hits of a search")
    p.add_argument("-k", type=count, default=20, help="how many search hits (default 20)")
    p.add_argument(
        "--near",
        type=count,
        default=None,
        metavar="K",
        help="add each note's top-K semantically near notes in the export as "
        "weighted 'near' edges (needs embeddings)",
    )
    p.add_argument("--no-stubs", action="store_true", help="leave out stub notes")
    p.add_argument(
        "--no-shape",
        action="store_true",
        help="leave out each note's cluster, cluster name and bridge score (computed on the "
        "whole corpus: seconds at 10,000 notes)",
    )
    p.add_argument(
        "--base",
        default=None,
        metavar="IRI",
        help="IRI that note and link IRIs start with in RDF (default urn:kg:)",
    )


def run(args: argparse.Namespace) -> int:
    """Write the chosen subgraph in a registered format (`kg.export.formats`) and
    summarise what was written.

    Parameters
    ----------
    args
        The parsed arguments of `kg export`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    if args.format:
        fmt = args.format
    elif args.output == "-":
        fmt = "graphml"
    else:
        fmt = formats.for_path(args.output).name
    started = time.perf_counter()
    graph = open_graph(args, embed=bool(args.near or args.search))  # vectors when used
    loaded = time.perf_counter()
    if args.path:
        ends = [graph.note(end) for end in args.path]
        if ends[0].id != ends[1].id and not graph.path(ends[0], ends[1], kinds=args.kind):
            raise KgError(f"no path between {ends[0].title!r} and {ends[1].title!r}")
    sub = graph.subgraph(
        around=args.around,
        depth=args.depth,
        kinds=args.kind,
        node_kinds=args.node_kind,
        path=args.path,
        search=args.search,
        k=args.k,
        near=args.near,
        direction=args.direction,
        stubs=not args.no_stubs,
        shape=not args.no_shape,
    )
    written = sub.write(args.output, fmt, base=args.base)
    finished = time.perf_counter()
    summary = {
        "output": str(written),
        "format": fmt,
        "notes": len(sub.notes),
        "links": len(sub.links),
        "near": len(sub.near),
        "bytes": written.stat().st_size if args.output != "-" else None,
        "seconds_load": round(loaded - started, 3),
        "seconds_export": round(finished - loaded, 3),
    }
    if args.json:
        if args.output == "-":
            print(json.dumps(summary), file=sys.stderr)
        else:
            emit_json(summary)
        return 0
    print(
        f"wrote {summary['notes']} notes, {summary['links']} links"
        + (f", {summary['near']} near pairs" if sub.near else "")
        + f" as {fmt} to {written} ({finished - loaded:.2f}s)",
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return 0
