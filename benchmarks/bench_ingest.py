"""Time parsing and graph building of a generated corpus (issue: ingest).

    python benchmarks/bench_ingest.py [--pages 10000] [--corpus DIR] [--runs 5]

Each run is a fresh Python process, as a real `kg index` is, so that one run's
memory and collector state cannot slow the next. A run times: reading every file
(the baseline: bytes in and decoded, nothing parsed), parsing, building the links
(declared links, mentions, stubs), the queryable graph, saving the index and
reopening it; then a second fresh process times `kg.load` of the unchanged corpus.
Prints every run and the median of each stage: wall seconds, and in brackets the CPU
seconds of this process (the critical path: on a machine other sessions keep busy, a
helper process waits for a core, so wall times swing where these do not) and of the
helper processes it forked (parsing and the mention scan share their work with them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STAGES = ("read", "parse", "build", "graph", "save", "reopen")


def one_run(corpus: Path, index: Path) -> dict[str, float | int]:
    """Every stage once, in this process."""
    from kg.collector import collector_paused
    from kg.config import Config
    from kg.graph.build import build
    from kg.graph.knowledge import KnowledgeGraph
    from kg.index.loader import parse_corpus
    from kg.index.read import load_graph
    from kg.index.write import save_graph
    from kg.parse.corpus import discover, stamp

    config = Config()
    cpu: list[tuple[float, float]] = []

    def mark() -> float:
        helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((time.process_time(), helpers.ru_utime + helpers.ru_stime))
        return time.perf_counter()

    t0 = mark()
    for path in discover(corpus):
        path.read_bytes().decode("utf-8", errors="replace")
    t1 = mark()
    stamps = [stamp(p, corpus) for p in discover(corpus)]
    # As a cold kg.load's build does (kg.index.forked): the collector held off until the
    # index is saved.
    with collector_paused():
        pages, diagnostics, files = parse_corpus(corpus, config)
        t2 = mark()
        notes, links, problems = build(pages)
        t3 = mark()
        graph = KnowledgeGraph(notes, links, diagnostics + problems, files=files, root=corpus)
        t4 = mark()
        save_graph(index, graph, stamps)
        t5 = mark()
    reopened = load_graph(index, [stamp(p, corpus) for p in discover(corpus)], corpus)
    t6 = mark()
    assert reopened is not None and len(reopened) == len(graph)
    stats = graph.corpus_stats()
    spent = {
        f"{name}_{which}": after[at] - before[at]
        for name, before, after in zip(STAGES, cpu, cpu[1:], strict=False)
        for at, which in enumerate(("cpu", "helpers"))
    }
    return spent | {
        "read": t1 - t0,
        "parse": t2 - t1,
        "build": t3 - t2,
        "graph": t4 - t3,
        "save": t5 - t4,
        "reopen": t6 - t5,
        "files": files,
        "notes": stats.notes,
        "stubs": stats.stubs,
        "links": stats.links,
    }


def one_reload(corpus: Path, index: Path) -> dict[str, float]:
    """`kg.load` of the unchanged corpus, imports included, in this process."""
    t0 = time.perf_counter()
    from kg.index.loader import load

    graph = load(corpus, index=index, embed=False)
    assert graph.from_index
    return {"reload": time.perf_counter() - t0}


def child(mode: str, corpus: Path, index: Path) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--corpus", str(corpus)]
    command += ["--index", str(index)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse a generated corpus")
    parser.add_argument("--index", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--runs", "--repeat", type=int, default=5, dest="runs")
    parser.add_argument("--child", choices=("run", "reload"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="kg-bench-")) / "corpus"
    index = args.index or corpus.parent / "bench-index"
    if args.child == "run":
        print(json.dumps(one_run(corpus, index)))
        return
    if args.child == "reload":
        print(json.dumps(one_reload(corpus, index)))
        return
    if not corpus.exists() or not any(corpus.iterdir()):
        from benchmarks.generate_corpus import generate

        generate(corpus, pages=args.pages, seed=7)
    runs = []
    for number in range(1, args.runs + 1):
        run = child("run", corpus, index) | child("reload", corpus, index)
        runs.append(run)
        core = run["parse"] + run["build"] + run["graph"]
        print(
            f"run {number}: "
            + "  ".join(f"{name} {run[name]:.2f}" for name in (*STAGES, "reload"))
            + f"  (load {' '.join(f'{v:.2f}' for v in os.getloadavg())})"
            + f"  | parse+build {core:.2f} s",
            flush=True,
        )
    med = {name: statistics.median(r[name] for r in runs) for name in (*STAGES, "reload")}
    for name in STAGES:
        for which in ("cpu", "helpers"):
            med[f"{name}_{which}"] = statistics.median(r[f"{name}_{which}"] for r in runs)

    def cpu(name: str) -> str:
        return f"(CPU {med[name + '_cpu']:.2f} s here, {med[name + '_helpers']:.2f} s in helpers)"

    cores = sorted(r["parse"] + r["build"] + r["graph"] for r in runs)
    last = runs[-1]
    files = last["files"]
    print(
        f"\ncorpus: {files} files, {last['notes']} notes, {last['stubs']} stubs, "
        f"{last['links']} links; median of {len(runs)} fresh processes"
    )
    print(f"read files (baseline): {med['read']:6.2f} s  {cpu('read')}")
    print(
        f"parse:                 {med['parse']:6.2f} s  ({files / med['parse']:,.0f} files/s) "
        f"{cpu('parse')}"
    )
    print(f"build links:           {med['build']:6.2f} s  (declared, mentions) {cpu('build')}")
    print(f"queryable graph:       {med['graph']:6.2f} s  (adjacency lists) {cpu('graph')}")
    print(
        f"parse + build:         {statistics.median(cores):6.2f} s  "
        f"(target < 5 s; runs {cores[0]:.2f}-{cores[-1]:.2f} s; "
        f"{statistics.median(cores) / med['read']:.1f}x reading the files)"
    )
    print(f"save index:            {med['save']:6.2f} s  {cpu('save')}")
    print(f"reopen index:          {med['reopen']:6.2f} s  {cpu('reopen')}")
    print(f"kg.load unchanged:     {med['reload']:6.2f} s  (fresh process, imports included)")


if __name__ == "__main__":
    main()
