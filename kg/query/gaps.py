"""Gaps: pairs of clusters close in meaning but barely linked, and the links to bridge them.

A clustering (note id -> cluster id) comes in; every cluster of at least `min_size` notes
with vectors gets its centroid, the mean of its notes' unit vectors (the vectors `near`
ranks with). For two clusters i and j:

- **similarity** is the cosine of their centroids;
- **links** counts the distinct note pairs a link of any kind joins across them (`kg
  clusters` counts links, several for a pair linked twice);
- **expected** is how many links their sizes and meaning predict: the pairs across
  (``n_i * n_j``) times the mean link density inside the two clusters, scaled by how alike
  the notes across are compared with the notes inside, both measured from the mean cosine
  of two notes of different clusters (notes of one field all point much the same way, so
  raw cosines bunch near the top), clipped to 0-1: two clusters as alike as a cluster's
  own notes would be linked as densely as a cluster's inside, two no more alike than
  notes of different clusters usually are are not expected to link;
- **score** is ``similarity * expected / (expected + links)``: the similarity when nothing
  links them, half of it when they are linked as much as predicted. Gaps rank by it; a
  pair linked as much as predicted or more is no gap.

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

from kg.display import Results, ShortRepr
from kg.embed.notevectors import meaning_vectors
from kg.embed.texts import FIELD_CODE
from kg.errors import InvalidArgument, check_count
from kg.query.near import _store
from kg.sentences import split_sentences

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.model import Note


CANDIDATES = 100  # notes of each side of a gap its links are suggested among


@dataclass(frozen=True, slots=True, repr=False)
class SuggestedLink(ShortRepr):
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

    def describe(self) -> str:
        """The link as a table cell shows it: its two notes' ids.

        >>> SuggestedLink("a", "b", 0.9, "A.", "B.").describe()
        'a → b'
        """
        return f"{self.source} → {self.target}"


@dataclass(frozen=True, slots=True, repr=False)
class Gap(ShortRepr):
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


def _link_keys(graph: KnowledgeGraph, ids: list[str]) -> np.ndarray:
    """Every note pair (positions in `ids`) a link of any kind joins, either way, as the
    sorted keys ``lower * len(ids) + higher``: from the link table's number columns."""
    position = {note_id: i for i, note_id in enumerate(ids)}.get
    names, sources, targets, _, _ = graph.link_table.number_columns()
    place = np.fromiter((position(name, -1) for name in names), np.int64, len(names))
    a, b = place[sources], place[targets]
    kept = (a >= 0) & (b >= 0) & (a != b)
    keys = np.sort(np.minimum(a[kept], b[kept]) * len(ids) + np.maximum(a[kept], b[kept]))
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def _linked(keys: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Whether each of `key` is among the sorted `keys`."""
    at = np.minimum(np.searchsorted(keys, key), max(len(keys) - 1, 0))
    return keys[at] == key if len(keys) else np.zeros(len(key), dtype=bool)


def _sentences(note: Note) -> list[tuple[str, int]]:
    """(sentence, line) of the note's body sentences, in the order of their vectors."""
    out: list[tuple[str, int]] = []
    for paragraph in note.body:
        for start, _, text in split_sentences(paragraph.text):
            out.append((text, paragraph.line + paragraph.text.count("\n", 0, start)))
    return out


def _best_sentences(
    notes: tuple[Note, Note],
    texts: tuple[list[tuple[str, int]], list[tuple[str, int]]],
    sims: np.ndarray,
    named: frozenset[str] = frozenset(),
) -> tuple[tuple[str, int], tuple[str, int]]:
    """(sentence, line) of each of two notes, the pair of their sentences nearest in meaning
    by `sims`, the cosines of the first's sentence vectors (rows) with the second's (the
    title, line 0, when a note has no sentences); a pair that both name one of `named`
    (titles of notes either links to) only when every pair near the top does."""
    if all(len(t) for t in texts) and sims.shape == (len(texts[0]), len(texts[1])):
        order = np.argsort(-sims, axis=None, kind="stable")
        first, second = texts
        for i, j in zip(*np.unravel_index(order[:SHOWN_PAIRS], sims.shape), strict=True):
            # Two sentences near only because both name the same third note say nothing
            # of why these two notes should link: the next pair is shown instead.
            if not _names_alike(first[int(i)][0], second[int(j)][0], named):
                return first[int(i)], second[int(j)]
        i, j = np.unravel_index(int(order[0]), sims.shape)
        return first[int(i)], second[int(j)]
    return texts[0][0] if texts[0] else (notes[0].title, 0), (
        texts[1][0] if texts[1] else (notes[1].title, 0)
    )


SHOWN_PAIRS = 50  # sentence pairs looked through for one that names no common note


def _names_alike(first: str, second: str, named: frozenset[str]) -> bool:
    """Whether both sentences name one of the `named` titles.

    >>> _names_alike("As Foo shows, x.", "Foo finds y.", frozenset({"Foo"}))
    True
    >>> _names_alike("As Foo shows, x.", "Bar finds y.", frozenset({"Foo", "Bar"}))
    False
    """
    return any(title in first and title in second for title in named)


def _linked_titles(graph: KnowledgeGraph, notes: tuple[Note, Note]) -> frozenset[str]:
    """The titles of the notes either of two notes links to (any kind), longer than a word."""
    return frozenset(
        graph.note(link.target).title
        for note in notes
        for link in graph.links_of(note, "out")
        if len(graph.note(link.target).title) > 12
    )


class _Sentences:
    """The notes' sentence vectors, read from the vector store's key arrays for many notes
    at once (a note without sentences stands for itself by its note vector); those of the
    notes links are suggested among are kept (`rows`)."""

    BATCH = 65536  # sentences read and scored at a time

    def __init__(self, graph: KnowledgeGraph, ids: list[str], unit: np.ndarray) -> None:
        self.store = _store(graph)
        self.unit = unit
        self.ids = ids
        self.place = np.array([self.store.position(i) for i in ids], dtype=np.int64)
        self.rows: dict[int, np.ndarray] = {}

    def read(self, side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence vectors of the notes at `side` (positions), stacked in order, and
        how many each note has (0: none, no row)."""
        _, keys, key_start = self.store.key_arrays()
        place = self.place[side]
        begin, sizes = key_start[place], key_start[place + 1] - key_start[place]
        offsets = np.repeat(begin - np.cumsum(sizes) + sizes, sizes)
        block = keys[offsets + np.arange(int(sizes.sum()))]
        owner = np.repeat(np.arange(len(side)), sizes)
        sentence = block[:, 1] == FIELD_CODE["sentence"]
        block, owner = block[sentence], owner[sentence]
        order = np.lexsort((block[:, 2], owner))
        counts = np.bincount(owner, minlength=len(side))
        return self.store.gather(block[order, 3]), counts

    def best(self, side: np.ndarray, centres: np.ndarray) -> np.ndarray:
        """For each note at `side` and each of `centres`, the best cosine of one of its
        sentences (of its note vector when it has none) with the centre: read in batches."""
        out = np.empty((len(side), len(centres)), dtype=np.float32)
        key_start = self.store.key_arrays()[2]
        place = self.place[side]
        reach = np.cumsum(key_start[place + 1] - key_start[place])  # keys, more than sentences
        start = 0
        while start < len(side):
            done = reach[start - 1] if start else 0
            stop = max(start + 1, int(np.searchsorted(reach, done + self.BATCH, side="right")))
            part = side[start:stop]
            stacked, counts = self.read(part)
            starts = np.cumsum(counts) - counts
            has = counts > 0
            for c, centre in enumerate(centres):
                found = self.unit[part] @ centre  # no sentences: the note's own vector
                if has.any():
                    found[has] = np.maximum.reduceat(stacked @ centre, starts[has])
                out[start:stop, c] = found
            start = stop
        return out

    def of(self, side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence vectors of the notes at `side`, stacked, and where each note's
        start; kept in `rows`."""
        missing = np.array([p for p in side.tolist() if p not in self.rows], dtype=np.int64)
        if len(missing):
            stacked, counts = self.read(missing)
            blocks = np.split(stacked, np.cumsum(counts)[:-1])
            for p, block in zip(missing.tolist(), blocks, strict=True):
                self.rows[p] = block if len(block) else self.unit[p][None, :]
        blocks = [self.rows[p] for p in side.tolist()]
        starts = np.cumsum([0] + [len(b) for b in blocks[:-1]])
        return np.asarray(np.vstack(blocks), dtype=np.float32), starts


def pair_scores(
    sentences: _Sentences, unit: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The score of each pair across (notes at `a` by notes at `b`): the mean of the
    cosine of the two notes and the best cosine of a sentence of one with one of the other;
    with the cosines of every sentence of `b`'s notes (rows) with every sentence of `a`'s,
    and where each note's sentences start (`a`'s, `b`'s).
    """
    rows_a, starts_a = sentences.of(a)
    rows_b, starts_b = sentences.of(b)
    sims = rows_b @ rows_a.T  # (b sentences, a sentences)
    best = np.maximum.reduceat(np.maximum.reduceat(sims, starts_a, axis=1), starts_b, axis=0)
    return np.asarray((unit[a] @ unit[b].T + best.T) / 2), sims, starts_a, starts_b


def _suggest(
    graph: KnowledgeGraph,
    sentences: _Sentences,
    members: tuple[np.ndarray, np.ndarray],
    linked: np.ndarray,
    count: int,
    across: int,
    texts: dict[int, tuple[Note, list[tuple[str, int]]]],
) -> tuple[SuggestedLink, ...]:
    ids = sentences.ids
    a, b = members
    scores, sims, starts_a, starts_b = pair_scores(sentences, sentences.unit, a, b)
    ends_a, ends_b = np.r_[starts_a[1:], sims.shape[1]], np.r_[starts_b[1:], sims.shape[0]]
    flat = scores.ravel()
    enough = min(flat.size, count + across)  # the links across can take some of the best
    best = np.argpartition(-flat, enough - 1)[:enough] if 0 < enough < flat.size else None
    order = np.argsort(-flat, kind="stable") if best is None else best[np.argsort(-flat[best])]
    i, j = np.divmod(order, len(b))
    free = ~_linked(linked, np.minimum(a[i], b[j]) * len(ids) + np.maximum(a[i], b[j]))
    out: list[SuggestedLink] = []
    for x, y in zip(i[free][:count].tolist(), j[free][:count].tolist(), strict=True):
        p, q = int(a[x]), int(b[y])
        for at in (p, q):
            if at not in texts:
                note = graph.note(ids[at])
                texts[at] = (note, _sentences(note))
        (s_note, s_texts), (t_note, t_texts) = texts[p], texts[q]
        block = sims[starts_b[y] : ends_b[y], starts_a[x] : ends_a[x]].T
        (s_text, s_line), (t_text, t_line) = _best_sentences(
            (s_note, t_note), (s_texts, t_texts), block, _linked_titles(graph, (s_note, t_note))
        )
        out.append(
            SuggestedLink(
                ids[p],
                ids[q],
                round(float(scores[x, y]), 4),
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
        Ranked by `Gap.score` (see the module's docstring); pairs of clusters linked as
        much as expected or more, or not alike, left out.

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
    >>> words = {"fold": "Proteins fold into shapes. Enzymes bind their substrates.",
    ...          "misfold": "Misfolded proteins clump. Enzymes lose their shape.",
    ...          "star": "Stars burn hydrogen. Galaxies spin slowly."}
    >>> for c, text in words.items():
    ...     for i in range(3):
    ...         _ = (d / f"{c} {i}.md").write_text(f"{text} [[{c} {(i + 1) % 3}]]")
    >>> g = kg.load(d)
    >>> found = gaps(g, {f"{c}-{i}": n for n, c in enumerate(words) for i in range(3)})
    >>> [(x.first, x.second, x.links, len(x.suggested)) for x in found]  # the proteins' gap
    [(0, 1, 0, 9)]
    >>> import shutil; shutil.rmtree(d)
    """
    for name, value in (("top", top), ("suggestions", suggestions), ("bridges", bridges)):
        check_count(name, value)
    if min_size < 1:
        raise InvalidArgument(f"min_size must be 1 or more, not {min_size}")
    ids, unit = _vectors(graph, clustering)
    labels = np.array([clustering[i] for i in ids], dtype=np.int64)
    names, counts = np.unique(labels, return_counts=True) if len(ids) else (labels, labels)
    kept = [int(c) for c, n in zip(names, counts, strict=True) if n >= min_size]
    grouped = (
        np.split(np.argsort(labels, kind="stable"), np.cumsum(counts)[:-1]) if len(ids) else []
    )
    members = {
        int(c): group for c, group in zip(names, grouped, strict=True) if len(group) >= min_size
    }
    sizes = np.array([len(members[c]) for c in kept], dtype=np.float64)
    if len(kept) < 2:
        return Results([], Gap)
    means = np.array([unit[members[c]].sum(axis=0) / len(members[c]) for c in kept])
    cosine = _unit(means) @ _unit(means).T
    across = means @ means.T  # mean cosine of the note pairs across (inside on the diagonal)
    inside = (sizes**2 * np.diag(across) - sizes) / np.maximum(sizes * (sizes - 1), 1)
    # Notes of one field all point much the same way (their cosines bunch near the top),
    # so likeness across is measured from the mean cosine of two notes of different
    # clusters: a pair of clusters no more alike than that is not expected to link.
    pairs = np.outer(sizes, sizes)
    np.fill_diagonal(pairs, 0)
    typical = float((across * pairs).sum() / max(pairs.sum(), 1))
    slot = {c: k for k, c in enumerate(kept)}
    cluster_of = np.full(len(ids), -1, dtype=np.int64)
    for c in kept:
        cluster_of[members[c]] = slot[c]
    linked = _link_keys(graph, ids)
    p, q = np.divmod(linked, max(len(ids), 1))
    a, b = cluster_of[p], cluster_of[q]
    both = (a >= 0) & (b >= 0)
    k = len(kept)
    count = np.bincount(a[both] * k + b[both], minlength=k * k).reshape(k, k)
    count = count + count.T - np.diag(np.diag(count))
    density = np.diag(count) / np.maximum(sizes * (sizes - 1) / 2, 1)
    first, second = np.triu_indices(k, 1)
    alike = (inside[first] + inside[second]) / 2 - typical
    ratio = np.where(
        alike > 0,
        np.clip((across[first, second] - typical) / np.where(alike > 0, alike, 1), 0.0, 1.0),
        0.0,
    )
    expected = sizes[first] * sizes[second] * (density[first] + density[second]) / 2 * ratio
    links = count[first, second]
    some = expected > links  # fewer links than predicted
    first, second, expected, links = first[some], second[some], expected[some], links[some]
    similarity = cosine[first, second]
    score = similarity * expected / (expected + links)
    rounded = np.array([round(float(x), 4) for x in score.tolist()], dtype=np.float64)
    names = np.array(kept, dtype=np.int64)
    ranked = np.lexsort((names[second], names[first], -rounded))[:top]
    sentences = _Sentences(graph, ids, unit)
    # Every top gap's two sides, each toward the other's centroid: a cluster's sentences
    # are read once for all the gaps it is in.
    toward: dict[tuple[int, int], np.ndarray] = {}
    wanted: dict[int, list[int]] = {}
    for r in ranked.tolist():
        wanted.setdefault(int(first[r]), []).append(int(second[r]))
        wanted.setdefault(int(second[r]), []).append(int(first[r]))
    for side, others in wanted.items():
        centres = _unit(means[others])
        best = sentences.best(members[kept[side]], centres)
        for c, other in enumerate(others):
            near = unit[members[kept[side]]] @ centres[c]
            toward[side, other] = np.asarray((near + best[:, c]) / 2)
    texts: dict[int, tuple[Note, list[tuple[str, int]]]] = {}
    out: list[Gap] = []
    for r in ranked.tolist():
        x, y = int(first[r]), int(second[r])
        pair = (members[kept[x]], members[kept[y]])
        sides, sims = np.concatenate(pair), np.concatenate((toward[x, y], toward[y, x]))
        near = sides[np.lexsort((sides, -sims))]
        # Links are suggested among the notes of each side nearest the other side.
        picked = (
            pair[0][np.sort(np.argsort(-toward[x, y], kind="stable")[:CANDIDATES])],
            pair[1][np.sort(np.argsort(-toward[y, x], kind="stable")[:CANDIDATES])],
        )
        links_across = int(links[r])
        out.append(
            Gap(kept[x], kept[y], round(float(similarity[r]), 4), links_across,
                round(float(expected[r]), 2), float(rounded[r]), (int(sizes[x]), int(sizes[y])),
                tuple(ids[int(i)] for i in near[:bridges]),
                _suggest(graph, sentences, picked, linked, suggestions, links_across, texts))
        )  # fmt: skip
    return Results(out, Gap)


__all__ = ["Gap", "SuggestedLink", "gaps"]
