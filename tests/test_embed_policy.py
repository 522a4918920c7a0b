"""One embedding policy for every client: `kg.load(embed="all"|"stored"|"lazy"|"none")`.

The CLI's `kg trace` and the browser open a corpus the same way, so on an index without
vectors they rank the same evidence in the same order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.errors import InvalidArgument

TITLE = "Can a verifier be trusted more than the generator it checks?"
NOTES = Path(__file__).resolve().parent.parent / "notes"


def test_an_unknown_policy_names_the_valid_ones(tmp_path):
    with pytest.raises(InvalidArgument, match="valid: all, stored, lazy, none"):
        kg.load(NOTES, index=tmp_path / "i", embed="some")


def test_stored_and_lazy_never_load_the_model_when_opening(tmp_path):
    code = (
        "import sys, kg\n"
        f"g = kg.load({str(NOTES)!r}, index={str(tmp_path / 'i')!r}, embed='lazy')\n"
        f"s = kg.load({str(NOTES)!r}, index={str(tmp_path / 'i')!r}, embed='stored')\n"
        "print(g.embeddings is None, g.lazy_vectors is not None, s.lazy_vectors is None,\n"
        "      [m for m in ('torch', 'sentence_transformers') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True", "[]"]


def test_lazy_vectors_rank_a_trace_as_stored_vectors_do(tmp_path, fake_embedder):
    stored = kg.load(NOTES, index=tmp_path / "full", embedder=fake_embedder, embed="all")
    lazy = kg.load(NOTES, index=tmp_path / "bare", embedder=fake_embedder, embed="lazy", save=False)
    assert lazy.embeddings is None and lazy.lazy_vectors is not None

    def order(graph: kg.KnowledgeGraph) -> list[tuple[str, str]]:
        tree = graph.trace(TITLE)
        return [(n.kind, n.note.id if n.note else "") for _, n in tree.walk()]

    assert order(lazy) == order(stored)
    assert order(kg.load(NOTES, index=tmp_path / "bare", embed="none", save=False)) != []


@pytest.mark.model
def test_cli_and_browser_trace_rank_alike_without_vectors(tmp_path):
    from kg_tui import features

    index = tmp_path / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = [sys.executable, "-m", "kg.cli"]
    subprocess.run(
        [*run, "index", "--no-embed", "--corpus", str(NOTES), "--index", str(index)],
        check=True,
        capture_output=True,
        env=env,
    )
    out = subprocess.run(
        [
            *run,
            "trace",
            TITLE,
            "--claim",
            "1",
            "--json",
            "--corpus",
            str(NOTES),
            "--index",
            str(index),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )

    def walk(node: dict) -> list[tuple[str, str, float]]:
        here = [(node["kind"], node.get("note", {}).get("id", ""), round(node["score"], 4))]
        return here + [row for child in node.get("children", ()) for row in walk(child)]

    cli = walk(json.loads(out.stdout)["trace"])

    graph = features.open_graph(NOTES, index=index)
    note = graph.note(TITLE)
    statement = next(row for row in features.claims(graph, note) if row.raw and row.raw.index == 1)
    tree = features.trace(graph, note, statement)

    def walk_tui(node: features.EvidenceNode) -> list[tuple[str, str, float]]:
        here = [(node.kind, node.note_id or "", round(node.score or 0.0, 4))]
        return here + [row for child in node.children for row in walk_tui(child)]

    browser = walk_tui(tree)
    assert [(k, n) for k, n, _ in browser] == [(k, n) for k, n, _ in cli]
    assert [s for *_, s in browser] == [s for *_, s in cli]
    assert len(cli) > 3
