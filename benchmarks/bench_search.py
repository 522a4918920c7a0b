"""Search as a person reads it: the order and scores of a few queries on notes/, and how
the scores spread (issue: search that reads like a search engine's).

Usage::

    python benchmarks/bench_search.py [--corpus notes] [--work /tmp/bench-search] [--json]
    python benchmarks/bench_search.py --edit-corpus /tmp/c10k [--work ...]

With --edit-corpus (a corpus from generate_corpus.py, copied to WORK): the first search
after an edit, as `kg search` meets it in a fresh process: the BM25 index of the corpus is
saved, one page gets a new sentence, the corpus is loaded again, and the BM25 index of the
new state is timed (wall and CPU seconds; before this change it was built again whole).

Copies the corpus to WORK (never writes beside notes/), indexes it as a new user's
`kg index` does (the static vectors), then prints the top 5 hits of `memorization` with how
each matched and its score, and, over QUERIES (top 10 each), the scores by how the hit
matched: count, min, median, max, and the share of hits scoring 0.9 or more and under 0.5.
Each score is printed as `g.search` gives it and, as the browser showed it before scores
were calibrated, as a share of the query's best hit ("% of best"). It runs against
whichever `kg` is imported, so the same command measures an older checkout too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

QUERIES = (
    "memorization",
    "reward hacking",
    "majority vote",
    "sycophancy",
    "verifier",
    "chain of thought faithfulness",
    "models telling users what they want to hear",
    "do judges prefer longer answers",
    "obedience",
    "contamination of benchmarks",
    "self-correction without feedback",
    "test-time compute",
    "cooking pasta recipes",
    "ocean tides",
    "tool use agents long horizon",
    "interpretability features",
    "distillation",
    "reinforcement learning with verifiable rewards",
    "generalisation",
    "flattery",
)


def kind_of(hit: Any) -> str:
    """How a hit matched: `match_kind` where kg has it, else the first way it lists."""
    kind = getattr(hit, "match_kind", "")
    if kind:
        return str(kind)
    first = hit.matched[0] if hit.matched else "meaning"
    return "title" if "title" in first else first


def run(corpus: Path, work: Path) -> dict[str, Any]:
    import kg

    copy = work / "notes"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns(".kg"))
    index = work / "index"
    built = subprocess.run(
        [sys.executable, "-m", "kg.cli", "index", "--corpus", str(copy), "--index", str(index)],
        capture_output=True,
        text=True,
    )
    if built.returncode:
        raise SystemExit(built.stderr)
    graph = kg.load(copy, index=index, embed="stored")
    top = graph.search("memorization", k=5)
    best = max((h.score for h in top), default=0.0) or 1.0
    memorization = [
        {
            "title": h.note.title,
            "kind": kind_of(h),
            "score": round(h.score, 4),
            "share_of_best": round(h.score / best, 2),
        }
        for h in top
    ]
    by_kind: dict[str, list[float]] = {}
    shares: list[float] = []
    for query in QUERIES:
        hits = graph.search(query, k=10)
        top_score = max((h.score for h in hits), default=0.0) or 1.0
        for hit in hits:
            by_kind.setdefault(kind_of(hit), []).append(hit.score)
            shares.append(hit.score / top_score)
    every = [s for scores in by_kind.values() for s in scores]
    spread = {
        kind: {
            "hits": len(scores),
            "min": round(min(scores), 4),
            "median": round(statistics.median(scores), 4),
            "max": round(max(scores), 4),
        }
        for kind, scores in sorted(by_kind.items())
    }
    return {
        "kg": str(Path(kg.__file__).parent),
        "memorization_top5": memorization,
        "spread_by_kind": spread,
        "hits": len(every),
        "share_score_at_least_0_9": round(sum(s >= 0.9 for s in every) / len(every), 2),
        "share_score_under_0_5": round(sum(s < 0.5 for s in every) / len(every), 2),
        "share_of_best_at_least_0_87": round(sum(s >= 0.87 for s in shares) / len(shares), 2),
    }


def first_search_after_edit(corpus: Path, work: Path) -> dict[str, Any]:
    import time

    import kg
    from kg.query.lexical import lexical_index

    copy = work / "edited"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns(".kg"))
    index = work / "edited-index"
    shutil.rmtree(index, ignore_errors=True)
    graph = kg.load(copy, index=index, embed="none")
    wall, cpu = time.perf_counter(), time.process_time()
    lexical_index(graph)
    cold = (time.perf_counter() - wall, time.process_time() - cpu)
    page = sorted(copy.glob("*_synthesis_*.txt"))[0]
    text = page.read_text(encoding="utf-8").splitlines()
    line = next(i for i, row in enumerate(text) if i > 3 and len(row) > 40)  # the description
    text[line] += " A memorised answer needs no computation."
    page.write_text("\n".join(text) + "\n", encoding="utf-8")
    edited = kg.load(copy, index=index, embed="none")
    wall, cpu = time.perf_counter(), time.process_time()
    built = lexical_index(edited)
    after = (time.perf_counter() - wall, time.process_time() - cpu)
    found = [h.note.id for h in edited.search("memorised answer computation", k=3, semantic=False)]
    return {
        "kg": str(Path(kg.__file__).parent),
        "notes": len(graph.notes()),
        "bm25_cold_s": {"wall": round(cold[0], 2), "cpu": round(cold[1], 2)},
        "bm25_after_edit_s": {"wall": round(after[0], 2), "cpu": round(after[1], 2)},
        "notes_counted_after_edit": getattr(built, "counted", None),
        "edited_note_found": bool(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--corpus", type=Path, default=root / "notes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-search"))
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--edit-corpus", type=Path, help="time the first search after an edit")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.edit_corpus:
        print(json.dumps(first_search_after_edit(args.edit_corpus, args.work), indent=2))
        return
    result = run(args.corpus, args.work)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"kg from {result['kg']}")
    print("memorization, top 5 (kind, score, share of the best hit's score):")
    for rank, hit in enumerate(result["memorization_top5"], start=1):
        print(
            f"  {rank}. {hit['kind']:<8} {hit['score']:<7} {hit['share_of_best']:.0%}  {hit['title']}"
        )
    print(f"scores of the top 10 of {len(QUERIES)} queries ({result['hits']} hits), by kind:")
    for kind, row in result["spread_by_kind"].items():
        print(
            f"  {kind:<8} {row['hits']:>3} hits  min {row['min']}  median {row['median']}  max {row['max']}"
        )
    print(
        f"  share scoring >= 0.9: {result['share_score_at_least_0_9']:.0%}; under 0.5: "
        f"{result['share_score_under_0_5']:.0%}; at >= 87% of the query's best hit: "
        f"{result['share_of_best_at_least_0_87']:.0%}"
    )


if __name__ == "__main__":
    main()
