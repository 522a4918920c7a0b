#!/usr/bin/env python3
"""Time the shape of the corpus on a planted-topic corpus: gaps (and the clusters they come from).

Writes (once) a planted corpus (`benchmarks.corpus.planted`) of GROUPS x PER_GROUP notes,
indexes it with kg's default static vectors, then times, `--runs` times, the
clustering (`g.clusters()`) and `kg.query.gaps.gaps` (top 10, 20
suggestions), printing the median and every run, with the NMI of the clusters against the
planted groups and whether the thinned pair is the first gap.

Usage::

    python benchmarks/bench_shape.py /tmp/planted10k --groups 12 --per-group 834 --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus.planted import generate, nmi


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module's docstring."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folder", type=Path)
    p.add_argument("--groups", type=int, default=12)
    p.add_argument("--per-group", type=int, default=834)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args(argv)
    import kg
    from kg.graph.communities import clusters as cluster_notes
    from kg.query.gaps import gaps

    corpus, truth_file = a.folder / "corpus", a.folder / "truth.json"
    if not truth_file.exists():
        t0 = time.perf_counter()
        generate(
            corpus, a.groups, a.per_group, near=[(0, 1)], near_links=20,
            linked=[(2, 3), (4, 5)], linked_links=max(30, a.per_group // 4), remove=(0, 1, 0.2),
            truth=truth_file,
        )  # fmt: skip
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    truth = json.loads(truth_file.read_text())
    t0 = time.perf_counter()
    graph = kg.load(corpus)
    print(f"loaded {graph} in {time.perf_counter() - t0:.1f} s")
    clusters_s, gaps_s = [], []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        clusters = cluster_notes(graph).labels  # not the graph's kept clustering: timed anew
        t1 = time.perf_counter()
        found = gaps(graph, clusters, top=10, suggestions=20)
        t2 = time.perf_counter()
        clusters_s.append(t1 - t0)
        gaps_s.append(t2 - t1)
    ids = {n.title: n.id for n in graph.notes()}
    titles = sorted(truth["groups"])
    score = nmi([truth["groups"][t] for t in titles], [clusters[ids[t]] for t in titles])
    thinned = {clusters[ids[t]] for t, g in truth["groups"].items() if g in (0, 1)}
    removed = {frozenset((ids[s], ids[t])) for s, t in truth["removed"]}
    at = [i for i, g in enumerate(found) if {g.first, g.second} == thinned]
    hits = (
        len(removed & {frozenset((s.source, s.target)) for s in found[at[0]].suggested})
        if at
        else 0
    )
    print(f"clusters: {len(set(clusters.values()))}, NMI {score:.3f}; thinned pair at {at}, "
          f"{hits}/{len(removed)} removed links suggested (of 20)")  # fmt: skip
    for name, runs in (("clusters", clusters_s), ("gaps", gaps_s)):
        listed = " ".join(f"{r:.3f}" for r in runs)
        print(f"{name}: median {statistics.median(runs):.3f} s  runs {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
