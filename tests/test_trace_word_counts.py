"""The corpus's word counts a trace weighs words by: kept in the index folder, and after an
edit brought up to date from the edited notes alone, to the same figures as counting every
note again."""

from __future__ import annotations

from pathlib import Path

import kg
from kg.query import wordcounts
from kg.query.scorers import _count_documents, document_frequencies

NOTES = {
    "Descaling the kettle": "Limescale builds up inside a kettle where the water is hard. "
    "Boil white vinegar with water, then rinse twice. See [[Sunday routine]].",
    "Sunday routine": "Every few weeks I boil vinegar in the kettle.\n\nThen the floors.",
    "Tide tables": "Harbour times are printed each month. See [[Moon phases]].",
    "Bread baking": "Flour, water, salt and yeast rest overnight before the oven.",
}


def _vault(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "vault"
    folder.mkdir()
    for title, body in NOTES.items():
        (folder / f"{title}.md").write_text(body + "\n", encoding="utf-8")
    return folder, tmp_path / "index"


def test_an_edit_updates_the_kept_counts_to_what_counting_again_gives(tmp_path):
    folder, index = _vault(tmp_path)
    first = kg.load(folder, index=index, embed="none")
    document_frequencies(first)  # counted and kept
    assert wordcounts.read(first) == _count_documents(first)

    page = folder / "Sunday routine.md"
    # A paragraph dropped, one added with new words and one repeated word.
    page.write_text(
        "Every few weeks I boil vinegar in the kettle.\n\nSourdough starters need feeding "
        "daily; the kettle helps.\n",
        encoding="utf-8",
    )
    edited = kg.load(folder, index=index, embed="none")
    assert edited.index_update.mode == "updated"
    assert wordcounts.read(edited) is None  # the kept counts are of the files before
    assert set(edited.replaced_notes) >= {edited.note("Sunday routine").id}

    updated = wordcounts.updated(edited)
    assert updated is not None
    counts, documents = updated
    expected_counts, expected_documents = _count_documents(edited)
    assert documents == expected_documents
    assert counts == expected_counts
    assert "sourdough" in counts and "floors" not in counts

    document_frequencies(edited)  # keeps the updated counts for the next process
    assert wordcounts.read(edited) == (expected_counts, expected_documents)


def test_without_counts_kept_before_the_edit_nothing_is_guessed(tmp_path):
    folder, index = _vault(tmp_path)
    kg.load(folder, index=index, embed="none")  # nothing counted
    page = folder / "Bread baking.md"
    page.write_text(page.read_text(encoding="utf-8") + "Rye needs a starter.\n", "utf-8")
    edited = kg.load(folder, index=index, embed="none")
    assert edited.index_update.mode == "updated"
    assert wordcounts.updated(edited) is None
    idf, _ = document_frequencies(edited)  # counted from every note instead
    assert "rye" in idf
