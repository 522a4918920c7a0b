"""`kg watch`: keep the index current as the corpus's files change."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from kg.cli.common import Subparsers, default_corpus, progress_printer


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg watch` and its options to the `kg` parser."""
    p = sub.add_parser(
        "watch",
        parents=[common],
        help="keep the index current as files change",
        description="Index the corpus, then update the index in place each time a file is "
        "saved, added or removed (one line per update; with --json one JSON object per "
        "line). Ctrl+C stops.",
    )
    p.add_argument(
        "--no-embed", action="store_true", help="keep only the graph current, no vectors"
    )
    p.add_argument(
        "--debounce",
        type=int,
        default=200,
        metavar="MS",
        help="changes this many milliseconds apart are read together (default 200)",
    )


def run(args: argparse.Namespace) -> int:
    """Watch the corpus and print what each update did.

    Parameters
    ----------
    args
        The parsed arguments of `kg watch`.

    Returns
    -------
    int
        0 when stopped with Ctrl+C.
    """
    from kg.index.overview import keep_overview
    from kg.index.watch import watch

    corpus = args.corpus or default_corpus()
    first = True
    try:
        for graph in watch(
            corpus,
            index=args.index,
            config=args.config,
            embed="none" if args.no_embed else "all",
            debounce_ms=args.debounce,
            progress=progress_printer(not args.json),
        ):
            # The model's whole-note vectors, on a thread while watching: near and search
            # use them once every note has one (an edit re-embeds only its notes).
            graph.embed_notes(background=True, progress=progress_printer(not args.json))
            update = graph.index_update
            vectors = graph.embeddings
            embedded = vectors.embedded if vectors is not None else 0
            if args.json:
                record = {
                    "corpus": str(corpus),
                    "notes": len(graph),
                    "links": len(graph.links),
                    "texts_embedded": embedded,
                    "update": asdict(update),
                }
                print(json.dumps(record), flush=True)
            else:
                said = update.describe() if update is not None else "opened"
                extra = f", {embedded} texts embedded" if embedded else ""
                print(f"{corpus}: {said}{extra}; {len(graph)} notes", flush=True)
                if first:
                    print(f"watching {corpus} for changes; Ctrl+C stops", file=sys.stderr)
            first = False
            # After the line is out: the next `kg browse` draws its first screen from this
            # overview instead of waiting for the index (at 40,000 notes, seconds).
            keep_overview(graph)
    except KeyboardInterrupt:
        pass
    return 0
