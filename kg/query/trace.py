"""Trace claims back to their sources: what a claim rests on, down to papers, with quotes.

A claim is the note's one-line claim ("Original note title"), one sentence of its body,
or one source summary of an inquiring line. Its evidence is, in order:

- cited: notes whose titles stand in the claim's own sentence (score 1.0);
- source: the note's declared sources (an inquiring line's source list, a synthesis
  note's related concepts), ranked by how well their text supports the claim;
- then, recursively, each source's own sources, related concepts and papers (papers are
  leaves), to a depth, never walking a cycle.

With vectors, sources are ranked by `kg.query.fusion.FusedScorer` (best-match cosine over
every text of the source's note, fused with BM25); the score shown is the one the order
comes from. Without vectors, by TF-IDF word overlap.

The parts live by job: claims and candidates (`kg.query.claims`), scorers
(`kg.query.scorers`), the evidence tree (`kg.query.tree`), and used-by and the unsupported
claims lint (`kg.query.uses`); this module gathers their public names.

>>> from kg.graph.knowledge import crowd_example
>>> g, line = crowd_example()  # a line citing one note, as source and in its body
>>> tree = trace(g, "l", claim=1)
>>> tree.text, [(e.kind, e.note.title, e.score) for e in tree.children]
('In Can crowds beat experts in chess?, errors cancel out.', [('cited', 'Can crowds beat experts in chess?', 1.0)])
"""

from __future__ import annotations

from kg.query.candidates import cited_in, declared_sources, papers_of
from kg.query.claims import (
    DEFAULT_THRESHOLD,
    Candidate,
    Claim,
    Evidence,
    Ranked,
    Scorer,
    Use,
    claims,
)
from kg.query.fusion import FusedScorer, bm25, default_scorer, ranked
from kg.query.scorers import (
    EmbeddingScorer,
    HybridScorer,
    LexicalScorer,
    document_frequencies,
    rank,
    words,
)
from kg.query.tree import trace
from kg.query.uses import Unsupported, unsupported_claims, used_by

__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "Claim",
    "EmbeddingScorer",
    "Evidence",
    "FusedScorer",
    "HybridScorer",
    "LexicalScorer",
    "Ranked",
    "Scorer",
    "Unsupported",
    "Use",
    "bm25",
    "cited_in",
    "claims",
    "declared_sources",
    "default_scorer",
    "document_frequencies",
    "papers_of",
    "rank",
    "ranked",
    "trace",
    "unsupported_claims",
    "used_by",
    "words",
]
