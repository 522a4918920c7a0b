"""Time to the first usable frame of `kg browse` in a real terminal (tmux, 80x24).

    python benchmarks/bench_first_screen.py --corpus notes --corpus /tmp/gen40k \\
        [--code DIR ...] [--repeat 5] [--first-ever] [--json]

For each corpus `kg browse` is started as a new process in a tmux pane and the pane is read
with `capture-pane -p` every 5 ms from the moment tmux is asked to start it:

- *first frame*: the browser's top bar is on screen (the search box's placeholder);
- *usable*: the search box is there and the overview's lists are drawn ("Most connected
  notes"); at that moment `/` and a word are sent;
- *typed*: the word shows in the search box (keys are taken, not only drawn);
- *CPU at usable*: the CPU seconds (user + system, all threads, from /proc) the program had
  used when the usable frame showed: the work behind the figure, whatever the load.

Each figure is seconds from asking tmux to start the process. Runs:

- *cold, unremembered*: the first open after `kg index` of the corpus (run just before,
  same code), nothing kept from an earlier browse: every overview kept in the index
  folder is deleted before `kg index` runs, so what there is, `kg index` wrote (since the
  overview is kept at index time, `kg.kept_overview`; before that, nothing);
- *nothing kept*: as cold, unremembered, but the kept overviews deleted after `kg index`
  (an index written by other means, e.g. `kg.load` from Python): everything is worked out
  from the index;
- *cold*: the first open after `kg index`, with the overview as the last session left it;
- *warm*: the next open, nothing changed in between;
- *first ever* (`--first-ever`, once per corpus): an empty index folder, so the browser
  builds the index itself and shows its progress; its first frame and the moment the
  progress shows are reported, and usable once the index is there.

`--code DIR` runs another checkout's code (PYTHONPATH=DIR:DIR/tui), e.g. the main branch for
a "before" figure, with the same interpreter; given more than once, the checkouts take turns
run by run, so a busy spell on this shared machine falls on all of them alike. Each checkout
keeps its own index folder. The load average (1 minute) is read before each run.
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
# The overviews kept in the index folder for the next start: the browser's own (before
# the overview was kept at index time), and the one `kg index` and the browser keep now.
REMEMBERED = ("browse-first-screen.json", "overview.json")
WORD = "zxv"  # typed into the search box: no title contains it, so it shows only there


def environment(code: Path, caches: Path) -> dict[str, str]:
    """What `kg` runs with: the checkout's code, offline, and Python's compiled modules
    kept (in a folder of their own, per checkout) as an installed program has them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=f"{code}:{code / 'tui'}",
        PYTHONPYCACHEPREFIX=str(caches / code.name),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TERM="xterm-256color",
    )
    return env


PASSED = ("PYTHONPATH", "PYTHONPYCACHEPREFIX", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TERM")


class Pane:
    """One tmux server of our own with one pane running `command`."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"kg-first-screen-{os.getpid()}-{time.monotonic_ns()}"
        exports = [f"{k}={v}" for k, v in env.items() if k in PASSED or k.startswith("KG_")]
        shell = " ".join(["env", "-u", "PYTHONDONTWRITEBYTECODE", *exports, *command])
        self.started = time.perf_counter()
        size = ["-x", str(SIZE[0]), "-y", str(SIZE[1])]
        subprocess.run(
            ["tmux", "-L", self.socket, "new-session", "-d", *size, shell],
            check=True,
            env=env,
        )

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system, every thread) the program in the pane has used so far:
        what a figure costs apart from the machine's load."""
        pid = subprocess.run(
            ["tmux", "-L", self.socket, "display-message", "-p", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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
        cpu = pane.cpu_seconds()
        pane.keys("/")
        # Textual moves the focus after the key that asked for it: a word sent in the
        # same write would reach the old focus, so wait for the search footer first.
        pane.wait(lambda s: "Leave search" in s, timeout)
        pane.keys(WORD, literal=True)
        typed = pane.wait(lambda s: WORD in s.partition("\n")[0], timeout)
        time.sleep(1.5)  # a session lasts longer than this: what it keeps is written
        return {
            "first_frame": first,
            "progress": progress,
            "usable": usable,
            "typed": typed,
            "cpu_at_usable": cpu,
        }
    finally:
        pane.close()


def index_corpus(kg: list[str], corpus: Path, index: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [*kg, "index", "--corpus", str(corpus), "--index", str(index)],
        env=env,
        check=True,
        capture_output=True,
    )


def first_ever(kg, corpus: Path, env) -> dict:
    """One open with no index at all: the browser builds it, showing its progress."""
    fresh = Path(tempfile.mkdtemp(prefix="kg-first-ever-")) / "index"
    try:
        load = os.getloadavg()[0]
        return {**open_once(kg, corpus, fresh, env, timeout=3600), "load": load}
    finally:
        shutil.rmtree(fresh.parent, ignore_errors=True)


KINDS = ("cold_unremembered", "nothing_kept", "cold", "warm")


def forget_overviews(index: Path) -> None:
    for name in REMEMBERED:
        (index / name).unlink(missing_ok=True)


def cold_and_warm(kg, corpus: Path, index: Path, env) -> dict[str, dict]:
    """`kg index` with no overview kept before it, and an open; the same with the overview
    `kg index` may keep removed too; `kg index` again, then the first open after it (cold)
    and the next (warm)."""
    runs = {}
    for kind in KINDS:
        if kind in ("cold_unremembered", "nothing_kept"):
            forget_overviews(index)
        if kind != "warm":
            index_corpus(kg, corpus, index, env)
        if kind == "nothing_kept":
            forget_overviews(index)
        load = os.getloadavg()[0]
        runs[kind] = {**open_once(kg, corpus, index, env, timeout=120), "load": load}
    return runs


def summary(runs: list[dict]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key in ("first_frame", "progress", "usable", "typed", "cpu_at_usable", "load"):
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
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        help="checkout whose code runs (default: this one); repeat to take turns",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--first-ever", action="store_true", help="also open with no index")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed: apt-get install tmux")

    codes = [c.resolve() for c in args.code or [ROOT]]
    kg = [str(Path(sys.executable).parent / "kg")]
    index_root = args.index_root or Path(tempfile.mkdtemp(prefix="kg-first-screen-"))
    runs: dict[tuple[str, str], dict[str, list[dict]]] = {}
    for code in codes:  # compile every module once, as an install does
        warm = "import kg.cli, kg_tui.app, kg_tui.screens.trace, kg.embed.attach"
        env = environment(code, index_root / "pycache")
        subprocess.run([sys.executable, "-c", warm], env=env, check=True)
    for corpus in args.corpus:
        for code in codes:
            kinds = runs.setdefault((str(corpus), str(code)), {k: [] for k in KINDS})
            if args.first_ever:
                kinds["first_ever"] = [
                    first_ever(kg, corpus.resolve(), environment(code, index_root / "pycache"))
                ]
        for _ in range(args.repeat):
            for number, code in enumerate(codes):
                index = index_root / f"{corpus.resolve().name}-index-{number}"
                kinds = runs[(str(corpus), str(code))]
                for kind, run in cold_and_warm(
                    kg, corpus.resolve(), index, environment(code, index_root / "pycache")
                ).items():
                    kinds[kind].append(run)
    results = {
        f"{corpus} · {code}": {
            **{kind: summary(r) for kind, r in kinds.items()},
            "runs": kinds,
        }
        for (corpus, code), kinds in runs.items()
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{SIZE[0]}x{SIZE[1]} · seconds from starting the process · median (min-max)")
    for name, kinds in results.items():
        print(name)
        for kind, figures in kinds.items():
            if kind == "runs":
                continue
            parts = [
                f"{key} {v['median']:.2f} ({v['min']:.2f}-{v['max']:.2f})"
                for key, v in figures.items()  # type: ignore[union-attr]
            ]
            print(f"  {kind}: " + " · ".join(parts))


if __name__ == "__main__":
    main()
