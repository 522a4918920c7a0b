"""`kg index`: parse a corpus and write its index."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict

from kg.cli.common import (
    Subparsers,
    default_corpus,
    emit_json,
    open_graph,
)
from kg.graph.knowledge import CorpusStats, KnowledgeGraph
from kg.model import Severity
from kg.query.warm import DEFAULT_LIMIT, Warmed


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg index` and its options to the `kg` parser."""
    p = sub.add_parser(
        "index",
        parents=[common],
        help="parse a corpus and write its index",
        description="Parse the corpus (or each PATH) and write its index.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="corpus folders (default: --corpus)")
    p.add_argument("--strict", action="store_true", help="exit non-zero on any warning")
    p.add_argument("--rebuild", action="store_true", help="ignore the saved index")
    p.add_argument("--no-embed", action="store_true", help="skip embeddings (no model is loaded)")
    p.add_argument(
        "--trace-vectors",
        choices=("auto", "all", "none"),
        default="auto",
        help="with embedder: hybrid, compute the transformer's vectors every trace compares, so "
        "the first trace needs no model: auto (default) when at most "
        f"{DEFAULT_LIMIT:,} texts lack them, all (however long; progress is shown), or none",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="also list info diagnostics")


def run(args: argparse.Namespace) -> int:
    """Index each corpus folder and print what reading it found.

    Parameters
    ----------
    args
        The parsed arguments of `kg index`.

    Returns
    -------
    int
        The exit status: 0, or 1 when a corpus has errors (or warnings, with --strict) or
        holds no notes at all. `kg.cli.main` turns a `KgError` (a folder that does not
        exist) into status 2.
    """
    paths = args.paths or [args.corpus or default_corpus()]
    status = 0
    summaries = []
    for path in paths:
        started = time.perf_counter()
        graph = open_graph(args, path, rebuild=args.rebuild, embed=not args.no_embed)
        seconds = time.perf_counter() - started
        warmed = None
        if not args.no_embed and args.trace_vectors != "none":
            from kg.cli.common import progress_printer
            from kg.query.warm import warm_traces

            warmed = warm_traces(
                graph,
                limit=None if args.trace_vectors == "all" else DEFAULT_LIMIT,
                progress=progress_printer(not args.json),
            )
        keep_trace_words(graph)
        vectors = graph.embeddings
        stats = graph.corpus_stats()
        shown = [d for d in graph.diagnostics if args.verbose or d.severity is not Severity.INFO]
        summary = {
            "corpus": str(path),
            "reused_index": graph.from_index,
            "seconds": round(seconds, 3),
            "texts_embedded": vectors.embedded if vectors is not None else 0,
            "trace_vectors": asdict(warmed) if warmed is not None else None,
            "index_update": asdict(graph.index_update) if graph.index_update else None,
            **asdict(stats),
            "diagnostics": [str(d) for d in shown],
        }
        summaries.append(summary)
        if not args.json:
            for diagnostic in shown:
                print(diagnostic, file=sys.stderr)
            print(
                f"{path}: {stats.files} files, {stats.notes} notes, {stats.stubs} stubs, "
                f"{stats.links} links, {stats.warnings} warnings, {stats.errors} errors "
                f"({seconds:.2f}s)"
            )
            if graph.index_update is not None:
                # What this run did to the index: reused it, updated it in place, rebuilt it.
                print(f"{path}: {graph.index_update.describe()}")
            reading = reading_summary(stats)
            if reading:
                print(f"{path}: {reading}")
            if vectors is not None:
                print(
                    f"{path}: {stats.embedded} notes with vectors, {vectors.texts} texts, "
                    f"{vectors.embedded} embedded now ({vectors.model})"
                )
            if warmed is not None and (warmed.texts or warmed.kept or warmed.skipped):
                print(f"{path}: {describe_warmed(warmed)}")
        if stats.errors or (args.strict and stats.warnings):
            status = 1
        if stats.files == 0:
            # An empty or mistyped folder: say so, and fail as a script would want.
            print(
                f"kg index: warning: {path} holds no notes (no .md or .txt files); "
                "is it the corpus folder? (--corpus PATH or $KG_CORPUS)",
                file=sys.stderr,
            )
            status = 1
    if args.json:
        emit_json(summaries if len(summaries) > 1 else summaries[0])
    return status


def keep_trace_words(graph: KnowledgeGraph) -> None:
    """Count the corpus's words for traces now and keep the counts in the index folder
    (`kg.query.wordcounts`): the first trace of a new process reads them instead of
    reading every note (seconds on a large corpus)."""
    from kg.query.scorers import document_frequencies
    from kg.query.wordcounts import read

    if graph.index_folder is not None and read(graph) is None:
        document_frequencies(graph)


def describe_warmed(warmed: Warmed) -> str:
    """One line on the trace vectors `kg index` computed.

    >>> from kg.query.warm import Warmed
    >>> describe_warmed(Warmed(620, 8, 3.14))
    'trace vectors: 620 texts embedded now, 8 kept from before (3.1 s)'
    """
    if warmed.skipped:
        return f"trace vectors: none embedded now ({warmed.skipped})"
    return (
        f"trace vectors: {warmed.texts:,} texts embedded now, {warmed.kept:,} kept from before "
        f"({warmed.seconds:.1f} s)"
    )


def reading_summary(stats: CorpusStats) -> str:
    """What reading the corpus found that a user should know, in one line ('' if nothing):
    a vault's attachments, unresolved links and tags; cut-off pages, merges, category
    lines no vocabulary splits or split by a guess, and pages kg cannot type."""
    counted = [
        (stats.truncated_pages, "cut-off page", "cut-off pages"),
        (stats.merged_titles, "note merged under another title", "notes merged under other titles"),
        (stats.merged_distinct, "merge of differing pages", "merges of differing pages"),
        (
            stats.category_runs,
            "category line no vocabulary splits",
            "category lines no vocabulary splits",
        ),
        (stats.category_guesses, "category run split by a guess", "category runs split by a guess"),
        (stats.untyped_pages, "page kg cannot type (no note)", "pages kg cannot type (no note)"),
    ]
    parts = []
    if stats.attachments or stats.missing_attachments or stats.unresolved:
        parts.append(
            f"{stats.attachments} attachments ({stats.missing_attachments} missing), "
            f"{stats.unresolved} unresolved links"
        )
    if stats.tags:  # #tags and paper tags: what `kg notes --tags` lists
        parts.append(f"{stats.tags} tags")
    parts += [f"{n} {one if n == 1 else many}" for n, one, many in counted if n]
    return ", ".join(parts) + (" (kg index -v lists them)" if parts else "")
