"""The browser's logic without a terminal: history, grouping, breadcrumb fitting, title
completion, and the doctests of the tui modules (pytest collects doctests under kg/ only)."""

from __future__ import annotations

import doctest
import importlib

import pytest
from kg_tui.features import TitleIndex
from kg_tui.walk import Filter, History, group_neighbours, second_ring
from kg_tui.widgets.breadcrumb import fit_trail

from kg.model import Link, LinkKind, Neighbour, Note, NoteKind

MODULES = [
    "kg_tui.walk",
    "kg_tui.widgets.breadcrumb",
    "kg_tui.widgets.near_list",
    "kg_tui.widgets.map_words",
    "kg_tui.widgets.note_parts",
    "kg_tui.widgets.note_blocks",
    "kg_tui.widgets.markdown_note",
    "kg_tui.widgets.note_links",
    "kg_tui.labels",
    "kg_tui.vault",
    "kg_tui.details",
    "kg_tui.viewstate",
    "kg_tui.fit",
    "kg_tui.emphasis",
    "kg_tui.widgets.hanging",
    "kg_tui.widgets.footer",
    "kg_tui.widgets.details",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0


def note(note_id: str, stub: bool = False, categories: tuple[str, ...] = ()) -> Note:
    return Note(
        id=note_id,
        title=f"Why does {note_id} hold?",
        kind=NoteKind.SYNTHESIS,
        stub=stub,
        categories=categories,
    )


def test_groups_follow_the_sites_order_and_merge_repeated_links():
    centre = "c"
    found = [
        Neighbour(note("p"), Link(centre, "p", LinkKind.PAPER, order=2), 1, "out"),
        Neighbour(note("u"), Link("u", centre, LinkKind.USES), 1, "in"),
        Neighbour(note("r"), Link(centre, "r", LinkKind.RELATED, label="extends"), 1, "out"),
        Neighbour(note("r"), Link(centre, "r", LinkKind.MENTIONS, line=3), 1, "out"),
        Neighbour(note("r"), Link(centre, "r", LinkKind.MENTIONS, line=9), 1, "out"),
        Neighbour(note("s"), Link(centre, "s", LinkKind.SOURCE, order=1), 1, "out"),
        Neighbour(note("q"), Link(centre, "q", LinkKind.PAPER, order=1), 1, "out"),
    ]
    groups = group_neighbours(found)
    assert [g.title for g in groups] == ["Sources", "Used by", "Related", "Mentions", "Papers"]
    assert [e.note.id for e in groups[-1].entries] == ["q", "p"]  # declared rank
    assert groups[2].entries[0].detail == "extends"
    assert groups[3].entries[0].links == 2  # one row, two mentions


def test_category_filter_keeps_only_notes_in_those_categories():
    found = [
        Neighbour(note("a", categories=("X",)), Link("c", "a", LinkKind.RELATED), 1, "out"),
        Neighbour(note("b", stub=True), Link("c", "b", LinkKind.RELATED), 1, "out"),
    ]
    groups = group_neighbours(found, categories=frozenset({"X"}))
    assert [e.note.id for g in groups for e in g.entries] == ["a"]
    assert Filter(categories=frozenset({"X"})).describe() == "categories: X"


def test_second_ring_is_keyed_by_the_note_it_goes_through():
    found = [
        Neighbour(note("a"), Link("c", "a", LinkKind.RELATED), 1, "out"),
        Neighbour(note("far"), Link("a", "far", LinkKind.MENTIONS), 2, "out"),
        Neighbour(note("back"), Link("back", "a", LinkKind.SOURCE), 2, "in"),
    ]
    ring = second_ring(found, "c")
    assert {via: [e.note.id for e in entries] for via, entries in ring.items()} == {
        "a": ["far", "back"]
    }


def test_history_drops_the_forward_list_and_keeps_a_limit():
    h = History(limit=3)
    for item in "abcd":
        h.visit(item)
    assert h.trail() == ["b", "c", "d"]
    h.back()
    h.visit("e")
    assert h.trail() == ["b", "c", "e"] and not h.can_forward
    h.visit("e")  # the same note again is not a new step
    assert h.trail() == ["b", "c", "e"]
    assert h.jump(0) == "b" and h.ahead() == ["c", "e"]


def test_breadcrumb_keeps_the_newest_steps_and_cuts_with_an_ellipsis():
    steps = ["Home", *[f"Why does note number {i} matter so much?" for i in range(6)]]
    for width in (30, 80, 160):
        pieces = fit_trail(steps, width)
        assert pieces[-1][0] == len(steps) - 1
        shown = sum(len(t) for _, t in pieces) + 3 * (len(pieces) - 1) + 4
        assert shown <= width
        assert all(t.endswith("…") or t in steps for _, t in pieces)


def test_title_completion_ranks_prefix_then_words_then_anywhere():
    titles = [
        "Can models reason?",
        "Why can models reason at all?",
        "Do recanted claims persist?",
        "Category note",
    ]
    notes = [Note(id=str(i), title=t, kind=NoteKind.SYNTHESIS) for i, t in enumerate(titles)]
    notes.append(Note(id="cat", title="Can category", kind=NoteKind.CATEGORY))
    index = TitleIndex(notes)
    assert [n.title for n in index.match("can")] == [
        "Can models reason?",
        "Why can models reason at all?",
        "Do recanted claims persist?",
    ]
    assert [n.title for n in index.match("models reas")] == [
        "Can models reason?",
        "Why can models reason at all?",
    ]
    assert index.match("") == [] and index.match("zzz") == []
