"""Link prediction on Markdown vaults whose links people wrote: of each note's written links
(``[[Name]]``, ``![[Name]]``, ``[text](Name.md)`` to another note of the vault), the share
that are among the note's 10 nearest, for kg near and its baselines, in one run.

    HF_HUB_OFFLINE=1 python benchmarks/bench_links.py notes/vault tests/data/obsidian_vault /tmp/help-vault
    python benchmarks/bench_links.py VAULT --write-weights   # ship the weights all vaults choose

Per vault, for every note with at least one written link to another note with text
(candidates: every other note with text; stubs and attachments are not candidates):

- BM25: bm25s (Lucene) over each note's title and body, the note's own words as the query;
- MiniLM whole note: the shipped all-MiniLM-L6-v2 (sentence-transformers) cosine of
  "title + body" texts, the plain model kg ships;
- static whole note: the cosine of kg's stored whole-note vectors alone (the default
  embedder's static vectors: `near`'s meaning signal);
- static title (before): the cosine of the notes' title vectors (what near ranked by
  before the whole note was used, on a vault);
- kg near, held out: `near`'s fusion as it ranks once the model's whole-note vectors are
  computed (meaning: their cosine; words: BM25; graph: Adamic-Adar; sentences: the static
  whole-note cosine), each note scored with weights chosen on the other half of the
  vault's notes, averaged over `--splits` random halvings (so no figure depends on one
  lucky split);
- kg near static only, held out: the same before the whole-note vectors exist (weights
  chosen among those with meaning 0);
- kg near any weights, held out: weights chosen without near's rules that the two
  cosines together weigh at least `MEANING_SHARE` (near ranks by meaning first; words
  alone would be chosen as often on the help vault) and the model's at least
  `MODEL_SHARE` (near uses the better vectors once they are there);
- kg near, shipped weights: kg/data/near_weights.json as it is (in sample where a vault
  took part in choosing them: the report says which).

The graph signal never sees the links it is asked to predict: scoring a note, every link
between it and the notes it links to is hidden (`graph_scores(hidden=...)`).

Reported: recall@10 (the share of the note's written links among its 10 nearest, averaged
over notes) with a 95 % bootstrap interval (2,000 resamples of the notes), the paired
difference of kg near held out and the better baseline with its interval, and the
weights the halves chose. Weights are chosen on a grid (four weights in steps of 0.1 summing to 1) by mean
recall@10 averaged over the weighting and its grid neighbours (a half holds a few dozen
notes: a lone peak is noise), then grid order, among the weightings that give the two
cosines together at least half the weight and the model's cosine at least 0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from kg.model import NOT_NOTES, LinkKind, Note
from kg.query.near import fused_scores
from kg.query.related import NearWeights, graph_scores, word_scores
from kg.text import tokens

AT = 10
WRITTEN = frozenset({LinkKind.LINKS, LinkKind.EMBEDS})
# Weights in steps of 0.1 summing to 1: meaning (the model's whole-note vectors), words,
# graph, sentences (the static whole-note vectors).
GRID = [
    NearWeights(m / 10, w / 10, (10 - m - w - s) / 10, s / 10)
    for m in range(11)
    for w in range(11 - m)
    for s in range(11 - m - w)
]
# near ranks by meaning at least half, and by the model's whole-note vectors once they
# exist: weights are chosen among those giving the two cosines (meaning, sentences)
# together at least MEANING_SHARE, the model's (meaning) at least MODEL_SHARE.
MEANING_SHARE = 0.5
MODEL_SHARE = 0.1
ALLOWED = [
    j
    for j, w in enumerate(GRID)
    if w.meaning + w.sentences >= MEANING_SHARE - 1e-9 and w.meaning >= MODEL_SHARE - 1e-9
]
STATIC = [
    j for j, w in enumerate(GRID) if w.meaning == 0 and w.sentences >= MEANING_SHARE - 1e-9
]  # near before the upgrade


@dataclass
class Vault:
    """One vault's notes, their written links and every method's scores."""

    name: str
    ids: list[str]  # candidates: notes with text, in the store's order
    links: dict[str, set[str]]  # note -> the candidates it links to (notes with >= 1)
    scores: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # method -> note
    # note -> (meaning, words, graph, sentences) over `ids`
    signals: dict[str, tuple[np.ndarray, ...]] = field(default_factory=dict)


def whole_text(note: Note) -> str:
    return "\n".join([note.title, *(p.text for p in note.body)])


def recall(scores: np.ndarray, ids: list[str], note: str, links: set[str]) -> tuple[float, float]:
    """(recall@10, reciprocal rank of the first link) of one note's ranking."""
    scores = scores.astype(np.float64).copy()
    scores[ids.index(note)] = -np.inf
    order = np.argsort(-scores, kind="stable")
    ranked = [ids[i] for i in order]
    top = set(ranked[:AT])
    first = next((r for r, i in enumerate(ranked) if i in links), len(ranked))
    return len(top & links) / len(links), 1.0 / (first + 1)


def read_vault(path: Path, index: Path, transformer: object) -> tuple[Vault, kg.KnowledgeGraph]:
    graph = kg.load(path, index=index)
    started = time.perf_counter()
    graph.note_vectors.compute()  # the model's whole-note vectors, as `kg index` computes them
    print(f"  {path}: whole-note vectors in {time.perf_counter() - started:.1f} s", flush=True)
    store = graph.embeddings
    notes = [n for n in graph if n.kind not in NOT_NOTES and not n.stub and store.has(n.id)]
    ids = [n.id for n in notes]
    known = set(ids)
    links: dict[str, set[str]] = {}
    for note in notes:
        out = {
            lk.target
            for lk in graph.links_of(note, direction="out")
            if lk.kind in WRITTEN and lk.target in known and lk.target != note.id
        }
        if out:
            links[note.id] = out
    vault = Vault(path.name or str(path), ids, links)
    rows = np.array([store.position(i) for i in ids])
    matrix = store.matrix[rows]
    titles = np.stack([store.vectors_for(i, "title")[0] for i in ids])
    import bm25s

    bm25 = bm25s.BM25(method="lucene")
    bm25.index([tokens(whole_text(n)) or [""] for n in notes], show_progress=False)
    vocab = bm25.vocab_dict
    texts = transformer.encode([whole_text(n) for n in notes])  # type: ignore[attr-defined]
    full = graph.note_vectors.rows_for(ids)
    assert full is not None, "a note lacks its whole-note vector"
    for name in ("BM25", "MiniLM whole note", "static whole note", "static title (before)"):
        vault.scores[name] = {}
    for note in notes:
        if note.id not in links:
            continue
        i = ids.index(note.id)
        query = [t for t in tokens(whole_text(note)) if t in vocab]
        vault.scores["BM25"][note.id] = (
            np.asarray(bm25.get_scores(query), dtype=np.float32) if query else np.zeros(len(ids))
        )
        vault.scores["MiniLM whole note"][note.id] = texts @ texts[i]
        vault.scores["static whole note"][note.id] = matrix @ matrix[i]
        vault.scores["static title (before)"][note.id] = titles @ titles[i]
        hidden = {lk.target for lk in graph.links_of(note, direction="out") if lk.kind in WRITTEN}
        vault.signals[note.id] = (
            full @ full[i],
            word_scores(graph, note.id, ids),
            graph_scores(graph, note.id, ids, hidden),
            matrix @ matrix[i],
        )
        # The fused score as `near` computes it, hiding the same links: a check that the
        # benchmark's fusion is near's.
        check = fused_scores(graph, note.id, ids, matrix[i], rows, NearWeights.shipped(), hidden)
        mine = NearWeights.shipped().fuse(*vault.signals[note.id])
        assert np.allclose(check, mine, atol=1e-5), "the benchmark's fusion differs from near's"
    return vault, graph


def evaluate(vault: Vault, notes: list[str], weights: NearWeights) -> np.ndarray:
    """(recall@10, reciprocal rank) per note for the fusion with these weights."""
    return np.array(
        [recall(weights.fuse(*vault.signals[n]), vault.ids, n, vault.links[n]) for n in notes]
    )


def recall_table(vault: Vault, notes: list[str]) -> np.ndarray:
    """Recall@10 of every note (rows) for every weighting of `GRID` (columns)."""
    return np.array([[r for r, _ in evaluate(vault, notes, w)] for w in GRID]).T


def _neighbourhoods() -> list[list[int]]:
    def key(w: NearWeights) -> tuple[int, int, int]:
        return round(w.meaning * 10), round(w.words * 10), round(w.sentences * 10)

    at = {key(w): j for j, w in enumerate(GRID)}
    steps = [(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)]
    out = []
    for w in GRID:
        m, k, s = key(w)
        out.append([at[p] for p in ((m + a, k + b, s + c) for a, b, c in steps) if p in at])
    return out


NEIGHBOURHOODS = _neighbourhoods()


def choose(table: np.ndarray, allowed: list[int] | None = None) -> int:
    """The column of `GRID` (of `allowed` ones) whose neighbourhood has the best mean
    recall@10 over `table`'s rows (the notes weights are chosen on)."""
    means = table.mean(axis=0)
    smooth = np.array([means[around].mean() for around in NEIGHBOURHOODS])
    if allowed is not None:
        blocked = np.ones(len(GRID), dtype=bool)
        blocked[allowed] = False
        smooth[blocked] = -np.inf
    return int(np.argmax(smooth))  # first best: grid order breaks ties


def interval(values: np.ndarray, rng: np.random.Generator, boot: int) -> tuple[float, float]:
    picks = rng.integers(0, len(values), size=(boot, len(values)))
    means = values[picks].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def measure(
    vault: Vault, seed: int, boot: int, splits: int, shipped_in_sample: bool
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    notes = sorted(vault.links)
    per_note: dict[str, dict[str, float]] = {}
    for name, table in vault.scores.items():
        per_note[name] = {n: recall(table[n], vault.ids, n, vault.links[n])[0] for n in notes}
    grid = recall_table(vault, notes)
    held = np.zeros(len(notes))
    held_static = np.zeros(len(notes))
    held_any = np.zeros(len(notes))
    chosen: dict[tuple[tuple[str, float], ...], int] = {}
    for _ in range(splits):
        order = rng.permutation(len(notes))
        first, second = order[: len(notes) // 2], order[len(notes) // 2 :]
        for fit, test in ((first, second), (second, first)):
            column = choose(grid[fit], ALLOWED)
            held[test] += grid[test, column] / splits
            held_static[test] += grid[test, choose(grid[fit], STATIC)] / splits
            held_any[test] += grid[test, choose(grid[fit])] / splits
            parts = GRID[column].parts()
            chosen[parts] = chosen.get(parts, 0) + 1
    per_note["kg near, held out"] = dict(zip(notes, held.tolist(), strict=True))
    per_note["kg near static only, held out"] = dict(zip(notes, held_static.tolist(), strict=True))
    per_note["kg near any weights, held out"] = dict(zip(notes, held_any.tolist(), strict=True))
    shipped = NearWeights.shipped()
    per_note["kg near, shipped weights"] = {
        n: float(r) for n, (r, _) in zip(notes, evaluate(vault, notes, shipped), strict=True)
    }
    rows: dict[str, object] = {}
    for name, values in per_note.items():
        array = np.array([values[n] for n in notes])
        low, high = interval(array, rng, boot)
        rows[name] = {"recall": float(array.mean()), "low": low, "high": high}
    baselines = ("BM25", "MiniLM whole note")
    better = max(baselines, key=lambda b: rows[b]["recall"])  # type: ignore[index]
    diff = held - np.array([per_note[better][n] for n in notes])
    low, high = interval(diff, rng, boot)
    return {
        "vault": vault.name,
        "notes with links": len(notes),
        "candidates": len(vault.ids),
        "written links": sum(len(v) for v in vault.links.values()),
        "methods": rows,
        "better baseline": better,
        "difference": {"mean": float(diff.mean()), "low": low, "high": high},
        "weights chosen (how often, of 2 x splits)": sorted(
            ((dict(p), c) for p, c in chosen.items()), key=lambda pc: -pc[1]
        )[:5],
        "shipped weights in sample": shipped_in_sample,
    }


def print_report(result: dict[str, object]) -> None:
    print(
        f"\n{result['vault']}: {result['notes with links']} notes with written links "
        f"({result['written links']} links), {result['candidates']} candidates"
    )
    methods = result["methods"]
    assert isinstance(methods, dict)
    for name, row in methods.items():
        note = (
            " (in sample)"
            if name.endswith("shipped weights") and result["shipped weights in sample"]
            else ""
        )
        print(
            f"  {name:31} recall@{AT} {row['recall']:.3f}  "
            f"[{row['low']:.3f}, {row['high']:.3f}]{note}"
        )
    diff = result["difference"]
    assert isinstance(diff, dict)
    print(
        f"  kg near held out - {result['better baseline']}: {diff['mean']:+.3f} "
        f"[{diff['low']:+.3f}, {diff['high']:+.3f}]"
    )
    print(f"  weights chosen (how often): {result['weights chosen (how often, of 2 x splits)']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vaults", nargs="+", type=Path, help="Markdown vault folders")
    parser.add_argument("--seed", type=int, default=0, help="the halves' and resamples' seed")
    parser.add_argument("--boot", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--splits", type=int, default=10, help="random halvings averaged")
    parser.add_argument(
        "--at",
        type=int,
        default=10,
        help="how many nearest count (default 10; a vault of a dozen notes needs fewer)",
    )
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument(
        "--write-weights",
        action="store_true",
        help="choose weights on every vault's notes together and write kg/data/near_weights.json",
    )
    parser.add_argument(
        "--shipped-from",
        action="append",
        default=[],
        help="a vault (folder name) the shipped weights were chosen on: marked in sample",
    )
    args = parser.parse_args()
    global AT
    AT = args.at
    from kg.embed.models import load_transformer

    start = time.perf_counter()
    transformer = load_transformer()
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; "
        f"{os.cpu_count()} cores; shipped weights {NearWeights.shipped().parts()}; "
        f"recall@{AT}"
    )
    results, vaults = [], []
    with tempfile.TemporaryDirectory(prefix="kg-links-") as tmp:
        for number, path in enumerate(args.vaults):
            vault, _ = read_vault(path, Path(tmp) / f"index{number}", transformer)
            vaults.append(vault)
            result = measure(
                vault, args.seed, args.boot, args.splits, vault.name in args.shipped_from
            )
            results.append(result)
            print_report(result)
    if args.write_weights:
        table = np.concatenate([recall_table(v, sorted(v.links)) for v in vaults])
        best = GRID[choose(table, ALLOWED)]
        best_key = (float(table[:, GRID.index(best)].mean()),)
        target = Path(__file__).resolve().parent.parent / "kg" / "data" / "near_weights.json"
        target.write_text(
            json.dumps(
                {
                    "about": (
                        "How kg near weighs its signals: the cosine of the model's whole-note "
                        "vectors (meaning; the static ones until those are computed), BM25 "
                        "of the note's words in each note and of each note's words in it "
                        "(words) and Adamic-Adar over shared neighbours "
                        "(graph), each scaled to 0-1 over the candidates, and the cosine of "
                        "the static whole-note vectors (sentences). Chosen by "
                        "benchmarks/bench_links.py --write-weights on the notes of the "
                        "vaults listed, by mean recall@10 of written links, among the "
                        "weightings that give the two cosines together at least half and "
                        "the model's at least 0.1."
                    ),
                    "chosen on": [v.name for v in vaults],
                    "recall@10 there (in sample)": round(best_key[0], 4),
                    "weights": dict(best.parts()),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"\nwrote {target}: {best.parts()} (in-sample recall@10 {best_key[0]:.3f})")
    print(f"\n{time.perf_counter() - start:.1f} s; load average {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
