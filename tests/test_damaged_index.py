"""An index file damaged while a graph reads from it: a plain `kg.IndexDamaged` naming the
file, never SQLite's bare error, and the next load rebuilds from the notes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kg

NOTES = Path(__file__).resolve().parent.parent / "notes"


def damage(graph_file: Path) -> None:
    """Overwrite everything after the file's first page, as a stray write would."""
    size = graph_file.stat().st_size
    with open(graph_file, "r+b") as handle:
        handle.seek(4096)
        handle.write(bytes(range(256)) * ((size - 4096) // 256 + 1))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return Path(shutil.copytree(NOTES, tmp_path / "notes", ignore=shutil.ignore_patterns(".kg")))


def test_reads_after_the_damage_raise_index_damaged_naming_the_file(corpus: Path) -> None:
    kg.load(corpus, embed="none")
    g = kg.load(corpus, embed="none")  # opened from the index: notes read when asked for
    assert g.from_index
    (graph_file,) = (corpus / ".kg").glob("graph-*.sqlite")
    damage(graph_file)
    with pytest.raises(kg.IndexDamaged) as raised:
        g.notes()
    message = str(raised.value)
    assert graph_file.name in message and "load the corpus again" in message
    assert isinstance(raised.value, kg.KgError)


def test_the_next_load_rebuilds_and_says_why(corpus: Path) -> None:
    first = kg.load(corpus, embed="none")
    assert first.index_update.reason == "no index yet"
    (graph_file,) = (corpus / ".kg").glob("graph-*.sqlite")
    damage(graph_file)
    again = kg.load(corpus, embed="none")
    assert again.index_update.mode == "rebuilt"
    assert again.index_update.reason == "the index file was damaged or cut short"
    assert sorted(n.id for n in again.notes()) == sorted(n.id for n in first.notes())
