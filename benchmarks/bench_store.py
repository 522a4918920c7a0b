"""Time kg's graph in a real SPARQL store (issue 16): an Oxigraph server started here.

    python benchmarks/bench_store.py [--pages 10000] [--corpus DIR] [--queries 200]

Generates the corpus (unless --corpus names one), opens it locally (the baseline: the
index built first, not timed), starts `oxigraph serve` on 127.0.0.1 on a free port with
a fresh store, then times:

* the first push (every file's named graph and metadata graph; to Oxigraph as N-Quads, a
  batch of files per request, while the corpus is cut 400 files at a time), and the
  triples it sent; then the same into another fresh store with ``bulk=True`` (Oxigraph's
  bulk loader, opt-in: not atomic);
* fetching the hash of every file graph from the store (the one query a push starts with);
* a push with nothing changed, and a re-push after one edited file (the index updated in
  place first, not timed; the push itself: one hash query, cutting the files whose graph
  can have changed, one update request);
* opening the graph from the store with `kg.connect` (mirroring the texts, then parsing;
  cold, then warm when the mirror and its index exist);
* 2-hop neighbourhoods of `--queries` notes, as one SPARQL query each against the store
  (p50/p99): kg's query (`kg.store.remote.neighbourhood_query`, which must count the same
  notes as the local graph) and the earlier one over the `kg:Link` nodes, beside the same
  neighbourhoods from the local graph (`g.neighbours`).
Targets: first push < 60 s, one-file re-push < 1 s, 2-hop from the store < 50 ms p50.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate
from kg.index.loader import load
from kg.store.endpoint import Endpoint
from kg.store.push import push, store_hashes
from kg.store.remote import connect, neighbourhood_query
from kg.store.server import OxigraphServer

LINK_NODES = """SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{
  {{ ?l1 kg:from <{iri}> ; kg:to ?a }} UNION {{ ?l1 kg:to <{iri}> ; kg:from ?a }}
  OPTIONAL {{ {{ ?l2 kg:from ?a ; kg:to ?b }} UNION {{ ?l2 kg:to ?a ; kg:from ?b }} }}
}}"""


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by process `pid` (this one when None)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--corpus", default=None, help="an existing corpus folder")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-store-"))
    corpus = Path(args.corpus) if args.corpus else work / "corpus"
    if not args.corpus:
        generate(corpus, pages=args.pages, seed=7)
    load(corpus, embed="none")  # build the index: not timed
    started = time.perf_counter()
    graph = load(corpus, embed="none")
    print(
        f"baseline: open the corpus locally from its index: {time.perf_counter() - started:.2f} s"
    )

    with OxigraphServer(work / "store") as server:
        store = Endpoint(server.url)
        pid = server.process.pid if server.process else None
        cpu, server_cpu = cpu_seconds(), cpu_seconds(pid)
        started = time.perf_counter()
        first = push(graph, store)
        took = time.perf_counter() - started
        cpu, server_cpu = cpu_seconds() - cpu, cpu_seconds(pid) - server_cpu
        print(
            f"first push: {took:.1f} s, {first.sent} file graphs, {first.triples:,} triples "
            f"({first.triples / took:,.0f} triples/s)  [target < 60 s]; CPU: kg {cpu:.1f} s, "
            f"the server {server_cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
        )
        with OxigraphServer(work / "store-bulk") as other:  # the opt-in bulk first load
            pid = other.process.pid if other.process else None
            cpu, server_cpu = cpu_seconds(), cpu_seconds(pid)
            started = time.perf_counter()
            bulk = push(graph, Endpoint(other.url), bulk=True)
            took = time.perf_counter() - started
            cpu, server_cpu = cpu_seconds() - cpu, cpu_seconds(pid) - server_cpu
            print(
                f"first push with bulk=True (another fresh store): {took:.1f} s, {bulk.sent} file "
                f"graphs; CPU: kg {cpu:.1f} s, the server {server_cpu:.1f} s; load average "
                f"{os.getloadavg()[0]:.1f}"
            )
        started = time.perf_counter()
        hashes = store_hashes(store)
        took = time.perf_counter() - started
        print(f"the store's hashes: {took * 1000:.0f} ms for {len(hashes):,} file graphs")
        started = time.perf_counter()
        same = push(graph, store)
        took = time.perf_counter() - started
        print(f"push with nothing changed: {took:.2f} s, {same.sent} sent, {same.cut} cut")
        edited = sorted(corpus.glob("*_synthesis_*"))[0]
        edited.write_text(
            edited.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8"
        )
        graph = load(corpus, embed="none")
        started = time.perf_counter()
        again = push(graph, store)
        took = time.perf_counter() - started
        print(
            f"re-push after one edit: {took:.2f} s, {again.sent} graph sent, "
            f"{again.cut} files cut ({graph.index_update.mode} index)  [target < 1 s]"
        )

        mirror = work / "mirror"
        for label in ("cold", "warm"):
            started = time.perf_counter()
            remote = connect(server.url, cache=mirror, embed="none")
            took = time.perf_counter() - started
            print(f"open from the store ({label}): {took:.2f} s, {len(remote.notes()):,} notes")

        notes = [n for n in graph.notes() if not n.stub]
        picks = random.Random(7).sample(notes, min(args.queries, len(notes)))
        remote_ms: list[float] = []
        nodes_ms: list[float] = []
        local_ms: list[float] = []
        differ = 0
        for note in picks:
            iri = "urn:kg:note:" + note.id
            started = time.perf_counter()
            rows = store.select(neighbourhood_query(iri, count=True))
            remote_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            store.select(LINK_NODES.format(iri=iri))
            nodes_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            near = graph.neighbours(note.id, depth=2)
            local_ms.append((time.perf_counter() - started) * 1000)
            differ += int(rows[0]["count"]) != len({n.note.id for n in near} - {note.id})
        print(
            f"2-hop neighbourhood, {len(picks)} notes: store p50 {statistics.median(remote_ms):.1f} ms, "
            f"p99 {percentile(remote_ms, 0.99):.1f} ms  [target < 50 ms p50] ({differ} counts "
            f"differ from the local ones); over the kg:Link nodes p50 "
            f"{statistics.median(nodes_ms):.1f} ms, p99 {percentile(nodes_ms, 0.99):.1f} ms; local "
            f"g.neighbours p50 {statistics.median(local_ms):.1f} ms, p99 {percentile(local_ms, 0.99):.1f} ms"
        )


if __name__ == "__main__":
    main()
