"""Reading a trace the other way, and the lint, for the trace screen: the claims that rest
on a note (`kg trace --used-by`) and the claims whose evidence is too weak
(`kg trace --unsupported`), as evidence nodes the trace view can list and open."""

from __future__ import annotations

from collections.abc import Callable

from kg import KnowledgeGraph, Unsupported
from kg.errors import KgError
from kg.model import Note
from kg_tui.features import EvidenceNode, Unavailable


def used_by(graph: KnowledgeGraph, note: Note, depth: int = 2) -> list[EvidenceNode]:
    """One node per claim elsewhere that rests on `note`, nearest first."""
    try:
        uses = graph.used_by(note, depth=depth)
    except KgError as error:
        raise Unavailable(str(error)) from error
    return [
        EvidenceNode(
            kind=use.kind,
            note_id=use.note.id,
            title=use.note.title,
            score=None,
            quote=use.claim,
            label=f"{use.depth} link{'s' if use.depth != 1 else ''} away"
            + (f", via “{use.via.title}”" if use.via is not None else ""),
        )
        for use in uses
    ]


def weak_statements(graph: KnowledgeGraph, note: Note) -> dict[int, float]:
    """Claim index -> best evidence score, for each statement of `note` under the threshold."""
    try:
        found = graph.unsupported_claims(notes=note)
    except KgError as error:
        raise Unavailable(str(error)) from error
    return {u.claim.index: float(u.best) for u in found}


def corpus_lint(
    graph: KnowledgeGraph,
    progress: Callable[[int, int], object] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[EvidenceNode]:
    """Every weakly supported claim of the corpus, as `kg trace --unsupported` lists them,
    then one row per note that lists no sources (its claims cannot be traced).

    Checked a note at a time: `progress(claims checked, claims in all)` after each; a
    `stop()` that turns true ends the check early (with what was found so far).
    """
    try:
        notes = [n for n in graph.notes(stubs=False) if graph.claims(n)]
        counts = [len(graph.claims(n)) for n in notes]
        total, done = sum(counts), 0
        found: list[Unsupported] = []
        if progress is not None:
            progress(0, total)
        for note, count in zip(notes, counts, strict=True):
            if stop is not None and stop():
                break
            found += graph.unsupported_claims(notes=note)
            done += count
            if progress is not None:
                progress(done, total)
    except KgError as error:
        raise Unavailable(str(error)) from error
    nodes = [
        EvidenceNode(
            kind="weak",
            note_id=u.note.id,
            title=u.note.title,
            score=float(u.best),
            quote=u.claim.text,
            label=f"best evidence {float(u.best):.2f}",
            where=f"{u.note.files[0]}:{u.claim.line}" if u.note.files else "",
        )
        for u in found
        if u.reason != "no sources"
    ]
    # A note that lists nothing to trace to is one finding, not one per sentence.
    sourceless: dict[str, list[Unsupported]] = {}
    for u in found:
        if u.reason == "no sources":
            sourceless.setdefault(u.note.id, []).append(u)
    for items in sourceless.values():
        note, count = items[0].note, len(items)
        nodes.append(
            EvidenceNode(
                kind=NO_SOURCES,
                note_id=note.id,
                title=note.title,
                score=None,
                quote=f"This note lists no sources, related notes or papers: its {count} "
                f"claim{'s' if count != 1 else ''} cannot be traced.",
                label=f"{count} claim{'s' if count != 1 else ''} not traced",
                where=note.files[0] if note.files else "",
            )
        )
    return nodes


NO_SOURCES = "no sources"  # the kind of a lint row for a note that lists nothing to trace to
