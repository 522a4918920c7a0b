"""First answers by meaning in fresh processes: how long the first trace takes after a
fresh `kg index`, model start-up included.

For each corpus (a copy of notes/, and the generated corpus with --pages), in one run:

- ``kg index``: a cold index of a fresh copy (what computing the trace vectors adds is
  read from its --json report);
- ``kg trace TITLE``, ``g.trace(TITLE)`` (a new Python process: import, load, trace) and
  ``kg trace --unsupported``, each in a new process, --repeat times;
- ``kg trace TITLE --endpoint`` against a real ``kg serve`` of the same corpus: with a
  fresh mirror (the first trace from a store on this machine) and with the mirror the
  previous run left;
- the browser: a new process opens the note, presses ``t`` and waits for the evidence
  tree (Textual's Pilot, at 120x40): time from process start to evidence on screen.

Every figure is wall-clock time of the whole process, with the load average (1 minute)
read before it; medians over the repeats. Run from the repository root:

    PYTHONPATH=$PWD:$PWD/tui HF_HUB_OFFLINE=1 python benchmarks/bench_first_trace.py \\
        --pages 10000 --repeat 3 --json /tmp/first-trace.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = (sys.executable, "-m", "kg.cli")
TRACE_VECTORS = "trace-vectors"
NOTES_TITLE = "Can a verifier be trusted more than the generator it checks?"

BROWSER = """
import asyncio, sys, time
started = float(sys.argv[4])
from kg_tui.app import KgApp
from kg_tui.widgets.evidence import EvidenceTree
async def main():
    app = KgApp(sys.argv[1], index=sys.argv[2], start=sys.argv[3])
    async with app.run_test(size=(120, 40)) as pilot:
        while app.main_screen.current is None:
            await pilot.pause(0.02)
        pressed = time.time()
        await pilot.press("t")
        while True:
            await pilot.pause(0.02)
            trees = app.screen.query(EvidenceTree)
            if trees and any(n.data is not None for n in trees.first().root.children):
                break
        print(time.time() - started, time.time() - pressed)
asyncio.run(main())
"""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, load average before, stdout) of one command in a new process."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{out.stderr[-2000:]}")
    # Each figure as it comes (a run cut short still says what it measured).
    print(
        f"{seconds:8.2f} s  load {load:5.2f}  {' '.join(command[2:5])}", file=sys.stderr, flush=True
    )
    return seconds, load, out.stdout


def pick_title(corpus: Path, index: Path) -> str:
    """A synthesis note with the most declared sources (the deepest first trace)."""
    code = (
        "import sys, kg\n"
        "g = kg.load(sys.argv[1], index=sys.argv[2], embed='none')\n"
        "from kg.query.candidates import declared_sources\n"
        "best = max((n for n in g.notes(stubs=False) if n.kind.value == 'synthesis'),\n"
        "           key=lambda n: (len(declared_sources(g, n)), n.title))\n"
        "print(best.title)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(index)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def serve(corpus: Path, index: Path) -> tuple[subprocess.Popen[str], str]:
    said = corpus.parent / f"{corpus.name}-serve.err"
    with said.open("w") as errors:
        server = subprocess.Popen(
            [*KG, "serve", "--corpus", str(corpus), "--index", str(index), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    assert server.stdout is not None
    line = server.stdout.readline()
    found = re.search(r"(http://\S+)/query", line)
    if not found:
        server.terminate()
        raise SystemExit(f"kg serve said {line!r}: {said.read_text()[-2000:]}")
    server.stdout.readline()
    return server, found.group(1)


def measure(
    corpus: Path, title: str | None, repeat: int, work: Path, unsupported: bool = True
) -> dict[str, object]:
    work.mkdir(parents=True, exist_ok=True)
    index = work / "index"
    figures: dict[str, list[tuple[float, float]]] = {}
    seconds, load, out = timed(
        [*KG, "index", "--corpus", str(corpus), "--index", str(index), "--json"]
    )
    report = json.loads(out)
    figures["kg index (cold)"] = [(seconds, load)]
    # The trace vectors as the fresh index left them, put back before every run: each
    # trace measured is a first trace, never one helped by the run before it.
    kept = work / "trace-vectors-after-index"
    shutil.rmtree(kept, ignore_errors=True)
    if (index / TRACE_VECTORS).is_dir():
        shutil.copytree(index / TRACE_VECTORS, kept)

    def fresh() -> None:
        shutil.rmtree(index / TRACE_VECTORS, ignore_errors=True)
        if kept.is_dir():
            shutil.copytree(kept, index / TRACE_VECTORS)

    title = title or pick_title(corpus, index)
    base = ["--corpus", str(corpus), "--index", str(index)]
    api = (
        "import sys, kg\n"
        "g = kg.load(sys.argv[1], index=sys.argv[2])\n"
        "t = g.trace(sys.argv[3])\n"
        "print(sum(1 for _ in t.walk()))\n"
    )
    for _ in range(repeat):
        commands = [
            ("kg trace", [*KG, "trace", title, *base]),
            ("g.trace", [sys.executable, "-c", api, str(corpus), str(index), title]),
        ]
        if unsupported:  # every claim of the corpus: on notes/ only (the target)
            commands.append(("kg trace --unsupported", [*KG, "trace", "--unsupported", *base]))
        for name, command in commands:
            fresh()
            seconds, load, _ = timed(command)
            figures.setdefault(name, []).append((seconds, load))
        fresh()
        load = os.getloadavg()[0]
        out = subprocess.run(
            [sys.executable, "-c", BROWSER, str(corpus), str(index), title, str(time.time())],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if out.returncode == 0:
            whole, after_key = (float(x) for x in out.stdout.split()[-2:])
            figures.setdefault("browser: start to evidence", []).append((whole, load))
            figures.setdefault("browser: t to evidence", []).append((after_key, load))
    fresh()
    server, endpoint = serve(corpus, index)  # the corpus's index, as `kg serve` uses by default
    try:
        for _ in range(repeat):
            mirrors = Path(tempfile.mkdtemp(dir=work, prefix="mirror-"))
            env = {**os.environ, "KG_STORE_CACHE": str(mirrors)}
            for name in ("kg trace --endpoint (fresh mirror)", "kg trace --endpoint (mirror kept)"):
                seconds, load, _ = timed([*KG, "trace", title, "--endpoint", endpoint], env)
                figures.setdefault(name, []).append((seconds, load))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "corpus": str(corpus),
        "title": title,
        "trace_vectors": report.get("trace_vectors"),
        "figures": {
            name: {
                "median_s": round(statistics.median(s for s, _ in runs), 2),
                "runs_s": [round(s, 2) for s, _ in runs],
                "load": [round(x, 2) for _, x in runs],
            }
            for name, runs in figures.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000, help="generated corpus size (0: none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=None, help="write the figures here too")
    parser.add_argument(
        "--no-notes", action="store_true", help="measure the generated corpus only, not notes/"
    )
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-first-trace-") as scratch:
        work = Path(scratch)
        if not args.no_notes:
            notes = work / "notes"
            shutil.copytree(ROOT / "notes", notes, ignore=shutil.ignore_patterns(".kg"))
            results.append(measure(notes, NOTES_TITLE, args.repeat, work / "notes-work"))
            print(json.dumps(results[-1], indent=1), flush=True)
        if args.pages:
            generated = work / f"gen{args.pages}"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "generate_corpus.py"),
                    str(generated),
                    "--pages",
                    str(args.pages),
                    "--seed",
                    "7",
                ],
                check=True,
                capture_output=True,
            )
            results.append(measure(generated, None, args.repeat, work / "gen-work", False))
            print(json.dumps(results[-1], indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
