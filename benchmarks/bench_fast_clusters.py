"""Clusters, bridges and gaps before and after (issue 28 point 6): networkx's Louvain, the
method `clusters` uses now (`kg.graph.partition`) found anew, and the communities read back
from the index folder by a freshly loaded graph (`kg.graph.cluster_cache`), alternated in one
process; each with the modularity of its communities.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/bench_fast_clusters.py \\
        --corpus /tmp/coldingest/gen10000 --index-root /tmp/fast28/bidx --runs 3

Every variant times the weighted graph of notes, the clusters (communities, statistics,
names), `bridges` and, unless ``--no-gaps``, `kg.query.gaps.gaps` (top 10, 20 suggestions:
the corpus is loaded with kg's default static vectors for it). Load (1 min) beside each.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import networkx as nx

import kg
from kg.graph.bridges import bridges
from kg.graph.communities import clusters
from kg.graph.weights import NoteWeights, weight_arrays


def modularity(G: NoteWeights, groups: list[list[int]]) -> float:
    graph = G.to_networkx()
    return float(nx.community.modularity(graph, [set(g) for g in groups], weight="weight"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", default=[], type=Path)
    parser.add_argument("--index-root", type=Path, default=Path("/tmp/bench-fast-clusters"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-gaps", action="store_true")
    args = parser.parse_args()
    from kg.graph.partition import METHOD, communities
    from kg.query.gaps import gaps

    def load(corpus: Path) -> kg.KnowledgeGraph:
        if args.no_gaps:
            return kg.load(corpus, embed="none", index=args.index_root / corpus.name)
        return kg.load(corpus, index=args.index_root / corpus.name)  # kg's default vectors

    for corpus in args.corpus:
        t0 = time.perf_counter()
        load(corpus).clusters()  # the communities kept in the index folder
        print(
            f"{corpus.name}: indexed/loaded/clustered in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
    for run in range(args.runs):
        for corpus in args.corpus:
            for variant in ("networkx-louvain", METHOD, "index cache"):
                g = load(corpus)  # a fresh graph: nothing kept on it
                t0 = time.perf_counter()
                G = weight_arrays(g)
                t1 = time.perf_counter()
                if variant == "networkx-louvain":
                    found = nx.community.louvain_communities(
                        G.to_networkx(), weight="weight", seed=0
                    )
                    groups = [sorted(c) for c in found]
                    shape = clusters(g, weights=G, found=groups)
                elif variant == METHOD:
                    groups = communities(G)
                    shape = clusters(g, weights=G, found=groups)
                else:
                    g._shape_weights = G  # the method's own weights: the graph just made
                    shape = g.clusters()
                    number = {note: n for n, note in enumerate(G.ids)}
                    groups = [[number[n] for n in c] for c in g._groups(shape)]
                t2 = time.perf_counter()
                bridges(g, shape, weights=G)
                t3 = time.perf_counter()
                if not args.no_gaps:
                    gaps(g, shape.labels, top=10, suggestions=20)
                t4 = time.perf_counter()
                print(
                    f"run {run} {corpus.name:12} {variant:17} weights {t1 - t0:.2f} s, "
                    f"clusters {t2 - t1:.2f} s, bridges {t3 - t2:.2f} s, gaps {t4 - t3:.2f} s, "
                    f"total {t4 - t0:.2f} s; {len(shape)} clusters, modularity "
                    f"{modularity(G, groups):.4f}; load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
