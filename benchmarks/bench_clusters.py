"""Clusters and bridges (issue 28 points 1, 2, 6): the time of `clusters` and `bridges` on
a loaded graph (the weighted graph of notes, Louvain, names; bridges), alternating corpora,
and the NMI of the clusters against planted topics.

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/bench_clusters.py \\
        --corpus /tmp/coldingest/gen10000 --planted /tmp/planted10k --runs 3

--planted writes (once) a corpus of 100 topics of 100 Markdown notes each, every note
linking to 5-6 notes of its topic and, one in three, to a random note anywhere; its NMI is
printed. Each corpus keeps its index in INDEX_ROOT/<name>.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from benchmarks.corpus.planted import nmi
from kg.graph.bridges import bridges
from kg.graph.communities import clusters
from kg.graph.weights import weight_arrays


def write_planted(folder: Path, topics: int = 100, size: int = 100, seed: int = 3) -> None:
    """`topics` groups of `size` notes: links mostly inside a group, a few anywhere."""
    if folder.exists():
        return
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    for k in range(topics):
        for i in range(size):
            links = [f"Topic{k} note {j}" for j in rng.sample(range(size), 6) if j != i]
            if rng.random() < 0.3:
                links.append(f"Topic{rng.randrange(topics)} note {rng.randrange(size)}")
            text = f"About topic{k}. " + " ".join(f"[[{x}]]" for x in links) + "\n"
            (folder / f"Topic{k} note {i}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", default=[], type=Path)
    parser.add_argument("--planted", type=Path)
    parser.add_argument("--index-root", type=Path, default=Path("/tmp/bench-clusters"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    corpora = list(args.corpus)
    if args.planted:
        write_planted(args.planted)
        corpora.append(args.planted)
    graphs = {c.name: kg.load(c, embed="none", index=args.index_root / c.name) for c in corpora}
    for _ in range(args.runs):
        for name, g in graphs.items():
            t0 = time.perf_counter()
            weights = weight_arrays(g)
            t1 = time.perf_counter()
            shape = clusters(g, weights=weights)
            t2 = time.perf_counter()
            bridges(g, shape, weights=weights)
            t3 = time.perf_counter()
            print(
                f"{name:12} weights {t1 - t0:.2f} s, clusters {t2 - t1:.2f} s, bridges "
                f"{t3 - t2:.2f} s, total {t3 - t0:.2f} s; {len(shape)} clusters; "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    if args.planted:
        shape = graphs[args.planted.name].clusters()
        ids = sorted(shape.labels)
        print(
            f"planted NMI {nmi([i.split('-note')[0] for i in ids], [shape.of(i) for i in ids]):.3f}"
        )


if __name__ == "__main__":
    main()
