"""How far kg's spoken estimates of first-time work are from what it takes: the static
model's distillation and the transformer's load, each in a fresh process, beside the
machine's load.

    python benchmarks/bench_waits.py              # both, once
    python benchmarks/bench_waits.py --rounds 3 --skip-distil

Each round runs in its own process (a fresh import of torch, an empty cache folder for the
distillation) with kg's log captured: the estimate is the one kg logged before it began
("about N s now"), the time what the work took. The target: within 2x either way.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DISTIL = """
import logging, sys, time
from pathlib import Path
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
from kg.embed.choose import load_embedder
from kg.embed.static import StaticEmbedder
embedder = load_embedder()
assert isinstance(embedder, StaticEmbedder) and not embedder.cached
reports = []
embedder.progress = lambda stage, done, total: reports.append((time.monotonic(), done, total))
started = time.monotonic()
embedder.distil()
ended = time.monotonic()
print(f"TOOK {ended - started:.1f}")
# The time left kg shows a quarter of the way through the tokens (the pace of the last
# 20 s, as kg.cli.progress reckons it), against the time that was really left.
tokens = [r for r in reports if 0 < r[1] < r[2]]
if len(tokens) > 2:
    at = next(r for r in tokens if r[1] >= r[2] / 4)
    first = next(r for r in tokens if at[0] - r[0] <= 20 or r is at)
    first = tokens[0] if first is at else first
    rate = (at[1] - first[1]) / (at[0] - first[0])
    print(f"LEFT {(at[2] - at[1]) / rate:.1f} {ended - at[0]:.1f}")
"""

LOAD = """
import logging, sys, time
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
from kg.embed.models import load_transformer
model = load_transformer()
started = time.monotonic()
model.model
print(f"TOOK {time.monotonic() - started:.1f}")
"""


def measure(code: str, env: dict[str, str]) -> tuple[float, float, float, str]:
    """(estimate logged, seconds taken, one-minute load before, the time left said a
    quarter of the way against the time really left) of one fresh process."""
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    estimate = float(re.search(r"about (\d+) s now", out).group(1))  # type: ignore[union-attr]
    took = float(re.search(r"TOOK ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    left = re.search(r"LEFT ([\d.]+) ([\d.]+)", out)
    said = f"{left.group(1)} s / {left.group(2)} s" if left else "-"
    return estimate, took, load, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-distil", action="store_true")
    args = parser.parse_args()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    print("| work | load before | estimate | took | took / estimate | at 25 %: left said / left |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for _ in range(args.rounds):
        jobs = [("model load", LOAD)]
        if not args.skip_distil:
            jobs.insert(0, ("distillation", DISTIL))
        for name, code in jobs:
            with tempfile.TemporaryDirectory() as cache:
                estimate, took, load, left = measure(code, {**env, "KG_CACHE_DIR": cache})
            ratio = took / estimate
            print(
                f"| {name} | {load:.1f} | {estimate:.0f} s | {took:.1f} s | {ratio:.2f} | {left} |"
            )
            time.sleep(1)


if __name__ == "__main__":
    main()
