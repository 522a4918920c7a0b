"""`kg index`: parse a corpus and write its index."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path

from kg.cli.common import (
    Subparsers,
    default_corpus,
    emit_json,
    open_graph,
    progress_printer,
)
from kg.cli.report import diagnostic_json
from kg.embed.state import Progress
from kg.graph.knowledge import CorpusStats, KnowledgeGraph
from kg.index.overview import keep_overview
from kg.model import Diagnostic, Link, Severity
from kg.parse.corpus import holds_notes
from kg.query.warm import DEFAULT_LIMIT, Warmed

NOW_LIMIT = 300  # notes whose whole-note vectors `kg index` computes by default (~15 s quiet)


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
    p.add_argument(
        "--note-vectors",
        choices=("auto", "all", "none"),
        default="auto",
        help="with embedder: hybrid, compute the model's whole-note vectors after the static "
        "index, which near and meaning search then use instead of the static ones: auto "
        f"(default) when at most {NOW_LIMIT:,} notes lack them (else `kg watch` and the "
        "browser compute them in the background), all (however long; progress is shown), or "
        "none",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also list info diagnostics and each unresolved link (file:line and target)",
    )


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
        # A folder without notes (empty, or mistyped): read without writing an index or
        # loading a model, and say so below.
        empty = Path(path).is_dir() and not holds_notes(Path(path))
        embed = not (args.no_embed or empty)
        graph = open_graph(args, path, rebuild=args.rebuild, embed=embed, save=not empty)
        seconds = time.perf_counter() - started
        warmed = None
        update = graph.index_update
        background = edit_in_background(graph, args)
        if background is not None:
            pass  # the edit's model vectors are computed by a process of its own
        elif embed and args.trace_vectors != "none":
            from kg.query.warm import keep_current, warm_traces

            if update is not None and update.mode == "updated" and args.trace_vectors == "auto":
                # An edit: the other notes are as the last run left them, so only the
                # edited notes' trace vectors are computed, where the index keeps them
                # (checking every note's texts costs seconds at 10,000 notes).
                warmed = keep_current(graph)
            else:
                warmed = warm_traces(
                    graph,
                    limit=None if args.trace_vectors == "all" else DEFAULT_LIMIT,
                    progress=progress_printer(not args.json),
                )
        notes_done = (
            background
            if background is not None
            else note_vectors(graph, args.note_vectors, progress_printer(not args.json))
        )
        keep_trace_words(graph)
        vectors = graph.embeddings
        stats = graph.corpus_stats()
        # The first screen of `kg browse` draws this before it reads the index.
        keep_overview(graph)
        shown = [d for d in graph.diagnostics if args.verbose or d.severity is not Severity.INFO]
        if stats.files == 0:
            # An empty or mistyped folder: say so, and fail as a script would want.
            shown.append(
                Diagnostic(
                    str(path),
                    None,
                    Severity.WARNING,
                    "holds no notes (no .md or .txt files)"
                    + (", so no index was written" if empty else "")
                    + "; is it the corpus folder? (--corpus PATH or $KG_CORPUS)",
                    "empty-corpus",
                )
            )
        unresolved = unresolved_links(graph) if args.verbose else []
        summary = {
            "corpus": str(path),
            "reused_index": graph.from_index,
            "seconds": round(seconds, 3),
            "texts_embedded": vectors.embedded if vectors is not None else 0,
            "trace_vectors": asdict(warmed) if warmed is not None else None,
            "index_update": asdict(graph.index_update) if graph.index_update else None,
            "note_vectors": notes_done,
            **asdict(stats),
            "diagnostics": [diagnostic_json(d) for d in shown],
            **(
                {"unresolved_links": [unresolved_json(graph, lk) for lk in unresolved]}
                if args.verbose
                else {}
            ),
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
            if args.verbose and stats.tags:
                counts = ", ".join(f"#{tag.lstrip('#')} {n}" for tag, n in graph.tags().items())
                print(f"{path}: tags (notes carrying each): {counts}")
            if unresolved:
                print(f"{path}: unresolved links (to no file):")
                for link in unresolved:
                    print(f"  {describe_unresolved(graph, link)}")
            if notes_done is not None:
                print(f"{path}: {notes_done['said']}")
        if stats.errors or (args.strict and stats.warnings):
            status = 1
        if stats.files == 0:
            status = 1
    if args.json:
        emit_json(summaries if len(summaries) > 1 else summaries[0])
    return status


def edit_in_background(graph: KnowledgeGraph, args: argparse.Namespace) -> dict | None:
    """After an edit (the index updated in place), start the process computing the edited
    notes' model vectors (`kg.index.pending`): whole-note vectors, and trace vectors where
    the index keeps them. What was started, in the shape of `note_vectors`'s report (None
    when it is not an edit, the options ask otherwise, or there is nothing to compute)."""
    update = graph.index_update
    vectors = graph.note_vectors
    if (
        args.no_embed
        or update is None
        or update.mode != "updated"
        or args.note_vectors != "auto"
        or args.trace_vectors != "auto"
        or graph.index_folder is None
        or graph.root is None
        or not update.changed_notes
        or len(update.changed_notes) > NOW_LIMIT
    ):
        return None
    from kg.index.pending import start
    from kg.query.warm import edit_pending

    traces = edit_pending(graph)
    if vectors is None and not traces:
        return None
    edited = sorted(update.changed_notes)
    pid = start(graph.root, graph.index_folder, edited, config=args.config, traces=traces)
    if pid is None:
        return None
    count = f"{len(edited):,} edited note{'s' if len(edited) != 1 else ''}"
    return {
        "embedded": 0,
        "missing": None,
        "notes": None,
        "seconds": 0.0,
        "pruned": 0,
        "pending": len(edited),
        "background_process": pid,
        "trace_vectors_pending": traces,
        "said": (
            f"whole-note vectors: {count} computing in the background (process {pid}); "
            "near and search use the static vectors until they are there, and say so"
        ),
    }


def background_processes(graph: KnowledgeGraph) -> list[int]:
    """The processes computing an edit's vectors for the graph's index now."""
    from kg.index.pending import running

    return running(graph.index_folder) if graph.index_folder is not None else []


def note_vectors(graph: KnowledgeGraph, policy: str, progress: Progress | None) -> dict | None:
    """Compute the model's whole-note vectors the graph lacks, as `--note-vectors` says;
    what was done (None where the graph has none to compute: not hybrid, or --no-embed)."""
    vectors = graph.note_vectors
    if vectors is None or policy == "none":
        return None
    started = time.perf_counter()
    missing = len(vectors.missing())
    total = len(vectors.ids())
    running = background_processes(graph) if policy == "auto" and missing else []
    if running:
        # An earlier edit's process computes them (the index was updated meanwhile).
        said = (
            f"whole-note vectors: {missing:,} notes lack them; process {running[0]} is "
            "computing an edit's in the background; near and search use the static vectors "
            "until they are there, and say so"
        )
        return {
            "embedded": 0,
            "missing": missing,
            "notes": total,
            "seconds": round(time.perf_counter() - started, 3),
            "pruned": 0,
            "pending": missing,
            "background_process": running[0],
            "said": said,
        }
    if missing > NOW_LIMIT and policy == "auto":
        # The vectors of notes gone or changed since are dropped whenever the index is
        # written (`compute` does it below).
        pruned = vectors.prune()
        said = (
            f"whole-note vectors: {missing:,} of {total:,} notes lack them; near and search use "
            "the static vectors until `kg watch` or the browser computes them in the "
            "background (or `kg index --note-vectors all` now)"
        )
        seconds = round(time.perf_counter() - started, 3)  # finding what is missing
        return {
            "embedded": 0,
            "missing": missing,
            "notes": total,
            "seconds": seconds,
            "pruned": pruned,
            "said": said,
        }
    done = vectors.compute(progress=progress) if missing else 0
    pruned = vectors.pruned if missing else vectors.prune()
    seconds = time.perf_counter() - started
    left = missing - done
    said = (
        f"whole-note vectors: {done:,} notes embedded now, {total - missing:,} kept "
        f"({seconds:.1f} s); near and search use them"
        if not left
        else f"whole-note vectors: {done:,} embedded, {left:,} still lacking ({vectors.error})"
    )
    return {
        "embedded": done,
        "missing": left,
        "notes": total,
        "seconds": round(seconds, 3),
        "pruned": pruned,
        "said": said,
    }


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
    >>> describe_warmed(Warmed(620, 8, 3.14, made=40))
    "trace vectors: 620 texts embedded now (580 of the notes' texts, 40 made by traces), 8 of the notes' texts kept from before (3.1 s)"
    >>> describe_warmed(Warmed(0, 628, 0.2, traces_kept=True))
    "trace vectors: none embedded now, all 628 of the notes' texts kept from before, and the texts their traces make (0.2 s)"
    """
    if warmed.skipped:
        return f"trace vectors: none embedded now ({warmed.skipped})"
    now = (
        f"{warmed.texts:,} texts embedded now ({warmed.texts - warmed.made:,} of the notes' "
        f"texts, {warmed.made:,} made by traces)"
        if warmed.texts
        else "none embedded now"
    )
    kept = f"{warmed.kept:,} of the notes' texts kept from before"
    if warmed.traces_kept:
        kept = f"all {kept}, and the texts their traces make"
    return f"trace vectors: {now}, {kept} ({warmed.seconds:.1f} s)"


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


def unresolved_links(graph: KnowledgeGraph) -> list[Link]:
    """The links written in the notes (``links``, ``embeds``) whose target no file holds: a
    stub, or a missing attachment; what `kg index` counts as unresolved links, in file and
    line order."""
    written = ("links", "embeds")
    found = [
        link for note in graph.notes() if note.stub for link in graph.backlinks(note, kinds=written)
    ]
    return sorted(found, key=lambda link: (link.file, link.line, link.target))


def unresolved_json(graph: KnowledgeGraph, link: Link) -> dict[str, object]:
    """An unresolved link under --json: where it is written and what it names."""
    return {
        "file": link.file,
        "line": link.line or None,
        "kind": link.kind.value,
        "target": graph.note(link.target).title,
    }


def describe_unresolved(graph: KnowledgeGraph, link: Link) -> str:
    """``file:line: [[target]]`` (``![[target]]`` for an embed), as `kg index -v` lists it.

    >>> from kg.graph.knowledge import _demo
    >>> from kg.model import LinkKind
    >>> describe_unresolved(_demo(), Link("a", "s", LinkKind.LINKS, "a.md", 4))
    'a.md:4: [[Some stub]]'
    """
    where = f"{link.file}:{link.line}" if link.line else link.file
    bang = "!" if link.kind.value == "embeds" else ""
    return f"{where}: {bang}[[{graph.note(link.target).title}]]"
