"""`kg near`: the notes nearest in meaning to a note."""

from __future__ import annotations

import argparse

from kg.cli.common import (
    Subparsers,
    add_embed_now_option,
    count,
    emit_json,
    note_json,
    open_graph,
    progress_printer,
)
from kg.model import NoteKind


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg near` and its options to the `kg` parser."""
    p = sub.add_parser(
        "near",
        parents=[common],
        help="notes nearest in meaning to a note",
        description="The notes nearest a note: the cosine of the whole notes' vectors fused "
        "with the words they share and their shared neighbours (a 0-1 score), whether a link "
        "already joins them, and which vectors ranked them. With --unlinked: link "
        "suggestions, near but not linked yet.",
    )
    p.add_argument("title", help="the note's title or id")
    p.add_argument("-k", type=count, default=10, help="how many notes (default 10)")
    p.add_argument("--unlinked", action="store_true", help="only notes not linked to it yet")
    add_embed_now_option(p)
    p.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in NoteKind],
        help="only notes of these kinds (repeatable; default all but categories)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the notes nearest in meaning to a note (whether a link joins them).

    Parameters
    ----------
    args
        The parsed arguments of `kg near`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.cli.progress import embed_missing

    graph = open_graph(args, embed="stored")
    embed_missing(graph, args.embed_now, progress_printer(not args.json))
    note = graph.note(args.title)
    found = graph.near(note, k=args.k, kinds=args.kind, unlinked=args.unlinked)
    if args.json:
        emit_json(
            [
                {
                    **note_json(n.note, full=False),
                    "score": round(n.score, 4),
                    "linked": n.linked,
                    "vectors": n.vectors,
                }
                for n in found
            ]
        )
        return 0
    what = "not linked yet" if args.unlinked else "by meaning, words and links"
    vectors = f" (vectors: {found[0].vectors})" if found and found[0].vectors else ""
    print(f"{note.title}: {len(found)} nearest notes {what}{vectors}; score 0-1")
    for n in found:
        mark = "linked" if n.linked else ""
        print(f"  {n.score:5.3f}  {mark:<6}  {n.note.title}" + ("  [stub]" if n.note.stub else ""))
    return 0
