"""Each embedder kg offers, side by side (issue 14): quality and speed in one run.

Used by bench_embed.py (``--only quality``, ``--only embedders``); each function returns
JSON-able results. Embedders: "transformer" (all-MiniLM-L6-v2 itself), "static" (the
table model2vec distils from it) and "hybrid" (static vectors stored, the transformer for
the texts a trace compares), as `embedder:` in kg.yaml names them.

Quality, on the seeds and notes/:
- masked-citation recall@1/@3 (bench_trace.py's cases), ranked as `kg trace` ranks them
  (`kg.query.scorers.default_scorer`), and by the embeddings alone;
- the paraphrase test of tests/test_embeddings.py: the rank of its note by vector and by
  `g.search`, and the cosine;
- near-neighbour overlap@10 with the transformer: for every note with a vector, the share
  of its 10 nearest notes (`g.near`) the transformer's ranking also has.

Speed, on generated corpora: distinct texts per second (the same sample for each), a cold
`kg index` (parse, graph and every vector, a fresh index, model start-up included) and one
changed sentence re-indexed by `kg index` in a new process.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EMBEDDERS = ("transformer", "static", "hybrid")
EXPERTS = "Can models trained on many imperfect experts outperform each one?"
PARAPHRASE = (
    "Can a generative model that learns from lots of flawed human specialists form an "
    "implied consensus that beats every single one of them? The question is whether "
    "pooling varied viewpoints while training, not while answering, removes human bias."
)


def _open(corpus: Path, embedder: str, index: Path) -> Any:
    import kg

    config = replace(kg.load_config(corpus), embedder=embedder)
    return kg.load(corpus, index=index, config=config)


def _recall(ranks: list[int]) -> list[float]:
    if not ranks:
        return [0.0, 0.0]
    return [
        round(sum(r == 0 for r in ranks) / len(ranks), 3),
        round(sum(r < 3 for r in ranks) / len(ranks), 3),
    ]


def masked_recall(graph: Any) -> dict[str, Any]:
    """Recall@1/@3 of the true source, as kg trace ranks, and by the embeddings alone."""
    from benchmarks.bench_trace import masked_cases
    from kg.query.fusion import default_scorer
    from kg.query.scorers import EmbeddingScorer, rank

    cases = masked_cases(graph)
    scorer = default_scorer(graph)
    traced, dense = [], []
    vectors = getattr(scorer, "store", None)
    for case in cases:
        order = [i for i, _ in rank(scorer, graph, case.masked, case.candidates)]
        traced.append(order.index(case.truth))
        if vectors is not None:
            scores = EmbeddingScorer(vectors).score(graph, case.masked, case.candidates)
            by_score = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
            dense.append(by_score.index(case.truth))
    return {
        "cases": len(cases),
        "trace_ranking": _recall(traced),
        "embeddings_only": _recall(dense),
        "scorer": f"{type(scorer).__name__} over {type(vectors).__name__}",
    }


def paraphrase(graph: Any) -> dict[str, Any]:
    """Where the paraphrase of a description ranks its note (1 = first)."""
    store = graph.embeddings
    note = graph.note(EXPERTS)
    found = store.nearest(store.text_vector(PARAPHRASE), 20)
    ids = [i for i, _ in found]
    hits = [h.note.id for h in graph.search(PARAPHRASE, k=10)]
    return {
        "vector_rank": ids.index(note.id) + 1 if note.id in ids else None,
        "cosine": round(dict(found).get(note.id, 0.0), 3),
        "margin_over_next": round(found[0][1] - found[1][1], 3),
        "search_rank": hits.index(note.id) + 1 if note.id in hits else None,
    }


def near_lists(graph: Any, weights: Any = None) -> dict[str, list[str]]:
    """Each note's 10 nearest by `g.near` (`weights`: its fusion's, shipped by default)."""
    store = graph.embeddings
    return {
        note_id: [n.note.id for n in graph.near(note_id, k=10, weights=weights)]
        for note_id in store.note_ids
        if store.has(note_id)
    }


def overlap(lists: dict[str, list[str]], reference: dict[str, list[str]]) -> float:
    shared = [
        len(set(lists[n]) & set(reference[n])) / max(1, len(reference[n]))
        for n in reference
        if n in lists and reference[n]
    ]
    return round(statistics.mean(shared), 3) if shared else 0.0


def quality(corpora: list[Path]) -> dict[str, Any]:
    """Every quality figure, per corpus and embedder."""
    out: dict[str, Any] = {}
    for corpus in corpora:
        per: dict[str, Any] = {}
        reference: dict[str, list[str]] = {}
        reference_fused: dict[str, list[str]] = {}
        for embedder in EMBEDDERS:
            index = Path(tempfile.mkdtemp(prefix=f"kg-q-{embedder}-"))
            started = time.perf_counter()
            graph = _open(corpus, embedder, index)
            seconds = time.perf_counter() - started
            result: dict[str, Any] = {
                "vectors": graph.embeddings.model,
                "index_s": round(seconds, 1),
                "masked_citation": masked_recall(graph),
            }
            if EXPERTS.lower() in {n.title.lower() for n in graph.notes(stubs=False)}:
                result["paraphrase"] = paraphrase(graph)
            # The vectors alone (near's meaning signal), then near as it ranks (fused with
            # words and the graph, which do not depend on the embedder).
            from kg.query.related import NearWeights

            lists = near_lists(graph, NearWeights(1.0, 0.0, 0.0))
            fused = near_lists(graph)
            if embedder == "transformer":
                reference, reference_fused = lists, fused
            result["near_overlap_at_10"] = overlap(lists, reference)
            result["near_overlap_at_10_fused"] = overlap(fused, reference_fused)
            per[embedder] = result
            shutil.rmtree(index, ignore_errors=True)
            print(f"  {corpus.name} {embedder}: {result}", file=sys.stderr)
        out[corpus.name] = per
    return out


def throughput(corpus: Path, sample_size: int) -> dict[str, Any]:
    """Distinct texts per second of each embedder on the same sample of corpus texts."""
    import kg
    from kg.config import Config
    from kg.embed.choose import load_embedder
    from kg.embed.texts import note_texts

    graph = kg.load(corpus, index=Path(tempfile.mkdtemp()), embed="none", save=False)
    texts = list(dict.fromkeys(t for note in graph for _, _, t in note_texts(note)))
    sample = random.Random(1).sample(texts, min(sample_size, len(texts)))
    out: dict[str, Any] = {"sample": len(sample)}
    for name in ("transformer", "static"):
        embedder = load_embedder(Config(embedder=name))
        started = time.perf_counter()
        embedder.encode(sample[:64])  # loads the model
        load_s = time.perf_counter() - started
        chunk = sample if name == "static" else sample[: max(500, len(sample) // 10)]
        started = time.perf_counter()
        embedder.encode(chunk)
        rate = len(chunk) / (time.perf_counter() - started)
        out[name] = {"texts_per_s": round(rate, 1), "start_up_s": round(load_s, 2)}
    out["static_over_transformer"] = round(
        out["static"]["texts_per_s"] / out["transformer"]["texts_per_s"], 1
    )
    return out


def _kg_index(corpus: Path, index: Path, config: Path) -> tuple[float, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "kg.cli", "index", "--corpus", str(corpus)]
    command += ["--index", str(index), "--config", str(config)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - started, done.stdout.strip().splitlines()[-1]


def _change_one_sentence(corpus: Path) -> tuple[Path, str]:
    page = sorted(corpus.glob("*_synthesis_main.txt"))[0]
    original = page.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    target = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[target] = lines[target].rstrip("\n") + " A sentence added for the benchmark.\n"
    page.write_text("".join(lines), encoding="utf-8")
    return page, original


def index_times(corpus: Path, embedders: list[str]) -> dict[str, Any]:
    """Cold `kg index` with every vector, then one changed sentence, per embedder (each a
    new process: model start-up included)."""
    out: dict[str, Any] = {}
    for embedder in embedders:
        work = Path(tempfile.mkdtemp(prefix=f"kg-cold-{embedder}-"))
        config = work / "kg.yaml"
        config.write_text(f"embedder: {embedder}\n")
        cold_s, summary = _kg_index(corpus, work / "index", config)
        page, original = _change_one_sentence(corpus)
        try:
            edit_s, edit_summary = _kg_index(corpus, work / "index", config)
        finally:
            page.write_text(original, encoding="utf-8")
        _kg_index(corpus, work / "index", config)  # back to the unchanged corpus
        unchanged_s, _ = _kg_index(corpus, work / "index", config)
        out[embedder] = {
            "cold_index_s": round(cold_s, 1),
            "cold_summary": summary,
            "one_sentence_changed_s": round(edit_s, 2),
            "edit_summary": edit_summary,
            "unchanged_reopen_s": round(unchanged_s, 2),
        }
        print(f"  {corpus.name} {embedder}: {out[embedder]}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    return out
