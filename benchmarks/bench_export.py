"""Time exports of a generated corpus (issue: export subgraphs to GraphML, RDF and JSON).

    python benchmarks/bench_export.py [--pages 10000] [--corpus DIR] [--repeat 3]
                                      [--formats graphml,turtle,nt,jsonld,json]

Opens the corpus (building its index first if needed; that is not timed), then times,
for each format, choosing the subgraph and writing the file (`g.subgraph(...)` plus
`.write(path, format)`) for: the 2-hop neighbourhood of one synthesis note (all link
kinds, and related links only) and the whole corpus. Prints the first run and the median
of `--repeat` runs (wall clock, and CPU time of this process, which a busy machine
inflates less); targets: 0.2 s for a 2-hop export, 5 s for the whole corpus.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate
from kg.export.subgraph import SubGraph
from kg.graph.knowledge import KnowledgeGraph
from kg.index.loader import load
from kg.model import NoteKind

TARGETS = {"2-hop": 0.2, "2-hop related": 0.2, "whole corpus": 5.0}


def centre_of(graph: KnowledgeGraph) -> str:
    """A typical synthesis note: the one with the median number of links, ties by id."""
    notes = sorted(
        (n for n in graph.notes(NoteKind.SYNTHESIS, stubs=False)),
        key=lambda n: (len(graph.links_of(n)), n.id),
    )
    return notes[len(notes) // 2].id


def timed(run: Callable[[], SubGraph], repeat: int) -> tuple[float, float, float, SubGraph]:
    """Wall time of the first run, median wall and median CPU time of the next `repeat`."""
    wall: list[float] = []
    cpu: list[float] = []
    sub: SubGraph | None = None
    for _ in range(repeat + 1):  # the first run is reported on its own
        started, started_cpu = time.perf_counter(), time.process_time()
        sub = run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert sub is not None
    return wall[0], statistics.median(wall[1:]), statistics.median(cpu[1:]), sub


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse a generated corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="graphml,turtle,nt,jsonld,json")
    args = parser.parse_args()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="kg-bench-")) / "corpus"
    if not corpus.exists() or not any(corpus.iterdir()):
        generate(corpus, pages=args.pages, seed=7)
    graph = load(corpus, index=corpus.parent / "bench-export-index", embed=False)
    centre = centre_of(graph)
    out = Path(tempfile.mkdtemp(prefix="kg-bench-export-"))
    stats = graph.corpus_stats()
    print(f"corpus: {stats.files} files, {len(graph)} notes, {stats.links} links")
    print(f"2-hop centre: {graph.note(centre).title!r}")
    selections: dict[str, Callable[[], SubGraph]] = {
        "2-hop": lambda: graph.subgraph(around=centre, depth=2),
        "2-hop related": lambda: graph.subgraph(around=centre, depth=2, kinds=["related"]),
        "whole corpus": lambda: graph.subgraph(),
    }
    print(
        f"{'export':<14} {'format':<8} {'notes':>7} {'links':>8} {'MB':>7} {'first':>7} {'median':>7}"
    )
    for name, choose in selections.items():
        for fmt in args.formats.split(","):
            target = out / f"{name.replace(' ', '-')}.{fmt}"

            def run(
                choose: Callable[[], SubGraph] = choose, fmt: str = fmt, target: Path = target
            ) -> SubGraph:
                sub = choose()
                sub.write(target, fmt)
                return sub

            first, median, cpu, sub = timed(run, args.repeat)
            size = target.stat().st_size / 1e6
            flag = "" if median <= TARGETS[name] else f"  (target {TARGETS[name]} s)"
            print(
                f"{name:<14} {fmt:<8} {len(sub.notes):>7} {len(sub.links):>8} {size:>7.1f} "
                f"{first:>6.2f}s {median:>6.2f}s {cpu:>6.2f}s{flag}"
            )
            target.unlink()


if __name__ == "__main__":
    main()
