"""The corpus's overview kept beside the index (`kg.kept_overview`): `kg index` writes it,
it is the overview a full read works out, and it is never used once stale (an edit the
index took in), half-written, damaged or of another format; the figures are counted once
per graph."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import kg
from kg.cli import main as kg_main
from kg.index.overview import FILE

NOTES = Path(__file__).resolve().parent.parent / "notes"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    copy = tmp_path / "notes"
    shutil.copytree(NOTES, copy, ignore=shutil.ignore_patterns(".kg"))
    return copy


def ids(view: kg.Overview) -> list[tuple[str, list[str]]]:
    return [(heading, [n.id for n in notes]) for heading, notes in view.lists]


def test_kg_index_keeps_the_overview_a_full_read_works_out(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    assert kg_main(["index", "--corpus", str(corpus), "--index", str(index), "--no-embed"]) == 0
    kept = kg.kept_overview(corpus, index)
    assert kept is not None
    fresh = kg.load(corpus, save=False, embed="none")
    worked_out = kg.overview(fresh)
    assert ids(kept) == ids(worked_out)
    assert kept.stats == worked_out.stats and kept.stats.notes == 41
    assert kept.lists[0][0] == "Most connected notes" and len(kept.lists[0][1]) == 8
    # The kept notes are whole notes (folder, description), as a first screen shows them.
    first = kept.lists[0][1][0]
    assert first == fresh.note(first.id)


def test_an_overview_of_files_since_edited_is_not_used(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    graph = kg.load(corpus, index=index, embed="none")
    assert kg.keep_overview(graph)
    assert kg.kept_overview(corpus, index) is not None
    (corpus / "vault" / "A brand new note.md").write_text(
        "Links to [[Can a verifier be trusted more than the generator it checks?]].\n",
        encoding="utf-8",
    )
    edited = kg.load(corpus, index=index, embed="none")  # the index takes the edit in
    assert edited.index_update.mode == "updated"
    assert kg.kept_overview(corpus, index) is None  # the index it was of is gone
    # The edited graph's overview is worked out again (not taken from the stale file) ...
    assert kg.overview(edited).stats.notes == 42
    assert kg.overview(edited).signature == edited.index_signature
    # ... and kept in its place.
    assert kg.keep_overview(edited)
    kept = kg.kept_overview(corpus, index)
    assert kept is not None and kept.stats.notes == 42


def test_a_half_written_or_damaged_overview_is_not_used(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    assert kg.keep_overview(kg.load(corpus, index=index, embed="none"))
    path = index / FILE
    whole = path.read_bytes()
    data = json.loads(whole)

    path.write_bytes(whole[: len(whole) // 2])  # a writer killed half-way
    assert kg.kept_overview(corpus, index) is None
    for broken in (
        {**data, "format": 99},  # another format
        {**data, "signature": "0" * 32},  # of other files
        {**data, "stats": {**data["stats"], "notes": "many"}},  # a figure that is no count
        {k: v for k, v in data.items() if k != "lists"},  # a part missing
        {**data, "lists": [["Most connected notes", [{"id": "x", "kind": "nokind"}]]]},
    ):
        path.write_text(json.dumps(broken), encoding="utf-8")
        assert kg.kept_overview(corpus, index) is None, broken
    path.write_bytes(whole)
    assert kg.kept_overview(corpus, index) is not None  # as written: used

    # An overview with no index beside it (the index removed) is not used either.
    for graph_file in index.glob("graph-*.sqlite"):
        graph_file.unlink()
    assert kg.kept_overview(corpus, index) is None


def test_a_graph_takes_the_kept_lists_of_its_own_files(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    assert kg.keep_overview(kg.load(corpus, index=index, embed="none"))
    reopened = kg.load(corpus, index=index, embed="none")
    view = kg.overview(reopened)
    assert not reopened.note_table._cache.keys() - {n.id for _, ns in view.lists for n in ns}
    first = view.lists[0][1][0]
    assert first is reopened.find(first.id)  # the graph's own note, not the file's copy


def test_the_corpus_figures_are_counted_once_per_graph(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stats_counts: list[int]
):
    counted = stats_counts
    graph = kg.load(corpus, index=tmp_path / "index", embed="none")
    first = graph.corpus_stats()
    assert graph.corpus_stats() is first and kg.overview(graph).stats is first
    assert counted == [id(graph)]
    # What the figures count grew (a diagnostic added): counted again.
    graph.diagnostics.append(kg.Diagnostic("x.md", 1, kg.Severity.WARNING, "checked"))
    assert graph.corpus_stats().warnings == first.warnings + 1
    assert len(counted) == 2


def test_no_overview_is_kept_without_an_index_folder(corpus: Path):
    graph = kg.load(corpus, save=False, embed="none")
    assert not kg.keep_overview(graph)
    assert kg.index_state(corpus) == "none"


def test_kept_figures_are_taken_only_while_they_hold(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stats_counts: list[int]
):
    from fake_embedder import FakeEmbedder

    counted = stats_counts
    index = tmp_path / "index"
    assert kg.keep_overview(kg.load(corpus, index=index, embed="none"))
    assert len(counted) == 1
    kept = kg.kept_overview(corpus, index)
    assert kept is not None and kept.stats.embedded == 0

    reopened = kg.load(corpus, index=index, embed="none")
    assert kg.overview(reopened).stats == kept.stats
    assert len(counted) == 1  # the same files and vectors: taken, not counted again

    # Vectors added since: the kept figures no longer hold, so they are counted.
    with_vectors = kg.load(corpus, index=index, embed="all", embedder=FakeEmbedder())
    assert kg.overview(with_vectors).stats.embedded > 0
    assert counted[1:] == [id(with_vectors)]


def test_after_an_edit_the_newest_notes_are_not_read_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    index = tmp_path / "index"
    assert kg.keep_overview(kg.load(corpus, index=index, embed="none"))
    kept = kg.kept_overview(corpus, index)
    assert kept is not None
    newest = {n.id for n in dict(kept.lists)["Newest notes"]}
    undated = next(
        n for n in kg.load(corpus, index=index, embed="none").notes(stubs=False) if not n.date
    )
    assert undated.id not in newest
    path = corpus / undated.files[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")

    edited = kg.load(corpus, index=index, embed="none")
    assert edited.index_update.mode == "updated"
    read_dates = edited.note_table.read_dates
    assert read_dates is not None
    every_date_read: list[bool] = []
    edited.note_table.read_dates = lambda: every_date_read.append(True) or read_dates()
    view = kg.overview(edited)
    assert every_date_read == []  # the newest notes came from the overview kept before
    full = kg.overview(kg.load(corpus, save=False, embed="none"))
    assert ids(view) == ids(full)


def test_a_new_index_written_by_kg_load_keeps_the_overview(corpus: Path, tmp_path: Path):
    # A corpus first opened from Python (no `kg index`): the next browse draws at once.
    index = tmp_path / "index"
    graph = kg.load(corpus, index=index, embed="none")
    kept = kg.kept_overview(corpus, index)
    assert kept is not None and kept.stats.notes == len(graph)
    assert kept.lists == kg.overview(graph).lists
    # An edit taken in place by a bare `kg.load` leaves the stale overview unused.
    (corpus / "vault" / "Later.md").write_text("Written after.\n", encoding="utf-8")
    kg.load(corpus, index=index, embed="none")
    assert kg.kept_overview(corpus, index) is None
