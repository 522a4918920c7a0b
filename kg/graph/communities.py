"""The shape of a corpus: its clusters of notes.

`clusters` groups the notes into communities (igraph's Leiden method, else networkx's
Louvain: `kg.graph.partition`) over one undirected weighted graph of notes
(`note_weights`): each link adds the weight of its kind (`LINK_WEIGHTS`, decided in
`kg.graph.weights`), and a link touching a note with more
than `HUB_LINKS` links counts for less, so that a hub listing hundreds of notes does not
glue them into one cluster. Category, #tag and attachment nodes and stubs (titles known
only from a link) are left out: a category or tag shared by many notes would join them
all, and a stub has no text of its own; notes with no weighted link are left unclustered.

Found from scratch, clusters are numbered in the order of their smallest note id; the
random seed is fixed and the graph is built in sorted order, so the same corpus indexed
afresh gives the same clusters. `g.clusters()` keeps them in the index; after an edit of
links it starts from the kept ones and gives each new cluster the id of the kept one it
shares most notes with, so ids do not reshuffle (`kg.graph.cluster_cache`): an index kept
up by edits may then hold slightly other clusters than a fresh one would. Each cluster
is named by its most distinctive
title words (how much more often a word is in its notes' titles than in the corpus's)
and listed with its central notes (the most strongly linked inside it).

The notes that join clusters are ranked in `kg.graph.bridges`.

>>> from kg.graph.knowledge import _demo
>>> shape = clusters(_demo())
>>> shape
Clustering(3 notes in 1 clusters, 0 unclustered)
>>> shape[0].titles, shape.of("c")
(('Does B hold?', 'Can A happen?', 'Why C?'), 0)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.display import Results, ShortRepr
from kg.errors import InvalidArgument, check_count
from kg.graph.weights import HUB_LINKS, LINK_WEIGHTS, NoteWeights, weight_arrays
from kg.text import stem, stopwords, written_words

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "HUB_LINKS",
    "LINK_WEIGHTS",
    "Cluster",
    "Clustering",
    "clusters",
    "note_weights",
]

WORDS = 3  # distinctive words in a cluster's name
# Words of questions and comparisons that kg's short stop list keeps (search needs them)
# but that say nothing of a topic: never in a cluster's name.
_SKIPPED = """
how what when why which who whom whose where whether does do did doing done can could
should would will shall may might must its it's from own more less than much many most
make makes made one two way ways really actually better best instead still also just only
even about into over under between without within across after before while there here
them they their our your we you us he she his her via vs already yet
"""
NAME_SKIP = frozenset(_SKIPPED.split())
CENTRAL = 3  # central notes listed with a cluster


@dataclass(frozen=True, repr=False)
class Cluster(ShortRepr):
    """One community of notes: its number, name and size, what characterises it, and
    how many of its notes' links stay inside it (`inside`, 0-1)."""

    id: int
    name: str
    size: int
    inside: float
    words: tuple[str, ...]
    titles: tuple[str, ...]  # the central notes' titles, most central first
    central: tuple[str, ...]  # their ids
    note_ids: tuple[str, ...]  # every note of the cluster, sorted
    # The clusters its links reach, each with how many links: the most linked first.
    linked: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Clustering:
    """Every cluster of a corpus (`clusters`); ``clustering[i]`` is cluster i, `of` a
    note's cluster, `labels` note id -> cluster id for every clustered note."""

    clusters: Results[Cluster]
    labels: Mapping[str, int]
    unclustered: tuple[str, ...] = ()
    resolution: float = 1.0
    seed: int = 0

    def of(self, note_id: str) -> int | None:
        """The id of the note's cluster, or None when it is in none."""
        return self.labels.get(note_id)

    def __getitem__(self, cluster_id: int) -> Cluster:
        return self.clusters[cluster_id]

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.clusters)

    def __len__(self) -> int:
        return len(self.clusters)

    def __repr__(self) -> str:
        return (
            f"Clustering({len(self.labels)} notes in {len(self.clusters)} clusters, "
            f"{len(self.unclustered)} unclustered)"
        )

    def _repr_html_(self) -> str:
        """In Jupyter: what `repr` says, then the clusters as a table (`Results`)."""
        import html

        return f"<p>{html.escape(repr(self))}</p>{self.clusters._repr_html_()}"

    def largest(self, n: int = 10) -> Results[Cluster]:
        """The `n` largest clusters, largest first (ties: lower id first)."""
        ranked = sorted(self.clusters, key=lambda c: (-c.size, c.id))
        return Results(ranked[:n], Cluster)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per cluster (`Results.to_records`)."""
        return self.clusters.to_records()

    def to_frame(self) -> pd.DataFrame:
        """The clusters as a pandas DataFrame, one row per cluster in id order."""
        return self.clusters.to_frame()


def note_weights(graph: KnowledgeGraph) -> nx.Graph:
    """The undirected weighted graph of notes that `clusters` and `bridges` work on, in
    networkx (they work on its arrays, `kg.graph.weights.weight_arrays`).

    Nodes are numbers, one per note with a page in the order of their ids, which the
    list ``G.graph["ids"]`` holds; an edge's ``weight`` sums its links' weights
    (`LINK_WEIGHTS`, damped at hubs) and ``links`` counts them.

    >>> from kg.graph.knowledge import _demo
    >>> G = note_weights(_demo())
    >>> G.graph["ids"], sorted(G.edges(data="weight"))
    (['a', 'b', 'c'], [(0, 1, 1.0), (1, 2, 0.3)])
    """
    return weight_arrays(graph).to_networkx()


def as_arrays(graph: KnowledgeGraph, weights: NoteWeights | nx.Graph | None) -> NoteWeights:
    """The weighted graph of notes as arrays: `weights` when it is, made from it when it
    is a networkx graph (`note_weights`), made from the corpus when None.

    >>> from kg.graph.knowledge import _demo
    >>> g = _demo()
    >>> as_arrays(g, None).ids == as_arrays(g, note_weights(g)).ids == ("a", "b", "c")
    True
    """
    if weights is None:
        return weight_arrays(graph)
    if isinstance(weights, NoteWeights):
        return weights
    return NoteWeights.from_networkx(weights)


def clustered(
    graph: KnowledgeGraph,
    clustering: Clustering | None,
    weights: NoteWeights | nx.Graph | None,
) -> tuple[NoteWeights, Clustering]:
    """The weighted graph of notes as arrays (`as_arrays`) and `clustering`, or the
    default `clusters` of it when None: what every function that reads clusters starts
    from.

    >>> from kg.graph.knowledge import _demo
    >>> W, shape = clustered(_demo(), None, None)
    >>> W.ids, len(shape.labels)
    (('a', 'b', 'c'), 3)
    """
    W = as_arrays(graph, weights)
    return W, clustering if clustering is not None else clusters(graph, weights=W)


def clusters(
    graph: KnowledgeGraph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    min_size: int = 2,
    weights: NoteWeights | nx.Graph | None = None,
    found: Sequence[Sequence[int]] | None = None,
    ordered: bool = False,
) -> Clustering:
    """Group the notes into communities over their weighted links (Leiden or Louvain,
    seeded: `kg.graph.partition`).

    Parameters
    ----------
    graph
        The corpus.
    resolution
        Louvain's resolution: above 1 gives more, smaller clusters; below 1 fewer, larger.
    seed
        Louvain's random seed: the same corpus and seed give the same clusters.
    min_size
        Communities smaller than this are left unclustered (isolated notes, lone pairs).
    weights
        The weighted graph of notes (`kg.graph.weights.weight_arrays`, or networkx's
        from `note_weights`), when already made.
    found
        Its communities (node numbers), when already found (kept in the index).
    ordered
        Number the clusters in the order `found` gives them (kept in the index in the
        order of their ids, or matched to those kept before an edit of links:
        `kg.graph.cluster_cache.matched`) rather than by their smallest note.

    Returns
    -------
    Clustering
        The clusters, numbered in the order of their smallest note id (unless `ordered`).

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> c = clusters(_demo())[0]
    >>> c.id, c.size, c.inside, c.central
    (0, 3, 1.0, ('b', 'a', 'c'))
    """
    from kg.graph.partition import communities

    if not isinstance(resolution, (int, float)) or isinstance(resolution, bool) or resolution <= 0:
        raise InvalidArgument(f"resolution must be a number above 0, not {resolution!r}")
    check_count("min_size", min_size, 1)
    W = as_arrays(graph, weights)
    if found is None:
        found = communities(W, resolution=resolution, seed=seed)
    groups = [sorted(c) for c in found if len(c) >= min_size]
    if not ordered:
        groups.sort(key=lambda c: c[0])
    ids = W.ids  # numbered in id order: sorting numbers sorts ids
    unclustered = tuple(ids[n] for n in sorted(n for c in found if len(c) < min_size for n in c))
    titles = [graph.note_table.title(note) for note in ids]
    named = _names(groups, _texts(graph, ids, titles))
    inner, inside, links, linked = _statistics(W, groups)
    made = []
    for number, group in enumerate(groups):
        central = sorted(group, key=lambda n: (-round(inner[n], 6), n))[:CENTRAL]
        words = named[number]
        made.append(
            Cluster(
                id=number,
                name=" · ".join(words) if words else titles[central[0]],
                size=len(group),
                inside=round(inside[number] / links[number], 3) if links[number] else 0.0,
                words=words,
                titles=tuple(titles[n] for n in central),
                central=tuple(ids[n] for n in central),
                note_ids=tuple(ids[n] for n in group),
                linked=linked[number],
            )
        )
    labels = MappingProxyType(
        {ids[note]: number for number, group in enumerate(groups) for note in group}
    )
    return Clustering(Results(made, Cluster), labels, unclustered, resolution, seed)


def _statistics(
    W: NoteWeights, groups: list[list[int]]
) -> tuple[list[float], list[int], list[int], list[tuple[tuple[int, int], ...]]]:
    """Each note's link weight inside its cluster; each cluster's links inside (counted
    from both ends), its links' ends (links inside twice, links out once), and the
    clusters its links reach with how many links, the most linked first."""
    label = np.full(len(W), -1, dtype=np.int64)
    for number, group in enumerate(groups):
        label[group] = number
    rows, cols, weight, count = W.both
    mine, theirs = label[rows], label[cols]
    clustered = mine >= 0
    same = clustered & (mine == theirs)
    out = clustered & ~same
    k = len(groups)
    inner = np.bincount(rows[same], weights=weight[same], minlength=len(W))
    inside = np.bincount(mine[same], weights=count[same], minlength=k).astype(np.int64)
    leaving = np.bincount(mine[out], weights=count[out], minlength=k).astype(np.int64)
    across = out & (theirs >= 0)
    pairs, where = np.unique(mine[across] * k + theirs[across], return_inverse=True)
    counts = np.bincount(where.ravel(), weights=count[across]).astype(np.int64)
    reached: list[list[tuple[int, int]]] = [[] for _ in groups]
    for pair, n in zip(pairs.tolist(), counts.tolist(), strict=True):
        reached[pair // k].append((pair % k, n))
    linked = [tuple(sorted(r, key=lambda c: (-c[1], c[0]))) for r in reached]
    return inner.tolist(), inside.tolist(), (2 * leaving + inside).tolist(), linked


def _texts(graph: KnowledgeGraph, ids: Sequence[str], titles: list[str]) -> list[str]:
    """Each note's title, description and claim (what names a cluster), read without
    the notes' bodies when the graph comes from an index."""
    table = graph.note_table
    if table.read_texts is not None:
        read = table.read_texts()
        fields = [read.get(note_id, (None, None)) for note_id in ids]
    else:
        fields = [(table[i].description, table[i].claim) for i in ids]
    return [
        " ".join((title, description or "", claim or ""))
        for title, (description, claim) in zip(titles, fields, strict=True)
    ]


def _names(groups: list[list[int]], texts: list[str]) -> list[tuple[str, ...]]:
    """Each group's most distinctive words: a word scores its share of the group's notes
    (title, description, claim) times the log of how much larger that share is than in
    the corpus; shown in the form most often written (the first written of equals).
    Ties go to the word first in alphabetical order."""
    # Stop words and one letter words are left out below, once per distinct word rather
    # than once per time it is written (`plain_words` would filter each time).
    words = [written_words(text) for text in texts]
    written = Counter(chain.from_iterable(words))  # in the order first written
    stop = stopwords()
    roots: dict[str, int] = {}  # stem -> its number
    root_of: dict[str, int] = {}  # word -> its stem's number, -1 when it never names
    for word in written:
        skipped = len(word) < 2 or word in stop or word.isdigit() or word in NAME_SKIP
        root_of[word] = -1 if skipped else roots.setdefault(stem(word), len(roots))
    notes: list[int] = []
    found: list[int] = []
    for note, listed in enumerate(words):
        seen = set(map(root_of.__getitem__, listed))
        seen.discard(-1)
        notes.extend([note] * len(seen))
        found.extend(seen)
    form: dict[int, tuple[int, str]] = {}  # stem number -> (count, its most written word)
    for word, count in written.items():
        number = root_of[word]
        if number >= 0 and count > form.get(number, (0, ""))[0]:
            form[number] = (count, word)
    names: list[tuple[str, ...]] = [() for _ in groups]
    if not groups or not found:
        return names
    label = np.full(len(texts), -1, dtype=np.int64)
    for number, group in enumerate(groups):
        label[group] = number
    root = np.array(found, dtype=np.int64)
    everywhere = np.bincount(root, minlength=len(roots))
    cluster = label[np.array(notes, dtype=np.int64)]
    inside = cluster >= 0
    keys, counts = np.unique(cluster[inside] * len(roots) + root[inside], return_counts=True)
    cluster, root = keys // len(roots), keys % len(roots)
    size = np.array([len(g) for g in groups], dtype=np.int64)[cluster]
    share, base = counts / size, everywhere[root] / len(texts)
    kept = (counts >= np.where(size >= 4, 2, 1)) & (share > base)
    cluster, root, share, base = cluster[kept], root[kept], share[kept], base[kept]
    score = [-s * math.log(s / b) for s, b in zip(share.tolist(), base.tolist(), strict=True)]
    alphabetical = np.argsort(np.array(list(roots), dtype=object)).argsort()
    order = np.lexsort((alphabetical[root], np.array(score), cluster))
    cluster, root = cluster[order].tolist(), root[order].tolist()
    picked: list[list[str]] = [[] for _ in groups]
    for c, r in zip(cluster, root, strict=True):
        if len(picked[c]) < WORDS:
            picked[c].append(form[r][1])
    return [tuple(p) for p in picked]
