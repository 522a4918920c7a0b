"""Time the terminal browser on a generated corpus (issue: the terminal browser).

    python benchmarks/bench_tui.py [--pages 10000] [--corpus DIR] [--repeat 5] [--steps 40]

What a person meets, measured three ways:

- first paint, in a real terminal (tmux, 160x48): `kg browse` started as a new process
  on the already indexed corpus, until the screen shows (a) the first frame (the loading
  screen) and (b) the populated corpus overview, or a start note with its figures;
  median of `--repeat` runs (skipped when tmux is missing);
- the same in-process through Textual's Pilot (import, start-up, first frames);
- walk step, in-process through Pilot: Enter on a random neighbour in the side panel
  until the screen has been redrawn for the new note; wall and CPU time, median, 95th
  percentile and worst of `--steps` steps, and the walk to the most connected notes;
- walk step end to end in tmux: `[` and `]` between a big note and a neighbour, until the
  terminal shows the redrawn breadcrumb.

Every run checks that torch was never imported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (160, 48)

CHILD = r"""
import json, time, sys
started = time.time()
import asyncio
from kg_tui.app import KgApp

async def main(corpus, index, start):
    app = KgApp(corpus, index=index, start=start or None)
    marks = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        marks["shell"] = time.time()
        screen = app.main_screen
        while screen.graph is None:
            await asyncio.sleep(0.005)
        await pilot.pause()
        marks["ready"] = time.time()
        await app.workers.wait_for_complete()
        await pilot.pause()
        marks["overview_lists"] = time.time()
    marks["imported"] = imported
    marks = {k: v - started for k, v in marks.items()}
    marks["torch"] = "torch" in sys.modules
    marks["load"] = app.load_seconds
    print(json.dumps(marks))

imported = time.time()
asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""))
"""


def ensure_corpus(corpus: Path | None, pages: int) -> Path:
    from benchmarks.generate_corpus import generate

    folder = corpus or Path(tempfile.mkdtemp(prefix="kg-bench-tui-")) / "corpus"
    if not folder.exists() or not any(folder.iterdir()):
        generate(folder, pages=pages, seed=7)
    return folder


def tmux_session(sock: str, command: str) -> None:
    subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, check=False)
    subprocess.run(
        ["tmux", "-L", sock, "new-session", "-d", "-x", str(SIZE[0]), "-y", str(SIZE[1]), command],
        check=True,
    )


def screen_of(sock: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True, check=False
    ).stdout


def wait_screen(sock: str, test: Callable[[str], bool], timeout: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if test(screen_of(sock)):
            return time.perf_counter() - started
        time.sleep(0.005)
    raise SystemExit(f"timed out; the screen shows:\n{screen_of(sock)}")


def browse_command(corpus: Path, index: Path, start: str = "") -> str:
    kg_bin = Path(sys.executable).parent / "kg"
    note = f" --note {start}" if start else ""
    return f"env TERM=xterm-256color {kg_bin} browse --corpus {corpus} --index {index}{note}"


def tmux_first_paint(corpus: Path, index: Path, start: str, repeat: int) -> dict[str, list[float]]:
    """Seconds from starting `kg browse` until the terminal shows the first frame, and the
    populated screen (the overview, or the start note with its figures)."""
    runs: dict[str, list[float]] = {"shell": [], "ready": []}
    sock = f"kg-bench-{os.getpid()}"
    ready_text = "linked directly" if start else "Press / to search"
    for _ in range(repeat):
        t0 = time.perf_counter()
        tmux_session(sock, browse_command(corpus, index, start))
        first = None
        while time.perf_counter() - t0 < 60:
            screen = screen_of(sock)
            if first is None and ("Opening the corpus" in screen or ready_text in screen):
                first = time.perf_counter() - t0
            if ready_text in screen:
                break
            time.sleep(0.005)
        ready = time.perf_counter() - t0
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, check=False)
        runs["shell"].append(first or ready)
        runs["ready"].append(ready)
    return runs


def tmux_back_forward(corpus: Path, index: Path, start: str, steps: int) -> list[float]:
    """Seconds from pressing `[` or `]` until the terminal shows the redrawn breadcrumb."""
    sock = f"kg-bench-walk-{os.getpid()}"
    tmux_session(sock, browse_command(corpus, index, start))
    try:
        wait_screen(sock, lambda s: "linked directly" in s)
        # Open a neighbour: Down moves through the side panel, Enter opens a note (or folds
        # a group heading, depending on where the cursor starts), until the breadcrumb grows.
        for _ in range(6):
            subprocess.run(["tmux", "-L", sock, "send-keys", "Down"], check=True)
            time.sleep(0.3)
            subprocess.run(["tmux", "-L", sock, "send-keys", "Enter"], check=True)
            try:
                wait_screen(sock, lambda s: s.splitlines()[1].count("›") >= 2, timeout=3.0)
                break
            except SystemExit:
                continue
        else:
            raise SystemExit(f"could not open a neighbour; the screen shows:\n{screen_of(sock)}")
        time.sleep(1.0)
        times = []
        for _ in range(steps // 2):
            for key, wanted in (("[", True), ("]", False)):
                subprocess.run(["tmux", "-L", sock, "send-keys", key], check=True)
                times.append(wait_screen(sock, lambda s, w=wanted: ("+1 ahead" in s) == w))
                time.sleep(0.2)
        return times
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, check=False)


def first_paint(corpus: Path, index: Path, start: str, repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {"shell": [], "ready": [], "overview_lists": []}
    for _ in range(repeat):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(corpus), str(index), start],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            timeout=300,
        ).stdout.strip()
        spawn = time.time() - t0
        marks = json.loads(out.splitlines()[-1])
        if marks["torch"]:
            raise SystemExit("torch was imported while opening the browser")
        for key in ("shell", "ready", "overview_lists"):
            runs[key].append(marks[key])
        runs.setdefault("load", []).append(float(marks["load"]))
        runs.setdefault("process", []).append(spawn)
    return runs


async def walk(corpus: Path, index: Path, steps: int) -> dict[str, list[float]]:
    from kg_tui.app import KgApp
    from kg_tui.features import open_graph
    from kg_tui.widgets.neighbourhood import NeighbourhoodTree

    graph = open_graph(corpus, index)
    rng = random.Random(7)
    notes = [n for n in graph.notes(stubs=False) if n.kind.value != "category"]
    start = rng.choice(notes)
    app = KgApp(graph=graph, start=start.id)
    times: dict[str, list[float]] = {
        "step": [],
        "cpu": [],
        "build": [],
        "big": [],
        "big_build": [],
    }
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.main_screen
        tree = app.query_one("#tree", NeighbourhoodTree)
        tree.focus()
        for _ in range(steps):
            choices = [e.note.id for g in screen.groups for e in g.entries[:40]]
            if not choices:
                screen.open_note(rng.choice(notes).id)
                await pilot.pause()
                continue
            target = rng.choice(choices)
            tree.select_note(target)
            await pilot.pause()
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press("enter")
            await pilot.pause()
            times["step"].append(time.perf_counter() - t0)
            times["cpu"].append(time.process_time() - c0)
            times["build"].append(screen.last_paint)
            assert screen.current is not None and screen.current.id == target
        degree = {n.id: len(graph.links_of(n)) for n in graph.notes()}
        for note_id in sorted(degree, key=lambda i: -degree[i])[:5]:
            t0 = time.perf_counter()
            screen.open_note(note_id)
            await pilot.pause()
            times["big"].append(time.perf_counter() - t0)
            times["big_build"].append(screen.last_paint)
        times["big_degree"] = [float(max(degree.values()))]
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse a generated corpus")
    parser.add_argument("--index", type=Path, default=None, help="index folder to (re)use")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from kg_tui.features import open_graph

    corpus = ensure_corpus(args.corpus, args.pages)
    index = args.index or corpus.parent / "bench-tui-index"
    t0 = time.perf_counter()
    graph = open_graph(corpus, index)  # builds the index once, if needed (no embeddings)
    stats = graph.corpus_stats()
    print(
        f"corpus: {stats.files:,} files, {stats.notes:,} notes, {stats.links:,} links "
        f"(index ready in {time.perf_counter() - t0:.1f} s)"
    )
    hub = max(graph.notes(stubs=False), key=lambda n: len(graph.links_of(n)))

    med = statistics.median
    figures: dict[str, float] = {}
    if shutil.which("tmux"):
        overview_tty = tmux_first_paint(corpus, index, "", args.repeat)
        note_tty = tmux_first_paint(corpus, index, hub.id, args.repeat)
        walk_tty = tmux_back_forward(corpus, index, hub.id, args.steps)
        figures.update(
            tty_first_frame_s=med(overview_tty["shell"]),
            tty_overview_s=med(overview_tty["ready"]),
            tty_start_note_s=med(note_tty["ready"]),
            tty_back_forward_median_ms=1000 * med(walk_tty),
            tty_back_forward_p95_ms=1000 * p95(walk_tty),
        )
    overview = first_paint(corpus, index, "", args.repeat)
    note = first_paint(corpus, index, hub.id, args.repeat)
    walked = asyncio.run(walk(corpus, index, args.steps))
    figures.update(
        pilot_first_frame_s=med(overview["shell"]),
        pilot_overview_s=med(overview["ready"]),
        pilot_start_note_s=med(note["ready"]),
        kg_load_in_app_s=med(overview["load"]),
        walk_step_median_ms=1000 * med(walked["step"]),
        walk_step_p95_ms=1000 * p95(walked["step"]),
        walk_step_max_ms=1000 * max(walked["step"]),
        walk_step_cpu_median_ms=1000 * med(walked["cpu"]),
        walk_build_median_ms=1000 * med(walked["build"]),
        big_note_step_median_ms=1000 * med(walked["big"]),
        big_note_step_max_ms=1000 * max(walked["big"]),
        big_note_degree=walked["big_degree"][0],
        load_average=os.getloadavg()[0],
    )
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    f = figures
    if "tty_overview_s" in f:
        print("in a real terminal (tmux, 160x48), new process each run:")
        print(f"  first frame (loading screen):          {f['tty_first_frame_s']:6.2f} s")
        print(f"  overview painted (target < 1.5 s):     {f['tty_overview_s']:6.2f} s")
        print(f"  start note with its figures painted:   {f['tty_start_note_s']:6.2f} s")
        print(
            f"  back/forward redraw (target < 100 ms): median "
            f"{f['tty_back_forward_median_ms']:.0f} ms, p95 {f['tty_back_forward_p95_ms']:.0f} ms"
        )
    print("in-process through Textual's Pilot:")
    print(f"  first frame:                           {f['pilot_first_frame_s']:6.2f} s")
    print(f"  overview painted:                      {f['pilot_overview_s']:6.2f} s")
    print(f"    of which kg.load (worker thread):    {f['kg_load_in_app_s']:6.2f} s")
    print(f"  start note painted:                    {f['pilot_start_note_s']:6.2f} s")
    print(
        f"  walk step: median {f['walk_step_median_ms']:.0f} ms "
        f"(CPU {f['walk_step_cpu_median_ms']:.0f} ms), p95 {f['walk_step_p95_ms']:.0f} ms, "
        f"max {f['walk_step_max_ms']:.0f} ms; building the screen: median "
        f"{f['walk_build_median_ms']:.0f} ms"
    )
    print(
        f"  walk to the 5 most connected notes ({f['big_note_degree']:.0f} links): "
        f"median {f['big_note_step_median_ms']:.0f} ms, max {f['big_note_step_max_ms']:.0f} ms"
    )
    print(f"load average during the run: {f['load_average']:.1f} (2 cores)")


if __name__ == "__main__":
    main()
