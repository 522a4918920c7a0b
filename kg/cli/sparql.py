"""`kg sparql`: run a SPARQL query over the corpus as RDF."""

from __future__ import annotations

import argparse
import json
import sys

from kg.cli.common import (
    Subparsers,
    emit_json,
    open_graph,
)
from kg.errors import KgError


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg sparql` and its options to the `kg` parser."""
    p = sub.add_parser(
        "sparql",
        parents=[common],
        help="run a SPARQL query over the corpus",
        description="Run a SPARQL query over the corpus as RDF (the vocabulary of `kg export`). "
        "The prefixes cito, dcterms, kg, note, link, prov, rdf, rdfs, schema, skos and xsd are "
        "predeclared. With --endpoint URL the query goes to that SPARQL store (`kg push`, "
        "`kg serve`) with the same prefixes.",
        epilog="Example: kg sparql 'SELECT ?label (COUNT(*) AS ?n) WHERE { ?l kg:label ?label } "
        "GROUP BY ?label'",
    )
    p.add_argument("query", nargs="?", default=None, help="the query ('-' reads it from stdin)")
    p.add_argument("--file", default=None, metavar="FILE", help="read the query from FILE")
    p.add_argument("--csv", action="store_true", help="print a SELECT's rows as CSV")


def run(args: argparse.Namespace) -> int:
    """Run a SPARQL query over the corpus as RDF and print its result.

    Parameters
    ----------
    args
        The parsed arguments of `kg sparql`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.export.mapping import namespaces, shorten
    from kg.export.rdf import result_rows

    if args.file:
        try:
            with open(args.file, encoding="utf-8") as handle:
                query = handle.read()
        except OSError as error:
            raise KgError(f"{args.file}: cannot read the query: {error.strerror}") from error
    elif args.query in (None, "-"):
        query = sys.stdin.read()
    else:
        query = args.query
    if not query.strip():
        raise KgError("no query given: pass it as an argument, with --file, or on stdin")
    if args.endpoint:  # the store answers; nothing is loaded here
        from kg.store.endpoint import Endpoint

        result = Endpoint(args.endpoint).result(query)
    else:
        result = open_graph(args, embed="none").sparql(query)
    if result.type == "ASK":
        if args.json:
            emit_json({"head": {}, "boolean": bool(result.askAnswer)})
        else:
            print("true" if result.askAnswer else "false")
        return 0
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        assert result.graph is not None
        data = result.graph.serialize(format="json-ld" if args.json else "turtle")
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
        return 0
    if args.json:
        encoded = result.serialize(format="json")
        assert encoded is not None
        emit_json(json.loads(encoded))
        return 0
    names = [str(v) for v in result.vars or []]
    rows = result_rows(result)
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(["" if row[n] is None else row[n] for n in names] for row in rows)
        return 0
    prefixes = namespaces()
    print("\t".join(names))
    for row in rows:
        print("\t".join("" if row[n] is None else shorten(row[n], prefixes) for n in names))
    print(f"({len(rows)} rows)", file=sys.stderr)
    return 0
