"""The plain model's cosine between a claim and a candidate's sentences read with their
neighbours (a window of three), for benchmarks/evidence_ltr.py: a feature of the learned
reranker, from the kept texts of benchmarks/bench_evidence.py's cases.

A candidate of the sentence task is one sentence; its neighbours are the sentences before
and after it in its source (the benchmark numbers sentences in their source's order, so
"Sentence 16" follows "Sentence 15" when both are among the claim's candidates). A
candidate note's windows are every three consecutive texts of its body. The scores are
kept beside the cases (``FILE.windows.json``), as encoding takes a minute or two.

>>> neighbours(["Sentence 3", "Sentence 4", "Sentence 9"])
[(None, 1), (0, None), (None, None)]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WINDOW = "transformer, sentence with its neighbours"
NUMBERED = re.compile(r"Sentence (\d+)$")


def neighbours(titles: list[str]) -> list[tuple[int | None, int | None]]:
    """For each candidate titled "Sentence N", the candidates numbered N - 1 and N + 1."""
    where = {}
    for i, title in enumerate(titles):
        found = NUMBERED.match(title)
        if found:
            where[int(found.group(1))] = i
    out = []
    for title in titles:
        found = NUMBERED.match(title)
        n = int(found.group(1)) if found else None
        out.append((where.get(n - 1) if n else None, where.get(n + 1) if n else None))
    return out


def windows(text: dict, sentences: bool) -> list[list[str]]:
    """Each candidate's windows of text."""
    if sentences:
        own = [c[-1] for c in text["candidates"]]
        near = neighbours([c[0] for c in text["candidates"]])
        return [
            [" ".join(own[j] for j in (before, i, after) if j is not None)]
            for i, (before, after) in enumerate(near)
        ]
    out = []
    for each in text["candidates"]:
        body = each[1:] if len(each) > 1 else each
        out.append([" ".join(body[i : i + 3]) for i in range(max(1, len(body) - 2))])
    return out


def window_scores(path: Path, tasks: list[str]) -> list[list[float]]:
    """Per case, each candidate's best window cosine (kept in ``path.windows.json``)."""
    kept = path.with_suffix(".windows.json")
    if kept.exists():
        return json.loads(kept.read_text(encoding="utf-8"))
    from sentence_transformers import SentenceTransformer

    from kg.embed.models import DEFAULT_MODEL, find_model_folder

    texts = json.loads(path.with_suffix(".texts.json").read_text(encoding="utf-8"))
    every = [
        windows(t, task == "evidence, sentences") for t, task in zip(texts, tasks, strict=True)
    ]
    distinct = sorted(
        {w for case in every for each in case for w in each} | {t["claim"] for t in texts}
    )
    model = SentenceTransformer(str(find_model_folder(DEFAULT_MODEL)), device="cpu")
    vectors = model.encode(
        distinct, batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    index = {t: i for i, t in enumerate(distinct)}
    out = []
    for t, case in zip(texts, every, strict=True):
        claim = vectors[index[t["claim"]]]
        out.append([max(float(vectors[index[w]] @ claim) for w in each) for each in case])
    kept.write_text(json.dumps(out), encoding="utf-8")
    return out


def add_windows(cases: list, path: Path) -> None:
    for case, scores in zip(cases, window_scores(path, [c.task for c in cases]), strict=True):
        case.scores[WINDOW] = np.array(scores)
