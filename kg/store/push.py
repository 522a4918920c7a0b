"""Publish the corpus to a SPARQL store by the Graph Store HTTP Protocol, sending only the
graphs of files added, changed or removed since the store last saw them.

Each file's data graph is replaced whole by one PUT (the store swaps it in one
transaction), then its metadata graph (hash and text) by a second. A push cut off between
the two leaves the data new and the hash old, so the next push sends that file again: no
graph is ever half-written, and the store's hashes never claim what it does not hold.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.store.endpoint import Endpoint
from kg.store.partition import HASH, SHARED_META, FileGraph, meta_iri, partition

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

BATCH = 64  # graphs sent between two progress reports
WORKERS = 4  # requests in flight at once


@dataclass(frozen=True)
class PushResult:
    """What a push did: graphs `sent` (added or changed files), `removed` (deleted
    files), `unchanged`, and the `triples` in the graphs sent."""

    sent: int
    removed: int
    unchanged: int
    triples: int


def store_hashes(endpoint: Endpoint) -> dict[str, str]:
    """The data graph IRI -> hash of every file graph the store holds."""
    rows = endpoint.select(f"SELECT ?g ?h WHERE {{ GRAPH ?m {{ ?g <{HASH}> ?h }} }}")
    return {row["g"]: row["h"] for row in rows}


def push(
    g: KnowledgeGraph,
    endpoint: Endpoint | str,
    progress: Callable[[int, int], None] | None = None,
    workers: int = WORKERS,
) -> PushResult:
    """Publish `g` to the store at `endpoint`, one named graph per source file.

    Parameters
    ----------
    g
        The graph (its `root` is the corpus folder whose texts are stored too).
    endpoint
        The store, or its base URL.
    progress
        Called as ``progress(done, total)`` after each batch of graphs.
    workers
        Requests in flight at once.

    Returns
    -------
    PushResult

    Raises
    ------
    StoreError
        When the store cannot be reached or refuses a request (after retries); graphs
        already sent stay sent, each whole.
    """
    store = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
    local = partition(g)
    remote = store_hashes(store)
    changed = [f for f in local.values() if remote.get(f.iri) != f.hash]
    gone = sorted(set(remote) - {f.iri for f in local.values()})
    total = len(changed) + len(gone)
    done = 0

    def send(item: FileGraph) -> None:
        store.put_graph(item.iri, item.data)
        store.put_graph(item.meta, item.meta_data())

    def drop(iri: str) -> None:
        store.delete_graph(iri)
        path = iri.removeprefix("urn:kg:file:")
        store.delete_graph(SHARED_META if path == iri else meta_iri(urllib.parse.unquote(path)))

    with ThreadPoolExecutor(max(1, workers)) as pool:
        for start in range(0, len(changed), BATCH):
            list(pool.map(send, changed[start : start + BATCH]))
            done += len(changed[start : start + BATCH])
            if progress:
                progress(done, total)
        for start in range(0, len(gone), BATCH):
            list(pool.map(drop, gone[start : start + BATCH]))
            done += len(gone[start : start + BATCH])
            if progress:
                progress(done, total)
    return PushResult(
        sent=len(changed),
        removed=len(gone),
        unchanged=len(local) - len(changed),
        triples=sum(f.data.count(b"\n") for f in changed),
    )
