"""Near and meaning search, every figure of issue 24 point 2 in one run: link prediction on
vaults (`bench_links`), the default's meaning vectors against the shipped model's whole-note
vectors (overlap@10, paraphrase margin), and what the whole-note vectors cost on the
10,000-page generated corpus (cold `kg index`, the time until every note has its vector,
one edit).

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/bench_near.py \\
        --vault /tmp/help-vault --vault tests/data/obsidian_vault --pages 10000

Meaning vectors, per corpus (the seeds and notes/), each note with text against every other
note `near` considers:

- reference: the shipped all-MiniLM-L6-v2 through sentence-transformers, one vector per
  note of its whole text (`kg.embed.notevectors.note_text`: title, description, claim,
  body, cut at the model's 256 word pieces), the "plain model's whole-note cosine";
- kg default, static (before the whole-note vectors exist): `g.near(note, weights=
  {"meaning": 1})` on a fresh index, which ranks by the static whole-note vectors;
- kg default, whole note (after `g.embed_notes()`, as `kg index` leaves a corpus of up to
  300 notes and the browser or `kg watch` any corpus): the same call, now ranking by
  kg's whole-note vectors (the model through ONNX Runtime; a quarter of the headline's
  vector blended in where a note has a description or claim).

Overlap@10: the share of a note's 10 nearest by kg that the reference's 10 nearest hold,
averaged over notes (stubs rank after notes in both, as `near` ranks them). Paraphrase:
the tests' paraphrase of a seed note's description; the note's rank among all notes by
the vectors search uses, the cosine, the margin over the next note, and its rank in
`g.search`.

Costs: the generated corpus (`generate_corpus.py --pages N --seed 7`, into --corpus), each
step a new process: cold `kg index` (static vectors and the index: the figure the 60 s
target is about; whole-note vectors are left to the background above 300 notes), then
`kg index --note-vectors all` (the time until every note has its whole-note vector, on top),
then one sentence appended to a synthesis page and `kg index` again (the edit: that note's
whole-note vector is embedded on the spot).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
KG = (sys.executable, "-m", "kg.cli")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


# ---------------------------------------------------------------- link prediction


def links(vaults: list[Path], at: int, splits: int, boot: int) -> list[dict[str, Any]]:
    import bench_links

    from kg.embed.models import load_transformer

    bench_links.AT = at
    transformer = load_transformer()
    out = []
    with tempfile.TemporaryDirectory(prefix="kg-near-links-") as tmp:
        for number, path in enumerate(vaults):
            vault, _ = bench_links.read_vault(path, Path(tmp) / f"i{number}", transformer)
            result = bench_links.measure(vault, 0, boot, splits, True)
            bench_links.print_report(result)
            out.append(result)
    return out


# ---------------------------------------------------------------- meaning vectors


def _reference_lists(graph: Any, centres: list[str], candidates: list[str]) -> dict[str, list]:
    """Each centre's 10 nearest by the plain model's whole-note cosine (stubs last)."""
    from kg.embed.models import load_transformer
    from kg.embed.notevectors import note_text

    notes = [graph.note(i) for i in candidates]
    vectors = load_transformer().encode([note_text(n) or n.title for n in notes])
    row = {note_id: i for i, note_id in enumerate(candidates)}
    stub = np.array([n.stub for n in notes])
    out = {}
    for centre in centres:
        scores = vectors @ vectors[row[centre]]
        order = sorted(
            (i for i in range(len(candidates)) if candidates[i] != centre),
            key=lambda i: (bool(stub[i]), -float(scores[i])),
        )
        out[centre] = [candidates[i] for i in order[:10]]
    return out


def _overlap(kg_lists: dict[str, list[str]], reference: dict[str, list[str]]) -> float:
    return float(np.mean([len(set(kg_lists[c]) & set(reference[c])) / 10 for c in reference]))


def _paraphrase(graph: Any) -> dict[str, Any] | None:
    from embedders import EXPERTS, PARAPHRASE

    from kg.embed.notevectors import query_scores

    target = graph.find(EXPERTS)
    if target is None:
        return None
    found = query_scores(graph, PARAPHRASE)
    if found is None:
        store = graph.embeddings
        pairs = store.nearest(store.text_vector(PARAPHRASE), 20)
    else:
        ids, scores, _ = found
        order = np.argsort(-scores)[:20]
        pairs = [(ids[i], float(scores[i])) for i in order]
    ranked = [i for i, _ in pairs]
    hits = [h.note.id for h in graph.search(PARAPHRASE, k=10)]
    return {
        "rank": ranked.index(target.id) + 1 if target.id in ranked else None,
        "cosine": round(dict(pairs).get(target.id, 0.0), 3),
        "margin": round(pairs[0][1] - pairs[1][1], 3),
        "search rank": hits.index(target.id) + 1 if target.id in hits else None,
    }


def _reference_paraphrase(graph: Any, candidates: list[str]) -> dict[str, Any] | None:
    from embedders import EXPERTS, PARAPHRASE

    from kg.embed.models import load_transformer
    from kg.embed.notevectors import note_text

    target = graph.find(EXPERTS)
    if target is None:
        return None
    model = load_transformer()
    vectors = model.encode([note_text(graph.note(i)) or graph.note(i).title for i in candidates])
    scores = vectors @ model.encode([PARAPHRASE])[0]
    order = np.argsort(-scores)
    return {
        "rank": int(list(order).index(candidates.index(target.id))) + 1,
        "cosine": round(float(scores[candidates.index(target.id)]), 3),
        "margin": round(float(scores[order[0]] - scores[order[1]]), 3),
    }


def meaning(corpus: Path) -> dict[str, Any]:
    import kg

    with tempfile.TemporaryDirectory(prefix="kg-near-meaning-") as tmp:
        graph = kg.load(corpus, index=Path(tmp) / "index")
        store = graph.embeddings
        mask = store.kind_mask(None)
        candidates = [i for i, ok in zip(store.note_ids, mask, strict=True) if ok]
        centres = [i for i in candidates if not graph.note(i).stub]
        reference = _reference_lists(graph, centres, candidates)

        def lists() -> tuple[dict[str, list[str]], str]:
            out, used = {}, ""
            for centre in centres:
                found = graph.near(centre, k=10, weights={"meaning": 1.0})
                out[centre] = [n.note.id for n in found]
                used = found[0].vectors if found else used
            return out, used

        static, static_label = lists()
        static_paraphrase = _paraphrase(graph)
        started = time.perf_counter()
        embedded = graph.embed_notes()
        seconds = time.perf_counter() - started
        whole, whole_label = lists()
        result = {
            "corpus": corpus.name,
            "notes": len(centres),
            "candidates": len(candidates),
            "static": {
                "vectors": static_label,
                "overlap@10": round(_overlap(static, reference), 3),
            },
            "whole note": {
                "vectors": whole_label,
                "overlap@10": round(_overlap(whole, reference), 3),
                "notes embedded": embedded,
                "seconds": round(seconds, 1),
            },
        }
        if static_paraphrase is not None:
            result["static"]["paraphrase"] = static_paraphrase
            result["whole note"]["paraphrase"] = _paraphrase(graph)
            result["reference paraphrase"] = _reference_paraphrase(graph, candidates)
    print(f"\n{corpus.name}: {json.dumps(result, indent=1)}", flush=True)
    return result


# ---------------------------------------------------------------- the headline's share

SHARES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
PARAPHRASES = ROOT / "benchmarks" / "data" / "near_paraphrases.json"


def _share_inputs(corpus: Path, tmp: Path) -> dict[str, Any]:
    """A corpus's candidates, its plain and headline vectors by kg's model (ONNX Runtime),
    and the reference lists (sentence-transformers' plain whole-note vectors)."""
    import kg
    from kg.embed.models import normalize
    from kg.embed.notevectors import headline_text, note_text

    graph = kg.load(corpus, index=tmp / corpus.name)
    store = graph.embeddings
    mask = store.kind_mask(None)
    candidates = [i for i, ok in zip(store.note_ids, mask, strict=True) if ok]
    notes = [graph.note(i) for i in candidates]
    model = graph.note_vectors.embedder
    plain = normalize(np.asarray(model.encode([note_text(n) or n.title for n in notes])))
    heads = [(i, headline_text(n)) for i, n in enumerate(notes) if headline_text(n)]
    head = normalize(np.asarray(model.encode([t for _, t in heads])))
    centres = [i for i in candidates if not graph.note(i).stub]
    return {
        "graph": graph,
        "candidates": candidates,
        "stub": np.array([n.stub for n in notes]),
        "plain": plain,
        "head_rows": [i for i, _ in heads],
        "head": head,
        "centres": centres,
        "reference": _reference_lists(graph, centres, candidates),
        "encode": lambda texts: normalize(np.asarray(model.encode(texts))),
    }


def _blend(inputs: dict[str, Any], share: float) -> np.ndarray:
    from kg.embed.models import normalize

    vectors = inputs["plain"].copy()
    rows = inputs["head_rows"]
    vectors[rows] = normalize((1 - share) * vectors[rows] + share * inputs["head"])
    return vectors


def _share_figures(inputs: dict[str, Any], share: float, queries: dict[str, str]) -> dict:
    """Overlap@10 of the blended vectors' near lists with the reference's, and each
    paraphrase's rank and margin (its note's cosine minus the best other note's)."""
    vectors = _blend(inputs, share)
    candidates, stub = inputs["candidates"], inputs["stub"]
    row = {note_id: i for i, note_id in enumerate(candidates)}
    lists = {}
    for centre in inputs["centres"]:
        scores = vectors @ vectors[row[centre]]
        order = sorted(
            (i for i in range(len(candidates)) if candidates[i] != centre),
            key=lambda i: (bool(stub[i]), -float(scores[i])),
        )
        lists[centre] = [candidates[i] for i in order[:10]]
    margins, ranks = [], []
    for title, query in queries.items():
        target = row[inputs["graph"].note(title).id]
        scores = vectors @ inputs["encode"]([query])[0]
        other = np.delete(scores, target)
        margins.append(float(scores[target] - other.max()))
        ranks.append(int((scores > scores[target]).sum()) + 1)
    return {
        "share": share,
        "overlap@10": round(_overlap(lists, inputs["reference"]), 3),
        "paraphrase margin (mean)": round(float(np.mean(margins)), 3) if margins else None,
        "paraphrase margins": [round(m, 3) for m in margins],
        "paraphrase ranks": ranks,
    }


def headline_share() -> dict[str, Any]:
    """The headline's share search blends in, chosen on notes/ (the largest mean margin
    of the project's paraphrases of notes/'s notes; the smallest share of a tie), then
    reported on the seeds (the seed paraphrase of benchmarks/embedders.py), which played
    no part in the choice. `near` ranks with the plain whole-note vectors (share 0), so
    its overlap@10 with the plain model's is that of share 0 whatever the share; the
    overlap of each share is listed to show what one blended vector for both would give."""
    from embedders import EXPERTS, PARAPHRASE

    queries = json.loads(PARAPHRASES.read_text(encoding="utf-8"))["paraphrases"]
    with tempfile.TemporaryDirectory(prefix="kg-near-share-") as tmp:
        tuning = _share_inputs(ROOT / "notes", Path(tmp))
        held = _share_inputs(ROOT.parent / "shared" / "seeds", Path(tmp))
        chosen_on = [_share_figures(tuning, s, queries) for s in SHARES]
        reported = [_share_figures(held, s, {EXPERTS: PARAPHRASE}) for s in SHARES]
    best = max(chosen_on, key=lambda r: (r["paraphrase margin (mean)"], -r["share"]))
    plain = next(r for r in reported if r["share"] == 0.0)
    result = {
        "notes/ (choice)": chosen_on,
        "seeds (held out)": reported,
        "chosen share": best["share"],
        "held out at the chosen share": next(r for r in reported if r["share"] == best["share"]),
        "held out: near's overlap@10 (the plain whole-note vectors)": plain["overlap@10"],
    }
    print(json.dumps(result, indent=1), flush=True)
    return result


# ---------------------------------------------------------------- costs at 10,000 pages


def _timed(*args: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run([*KG, *args, "--json"], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, json.loads(done.stdout)


def costs(corpus: Path, pages: int) -> dict[str, Any]:
    if not corpus.is_dir() or not any(corpus.iterdir()):
        generator = str(ROOT / "benchmarks" / "generate_corpus.py")
        subprocess.run(
            [sys.executable, generator, str(corpus), "--pages", str(pages), "--seed", "7"],
            check=True,
            capture_output=True,
        )
    index = Path(tempfile.mkdtemp(prefix="kg-near-10k-"))
    out: dict[str, Any] = {"pages": pages}
    try:
        out["load before cold index"] = load()
        seconds, report = _timed("index", str(corpus), "--index", str(index))
        out["cold kg index s"] = round(seconds, 1)
        out["cold note_vectors"] = report["note_vectors"]
        print(f"  cold kg index: {seconds:.1f} s (load {out['load before cold index']})")
        out["load before note vectors"] = load()
        seconds, report = _timed(
            "index", str(corpus), "--index", str(index), "--note-vectors", "all"
        )
        out["kg index --note-vectors all s"] = round(seconds, 1)
        out["note_vectors"] = report["note_vectors"]
        out["load after note vectors"] = load()
        print(f"  whole-note vectors: {seconds:.1f} s more ({report['note_vectors']})")
        page = sorted(corpus.glob("*_synthesis_main.txt"))[0]
        original = page.read_text(encoding="utf-8")
        try:
            lines = original.splitlines(keepends=True)
            target = max(range(len(lines)), key=lambda i: len(lines[i]))
            lines[target] = lines[target].rstrip("\n") + " A sentence added for the benchmark.\n"
            page.write_text("".join(lines), encoding="utf-8")
            out["load before edit"] = load()
            seconds, report = _timed("index", str(corpus), "--index", str(index))
            out["edit kg index s"] = round(seconds, 2)
            out["edit note_vectors"] = report["note_vectors"]
            print(f"  one sentence added, kg index: {seconds:.2f} s ({report['note_vectors']})")
        finally:
            page.write_text(original, encoding="utf-8")
    finally:
        shutil.rmtree(index, ignore_errors=True)
    return out


def edit_cost(corpus: Path, index: Path) -> dict[str, Any]:
    """One sentence appended to a synthesis page, `kg index` in a new process (the edited
    note's model vector computed by a process of its own: how long until it is there),
    with every other note's whole-note vector in place: the ones the index lacks are filled with
    placeholder unit vectors first (embedding 10,000 notes for real takes longer than a
    loaded machine allows; the edit's cost does not depend on their values). Then the same
    edit with ``--note-vectors none``, the cost without them."""
    import kg
    from kg.index.pending import running

    graph = kg.load(corpus, index=index, embed="stored")
    vectors = graph.note_vectors
    missing = vectors.missing()
    rng = np.random.default_rng(0)
    for note in missing:
        row = rng.normal(size=384).astype(np.float32)
        vectors.cache.put(vectors._key(note), row / np.linalg.norm(row), row / np.linalg.norm(row))
    vectors.save()
    out: dict[str, Any] = {"placeholders": len(missing)}
    page = sorted(corpus.glob("*_synthesis_main.txt"))[0]
    original = page.read_text(encoding="utf-8")
    try:
        for round_, extra in enumerate(([], ["--note-vectors", "none"], [])):
            lines = original.splitlines(keepends=True)
            target = max(range(len(lines)), key=lambda i: len(lines[i]))
            added = f" A sentence added for the benchmark at {time.time():.3f}.\n"
            lines[target] = lines[target].rstrip("\n") + added
            page.write_text("".join(lines), encoding="utf-8")
            before = load()
            seconds, report = _timed("index", str(corpus), "--index", str(index), *extra)
            ended = time.perf_counter()
            name = "edit, note vectors none" if extra else f"edit {round_}"
            while running(index):  # the edited note's vector, computed by its own process
                time.sleep(0.05)
            arrived = time.perf_counter() - ended
            ready = kg.load(corpus, index=index, embed="stored").note_vectors.ready
            out[name] = {
                "s": round(seconds, 2),
                "load": before,
                "load after": load(),
                "note_vectors": report["note_vectors"],
                "vector there after s": round(arrived, 2) if not extra else None,
                "every note's vector there": ready,
            }
            print(f"  {name}: {seconds:.2f} s (load {before}) {report['note_vectors']}", flush=True)
    finally:
        page.write_text(original, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vault", action="append", type=Path, default=[], help="a vault")
    parser.add_argument("--at", type=int, default=10, help="nearest counted (link prediction)")
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--boot", type=int, default=2000)
    parser.add_argument(
        "--corpus", type=Path, default=Path("/tmp/kg-near-gen10k"), help="generated corpus"
    )
    parser.add_argument("--pages", type=int, default=10000, help="0 skips the costs")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument(
        "--share-only",
        action="store_true",
        help="only choose the headline's share on notes/ and report it on the seeds",
    )
    parser.add_argument(
        "--edit-only",
        type=Path,
        metavar="INDEX",
        help="only the edit's cost, on --corpus indexed in INDEX (placeholders for the "
        "whole-note vectors the index lacks)",
    )
    args = parser.parse_args()
    if args.share_only:
        headline_share()
        return
    if args.edit_only:
        print(json.dumps(edit_cost(args.corpus, args.edit_only), indent=1))
        return
    results: dict[str, Any] = {"load at start": load(), "cores": os.cpu_count()}
    print(f"load {results['load at start']} on {os.cpu_count()} cores", flush=True)
    if args.vault:
        results["links"] = links(args.vault, args.at, args.splits, args.boot)
    results["meaning"] = [meaning(c) for c in (ROOT.parent / "shared" / "seeds", ROOT / "notes")]
    results["headline share"] = headline_share()
    if args.pages:
        results["costs"] = costs(args.corpus, args.pages)
    results["load at end"] = load()
    print(f"load at end {results['load at end']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
