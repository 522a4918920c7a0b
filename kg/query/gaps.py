"""Gaps: pairs of clusters close in meaning but barely linked, and the links to bridge them.

A clustering (note id -> cluster id) comes in; every cluster of at least `min_size` notes
with vectors gets its centroid, the mean of its notes' unit vectors (the vectors `near`
ranks with). For two clusters i and j:

- **similarity** is the cosine of their centroids;
- **links** counts the distinct note pairs a link of any kind joins across them;
- **expected** is how many links their sizes and meaning predict: the pairs across
  (``n_i * n_j``) times the mean link density inside the two clusters, scaled by how near
  the notes across are compared with the notes inside (mean cosine across over the mean
  cosine inside, clipped to 0-1): two clusters as alike as a cluster's own notes would be
  linked as densely as a cluster's inside;
- **score** is ``similarity * expected / (expected + links)``: the similarity when nothing
  links them, half of it when they are linked as much as predicted. Gaps rank by it.

For each gap, the bridging notes are the notes of either cluster nearest the other's
centroid (the mean of the cosine of the note's vector and of its best sentence's with the
centroid). The suggested links are pairs across, among the `CANDIDATES` bridging notes of
each side, that no link joins yet (either way), best first by the mean of the cosine of the
two notes and the best cosine of a sentence of one with a sentence of the other; each comes
with that pair of sentences (by their static vectors), with file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kg.display import Results
from kg.embed.notevectors import meaning_vectors
from kg.errors import InvalidArgument, check_count
from kg.query.near import _store
from kg.sentences import split_sentences

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.model import Note


CANDIDATES = 100  # notes of each side of a gap its links are suggested among


@dataclass(frozen=True, slots=True)
class SuggestedLink:
    """A link to write across a gap: two notes near in meaning that no link joins.

    `source_sentence` and `target_sentence` are the sentence of each note nearest the
    other's (its title when the note has no sentences), with the file and the line (1-based;
    0 when unknown) each is on.
    """

    source: str
    target: str
    similarity: float
    source_sentence: str
    target_sentence: str
    source_file: str = ""
    source_line: int = 0
    target_file: str = ""
    target_line: int = 0


@dataclass(frozen=True, slots=True)
class Gap:
    """Two clusters close in meaning but barely linked (see `kg.query.gaps`).

    `first` < `second` are the cluster ids, `sizes` their notes with vectors, `links` the
    note pairs linked across, `expected` the links predicted, `bridging` the note ids most
    likely to bridge them, nearest first, and `suggested` the links to write, best first.
    """

    first: int
    second: int
    similarity: float
    links: int
    expected: float
    score: float
    sizes: tuple[int, int]
    bridging: tuple[str, ...] = ()
    suggested: tuple[SuggestedLink, ...] = ()


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def _vectors(graph: KnowledgeGraph, clustering: Mapping[str, int]) -> tuple[list[str], np.ndarray]:
    store = _store(graph)
    ids = [i for i in clustering if store.has(i)]
    found = meaning_vectors(graph, ids)
    # The whole-note vectors only where they are in the sentence vectors' space (a hybrid
    # index keeps the transformer's, of another size): centroids meet sentences below.
    if found is not None and found[0].shape[1] == store.matrix.shape[1]:
        return ids, _unit(np.asarray(found[0], dtype=np.float32))
    rows = np.array([store.position(i) for i in ids], dtype=np.int64)
    return ids, _unit(np.asarray(store.matrix[rows], dtype=np.float32))


def _linked_pairs(graph: KnowledgeGraph, known: Mapping[str, int]) -> set[tuple[int, int]]:
    """The (lower, higher) positions of every note pair a link joins, either way."""
    pairs: set[tuple[int, int]] = set()
    for link in graph.links:
        a, b = known.get(link.source), known.get(link.target)
        if a is not None and b is not None and a != b:
            pairs.add((a, b) if a < b else (b, a))
    return pairs


def _sentences(note: Note) -> list[tuple[str, int]]:
    """(sentence, line) of the note's body sentences, in the order of their vectors."""
    out: list[tuple[str, int]] = []
    for paragraph in note.body:
        for start, _, text in split_sentences(paragraph.text):
            out.append((text, paragraph.line + paragraph.text.count("\n", 0, start)))
    return out


def _best_sentences(
    notes: list[Note], vectors: list[np.ndarray]
) -> tuple[tuple[str, int], tuple[str, int]]:
    """(sentence, line) of each of two notes, the pair of their sentences nearest in meaning
    by their vectors `vectors` (the title, line 0, when a note has no sentences)."""
    texts = [_sentences(n) for n in notes]
    if all(len(t) and len(t) == len(v) for t, v in zip(texts, vectors, strict=True)):
        sims = vectors[0] @ vectors[1].T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        return texts[0][int(i)], texts[1][int(j)]
    return texts[0][0] if texts[0] else (notes[0].title, 0), (
        texts[1][0] if texts[1] else (notes[1].title, 0)
    )


def _sentence_rows(
    graph: KnowledgeGraph,
    ids: list[str],
    unit: np.ndarray,
    side: np.ndarray,
    rows: dict[int, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The sentence vectors of the notes at `side`, stacked, and where each note's start
    (a note without sentences stands for itself by its note vector); `rows` caches them."""
    missing = [p for p in side.tolist() if p not in rows]
    if missing:
        read = _store(graph).field_vectors([ids[p] for p in missing], "sentence")
        for p, block in zip(missing, read, strict=True):
            rows[p] = block if len(block) else unit[p][None, :]
    blocks = [rows[p] for p in side.tolist()]
    starts = np.cumsum([0] + [len(b) for b in blocks[:-1]])
    return np.asarray(np.vstack(blocks), dtype=np.float32), starts


def _toward(
    graph: KnowledgeGraph,
    ids: list[str],
    unit: np.ndarray,
    side: np.ndarray,
    centre: np.ndarray,
    rows: dict[int, np.ndarray],
) -> np.ndarray:
    """How near each note at `side` is to a centroid: the mean of its note vector's cosine
    and its best sentence's."""
    stacked, starts = _sentence_rows(graph, ids, unit, side, rows)
    return np.asarray((unit[side] @ centre + np.maximum.reduceat(stacked @ centre, starts)) / 2)


def pair_scores(
    graph: KnowledgeGraph,
    ids: list[str],
    unit: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    rows: dict[int, np.ndarray] | None = None,
) -> np.ndarray:
    """The score of each pair across (notes at `a` by notes at `b`): the mean of the
    cosine of the two notes and the best cosine of a sentence of one with one of the other.
    """
    cache = {} if rows is None else rows
    rows_a, starts_a = _sentence_rows(graph, ids, unit, a, cache)
    rows_b, starts_b = _sentence_rows(graph, ids, unit, b, cache)
    best = np.maximum.reduceat(rows_b @ rows_a.T, starts_b, axis=0)  # (b notes, a sentences)
    best = np.maximum.reduceat(np.ascontiguousarray(best.T), starts_a, axis=0)
    return np.asarray((unit[a] @ unit[b].T + best) / 2)


def _suggest(
    graph: KnowledgeGraph,
    ids: list[str],
    unit: np.ndarray,
    members: tuple[np.ndarray, np.ndarray],
    linked: set[tuple[int, int]],
    count: int,
    across: int,
    rows: dict[int, np.ndarray],
) -> tuple[SuggestedLink, ...]:
    a, b = members
    sims = pair_scores(graph, ids, unit, a, b, rows)
    flat = sims.ravel()
    enough = min(flat.size, count + across)  # the links across can take some of the best
    best = np.argpartition(-flat, enough - 1)[:enough] if 0 < enough < flat.size else None
    order = np.argsort(-flat, kind="stable") if best is None else best[np.argsort(-flat[best])]
    out: list[SuggestedLink] = []
    for flat in order:
        if len(out) >= count:
            break
        i, j = divmod(int(flat), len(b))
        p, q = int(a[i]), int(b[j])
        if (min(p, q), max(p, q)) in linked:
            continue
        s_note, t_note = graph.note(ids[p]), graph.note(ids[q])
        (s_text, s_line), (t_text, t_line) = _best_sentences([s_note, t_note], [rows[p], rows[q]])
        out.append(
            SuggestedLink(
                ids[p],
                ids[q],
                round(float(sims[i, j]), 4),
                s_text,
                t_text,
                s_note.files[0] if s_note.files else "",
                s_line,
                t_note.files[0] if t_note.files else "",
                t_line,
            )
        )
    return tuple(out)


def gaps(
    graph: KnowledgeGraph,
    clustering: Mapping[str, int],
    *,
    top: int = 10,
    suggestions: int = 20,
    bridges: int = 5,
    min_size: int = 3,
) -> Results[Gap]:
    """The pairs of clusters closest in meaning and least linked, best gap first.

    Parameters
    ----------
    graph : KnowledgeGraph
        A graph with embeddings (`kg.load` makes the static vectors by default).
    clustering : mapping of str to int
        Each note id's cluster; notes without a vector are left out.
    top : int, default 10
        How many gaps at most.
    suggestions : int, default 20
        How many suggested links at most for each gap.
    bridges : int, default 5
        How many bridging notes for each gap.
    min_size : int, default 3
        Clusters with fewer notes (with vectors) are left out.

    Returns
    -------
    Results of Gap
        Ranked by `Gap.score` (see the module's docstring), gaps with no expected links
        left out.

    Raises
    ------
    KgError
        When the graph has no embeddings.
    InvalidArgument
        For a negative count or a `min_size` below 1.

    Examples
    --------
    >>> import tempfile, pathlib, kg
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> words = {"a": "Proteins fold. Enzymes bind.", "b": "Stars burn. Galaxies spin."}
    >>> for c, text in words.items():
    ...     for i in range(3):
    ...         _ = (d / f"{c}{i}.md").write_text(f"{text} [[{c}{(i + 1) % 3}]]")
    >>> g = kg.load(d)
    >>> found = gaps(g, {f"{c}{i}": n for n, c in enumerate("ab") for i in range(3)})
    >>> [(x.first, x.second, x.links, len(x.suggested)) for x in found]
    [(0, 1, 0, 9)]
    >>> import shutil; shutil.rmtree(d)
    """
    for name, value in (("top", top), ("suggestions", suggestions), ("bridges", bridges)):
        check_count(name, value)
    if min_size < 1:
        raise InvalidArgument(f"min_size must be 1 or more, not {min_size}")
    ids, unit = _vectors(graph, clustering)
    position = {note_id: i for i, note_id in enumerate(ids)}
    labels = np.array([clustering[i] for i in ids], dtype=np.int64)
    names, counts = np.unique(labels, return_counts=True) if len(ids) else (labels, labels)
    kept = [int(c) for c, n in zip(names, counts, strict=True) if n >= min_size]
    members = {c: np.flatnonzero(labels == c) for c in kept}
    sizes = np.array([len(members[c]) for c in kept], dtype=np.float64)
    means = np.array([unit[members[c]].sum(axis=0) / len(members[c]) for c in kept])
    if len(kept) < 2:
        return Results([], Gap)
    cosine = _unit(means) @ _unit(means).T
    across = means @ means.T  # mean cosine of the note pairs across (inside on the diagonal)
    inside = (sizes**2 * np.diag(across) - sizes) / np.maximum(sizes * (sizes - 1), 1)
    slot = {c: k for k, c in enumerate(kept)}
    cluster_of = np.full(len(ids), -1, dtype=np.int64)
    for c in kept:
        cluster_of[members[c]] = slot[c]
    linked = _linked_pairs(graph, position)
    count = np.zeros((len(kept), len(kept)), dtype=np.int64)
    for p, q in linked:
        a, b = cluster_of[p], cluster_of[q]
        if a >= 0 and b >= 0:
            count[a, b] += 1
            if a != b:
                count[b, a] += 1
    density = np.diag(count) / np.maximum(sizes * (sizes - 1) / 2, 1)
    found: list[Gap] = []
    for a in range(len(kept)):
        for b in range(a + 1, len(kept)):
            alike = (inside[a] + inside[b]) / 2
            ratio = min(max(across[a, b] / alike, 0.0), 1.0) if alike > 0 else 0.0
            expected = sizes[a] * sizes[b] * (density[a] + density[b]) / 2 * ratio
            links = int(count[a, b])
            if expected <= 0:
                continue
            score = float(cosine[a, b] * expected / (expected + links))
            found.append(
                Gap(kept[a], kept[b], round(float(cosine[a, b]), 4), links,
                    round(float(expected), 2), round(score, 4),
                    (int(sizes[a]), int(sizes[b])))
            )  # fmt: skip
    found.sort(key=lambda g: (-g.score, g.first, g.second))
    rows: dict[int, np.ndarray] = {}  # sentence vectors by note position, read once
    out: list[Gap] = []
    for gap in found[:top]:
        pair = (members[gap.first], members[gap.second])
        centres = _unit(means[[slot[gap.second], slot[gap.first]]])
        toward = [
            _toward(graph, ids, unit, side, c, rows) for side, c in zip(pair, centres, strict=True)
        ]
        sides, sims = np.concatenate(pair), np.concatenate(toward)
        near = sides[np.lexsort((sides, -sims))]
        bridging = tuple(ids[int(i)] for i in near[:bridges])
        # Links are suggested among the notes of each side nearest the other side.
        pair = tuple(  # type: ignore[assignment]
            side[np.sort(np.argsort(-sims, kind="stable")[:CANDIDATES])]
            for side, sims in zip(pair, toward, strict=True)
        )
        suggested = _suggest(graph, ids, unit, pair, linked, suggestions, gap.links, rows)
        out.append(
            Gap(gap.first, gap.second, gap.similarity, gap.links, gap.expected, gap.score,
                gap.sizes, bridging, suggested)
        )  # fmt: skip
    return Results(out, Gap)


__all__ = ["Gap", "SuggestedLink", "gaps"]
