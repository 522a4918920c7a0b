"""A late-interaction signal for the trace ranking, without the model: each word piece of
the claim matched to its closest word piece of a candidate's text, over kg's static token
table (`kg.embed.static.TokenTable`, the rows the static vectors average), and the
candidate's fused place combined with this signal's place by reciprocal rank.

A sentence vector averages its words away; matching piece by piece keeps which words of
the claim the candidate says, in whatever words. The closeness of a candidate is the mean,
over the claim's pieces weighted by their rows' lengths (the table scales rare pieces'
rows up), of each piece's best cosine to a piece of one of the candidate's texts (its
quoted text, description, claim, body sentences), the best text counting.

>>> reciprocal_rank_fusion([[0.9, 0.1, 0.5], [0.2, 0.8, 0.7]], 1.0).round(3).tolist()
[0.75, 0.75, 0.667]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


def token_table(graph: KnowledgeGraph) -> Any | None:
    """The static token table of the graph's model when it is already distilled (never
    distilled here: a trace does not wait for it), else None; read once per graph."""
    if hasattr(graph, "_trace_token_table"):
        return graph._trace_token_table
    table = None
    try:
        from dataclasses import replace

        from kg.config import Config
        from kg.embed.choose import load_embedder

        config = graph.config if isinstance(graph.config, Config) else Config()
        embedder = load_embedder(replace(config, embedder="static"))
        if getattr(embedder, "cached", False):
            table = embedder.model  # type: ignore[attr-defined]
    except Exception:  # no model package, no tokenizers: the trace ranks without it
        table = None
    graph._trace_token_table = table  # type: ignore[attr-defined]
    return table


def _ids(table: Any, text: str, kept: dict[str, np.ndarray]) -> np.ndarray:
    """The distinct word pieces of `text` (the unknown one left out), kept per text."""
    found = kept.get(text)
    if found is None:
        ids = table.tokenizer.encode(text, add_special_tokens=False).ids
        found = np.unique(np.array([t for t in ids if t != table.unknown], dtype=np.int64))
        kept[text] = found
    return found


def _unit(table: Any, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table's rows `ids` scaled to length 1, and their lengths (only the rows a
    match reads: the whole table is not scaled)."""
    rows = np.asarray(table.table[ids], dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1)
    return rows / np.maximum(norms, 1e-9)[:, None], norms


def token_match(
    graph: KnowledgeGraph, text: str, candidates: Sequence[Sequence[str]]
) -> list[float] | None:
    """Each candidate's closeness to `text` piece by piece (see the module), given each
    candidate's texts, or None when the graph has no static token table at hand."""
    table = token_table(graph)
    if table is None or not text:
        return None
    kept: dict[str, np.ndarray] = getattr(graph, "_trace_pieces", {})
    graph._trace_pieces = kept  # type: ignore[attr-defined]
    ids = table.tokenizer.encode(text, add_special_tokens=False).ids
    query_ids = np.array([t for t in ids if t != table.unknown], dtype=np.int64)
    if not len(query_ids):
        return None
    query, weight = _unit(table, query_ids)
    if weight.sum() <= 0:
        return None
    weight = weight / weight.sum()
    owner: list[int] = []
    pieces: list[np.ndarray] = []
    for i, texts in enumerate(candidates):
        for each in dict.fromkeys(texts):
            found = _ids(table, each, kept)
            if len(found):
                owner.append(i)
                pieces.append(found)
    out = np.zeros(len(candidates))
    if not pieces:
        return out.tolist()
    # each distinct piece of the candidates compared once with the claim's pieces, then
    # each text's best per claim piece read from those
    every, where = np.unique(np.concatenate(pieces), return_inverse=True)
    cosines = query @ _unit(table, every)[0].T  # claim pieces x distinct pieces
    sizes = np.array([len(p) for p in pieces])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    best = np.maximum.reduceat(cosines[:, where], starts, axis=1)  # claim pieces x texts
    np.maximum.at(out, np.array(owner), weight @ best)
    return out.tolist()


def reciprocal_rank_fusion(rankings: Sequence[Sequence[float]], k: float) -> np.ndarray:
    """The sum over `rankings` (scores of the same candidates, higher better) of
    1 / (k + place), place 1 for the best; level scores share the better place."""
    total = np.zeros(len(rankings[0]))
    for scores in rankings:
        array = np.asarray(scores, dtype=float)
        place = 1 + len(array) - np.searchsorted(np.sort(array), array, side="right")
        total += 1.0 / (k + place)
    return total
