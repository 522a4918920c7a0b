"""What every `kg` command shares: the common options, opening the graph, JSON output
(notes and links through `kg.codec`), the progress line and the #tag filter."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from kg.codec import copy_to_json, counts_to_json
from kg.model import LinkKind, Note

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = Any


def default_corpus() -> str:
    """The corpus a command reads when --corpus is not given: $KG_CORPUS, else ./notes."""
    return os.environ.get("KG_CORPUS", "notes")


def emit_json(data: Any) -> None:
    """Print `data` as indented JSON on stdout (non-ASCII kept, unknown values as text).

    Examples
    --------
    >>> emit_json({"title": "Why é?", "n": 1})
    {
      "title": "Why é?",
      "n": 1
    }
    """
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def progress_printer(enabled: bool) -> Callable[[str, int, int], None] | None:
    """The progress callback of a command (`kg.cli.progress.Printer`, on stderr): a redrawn
    bar on a terminal; otherwise, or with --json (`enabled` False), plain lines for long
    work only (embedding hundreds of texts, distilling the static model)."""
    from kg.cli.progress import Printer

    return Printer(tty=None if enabled else False)


def note_json(note: Note, graph: KnowledgeGraph | None = None, full: bool = True) -> dict[str, Any]:
    """A note as the commands print it with --json.

    Parameters
    ----------
    note
        The note.
    graph
        When given, the figures kg computes for the note on it (``concept_map``).
    full
        False for the short form lists use: ``id``, ``title``, ``kind``, ``stub``.

    Returns
    -------
    dict
        The short form, and with `full` every field of the note: body paragraphs as
        text, sources as objects, ``declared_counts`` and ``copies`` in `kg.codec`'s forms,
        ``properties`` as an object, ``site_concept_map`` as the page states it.

    Examples
    --------
    >>> from kg.model import NoteKind
    >>> note_json(Note("a", "Can A happen?", NoteKind.SYNTHESIS), full=False)
    {'id': 'a', 'title': 'Can A happen?', 'kind': 'synthesis', 'stub': False}
    """
    out: dict[str, Any] = {
        "id": note.id,
        "title": note.title,
        "kind": note.kind.value,
        "stub": note.stub,
    }
    if not full:
        return out
    out.update(
        description=note.description,
        claim=note.claim,
        categories=list(note.categories),
        date=note.date,
        collection=note.collection,
        files=list(note.files),
        truncated=note.truncated,
        body=[p.text for p in note.body],
        sources=[{"title": s.title, "summary": s.summary} for s in note.sources],
    )
    if note.arxiv:
        out.update(arxiv=note.arxiv)
    if note.tags:
        out.update(tags=list(note.tags))
    if note.aliases:
        out.update(aliases=list(note.aliases))
    if note.properties_json:
        out["properties"] = json.loads(note.properties_json)
    declared = counts_to_json(note.counts)
    if declared:
        out["declared_counts"] = declared
    if note.copies:
        out["copies"] = [copy_to_json(c) for c in note.copies]
    listed = counts_to_json(note.listed)
    if listed:
        out["listed_counts"] = listed  # how many items of each declared list were read
    if note.incomplete():
        out["incomplete"] = note.incomplete()
    if note.concept_map:
        out["site_concept_map"] = {
            "direct": note.concept_map.direct,
            "two_hop": note.concept_map.two_hop,
            "cluster": note.concept_map.cluster,
        }
    if graph is not None:
        stats = graph.stats(note)
        out["concept_map"] = {
            "direct": stats.direct,
            "direct_stubs": stats.stubs,
            "two_hop": stats.two_hop,
            "density": stats.density,
            "cluster": stats.cluster,
        }
    return out


def common_options(with_json: bool = True) -> argparse.ArgumentParser:
    """The options every command takes: --corpus, --index, --config, --endpoint and (but
    for the terminal app, `with_json` False) --json."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--corpus",
        default=None,
        metavar="PATH",
        help="corpus folder (default: ./notes, or $KG_CORPUS)",
    )
    parent.add_argument(
        "--index", default=None, metavar="DIR", help="index folder (default: CORPUS/.kg)"
    )
    parent.add_argument(
        "--config", default=None, metavar="FILE", help="settings file (default: CORPUS/kg.yaml)"
    )
    if with_json:
        parent.add_argument("--json", action="store_true", help="print JSON instead of text")
    parent.add_argument(
        "--endpoint",
        default=None,
        metavar="URL",
        help="read the corpus a `kg push` published to this SPARQL store instead of --corpus",
    )
    return parent


def open_graph(
    args: argparse.Namespace, corpus: str | None = None, **options: Any
) -> KnowledgeGraph:
    """Load the corpus the common options name, as `kg.load` does.

    Parameters
    ----------
    args
        The parsed arguments (--corpus, --index, --config, --json).
    corpus
        A corpus folder to read instead of --corpus.
    **options
        Passed on to `kg.load` (``embed``, ``rebuild``).

    Returns
    -------
    KnowledgeGraph
        The graph; a progress line is drawn on stderr unless --json is given.

    Raises
    ------
    KgError
        As `kg.load` does (no such corpus, an index kg cannot read, ...).
    """
    from kg.index.loader import load

    if getattr(args, "endpoint", None) and corpus is None:
        from kg.store.remote import connect

        graph = connect(args.endpoint, progress=progress_printer(not args.json), **options)
        gc.freeze()
        return graph
    graph = load(
        corpus or args.corpus or default_corpus(),
        index=args.index,
        config=args.config,
        progress=progress_printer(not args.json),
        **options,
    )
    # The graph lives until the command ends: keep the garbage collector from walking
    # its objects in full collections (and once more at exit).
    gc.freeze()
    return graph


def count(text: str) -> int:
    """The `type` of every count option (``-n``, ``-k``, ``--depth``, ...): a whole number
    of at least 0, else a usage error (status 2) worded the same for every command.

    Examples
    --------
    >>> count("3"), count("0")
    (3, 0)
    >>> count("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a whole number of at least 0, not -1
    """
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 0:
        shown = text if value is not None else repr(text)
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 0, not {shown}")
    return value


def width() -> int:
    """The width prose is wrapped to: $COLUMNS, else the terminal's, else 80 (output to a
    file or a pipe)."""
    import shutil

    return max(shutil.get_terminal_size((80, 24)).columns, 40)


def wrap(text: str, indent: str = "", then: str | None = None) -> str:
    """`text` as lines of at most `width()` characters, the first starting with `indent`,
    the others with `then` (default: `indent`); a word longer than a line is not cut.

    Examples
    --------
    >>> import os
    >>> os.environ["COLUMNS"] = "40"
    >>> print(wrap("a claim that is too long to fit on one line of forty", "  ", "    "))
      a claim that is too long to fit on one
        line of forty
    >>> del os.environ["COLUMNS"]
    """
    import textwrap

    return (
        textwrap.fill(
            text,
            width(),
            initial_indent=indent,
            subsequent_indent=indent if then is None else then,
            break_long_words=False,
            break_on_hyphens=False,
        )
        or indent.rstrip()
    )


def add_embed_now_option(parser: argparse.ArgumentParser) -> None:
    """`--embed-now`: on an index without vectors, embed them even when that takes long
    (`kg near` and `kg search` otherwise say how long and stop)."""
    parser.add_argument(
        "--embed-now",
        action="store_true",
        help="embed the texts the index lacks even if that takes minutes (progress is shown)",
    )


def has_tag(note: Note, tags: Sequence[str]) -> bool:
    """Whether the note carries one of `tags` or a tag nested under one.

    Examples
    --------
    >>> from kg.model import NoteKind
    >>> note = Note("a", "A", NoteKind.SYNTHESIS, tags=("area/ml",))
    >>> has_tag(note, ["#area"]), has_tag(note, ["area/ml"]), has_tag(note, ["ml"])
    (True, True, False)
    """
    from kg.text import carries_tag

    return any(carries_tag(note.tags, wanted) for wanted in tags)


def add_link_kind_option(parser: argparse.ArgumentParser) -> None:
    """`--kind KIND` (repeatable), its choices the link kinds: the filter every command
    that walks links takes."""
    parser.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in LinkKind],
        help="only these link kinds (repeatable)",
    )


def add_tag_option(parser: argparse.ArgumentParser, what: str = "notes") -> None:
    """`--tag TAG` (repeatable): only `what` with the #tag or one nested under it."""
    parser.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help=f"only {what} with this #tag or one nested under it (repeatable)",
    )
