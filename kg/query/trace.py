"""Trace claims back to their sources: what a claim rests on, down to papers, with quotes.

A claim is the note's one-line claim ("Original note title"), one sentence of its body,
or one source summary of an inquiring line. Its evidence is, in order:

- cited: notes whose titles stand in the claim's own sentence (score 1.0);
- source: the note's declared sources (an inquiring line's source list, a synthesis
  note's related concepts), ranked by how well their text supports the claim;
- then, recursively, each source's own sources, related concepts and papers (papers are
  leaves), to a depth, never walking a cycle.

Scores come from the stored embeddings when the corpus has them, else from word overlap.

>>> from kg.model import Link, LinkKind, Note, NoteKind, Paragraph, SourceEntry
>>> line = Note(id="l", title="Why do votes win?", kind=NoteKind.LINE,
...             body=(Paragraph("In Can crowds beat experts in chess?, errors cancel out.", 1),),
...             sources=(SourceEntry("Can crowds beat experts in chess?", "errors cancel", 2),))
>>> crowd = Note(id="c", title="Can crowds beat experts in chess?", kind=NoteKind.SYNTHESIS,
...              claim="crowds cancel individual errors")
>>> from kg.graph.knowledge import KnowledgeGraph
>>> g = KnowledgeGraph({"l": line, "c": crowd}, [
...     Link("l", "c", LinkKind.SOURCE, order=1, summary="errors cancel"),
...     Link("l", "c", LinkKind.MENTIONS, sentence=line.body[0].text)])
>>> tree = trace(g, "l", claim=1)
>>> tree.text, [(e.kind, e.note.title, e.score) for e in tree.children]
('In Can crowds beat experts in chess?, errors cancel out.', [('cited', 'Can crowds beat experts in chess?', 1.0)])
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from kg.errors import KgError, ModelUnavailable
from kg.model import NOT_NOTES, Link, LinkKind, Note, NoteKind
from kg.text import fold, split_sentences

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

DEFAULT_THRESHOLD = 0.35


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim of a note: its position, kind ('claim', 'sentence', 'summary') and text."""

    note_id: str
    index: int  # 0 is the one-line claim; body sentences and summaries follow in order
    kind: str
    text: str
    field_index: int  # position among the note's texts of this kind (for stored vectors)
    line: int = 0


@dataclass(frozen=True)
class Evidence:
    """A node of a trace tree: a claim at the root, then what supports it."""

    kind: str  # 'claim', 'sentence', 'cited', 'source', 'related', 'paper'
    text: str  # the claim, or the quoted text that supports it
    score: float
    note: Note | None = None
    link: Link | None = None
    label: str = ""  # relation label, for related concepts
    children: tuple[Evidence, ...] = ()
    unsupported: bool = False

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Evidence]]:
        """Every node of the tree with its depth, parents before children."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass(frozen=True)
class Use:
    """A claim somewhere in the corpus that rests on a note, `depth` links away."""

    note: Note
    claim: str
    kind: str  # how it rests on it: 'cited', 'source', 'related', 'paper', 'uses'
    depth: int
    via: Note | None = None


class Scorer(Protocol):
    default_threshold: float

    def score(
        self, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
    ) -> list[float]: ...


@dataclass(frozen=True)
class Candidate:
    """Something that may support a claim: a note and the text it would be quoted by."""

    note: Note
    text: str
    kind: str
    link: Link | None = None
    summary_of: tuple[str, int] | None = None  # (line id, summary index) when a summary


# ---------------------------------------------------------------- claims


def claims(graph: KnowledgeGraph, note: str | Note) -> list[Claim]:
    """A note's claims: its one-line claim (index 0), then each body sentence, then each
    source summary, numbered on from 1."""
    target = graph.note(note)
    found: list[Claim] = []
    if target.claim:
        found.append(Claim(target.id, 0, "claim", target.claim, 0))
    texts: list[tuple[str, str, int, int]] = []  # (kind, text, field index, line)
    for paragraph in target.body:
        for _, _, sentence in split_sentences(paragraph.text):
            texts.append(("sentence", sentence, len(texts), paragraph.line))
    for position, source in enumerate(target.sources):
        if source.summary:
            texts.append(("summary", source.summary, position, source.line))
    for number, (kind, text, field_index, line) in enumerate(texts, start=1):
        found.append(Claim(target.id, number, kind, text, field_index, line))
    return found


def _select(graph: KnowledgeGraph, note: Note, claim: int | str | None) -> Claim:
    every = claims(graph, note)
    if claim is None:
        if every and every[0].kind == "claim":
            return every[0]
        text = note.description or note.title
        return Claim(note.id, 0, "claim", text, 0)
    if isinstance(claim, int):
        for item in every:
            if item.index == claim:
                return item
        raise KgError(
            f"{note.title!r} has no claim {claim}; it has claims "
            f"{', '.join(str(c.index) for c in every) or 'none'} (see `kg trace "
            f"TITLE` for the list)"
        )
    wanted = fold(claim).casefold().strip()
    for item in every:
        if fold(item.text).casefold().strip() == wanted:
            return item
    for item in every:
        if wanted in fold(item.text).casefold():
            return item
    return Claim(note.id, -1, "claim", claim, 0)


# ---------------------------------------------------------------- scoring


_WORD = re.compile(r"[a-z0-9][a-z0-9-]+")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "as",
        "at",
        "from",
        "than",
        "then",
        "not",
        "but",
        "can",
        "does",
        "do",
        "why",
        "what",
        "how",
        "when",
        "which",
        "who",
        "into",
        "over",
        "under",
        "more",
        "most",
        "less",
        "rather",
        "only",
        "just",
        "their",
        "they",
        "them",
        "there",
        "here",
        "such",
    ]
)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text).lower()) if w not in _STOP]


class LexicalScorer:
    """TF-IDF cosine of words, IDF from every note text of the corpus (computed once per
    graph): the ranking without embeddings, and the lexical half of the hybrid one."""

    default_threshold = 0.12

    def score(
        self, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
    ) -> list[float]:
        idf = document_frequencies(graph)
        query = _weighted(words(claim.text if isinstance(claim, Claim) else claim), idf)
        return [
            _cosine(query, _weighted(words(c.text + " " + c.note.title), idf)) for c in candidates
        ]


def document_frequencies(graph: KnowledgeGraph) -> tuple[dict[str, float], float]:
    """IDF weights of the corpus's words (cached on the graph) and the weight of unseen ones."""
    cached = getattr(graph, "_trace_idf", None)
    if cached is not None:
        return cached
    counts: dict[str, int] = {}
    documents = 0
    for note in graph.notes(stubs=False):
        texts = [
            note.title,
            note.description,
            note.claim,
            *(p.text for p in note.body),
            *(s.summary for s in note.sources),
        ]
        for text in texts:
            if not text:
                continue
            documents += 1
            for word in set(words(text)):
                counts[word] = counts.get(word, 0) + 1
    idf = {w: math.log((documents + 1) / (n + 0.5)) for w, n in counts.items()}
    result = (idf, math.log((documents + 1) / 0.5))
    graph._trace_idf = result  # type: ignore[attr-defined]
    return result


def _weighted(tokens: list[str], idf: tuple[dict[str, float], float]) -> dict[str, float]:
    weights, unseen = idf
    out: dict[str, float] = {}
    for token in tokens:
        out[token] = out.get(token, 0.0) + weights.get(token, unseen)
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


class EmbeddingScorer:
    """Cosine similarity of stored vectors: the claim's own vector against each candidate's
    (a source summary's vector, or the candidate note's vector)."""

    default_threshold = DEFAULT_THRESHOLD

    def __init__(self, store: Any) -> None:
        self.store = store

    def claim_vector(self, claim: Claim | str) -> np.ndarray | None:
        if isinstance(claim, Claim) and claim.index >= 0:
            field_name = {"claim": "claim", "sentence": "sentence", "summary": "summary"}[
                claim.kind
            ]
            stored = self.store.vectors_for(claim.note_id, field_name)
            if stored is not None and len(stored) > claim.field_index:
                return np.asarray(stored[claim.field_index], dtype=np.float32)
        text = claim.text if isinstance(claim, Claim) else claim
        return np.asarray(self.store.text_vector(text), dtype=np.float32)

    def candidate_vector(self, candidate: Candidate) -> np.ndarray | None:
        if candidate.summary_of is not None:
            line_id, position = candidate.summary_of
            stored = self.store.vectors_for(line_id, "summary")
            if stored is not None and len(stored) > position:
                return np.asarray(stored[position], dtype=np.float32)
        vector = self.store.note_vector(candidate.note.id)
        return None if vector is None else np.asarray(vector, dtype=np.float32)

    def score(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        query: np.ndarray | None = None,
    ) -> list[float]:
        if query is None:
            query = self.claim_vector(claim)
        scores = []
        for candidate in candidates:
            vector = self.candidate_vector(candidate)
            scores.append(0.0 if query is None or vector is None else float(query @ vector))
        return scores


class HybridScorer(EmbeddingScorer):
    """Embedding similarity fused with TF-IDF word overlap by reciprocal rank, so both the
    meaning of a claim and the rare words it shares with a source count. The order is
    fused; the score reported (and held against the threshold) stays the cosine."""

    fusion_k = 3.0

    def rank(
        self,
        graph: KnowledgeGraph,
        claim: Claim | str,
        candidates: Sequence[Candidate],
        query: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        dense = self.score(graph, claim, candidates, query)
        sparse = LexicalScorer().score(graph, claim, candidates)
        fused = [0.0] * len(candidates)
        for scores in (dense, sparse):
            for position, i in enumerate(_order(scores)):
                fused[i] += 1.0 / (self.fusion_k + position)
        return [(i, dense[i]) for i in _order(fused)]


def _order(scores: Sequence[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def rank(
    scorer: Scorer, graph: KnowledgeGraph, claim: Claim | str, candidates: Sequence[Candidate]
) -> list[tuple[int, float]]:
    """Candidates best first, as (index, score): the scorer's own ranking if it has one."""
    own = getattr(scorer, "rank", None)
    if own is not None:
        return own(graph, claim, candidates)
    scores = scorer.score(graph, claim, candidates)
    return [(i, scores[i]) for i in _order(scores)]


def default_scorer(graph: KnowledgeGraph) -> Scorer:
    """The stored vectors fused with words when the graph has them; else vectors embedded
    for just this trace when `kg.load(embed="lazy")` set that up and the model loads; else
    words alone. The CLI and the browser both trace through here, so they rank alike."""
    store = graph.embeddings
    if store is not None and int(store.count) > 0:
        return HybridScorer(store)
    lazy = graph.lazy_vectors
    if lazy is not None:
        try:
            lazy.ready()
        except ModelUnavailable:
            return LexicalScorer()
        return HybridScorer(lazy)
    return LexicalScorer()


# ---------------------------------------------------------------- candidates


def cited_in(graph: KnowledgeGraph, note: Note, text: str) -> list[Note]:
    """Notes whose titles stand in `text`, among those `note` links to (in text order)."""
    folded = fold(text)
    found: list[tuple[int, Note]] = []
    seen: set[str] = set()
    for link in graph.links_of(note, "out"):
        if link.target in seen or link.kind in (LinkKind.CATEGORY, LinkKind.TAGGED):
            continue
        other = graph.note(link.target)
        position = folded.find(fold(other.title))
        if position >= 0:
            seen.add(other.id)
            found.append((position, other))
    return [n for _, n in sorted(found, key=lambda item: item[0])]


def declared_sources(graph: KnowledgeGraph, note: Note) -> list[Candidate]:
    """A note's declared sources: a line's source list, a note's related concepts."""
    out: list[Candidate] = []
    seen: set[str] = set()
    for link in graph.links_of(note, "out", kinds=[LinkKind.SOURCE, LinkKind.RELATED]):
        if link.target in seen:
            continue
        seen.add(link.target)
        other = graph.note(link.target)
        if link.kind is LinkKind.SOURCE:
            position = (link.order or 1) - 1
            summary_of = (note.id, position) if link.summary else None
            text = link.summary or _best_text(other)
            out.append(Candidate(other, text, "source", link, summary_of))
        else:
            text = " ".join(t for t in (link.annotation, other.description) if t) or _best_text(
                other
            )
            out.append(Candidate(other, text, "related", link))
    return out


def papers_of(graph: KnowledgeGraph, note: Note) -> list[Candidate]:
    return [
        Candidate(
            graph.note(link.target),
            graph.note(link.target).description or graph.note(link.target).title,
            "paper",
            link,
        )
        for link in sorted(
            graph.links_of(note, "out", kinds=LinkKind.PAPER), key=lambda lk: lk.order or 0
        )
    ]


def _best_text(note: Note) -> str:
    return note.claim or note.description or note.title


# ---------------------------------------------------------------- tracing


def trace(
    graph: KnowledgeGraph,
    note: str | Note,
    claim: int | str | None = None,
    depth: int = 3,
    scorer: Scorer | None = None,
    threshold: float | None = None,
    per_level: int = 5,
) -> Evidence:
    """The evidence tree of one claim of `note` (its one-line claim when `claim` is None,
    and then every body sentence with its top evidence as further children)."""
    target = graph.note(note)
    scorer = scorer or default_scorer(graph)
    threshold = _threshold(graph, threshold, scorer)
    chosen = _select(graph, target, claim)
    children = _evidence(graph, target, chosen, depth, scorer, {target.id}, per_level)
    root = _node("claim", chosen.text, children, threshold, target)
    if claim is not None:
        return root
    sentences = []
    for item in claims(graph, target):
        if item.kind != "sentence":
            continue
        top = _evidence(graph, target, item, 1, scorer, {target.id}, 1)
        sentences.append(_node("sentence", item.text, tuple(top[:1]), threshold, target))
    return Evidence(
        root.kind,
        root.text,
        root.score,
        target,
        children=root.children + tuple(sentences),
        unsupported=root.unsupported,
    )


def _node(
    kind: str, text: str, children: tuple[Evidence, ...], threshold: float, note: Note
) -> Evidence:
    best = max((c.score for c in children if c.kind != "sentence"), default=0.0)
    return Evidence(kind, text, best, note, children=children, unsupported=best < threshold)


def _threshold(graph: KnowledgeGraph, threshold: float | None, scorer: Scorer) -> float:
    """The explicit threshold, else kg.yaml's `unsupported_threshold`, else the scorer's."""
    if threshold is not None:
        return threshold
    configured = getattr(getattr(graph, "config", None), "unsupported_threshold", None)
    if configured is not None:
        return float(configured)
    return float(getattr(scorer, "default_threshold", DEFAULT_THRESHOLD))


def _evidence(
    graph: KnowledgeGraph,
    note: Note,
    claim: Claim | str,
    depth: int,
    scorer: Scorer,
    visited: set[str],
    per_level: int,
) -> tuple[Evidence, ...]:
    if depth <= 0:
        return ()
    text = claim.text if isinstance(claim, Claim) else claim
    out: list[Evidence] = []
    cited = [n for n in cited_in(graph, note, text) if n.id not in visited]
    sources = declared_sources(graph, note)
    by_id = {c.note.id: c for c in sources}
    for other in cited:
        candidate = by_id.get(other.id)
        quote = candidate.text if candidate else _best_text(other)
        link = candidate.link if candidate else None
        children = _deeper(graph, other, quote, depth - 1, scorer, visited | {other.id}, per_level)
        out.append(Evidence("cited", quote, 1.0, other, link, _label(link), children))
    rest = [
        c for c in sources if c.note.id not in visited and c.note.id not in {n.id for n in cited}
    ]
    if rest:
        for i, score in rank(scorer, graph, claim, rest)[:per_level]:
            candidate = rest[i]
            children = _deeper(
                graph,
                candidate.note,
                candidate.text,
                depth - 1,
                scorer,
                visited | {candidate.note.id},
                per_level,
            )
            out.append(
                Evidence(
                    candidate.kind,
                    candidate.text,
                    round(score, 4),
                    candidate.note,
                    candidate.link,
                    _label(candidate.link),
                    children,
                )
            )
    if note.kind is not NoteKind.LINE:
        papers = [c for c in papers_of(graph, note) if c.note.id not in visited]
        if papers and depth >= 1:
            for i, score in rank(scorer, graph, claim, papers)[: max(1, per_level // 2)]:
                candidate = papers[i]
                out.append(
                    Evidence(
                        "paper",
                        candidate.note.title,
                        round(score, 4),
                        candidate.note,
                        candidate.link,
                    )
                )
    return tuple(out)


def _deeper(
    graph: KnowledgeGraph,
    note: Note,
    text: str,
    depth: int,
    scorer: Scorer,
    visited: set[str],
    per_level: int,
) -> tuple[Evidence, ...]:
    """A source's own evidence, ranked against the text it was quoted by."""
    if depth <= 0 or note.kind is NoteKind.PAPER:
        return ()
    return _evidence(graph, note, text, depth, scorer, visited, max(2, per_level - 2))


def _label(link: Link | None) -> str:
    return link.label if link is not None else ""


# ---------------------------------------------------------------- reverse and lint


def used_by(graph: KnowledgeGraph, note: str | Note, depth: int = 2) -> list[Use]:
    """Claims across the corpus that rest on `note`, nearest first (how far it reaches)."""
    start = graph.note(note)
    uses: list[Use] = []
    frontier = [start]
    seen = {start.id}
    kinds = [
        LinkKind.MENTIONS,
        LinkKind.LINKS,
        LinkKind.EMBEDS,
        LinkKind.SOURCE,
        LinkKind.RELATED,
        LinkKind.PAPER,
        LinkKind.USES,
    ]
    for level in range(1, depth + 1):
        reached: list[Note] = []
        for current in frontier:
            for link in graph.backlinks(current, kinds=kinds):
                other = graph.note(link.source)
                if other.id == start.id:
                    continue
                claim = _claim_for(link, other)
                uses.append(
                    Use(other, claim, _use_kind(link), level, current if level > 1 else None)
                )
                if other.id not in seen:
                    seen.add(other.id)
                    reached.append(other)
        frontier = reached
    unique: dict[tuple[str, str, int], Use] = {}
    for use in uses:
        unique.setdefault((use.note.id, use.claim, use.depth), use)
    return list(unique.values())


def _claim_for(link: Link, other: Note) -> str:
    if link.kind in (LinkKind.MENTIONS, LinkKind.LINKS, LinkKind.EMBEDS) and link.sentence:
        return link.sentence
    if link.kind is LinkKind.SOURCE and link.summary:
        return link.summary
    return other.claim or other.description or other.title


def _use_kind(link: Link) -> str:
    return {
        LinkKind.MENTIONS: "cited",
        LinkKind.LINKS: "linked",
        LinkKind.EMBEDS: "embedded",
        LinkKind.SOURCE: "source",
        LinkKind.RELATED: "related",
        LinkKind.PAPER: "paper",
        LinkKind.USES: "uses",
    }[link.kind]


@dataclass(frozen=True)
class Unsupported:
    """A claim whose best evidence scores below the threshold."""

    note: Note
    claim: Claim
    best: float
    evidence: Evidence | None = field(default=None, compare=False)


def unsupported_claims(
    graph: KnowledgeGraph, threshold: float | None = None, scorer: Scorer | None = None
) -> list[Unsupported]:
    """Every claim in the corpus (of notes with pages) whose best evidence is too weak."""
    scorer = scorer or default_scorer(graph)
    limit = _threshold(graph, threshold, scorer)
    found: list[Unsupported] = []
    for note in graph.notes(stubs=False):
        if note.kind in (NoteKind.PAPER, NoteKind.TOPIC, NoteKind.HUB) or note.kind in NOT_NOTES:
            continue
        for item in claims(graph, note):
            top = _evidence(graph, note, item, 1, scorer, {note.id}, 3)
            best = max((e.score for e in top), default=0.0)
            if best < limit:
                found.append(Unsupported(note, item, best, top[0] if top else None))
    return found
