"""Clusters, bridges and gaps of a corpus, cold and warm, this checkout against a baseline
checkout in the same run (issue 28 point 6).

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/bench_shape_speed.py \\
        --corpus /tmp/coldingest/gen10000 --index /tmp/speed28/idx/gen10000 \\
        --baseline /tmp/speed28/trial --runs 3

Each measurement is a fresh process (`--child`): the graph is loaded from its index (not
timed), then ``g.clusters()``, ``g.bridges()`` and ``g.gaps()`` are timed one after the
other. "cold": nothing cached, the index's ``clusters.json`` removed first; "warm": the
``clusters.json`` this checkout (or the baseline) wrote in its last cold run put back, as
a reopened corpus whose links did not change finds it. The variants alternate, the
baseline first in even runs; the load (1 min) is printed beside each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def child(corpus: str, index: str, gaps: bool) -> None:
    """Time the three in this process; print them as JSON."""
    import kg

    graph = kg.load(corpus, index=index) if gaps else kg.load(corpus, embed="none", index=index)
    t0 = time.perf_counter()
    found = graph.clusters()
    t1 = time.perf_counter()
    graph.bridges()
    t2 = time.perf_counter()
    if gaps:
        graph.gaps()
    t3 = time.perf_counter()
    times = {"clusters": t1 - t0, "bridges": t2 - t1, "gaps": t3 - t2, "total": t3 - t0}
    print(json.dumps({**times, "count": len(found), "load": os.getloadavg()[0]}))


def measure(checkout: Path, args: argparse.Namespace, warm: bool, saved: Path) -> dict:
    kept = Path(args.index) / "clusters.json"
    kept.unlink(missing_ok=True)
    if warm and saved.exists():
        shutil.copyfile(saved, kept)
    env = {**os.environ, "PYTHONPATH": f"{checkout}:{checkout / 'tui'}", "HF_HUB_OFFLINE": "1"}
    words = [sys.executable, str(HERE / "benchmarks" / "bench_shape_speed.py"), "--child"]
    words += ["--corpus", args.corpus, "--index", args.index]
    words += [] if args.gaps else ["--no-gaps"]
    out = subprocess.run(words, env=env, capture_output=True, text=True, check=True, cwd=checkout)
    if not warm and kept.exists():
        shutil.copyfile(kept, saved)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. of trial)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-gaps", dest="gaps", action="store_false")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.corpus, args.index, args.gaps)
        return
    variants = [("this", HERE)] + ([("baseline", args.baseline)] if args.baseline else [])
    saved = {name: Path(args.index) / f"clusters-{name}.json.bench" for name, _ in variants}
    for run in range(args.runs):
        order = variants if run % 2 else variants[::-1]
        for name, checkout in order:
            for state in ("cold", "warm"):
                found = measure(checkout, args, state == "warm", saved[name])
                print(
                    f"run {run} {name:8} {state}: clusters {found['clusters']:.2f} s, "
                    f"bridges {found['bridges']:.2f} s, gaps {found['gaps']:.2f} s, "
                    f"total {found['total']:.2f} s; {found['count']} clusters; "
                    f"load {found['load']:.1f}",
                    flush=True,
                )
    for path in saved.values():
        path.unlink(missing_ok=True)
    (Path(args.index) / "clusters.json").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
