"""Embeddings, near and search on a generated corpus (issue: embeddings and search), and
each embedder kg offers side by side (issue 14).

    python benchmarks/bench_embed.py [--corpus DIR] [--pages 10000] [--sample 5000]
                                     [--rounds 3] [--full] [--json FILE]
                                     [--only quality --only embedders] [--small-corpus DIR]

One run measures, each phase in its own process (so each has its own peak memory):

- throughput: `SentenceTransformerEmbedder.encode` (token-length sorting, batches cut
  by a token budget) against plain `SentenceTransformer.encode` (batch 32, its
  default, and 64) on the same `--sample` distinct corpus texts; the methods take turns
  on chunks of 500 texts so bursts of machine load hit all alike; speedups are the
  median over rounds of the per-round ratio, in wall time and in CPU time;
- full (with --full): `kg.load(corpus)` embedding every text of the corpus;
- reindex: `kg.load` of the unchanged corpus (total, and the vector part alone), and
  after one note changed (texts embedded, seconds);
- near: `g.near` latency p50/p99 on the corpus's note vectors and on 100,000 synthetic
  random unit vectors (a 100,000-note graph, same code path);
- search: `g.search` latency, words only and hybrid, and the first search (BM25 index
  built or read back);
- quality: per embedder (transformer, static, hybrid), on the seeds and notes/:
  masked-citation recall@1/@3 as kg trace ranks, the paraphrase test, near overlap@10
  with the transformer (benchmarks/embedders.py);
- embedders: per embedder, texts/s on the same sample, and a cold `kg index` plus one
  changed sentence on the small corpus (1,000 pages) and the corpus (10,000 pages; the
  transformer only with --transformer-10k, about 25 minutes).

Without --full, reindex/near/search use an index whose vectors come from a fast fake
embedder of the same dimension (384), so the code paths and array sizes are the real
ones; with --full they use the real model's index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PHASES = ("throughput", "full", "reindex", "near", "search", "quality", "embedders")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def corpus_texts(corpus: Path, index: Path) -> tuple[list[str], int]:
    """Distinct texts kg embeds for the corpus, and how many keyed texts there are."""
    import kg
    from kg.embed.texts import note_texts

    graph = kg.load(corpus, index=index, embed=False)
    keyed = [text for note in graph for _, _, text in note_texts(note)]
    return list(dict.fromkeys(keyed)), len(keyed)


# ---------------------------------------------------------------- phases


def phase_throughput(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from kg.config import Config
    from kg.embed.models import load_transformer as load_embedder

    texts, keyed = corpus_texts(args.corpus, args.graph_index)
    sample = random.Random(1).sample(texts, min(args.sample, len(texts)))
    started = time.perf_counter()
    embedder = load_embedder(Config())
    model = embedder.model
    load_s = time.perf_counter() - started
    embedder.encode(sample[:64])
    model.encode(sample[:64])
    # The machine is shared: methods take turns on chunks of 500 texts, so a burst of load
    # hits all of them alike; wall and CPU time (all threads) are both summed per round.
    chunks = [sample[i : i + 500] for i in range(0, len(sample), 500)]
    methods = {
        "ours": lambda chunk: embedder.encode(chunk),
        "plain32": lambda chunk: model.encode(chunk, normalize_embeddings=True),
        "plain64": lambda chunk: model.encode(chunk, batch_size=64, normalize_embeddings=True),
    }
    wall: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    outputs: dict[str, list[Any]] = {name: [] for name in methods}
    for round_ in range(args.rounds):
        spent = {name: [0.0, 0.0] for name in methods}
        for number, chunk in enumerate(chunks):
            names = list(methods)
            turn = (round_ + number) % len(names)
            for name in names[turn:] + names[:turn]:
                w0, c0 = time.perf_counter(), time.process_time()
                vectors = methods[name](chunk)
                spent[name][0] += time.perf_counter() - w0
                spent[name][1] += time.process_time() - c0
                if round_ == 0:
                    outputs[name].append(vectors)
        for name, (w, c) in spent.items():
            wall[name].append(w)
            cpu[name].append(c)
        print(
            f"  round {round_ + 1}: "
            + ", ".join(f"{n} {w:.1f}s wall {c:.1f}s cpu" for n, (w, c) in spent.items()),
            file=sys.stderr,
        )

    def paired(times: dict[str, list[float]], baseline: str) -> float:
        return statistics.median(b / o for b, o in zip(times[baseline], times["ours"], strict=True))

    ours = np.concatenate(outputs["ours"])
    diff = float(np.abs(ours - np.concatenate(outputs["plain32"])).max())
    return {
        "distinct_texts": len(texts),
        "keyed_texts": keyed,
        "sample": len(sample),
        "sample_chars": sum(map(len, sample)),
        "rounds": args.rounds,
        "model_load_s": round(load_s, 2),
        "wall_s": {k: [round(x, 2) for x in v] for k, v in wall.items()},
        "cpu_s": {k: [round(x, 2) for x in v] for k, v in cpu.items()},
        "texts_per_wall_s": {k: round(len(sample) / min(v), 1) for k, v in wall.items()},
        "speedup_vs_plain32_wall": round(paired(wall, "plain32"), 3),
        "speedup_vs_plain64_wall": round(paired(wall, "plain64"), 3),
        "speedup_vs_plain32_cpu": round(paired(cpu, "plain32"), 3),
        "speedup_vs_plain64_cpu": round(paired(cpu, "plain64"), 3),
        "max_abs_diff": diff,
        "token_budget": embedder.token_budget,
        "peak_mib": round(peak_mib()),
    }


def phase_full(args: argparse.Namespace) -> dict[str, Any]:
    import kg

    shutil.rmtree(args.vector_index, ignore_errors=True)
    shutil.copytree(args.graph_index, args.vector_index)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == "embed" and (now - last[0] > 60 or done == total):
            last[0] = now
            print(f"  embed {done}/{total}", file=sys.stderr)

    started = time.perf_counter()
    graph = kg.load(args.corpus, index=args.vector_index, progress=progress)
    seconds = time.perf_counter() - started
    store = graph.embeddings
    return {
        "seconds": round(seconds, 1),
        "texts_embedded": store.embedded,
        "texts_per_s": round(store.embedded / seconds, 1),
        "notes": store.count,
        "keyed_texts": store.texts,
        "rows": store.rows,
        "index_mib": round(
            sum(p.stat().st_size for p in args.vector_index.glob("vectors*")) / 2**20, 1
        ),
        "peak_mib": round(peak_mib()),
    }


def _embedder(args: argparse.Namespace) -> Any:
    """The real model (its full index exists) or a fake one of the same dimension."""
    if args.full:
        return None
    from fake_embedder import FakeEmbedder

    return FakeEmbedder(dim=384, name="bench-fake-384")


def _ensure_vectors(args: argparse.Namespace) -> None:
    import kg

    if args.full:
        return
    if not (args.vector_index / "vectors.json").exists():
        shutil.rmtree(args.vector_index, ignore_errors=True)
        shutil.copytree(args.graph_index, args.vector_index)
    kg.load(args.corpus, index=args.vector_index, embedder=_embedder(args))


def phase_reindex(args: argparse.Namespace) -> dict[str, Any]:
    import kg

    _ensure_vectors(args)
    embedder = _embedder(args)
    totals, graph_only = [], []
    embedded = []
    for _ in range(args.rounds + 2):
        t0 = time.perf_counter()
        kg.load(args.corpus, index=args.vector_index, embed=False)
        t1 = time.perf_counter()
        graph = kg.load(args.corpus, index=args.vector_index, embedder=embedder)
        t2 = time.perf_counter()
        graph_only.append(t1 - t0)
        totals.append(t2 - t1)
        embedded.append(graph.embeddings.embedded)
    heavy = [m for m in ("torch", "sentence_transformers") if m in sys.modules]
    # One note changed: a sentence of a synthesis note's body is rewritten.
    page = next(p for p in sorted(args.corpus.glob("*_synthesis_main.txt")))
    original = page.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    target = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[target] = lines[target].rstrip("\n") + " A sentence added for the benchmark.\n"
    try:
        page.write_text("".join(lines), encoding="utf-8")
        t0 = time.perf_counter()
        changed = kg.load(args.corpus, index=args.vector_index, embedder=embedder)
        change_s = time.perf_counter() - t0
        change_embedded = changed.embeddings.embedded
    finally:
        page.write_text(original, encoding="utf-8")
    kg.load(args.corpus, index=args.vector_index, embedder=embedder)
    return {
        "vectors_from": "model" if args.full else "fake embedder, dim 384",
        "unchanged_total_s": round(statistics.median(totals), 3),
        "unchanged_graph_only_s": round(statistics.median(graph_only), 3),
        "unchanged_vector_part_s": round(
            statistics.median(t - g for t, g in zip(totals, graph_only, strict=True)), 3
        ),
        "unchanged_texts_embedded": max(embedded),
        "heavy_modules_imported": heavy,
        "one_note_changed_s": round(change_s, 2),
        "one_note_changed_texts_embedded": change_embedded,
        "peak_mib": round(peak_mib()),
    }


def _near_latency(graph: Any, queries: list[str], unlinked: bool) -> list[float]:
    times = []
    for note_id in queries:
        t0 = time.perf_counter()
        graph.near(note_id, k=10, unlinked=unlinked)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def phase_near(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    import kg
    from kg.embed.store import VectorStore
    from kg.model import Note, NoteKind

    _ensure_vectors(args)
    graph = kg.load(args.corpus, index=args.vector_index, embedder=_embedder(args))
    rng = random.Random(5)
    ids = [n for n in graph.embeddings.note_ids if graph.embeddings.has(n)]
    queries = [rng.choice(ids) for _ in range(args.queries)]
    _near_latency(graph, queries[:20], False)
    real = _near_latency(graph, queries, False)
    real_unlinked = _near_latency(graph, queries, True)
    # 100,000 notes with random unit vectors, through the same g.near code path.
    n = 100_000
    kinds = list(NoteKind)[:5]
    notes = {
        f"s{i}": Note(id=f"s{i}", title=f"Synthetic note {i}?", kind=kinds[i % 5]) for i in range(n)
    }
    big = kg.KnowledgeGraph(notes, [])
    vectors = np.random.default_rng(3).standard_normal((n, 384)).astype(np.float32)
    big.embeddings = VectorStore.from_note_vectors(
        list(notes), vectors, [x.kind for x in notes.values()]
    )
    big_queries = [f"s{rng.randrange(n)}" for _ in range(args.queries)]
    _near_latency(big, big_queries[:20], False)
    synthetic = _near_latency(big, big_queries, False)
    return {
        "vectors_from": "model" if args.full else "fake embedder, dim 384",
        "queries": args.queries,
        "notes_10k": len(ids),
        "near_10k_ms": {"p50": percentile(real, 50), "p99": percentile(real, 99)},
        "near_10k_unlinked_ms": {
            "p50": percentile(real_unlinked, 50),
            "p99": percentile(real_unlinked, 99),
        },
        "near_100k_ms": {"p50": percentile(synthetic, 50), "p99": percentile(synthetic, 99)},
        "peak_mib": round(peak_mib()),
    }


def phase_search(args: argparse.Namespace) -> dict[str, Any]:
    import kg
    from kg.query.search import LEXICAL_MANIFEST

    _ensure_vectors(args)
    (args.vector_index / LEXICAL_MANIFEST).unlink(missing_ok=True)
    graph = kg.load(args.corpus, index=args.vector_index, embedder=_embedder(args))
    rng = random.Random(9)
    titles = [n.title for n in graph.notes(stubs=False)]
    queries = []
    for _ in range(args.queries // 4):
        words = rng.choice(titles).rstrip("?").split()
        start = rng.randrange(max(1, len(words) - 3))
        queries.append(" ".join(words[start : start + 3]))
    t0 = time.perf_counter()
    graph.search(queries[0], semantic=False)
    first_build = time.perf_counter() - t0
    again = kg.load(args.corpus, index=args.vector_index, embedder=_embedder(args))
    t0 = time.perf_counter()
    again.search(queries[0], semantic=False)
    first_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    again.search(queries[1])
    first_hybrid = time.perf_counter() - t0  # includes loading the model for the query
    lexical, hybrid = [], []
    for query in queries:
        t0 = time.perf_counter()
        again.search(query, semantic=False)
        lexical.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        again.search(query + " ")  # not in the query-vector cache
        hybrid.append((time.perf_counter() - t0) * 1000)
    return {
        "vectors_from": "model" if args.full else "fake embedder, dim 384",
        "queries": len(queries),
        "first_search_bm25_built_s": round(first_build, 2),
        "first_search_bm25_read_s": round(first_read, 3),
        "first_hybrid_search_s": round(first_hybrid, 2),
        "lexical_ms": {"p50": percentile(lexical, 50), "p99": percentile(lexical, 99)},
        "hybrid_ms": {"p50": percentile(hybrid, 50), "p99": percentile(hybrid, 99)},
        "peak_mib": round(peak_mib()),
    }


def phase_quality(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.embedders import quality

    return quality([ROOT.parent / "shared" / "seeds", ROOT / "notes"])


def phase_embedders(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.embedders import EMBEDDERS, index_times, throughput

    return {
        "throughput": throughput(args.corpus, args.sample),
        "pages_1k": index_times(args.small_corpus, list(EMBEDDERS)),
        "pages_10k": index_times(
            args.corpus,
            [e for e in EMBEDDERS if e != "transformer" or args.transformer_10k],
        ),
    }


# ---------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "out" / "corpus10k")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=5000, help="texts for the throughput ratio")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--full", action="store_true", help="embed the whole corpus with the model")
    parser.add_argument("--phase", choices=PHASES, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=PHASES, action="append", help="run only these phases")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--small-corpus", type=Path, default=ROOT / "benchmarks" / "out" / "corpus1k"
    )
    parser.add_argument(
        "--transformer-10k", action="store_true", help="also index 10,000 pages with it"
    )
    args = parser.parse_args()
    args.corpus = args.corpus.resolve()
    args.small_corpus = args.small_corpus.resolve()
    args.graph_index = args.corpus.parent / f"{args.corpus.name}-graph-index"
    args.vector_index = args.corpus.parent / (
        f"{args.corpus.name}-{'model' if args.full else 'fake'}-index"
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.phase:
        result = globals()[f"phase_{args.phase}"](args)
        print(json.dumps(result))
        return
    if not args.corpus.exists() or not any(args.corpus.iterdir()):
        from benchmarks.generate_corpus import generate

        print(f"generating {args.pages} pages into {args.corpus}", file=sys.stderr)
        generate(args.corpus, pages=args.pages, seed=7)
    if not args.small_corpus.exists() or not any(args.small_corpus.iterdir()):
        from benchmarks.generate_corpus import generate

        print(f"generating 1000 pages into {args.small_corpus}", file=sys.stderr)
        generate(args.small_corpus, pages=1000, seed=7)
    import kg

    kg.load(args.corpus, index=args.graph_index, embed=False)  # the graph index, built once
    results: dict[str, Any] = {
        "corpus": str(args.corpus),
        "pages": len(list(args.corpus.iterdir())),
    }
    for phase in PHASES:
        if (phase == "full" and not args.full) or (args.only and phase not in args.only):
            continue
        print(f"{phase} ...", file=sys.stderr)
        command = [sys.executable, __file__, "--phase", phase, "--corpus", str(args.corpus)]
        command += ["--sample", str(args.sample), "--rounds", str(args.rounds)]
        command += ["--queries", str(args.queries)] + (["--full"] if args.full else [])
        command += ["--small-corpus", str(args.small_corpus)]
        command += ["--transformer-10k"] if args.transformer_10k else []
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        sys.stderr.write(done.stderr)
        if done.returncode:
            raise SystemExit(f"phase {phase} failed")
        results[phase] = json.loads(done.stdout.strip().splitlines()[-1])
        results[phase]["phase_s"] = round(time.perf_counter() - started, 1)
        print(json.dumps({phase: results[phase]}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
