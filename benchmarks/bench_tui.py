"""Time the terminal browser on a generated corpus (issue: the terminal browser).

    python benchmarks/bench_tui.py [--pages 10000] [--corpus DIR] [--repeat 5] [--steps 40]

Two figures, as a person meets them:

- first paint: a fresh `python` process that imports kg and the app and opens the
  already indexed corpus, until (a) the first frame (the loading screen) and (b) the
  first populated frame (the corpus overview, or a start note with its neighbourhood)
  have been drawn; median of `--repeat` runs, each in a new process;
- walk step: with the app open, Enter on a neighbour in the side panel until the screen
  has been redrawn for the new note (note view, grouped neighbourhood, concept map,
  breadcrumb); median, 95th percentile and worst of `--steps` steps, and the same for
  the most connected notes (a category node with ~1,400 links).

Each run also reports whether torch was imported (it must not be).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (160, 48)

CHILD = r"""
import json, time, sys
started = time.time()
import asyncio
from tui.app import KgApp

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
    from tui.app import KgApp
    from tui.features import open_graph
    from tui.widgets.neighbourhood import NeighbourhoodTree

    graph = open_graph(corpus, index)
    rng = random.Random(7)
    notes = [n for n in graph.notes(stubs=False) if n.kind.value != "category"]
    start = rng.choice(notes)
    app = KgApp(graph=graph, start=start.id)
    times: dict[str, list[float]] = {"step": [], "build": [], "big": [], "big_build": []}
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
            t0 = time.perf_counter()
            await pilot.press("enter")
            await pilot.pause()
            times["step"].append(time.perf_counter() - t0)
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

    from tui.features import open_graph

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
    overview = first_paint(corpus, index, "", args.repeat)
    note = first_paint(corpus, index, hub.id, args.repeat)
    walked = asyncio.run(walk(corpus, index, args.steps))
    figures = {
        "first_frame_s": med(overview["shell"]),
        "overview_painted_s": med(overview["ready"]),
        "overview_lists_s": med(overview["overview_lists"]),
        "start_note_painted_s": med(note["ready"]),
        "kg_load_in_app_s": med(overview["load"]),
        "walk_step_median_ms": 1000 * med(walked["step"]),
        "walk_step_p95_ms": 1000 * p95(walked["step"]),
        "walk_step_max_ms": 1000 * max(walked["step"]),
        "walk_build_median_ms": 1000 * med(walked["build"]),
        "big_note_step_median_ms": 1000 * med(walked["big"]),
        "big_note_step_max_ms": 1000 * max(walked["big"]),
        "big_note_degree": walked["big_degree"][0],
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"first frame (loading screen):      {figures['first_frame_s']:6.2f} s")
    print(f"overview painted (target < 1.5 s): {figures['overview_painted_s']:6.2f} s")
    print(f"  of which kg.load in the worker:  {figures['kg_load_in_app_s']:6.2f} s")
    print(f"overview start lists filled in:    {figures['overview_lists_s']:6.2f} s")
    print(f"start note '{hub.title[:40]}…' painted: {figures['start_note_painted_s']:6.2f} s")
    print(
        f"walk step (target < 100 ms):       median {figures['walk_step_median_ms']:.0f} ms, "
        f"p95 {figures['walk_step_p95_ms']:.0f} ms, max {figures['walk_step_max_ms']:.0f} ms "
        f"(building the screen: median {figures['walk_build_median_ms']:.0f} ms)"
    )
    print(
        f"walk to the 5 most connected notes ({figures['big_note_degree']:.0f} links): "
        f"median {figures['big_note_step_median_ms']:.0f} ms, "
        f"max {figures['big_note_step_max_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
