"""Publish the corpus to a SPARQL store, sending only the graphs of files added, changed or
removed since the store last saw them.

What the store has is read from it: one query for the hash of every file graph (its
metadata graphs), so two machines pushing to one store agree. What the corpus has is cut
again only where it can have changed since the last push from this corpus
(`kg.store.incremental`; the whole corpus the first time, or without an index).

How graphs are sent depends on the store. A store known to run each request in one
transaction (Oxigraph, told by its `Server` header) gets a batch of files per request: for
each, the data graph and the metadata graph dropped and inserted again (SPARQL 1.1 Update,
``DROP SILENT GRAPH`` and ``INSERT DATA``), or, for files whose graphs the store does not
hold at all (a first push), the graphs added as N-Quads (a POST to the Graph Store, which
Oxigraph reads about 1.6 times faster than an update); a request that fails leaves all of
its graphs as they were. (Two first pushes of one new file at once could both add to its
graph; its metadata then holds two hashes, which `store_hashes` reads as no hash, so the
next push replaces the graph.) Any other store gets the Graph Store HTTP Protocol: one PUT
per graph, which the store swaps in whole, the data graph first, then the metadata graph
(hash and text); a push cut off between the two leaves the data new and the hash old, so
the next push sends that file again. Either way no graph is ever half-written, and the
store's hashes never claim what it does not hold (`bulk=True` gives up the first for a
cheaper first load; see `push`).
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from kg.errors import StoreError
from kg.store.endpoint import Endpoint
from kg.store.incremental import (
    GROUP,
    index_view,
    partition_files,
    plan,
    read_state,
    state_path,
    write_state,
)
from kg.store.partition import (
    HASH,
    SHARED_META,
    FileGraph,
    corpus_extras,
    graph_iri,
    meta_iri,
    partition,
)
from kg.store.static_rows import static_row_extras
from kg.store.vectors import trace_vector_extras, trace_word_extras

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

T = TypeVar("T")
BATCH = 256  # graphs sent between two progress reports (split among the requests in flight)
WORKERS = 4  # requests in flight at once
BULK_BATCH = 1000  # files a request with `bulk`
FRESH = 64  # more new files than this: ask which graphs the store holds, add the absent ones


@dataclass(frozen=True)
class PushResult:
    """What a push did: graphs `sent` (added or changed files), `removed` (deleted
    files), `unchanged`, the `triples` in the graphs sent, and how many files' graphs were
    `cut` from the corpus to know what changed."""

    sent: int
    removed: int
    unchanged: int
    triples: int
    cut: int = 0


def store_hashes(endpoint: Endpoint) -> dict[str, str]:
    """The data graph IRI -> hash of every file graph the store holds ('' for a graph
    given two hashes, which two first pushes of one new file at once can leave: the next
    push replaces it). Asked as CSV, a third of the bytes of JSON and quicker to read."""
    import csv
    import io

    data = endpoint.request(
        "POST",
        endpoint.query_url,
        urllib.parse.urlencode(
            {"query": f"SELECT ?g ?h WHERE {{ GRAPH ?m {{ ?g <{HASH}> ?h }} }}"}
        ).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    if next(rows, None) != ["g", "h"]:
        raise StoreError(f"{endpoint.base} did not answer the hash query as CSV")
    hashes: dict[str, str] = {}
    for graph, value in rows:
        hashes[graph] = value if hashes.get(graph, value) == value else ""
    return hashes


def as_quads(items: Sequence[FileGraph], data: bool = True, meta: bool = True) -> bytes:
    """The data and metadata graphs of `items` as N-Quads (every N-Triples line ends in
    " .\\n", and no literal holds a raw line break, so the graph goes before each end).

    >>> as_quads([FileGraph("a.md", b"<urn:a> <urn:b> <urn:c> .\\n", None, "0f")]).decode()[:53]
    '<urn:a> <urn:b> <urn:c> <urn:kg:file:a.md> .\\n<urn:kg:'
    """
    out: list[bytes] = []
    for item in items:
        if data:
            out.append(item.data.replace(b" .\n", f" <{item.iri}> .\n".encode()))
        if meta:
            out.append(item.meta_data().replace(b" .\n", f" <{item.meta}> .\n".encode()))
    return b"".join(out)


def _meta_of(iri: str) -> str:
    path = iri.removeprefix("urn:kg:file:")
    return SHARED_META if path == iri else meta_iri(urllib.parse.unquote(path))


def replace_graphs(items: Sequence[FileGraph], gone: Sequence[str] = ()) -> bytes:
    """One SPARQL update that replaces the data and metadata graphs of `items` (created even
    when empty, as a Graph Store PUT does) and drops those of the data graphs `gone`.

    >>> f = FileGraph("a.md", b"<urn:a> <urn:b> <urn:c> .\\n", "text", "0f")
    >>> print(replace_graphs([f]).decode().splitlines()[2])
    INSERT DATA { GRAPH <urn:kg:file:a.md> {
    """
    out: list[bytes] = []
    for item in items:
        for graph, data in ((item.iri, item.data), (item.meta, item.meta_data())):
            out += [
                f"DROP SILENT GRAPH <{graph}> ;\nCREATE SILENT GRAPH <{graph}> ;\n"
                f"INSERT DATA {{ GRAPH <{graph}> {{\n".encode(),
                data,
                b"} } ;\n",
            ]
    for iri in gone:
        out.append(f"DROP SILENT GRAPH <{iri}> ;\nDROP SILENT GRAPH <{_meta_of(iri)}> ;\n".encode())
    return b"".join(out).rstrip(b" ;\n") + b"\n"


def push(
    g: KnowledgeGraph,
    endpoint: Endpoint | str,
    progress: Callable[[int, int], None] | None = None,
    workers: int = WORKERS,
    bulk: bool = False,
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
    bulk
        Load the data graphs of files the store does not hold yet with Oxigraph's bulk
        loader, a thousand files a request, and only then their metadata graphs (hashes),
        in transactions: about half the server's work of a first push, but a push cut off
        can leave some of those graphs part-written (without their hash, so the next push
        replaces them). For a first load into a store nobody reads yet; other stores and
        files the store holds are sent as without it.

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
    remote = store_hashes(store)
    sender = _Sender(store, remote, workers, progress, bulk)
    sent = [0, 0]  # graphs, triples
    built: set[str] = set()

    def each(graphs: dict[str, FileGraph]) -> None:  # send what differs as soon as it is cut
        built.update(graphs)
        news = [f for f in graphs.values() if remote.get(f.iri) != f.hash]
        sent[0] += len(news)
        sent[1] += sum(f.data.count(b"\n") for f in news)
        sender.send(news)

    where = state_path(g)
    settings = _settings_key(g)
    try:
        state = read_state(where)
        if state is not None and state.get("settings") != settings:
            state = None  # other settings can change every file's graph: cut them all again
        local = plan(g, state, each)
        write_state(where, {**local.state, "settings": settings})
        vectors = trace_vector_extras(g)
        rows, made_by = static_row_extras(g, remote)
        words = trace_word_extras(g, vectors, made_by)
        extras = {**corpus_extras(g.root), **vectors, **rows, **words}
        each(extras)
        hashes = {**local.hashes, **{p: f.hash for p, f in extras.items()}}
        iris = {p: graph_iri(p) for p in hashes}
        missing = [p for p, h in hashes.items() if p not in built and remote.get(iris[p]) != h]
        if missing:  # the store lacks graphs this corpus did not change: cut those too
            view = index_view(g)
            if view is None:
                graphs = partition(g)
                each({p: graphs[p] for p in missing})
            else:
                for start in range(0, len(missing), GROUP):
                    each(partition_files(g, missing[start : start + GROUP], view).graphs)
        ours = set(iris.values())
        gone = sorted(set(remote) - ours)
        sender.drop(gone)
        sender.finish()
    finally:
        sender.close()
    return PushResult(
        sent=sent[0],
        removed=len(gone),
        unchanged=len(hashes) - sent[0],
        triples=sent[1],
        cut=len(built),
    )


def _settings_key(g: KnowledgeGraph) -> str:
    """What the push state was cut under: the graph's settings (kg.yaml)."""
    import hashlib

    return hashlib.sha256(repr(g.config).encode("utf-8")).hexdigest()[:16]


class _Sender:
    """Sends graphs in batches of `BATCH` files, `workers` requests in flight, in the way
    the store allows (see the module's note); `finish` waits for every request."""

    def __init__(
        self,
        store: Endpoint,
        remote: dict[str, str],
        workers: int,
        progress: Callable[[int, int], None] | None,
        bulk: bool = False,
    ) -> None:
        self.store = store
        self.remote = remote
        self.bulk = bulk
        self.metas: list[FileGraph] = []  # bulk: files whose metadata graph is still to send
        self.batch = BULK_BATCH if bulk else BATCH
        self.lanes = 1 if bulk else max(1, workers)  # one bulk load at a time: memory
        self.pool = ThreadPoolExecutor(self.lanes)
        self.pending: list[tuple[int, Future[None]]] = []
        self.queue: list[FileGraph] = []
        self.progress = progress
        self.done = 0
        self.total = 0
        self._lock = threading.Lock()
        self._atomic: bool | None = None
        self._held: set[str] | None = None  # the store's named graphs, when listed
        self._listed = False

    @property
    def atomic(self) -> bool:
        with self._lock:
            if self._atomic is None:
                self._atomic = self.store.atomic_updates
            return self._atomic

    def _fresh(self, item: FileGraph) -> bool:
        """Whether the store holds neither of the file's graphs (then they are added): the
        store's graphs are listed once, when the push sends more than `FRESH` files."""
        if item.iri in self.remote:
            return False
        with self._lock:
            if not self._listed:
                self._listed = True
                listed = self.total > FRESH or self.bulk
                self._held = self.store.named_graphs() if listed else None
        held = self._held
        return held is not None and item.iri not in held and item.meta not in held

    def send(self, items: Sequence[FileGraph]) -> None:
        self.total += len(items)
        self.queue.extend(items)
        while len(self.queue) >= self.batch:
            self._submit(self.queue[: self.batch], self._put)
            del self.queue[: self.batch]

    def drop(self, iris: Sequence[str]) -> None:
        self._flush()
        self.total += len(iris)
        for start in range(0, len(iris), BATCH):
            self._submit(list(iris[start : start + BATCH]), self._drop)

    def finish(self) -> None:
        self._flush()
        while self.pending:
            self._wait()
        metas, self.metas = self.metas, []  # bulk: the hashes, once every graph is whole
        for start in range(0, len(metas), BATCH):
            self.store.add_quads(as_quads(metas[start : start + BATCH], data=False))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _flush(self) -> None:
        if self.queue:
            self._submit(self.queue, self._put)
            self.queue = []

    def _submit(self, group: list[T], action: Callable[[Sequence[T]], None]) -> None:
        size = len(group) if self.bulk else -(-len(group) // self.lanes)
        for start in range(0, len(group), size):
            part = group[start : start + size]
            self.pending.append((len(part), self.pool.submit(action, part)))
        while len(self.pending) > 2 * self.lanes:  # keep the cutting a little ahead
            self._wait()

    def _wait(self) -> None:
        count, future = self.pending.pop(0)
        future.result()
        self.done += count
        if self.progress:
            self.progress(self.done, max(self.total, self.done))

    def _put(self, items: Sequence[FileGraph]) -> None:
        store = self.store
        if self.atomic:
            fresh = [self._fresh(f) for f in items]
            added = [f for f, new in zip(items, fresh, strict=True) if new]
            replaced = [f for f, new in zip(items, fresh, strict=True) if not new]
            if added and self.bulk:
                store.add_quads(as_quads(added, meta=False), transaction=False)
                with self._lock:
                    self.metas.extend(added)
            elif added:
                store.add_quads(as_quads(added))
            if replaced:
                store.update(replace_graphs(replaced))
            return
        for item in items:
            store.put_graph(item.iri, item.data)
            store.put_graph(item.meta, item.meta_data())

    def _drop(self, iris: Sequence[str]) -> None:
        if self.atomic:
            self.store.update(replace_graphs([], iris))
            return
        for iri in iris:
            self.store.delete_graph(iri)
            self.store.delete_graph(_meta_of(iri))
