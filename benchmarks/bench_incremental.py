"""What an edit costs: reopening an unchanged index against updating it in place (issue:
incremental index).

    python benchmarks/bench_incremental.py [--pages 1000 10000] [--rounds 7] [--vectors]

For each generated corpus (benchmarks/generate_corpus.py, seed 7) it times, each in a
fresh Python process as a `kg index` after a save would run (imports not counted):

- cold: the first index of the corpus (graph only);
- reopen: `kg.load` of the unchanged corpus (the baseline);
- edit: one sentence of one note's running text changed, then `kg.load`;
- add / remove: a new Markdown note added, then removed again, then `kg.load`;

rounds interleaved (reopen, edit, add, remove, reopen, ...) so that the machine's load
falls on all alike, and prints each round and the medians, with the ratio edit / reopen
of the same round. With --vectors the corpus is indexed with vectors first (the
configured model) and an edit is also timed with vectors: in a fresh process (model
start-up included) and in one process that keeps the model loaded, as `kg watch` and the
browser do. Every update is checked to have been made in place (not rebuilt).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_TIMED = """
import json, sys, time
import kg
corpus, embed = sys.argv[1], sys.argv[2]
started = time.perf_counter()
graph = kg.load(corpus, embed=embed)
seconds = time.perf_counter() - started
update = graph.index_update
vectors = graph.embeddings
print(json.dumps({"seconds": seconds, "mode": update.mode, "reason": update.reason,
                  "embedded": vectors.embedded if vectors is not None else 0}))
"""


def timed_load(corpus: Path, embed: str = "none") -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _TIMED, str(corpus), embed],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def edit_running_text(corpus: Path, rng: random.Random, round_number: int) -> Path:
    """Add a sentence to the longest paragraph line of a random synthesis page."""
    page = rng.choice(sorted(corpus.glob("*_synthesis_main.txt")))
    lines = page.read_text(encoding="utf-8").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[longest] += f" A sentence added in round {round_number}."
    page.write_text("\n".join(lines), encoding="utf-8")
    return page


def bench_corpus(pages: int, rounds: int, vectors: bool, work: Path) -> dict:
    from benchmarks.generate_corpus import generate

    corpus = work / f"corpus-{pages}"
    if corpus.exists():
        shutil.rmtree(corpus)
    generate(corpus, pages=pages, seed=7)
    rng = random.Random(pages)
    cold = timed_load(corpus)
    print(f"{pages} pages: cold index (graph only) {cold['seconds']:.2f} s", flush=True)
    rows = []
    for number in range(1, rounds + 1):
        reopen = timed_load(corpus)
        assert reopen["mode"] == "reused", reopen
        edit_running_text(corpus, rng, number)
        edit = timed_load(corpus)
        assert edit["mode"] == "updated", edit
        note = corpus / f"Added note {number}.md"
        note.write_text(
            f"A note added in round {number}; it cites nothing yet.\n", encoding="utf-8"
        )
        add = timed_load(corpus)
        assert add["mode"] == "updated", add
        note.unlink()
        remove = timed_load(corpus)
        assert remove["mode"] == "updated", remove
        row = {
            "reopen": reopen["seconds"],
            "edit": edit["seconds"],
            "add": add["seconds"],
            "remove": remove["seconds"],
        }
        row["edit/reopen"] = row["edit"] / row["reopen"]
        rows.append(row)
        print(
            f"  round {number}: reopen {row['reopen']:.3f} s, edit {row['edit']:.3f} s "
            f"(x{row['edit/reopen']:.2f}), add {row['add']:.3f} s, remove {row['remove']:.3f} s",
            flush=True,
        )
    medians = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print(
        f"{pages} pages, medians of {rounds}: reopen {medians['reopen']:.3f} s, "
        f"edit {medians['edit']:.3f} s (x{medians['edit/reopen']:.2f} the reopen), "
        f"add {medians['add']:.3f} s, remove {medians['remove']:.3f} s",
        flush=True,
    )
    result = {
        "pages": pages,
        "cold_graph_seconds": cold["seconds"],
        "rounds": rows,
        "medians": medians,
    }
    if vectors:
        result["vectors"] = bench_vectors(corpus, rng, rounds)
    return result


_WARM = """
import json, random, sys, time
from pathlib import Path
import kg
from kg.config import load_config
from kg.embed.lazy import DeferredEmbedder
corpus, rounds = Path(sys.argv[1]), int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from benchmarks.bench_incremental import edit_running_text
embedder = DeferredEmbedder(load_config(corpus, None))
kg.load(corpus, embedder=embedder, embed="all")  # the model loads once, as in kg watch
rng = random.Random(3)
for number in range(rounds):
    edit_running_text(corpus, rng, 100 + number)
    started = time.perf_counter()
    graph = kg.load(corpus, embedder=embedder, embed="all")
    print(json.dumps({"seconds": time.perf_counter() - started, "mode": graph.index_update.mode,
                      "embedded": graph.embeddings.embedded}), flush=True)
"""


def bench_vectors(corpus: Path, rng: random.Random, rounds: int) -> dict:
    started = time.perf_counter()
    cold = timed_load(corpus, "all")
    print(
        f"  cold vectors for every text: {time.perf_counter() - started:.1f} s "
        f"({cold['embedded']} texts)",
        flush=True,
    )
    fresh = []
    for number in range(1, rounds + 1):
        edit_running_text(corpus, rng, 50 + number)
        run = timed_load(corpus, "all")
        assert run["mode"] == "updated", run
        fresh.append(run["seconds"])
        print(
            f"  edit with vectors, fresh process: {run['seconds']:.2f} s "
            f"({run['embedded']} texts embedded)",
            flush=True,
        )
    out = subprocess.run(
        [sys.executable, "-c", _WARM, str(corpus), str(rounds), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    warm = [json.loads(line)["seconds"] for line in out.strip().splitlines()]
    medians = {"fresh": statistics.median(fresh), "warm": statistics.median(warm)}
    print(
        f"  edit with vectors, medians: fresh process {medians['fresh']:.2f} s "
        f"(model start-up included), model kept loaded {medians['warm']:.2f} s",
        flush=True,
    )
    return {"cold": cold, "fresh": fresh, "warm": warm, "medians": medians}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--vectors", action="store_true", help="also time edits with vectors")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-incremental"))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = [bench_corpus(n, args.rounds, args.vectors, args.work) for n in args.pages]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
