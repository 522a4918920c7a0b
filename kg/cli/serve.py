"""`kg serve`: the corpus in an Oxigraph SPARQL server, its store kept in the index folder."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from kg.cli.common import Subparsers, default_corpus, emit_json, open_graph


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg serve` and its options to the `kg` parser."""
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the corpus from an Oxigraph SPARQL server",
        description="Load the corpus's RDF (one named graph per file, as `kg push` sends it) "
        "into an Oxigraph store in the index folder (INDEX/oxigraph) and serve it over SPARQL "
        "1.1 until Ctrl+C. Read-only unless --writable. Needs the `oxigraph` package.",
        epilog="Example: kg serve --port 7878, then "
        "kg sparql --endpoint http://127.0.0.1:7878 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'",
    )
    p.add_argument(
        "--port", type=int, default=7878, help="port to listen on (default 7878; 0: any)"
    )
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--writable", action="store_true", help="accept updates (read-only by default)")


def run(args: argparse.Namespace) -> int:
    """Start the server, print its endpoint, and wait for Ctrl+C.

    Returns
    -------
    int
        0 once stopped. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.store.push import push
    from kg.store.server import LOOPBACK, OxigraphServer

    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl+C
    graph = open_graph(args, corpus=args.corpus or default_corpus(), embed="none")
    index = Path(args.index) if args.index else (graph.root or Path(".")) / ".kg"
    if graph.root is not None and graph.root.is_file():
        index = Path(args.index) if args.index else graph.root.parent / ".kg"
    location = index / "oxigraph"
    if args.bind not in LOOPBACK:
        print(
            f"warning: listening on {args.bind}: anyone who can reach this machine can query "
            "the corpus" + (" and change it" if args.writable else ""),
            file=sys.stderr,
        )
    with OxigraphServer(location, bind="127.0.0.1") as loader:  # bring the store up to date
        result = push(graph, loader.url)
    server = OxigraphServer(
        location, port=args.port or None, bind=args.bind, writable=args.writable
    )
    server.start()
    try:
        info = {
            "endpoint": server.url,
            "query": server.url + "/query",
            "store": location.as_posix(),
            "writable": args.writable,
            "graphs_sent": result.sent,
            "graphs_removed": result.removed,
        }
        if args.json:
            emit_json(info)
        else:
            print(
                f"SPARQL endpoint: {server.url}/query  ({'read-write' if args.writable else 'read-only'})"
            )
            print(
                f"store {location} — {result.sent} file graphs loaded, {result.removed} removed, "
                f"{result.unchanged} unchanged; Ctrl+C stops"
            )
        sys.stdout.flush()
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        server.stop()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
