"""What the open browser's live re-index costs after an edit, vectors kept.

    python benchmarks/bench_live.py CORPUS [--rounds 4]

CORPUS is a generated corpus (benchmarks/generate_corpus.py) indexed with vectors first
(`kg index --corpus CORPUS`). In one process, as the browser does after a save, it changes
one synthesis page and times `kg.load(CORPUS, embed="lazy")` (the index updated in place or
rebuilt; the texts that changed embedded with the configured embedder, every other vector
kept) and then `kg_tui.live.note_changes` (the notes the toast names, a retitle followed),
beside `kg.load(..., embed="none")` for the same edits (the graph alone, timed after).
Three edits, rounds interleaved: a sentence appended to the page's second line, one appended to its longest
paragraph, and its title changed. Each load is checked to leave every note its vector.
The page is restored at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tui"))


def main() -> None:
    from kg_tui.live import note_changes

    import kg

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    corpus = args.corpus
    shown = kg.load(corpus, embed="lazy")
    assert shown.embeddings is not None, "index the corpus with vectors first (kg index)"
    victim = sorted(corpus.glob("*_synthesis_main.txt"))[0]
    original = victim.read_text(encoding="utf-8")
    lines = original.split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    edits = {
        "second line": lambda ls, r: ls.__setitem__(1, ls[1] + f" Round {r}."),
        "longest paragraph": lambda ls, r: ls.__setitem__(longest, ls[longest] + f" Round {r}."),
        "title": lambda ls, r: ls.__setitem__(0, ls[0].rstrip("?") + f" in round {r}?"),
    }
    graph_only: dict[str, list[float]] = {name: [] for name in edits}
    rows: dict[str, list[tuple[float, float, int, str]]] = {name: [] for name in edits}
    try:
        # The browser's path first, each load after the one before (as a session runs);
        # then the same edits with the graph alone.
        for round_ in range(args.rounds):
            for name, edit in edits.items():
                changed = list(lines)
                edit(changed, round_)
                victim.write_text("\n".join(changed), encoding="utf-8")
                started = time.perf_counter()
                graph = kg.load(corpus, embed="lazy")
                loaded = time.perf_counter() - started
                started = time.perf_counter()
                changes = note_changes(shown, graph)
                told = time.perf_counter() - started
                store, update = graph.embeddings, graph.index_update
                assert store is not None and store.complete and update is not None, name
                assert changes.describe() != "no note changed", name
                rows[name].append((loaded, told, store.embedded, update.mode))
                shown = graph
        for round_ in range(args.rounds):
            for name, edit in edits.items():
                changed = list(lines)
                edit(changed, round_ + args.rounds)
                victim.write_text("\n".join(changed), encoding="utf-8")
                started = time.perf_counter()
                kg.load(corpus, embed="none")
                graph_only[name].append(time.perf_counter() - started)
    finally:
        victim.write_text(original, encoding="utf-8")
        kg.load(corpus, embed="lazy")
    print(f"{corpus}: {len(shown):,} nodes, {args.rounds} rounds (medians)")
    print("edit | index | graph only | with vectors (browser) | note_changes | texts embedded")
    for name, got in rows.items():
        print(
            f"{name} | {got[-1][3]} | {statistics.median(graph_only[name]):.2f} s | "
            f"{statistics.median(r[0] for r in got):.2f} s | "
            f"{statistics.median(r[1] for r in got):.3f} s | {sorted({r[2] for r in got})}"
        )


if __name__ == "__main__":
    main()
