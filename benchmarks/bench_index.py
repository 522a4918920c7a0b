"""Time saving the index, opening it warm, and the memory a cold load keeps (issue 27).

    python benchmarks/bench_index.py --corpus DIR [--runs 3] [--stages save,cold,warm]

Each figure comes from a fresh Python process (imports done before the clock starts):

- save: the graph is built (`build_graph_with_state`), then saving it into an empty
  index folder is timed (`save_graph`), wall and CPU time;
- cold: `kg.load(corpus, index=EMPTY, embed="none")`: parse, build, save, and what the
  user gets back (its CPU time counts a child process the build ran in). The resident
  memory it added (RSS after the load, collected, minus RSS before it, from
  /proc/self/statm) is divided by the pages; the peak is reported too;
- warm: `kg.load(corpus, embed="none")` of the unchanged corpus, opening the index the
  cold run wrote (or writing one first), and the memory it added per page.

Runs against whichever kg is first on PYTHONPATH, so the code before a change can be
measured in the same run from a worktree of it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("save", "cold", "warm")  # a warm run opens the index a cold run wrote


def _rss() -> int:
    """Resident bytes of this process now."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (a build may run in one)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _save_function():  # type: ignore[no-untyped-def]
    try:
        from kg.index.write import save_graph
    except ImportError:  # the layout before the index folder was split
        from kg.index.store import save_graph  # type: ignore[no-redef]
    return save_graph


def run_save(corpus: Path, scratch: Path) -> dict[str, float]:
    from kg.config import Config
    from kg.index.loader import build_graph_with_state
    from kg.parse.corpus import scan

    save_graph = _save_function()
    graph, state, parsed = build_graph_with_state(corpus, Config())
    stamps = scan(corpus, None)
    folder = scratch / "save-index"
    shutil.rmtree(folder, ignore_errors=True)
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    save_graph(folder, graph, stamps, state=state, parse_diagnostics=parsed)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    shutil.rmtree(folder, ignore_errors=True)
    return {"save": seconds, "save_cpu": cpu}


def run_warm(corpus: Path, scratch: Path) -> dict[str, float]:
    import kg

    folder = scratch / "index"
    if not (folder / "manifest.json").exists():
        kg.load(corpus, index=folder, embed="none")
    gc.collect()
    before = _rss()
    started, cpu = time.perf_counter(), time.process_time()
    graph = kg.load(corpus, index=folder, embed="none")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    gc.collect()
    assert graph.from_index
    pages = max(graph.files, 1)
    return {"warm": seconds, "warm_cpu": cpu, "warm_rss": (_rss() - before) / pages}


def run_cold(corpus: Path, scratch: Path) -> dict[str, float]:
    import kg

    folder = scratch / "index"  # left for the warm runs
    shutil.rmtree(folder, ignore_errors=True)
    gc.collect()
    before = _rss()
    started, cpu = time.perf_counter(), _cpu()
    graph = kg.load(corpus, index=folder, embed="none")
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    gc.collect()
    after = _rss()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    pages = max(graph.files, 1)
    notes, links = len(list(graph.note_table)), len(graph.link_table)
    return {
        "cold": seconds,
        "cold_cpu": cpu,
        "cold_rss": (after - before) / pages,
        "cold_peak": (peak - before) / pages,
        "notes": notes,
        "links": links,
    }


def child(stage: str, corpus: Path, scratch: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", stage, "--corpus", str(corpus)]
    command += ["--scratch", str(scratch)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--scratch", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runner = {"save": run_save, "warm": run_warm, "cold": run_cold}[args.child]
        print(json.dumps(runner(args.corpus, args.scratch)))
        return
    scratch = Path(tempfile.mkdtemp(prefix="kg-bench-index-"))
    try:
        stages = [s for s in args.stages.split(",") if s]
        results: dict[str, list[float]] = {}
        for number in range(1, args.runs + 1):
            for stage in stages:
                found = child(stage, args.corpus, scratch)
                for key, value in found.items():
                    results.setdefault(key, []).append(value)
                shown = "  ".join(
                    f"{k} {v / 1024:.1f} KB/page"
                    if k.endswith(("_rss", "_peak"))
                    else f"{k} {v:.3f}"
                    for k, v in found.items()
                )
                print(f"run {number} {stage}: {shown}", flush=True)
        print("median: " + "  ".join(f"{k} {statistics.median(v):.3f}" for k, v in results.items()))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
