"""The communities `clusters` found, kept in the index folder until the links change.

Finding communities is the costly part of `kg.graph.communities.clusters`; the rest
(statistics, names) is worked out again from the notes as they are. The communities are
kept in ``clusters.json`` in the graph's index folder under the signature of what they
were found from (`links_signature`: the notes' ids, every link's source, target and kind,
the link weights and the method), one run per resolution, seed and least size. The runs of
the last `KEPT_SIGNATURES` signatures are kept, newest first, so a process still holding
a graph from before an edit that writes its runs leaves the newer ones in place. An edit that changes
only text keeps the signature, so the same communities are used (and the same cluster
ids); an edit that adds, removes or retargets a link changes it, and they are found
again, Leiden starting from the kept ones (`previous`) so that most notes stay in their
clusters, and each new cluster takes the id of the kept one it shares most notes with
(`matched`), so that ids do not reshuffle. The communities are kept in the order of
their cluster ids. The file is written whole and renamed into place under the index lock; a file that
is damaged, of another format or of other links is ignored, never used.

>>> import tempfile, pathlib
>>> from kg.graph.knowledge import _demo
>>> g = _demo()
>>> g.index_folder = pathlib.Path(tempfile.mkdtemp())
>>> keep(g, "1.0/0/2", [["a", "b", "c"]])
True
>>> read(g, "1.0/0/2"), read(g, "2.0/0/2")
([[0, 1, 2]], None)
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.errors import KgError
from kg.graph.weights import note_ids
from kg.io import read_record

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

__all__ = ["FILE", "Kept", "keep", "links_signature", "matched", "previous", "read"]

FILE = "clusters.json"
FORMAT = 3  # 2: communities as lists of note ids; 3: runs of several signatures
KEPT_SIGNATURES = 4
# Kept communities seed the next run only when they hold at least this share of the notes
# (of now and of then, whichever are more).
REUSE_SHARE = 0.9


def links_signature(graph: KnowledgeGraph) -> str:
    """A hash of what the communities are found from: the weighted graph of notes
    (`kg.graph.weights.weight_arrays`: the notes with a page, each pair's summed link
    weight) and the method. A tag, a category or a link to a stub weighs nothing there,
    so adding one keeps the kept communities.

    >>> from kg.graph.knowledge import _demo
    >>> len(links_signature(_demo())), links_signature(_demo()) == links_signature(_demo())
    (64, True)
    """
    from kg.graph.partition import EDGE_PASSES, ITERATIONS, METHOD, WARM_ITERATIONS
    from kg.graph.weights import HUB_LINKS, LINK_WEIGHTS, weight_arrays

    made = getattr(graph, "_note_weights", None)  # ShapeMethods keeps the arrays it made
    W = made() if callable(made) else weight_arrays(graph)
    digest = hashlib.sha256()
    method = [METHOD, ITERATIONS, EDGE_PASSES, WARM_ITERATIONS, HUB_LINKS]
    method.append(sorted(LINK_WEIGHTS.items()))
    digest.update(json.dumps(method).encode("utf-8"))
    digest.update(b"\x01")
    digest.update("\x00".join(W.ids).encode("utf-8", "surrogatepass"))
    for numbers, kind in ((W.first, "<i8"), (W.second, "<i8"), (W.weight, "<f8")):
        digest.update(b"\x01")
        digest.update(np.ascontiguousarray(numbers, dtype=kind).tobytes())
    return digest.hexdigest()


def _signature(graph: KnowledgeGraph) -> str:
    """The graph's links signature, worked out once per graph (a graph does not change)."""
    found = getattr(graph, "_links_signature", None)
    if not isinstance(found, str):
        found = links_signature(graph)
        graph._links_signature = found
    return found


def _entries(graph: KnowledgeGraph) -> list[dict[str, Any]]:
    """The kept entries (``links``: a signature, ``runs``: key -> communities), newest
    first; none when the file is missing, damaged or of another format."""
    folder = getattr(graph, "index_folder", None)
    if folder is None:
        return []
    data = read_record(folder / FILE, FORMAT, {"entries": list})
    if data is None:
        return []
    return [
        entry
        for entry in data["entries"]
        if isinstance(entry, dict)
        and isinstance(entry.get("links"), str)
        and isinstance(entry.get("runs"), dict)
    ]


def _runs(graph: KnowledgeGraph, mine: bool) -> dict[str, Any] | None:
    """The runs kept for the graph's own links (`mine`), or else for the newest other."""
    signature = _signature(graph)
    for entry in _entries(graph):
        if (entry["links"] == signature) == mine:
            runs: dict[str, Any] = entry["runs"]
            return runs
    return None


def read(graph: KnowledgeGraph, key: str) -> list[list[int]] | None:
    """The communities kept for the graph's links under `key` (resolution, seed, least
    size), as lists of note numbers (`note_weights`' order), or None when none are kept."""
    runs = _runs(graph, mine=True)
    if runs is None:
        return None
    ids = _ids(graph)
    number = {note: n for n, note in enumerate(ids)}
    groups = _groups(runs.get(key))
    if groups is None or sum(map(len, groups)) != len(ids):
        return None
    found = [[number.get(note, -1) for note in group] for group in groups]
    if len({n for group in found for n in group} - {-1}) != len(ids):  # every note once
        return None
    return found


@dataclass(frozen=True)
class Kept:
    """Communities kept for other links (before an edit that changed links), by the notes'
    numbers now (`kg.graph.weights.weight_arrays`' order): a community number for each
    note, notes new since then each alone (where Leiden starts from), and the clusters
    in the order of their ids then (notes gone since then left out)."""

    membership: list[int]
    clusters: list[list[int]]


def previous(graph: KnowledgeGraph, key: str, min_size: int = 1) -> Kept | None:
    """The communities kept under `key` for other links (`Kept`), clusters those of at
    least `min_size` notes; None when none are kept, or when they share less than
    `REUSE_SHARE` of the notes with the corpus now (a fresh run is better then).

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> previous(_demo(), "1.0:0:2") is None  # a graph without an index keeps nothing
    True
    """
    runs = _runs(graph, mine=False)
    if runs is None:
        return None
    groups = _groups(runs.get(key))
    if groups is None:
        return None
    ids = _ids(graph)
    number = {note: n for n, note in enumerate(ids)}
    was = {note: group for group, notes in enumerate(groups) for note in notes}
    # A few passes from the kept communities refine them; from a kept file that shares
    # little with the corpus now (a bulk import, another corpus) they would settle less
    # well than a full run from scratch.
    still = sum(1 for note in ids if note in was)
    if still < REUSE_SHARE * max(len(ids), len(was)):
        return None
    fresh = iter(range(len(groups), len(groups) + len(ids)))
    membership = [was[note] if note in was else next(fresh) for note in ids]
    clusters = [
        [number[note] for note in notes if note in number]
        for notes in groups
        if len(notes) >= min_size
    ]
    return Kept(membership, clusters)


def matched(
    found: Sequence[Sequence[int]], before: Sequence[Sequence[int]], min_size: int
) -> list[list[int]]:
    """`found`'s communities in the order of the cluster ids they take, so that ids do not
    reshuffle after an edit of links: each community of at least `min_size` notes takes
    the id of the cluster of `before` (clusters in id order) it shares most notes with,
    the largest overlaps first; the others, and those whose id is past the new number of
    clusters, take the free ids in the order of their smallest note. The smaller
    communities come last.

    >>> matched([[0, 1], [2, 3, 4], [5, 6]], [[2, 3], [0, 1, 4], [7, 8]], 2)
    [[2, 3, 4], [0, 1], [5, 6]]
    """
    new = sorted((sorted(c) for c in found if len(c) >= min_size), key=lambda c: c[0])
    small = [list(c) for c in found if len(c) < min_size]
    was = {note: cluster for cluster, notes in enumerate(before) for note in notes}
    overlap: Counter[tuple[int, int]] = Counter(
        (i, was[note]) for i, notes in enumerate(new) for note in notes if note in was
    )
    slots: list[int | None] = [None] * len(new)
    placed: set[int] = set()
    for (i, j), _ in sorted(overlap.items(), key=lambda o: (-o[1], o[0][1], o[0][0])):
        if i not in placed and j < len(new) and slots[j] is None:
            slots[j] = i
            placed.add(i)
    rest = iter(i for i in range(len(new)) if i not in placed)
    return [new[next(rest) if i is None else i] for i in slots] + small


def _ids(graph: KnowledgeGraph) -> list[str]:
    return note_ids(graph)  # the same numbering as the weighted graph's


def _groups(value: Any) -> list[list[str]] | None:
    if not isinstance(value, list) or not all(isinstance(group, list) for group in value):
        return None
    if not all(isinstance(note, str) for group in value for note in group):
        return None
    return value


def keep(graph: KnowledgeGraph, key: str, groups: list[list[str]]) -> bool:
    """Keep the communities (lists of note ids) in the graph's index folder (when it has one
    that exists), beside those kept for the same links under other keys and those of the
    last other signatures. A failure to write leaves them uncached, never fails the
    caller. Returns whether they were kept."""
    folder = getattr(graph, "index_folder", None)
    if folder is None or not folder.is_dir():
        return False
    from kg.io import index_lock, write_atomic

    signature = _signature(graph)
    with suppress(OSError, KgError), index_lock(folder, timeout=5.0):
        entries = _entries(graph)
        own = next((e for e in entries if e["links"] == signature), None)
        runs = own["runs"] if own is not None else {}
        runs[key] = groups
        others = [e for e in entries if e["links"] != signature]
        kept = [{"links": signature, "runs": runs}, *others][:KEPT_SIGNATURES]
        body = {"format": FORMAT, "entries": kept}
        write_atomic(folder / FILE, json.dumps(body, separators=(",", ":")).encode("utf-8"))
        return True
    return False
