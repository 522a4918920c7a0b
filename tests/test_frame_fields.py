"""Tables carry every field: a gap's `links` (a count named like a hidden field) and a
note's collection, whether the page or the front matter gives it."""

from __future__ import annotations

from kg.display.records import columns
from kg.query.gaps import Gap


def test_a_gaps_records_carry_links():
    assert columns(Gap)[:6] == ["first", "second", "similarity", "links", "expected", "score"]
    gap = Gap(1, 2, 0.9, 0, 3.5, 0.8, (4, 5))  # links at 0 is a column all the same
    from kg.display.records import record

    assert record(gap)["links"] == 0


def test_the_frames_collection_is_the_notes(notes_graph):
    rows = notes_graph.to_records(stubs=False)
    by_id = {row["id"]: row for row in rows}
    with_one = [n for n in notes_graph.notes(stubs=False) if n.collection]
    assert any(n.files[0].startswith("site/") for n in with_one)  # pages of the site too
    for note in notes_graph.notes(stubs=False):
        assert by_id[note.id]["collection"] == (note.collection or None), note.files
