"""How close in meaning a query of nonsense comes to a corpus, beside real words: the
measurement behind search's rule that a match by meaning counts only when some query word
is known (to the notes, or whole to the model's vocabulary) and the cosine is at least
`kg.query.search.MEANING_FLOOR`.

    python benchmarks/bench_meaning_floor.py --corpus notes

For each query: the best cosine of its vector with any text of any note (what search
compares), and whether the model holds each of its words whole. Random letter strings
(4 to 10 letters, seeded) give the distribution a nonsense query draws from.
"""

from __future__ import annotations

import argparse
import random
import string

import numpy as np

import kg
from kg.query.search import MEANING_FLOOR, _semantic_scores

ON_TOPIC = ("sycophancy", "verifier", "reward", "reasoning", "retrieval", "honesty", "lying")
OFF_TOPIC = ("chess", "weather", "cooking", "football", "gardening", "flattery", "obedience")


def best_cosine(store: kg.VectorStore, text: str) -> float:
    _, best = _semantic_scores(store, store.text_vector(text))
    return float(np.max(best[np.isfinite(best)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="notes")
    parser.add_argument("--random", type=int, default=500, help="random strings (default 500)")
    args = parser.parse_args()
    graph = kg.load(args.corpus, embed="all")
    store = graph.embeddings
    assert store is not None, "the corpus has no vectors"
    knows = getattr(store.embedder, "knows", lambda word: False)
    print(f"{store.model}: {store.count} notes with vectors; floor {MEANING_FLOOR}")
    draw = random.Random(7)
    noise = [
        best_cosine(
            store, "".join(draw.choice(string.ascii_lowercase) for _ in range(draw.randint(4, 10)))
        )
        for _ in range(args.random)
    ]
    p50, p90, p99 = np.percentile(noise, [50, 90, 99])
    print(
        f"random letters ({args.random}): best cosine p50 {p50:.3f}, p90 {p90:.3f}, p99 {p99:.3f}"
    )
    for label, queries in (("on topic", ON_TOPIC), ("off topic", OFF_TOPIC)):
        for query in queries:
            known = "known" if knows(query) else "pieces"
            print(f"{label:9} {query:12} {best_cosine(store, query):.3f} ({known} to the model)")
    for query in ("zxqv flibbertigibbet", "xqzvw"):
        best, hits = best_cosine(store, query), graph.search(query)
        print(f"nonsense  {query!r}: best cosine {best:.3f}, hits {hits}")


if __name__ == "__main__":
    main()
