"""The parts of the `kg` API the browser uses beyond the core graph, behind small adapters.

Near notes, hybrid search, claim tracing and GraphML export come from `KnowledgeGraph`
methods (`near`, `search`, `claims`, `trace`, `subgraph`). Each adapter here turns their
results into plain rows for the widgets, and raises `Unavailable` with a sentence a
person can act on when the corpus or the installed kg cannot answer.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg import Claim, Embedder, Evidence, KnowledgeGraph
from kg import TitleIndex as TitleIndex  # title completion: the ranking search shares
from kg.errors import KgError
from kg.model import Note


class Unavailable(Exception):
    """A feature cannot answer here; the message says why and what to do."""


# ---------------------------------------------------------------- opening


def open_graph(
    corpus: str | Path,
    index: str | Path | None = None,
    config: str | Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    embedder: Embedder | None = None,
) -> KnowledgeGraph:
    """Open a corpus for browsing: the index as it is, with the vectors already stored.

    Embeds only the texts that changed since the vectors were stored (none, unless files
    were edited since), with `embedder` or the configured model: near notes use the stored
    vectors, and otherwise only a free-text search by meaning loads the model, the first
    time it needs it.
    """
    import kg

    # The policy every client opens with: stored vectors, and where there are none, a trace
    # embeds just the texts it compares (so it ranks as `kg trace` does).
    graph = kg.load(
        corpus, index=index, config=config, progress=progress, embed="lazy", embedder=embedder
    )
    # The graph lives as long as the app: move it out of the garbage collector's sight,
    # so full collections do not walk its objects again and again while the app redraws.
    gc.freeze()
    return graph


# ---------------------------------------------------------------- near and search


@dataclass(frozen=True)
class NearRow:
    note: Note
    score: float
    linked: bool
    vectors: str = ""  # which vectors ranked it (static, or the model's whole-note ones)


@dataclass(frozen=True)
class SearchRow:
    note: Note
    score: float  # 0 to 1, as `kg search` shows it
    snippet: str
    matched: str
    match_kind: str = ""  # title, words or meaning
    marks: tuple[tuple[int, int], ...] = ()  # the snippet's matched words


def near(graph: KnowledgeGraph, note: Note, k: int = 20) -> list[NearRow]:
    """The notes nearest (`g.near`: meaning, words and links fused into a 0-1 score), with
    their scores and whether a link joins them."""
    if graph.embeddings is None:
        raise Unavailable(
            "No vectors in this index yet, so there is nothing to rank by meaning. The "
            "browser computes them in the background a few seconds after it opens a folder "
            "(`kg index` computes them too); the list fills in once they are there."
        )
    try:
        found = graph.near(note, k=k)
    except KgError as error:
        raise Unavailable(str(error)) from error
    return [NearRow(hit.note, float(hit.score), hit.linked, hit.vectors) for hit in found]


WHOLE_NOTE = " (whole-note vectors)"  # meaning by the model's vectors of whole notes


def search(graph: KnowledgeGraph, text: str, k: int = 20) -> tuple[list[SearchRow], str]:
    """`KnowledgeGraph.search`'s hits as rows, in its order (so the browser ranks a query
    as `kg search` and the API do), and a note on how they were found. kg returns only
    notes that match, so a nonsense query lists none."""
    how = "hybrid search" if graph.embeddings is not None else "search by words"
    try:
        hits = graph.search(text, k=k)
    except KgError as error:
        # The model could not be loaded: words still find notes.
        try:
            hits = graph.search(text, k=k, semantic=False)
        except KgError as again:
            raise Unavailable(str(again)) from again
        how = f"by words only ({error})"
    rows = [
        SearchRow(
            hit.note,
            float(hit.score),
            hit.snippet or "",
            " + ".join(hit.matched),
            hit.match_kind,
            hit.marks,
        )
        for hit in hits
    ]
    if any("whole note" in hit.vectors for hit in hits):  # the upgrade, once it came
        how += WHOLE_NOTE
    return rows, how


# ---------------------------------------------------------------- claims and trace


@dataclass(frozen=True)
class ClaimRow:
    """One traceable statement of a note: the claim line, a body sentence, a source summary,
    numbered as `g.claims`, `kg trace --claims` and `kg trace --claim N` number them."""

    kind: str  # 'claim', 'body', 'source'
    text: str
    where: str  # its number, as `kg trace --claim N` takes it: '0 claim', '2', '14 source'
    raw: Claim | None = None  # what g.claims returned, handed back to g.trace

    @property
    def number(self) -> int | None:
        """The number `kg trace TITLE --claim N` takes for this statement."""
        return self.raw.index if self.raw is not None else None


@dataclass
class EvidenceNode:
    """One node of an evidence tree, in the shape the trace view draws."""

    kind: str  # 'claim', 'cited', 'source', 'related', 'paper'
    note_id: str | None
    title: str
    score: float | None
    quote: str
    children: list[EvidenceNode] = field(default_factory=list)
    label: str = ""  # relation label of a related concept
    unsupported: bool = False  # the best support scores under the corpus's threshold
    rank: int = 0  # place in the ranking of the claim's sources (0: cited, not ranked)
    parts: tuple[tuple[str, float], ...] = ()  # what the ranking fused, with values
    cosine: float | None = None  # best cosine, held against the threshold
    why: str = ""  # the words of the link followed to it: annotation, sentence or summary
    about: str = ""  # the note's own description, kept apart from the quote
    where: str = ""  # file:line of the link followed to it


def claims(graph: KnowledgeGraph, note: Note) -> list[ClaimRow]:
    """The statements of `note` that can be traced, each labelled by its number in
    `g.claims(note)` (what `kg trace --claims` lists and `kg trace --claim N` takes), the
    claim line and the source summaries also by what they are."""
    rows: list[ClaimRow] = []
    for item in graph.claims(note):
        if item.kind == "claim":
            rows.append(ClaimRow("claim", item.text, f"{item.index} claim", item))
        elif item.kind == "summary":
            rows.append(ClaimRow("source", item.text, f"{item.index} source", item))
        else:
            rows.append(ClaimRow("body", item.text, str(item.index), item))
    return rows


def trace(graph: KnowledgeGraph, note: Note, claim: ClaimRow, depth: int = 3) -> EvidenceNode:
    """The evidence tree of one statement of `note` (from `KnowledgeGraph.trace`)."""
    wanted: int | str = claim.raw.index if claim.raw is not None else claim.text
    try:
        result = graph.trace(note, claim=wanted, depth=depth)
    except KgError as error:
        raise Unavailable(str(error)) from error
    return _adapt(result, claim)


def _adapt(node: Evidence, claim: ClaimRow) -> EvidenceNode:
    quote = node.quote or (claim.text if node.kind == "claim" else "")  # annotation — text
    return EvidenceNode(
        kind=node.kind or "cited",
        note_id=node.note.id if node.note else None,
        title=node.note.title if node.note else "",
        score=None if node.score is None else float(node.score),
        quote=quote,
        children=[_adapt(child, claim) for child in node.children],
        label=node.label,
        unsupported=node.unsupported,
        rank=node.rank,
        parts=tuple(node.parts),
        cosine=node.cosine,
        why=_link_words(node, quote),
        about=node.note.description if node.note and node.note.description != quote else "",
        where=f"{node.link.file}:{node.link.line}" if node.link and node.link.file else "",
    )


def _link_words(node: Evidence, quote: str) -> str:
    link = node.link
    if link is None:
        return ""
    words = [w for w in (link.annotation, link.sentence, link.summary) if w and w != quote]
    return "\n".join(dict.fromkeys(words))


# ---------------------------------------------------------------- export


def export_graphml(graph: KnowledgeGraph, note: Note, depth: int, folder: Path) -> tuple[Path, str]:
    """Write the neighbourhood of `note` to FOLDER/<note id>.graphml; returns the path and
    a short description of what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{note.id}-depth{depth}.graphml"
    try:
        sub = graph.subgraph(around=[note], depth=depth)
        sub.to_graphml(path)
    except KgError as error:
        raise Unavailable(str(error)) from error
    except OSError as error:
        raise Unavailable(f"could not write {path}: {error.strerror or error}") from error
    return path, f"{len(sub)} notes, {len(sub.links)} links"
