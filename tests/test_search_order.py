"""`kg search` and `g.search`: no hit scores above the one listed before it, stubs (listed
after the notes with text) included; and a query's stop words alone make no words hit."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder

import kg

NOTES = Path(__file__).resolve().parent.parent / "notes"
QUERIES = ("memorization", "Does ch", "reasoning", "verifier reward", "judge")


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> list[kg.KnowledgeGraph]:
    words = kg.load(NOTES, index=tmp_path_factory.mktemp("order-words"), embed="none")
    meaning = kg.load(
        NOTES, index=tmp_path_factory.mktemp("order-fake"), embed=True, embedder=FakeEmbedder()
    )
    return [words, meaning]


@pytest.mark.parametrize("query", QUERIES)
def test_no_hit_scores_above_the_one_before_it(graphs, query):
    for graph in graphs:
        hits = graph.search(query, k=50)
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True), [(h.note.title, h.score) for h in hits]
        stubs = [h.note.stub for h in hits if h.match_kind != "title"]
        assert stubs == sorted(stubs)  # notes with text before stubs, as before


def test_stop_words_alone_make_no_words_hit_nor_marks(graphs):
    for graph in graphs:
        hits = graph.search("Does ch", k=20)
        assert [h.match_kind for h in hits[:2]] == ["title", "title"]
        assert not [h.note.title for h in hits if h.match_kind == "words"]
        for hit in hits:
            marked = [hit.snippet[a:b].lower() for a, b in hit.marks]
            assert "does" not in marked, hit.marked_snippet()
        # with a content word beside it, the stop word is still not marked
        for hit in graph.search("how does memorization work", k=5):
            marked = {hit.snippet[a:b].lower() for a, b in hit.marks}
            assert marked and not marked & {"how", "does"}
