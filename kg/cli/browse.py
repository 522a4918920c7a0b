"""`kg browse`: open the terminal browser (the `browse` client, found by entry point)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from kg.cli.common import (
    Subparsers,
    common_options,
    default_corpus,
    progress_printer,
)
from kg.errors import KgError


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg browse` and its options to the `kg` parser."""
    p = sub.add_parser(
        "browse",
        parents=[common_options(with_json=False)],  # a terminal app: no --json
        help="walk the graph in a terminal browser",
        description="Open the terminal browser on a corpus: search, walk, near notes, trace.",
    )
    p.add_argument("path", nargs="?", metavar="PATH", help="corpus folder (same as --corpus)")
    p.add_argument("--note", default=None, metavar="TITLE", help="open this note first")
    p.add_argument(
        "--export-dir",
        default=None,
        metavar="DIR",
        help="where the export key writes GraphML (default: the current folder)",
    )


def client(name: str) -> Callable[..., Any]:
    """The client program installed under `name` in the `kg.clients` entry-point group
    (the terminal app is `browse`): kg reaches its clients this way and never imports them.
    """
    from importlib.metadata import entry_points

    found = entry_points(group="kg.clients", name=name)
    if not found:
        raise KgError(
            f"no kg client named {name!r} is installed; install the project with its "
            "terminal app (`make setup`, or `pip install -e .`)"
        )
    loaded: Callable[..., Any] = next(iter(found)).load()
    return loaded


def run(args: argparse.Namespace) -> int:
    """Open the terminal browser (the installed `browse` client) on the corpus.

    Parameters
    ----------
    args
        The parsed arguments of `kg browse`.

    Returns
    -------
    int
        The exit status: The browser's exit status. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.index.loader import resolve_corpus

    if args.endpoint:  # a store's corpus: its files mirrored locally, then browsed as any
        from kg.store.endpoint import Endpoint
        from kg.store.remote import cache_folder, mirror

        store = Endpoint(args.endpoint)
        corpus = cache_folder(store)
        if mirror(store, corpus, progress_printer(True)) == 0:
            raise KgError(f"{store.base} holds no kg corpus: publish one with `kg push`")
    else:
        corpus = resolve_corpus(args.path or args.corpus or default_corpus())
    run = client("browse")
    return int(
        run(
            corpus,
            index=args.index,
            config=args.config,
            start=args.note,
            export_dir=args.export_dir,
        )
    )
