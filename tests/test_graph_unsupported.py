"""`KnowledgeGraph.unsupported_claims`: the lint of `kg trace --unsupported` as a method,
for the whole corpus or chosen notes (the browser checks one note's statements)."""

from __future__ import annotations

import pytest

import kg
from kg.errors import NoteNotFound
from kg.graph.knowledge import crowd_example
from kg.query.trace import unsupported_claims


def test_the_method_agrees_with_the_corpus_lint(seed_graph):
    every = seed_graph.unsupported_claims()
    assert [(u.note.id, u.claim.index) for u in every] == [
        (u.note.id, u.claim.index) for u in unsupported_claims(seed_graph)
    ]


def test_chosen_notes_only(seed_graph):
    every = seed_graph.unsupported_claims()
    assert every, "the seeds have weakly supported claims"
    note = every[0].note
    mine = seed_graph.unsupported_claims(notes=note.title)
    assert mine and {u.note.id for u in mine} == {note.id}
    assert [u.claim.index for u in mine] == [u.claim.index for u in every if u.note.id == note.id]
    assert seed_graph.unsupported_claims(notes=[note, note.id]) == mine + mine


def test_a_threshold_of_zero_leaves_nothing_unsupported():
    graph, _ = crowd_example()
    assert graph.unsupported_claims(threshold=0.0) == []
    assert isinstance(graph, kg.KnowledgeGraph)


def test_an_unknown_note_is_an_error():
    graph, _ = crowd_example()
    with pytest.raises(NoteNotFound):
        graph.unsupported_claims(notes="No such note at all")
