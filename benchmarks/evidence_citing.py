"""The citing sentences of other notes, for masked citations: for each masked case of
benchmarks/bench_evidence.py (bench_trace.py's cases on notes/ and the seeds, in that
order), each candidate's best cosine between the masked sentence and a body sentence of
another note that names the candidate (its name cut out), with the transformer; 0 when no
other note names it. What a trace could read from the graph (the note's own body is left
out, so nothing of how the benchmark masks it counts).

    HF_HUB_OFFLINE=1 python benchmarks/evidence_citing.py --out /tmp/citing.json
    HF_HUB_OFFLINE=1 python benchmarks/evidence_rrf.py --cases CASES --citing /tmp/citing.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from benchmarks.bench_trace import _mask, masked_cases
from benchmarks.evidence_cases import Cached
from benchmarks.evidence_data import ROOT
from kg.query.candidates import cited_in
from kg.sentences import split_sentences


def citing_rows(corpora: list[Path], embedder: Cached, work: Path) -> list[dict]:
    """One row per masked case: its group and truth (to check the order) and the scores."""
    out = []
    for corpus in corpora:
        graph = kg.load(corpus, index=work / f"index-{corpus.name}")
        sentences = [
            (note.id, sentence)
            for note in graph.notes(stubs=False)
            for paragraph in note.body
            for _, _, sentence in split_sentences(paragraph.text)
        ]
        for item in masked_cases(graph):
            (query,) = embedder.encode([item.masked])
            where = place_in_note(graph, item)
            named = {n.id for n in cited_in(graph, graph.note(item.note_id), item.masked)}
            scores = []
            for candidate in item.candidates:
                title = candidate.note.title
                citing = [
                    s.replace(title, " ")
                    for owner, s in sentences
                    if owner != item.note_id and title in s
                ]
                scores.append(float(np.max(embedder.encode(citing) @ query)) if citing else 0.0)
            count = len(item.candidates)
            out.append(
                {
                    "group": f"{corpus.name}/{item.note_id}",
                    "truth": item.truth,
                    "transformer": scores,
                    # named in the masked sentence itself: `kg trace` shows these as
                    # cited and ranks only the others (the masked source never is)
                    "cited": [c.note.id in named for c in item.candidates],
                    # how near each candidate's place in the source list is to the
                    # sentence's place in the note's body (both from 0 to 1)
                    "order": [-abs(where - i / max(count - 1, 1)) for i in range(count)],
                }
            )
    return out


def place_in_note(graph: kg.KnowledgeGraph, item: Any) -> float:
    """The masked sentence's place among its note's body sentences, from 0 (first) to 1."""
    title = item.candidates[item.truth].note.title
    every: list[str] = []
    start = 0
    for paragraph in graph.note(item.note_id).body:
        sentences = [s for _, _, s in split_sentences(paragraph.text)]
        if tuple(_mask(s, title) for s in sentences) == item.sentences:
            start = len(every)
        every += sentences
    return (start + item.position) / max(len(every) - 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from kg.config import load_config
    from kg.embed.choose import load_embedder

    base = load_config(ROOT / "notes")
    embedder = Cached(load_embedder(replace(base, embedder="transformer")))
    with tempfile.TemporaryDirectory(prefix="kg-citing-") as folder:
        rows = citing_rows([ROOT / "notes", args.seeds], embedder, Path(folder))
    args.out.write_text(json.dumps(rows), encoding="utf-8")
    hits = sum(int(np.argmax(r["transformer"]) == r["truth"]) for r in rows)
    print(f"{len(rows)} masked cases; the citing sentences alone put the truth first in {hits}")


if __name__ == "__main__":
    main()
