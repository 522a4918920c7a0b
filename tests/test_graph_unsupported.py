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


@pytest.fixture(scope="module")
def notes_graph(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """A fresh copy of notes/ indexed with kg's default vectors."""
    import shutil
    from pathlib import Path

    copy = tmp_path_factory.mktemp("verdicts") / "notes"
    shutil.copytree(Path(__file__).resolve().parent.parent / "notes", copy)
    return kg.load(copy, index=copy.parent / "index")


def test_a_trace_and_the_lint_give_one_verdict_on_every_claim(notes_graph):
    """What a whole-note trace marks unsupported, and what tracing each claim alone says,
    is what `kg trace --unsupported` lists: every candidate's support is held against the
    threshold, with the vectors the note's trace chooses. (The whole-note trace held only
    its first-ranked source, and the lint ranked with other vectors: 25 claims of notes/
    disagreed.)"""
    checked = 0
    for note in notes_graph.notes(stubs=False):
        if note.kind not in (kg.NoteKind.SYNTHESIS, kg.NoteKind.LINE):
            continue
        lint = {u.claim.index for u in notes_graph.unsupported_claims(notes=note)}
        tree = notes_graph.trace(note)
        texts = {c.text: c.index for c in notes_graph.claims(note)}
        marked = {
            texts[node.text]
            for _, node in tree.walk()
            if node.kind in ("claim", "sentence") and node.unsupported
        }
        assert marked == lint, note.title
        for item in notes_graph.claims(note)[:4]:
            alone = notes_graph.trace(note, claim=item.index)
            assert alone.unsupported == (item.index in lint), (note.title, item.index)
        checked += 1
    assert checked >= 20


def test_a_note_without_a_claim_is_traced_from_its_description_never_unsupported(notes_graph):
    note = next(
        n
        for n in notes_graph.notes(stubs=False)
        if n.kind is kg.NoteKind.SYNTHESIS and not n.claim and n.description
    )
    tree = notes_graph.trace(note)
    assert tree.text == note.description and not tree.unsupported


def test_a_note_that_lists_no_sources_is_told_apart_from_weak_support(notes_graph):
    """A claim of a note that lists no sources, related notes or papers has nothing to be
    traced to: it is listed with reason 'no sources' (best 0, no evidence), never mixed
    with claims whose sources hold them weakly (reason 'weak', with their best evidence)."""
    from kg.query.candidates import declared_sources, papers_of

    found = notes_graph.unsupported_claims()
    reasons = {u.reason for u in found}
    assert reasons == {"weak", "no sources"}
    for item in found:
        listed = declared_sources(notes_graph, item.note) or papers_of(notes_graph, item.note)
        if item.reason == "no sources":
            assert not listed and item.best == 0.0 and item.evidence is None
        else:
            assert listed and item.evidence is not None
    assert "reason='no sources'" in repr(next(u for u in found if u.reason == "no sources"))
    assert "reason" not in repr(next(u for u in found if u.reason == "weak"))  # the default


def test_the_lint_lists_each_note_without_sources_once(notes_graph, capsys):
    from kg.cli import main
    from kg.query.uses import sourceless_notes

    corpus = str(notes_graph.root)
    assert main(["trace", "--unsupported", corpus]) == 0
    out, err = capsys.readouterr()
    found = notes_graph.unsupported_claims()
    sourceless = sourceless_notes(found)
    weak = [u for u in found if u.reason == "weak"]
    lines = out.splitlines()
    assert len(lines) == len(weak) + len(sourceless)
    assert sum("[no sources]" in line for line in lines) == len(sourceless) >= 1
    for items in sourceless.values():
        line = next(x for x in lines if f" {items[0].note.title} [no sources]" in x)
        assert f"its {len(items)} claims cannot be traced" in line
    untraced = len(found) - len(weak)
    claims = "claim" if len(weak) == 1 else "claims"
    assert err.strip().splitlines()[-1] == (
        f"{len(weak)} unsupported {claims}; {len(sourceless)} notes list no sources "
        f"({untraced} claims not traced)"
    )
    assert main(["trace", "--unsupported", corpus, "--json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert [r["reason"] for r in rows] == [u.reason for u in found]


def test_the_trace_of_a_note_without_sources_says_so_and_shows_no_score_legend(notes_graph, capsys):
    """Nothing was ranked, so no legend of scores (it claimed TF-IDF cosines) and no
    verdict of weak support: the trace says the note lists nothing to trace to."""
    from kg.cli import main
    from kg.query.uses import sourceless_notes

    note = next(iter(sourceless_notes(notes_graph.unsupported_claims()).values()))[0].note
    assert main(["trace", note.title, "--corpus", str(notes_graph.root)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "this note lists no sources, related notes or papers" in out
    assert "[no sources]" in out and "[unsupported]" not in out
    assert "TF-IDF" not in out and "share of the fused ranking" not in out
