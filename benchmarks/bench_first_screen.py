"""Time to the first usable frame of `kg browse` in a real terminal (tmux, 80x24).

    python benchmarks/bench_first_screen.py --corpus notes --corpus /tmp/gen40k \\
        [--code DIR] [--repeat 5] [--first-ever] [--json]

For each corpus `kg browse` is started as a new process in a tmux pane and the pane is read
with `capture-pane -p` every 5 ms from the moment tmux is asked to start it:

- *first frame*: the browser's top bar is on screen (the search box's placeholder);
- *usable*: the search box is there and the overview's lists are drawn ("Most connected
  notes"); at that moment `/` and a word are sent;
- *typed*: the word shows in the search box (keys are taken, not only drawn).

Each figure is seconds from asking tmux to start the process. Runs:

- *cold*: the first open after `kg index` of the corpus (run just before, same code);
- *warm*: the next open, nothing changed in between;
- *first ever* (`--first-ever`, once per corpus): an empty index folder, so the browser
  builds the index itself and shows its progress; its first frame and the moment the
  progress shows are reported, and usable once the index is there.

`--code DIR` runs another checkout's code (PYTHONPATH=DIR:DIR/tui), e.g. the main branch for
a "before" figure, with the same interpreter. The load average is read before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (80, 24)
SEARCH_BOX = "search titles"  # the search box's placeholder, in the top bar
LISTS = "Most connected notes"  # the overview's first list heading
PROGRESS = "Building the index"
WORD = "zxv"  # typed into the search box: no title contains it, so it shows only there


def environment(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=f"{code}:{code / 'tui'}",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        KG_NO_WATCH="1",
        TERM="xterm-256color",
    )
    return env


class Pane:
    """One tmux server of our own with one pane running `command`."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"kg-first-screen-{os.getpid()}-{time.monotonic_ns()}"
        exports = [f"{k}={v}" for k, v in env.items() if k in ("PYTHONPATH", "TERM") or "KG" in k]
        exports += ["HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1"]
        shell = " ".join(["env", *exports, *command])
        self.started = time.perf_counter()
        subprocess.run(
            ["tmux", "-L", self.socket, "new-session", "-d", "-x", str(SIZE[0]), "-y"]
            + [str(SIZE[1]), shell],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        flag = ["-l"] if literal else []
        subprocess.run(["tmux", "-L", self.socket, "send-keys", *flag, *keys], check=True)

    def wait(self, test: Callable[[str], bool], timeout: float) -> float:
        """Seconds since the start until `test(screen)` holds."""
        while time.perf_counter() - self.started < timeout:
            if test(self.screen()):
                return time.perf_counter() - self.started
            time.sleep(0.005)
        raise SystemExit(f"timed out after {timeout} s; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def open_once(kg: list[str], corpus: Path, index: Path, env: dict[str, str], timeout: float):
    """One `kg browse`: seconds to the first frame, progress (or None), usable and typed."""
    pane = Pane([*kg, "browse", "--corpus", str(corpus), "--index", str(index)], env)
    try:
        first = pane.wait(lambda s: SEARCH_BOX in s, timeout)
        progress = None
        if PROGRESS in pane.screen():
            progress = first
        usable = pane.wait(lambda s: SEARCH_BOX in s and LISTS in s, timeout)
        pane.keys("/")
        # Textual moves the focus after the key that asked for it: a word sent in the
        # same write would reach the old focus, so wait for the search footer first.
        pane.wait(lambda s: "Leave search" in s, timeout)
        pane.keys(WORD, literal=True)
        typed = pane.wait(lambda s: WORD in s.partition("\n")[0], timeout)
        return {"first_frame": first, "progress": progress, "usable": usable, "typed": typed}
    finally:
        pane.close()


def index_corpus(kg: list[str], corpus: Path, index: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [*kg, "index", "--corpus", str(corpus), "--index", str(index)],
        env=env,
        check=True,
        capture_output=True,
    )


def measure(kg, corpus: Path, index: Path, env, repeat: int, first_ever: bool) -> dict:
    runs: dict[str, list[dict]] = {"cold": [], "warm": []}
    if first_ever:
        fresh = Path(tempfile.mkdtemp(prefix="kg-first-ever-")) / "index"
        try:
            load = os.getloadavg()[0]
            runs["first_ever"] = [
                {**open_once(kg, corpus, fresh, env, timeout=3600), "load": load}
            ]
        finally:
            shutil.rmtree(fresh.parent, ignore_errors=True)
    for _ in range(repeat):
        index_corpus(kg, corpus, index, env)
        for kind in ("cold", "warm"):
            load = os.getloadavg()[0]
            runs[kind].append({**open_once(kg, corpus, index, env, timeout=120), "load": load})
    return runs


def summary(runs: list[dict]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in ("first_frame", "progress", "usable", "typed", "load"):
        values = [r[key] for r in runs if r[key] is not None]
        if values:
            out[key] = {
                "median": round(statistics.median(values), 3),
                "min": round(min(values), 3),
                "max": round(max(values), 3),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument(
        "--index-root",
        type=Path,
        default=None,
        help="where each corpus's index goes (default: a temporary folder)",
    )
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose code runs")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--first-ever", action="store_true", help="also open with no index")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed: apt-get install tmux")

    env = environment(args.code.resolve())
    kg = [str(Path(sys.executable).parent / "kg")]
    index_root = args.index_root or Path(tempfile.mkdtemp(prefix="kg-first-screen-"))
    results = {}
    for corpus in args.corpus:
        index = index_root / f"{corpus.resolve().name}-index"
        runs = measure(kg, corpus.resolve(), index, env, args.repeat, args.first_ever)
        results[str(corpus)] = {kind: summary(r) for kind, r in runs.items()}
        results[str(corpus)]["runs"] = runs  # type: ignore[assignment]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"code: {args.code} · {SIZE[0]}x{SIZE[1]} · seconds from starting the process")
    for corpus, kinds in results.items():
        for kind, figures in kinds.items():
            if kind == "runs":
                continue
            parts = []
            for key, values in figures.items():  # type: ignore[union-attr]
                parts.append(f"{key} {values['median']:.2f} ({values['min']:.2f}-{values['max']:.2f})")
            print(f"{corpus} {kind}: " + " · ".join(parts))


if __name__ == "__main__":
    main()
