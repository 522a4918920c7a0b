"""Tag figures count what the tag filter finds: `g.tags()`, `kg stats` and `kg notes --tags`
give each tag the number of notes `g.notes(tag=...)` / `kg notes --tag` return, a paper
page's tags and a Markdown note's #tags alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg

NOTES = Path(__file__).resolve().parent.parent / "notes"


def kg_json(*args: str) -> object:
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def corpus_args(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return ["--corpus", str(NOTES), "--index", str(tmp_path_factory.mktemp("tag-index"))]


def test_every_tag_count_is_what_the_filter_finds(notes_graph: kg.KnowledgeGraph):
    counts = notes_graph.tags()
    # The bundled corpus has a paper page (site) and a paper note (vault) both tagged
    # Verifiers; only the vault's tag has a #tag node, yet both are found and counted.
    assert counts["#Verifiers"] == 2
    for tag, count in counts.items():
        assert len(notes_graph.notes(tag=tag)) == count, tag
    assert notes_graph.corpus_stats().tags == len(counts)


def test_paper_tags_without_a_tag_node_are_counted():
    notes = {
        "p": kg.Note("p", "P", kg.NoteKind.PAPER, tags=("Scaling Laws", "Verifiers")),
        "q": kg.Note("q", "Q", kg.NoteKind.SYNTHESIS, tags=("verifiers/outcome",)),
    }
    g = kg.KnowledgeGraph(notes, [])
    assert g.tags() == {"#Verifiers": 2, "#Scaling Laws": 1, "#verifiers/outcome": 1}
    assert [n.id for n in g.notes(tag="#VERIFIERS")] == ["p", "q"]


def test_the_commands_count_as_their_filter_finds(corpus_args: list[str]):
    listed = kg_json("notes", "--tags", *corpus_args)
    stats = kg_json("stats", *corpus_args)
    assert isinstance(listed, dict) and isinstance(stats, dict)
    assert listed == stats["tag_counts"] and stats["tags"] == len(listed)
    for tag, count in listed.items():
        found = kg_json("notes", "--tag", tag, *corpus_args)
        assert isinstance(found, list) and len(found) == count, tag
        assert kg_json("stats", "--tag", tag, *corpus_args)["notes"] == count  # type: ignore[index]


def test_stats_text_says_what_the_tag_figures_count(corpus_args: list[str]):
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "stats", *corpus_args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = next(ln for ln in result.stdout.splitlines() if "tags" in ln)
    assert "paper tags" in line and "#Verifiers 2" in line
    assert "attachments" not in line


def test_an_index_counts_tags_without_reading_notes_and_as_a_fresh_read_does(tmp_path: Path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "A.md").write_text("A note #garden/roses and #kitchen.\n", encoding="utf-8")
    (vault / "B.md").write_text("---\ntags: [garden]\n---\nB note.\n", encoding="utf-8")
    (vault / "C.md").write_text("No tags here.\n", encoding="utf-8")
    index = tmp_path / "index"
    kg.load(vault, index=index, embed="none")
    reopened = kg.load(vault, index=index, embed="none")  # read from the index
    assert reopened.from_index and reopened.note_table.read_tags is not None
    built = kg.load(vault, save=False, embed="none")
    assert reopened.tags() == built.tags()
    assert not reopened.note_table._cache  # no note was read to count them

    (vault / "C.md").write_text("Now tagged #kitchen #pantry.\n", encoding="utf-8")
    edited = kg.load(vault, index=index, embed="none")  # updated in place
    assert edited.tags() == kg.load(vault, save=False, embed="none").tags()
    assert edited.tags()["#pantry"] == 1 and edited.tags()["#kitchen"] == 2
