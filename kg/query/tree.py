"""The evidence tree of a claim: cited notes first, then declared sources ranked by a
scorer, then, recursively, their own sources and papers, never walking a cycle."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.model import Link, Note, NoteKind
from kg.query.candidates import best_text, cited_in, declared_sources, papers_of
from kg.query.claims import (
    DEFAULT_THRESHOLD,
    Claim,
    Evidence,
    Ranked,
    Scorer,
    claims,
    select_claim,
)
from kg.query.fusion import default_scorer
from kg.query.kept import trace_kept_first
from kg.query.remembered import ranked_once

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

EVERY = 1 << 30  # "keep every ranked candidate" (evidence_of's per_level)


def trace(
    graph: KnowledgeGraph,
    note: str | Note,
    claim: int | str | None = None,
    depth: int = 3,
    scorer: Scorer | None = None,
    threshold: float | None = None,
    per_level: int = 5,
) -> Evidence:
    """The evidence tree of one claim of `note`.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : str or Note
        The note, or its title or id.
    claim : int or str, optional
        The claim (see `kg.query.claims.select_claim`); None traces the one-line claim and
        then adds every body sentence with its top evidence as further children.
    depth : int
        How many links deep to follow sources.
    scorer : Scorer, optional
        How to rank candidates. If None: with ``embedder: hybrid``, the transformer's
        vectors the index keeps, else (one text the trace compares is not kept) the stored
        static vectors, for the whole trace (`kg.query.kept`); otherwise
        `default_scorer(graph)`.
    threshold : float, optional
        Below it a claim is unsupported (kg.yaml's `unsupported_threshold`, else the
        scorer's default, if None).
    per_level : int
        How many ranked sources to keep at the first level (fewer deeper down).

    Returns
    -------
    Evidence
        The root (kind 'claim'); its `vectors` says which vectors ranked the trace when
        kg chose ('transformer' or 'static'; '' when given a scorer or with no choice).

    Raises
    ------
    NoteNotFound
        No note has that title or id.
    InvalidArgument
        `claim` is a number or a text of no claim the note makes (the message lists them).

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> tree = trace(g, "l", claim=1)
    >>> [(e.kind, e.note.id, e.score) for e in tree.children], tree.unsupported
    ([('cited', 'c', 1.0)], False)
    """
    target = graph.note(note)
    chosen = select_claim(graph, target, claim)
    if scorer is None:  # the transformer's kept vectors, else the static ones
        tree = trace_kept_first(
            graph,
            lambda chosen_scorer: _trace(
                graph, target, chosen, claim, depth, chosen_scorer, threshold, per_level
            ),
        )
        if tree is not None:
            return tree
    scorer = scorer or default_scorer(graph)
    return _trace(graph, target, chosen, claim, depth, scorer, threshold, per_level)


def _trace(
    graph: KnowledgeGraph,
    target: Note,
    chosen: Claim,
    claim: int | str | None,
    depth: int,
    scorer: Scorer,
    threshold: float | None,
    per_level: int,
) -> Evidence:
    """`trace` with its scorer chosen."""
    threshold = threshold_for(graph, threshold, scorer)
    children = evidence_of(graph, target, chosen, depth, scorer, {target.id}, per_level)
    every = evidence_of(graph, target, chosen, 1, scorer, {target.id}, EVERY)
    root = _node("claim", chosen.text, children, threshold, target, _best(every))
    if claim is None and not target.claim:
        # A note without a one-line claim is traced from its description or title: not a
        # claim the note makes, so never called unsupported (nor does the lint check it).
        root = dataclasses.replace(root, unsupported=False)
    if claim is not None:
        keep_embedded(graph)
        return root
    sentences = []
    for item in claims(graph, target):
        if item.kind != "sentence":
            continue
        # Held against the threshold: the best of every candidate, as `kg trace
        # --unsupported` holds it (the ranking's first may support it less than another).
        top = evidence_of(graph, target, item, 1, scorer, {target.id}, EVERY)
        sentences.append(
            _node("sentence", item.text, tuple(top[:1]), threshold, target, _best(top))
        )
    keep_embedded(graph)
    return Evidence(
        root.kind,
        root.text,
        root.score,
        target,
        children=root.children + tuple(sentences),
        unsupported=root.unsupported,
    )


def keep_embedded(graph: KnowledgeGraph) -> None:
    """Save the vectors this trace embedded (`graph.lazy_vectors`, when it keeps them in
    the index folder) so the next run need not embed them; a failure to save leaves them
    unsaved and the trace unharmed (`kg trace` retries and says why)."""
    save = getattr(graph.lazy_vectors, "save", None)
    if save is None:
        return
    with contextlib.suppress(OSError, KgError):
        save()


def _best(evidence: Iterable[Evidence]) -> float:
    """The best support among `evidence` (body sentences aside), 0.0 for none."""
    return max((e.support for e in evidence if e.kind != "sentence"), default=0.0)


def _node(
    kind: str,
    text: str,
    children: tuple[Evidence, ...],
    threshold: float,
    note: Note,
    best: float = 0.0,
) -> Evidence:
    """A claim's node: its score the best support of its children or `best` (that of
    every candidate, of which the children are the first few), unsupported below
    `threshold`."""
    best = max(best, _best(children))
    return Evidence(kind, text, best, note, children=children, unsupported=best < threshold)


def threshold_for(graph: KnowledgeGraph, threshold: float | None, scorer: Scorer) -> float:
    """The explicit threshold, else kg.yaml's `unsupported_threshold`, else the scorer's default."""
    if threshold is not None:
        return threshold
    configured = getattr(getattr(graph, "config", None), "unsupported_threshold", None)
    if configured is not None:
        return float(configured)
    return float(getattr(scorer, "default_threshold", DEFAULT_THRESHOLD))


def evidence_of(
    graph: KnowledgeGraph,
    note: Note,
    claim: Claim | str,
    depth: int,
    scorer: Scorer,
    visited: set[str],
    per_level: int,
    shares: bool = True,
) -> tuple[Evidence, ...]:
    """What supports one claim of `note`: cited notes, ranked sources, ranked papers.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : Note
        The note the claim is of (or a source, for the deeper levels).
    claim : Claim or str
        The claim.
    depth : int
        How many links deep to go (nothing at 0).
    scorer : Scorer
        How to rank candidates.
    visited : set of str
        Note ids on the path so far, never walked again.
    per_level : int
        How many ranked sources to keep.
    shares : bool
        Give ranked evidence its share of the fused ranking as its score (the claim's own
        evidence); False, deeper down, gives its cosine instead (see `Evidence.score`).

    Returns
    -------
    tuple of Evidence
    """
    if depth <= 0:
        return ()
    text = claim.text if isinstance(claim, Claim) else claim
    out: list[Evidence] = []
    cited = [n for n in cited_in(graph, note, text) if n.id not in visited]
    sources = declared_sources(graph, note)
    by_id = {c.note.id: c for c in sources}
    for other in cited:
        candidate = by_id.get(other.id)
        quote = candidate.text if candidate else best_text(other)
        link = candidate.link if candidate else None
        children = _deeper(graph, other, quote, depth - 1, scorer, visited | {other.id}, per_level)
        out.append(Evidence("cited", quote, 1.0, other, link, _label(link), children))
    rest = [
        c for c in sources if c.note.id not in visited and c.note.id not in {n.id for n in cited}
    ]
    if rest:
        for place, found in enumerate(ranked_once(scorer, graph, claim, rest)[:per_level], start=1):
            candidate = rest[found.index]
            children = _deeper(
                graph,
                candidate.note,
                candidate.text,
                depth - 1,
                scorer,
                visited | {candidate.note.id},
                per_level,
            )
            score, cosine = _scores(found, shares)
            out.append(
                Evidence(
                    candidate.kind,
                    candidate.text,
                    score,
                    candidate.note,
                    candidate.link,
                    _label(candidate.link),
                    children,
                    cosine=cosine,
                    parts=found.parts,
                    rank=place,
                )
            )
    if note.kind is not NoteKind.LINE:
        cited_ids = {n.id for n in cited}
        papers = [
            c
            for c in papers_of(graph, note)
            if c.note.id not in visited and c.note.id not in cited_ids
        ]
        if papers and depth >= 1:
            best = ranked_once(scorer, graph, claim, papers)[: max(1, per_level // 2)]
            for place, found in enumerate(best, start=1):
                candidate = papers[found.index]
                score, cosine = _scores(found, shares)
                out.append(
                    Evidence(
                        "paper",
                        candidate.note.title,
                        score,
                        candidate.note,
                        candidate.link,
                        cosine=cosine,
                        parts=found.parts,
                        rank=place,
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
    return evidence_of(
        graph, note, text, depth, scorer, visited, max(2, per_level - 2), shares=False
    )


def _scores(found: Ranked, shares: bool) -> tuple[float, float | None]:
    """A ranked evidence's (score, cosine): its share of the fused ranking and its cosine
    (None when the score is the cosine already, as a single scorer gives it); without
    `shares`, deeper down, the cosine is the score (see `Evidence.score`)."""
    score, cosine = round(found.score, 4), round(found.cosine, 4)
    if found.parts and not shares:  # a share among a source's own sources says nothing
        return cosine, None
    return score, None if found.cosine == found.score else cosine


def _label(link: Link | None) -> str:
    return link.label if link is not None else ""
