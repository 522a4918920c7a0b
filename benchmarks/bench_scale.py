"""Scale regression guard: cold ingest, warm open, the networkx graph and memory per page at
10,000 and 100,000 generated pages, each against a baseline measured in the same run.

    python benchmarks/bench_scale.py [--pages 10000 100000] [--runs 3] [--baseline REF]
        [--no-baseline] [--record] [--check] [--tolerance 0.25] [--json] [--work DIR]

Figures (each from a fresh Python process, imports done before the clock starts; the
median of --runs):

- cold_s: `kg.load(corpus, index=EMPTY, embed="none")`: parse, build, save the index;
- cold_kb: the resident memory that load added (RSS after it, collected, minus RSS before
  it, from /proc/self/statm), in KB a page;
- warm_s, warm_kb: the same for opening the saved index of the unchanged corpus;
- nx_s: the first `g.nx` on a warm-opened graph, `import networkx` included;
- walk_s: then reading every node's and every edge's attributes from it once (what an
  algorithm that reads weights or kinds pays, lazily or not); nx_walk_s, the two together;
- to_networkx_s: the first `g.to_networkx()` on a warm-opened graph, in its own process.

The baseline is a git worktree of REF (default: the commit recorded in
benchmarks/data/scale_figures.json) made under the work folder and measured by the same
child processes with its code first on PYTHONPATH, alternating with this tree's runs so
both see the same load; the table gives the ratio this/baseline (the median of each run's
ratio, the two measured back to back, so a change of load between runs counts less). --record
writes this tree's medians (with the commit, date and load) into that JSON; --check
compares them with the recorded ones and exits 1 when one is worse by more than the
tolerance (25 % by default: the machine is shared and noisy; a ratio against the baseline
of the same run is the steadier reading). Corpora are generated once into the work
folder (`generate_corpus.py --pages N --seed 7`) and kept for the next run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "benchmarks" / "data" / "scale_figures.json"
FIGURES = (
    "cold_s",
    "cold_kb",
    "warm_s",
    "warm_kb",
    "nx_s",
    "walk_s",
    "nx_walk_s",
    "to_networkx_s",
)
LABELS = {
    "cold_s": "cold ingest (s)",
    "cold_kb": "RSS after cold load (KB/page)",
    "warm_s": "warm open (s)",
    "warm_kb": "RSS after warm open (KB/page)",
    "nx_s": "first g.nx (s)",
    "walk_s": "g.nx: every attribute read (s)",
    "nx_walk_s": "first g.nx + every attribute read (s)",
    "to_networkx_s": "first to_networkx() (s)",
}
DEFAULT_BASELINE = "9f55524"  # main when the guard was written


# ------------------------------------------------------------------ child processes


def _rss() -> int:
    """Resident bytes of this process now."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(mode: str, corpus: Path, index: Path, pages: int) -> dict[str, float]:
    """One measurement in this (fresh) process: see the module's docstring."""
    import kg
    from kg.examples import write_example_corpus

    # A few notes loaded cold then warm first, so the modules either load imports are in
    # memory before the clock starts and do not count as memory per page.
    with tempfile.TemporaryDirectory() as scratch:
        tiny = write_example_corpus(scratch)
        for _ in range(2):
            kg.load(tiny, index=Path(scratch) / "index", embed="none")
    if mode in ("cold", "warm"):
        if mode == "cold":
            shutil.rmtree(index, ignore_errors=True)
        gc.collect()
        before = _rss()
        start = time.perf_counter()
        graph = kg.load(corpus, index=index, embed="none")
        seconds = time.perf_counter() - start
        gc.collect()
        kb = (_rss() - before) / 1024 / pages
        if mode == "warm" and not graph.from_index:
            raise SystemExit("the warm open rebuilt the graph: the index was not reused")
        return {f"{mode}_s": seconds, f"{mode}_kb": kb}
    graph = kg.load(corpus, index=index, embed="none")
    if mode == "nx":
        start = time.perf_counter()
        import networkx

        view = graph.nx
        middle = time.perf_counter()
        count = sum(len(data) for _, data in view.nodes(data=True))
        count += sum(len(data) for _, _, data in view.edges(data=True))
        end = time.perf_counter()
        assert count > 0
        return {"nx_s": middle - start, "walk_s": end - middle, "nx_walk_s": end - start}
    start = time.perf_counter()
    import networkx  # noqa: F401

    copy = graph.to_networkx()
    seconds = time.perf_counter() - start
    assert copy.number_of_edges() == len(graph.link_table)
    return {"to_networkx_s": seconds}


def run_child(tree: Path, mode: str, corpus: Path, index: Path, pages: int) -> dict[str, float]:
    """`child` in a fresh process with `tree`'s code first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), str(tree / "tui")])
    env["HF_HUB_OFFLINE"] = "1"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    command += ["--corpus", str(corpus), "--index", str(index), "--pages", str(pages)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"{mode} run failed in {tree}:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# ------------------------------------------------------------------ the harness


def load_average() -> str:
    """The load average over 1, 5 and 15 minutes, as `uptime` shows it."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def corpus_for(work: Path, pages: int) -> Path:
    """The generated corpus of `pages` pages (seed 7), made once and kept."""
    corpus = work / f"gen{pages}"
    stamp = corpus / ".generated"
    if stamp.exists() and stamp.read_text() == f"{pages} 7":
        return corpus
    print(f"generating {pages} pages into {corpus} ...", flush=True)
    sys.path.insert(0, str(ROOT))
    from benchmarks.generate_corpus import generate

    generate(corpus, pages=pages, seed=7)
    stamp.write_text(f"{pages} 7")
    return corpus


MODES = ("cold", "warm", "nx", "to_networkx")


def measure(
    trees: dict[str, Path], work: Path, pages: int, runs: int, modes: tuple[str, ...] = MODES
) -> dict[str, dict[str, list[float]]]:
    """Every figure `runs` times for each tree, the trees alternating run by run."""
    corpus = corpus_for(work, pages)
    found: dict[str, dict[str, list[float]]] = {tag: {} for tag in trees}
    for number in range(runs):
        order = list(trees) if number % 2 == 0 else list(reversed(trees))
        for tag in order:
            tree, index = trees[tag], work / f"index-{tag}-{pages}"
            figures: dict[str, float] = {}
            made = modes
            if not index.exists() and "cold" not in modes:
                made = ("cold", *modes)  # nothing to open warm yet: make the index first
            for mode in made:
                figures.update(run_child(tree, mode, corpus, index, pages))
            for name, value in figures.items():
                found[tag].setdefault(name, []).append(value)
            shown = "  ".join(f"{name} {figures[name]:.3g}" for name in FIGURES if name in figures)
            print(f"{pages} pages, run {number + 1}, {tag}: {shown}  (load {load_average()})")
    return found


def medians(found: dict[str, list[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in found.items()}


def paired_ratios(mine: dict[str, list[float]], base: dict[str, list[float]]) -> dict[str, float]:
    """For each figure, the median over runs of this run's figure over the baseline's."""
    return {
        name: statistics.median(a / b for a, b in zip(values, base[name], strict=True) if b)
        for name, values in mine.items()
        if any(base[name])
    }


def baseline_tree(ref: str, work: Path) -> Path:
    """A git worktree of `ref` under the work folder (made again each run)."""
    tree = work / f"baseline-{ref}"
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True
    )
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), ref],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return tree


def head_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def read_record() -> dict[str, Any]:
    if RECORD.exists():
        data: dict[str, Any] = json.loads(RECORD.read_text())
        return data
    return {}


def table(results: dict[str, Any], record: dict[str, Any]) -> str:
    """Markdown: each figure at each size, this tree's median, the baseline's, the ratio,
    and the recorded figure."""
    lines = [
        "| figure | pages | this tree | baseline | ratio | recorded |",
        "|---|---|---|---|---|---|",
    ]
    for name in FIGURES:
        for pages, sizes in results["sizes"].items():
            mine = sizes["this"].get(name)
            base = sizes.get("baseline", {}).get(name)
            kept = record.get("figures", {}).get(pages, {}).get(name)
            paired = sizes.get("ratio", {}).get(name)
            ratio = "-" if paired is None else f"{paired:.2f}"
            lines.append(
                f"| {LABELS[name]} | {int(pages):,} | {_show(mine)} | {_show(base)} | {ratio} "
                f"| {_show(kept)} |"
            )
    return "\n".join(lines)


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def worse(results: dict[str, Any], record: dict[str, Any], tolerance: float) -> list[str]:
    """Each figure worse than the recorded one by more than `tolerance` (a share)."""
    found = []
    for pages, sizes in results["sizes"].items():
        for name, value in sizes["this"].items():
            kept = record.get("figures", {}).get(pages, {}).get(name)
            if kept and value > kept * (1 + tolerance):
                found.append(f"{LABELS[name]} at {int(pages):,} pages: {value:.3g} > {kept:.3g}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure (median)")
    parser.add_argument("--baseline", metavar="REF", help="the git commit to compare with")
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-scale")
    parser.add_argument("--record", action="store_true", help=f"write the medians to {RECORD.name}")
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure got worse")
    parser.add_argument("--tolerance", type=float, default=0.25, help="share worse allowed")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--only",
        default=",".join(MODES),
        help="the measurements to make, of " + ",".join(MODES) + " (a warm index is made first "
        "when there is none)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.corpus, args.index, args.pages[0])))
        return 0
    if args.runs < 1 or any(pages < 1 for pages in args.pages):
        parser.error("--runs and --pages must be at least 1")
    if not args.only or not set(args.only.split(",")) <= set(MODES):
        parser.error(f"--only takes some of {','.join(MODES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    record = read_record()
    trees = {"this": ROOT}
    ref = args.baseline or record.get("baseline") or DEFAULT_BASELINE
    if not args.no_baseline:
        trees["baseline"] = baseline_tree(ref, args.work)
    results: dict[str, Any] = {
        "commit": head_commit(),
        "baseline": None if args.no_baseline else ref,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": args.runs,
        "sizes": {},
    }
    loads = [load_average()]
    try:
        for pages in args.pages:
            found = measure(trees, args.work, pages, args.runs, tuple(args.only.split(",")))
            sizes = {tag: medians(values) for tag, values in found.items()}
            if "baseline" in found:
                sizes["ratio"] = paired_ratios(found["this"], found["baseline"])
            results["sizes"][str(pages)] = sizes
            loads.append(load_average())
    finally:
        if "baseline" in trees:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(trees["baseline"])],
                cwd=ROOT,
                capture_output=True,
            )
    results["load"] = f"{loads[0]} .. {loads[-1]}"
    print(f"\nmedians of {args.runs} fresh processes; load average {results['load']}")
    print(table(results, record))
    regressions = worse(results, record, args.tolerance)
    for line in regressions:
        print(f"WORSE than recorded (tolerance {args.tolerance:.0%}): {line}")
    if args.json:
        print(json.dumps(results, indent=2))
    if args.record:
        kept = record.get("figures", {})
        for pages, sizes in results["sizes"].items():
            kept.setdefault(pages, {}).update(sizes["this"])
        RECORD.write_text(
            json.dumps(
                {
                    "commit": results["commit"],
                    "baseline": ref,
                    "date": results["date"],
                    "load": results["load"],
                    "runs": args.runs,
                    "figures": kept,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"recorded in {RECORD.relative_to(ROOT)}")
    return 1 if args.check and regressions else 0


if __name__ == "__main__":
    sys.exit(main())
