"""`kg push`: publish the corpus to a SPARQL store, one named graph per file."""

from __future__ import annotations

import argparse
import sys

from kg.cli.common import Subparsers, default_corpus, emit_json, open_graph
from kg.errors import KgError


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg push` and its options to the `kg` parser."""
    p = sub.add_parser(
        "push",
        parents=[common],
        help="publish the corpus to a SPARQL store",
        description="Send the corpus to a SPARQL 1.1 store by the Graph Store HTTP Protocol: one "
        "named graph per source file (urn:kg:file:PATH), each replaced whole. Only the graphs of "
        "files added, changed or removed since the store last saw them are sent (their hashes "
        "are kept in the store). Credentials: $KG_SPARQL_USER and $KG_SPARQL_PASSWORD, or a "
        "~/.netrc entry for the host.",
        epilog="Example: kg push --endpoint http://127.0.0.1:7878",
    )
    p.add_argument(
        "--bulk",
        action="store_true",
        help="first load into an Oxigraph store nobody reads yet: its bulk loader, about half "
        "the server's work, but a push cut off can leave graphs part-written (the next push "
        "replaces them)",
    )


def run(args: argparse.Namespace) -> int:
    """Push and say how many graphs were sent.

    Returns
    -------
    int
        0. `kg.cli.main` turns a `KgError` (an unreachable store...) into status 2.
    """
    from kg.store.push import push

    if not args.endpoint:
        raise KgError("kg push needs --endpoint URL: the base URL of the SPARQL store")
    graph = open_graph(args, corpus=args.corpus or default_corpus(), embed="none")
    result = push(graph, args.endpoint, bulk=getattr(args, "bulk", False))
    if args.json:
        emit_json(
            {
                "sent": result.sent,
                "removed": result.removed,
                "unchanged": result.unchanged,
                "triples_sent": result.triples,
            }
        )
    else:
        print(
            f"{result.sent} file graphs sent ({result.triples} triples), {result.removed} removed, "
            f"{result.unchanged} unchanged"
        )
    sys.stdout.flush()
    return 0
