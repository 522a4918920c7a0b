"""A first trace from a store against the same trace on disk, in new processes: what
`bench_first_trace.py` measures for `--endpoint`, against a store already serving (a
`kg serve` of a 10,000-page corpus takes minutes to load, and longer on a loaded machine).

For --repeat rounds: `kg trace TITLE` on the corpus, then `kg trace TITLE --endpoint URL`
with a new, empty `KG_STORE_CACHE` (nothing mirrored) and again with it kept; the load
average (1 minute) read before each, and the three load averages (as `uptime` shows them)
before and after the whole run; each store answer compared with the local one. Run from
the repository root, with `kg serve --corpus CORPUS --index INDEX` running:

    PYTHONPATH=$PWD:$PWD/tui HF_HUB_OFFLINE=1 python benchmarks/bench_store_trace.py \\
        --endpoint http://127.0.0.1:PORT --corpus CORPUS --index INDEX --title TITLE
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KG = (sys.executable, "-m", "kg.cli")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="the store's URL")
    parser.add_argument("--corpus", required=True, help="the corpus the store serves")
    parser.add_argument("--index", required=True, help="its index folder")
    parser.add_argument("--title", required=True, help="the note to trace")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {}

    def timed(name: str, command: list[str], env: dict[str, str] | None = None) -> str:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
        seconds = time.perf_counter() - started
        if out.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{out.stderr[-2000:]}")
        figures.setdefault(name, []).append((round(seconds, 2), round(load, 2)))
        print(f"{seconds:8.2f} s  load {load:5.2f}  {name}", file=sys.stderr, flush=True)
        return out.stdout

    local_command = [*KG, "trace", args.title, "--corpus", args.corpus, "--index", args.index]
    store_command = [*KG, "trace", args.title, "--endpoint", args.endpoint]
    same = True
    before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="kg-store-trace-") as scratch:
        for number in range(args.repeat):
            local = timed("kg trace (on disk)", local_command)
            env = {**os.environ, "KG_STORE_CACHE": str(Path(scratch) / f"cache-{number}")}
            fresh = timed("kg trace --endpoint (nothing mirrored)", store_command, env)
            kept = timed("kg trace --endpoint (trace folder kept)", store_command, env)
            same = same and fresh == local and kept == local
    print(
        json.dumps(
            {
                "title": args.title,
                "same_output_as_on_disk": same,
                "load_before": before,
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "figures": {
                    name: {
                        "median_s": statistics.median(s for s, _ in runs),
                        "runs_s": [s for s, _ in runs],
                        "load": [x for _, x in runs],
                    }
                    for name, runs in figures.items()
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
