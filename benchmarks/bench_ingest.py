"""Time parsing and graph building of a generated corpus (issue: ingest).

    python benchmarks/bench_ingest.py [--pages 10000] [--corpus DIR] [--repeat 3]

Prints the median of `--repeat` runs for: parsing every file, building the graph
(nodes, typed links, mention matching), saving the index, and reopening it unchanged.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate
from kg.build import build
from kg.config import Config
from kg.corpus import discover, stamp
from kg.graph import KnowledgeGraph
from kg.loader import load, parse_corpus
from kg.store import load_graph, save_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse a generated corpus")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="kg-bench-")) / "corpus"
    if not corpus.exists() or not any(corpus.iterdir()):
        generate(corpus, pages=args.pages, seed=7)
    config = Config()
    parse_s, build_s, graph_s, save_s, reopen_s = [], [], [], [], []
    index = corpus.parent / "bench-index"
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        pages, diagnostics, files = parse_corpus(corpus, config)
        t1 = time.perf_counter()
        notes, links, problems = build(pages)
        t2 = time.perf_counter()
        graph = KnowledgeGraph(notes, links, diagnostics + problems, files=files, root=corpus)
        t3 = time.perf_counter()
        stamps = [stamp(p, corpus) for p in discover(corpus)]
        save_graph(index, graph, stamps)
        t4 = time.perf_counter()
        reopened = load_graph(index, [stamp(p, corpus) for p in discover(corpus)], corpus)
        t5 = time.perf_counter()
        assert reopened is not None and len(reopened) == len(graph)
        parse_s.append(t1 - t0)
        build_s.append(t2 - t1)
        graph_s.append(t3 - t2)
        save_s.append(t4 - t3)
        reopen_s.append(t5 - t4)
    stats = graph.corpus_stats()
    t0 = time.perf_counter()
    load(corpus, index=index, embed=False)
    unchanged = time.perf_counter() - t0
    med = statistics.median
    total = med(parse_s) + med(build_s) + med(graph_s)
    print(f"corpus: {files} files, {stats.notes} notes, {stats.stubs} stubs, {stats.links} links")
    print(f"parse:             {med(parse_s):6.2f} s  ({files / med(parse_s):,.0f} files/s)")
    print(f"build links:       {med(build_s):6.2f} s  (declared links, mentions, stubs)")
    print(f"networkx graph:    {med(graph_s):6.2f} s")
    print(f"parse + build:     {total:6.2f} s  (target < 5 s)")
    print(f"save index:        {med(save_s):6.2f} s")
    print(f"reopen index:      {med(reopen_s):6.2f} s")
    print(f"kg.load unchanged: {unchanged:6.2f} s")


if __name__ == "__main__":
    main()
