"""Search's BM25 index: the same weights as the bm25s library computes, saved with each
note's term counts and fingerprint, so that after an edit only the changed notes are
counted again, and the updated index equals one built from scratch."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

import kg
from kg.model import NOT_NOTES
from kg.query.lexical import LexicalIndex, _document, lexical_index, words

PAGES = {
    "Crowds": "Errors cancel when many people vote on the answer.",
    "Experts": "A single expert can be wrong where a crowd is right.",
    "Planning": "Agents plan better with tools that check each step.",
    "Memory": "Agents keep memories of earlier failures.",
    "Stub only": "",
}
QUERIES = (["vote"], ["agent", "plan"], ["memori", "failur"], ["crowd", "expert", "wrong"])


def scores_of(index: LexicalIndex, terms: list[str]) -> dict[str, float]:
    found = index.scores(terms)
    return {note_id: float(found[i]) for i, note_id in enumerate(index.note_ids)}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    folder.mkdir()
    for title, body in PAGES.items():
        (folder / f"{title}.md").write_text(body + "\n", encoding="utf-8")
    return folder


def test_weights_equal_bm25s(seeds_dir: Path, tmp_path: Path):
    graph = kg.load(seeds_dir, index=tmp_path / "index", embed=False)
    index = LexicalIndex.build(graph)
    notes = [n for n in graph if n.kind not in NOT_NOTES]
    reference = bm25s.BM25(method="lucene")
    reference.index([words(_document(n)) for n in notes], show_progress=False)
    assert index.note_ids == [n.id for n in notes]
    for terms in (["model"], ["reason", "reward"], ["vote", "major"]):
        np.testing.assert_allclose(index.scores(terms), reference.get_scores(terms), rtol=1e-5)


def test_an_edit_counts_only_the_changed_notes_again(vault: Path, tmp_path: Path):
    index_folder = tmp_path / "index"
    first = lexical_index(kg.load(vault, index=index_folder, embed=False))
    assert first.counted == len(first.note_ids)
    # Edit one page, add one, remove one.
    (vault / "Crowds.md").write_text("Errors cancel when many voters plan ahead.\n")
    (vault / "Tides.md").write_text("The moon pulls the sea twice a day.\n")
    (vault / "Memory.md").unlink()
    edited = kg.load(vault, index=index_folder, embed=False)
    updated = lexical_index(edited)
    assert updated.counted == 2  # the edited page and the new one
    fresh = LexicalIndex.build(edited)
    assert sorted(updated.note_ids) == sorted(fresh.note_ids)
    for terms in [*QUERIES, ["moon", "sea"], ["voter"]]:
        got, want = scores_of(updated, terms), scores_of(fresh, terms)
        assert got.keys() == want.keys()
        np.testing.assert_allclose(
            [got[k] for k in sorted(got)], [want[k] for k in sorted(want)], rtol=1e-5
        )
    assert [h.note.title for h in edited.search("voters plan", k=1)] == ["Crowds"]
    assert edited.search("memories failures", k=5, semantic=False) == []
    # Saved: a new process reads it as it is, counting nothing.
    again = LexicalIndex.open(index_folder, edited.index_signature)
    assert again is not None and again.note_ids == updated.note_ids


def test_a_damaged_saved_index_is_built_again(vault: Path, tmp_path: Path):
    index_folder = tmp_path / "index"
    lexical_index(kg.load(vault, index=index_folder, embed=False))
    for path in index_folder.glob("bm25-*-tf.npy"):
        path.write_bytes(path.read_bytes()[:-4])
    assert LexicalIndex.open(index_folder, None) is None
    (vault / "Crowds.md").write_text("Voters plan.\n")
    rebuilt = lexical_index(kg.load(vault, index=index_folder, embed=False))
    assert rebuilt.counted == len(rebuilt.note_ids)
