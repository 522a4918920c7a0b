"""The `kg` command: index a corpus and query it from the shell.

Every command reads the corpus named by --corpus (default ./notes, or $KG_CORPUS),
keeps its index in CORPUS/.kg/ unless --index says otherwise, and prints JSON with --json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from kg.codec import counts_to_json, note_to_json
from kg.errors import KgError, ModelUnavailable
from kg.graph.knowledge import CorpusStats, KnowledgeGraph
from kg.model import NOT_NOTES, Link, LinkKind, Note, NoteKind, Severity

if TYPE_CHECKING:
    from kg.query.trace import Scorer

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}


def default_corpus() -> str:
    return os.environ.get("KG_CORPUS", "notes")


# ---------------------------------------------------------------- output helpers


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def progress_printer(enabled: bool) -> Callable[[str, int, int], None] | None:
    """A progress callback that redraws one line on stderr (only on a terminal)."""
    if not enabled or not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        filled = int(20 * done / total) if total else 20
        bar = "#" * filled + "." * (20 - filled)
        sys.stderr.write(f"\r{stage}: [{bar}] {done}/{total} ({rate:,.0f}/s, eta {eta:,.0f}s)   ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def note_json(note: Note, graph: KnowledgeGraph | None = None, full: bool = True) -> dict[str, Any]:
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
        out["copies"] = note_to_json(note)["copies"]
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
            "two_hop": stats.two_hop,
            "density": stats.density,
            "cluster": stats.cluster,
        }
    return out


def link_json(link: Link) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": link.source,
        "target": link.target,
        "kind": link.kind.value,
        "file": link.file,
        "line": link.line,
    }
    for name in ("order", "summary", "sentence", "label", "annotation", "relation", "section"):
        value = getattr(link, name)
        if value not in (None, ""):
            out[name] = value
    return out


# ---------------------------------------------------------------- arguments


def common_options() -> argparse.ArgumentParser:
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
    parent.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parent


def open_graph(args: argparse.Namespace, **options: Any) -> KnowledgeGraph:
    from kg.index.loader import load

    graph = load(
        args.corpus or default_corpus(),
        index=args.index,
        config=args.config,
        progress=progress_printer(not args.json),
        **options,
    )
    # The graph lives until the command ends: keep the garbage collector from walking
    # its objects in full collections (and once more at exit).
    gc.freeze()
    return graph


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        return handler

    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="A knowledge-graph browser for research notes.",
        epilog="Run `kg COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version="kg 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options()

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
    p.add_argument("-v", "--verbose", action="store_true", help="also list info diagnostics")

    p = sub.add_parser(
        "show",
        parents=[common],
        help="show one note",
        description="Show a note: its fields and its links in and out.",
    )
    p.add_argument("title", help="the note's title or id")

    p = sub.add_parser(
        "neighbours",
        parents=[common],
        help="list a note's neighbourhood",
        description="List the notes linked to a note, to a depth.",
    )
    p.add_argument("title", help="the note's title or id")
    p.add_argument("--depth", type=int, default=1, help="how many links away (default 1)")
    p.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in LinkKind],
        help="only these link kinds (repeatable)",
    )
    p.add_argument(
        "--direction",
        choices=("out", "in", "both"),
        default="both",
        help="follow links forwards, backwards or both (default both)",
    )
    p.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help="only list notes with this #tag or one nested under it (repeatable)",
    )

    p = sub.add_parser(
        "notes",
        parents=[common],
        help="list notes, by #tag or kind",
        description="List the corpus's notes (no stubs unless --stubs), optionally only those "
        "with a #tag (nested tags included: --tag a finds #a/b) or of one kind. With --tags, "
        "list the tags themselves with their counts.",
    )
    p.add_argument("--tag", action="append", metavar="TAG", help="only notes with this tag")
    p.add_argument(
        "--kind", choices=[k.value for k in NoteKind], default=None, help="only this kind"
    )
    p.add_argument("--stubs", action="store_true", help="list stubs too")
    p.add_argument("--tags", action="store_true", help="list the tags and how many notes")

    p = sub.add_parser(
        "path",
        parents=[common],
        help="shortest typed path between two notes",
        description="The shortest chain of typed links between two notes.",
    )
    p.add_argument("source", help="title or id of the first note")
    p.add_argument("target", help="title or id of the second note")
    p.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in LinkKind],
        help="only these link kinds (repeatable)",
    )

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

    # Further subcommands (near, search, trace, export, sparql, browse) are added below.
    p = sub.add_parser(
        "near",
        parents=[common],
        help="notes nearest in meaning to a note",
        description="The notes whose embeddings are nearest a note's (cosine), and whether a "
        "link already joins them. With --unlinked: link suggestions, near but not linked yet.",
    )
    p.add_argument("title", help="the note's title or id")
    p.add_argument("-k", type=int, default=10, help="how many notes (default 10)")
    p.add_argument("--unlinked", action="store_true", help="only notes not linked to it yet")
    p.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in NoteKind],
        help="only notes of these kinds (repeatable; default all but categories)",
    )

    p = sub.add_parser(
        "search",
        parents=[common],
        help="find notes by words and meaning",
        description="Hybrid search: BM25 over titles, descriptions, claims and bodies, fused "
        "with embedding similarity; exact and near-exact title matches first.",
    )
    p.add_argument("text", nargs="+", help="what to look for")
    p.add_argument("-k", type=int, default=10, help="how many hits (default 10)")
    p.add_argument("--lexical", action="store_true", help="by words only (never loads the model)")
    p.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help="only notes with this #tag or one nested under it (repeatable)",
    )

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
    p.add_argument("--depth", type=int, default=3, help="how far down to trace (default 3)")
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
        help="list claims whose best evidence is below the threshold, for the "
        "corpus at PATH (default: --corpus)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="evidence score below which a claim is unsupported (default: "
        "unsupported_threshold in kg.yaml, else 0.35 with embeddings, 0.12 without)",
    )
    p.add_argument(
        "--lexical",
        action="store_true",
        help="rank evidence by words only (TF-IDF): never loads the model",
    )

    p = sub.add_parser(
        "browse",
        parents=[common],
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

    p = sub.add_parser(
        "export",
        parents=[common],
        help="export a subgraph as GraphML, RDF or JSON",
        description="Write part of the graph (or all of it) for Gephi, Cytoscape, yEd, a triple "
        "store or your own scripts: the neighbourhood of --around notes, a --path between two "
        "notes, the hits of a --search, or the whole corpus when none is given. Link kinds and "
        "relation labels are kept in every format.",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="file to write ('-' for stdout); written atomically",
    )
    p.add_argument(
        "--format",
        choices=("graphml", "turtle", "jsonld", "nt", "json"),
        default=None,
        help="output format (default: from the file name, else graphml)",
    )
    p.add_argument(
        "--around", action="append", metavar="TITLE", help="centre note, title or id (repeatable)"
    )
    p.add_argument("--depth", type=int, default=1, help="links away from --around (default 1)")
    p.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in LinkKind],
        help="only these link kinds (repeatable)",
    )
    p.add_argument(
        "--node-kind",
        action="append",
        choices=[k.value for k in NoteKind],
        help="only notes of these kinds (repeatable; named notes always kept)",
    )
    p.add_argument(
        "--direction",
        choices=("out", "in", "both"),
        default="both",
        help="walk links forwards, backwards or both from --around (default both)",
    )
    p.add_argument(
        "--path", nargs=2, metavar=("FROM", "TO"), help="the shortest typed path between two notes"
    )
    p.add_argument("--search", metavar="TEXT", help="the top -k hits of a search")
    p.add_argument("-k", type=int, default=20, help="how many search hits (default 20)")
    p.add_argument(
        "--near",
        type=int,
        default=None,
        metavar="K",
        help="add each note's top-K semantically near notes in the export as "
        "weighted 'near' edges (needs embeddings)",
    )
    p.add_argument("--no-stubs", action="store_true", help="leave out stub notes")
    p.add_argument(
        "--base",
        default=None,
        metavar="IRI",
        help="IRI that note and link IRIs start with in RDF (default urn:kg:)",
    )

    p = sub.add_parser(
        "sparql",
        parents=[common],
        help="run a SPARQL query over the corpus",
        description="Run a SPARQL query over the corpus as RDF (the vocabulary of `kg export`). "
        "The prefixes cito, dcterms, kg, note, link, prov, rdf, rdfs, schema, skos and xsd are "
        "predeclared.",
        epilog="Example: kg sparql 'SELECT ?label (COUNT(*) AS ?n) WHERE { ?l kg:label ?label } "
        "GROUP BY ?label'",
    )
    p.add_argument("query", nargs="?", default=None, help="the query ('-' reads it from stdin)")
    p.add_argument("--file", default=None, metavar="FILE", help="read the query from FILE")
    return parser


# ---------------------------------------------------------------- commands


@command("index")
def cmd_index(args: argparse.Namespace) -> int:
    from kg.index.loader import load

    paths = args.paths or [args.corpus or default_corpus()]
    status = 0
    summaries = []
    for path in paths:
        started = time.perf_counter()
        graph = load(
            path,
            index=args.index,
            config=args.config,
            rebuild=args.rebuild,
            progress=progress_printer(not args.json),
            embed=not args.no_embed,
        )
        gc.freeze()  # as in open_graph
        seconds = time.perf_counter() - started
        vectors = graph.embeddings
        stats = graph.corpus_stats()
        shown = [d for d in graph.diagnostics if args.verbose or d.severity is not Severity.INFO]
        summary = {
            "corpus": str(path),
            "reused_index": graph.from_index,
            "seconds": round(seconds, 3),
            "texts_embedded": vectors.embedded if vectors is not None else 0,
            **asdict(stats),
            "diagnostics": [str(d) for d in shown],
        }
        summaries.append(summary)
        if not args.json:
            for diagnostic in shown:
                print(diagnostic, file=sys.stderr)
            print(
                f"{path}: {stats.files} files read, {stats.notes} notes, {stats.stubs} stubs, "
                f"{stats.links} links, {stats.warnings} warnings, {stats.errors} errors "
                f"({seconds:.2f}s)"
            )
            reading = reading_summary(stats)
            if reading:
                print(f"{path}: {reading}")
            if vectors is not None:
                print(
                    f"{path}: {stats.embedded} notes with vectors, {vectors.texts} texts, "
                    f"{vectors.embedded} embedded now"
                )
        if stats.errors or (args.strict and stats.warnings):
            status = 1
    if args.json:
        emit_json(summaries if len(summaries) > 1 else summaries[0])
    return status


def reading_summary(stats: CorpusStats) -> str:
    """What reading the corpus found that a user should know, in one line ('' if nothing):
    a vault's attachments, unresolved links and tags; cut-off pages, merges and category
    lines no vocabulary splits."""
    counted = [
        (stats.truncated_pages, "cut-off page", "cut-off pages"),
        (stats.merged_titles, "note merged under another title", "notes merged under other titles"),
        (stats.merged_distinct, "merge of differing pages", "merges of differing pages"),
        (
            stats.category_runs,
            "category line no vocabulary splits",
            "category lines no vocabulary splits",
        ),
    ]
    parts = []
    if stats.attachments or stats.missing_attachments or stats.tags or stats.unresolved:
        parts.append(
            f"{stats.attachments} attachments ({stats.missing_attachments} missing), "
            f"{stats.unresolved} unresolved links, {stats.tags} tags"
        )
    parts += [f"{n} {one if n == 1 else many}" for n, one, many in counted if n]
    return ", ".join(parts) + (" (kg index -v lists them)" if parts else "")


@command("show")
def cmd_show(args: argparse.Namespace) -> int:
    graph = open_graph(args, embed="none")
    note = graph.note(args.title)
    out_links = graph.links_of(note, "out")
    in_links = graph.links_of(note, "in")
    if args.json:
        emit_json(
            {
                **note_json(note, graph),
                "links_out": [link_json(lk) for lk in out_links],
                "links_in": [link_json(lk) for lk in in_links],
                "backlinks": {
                    "linked": [link_json(lk) for lk in graph.linked_mentions(note)],
                    "unlinked": [link_json(lk) for lk in graph.unlinked_mentions(note)],
                },
            }
        )
        return 0
    stats = graph.stats(note)
    print(note.title + ("  [stub]" if note.stub else ""))
    print(
        f"{note.kind.value} · {note.id}"
        + (f" · {note.date}" if note.date else "")
        + (f" · {', '.join(note.categories)}" if note.categories else "")
    )
    for label, value in (
        ("also titled", "; ".join(note.aliases)),
        ("collection", note.collection),
        ("arXiv", note.arxiv),
        (
            "tags",
            ", ".join(note.tags)
            if note.kind is NoteKind.PAPER  # a paper's subject tags, not #tags
            else " ".join("#" + t.lstrip("#") for t in note.tags),
        ),
        ("files", ", ".join(note.files) + ("  (cut-off copy)" if note.truncated else "")),
    ):
        if value:
            print(f"{label}: {value}")
    if note.properties:
        print("properties:")
        for key, value in note.properties:
            shown = ", ".join(map(str, value)) if isinstance(value, tuple) else value
            print(f"  {key}: {shown}")
    body = [paragraph.text for paragraph in note.body]
    if note.description and note.description not in body[:1]:
        print(f"\n{note.description}")
    if note.claim:
        print(f"\nClaim: {note.claim}")
    for text in body:
        print(f"\n{text}")
    declared = declared_lines(note)
    if declared:
        print("\nAs the page says:" if len(declared) == 1 else "\nAs the pages say:")
        for line in declared:
            print(f"  {line}")
    corpus = graph.corpus_stats()
    print(
        f"\nComputed by kg on the loaded corpus ({corpus.notes} notes, {corpus.stubs} stubs): "
        f"{stats.direct} direct connections · {stats.two_hop} in 2-hop network · {stats.cluster}"
    )
    written = {LinkKind.LINKS, LinkKind.EMBEDS}
    for heading, links, far in (
        ("Links out", out_links, "target"),
        ("Backlinks, linked", [lk for lk in in_links if lk.kind in written], "source"),
        (
            "Backlinks, unlinked mentions",
            [lk for lk in in_links if lk.kind is LinkKind.MENTIONS],
            "source",
        ),
        (
            "Links in",
            [lk for lk in in_links if lk.kind not in written and lk.kind is not LinkKind.MENTIONS],
            "source",
        ),
    ):
        if links:
            print(f"\n{heading} ({len(links)}):")
            for link in links:
                other = graph.note(getattr(link, far))
                print(f"  {link.describe():<28} {other.title}")
    return 0


def declared_lines(note: Note) -> list[str]:
    """The figures each page of the note declares, newer deployment first, one per line."""
    copies = note.copies or ()
    sources = (
        [(c.file, c.counts, c.concept_map) for c in copies]
        if copies
        else [(note.files[0] if note.files else "", note.counts, note.concept_map)]
    )
    names = {
        "uses": "inquiring lines using it",
        "related": "related concepts",
        "papers": "related papers",
        "sources": "sources",
        "notes": "notes",
        "source_papers": "source papers",
        "sections": "sections",
    }
    lines = []
    for file, counts, concept_map in sources:
        parts = [
            f"{names[name]} {value}" + ("+ (read from the cut-off last line)" if unsure else "")
            for name, value, unsure in counts.declared()
        ]
        if concept_map:
            parts.insert(
                0,
                f"{concept_map.direct} direct connections · {concept_map.two_hop} in 2-hop "
                f"network · {concept_map.cluster}",
            )
        if parts:
            lines.append(" · ".join(parts) + (f"  ({file})" if len(sources) > 1 else ""))
    return lines


@command("neighbours")
def cmd_neighbours(args: argparse.Namespace) -> int:
    graph = open_graph(args, embed="none")
    note = graph.note(args.title)
    found = graph.neighbours(note, depth=args.depth, kinds=args.kind, direction=args.direction)
    if args.tag:
        found = [n for n in found if _tagged(n.note, args.tag)]
    if args.json:
        emit_json(
            [
                {
                    **note_json(n.note, full=False),
                    "depth": n.depth,
                    "direction": n.direction,
                    "link": link_json(n.link),
                }
                for n in found
            ]
        )
        return 0
    print(f"{note.title}: {len(found)} links within depth {args.depth}")
    for n in found:
        arrow = "→" if n.direction == "out" else "←"
        print(
            f"  {'  ' * (n.depth - 1)}{arrow} {n.link.describe():<26} {n.note.title}"
            + ("  [stub]" if n.note.stub else "")
        )
    return 0


def _tagged(note: Note, tags: Sequence[str]) -> bool:
    """Whether the note carries one of `tags` or a tag nested under one."""
    from kg.text import tag_key

    wanted = {tag_key(t) for t in tags}
    return any(
        key == w or key.startswith(w + "/") for key in map(tag_key, note.tags) for w in wanted
    )


@command("notes")
def cmd_notes(args: argparse.Namespace) -> int:
    graph = open_graph(args, embed="none")
    if args.tags:
        counts = graph.tags()
        if args.json:
            emit_json(counts)
        else:
            for tag, count in counts.items():
                print(f"{count:>5}  {tag}")
        return 0
    found = graph.notes(kind=args.kind, stubs=args.stubs)
    if args.tag:
        found = [n for n in found if _tagged(n, args.tag)]
    else:
        found = [n for n in found if args.kind or n.kind not in NOT_NOTES]
    found.sort(key=lambda n: n.title.casefold())
    if args.json:
        emit_json([{**note_json(n, full=False), "tags": list(n.tags)} for n in found])
        return 0
    for n in found:
        tags = " ".join("#" + t for t in n.tags)
        where = n.files[0] if n.files else n.id
        print(
            f"{n.title}  ({where})" + (f"  {tags}" if tags else "") + ("  [stub]" if n.stub else "")
        )
    print(f"{len(found)} notes", file=sys.stderr)
    return 0


@command("path")
def cmd_path(args: argparse.Namespace) -> int:
    graph = open_graph(args, embed="none")
    chain = graph.path(args.source, args.target, kinds=args.kind)
    if args.json:
        emit_json([link_json(lk) for lk in chain])
        return 0 if chain else 1
    if not chain:
        print("no path between these notes", file=sys.stderr)
        return 1
    current = graph.note(args.source).id
    print(graph.note(current).title)
    for link in chain:
        forward = link.source == current
        current = link.target if forward else link.source
        print(f"  {'→' if forward else '←'} {link.describe()}  {graph.note(current).title}")
    return 0


@command("stats")
def cmd_stats(args: argparse.Namespace) -> int:
    from kg.embed.vectors import attach_stored

    graph = open_graph(args, embed="none")
    attach_stored(graph)
    if args.title:
        note = graph.note(args.title)
        stats = graph.stats(note)
        if args.json:
            emit_json({"title": note.title, **asdict(stats)})
        else:
            print(
                f"{note.title}\n{stats.direct} direct connections · {stats.two_hop} in 2-hop "
                f"network · {stats.cluster} (density {stats.density:.2f})"
            )
        return 0
    if args.tag:
        tagged = [n for n in graph.notes() if _tagged(n, args.tag)]
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
    problems = [str(d) for d in graph.diagnostics if d.severity is not Severity.INFO]
    if args.json:
        emit_json(
            {
                **asdict(stats_all),
                "tag_counts": graph.tags(),
                **({"diagnostics": problems} if args.diagnostics else {}),
            }
        )
        return 0
    print(
        f"{stats_all.files} files · {stats_all.notes} notes · {stats_all.stubs} stubs · "
        f"{stats_all.links} links · {stats_all.truncated} truncated"
    )
    print("notes: " + ", ".join(f"{k} {v}" for k, v in stats_all.notes_by_kind.items()))
    print("links: " + ", ".join(f"{k} {v}" for k, v in stats_all.links_by_kind.items()))
    if stats_all.attachments or stats_all.missing_attachments or stats_all.tags:
        print(
            f"attachments: {stats_all.attachments} in the vault, "
            f"{stats_all.missing_attachments} missing · {stats_all.unresolved} unresolved links"
            f" · {stats_all.tags} tags"
        )
        top = list(graph.tags().items())[:10]
        if top:
            print("tags: " + ", ".join(f"{t} {n}" for t, n in top))
    print(
        f"{stats_all.warnings} warnings, {stats_all.errors} errors"
        + (f", {stats_all.embedded} notes embedded" if stats_all.embedded else "")
    )
    if args.diagnostics:
        for line in problems:
            print(line)
    return 0


def evidence_json(node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": node.kind, "text": node.text, "score": node.score}
    if node.note is not None:
        out["note"] = {"id": node.note.id, "title": node.note.title, "kind": node.note.kind.value}
    if node.label:
        out["label"] = node.label
    if node.link is not None:
        out["provenance"] = f"{node.link.file}:{node.link.line}"
    if node.unsupported:
        out["unsupported"] = True
    if node.children:
        out["children"] = [evidence_json(child) for child in node.children]
    return out


@command("near")
def cmd_near(args: argparse.Namespace) -> int:
    graph = open_graph(args)
    note = graph.note(args.title)
    found = graph.near(note, k=args.k, kinds=args.kind, unlinked=args.unlinked)
    if args.json:
        emit_json(
            [
                {**note_json(n.note, full=False), "score": round(n.score, 4), "linked": n.linked}
                for n in found
            ]
        )
        return 0
    what = "not linked yet" if args.unlinked else "by meaning"
    print(f"{note.title}: {len(found)} nearest notes {what}")
    for n in found:
        mark = "linked" if n.linked else ""
        print(f"  {n.score:5.3f}  {mark:<6}  {n.note.title}" + ("  [stub]" if n.note.stub else ""))
    return 0


@command("search")
def cmd_search(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    graph = open_graph(args, embed=not args.lexical)
    if args.tag:  # read deeper, then keep the tagged hits
        hits = graph.search(text, k=max(args.k * 10, 200), semantic=False if args.lexical else None)
        hits = [h for h in hits if _tagged(h.note, args.tag)][: args.k]
    else:
        hits = graph.search(text, k=args.k, semantic=False if args.lexical else None)
    if args.json:
        emit_json(
            [
                {
                    **note_json(h.note, full=False),
                    "score": h.score,
                    "snippet": h.snippet,
                    "matched": list(h.matched),
                }
                for h in hits
            ]
        )
        return 0
    if not hits:
        print(f"no notes match {text!r}", file=sys.stderr)
        return 1
    for rank, h in enumerate(hits, start=1):
        print(f"{rank:>2}. {h.note.title}" + ("  [stub]" if h.note.stub else ""))
        print(f"    {h.note.kind.value} · {', '.join(h.matched)} · {h.score:.4f}")
        if h.snippet and h.snippet != h.note.title:
            print(f"    {h.snippet}")
    return 0


@command("trace")
def cmd_trace(args: argparse.Namespace) -> int:
    from kg.query.trace import trace, unsupported_claims

    if args.unsupported is not None:
        if args.unsupported:
            args.corpus = args.unsupported
        graph = open_graph(args, embed=not args.lexical)
        found = unsupported_claims(graph, threshold=args.threshold)
        if args.json:
            emit_json(
                [
                    {
                        "note": u.note.title,
                        "claim": u.claim.index,
                        "kind": u.claim.kind,
                        "text": u.claim.text,
                        "best": round(u.best, 4),
                        "file": u.note.files[0] if u.note.files else "",
                        "line": u.claim.line,
                    }
                    for u in found
                ]
            )
        else:
            for u in found:
                where = f"{u.note.files[0]}:{u.claim.line}" if u.note.files else u.note.id
                print(
                    f"{where}: {u.note.title} [claim {u.claim.index}, best {u.best:.2f}] "
                    f"{u.claim.text[:100]}"
                )
            print(f"{len(found)} unsupported claims", file=sys.stderr)
        return 0
    if not args.title:
        print("kg trace: give a note title, or --unsupported", file=sys.stderr)
        return 2
    graph, scorer = open_for_trace(args)
    note = graph.note(args.title)
    if args.used_by:
        uses = graph.used_by(note, depth=args.depth)
        if args.json:
            emit_json(
                [
                    {
                        "note": u.note.title,
                        "claim": u.claim,
                        "kind": u.kind,
                        "depth": u.depth,
                        "via": u.via.title if u.via else None,
                    }
                    for u in uses
                ]
            )
        else:
            for u in uses:
                via = f" (via {u.via.title})" if u.via else ""
                print(
                    f"{'  ' * (u.depth - 1)}{u.kind:<8} {u.note.title}{via}\n"
                    f"{'  ' * (u.depth - 1)}         “{u.claim[:160]}”"
                )
        return 0
    claim: int | str | None = None
    if args.claim is not None:
        claim = int(args.claim) if args.claim.isdigit() else args.claim
    tree = trace(graph, note, claim=claim, depth=args.depth, scorer=scorer)
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
    print(note.title)
    for depth, node in tree.walk():
        indent = "  " * depth
        if node.kind in ("claim", "sentence"):
            flag = "  [unsupported]" if node.unsupported else ""
            print(f"{indent}{'◆' if node.kind == 'claim' else '•'} {node.text}{flag}")
            continue
        title = node.note.title if node.note else ""
        label = f" ({node.label})" if node.label else ""
        print(f"{indent}└ {node.kind}{label} {node.score:.2f}  {title}")
        if node.kind != "paper":
            print(f"{indent}    “{node.text[:200]}”")
    if claim is None:
        print(
            "\nClaims: " + "; ".join(f"{c.index}: {c.text[:40]}…" for c in graph.claims(note)[:12])
        )
    return 0


def open_for_trace(args: argparse.Namespace) -> tuple[KnowledgeGraph, Scorer | None]:
    """The graph and the scorer for tracing one note, with the policy every client uses
    (`kg.load(embed="lazy")`): stored vectors where the index has them, else only the
    texts this trace compares are embedded, not the whole corpus (20 minutes for 10,000
    notes). --used-by reads the whole corpus and embeds it; --lexical ranks by words."""
    from kg.query.trace import LexicalScorer

    if args.lexical:
        return open_graph(args, embed="none"), LexicalScorer()
    if args.used_by:
        return open_graph(args), None
    graph = open_graph(args, embed="lazy")
    if graph.lazy_vectors is not None:
        try:
            graph.lazy_vectors.ready()
        except ModelUnavailable as error:
            print(f"kg trace: {error}; ranking by words only", file=sys.stderr)
            return graph, LexicalScorer()
        print(
            "kg trace: this index has no vectors yet, so only the texts this trace compares "
            "are embedded (`kg index` embeds the whole corpus once)",
            file=sys.stderr,
        )
    return graph, None


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


@command("browse")
def cmd_browse(args: argparse.Namespace) -> int:
    from kg.index.loader import resolve_corpus

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


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from kg.export.subgraph import format_for

    if args.format:
        fmt = args.format
    elif args.output == "-":
        fmt = "graphml"
    else:
        fmt = format_for(args.output)
    started = time.perf_counter()
    graph = open_graph(args, embed=bool(args.near or args.search))  # vectors when used
    loaded = time.perf_counter()
    if args.path:
        ends = [graph.note(end) for end in args.path]
        if ends[0].id != ends[1].id and not graph.path(ends[0], ends[1], kinds=args.kind):
            raise KgError(f"no path between {ends[0].title!r} and {ends[1].title!r}")
    sub = graph.subgraph(
        around=args.around,
        depth=args.depth,
        kinds=args.kind,
        node_kinds=args.node_kind,
        path=args.path,
        search=args.search,
        k=args.k,
        near=args.near,
        direction=args.direction,
        stubs=not args.no_stubs,
    )
    written = sub.write(args.output, fmt, base=args.base)
    finished = time.perf_counter()
    summary = {
        "output": str(written),
        "format": fmt,
        "notes": len(sub.notes),
        "links": len(sub.links),
        "near": len(sub.near),
        "bytes": written.stat().st_size if args.output != "-" else None,
        "seconds_load": round(loaded - started, 3),
        "seconds_export": round(finished - loaded, 3),
    }
    if args.json:
        if args.output == "-":
            print(json.dumps(summary), file=sys.stderr)
        else:
            emit_json(summary)
        return 0
    print(
        f"wrote {summary['notes']} notes, {summary['links']} links"
        + (f", {summary['near']} near pairs" if sub.near else "")
        + f" as {fmt} to {written} ({finished - loaded:.2f}s)",
        file=sys.stderr if args.output == "-" else sys.stdout,
    )
    return 0


@command("sparql")
def cmd_sparql(args: argparse.Namespace) -> int:
    from kg.export.rdf import namespaces, result_rows, shorten

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
        data = result.serialize(format="json")
        assert data is not None
        emit_json(json.loads(data))
        return 0
    names = [str(v) for v in result.vars or []]
    rows = result_rows(result)
    prefixes = namespaces()
    print("\t".join(names))
    for row in rows:
        print("\t".join("" if row[n] is None else shorten(row[n], prefixes) for n in names))
    print(f"({len(rows)} rows)", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kg` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except KgError as error:
        print(f"kg {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
