"""`kg search`: find notes by words and meaning."""

from __future__ import annotations

import argparse
import os
import sys

from kg.cli.common import (
    Subparsers,
    add_embed_now_option,
    add_tag_option,
    count,
    emit_json,
    has_tag,
    note_json,
    open_graph,
    progress_printer,
)
from kg.model import SearchHit


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg search` and its options to the `kg` parser."""
    p = sub.add_parser(
        "search",
        parents=[common],
        help="find notes by words and meaning",
        description="Search as a search engine does: the exact title first, then titles "
        "containing the query (as the browser lists them while you type), then notes "
        "holding its words or forms of them (memorised, memorisation and memorization meet; "
        "the same word ranks above another form), then notes close in meaning only. Each "
        "hit says how it matched (title, words or meaning) and scores 0 to 1: 1 the exact "
        "title, 0.9+ a title, 0.2-0.9 words, at most 0.7 meaning alone; a poor hit scores "
        "low. Matched words are marked **so** in the snippet. Only notes that match are "
        "listed: a match by meaning counts only when some word of the query is known to "
        "the notes or to the model, so a query of unknown words lists nothing.",
        epilog="Exit status, as grep's: 0 when some note matches, 1 when none does (a "
        "message on stderr; with --json an empty list on stdout), 2 on an error.",
    )
    p.add_argument("text", nargs="+", help="what to look for")
    p.add_argument("-k", type=count, default=10, help="how many hits (default 10)")
    p.add_argument(
        "--min-score",
        type=float,
        default=0.0,
        metavar="S",
        help="leave out hits scoring below S (0 to 1: 1 the exact title, 0.9+ a title "
        "containing the query, 0.2-0.9 words, at most 0.7 meaning alone; default 0)",
    )
    p.add_argument("--lexical", action="store_true", help="by words only (never loads the model)")
    add_embed_now_option(p)
    add_tag_option(p)


def run(args: argparse.Namespace) -> int:
    """Print the notes that match the words (and meaning) of the query.

    Parameters
    ----------
    args
        The parsed arguments of `kg search`.

    Returns
    -------
    int
        The exit status: 0 when some note matches, 1 when none does (with or without
        --json, as grep; with -k 0 too, which lists no hit). `kg.cli.main` turns a `KgError` into status 2.
    """
    text = " ".join(args.text)
    from kg.cli.progress import embed_missing

    graph = open_graph(args, embed="none" if args.lexical else "stored")
    if not args.lexical:
        embed_missing(graph, args.embed_now, progress_printer(not args.json))
    semantic = False if args.lexical else None
    hits: list[SearchHit]
    wanted = max(
        args.k, 1
    )  # -k 0 lists nothing but still tells (by its status) whether some note matches
    if args.tag:  # read deeper, then keep the tagged hits
        hits = graph.search(
            text, k=max(wanted * 10, 200), semantic=semantic, min_score=args.min_score
        )
        hits = [h for h in hits if has_tag(h.note, args.tag)][: wanted + 1]
    else:  # one more than asked for, to say when more notes match than are listed
        hits = graph.search(text, k=wanted + 1, semantic=semantic, min_score=args.min_score)
    matched = bool(hits)
    more = len(hits) > args.k > 0
    hits = hits[: args.k]
    if args.json:
        emit_json(
            [
                {
                    **note_json(h.note, full=False),
                    "score": h.score,
                    "match_kind": h.match_kind,
                    "matched": list(h.matched),
                    "snippet": h.snippet,
                    "marks": [list(span) for span in h.marks],
                    "snippet_marked": h.marked_snippet(),
                    "vectors": h.vectors,
                }
                for h in hits
            ]
        )
        return 0 if matched else 1
    if not matched:
        how = "by words" if args.lexical or graph.embeddings is None else "by words or meaning"
        print(f"kg search: no note matches {text!r} by title, {how}", file=sys.stderr)
        return 1
    bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    marks = ("\033[1m", "\033[0m") if bold else ("**", "**")
    print("score 0-1 (1 the exact title) · how it matched · note kind", file=sys.stderr)
    for rank, h in enumerate(hits, start=1):
        print(f"{rank:>2}. {h.note.title}" + ("  [stub]" if h.note.stub else ""))
        also = [m for m in h.matched if h.match_kind not in m]
        how = h.match_kind + (f" (also {', '.join(also)})" if also else "")
        print(f"    {h.score:.2f} {how} · {h.note.kind.value}")
        if h.snippet and h.snippet != h.note.title:
            print(f"    {h.marked_snippet(*marks)}")
        elif h.note.stub:  # nothing to quote: say why
            print("    (a stub: other notes link to this title; it has no text of its own)")
    if more:  # on stderr, as the legend: stdout stays the list
        print(
            f"the best {len(hits)} listed; more notes match (-k {2 * len(hits)} lists more)",
            file=sys.stderr,
        )
    used = next((h.vectors for h in hits if h.vectors), "")
    if used:  # which vectors "meaning" means: the static ones until the model's are computed
        print(f"meaning: by the {used} vectors")
    return 0
