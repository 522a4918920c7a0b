"""How results print: every result on one line of at most about 200 characters, lists of
results as aligned tables, a trace as a short tree cut with '… N more', and HTML for
Jupyter that parses and escapes what it shows. Run on the bundled notes/ (vectors from the
hashing embedder: the tests are about printing, not ranking)."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.display import Results, ShortRepr
from kg.model import Link, LinkKind, NearNote, Note, NoteKind, Paragraph, SearchHit

NOTES = Path(__file__).resolve().parent.parent / "notes"
NOTE = "Can a verifier be trusted more than the generator it checks?"
LINE_LIMIT = 200


@pytest.fixture(scope="module")
def g(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    index = tmp_path_factory.mktemp("reprs-index")
    return kg.load(NOTES, index=index, embed=True, embedder=FakeEmbedder())


def results_of_every_kind(g: kg.KnowledgeGraph) -> dict[str, list]:
    note = g.note(NOTE)
    return {
        "notes": list(g),
        "links": list(g.links),
        "neighbours": g.neighbours(note, depth=2),
        "backlinks": g.backlinks(note),
        "near": g.near(note, k=20),
        "search": g.search("majority vote verifier", k=20),
        "used_by": g.used_by(note),
        "unsupported": g.unsupported_claims(),
        "claims": [c for n in g.notes(stubs=False) for c in g.claims(n)],
    }


def test_every_result_prints_on_one_short_line(g):
    for name, results in results_of_every_kind(g).items():
        assert results, name
        for result in results:
            line = repr(result)
            assert "\n" not in line, (name, line)
            assert len(line) <= LINE_LIMIT, (name, len(line), line)
            assert line.startswith(type(result).__name__ + "("), line


def test_a_path_prints_on_one_short_line(g):
    path = g.path(NOTE, "Why do models abandon correct answers when users push back?")
    line = repr(path)
    assert line.startswith("NotePath('Can a verifier") and line.endswith(f"{len(path)} links)")
    assert len(line) <= LINE_LIMIT and "\n" not in line


def test_a_note_line_shows_who_it_is_and_never_its_body(g):
    note = g.note(NOTE)
    assert note.body, "the note should have running text for this test to mean anything"
    line = repr(note)
    assert line.startswith("Note(id='can-a-verifier")
    assert "kind=synthesis" in line
    assert note.body[0].text[:30] not in line
    # Inside another result, a note is its title.
    near = g.near(note, k=1)[0]
    assert f"note={near.note.title[:20]!r}"[:-1] in repr(near)


def test_a_result_line_shows_fields_a_type_gains_without_a_change():
    @dataclasses.dataclass(frozen=True, repr=False)
    class Hit(ShortRepr):
        note: Note
        score: float
        match: str = "title"

    line = repr(Hit(Note("a", "Why A?", NoteKind.SYNTHESIS), 0.5, match="words"))
    assert line == "Hit(note='Why A?', score=0.500, match='words')"


def test_reprs_leave_equality_and_hashing_as_they_were():
    body = (Paragraph("Some running text. " * 50, 3),)
    one = Note("a", "Why A?", NoteKind.SYNTHESIS, body=body)
    same = Note("a", "Why A?", NoteKind.SYNTHESIS, body=body)
    other = dataclasses.replace(one, title="Why B?")
    assert one == same and hash(one) == hash(same) and one != other
    assert len({one, same, other}) == 2
    link = Link("a", "b", LinkKind.RELATED, label="mechanism")
    assert link == Link("a", "b", LinkKind.RELATED, label="mechanism")
    assert repr(link) == "Link(source='a', target='b', kind=related, label='mechanism')"


def test_a_long_text_is_cut_with_an_ellipsis_to_fit_the_line():
    note = Note("a", "T" * 500, NoteKind.SYNTHESIS, description="d" * 500)
    line = repr(note)
    assert len(line) <= LINE_LIMIT and "…" in line
    hit = SearchHit(note, 0.25, "s" * 1000, ("words",))
    assert len(repr(hit)) <= LINE_LIMIT


def test_a_list_of_results_prints_as_an_aligned_table(g):
    hits = g.near(NOTE, k=5)
    assert isinstance(hits, Results) and isinstance(hits, list)
    lines = repr(hits).splitlines()
    assert lines[0].split() == ["note", "score", "linked", "vectors"]
    assert len(lines) == 6
    # Aligned: the score column starts at the same place on every line.
    scores = [f"{hit.score:.3f}" for hit in hits]
    starts = {line.index(cell) for line, cell in zip(lines[1:], scores, strict=True)}
    assert starts == {lines[0].index("score")}
    assert all(len(line) <= 160 for line in lines)


def test_a_long_list_is_cut_with_how_many_more(g):
    every = g.notes()
    lines = repr(every).splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[-1].strip() == f"… {len(every) - 20} more"
    assert all(len(line) <= 160 for line in lines)


def test_result_lists_stay_lists(g):
    hits = g.search("verifier", k=5, semantic=False)
    assert hits == list(hits) and list(hits) == hits
    assert hits[1] == list(hits)[1] and hits[-1] is list(hits)[-1]
    assert isinstance(hits[:2], Results) and hits[:2] == list(hits)[:2]
    assert g.search("zxqv flibbertigibbet", semantic=False) == []
    assert repr(g.search("zxqv flibbertigibbet", semantic=False)) == "[]"
    assert sorted(hits, key=lambda h: h.note.title)  # sorts as a list does


def test_a_trace_prints_as_a_short_tree(g):
    tree = g.trace(NOTE)
    nodes = list(tree.walk())
    text = repr(tree)
    lines = text.splitlines()
    assert lines[0].startswith(f"claim of {NOTE!r}")
    assert len(nodes) > 13, "the tree should be long enough to be cut"
    assert lines[-1] == f"… {len(nodes) - 1 - 12} more"
    assert len(lines) == 1 + 12 + 1
    for (depth, node), line in zip(nodes[1:13], lines[1:13], strict=True):
        assert line.startswith("  " * depth + node.kind + " "), line
        # A share deeper down is not shown: the node's rank stands in its place.
        assert (f"#{node.rank}" if node.score is None else f"{node.score:.3f}") in line
        if node.kind not in ("claim", "sentence"):
            assert node.note.title[:30] in line
    assert all(len(line) <= LINE_LIMIT for line in lines)
    assert len(text) < 3000  # was over 100,000 characters with every note in full


def test_a_small_tree_prints_whole():
    from kg.query.claims import Evidence

    cited = Note("c", "Can crowds beat experts?", NoteKind.SYNTHESIS)
    paper = Note("p", "Wisdom of Crowds", NoteKind.PAPER)
    leaf = Evidence("paper", "a paper", 0.5, paper)
    root = Evidence(
        "claim",
        "Errors cancel out.",
        1.0,
        cited,
        children=(Evidence("cited", "x", 1.0, cited, children=(leaf,)),),
    )
    assert repr(root).splitlines() == [
        "claim of 'Can crowds beat experts?' (best 1.000): 'Errors cancel out.'",
        "  cited 1.000 'Can crowds beat experts?'",
        "    paper 0.500 'Wisdom of Crowds'",
    ]


class _Checker(HTMLParser):
    """Fails on a closing tag that does not close the open one; keeps the text."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data):
        self.text.append(data)


def parsed(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert checker.open == [], f"unclosed tags: {checker.open}"
    return checker


def test_html_of_a_note_a_hit_list_and_a_trace_is_well_formed(g):
    note = g.note(NOTE)
    page = parsed(note._repr_html_())
    assert page.tags.count("tr") >= 3 and NOTE in "".join(page.text)
    hits = g.search("verifier", k=7, semantic=False)
    table = parsed(hits._repr_html_())
    assert table.tags.count("tr") == 1 + len(hits)
    tree = g.trace(NOTE)
    shown = parsed(tree._repr_html_())
    assert shown.tags.count("tr") == 1 + len(list(tree.walk()))
    assert parsed(repr(hits[0]) and hits[0]._repr_html_()).tags[0] == "table"


def test_html_escapes_what_it_shows():
    evil = "<script>alert('x')</script> & <b>"
    note = Note("x", evil, NoteKind.SYNTHESIS, description=evil)
    hits = Results([NearNote(note, 0.5, False)], NearNote)
    for markup in (note._repr_html_(), hits._repr_html_()):
        assert "<script>" not in markup and "<b>" not in markup
        checker = parsed(markup)
        assert "script" not in checker.tags
        assert any(evil in text for text in checker.text)


def test_the_shape_of_the_corpus_shows_as_tables_in_a_notebook(g):
    """Clusters, gaps and their suggested links read as tables and short lines: a gap's
    suggested links as the pairs of notes they join, not as a repr cut off mid-name."""
    clustering = g.clusters()
    shown = parsed(clustering._repr_html_())
    assert shown.tags.count("tr") == 1 + len(clustering)
    assert repr(clustering) in "".join(shown.text)
    assert all(c.name in "".join(shown.text) for c in clustering)
    gaps = g.gaps(top=2, suggestions=3)
    assert gaps, "notes/ has gaps between its clusters"
    first = gaps[0].suggested[0]
    assert f"{first.source} → {first.target}"[:30] in repr(gaps)
    assert "SuggestedLink(" not in repr(gaps)
    from kg.display.lines import LINE_WIDTH

    assert repr(gaps[0]).startswith("Gap(first=") and len(repr(gaps[0])) <= LINE_WIDTH
    assert parsed(first._repr_html_()).tags[0] == "table"
