"""The browser's overview lists (most connected, hubs, lines, newest) are chosen from what
the index gives without decoding notes, and are the lists a full read of the notes gives."""

from __future__ import annotations

from pathlib import Path

from kg_tui.widgets.note_parts import home_lists

import kg
from kg.model import NOT_NOTES, NoteKind

NOTES = Path(__file__).resolve().parent.parent / "notes"


def lists_by_reading_every_note(graph: kg.KnowledgeGraph) -> list[list[str]]:
    degree = graph.degrees()
    notes = [n for n in graph.notes(stubs=False) if n.kind not in NOT_NOTES]

    def top(kind: NoteKind | None, count: int) -> list[str]:
        chosen = [n for n in notes if kind is None or n.kind is kind]
        chosen.sort(key=lambda n: (-degree.get(n.id, 0), n.title))
        return [n.id for n in chosen[:count]]

    dated = sorted((n for n in notes if n.date), key=lambda n: n.date, reverse=True)
    return [top(None, 8), top(NoteKind.HUB, 6), top(NoteKind.LINE, 6), [n.id for n in dated[:6]]]


def test_dates_come_from_the_index_without_reading_notes(tmp_path: Path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "Old.md").write_text("---\ndate: 2024-03-01\n---\nOld, see [[New]].\n", "utf-8")
    (vault / "New.md").write_text("---\ndate: 2026-11-30\n---\nNew.\n", encoding="utf-8")
    (vault / "Undated.md").write_text("No date, see [[Old]].\n", encoding="utf-8")
    index = tmp_path / "index"
    kg.load(vault, index=index, embed="none")
    reopened = kg.load(vault, index=index, embed="none")
    assert reopened.from_index and reopened.note_table.read_dates is not None
    dates = dict(reopened.note_table.date_list())
    assert not reopened.note_table._cache  # no note was read for them
    assert dates == {"new": "2026-11-30", "old": "2024-03-01"}

    lists = dict(home_lists(reopened))
    assert [n.title for n in lists["Newest notes"]] == ["New", "Old"]
    assert len(reopened.note_table._cache) <= 3  # only the notes shown are read

    (vault / "Undated.md").write_text("---\ndate: 2026-12-01\n---\nDated now.\n", "utf-8")
    edited = kg.load(vault, index=index, embed="none")  # updated in place
    assert dict(home_lists(edited))["Newest notes"][0].title == "Undated"


def test_the_overview_equals_a_full_read_of_the_notes(tmp_path: Path):
    index = tmp_path / "index"
    kg.load(NOTES, index=index, embed="none")
    reopened = kg.load(NOTES, index=index, embed="none")
    fresh = kg.load(NOTES, save=False, embed="none")
    shown = [[n.id for n in notes] for _, notes in home_lists(reopened)]
    assert shown == lists_by_reading_every_note(fresh)
    assert any(shown[3])  # notes/ has dated notes: the newest list is not empty
