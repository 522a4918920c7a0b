"""Figures of the graph: a note's concept-map figures, and the whole corpus's counts.

>>> from kg.graph.knowledge import _demo
>>> corpus_stats(_demo()).notes, note_stats(_demo(), "b").direct
(3, 2)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.graph.walks import GROUPING_KINDS, WRITTEN_LINKS, NoteRef
from kg.model import NOT_NOTES, NoteKind, NoteStats, Severity
from kg.text import tag_key, tag_names

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


def note_stats(graph: KnowledgeGraph, note: NoteRef) -> NoteStats:
    """Concept-map figures of a note (see `KnowledgeGraph.stats`): `direct`, the nodes one
    link away either way; `two_hop`, those within two links (the direct ones included, the
    note itself not); categories and tags counted in neither (a browser's depth-2 view,
    which lists them, shows `two_hop - direct` plus the categories and tags two links
    away). Stubs are counted, `stubs` says how many of the direct ones."""
    centre = graph.note(note).id
    direct = _adjacent(graph, centre)
    two_hop = set(direct)
    for other in direct:
        two_hop |= _adjacent(graph, other)
    two_hop.discard(centre)
    pairs = len(direct) * (len(direct) - 1) / 2
    joined = sum(1 for u in direct for v in _adjacent(graph, u) if v in direct and u < v)
    density = joined / pairs if pairs else 0.0
    if len(direct) < 2:
        label = "isolated" if not direct else "sparse cluster"
    elif density >= 0.25:
        label = "dense cluster"
    elif density >= 0.08:
        label = "moderate cluster"
    else:
        label = "sparse cluster"
    notes = graph.note_table
    # Counted as `CorpusStats.stubs` counts them: a missing attachment is not a stub there.
    stubs = sum(
        1
        for other in direct
        if notes.is_stub(other) and notes.kind(other) is not NoteKind.ATTACHMENT
    )
    return NoteStats(len(direct), len(two_hop), round(density, 3), label, stubs)


def _adjacent(graph: KnowledgeGraph, node: str) -> set[str]:
    table, notes = graph.link_table, graph.note_table
    others = {table.ends(i)[1] for i in table.out[node]}
    others |= {table.ends(i)[0] for i in table.into[node]}
    others.discard(node)
    return {o for o in others if notes.kind(o) not in GROUPING_KINDS}


@dataclass(frozen=True)
class CorpusStats:
    """Figures of a whole corpus, as `kg stats` prints them. `notes` counts notes with a
    page of their own (not stubs, categories, tags or attachments): what `len(g)` says."""

    files: int
    notes: int
    stubs: int
    links: int
    notes_by_kind: dict[str, int]
    links_by_kind: dict[str, int]
    warnings: int
    errors: int
    truncated: int
    embedded: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # What reading the pages found, counted from the diagnostics: pages that are cut-off
    # copies, notes merged from pages that differ (a hub and a note, two claims), notes
    # shown under more than one title, category lines no vocabulary could split, runs of
    # unknown category names split by a guess, and pages kg cannot type (no note made).
    truncated_pages: int = 0
    merged_distinct: int = 0
    merged_titles: int = 0
    category_runs: int = 0
    category_guesses: int = 0
    untyped_pages: int = 0
    attachments: int = 0  # attachment files of a vault that are there
    missing_attachments: int = 0  # attachments linked or embedded but not in the vault
    tags: int = (
        0  # distinct tags, #tags and paper tags, as `tags()` lists them (nested count once each)
    )
    unresolved: int = 0  # written links (links, embeds) to a stub or a missing attachment


def is_note(kind: NoteKind, stub: bool) -> bool:
    """Whether a node counts as a note (`len(g)`, `kg stats`): not a stub, category, tag or
    attachment."""
    return not stub and kind not in NOT_NOTES


def corpus_stats(graph: KnowledgeGraph) -> CorpusStats:
    """Counts for the whole corpus (see `KnowledgeGraph.corpus_stats`)."""
    notes, table = graph.note_table, graph.link_table
    by_id = dict(notes.headers())
    headers = list(by_id.values())
    by_kind = Counter(h[1].value for h in headers if is_note(h[1], h[2]))
    stubs = sum(1 for h in headers if h[2] and h[1] is not NoteKind.ATTACHMENT)
    attachments = Counter(h[2] for h in headers if h[1] is NoteKind.ATTACHMENT)
    written = {k.value for k in WRITTEN_LINKS}
    unresolved = sum(
        1
        for note_id, header in notes.headers()
        if header[2]
        for index in table.into[note_id]
        if table.kind(index) in written
    )
    diagnostics = graph.diagnostics
    codes = Counter(d.code for d in diagnostics if d.code)
    return CorpusStats(
        files=graph.files,
        notes=sum(by_kind.values()),
        stubs=stubs,
        links=len(table),
        notes_by_kind=dict(sorted(by_kind.items())),
        links_by_kind=table.kind_counts(),
        warnings=sum(1 for d in diagnostics if d.severity is Severity.WARNING),
        errors=sum(1 for d in diagnostics if d.severity is Severity.ERROR),
        truncated=sum(1 for h in headers if h[3]),
        embedded=_embedded(graph, by_id),
        truncated_pages=codes["truncated"],
        merged_distinct=codes["merged"],
        merged_titles=codes["alias"],
        category_runs=codes["category-run"],
        category_guesses=codes["category-split"],
        untyped_pages=codes["untyped"],
        attachments=attachments[False],
        missing_attachments=attachments[True],
        tags=len(tag_counts(graph)),
        unresolved=unresolved,
    )


def stats_key(graph: KnowledgeGraph) -> tuple[Any, ...]:
    """What `corpus_stats` counts that can change in a graph's life (its notes and links
    never do): the diagnostics and the vectors attached."""
    store = graph.embeddings
    return (len(graph.diagnostics), graph.files, id(store), getattr(store, "count", None))


def same_counts(stats: CorpusStats, graph: KnowledgeGraph) -> bool:
    """Whether `stats`, counted for a graph of the same files, hold for `graph` too: the
    same problems and the same notes with vectors (the rest follows from the files)."""
    diagnostics = graph.diagnostics
    return (
        stats.files == graph.files
        and stats.warnings == sum(1 for d in diagnostics if d.severity is Severity.WARNING)
        and stats.errors == sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        and stats.embedded == _embedded(graph, dict(graph.note_table.headers()))
    )


def _embedded(graph: KnowledgeGraph, headers: dict[str, Any]) -> int:
    """The notes and stubs with a vector: the nodes `notes` and `stubs` count (categories
    and tags have vectors too, but are not among those figures)."""
    store = graph.embeddings
    if store is None:
        return 0
    counted = 0
    for note_id in store.ids_with_vectors:
        header = headers.get(note_id)
        if header is None:
            continue
        kind, stub = header[1], header[2]
        if is_note(kind, stub) or (stub and kind is not NoteKind.ATTACHMENT):
            counted += 1
    return counted


def tag_counts(graph: KnowledgeGraph) -> dict[str, int]:
    """Each tag with the nodes carrying it or a tag nested under it: how many
    `g.notes(tag=...)` finds (see `KnowledgeGraph.tags`). A Markdown note's #tags and a
    paper page's tags count alike, as the filter finds both; a tag is named as its #tag
    node is titled, else as first written."""
    names = {
        tag_key(header[0]): header[0]
        for _, header in graph.note_table.headers()
        if header[1] is NoteKind.TAG
    }
    counts: Counter[str] = Counter()
    for _, tags in graph.note_table.tag_lists():
        keys: set[str] = set()
        for tag in tags:
            for name in tag_names(tag):
                key = name.casefold()
                keys.add(key)
                names.setdefault(key, "#" + name)
        counts.update(keys)
    named = {names[key]: counts[key] for key in names}
    return dict(sorted(named.items(), key=lambda item: (-item[1], item[0].casefold())))


def hops_words(stats: NoteStats) -> str:
    """The two link figures of `stats` as `kg show` and `kg stats` word them: what each
    counts, the page's own terms first.

    >>> hops_words(NoteStats(19, 54, 0.19, "moderate cluster", 3))
    '19 direct connections (3 of them stubs) · 54 in 2-hop network (those and 35 more two links away; categories and tags not counted)'
    """
    stubs = f" ({stats.stubs} of them stubs)" if stats.stubs else ""
    more = stats.two_hop - stats.direct
    return (
        f"{stats.direct} direct connections{stubs} · {stats.two_hop} in 2-hop network "
        f"(those and {more} more two links away; categories and tags not counted)"
    )
