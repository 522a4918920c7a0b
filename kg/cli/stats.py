"""`kg stats`: counts for the corpus, or one note's concept-map figures."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from kg.cli.common import (
    Subparsers,
    emit_json,
    has_tag,
    open_graph,
    wrap,
)
from kg.cli.report import diagnostic_json
from kg.graph.figures import hops_words
from kg.model import Severity


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg stats` and its options to the `kg` parser."""
    p = sub.add_parser(
        "stats",
        parents=[common],
        help="corpus summary, or one note's figures",
        description="Counts for the corpus, or concept-map figures of one note.",
    )
    p.add_argument("title", nargs="?", help="a note's title or id (optional)")
    p.add_argument("--diagnostics", action="store_true", help="list warnings and errors too")
    p.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help="count only the notes with this #tag (nested tags included; repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the corpus's counts, the counts of --tag notes, or one note's figures.

    Parameters
    ----------
    args
        The parsed arguments of `kg stats`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.embed.vectors import attach_stored

    graph = open_graph(args, embed="none")
    attach_stored(graph)
    if args.title:
        note = graph.note(args.title)
        stats = graph.stats(note)
        if args.json:
            emit_json({"title": note.title, **asdict(stats)})
        else:
            print(note.title)
            print(wrap(f"{hops_words(stats)} · {stats.cluster} (density {stats.density:.2f})"))
        return 0
    if args.tag:
        tagged = [n for n in graph.notes() if has_tag(n, args.tag)]
        by_kind: dict[str, int] = {}
        for n in tagged:
            by_kind[n.kind.value] = by_kind.get(n.kind.value, 0) + 1
        figures = {"tags": args.tag, "notes": len(tagged), "notes_by_kind": by_kind}
        if args.json:
            emit_json(figures)
        else:
            print(f"{len(tagged)} notes tagged {' or '.join(args.tag)}")
            print("notes: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))
        return 0
    stats_all = graph.corpus_stats()
    problems = [d for d in graph.diagnostics if d.severity is not Severity.INFO]
    if args.json:
        emit_json(
            {
                **asdict(stats_all),
                "tag_counts": graph.tags(),
                **(
                    {"diagnostics": [diagnostic_json(d) for d in problems]}
                    if args.diagnostics
                    else {}
                ),
            }
        )
        return 0
    print(
        f"{stats_all.files} files · {stats_all.notes} notes · {stats_all.stubs} stubs · "
        f"{stats_all.links} links · {stats_all.truncated} "
        # Notes read from a cut-off copy only, in the words `kg index` counts them with.
        f"cut-off note{'' if stats_all.truncated == 1 else 's'}"
    )
    print("notes: " + ", ".join(f"{k} {v}" for k, v in stats_all.notes_by_kind.items()))
    print("links: " + ", ".join(f"{k} {v}" for k, v in stats_all.links_by_kind.items()))
    if stats_all.attachments or stats_all.missing_attachments or stats_all.unresolved:
        print(
            f"attachments: {stats_all.attachments} in the vault, "
            f"{stats_all.missing_attachments} missing · {stats_all.unresolved} unresolved links"
        )
    if stats_all.tags:
        # The counts `kg notes --tag T` finds: notes carrying T or a tag nested under it.
        top = list(graph.tags().items())[:10]
        print(
            f"{stats_all.tags} tags (#tags and paper tags); notes carrying each: "
            + ", ".join(f"{t} {n}" for t, n in top)
            + (", …" if stats_all.tags > len(top) else "")
        )
    print(
        f"{stats_all.warnings} warnings, {stats_all.errors} errors"
        + (f", {stats_all.embedded} notes and stubs with vectors" if stats_all.embedded else "")
    )
    if args.diagnostics:
        for problem in problems:
            print(problem)
    return 0
