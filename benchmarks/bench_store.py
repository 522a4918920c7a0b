"""Time kg's graph in a real SPARQL store (issue 16): an Oxigraph server started here.

    python benchmarks/bench_store.py [--pages 10000] [--corpus DIR] [--queries 200]

Generates the corpus (unless --corpus names one), opens it locally (the baseline: the
index built first, not timed), starts `oxigraph serve` on 127.0.0.1 on a free port with
a fresh store, then times:

* the first push (every file's named graph and metadata graph, by the Graph Store
  Protocol), and the triples it sent;
* a re-push after one edited file (the graph rebuilt from the index first, not timed;
  the push itself: partitioning the corpus, one hash query, two PUTs);
* opening the graph from the store with `kg.connect` (mirroring the texts, then parsing;
  cold, then warm when the mirror and its index exist);
* 2-hop neighbourhoods of `--queries` notes, as one SPARQL query each against the store
  (p50/p99), beside the same neighbourhoods from the local graph (`g.neighbours`).
Targets: first push < 60 s, one-file re-push < 1 s, 2-hop from the store < 50 ms p50.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate
from kg.index.loader import load
from kg.store.endpoint import Endpoint
from kg.store.push import push
from kg.store.remote import connect
from kg.store.server import OxigraphServer

TWO_HOP = """SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{
  {{ ?l1 kg:from <{iri}> ; kg:to ?a }} UNION {{ ?l1 kg:to <{iri}> ; kg:from ?a }}
  OPTIONAL {{ {{ ?l2 kg:from ?a ; kg:to ?b }} UNION {{ ?l2 kg:to ?a ; kg:from ?b }} }}
}}"""


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
        started = time.perf_counter()
        first = push(graph, store)
        took = time.perf_counter() - started
        print(
            f"first push: {took:.1f} s, {first.sent} file graphs, {first.triples:,} triples "
            f"({first.triples / took:,.0f} triples/s)  [target < 60 s]"
        )
        edited = sorted(corpus.glob("*_synthesis_*"))[0]
        edited.write_text(
            edited.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8"
        )
        graph = load(corpus, embed="none")
        started = time.perf_counter()
        again = push(graph, store)
        took = time.perf_counter() - started
        print(f"re-push after one edit: {took:.2f} s, {again.sent} graph sent  [target < 1 s]")

        mirror = work / "mirror"
        for label in ("cold", "warm"):
            started = time.perf_counter()
            remote = connect(server.url, cache=mirror, embed="none")
            took = time.perf_counter() - started
            print(f"open from the store ({label}): {took:.2f} s, {len(remote.notes()):,} notes")

        notes = [n for n in graph.notes() if not n.stub]
        picks = random.Random(7).sample(notes, min(args.queries, len(notes)))
        remote_ms: list[float] = []
        local_ms: list[float] = []
        for note in picks:
            iri = "urn:kg:note:" + note.id
            started = time.perf_counter()
            store.select(TWO_HOP.format(iri=iri))
            remote_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            graph.neighbours(note.id, depth=2)
            local_ms.append((time.perf_counter() - started) * 1000)
        print(
            f"2-hop neighbourhood, {len(picks)} notes: store p50 {statistics.median(remote_ms):.1f} ms, "
            f"p99 {percentile(remote_ms, 0.99):.1f} ms  [target < 50 ms p50]; local g.neighbours "
            f"p50 {statistics.median(local_ms):.1f} ms, p99 {percentile(local_ms, 0.99):.1f} ms"
        )


if __name__ == "__main__":
    main()
