"""The shape of a corpus: its clusters of notes.

`clusters` groups the notes into communities (igraph's Leiden method, else networkx's
Louvain: `kg.graph.partition`) over one undirected weighted graph of notes
(`note_weights`): each link adds the weight of its kind (`LINK_WEIGHTS`, the one place
they are decided), and a link touching a note with more
than `HUB_LINKS` links counts for less, so that a hub listing hundreds of notes does not
glue them into one cluster. Category, #tag and attachment nodes and stubs (titles known
only from a link) are left out: a category or tag shared by many notes would join them
all, and a stub has no text of its own; notes with no weighted link are left unclustered.

Clusters are numbered by a key that one edit elsewhere does not move: sorted by their
smallest note id. The random seed is fixed and the graph is built in sorted order, so
the same corpus gives the same clusters. Each cluster is named by its most distinctive
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
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kg.display import Results, ShortRepr
from kg.errors import InvalidArgument, check_count
from kg.graph.figures import is_note
from kg.model import LinkKind
from kg.text import plain_words, stem

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "LINK_WEIGHTS",
    "Cluster",
    "Clustering",
    "clusters",
    "note_weights",
]

# How much one link of each kind joins its two notes. Written links, cited sources, related
# concepts and a line's next line are deliberate; a hub's sections, topics and parents are
# lists; a title merely appearing in running text joins least. Categories and #tags are
# groupings a writer already made, shared by too many notes to tell communities apart.
LINK_WEIGHTS: dict[str, float] = {
    LinkKind.LINKS: 1.0,
    LinkKind.RELATED: 1.0,
    LinkKind.SOURCE: 1.0,
    LinkKind.USES: 1.0,
    LinkKind.NEXT: 1.0,
    LinkKind.EMBEDS: 0.5,
    LinkKind.PAPER: 0.5,
    LinkKind.HUB: 0.5,
    LinkKind.SECTION: 0.5,
    LinkKind.SUBMAP: 0.5,
    LinkKind.TOPIC: 0.5,
    LinkKind.MENTIONS: 0.3,
    LinkKind.CATEGORY: 0.0,
    LinkKind.TAGGED: 0.0,
}
# A link touching a note with more links than this weighs sqrt(HUB_LINKS / its links).
HUB_LINKS = 50
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
    """The undirected weighted graph of notes that `clusters` and `bridges` work on.

    Nodes are numbers, one per note with a page in the order of their ids, which the
    list ``G.graph["ids"]`` holds (networkx's Louvain runs twice as fast on numbers as
    on text); an edge's ``weight`` sums its links' weights (`LINK_WEIGHTS`, damped at
    hubs) and ``links`` counts them.

    >>> from kg.graph.knowledge import _demo
    >>> G = note_weights(_demo())
    >>> G.graph["ids"], sorted(G.edges(data="weight"))
    (['a', 'b', 'c'], [(0, 1, 1.0), (1, 2, 0.3)])
    """
    import networkx as nx

    ids = sorted(i for i, h in graph.note_table.headers() if is_note(h[1], h[2]))
    number = {note: n for n, note in enumerate(ids)}
    sources, targets = graph.link_table.end_lists()
    kinds = graph.link_table.kind_list()
    degree = [0] * len(ids)
    pairs: list[tuple[int, int, float]] = []
    of, kind_weight = number.get, LINK_WEIGHTS.get
    for source, target, kind in zip(sources, targets, kinds, strict=True):
        weight, a, b = kind_weight(kind, 0.0), of(source), of(target)
        if weight <= 0 or a is None or b is None or a == b:
            continue
        degree[a] += 1
        degree[b] += 1
        pairs.append((a, b, weight) if a < b else (b, a, weight))
    pairs.sort()
    edges: list[tuple[int, int, dict[str, Any]]] = []
    for a, b, weight in pairs:
        busiest = max(degree[a], degree[b])
        if busiest > HUB_LINKS:
            weight *= math.sqrt(HUB_LINKS / busiest)
        if edges and edges[-1][0] == a and edges[-1][1] == b:
            edges[-1][2]["weight"] += weight
            edges[-1][2]["links"] += 1
        else:
            edges.append((a, b, {"weight": weight, "links": 1}))
    G = nx.Graph(ids=ids)
    G.add_nodes_from(range(len(ids)))
    for edge in edges:
        edge[2]["weight"] = round(edge[2]["weight"], 6)
    G.add_edges_from(edges)
    return G


def clusters(
    graph: KnowledgeGraph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    min_size: int = 2,
    weights: nx.Graph | None = None,
    found: Sequence[Sequence[int]] | None = None,
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
        The graph `note_weights` gives, when already made.
    found
        Its communities (node numbers), when already found (kept in the index).

    Returns
    -------
    Clustering
        The clusters, numbered in the order of their smallest note id.

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
    G = note_weights(graph) if weights is None else weights
    if found is None:
        found = communities(G, resolution=resolution, seed=seed)
    groups = sorted((sorted(c) for c in found if len(c) >= min_size), key=lambda c: c[0])
    ids: list[str] = G.graph["ids"]  # numbered in id order: sorting numbers sorts ids
    unclustered = tuple(ids[n] for n in sorted(n for c in found if len(c) < min_size for n in c))
    cluster_of = {note: number for number, group in enumerate(groups) for note in group}
    titles = [graph.note_table.title(note) for note in ids]
    named = _names(groups, _texts(graph, ids, titles))
    made = []
    for number, group in enumerate(groups):
        inner: Counter[int] = Counter()
        across: Counter[int] = Counter()
        inside = links = 0
        for note in group:
            for other, data in G[note].items():
                theirs = cluster_of.get(other)
                if theirs == number:
                    inner[note] += data["weight"]
                    inside += data["links"]
                else:
                    links += 2 * data["links"]  # counted once here, as inside links twice
                    if theirs is not None:
                        across[theirs] += data["links"]
        links += inside
        central = sorted(group, key=lambda n: (-round(inner[n], 6), n))[:CENTRAL]
        words = named[number]
        made.append(
            Cluster(
                id=number,
                name=" · ".join(words) if words else titles[central[0]],
                size=len(group),
                inside=round(inside / links, 3) if links else 0.0,
                words=words,
                titles=tuple(titles[n] for n in central),
                central=tuple(ids[n] for n in central),
                note_ids=tuple(ids[n] for n in group),
                linked=tuple(sorted(across.items(), key=lambda c: (-c[1], c[0]))),
            )
        )
    labels = MappingProxyType({ids[note]: number for note, number in cluster_of.items()})
    return Clustering(Results(made, Cluster), labels, unclustered, resolution, seed)


def _texts(graph: KnowledgeGraph, ids: list[str], titles: list[str]) -> list[str]:
    """Each note's title, description and claim (what names a cluster), read without
    the notes' bodies when the graph comes from an index."""
    table = graph.note_table
    if table.read_items is not None:
        items = {note_id: item for note_id, item in table.read_items()}
        fields = [items.get(note_id, {}) for note_id in ids]
    else:
        fields = [{"description": table[i].description, "claim": table[i].claim} for i in ids]
    return [
        " ".join((title, item.get("description") or "", item.get("claim") or ""))
        for title, item in zip(titles, fields, strict=True)
    ]


def _names(groups: list[list[int]], texts: list[str]) -> list[tuple[str, ...]]:
    """Each group's most distinctive words: a word scores its share of the group's notes
    (title, description, claim) times the log of how much larger that share is than in
    the corpus; shown in the form most often written."""
    stems_of: list[set[str]] = []
    written: dict[str, Counter[str]] = defaultdict(Counter)
    everywhere: Counter[str] = Counter()
    total = len(texts)
    for text in texts:
        found = set()
        for word in plain_words(text):
            if word.isdigit() or word in NAME_SKIP:
                continue
            root = stem(word)
            found.add(root)
            written[root][word] += 1
        stems_of.append(found)
        everywhere.update(found)
    names = []
    for group in groups:
        here: Counter[str] = Counter()
        for note in group:
            here.update(stems_of[note])
        least = 2 if len(group) >= 4 else 1
        scored = []
        for root, count in here.items():
            if count < least:
                continue
            share, base = count / len(group), everywhere[root] / total
            if share > base:
                scored.append((-share * math.log(share / base), root))
        scored.sort()
        names.append(tuple(written[root].most_common(1)[0][0] for _, root in scored[:WORDS]))
    return names
