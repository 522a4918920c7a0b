"""`kg contested`: pairs of notes in disagreement, and claims with evidence on both sides."""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import asdict

from kg.cli.common import Subparsers, emit_json, open_graph

WIDTH = 80


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg contested` and its options to the `kg` parser."""
    p = sub.add_parser(
        "contested",
        parents=[common],
        help="notes in disagreement and claims with evidence on both sides",
        description="Pairs of notes joined by a relation whose label means disagreement "
        "('contradicts', 'partially contradicted', 'challenges', 'in tension with', …: "
        "strength 'contradicts'; 'qualified', 'complicates', 'weakens': strength "
        "'qualifies'), each with both sides' sentences and files; then the claims whose "
        "related notes hold both support ('evidence', 'strongest evidence', …) and "
        "disagreement. Only relation labels are read, never descriptions or summaries.",
    )
    p.add_argument(
        "--strength",
        choices=["contradicts", "qualifies"],
        help="only relations of this strength (default both)",
    )


def _block(label: str, text: str) -> list[str]:
    """`label` then `text` wrapped to the width, continuation lines indented under it."""
    indent = " " * (len(label) + 4)
    return textwrap.wrap(text, WIDTH, initial_indent=f"    {label}", subsequent_indent=indent) or [
        f"    {label}".rstrip()
    ]


def _where(file: str, line: int) -> str:
    return f"{file}:{line}" if file and line else file or "(no file)"


def run(args: argparse.Namespace) -> int:
    """Print the contested pairs and claims (text at 80 columns, or --json).

    Parameters
    ----------
    args
        The parsed arguments of `kg contested`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    graph = open_graph(args, embed="none")
    pairs = [c for c in graph.contested() if args.strength in (None, c.strength)]
    claims = graph.contested_claims()
    if args.json:
        emit_json(
            {
                "pairs": [asdict(c) for c in pairs],
                "claims": [asdict(c) for c in claims],
                "disagreements": graph.disagreement_counts(),
            }
        )
        return 0
    print(f"{len(pairs)} contested pairs; {len(claims)} claims with evidence on both sides")
    for c in pairs:
        print()
        print(*textwrap.wrap(f"{c.source_title}", WIDTH, subsequent_indent="  "), sep="\n")
        print(
            *textwrap.wrap(
                f"  {c.label} ({c.strength}) → {c.target_title}", WIDTH, subsequent_indent="    "
            ),
            sep="\n",
        )
        lines = [*_block("says:  ", c.said), f"           {_where(c.file, c.line)}"]
        if c.sentence:
            lines += _block("text:  ", c.sentence)
        lines += _block("other: ", c.target_claim or "(no claim)")
        where = c.target_file or "(no page of its own: the description its card gives)"
        lines += [f"           {where}"]
        print(*lines, sep="\n")
    for claim in claims:
        print()
        print(*textwrap.wrap(f"Claim of {claim.title}", WIDTH, subsequent_indent="  "), sep="\n")
        print(*_block("claim: ", claim.claim or "(no claim)"), sep="\n")
        for mark, sides in (("+", claim.supporting), ("-", claim.contradicting)):
            for side in sides:
                print(
                    *textwrap.wrap(
                        f"  {mark} {side.label}: {side.title}", WIDTH, subsequent_indent="      "
                    ),
                    sep="\n",
                )
                print(f"      {_where(side.file, side.line)}")
    return 0
