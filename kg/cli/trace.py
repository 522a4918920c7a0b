"""`kg trace`: what a claim rests on, what rests on a note, unsupported claims."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING, Any

from kg.cli.common import (
    Subparsers,
    count,
    emit_json,
    open_graph,
    wrap,
)
from kg.display.lines import two_places
from kg.errors import InvalidArgument, KgError, ModelUnavailable
from kg.graph.knowledge import KnowledgeGraph

if TYPE_CHECKING:
    from kg.query.trace import Scorer, Unsupported
    from kg.store.reach import Reach


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg trace` and its options to the `kg` parser."""
    p = sub.add_parser(
        "trace",
        parents=[common],
        help="trace a claim back to its sources",
        description="Show what a note's claim (or one body sentence, --claim N) rests on, down "
        "to papers, with the quoted support. With --unsupported, list every weakly supported "
        "claim of the corpus instead.",
    )
    p.add_argument("title", nargs="?", help="the note's title or id")
    p.add_argument(
        "--claim",
        default=None,
        metavar="N",
        help="claim number (see the list `kg trace TITLE` prints) or its text",
    )
    p.add_argument("--depth", type=count, default=3, help="how far down to trace (default 3)")
    p.add_argument(
        "--claims",
        action="store_true",
        help="list every claim of the note with its number (what --claim takes), tracing none",
    )
    p.add_argument(
        "--used-by",
        action="store_true",
        help="list the claims across the corpus that rest on this note instead",
    )
    p.add_argument(
        "--unsupported",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        help="list claims whose best evidence is below the threshold, then each note "
        "that lists no sources (its claims cannot be traced), for the corpus at PATH "
        "(default: --corpus)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="evidence score below which a claim is unsupported (default: "
        "unsupported_threshold in kg.yaml, else 0.35 with embeddings, 0.12 without)",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="show, under each ranked source, the parts its score fuses (best-match cosine, "
        "BM25 of the quoted text, BM25 of the whole note)",
    )
    p.add_argument(
        "--lexical",
        action="store_true",
        help="rank evidence by words only (TF-IDF): never loads the model",
    )


def run(args: argparse.Namespace) -> int:
    """Print what a note's claim rests on, the claims resting on it (--used-by), or the
    corpus's weakly supported claims (--unsupported).

    Parameters
    ----------
    args
        The parsed arguments of `kg trace`.

    Returns
    -------
    int
        The exit status: 0, or 2 when neither a title nor --unsupported is given. `kg.cli.main` turns a `KgError` into status 2.
    """
    from kg.query.remembered import rankings_kept
    from kg.query.trace import trace, unsupported_claims

    if args.unsupported is not None:
        if args.unsupported:
            args.corpus = args.unsupported
        graph = open_graph(args, embed=not args.lexical)
        found = unsupported_claims(graph, threshold=args.threshold)
        keep_trace_vectors(graph)
        if args.json:
            emit_json(
                [
                    {
                        "note": u.note.title,
                        "claim": u.claim.index,
                        "kind": u.claim.kind,
                        "text": u.claim.text,
                        "best": round(u.best, 4),
                        "reason": u.reason,
                        "file": u.note.files[0] if u.note.files else "",
                        "line": u.claim.line,
                    }
                    for u in found
                ]
            )
        else:
            _print_unsupported(found)
        return 0
    if not args.title:  # a usage error: status 2, and a JSON object with --json
        raise InvalidArgument("give a note title, or --unsupported")
    if args.claims:
        return _print_claims(open_graph(args, embed="none"), args)
    reach = store_reach(args)
    graph, scorer = open_for_trace(args, reach)
    note = graph.note(args.title)
    if args.used_by:
        uses = graph.used_by(note, depth=args.depth)
        if args.json:
            emit_json(
                [
                    {
                        "note": use.note.title,
                        "claim": use.claim,
                        "kind": use.kind,
                        "depth": use.depth,
                        "via": use.via.title if use.via else None,
                    }
                    for use in uses
                ]
            )
        else:
            # What the list counts, as the browser's Used by says it.
            many = "claim rests" if len(uses) == 1 else "claims rest"
            print(
                wrap(
                    f"{note.title}: {len(uses)} {many} on it, up to {args.depth} "
                    f"link{'s' if args.depth != 1 else ''} away (--depth N looks further)"
                )
            )
            for use in uses:
                via = f" (via {use.via.title})" if use.via else ""
                indent = "  " * (use.depth - 1)
                print(wrap(f"{use.kind:<8} {use.note.title}{via}", indent, indent + "         "))
                print(wrap(f"“{shorten(use.claim, 160)}”", indent + " " * 9, indent + " " * 10))
        return 0
    claim: int | str | None = None
    if args.claim is not None:
        claim = int(args.claim) if args.claim.isdigit() else args.claim
    with rankings_kept():  # a round ranks again only what the notes it added changed
        try:
            tree = trace(graph, note, claim=claim, depth=args.depth, scorer=scorer)
        except InvalidArgument as error:  # name the command line's way to list the claims
            raise _for_the_command_line(error, args.title) from None
        while reach is not None and reach.opened and (more := reach.wanted(tree)):
            reach.grow(more)  # the notes the trace followed, with their own sources now
            graph, scorer = open_for_trace(args, reach)
            note = graph.note(args.title)
            tree = trace(graph, note, claim=claim, depth=args.depth, scorer=scorer)
    if reach is not None and reach.opened:
        reach.remember()
    keep_trace_vectors(graph)
    if args.json:
        emit_json(
            {
                "note": note.title,
                "claims": [
                    {"index": c.index, "kind": c.kind, "text": c.text} for c in graph.claims(note)
                ],
                "trace": evidence_json(tree),
            }
        )
        return 0
    print(wrap(note.title))
    from kg.query.candidates import declared_sources, papers_of

    listed = bool(declared_sources(graph, note) or papers_of(graph, note))
    fused = any(node.parts for _, node in tree.walk())
    if not listed:  # nothing was ranked: no legend of scores, and no verdict of support
        print(wrap(NO_SOURCES_NOTE, "", " "))
    else:
        print(wrap(SCORE_LEGEND if fused else LEXICAL_LEGEND, "", " "))
    if tree.vectors == "static" and listed:
        print(wrap(STATIC_NOTE, "", " "))
    for depth, node in tree.walk():
        indent = "  " * depth
        if node.kind in ("claim", "sentence"):
            flag = ("  [unsupported]" if listed else "  [no sources]") if node.unsupported else ""
            mark = "◆" if node.kind == "claim" else "•"
            print(wrap(f"{mark} {node.text}{flag}", indent, indent + "  "))
            continue
        title = node.note.title if node.note else ""
        label = f" ({node.label})" if node.label else ""
        place = f" #{node.rank}" if node.rank else ""
        head = f"└ {node.kind}{label}{place} {two_places(node.score)}  {title}"
        print(wrap(head, indent, indent + "    "))
        if getattr(args, "explain", False) and (node.parts or node.cosine is not None):
            print(wrap(explain_parts(node), indent + "    ", indent + "      "))
        if node.kind != "paper":
            print(wrap(f"“{shorten(node.quote, 200)}”", indent + "    ", indent + "     "))
    if claim is None:
        every = graph.claims(note)
        shown = "; ".join(f"{c.index}: {shorten(c.text, 40)}" for c in every[:SHOWN_CLAIMS])
        rest = f"; … ({len(every) - SHOWN_CLAIMS} more)" if len(every) > SHOWN_CLAIMS else ""
        print(f"\nClaims ({len(every)}; --claim N traces one, --claims lists them all):")
        print(wrap(shown + rest, "  "))
    return 0


SHOWN_CLAIMS = 12  # the claims the end of a trace names; --claims lists every one


def shorten(text: str, most: int) -> str:
    """`text` on one line, cut to `most` characters with '…' when longer.

    >>> shorten("a b  c", 10), shorten("abcdefghij", 5)
    ('a b c', 'abcd…')
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1].rstrip() + "…"


def _print_claims(graph: KnowledgeGraph, args: argparse.Namespace) -> int:
    """`kg trace TITLE --claims`: every claim of the note, numbered as --claim takes them."""
    note = graph.note(args.title)
    every = graph.claims(note)
    if args.json:
        emit_json(
            {
                "note": note.title,
                "claims": [
                    {"index": c.index, "kind": c.kind, "text": c.text, "line": c.line}
                    for c in every
                ],
            }
        )
        return 0
    print(f"{note.title}: {len(every)} claims (kg trace TITLE --claim N traces one)")
    for c in every:
        print(wrap(f"{c.index:>3}  {c.kind:<8} {c.text}", "", " " * 14))
    return 0


def _for_the_command_line(error: InvalidArgument, title: str) -> InvalidArgument:
    """The error of a claim the note does not make, worded for `kg trace`."""
    listing = f"`kg trace {shlex.quote(title)} --claims` lists them"
    message = str(error).replace("g.claims(note) lists them", listing)
    message = message.replace("trace it with claim=None", "trace it without --claim")
    return InvalidArgument(message, suggestions=error.suggestions)


def keep_trace_vectors(graph: KnowledgeGraph) -> None:
    """Save the vectors this trace embedded in the index folder, so the next trace of
    these notes embeds nothing; a failure to save is reported, never fatal."""
    lazy = graph.lazy_vectors
    if lazy is None or not hasattr(lazy, "save"):
        return
    try:
        lazy.save()
    except (OSError, KgError) as error:
        print(f"kg trace: the embedded texts were not kept for next time: {error}", file=sys.stderr)


def _say_loading(model: str) -> None:
    print(
        f"kg trace: loading the model {model} to embed texts no trace has compared before "
        "(their vectors are kept in the index folder, so the next trace skips this; "
        "`kg index` computes them ahead)",
        file=sys.stderr,
        flush=True,
    )


def open_for_trace(
    args: argparse.Namespace, reach: Reach | None = None
) -> tuple[KnowledgeGraph, Scorer | None]:
    """The graph and the scorer for tracing one note, with the policy every client uses
    (`kg.load(embed="lazy")`): stored vectors where the index has them, else only the
    texts this trace compares are embedded, not the whole corpus (20 minutes for 10,000
    notes). --used-by reads the whole corpus and embeds it; --lexical ranks by words.
    From a store, the notes `reach` fetched when it can (see `store_reach`)."""
    from kg.embed.lazy import DeferredEmbedder
    from kg.query.trace import LexicalScorer

    if args.used_by:
        return open_graph(args), None
    if args.lexical:
        return open_traced(args, "none", reach), LexicalScorer()
    graph = open_traced(args, "lazy", reach)
    if getattr(args, "endpoint", None):
        mirror_static_vectors(graph, args)
    if graph.lazy_vectors is not None and not args.json:
        embedder = graph.lazy_vectors.embedder
        if isinstance(embedder, DeferredEmbedder):
            embedder.on_load = _say_loading
    if graph.lazy_vectors is not None:
        try:
            graph.lazy_vectors.ready()
        except ModelUnavailable as error:
            if graph.embeddings is not None:  # hybrid: rank with the stored static vectors
                print(f"kg trace: {error}; ranking with the stored vectors", file=sys.stderr)
                return graph, None
            print(f"kg trace: {error}; ranking by words only", file=sys.stderr)
            return graph, LexicalScorer()
        if graph.lazy_vectors.rank_first and graph.embeddings is not None:
            return graph, None
        cache = getattr(graph.lazy_vectors, "cache", None)
        if cache is not None and cache.dim is not None:  # kept trace vectors (a store's)
            return graph, None
        print(
            "kg trace: this index has no vectors yet, so only the texts this trace compares "
            "are embedded (`kg index` embeds the whole corpus once)",
            file=sys.stderr,
        )
    return graph, None


def store_reach(args: argparse.Namespace) -> Reach | None:
    """For a trace of one note from a store (--endpoint, not --used-by), what fetches only
    the notes the trace reads (`kg.store.reach`); None otherwise, or when the store cannot
    say which (then the full mirror is read)."""
    if not getattr(args, "endpoint", None) or args.used_by or not args.title:
        return None
    from kg.cli.common import progress_printer
    from kg.store.reach import start

    return start(args.endpoint, args.title, args.depth, progress=progress_printer(not args.json))


def open_traced(args: argparse.Namespace, embed: str, reach: Reach | None) -> KnowledgeGraph:
    """The notes `reach` fetched as a graph, else (no reach, or its folder cannot take the
    corpus's word counts) the corpus as every command opens it."""
    import gc

    graph = reach.open(embed=embed) if reach is not None else None
    if graph is None:
        return open_graph(args, embed=embed)
    gc.freeze()
    return graph


def mirror_static_vectors(graph: KnowledgeGraph, args: argparse.Namespace) -> None:
    """Give a store's mirror the static vectors `kg index` gives a local corpus, once (a
    kept mirror has them from then on): a trace from a store then ranks as the same trace
    of the corpus does, instead of embedding what it compares with the transformer."""
    config = graph.config
    if graph.embeddings is not None or graph.index_folder is None or config is None:
        return
    if config.embedder not in ("hybrid", "static"):
        return
    from kg.cli.common import progress_printer
    from kg.embed.attach import attach, shared_embedder

    try:
        attach(
            graph,
            graph.index_folder,
            config,
            # the embedder each later round's load embeds with (`attach_stored`): the
            # static table is read once, not once a round
            embedder=shared_embedder(config),
            signature=graph.index_signature,
            progress=progress_printer(not args.json),
        )
    except (OSError, KgError) as error:
        print(f"kg trace: the mirror's vectors were not computed: {error}", file=sys.stderr)


SCORE_LEGEND = (
    "(score: a cited note 1.00; a ranked source, #rank then its share of the fused ranking "
    "among the claim's ranked sources (papers apart), largest first; a source's own sources, "
    "#rank then their cosine with the text the source was quoted by; "
    "--explain shows the parts)"
)


STATIC_NOTE = (
    "(ranked with the stored static vectors: the index keeps no transformer vectors of "
    "some texts this trace compares; `kg index --trace-vectors all` computes them)"
)


NO_SOURCES_NOTE = (
    "(this note lists no sources, related notes or papers: its claims have nothing to be "
    "traced to but the notes a sentence names, shown as cited 1.00)"
)


LEXICAL_LEGEND = (
    "(score: a cited note 1.00; a ranked source, #rank then its TF-IDF cosine with the claim, "
    "largest first)"
)


def explain_parts(node: Any) -> str:
    """The parts an evidence node's score fuses, as one line.

    >>> from kg.query.trace import Evidence
    >>> explain_parts(Evidence("source", "t", 0.6, cosine=0.41, parts=(("BM25 quote", 2.5),)))
    'parts: BM25 quote 2.50 · best cosine (threshold) 0.41'
    """
    shown = [f"{name} {value:.2f}" for name, value in node.parts]
    if node.cosine is not None:
        shown.append(f"best cosine (threshold) {node.cosine:.2f}")
    return "parts: " + " · ".join(shown)


def evidence_json(node: Any) -> dict[str, Any]:
    """An evidence tree (`kg.query.trace.Evidence`) as `kg trace --json` prints it."""
    out: dict[str, Any] = {"kind": node.kind, "text": node.text, "score": node.score}
    if node.note is not None:
        out["note"] = {"id": node.note.id, "title": node.note.title, "kind": node.note.kind.value}
    if node.rank:
        out["rank"] = node.rank
    if node.cosine is not None:
        out["cosine"] = node.cosine
    if node.parts:
        out["parts"] = dict(node.parts)
    if node.label:
        out["label"] = node.label
    if node.link is not None:
        out["provenance"] = f"{node.link.file}:{node.link.line}"
    if node.unsupported:
        out["unsupported"] = True
    if getattr(node, "vectors", ""):
        out["vectors"] = node.vectors
    if node.children:
        out["children"] = [evidence_json(child) for child in node.children]
    return out


def _print_unsupported(found: list[Unsupported]) -> None:
    """The lint as text: each weakly supported claim on a line of its own; then each note
    that cites nothing once (its claims cannot be traced, which is not the same finding);
    then what the lines count, on stderr."""
    from kg.query.uses import NO_SOURCES, sourceless_notes

    sourceless = sourceless_notes(found)
    for u in found:
        if u.reason == NO_SOURCES:
            continue
        where = f"{u.note.files[0]}:{u.claim.line}" if u.note.files else u.note.id
        print(
            f"{where}: {u.note.title} [claim {u.claim.index}, best {u.best:.2f}] {u.claim.text[:100]}"
        )
    for items in sourceless.values():
        note = items[0].note
        where = note.files[0] if note.files else note.id
        print(
            f"{where}: {note.title} [no sources] lists no sources, related notes or papers: "
            f"its {_claims(len(items))} cannot be traced"
        )
    weak = len(found) - sum(len(items) for items in sourceless.values())
    summary = f"{weak} unsupported {'claim' if weak == 1 else 'claims'}"
    if sourceless:
        untraced = len(found) - weak
        summary += (
            f"; {len(sourceless)} {'note lists' if len(sourceless) == 1 else 'notes list'} "
            f"no sources ({_claims(untraced)} not traced)"
        )
    print(summary, file=sys.stderr)


def _claims(count: int) -> str:
    return f"{count} claim" if count == 1 else f"{count} claims"
