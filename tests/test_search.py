"""Hybrid search: BM25 (bm25s) fused with embeddings, title matches first, snippets.

These use the fake hashing embedder or no vectors at all; the real-model checks
("majority vote", paraphrases) are in test_embeddings_with_the_model.py, marked `model`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.errors import ModelUnavailable
from kg.model import Note, NoteKind, Paragraph, SearchHit
from kg.query.search import LEXICAL_MANIFEST, LexicalIndex, lexical_index, words

EXPERTS = "Can models trained on many imperfect experts outperform each one?"
HIDDEN = "Do base models already contain hidden reasoning ability?"
MAJORITY_STUB = "Why does majority voting outperform more complex inference methods?"


@pytest.fixture(scope="module")
def graph(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    index = tmp_path_factory.mktemp("search-index")
    return kg.load(seeds_dir, index=index, embedder=FakeEmbedder(), embed=True)


@pytest.fixture(scope="module")
def bare(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds without vectors."""
    return kg.load(seeds_dir, index=tmp_path_factory.mktemp("bare-index"), embed=False)


def titles(hits: list[SearchHit]) -> list[str]:
    return [h.note.title for h in hits]


def test_hits_are_search_hits_best_first(graph):
    hits = graph.search("majority vote", k=5)
    assert 0 < len(hits) <= 5 and all(isinstance(h, SearchHit) for h in hits)
    # Notes with text first (issue 12: a stub never ranks above one), each part best first.
    stubs = [h.note.stub for h in hits]
    assert stubs == sorted(stubs)
    for part in (False, True):
        scores = [h.score for h in hits if h.note.stub is part]
        assert scores == sorted(scores, reverse=True)
    assert EXPERTS in titles(hits)[:2]
    assert MAJORITY_STUB in titles(graph.search("majority vote", k=60))
    top = hits[0]
    assert "words" in top.matched and top.snippet
    assert any(w in words(top.snippet) for w in words("majority vote"))


def test_an_exact_title_comes_first_whatever_the_other_scores(graph):
    hits = graph.search(HIDDEN.upper(), k=5)
    assert hits[0].note.title == HIDDEN and hits[0].matched[0] == "exact title"
    assert hits[0].score == 1.0 > hits[1].score


def test_near_exact_titles_come_first_too(graph):
    typo = "Can models trained on many imperfect experts outperfrom each one"
    hits = graph.search(typo, k=3)
    assert hits[0].note.title == EXPERTS and hits[0].matched[0] in ("exact title", "title")
    no_mark = EXPERTS.rstrip("?").lower()
    assert graph.search(no_mark, k=1)[0].matched[0] == "exact title"


def test_title_match_snippet_is_the_description(graph):
    hit = graph.search(EXPERTS, k=1)[0]
    description = graph.note(EXPERTS).description
    assert len(description) > 240 and hit.snippet.endswith("…")
    assert hit.snippet[:-1] == description[: len(hit.snippet) - 1]


def test_lexical_only_search_works_without_vectors(bare):
    assert bare.embeddings is None
    hits = bare.search("majority vote", k=5)
    assert EXPERTS in titles(hits)[:2]
    assert all("meaning" not in h.matched for h in hits)
    with pytest.raises(ModelUnavailable):
        bare.search("majority vote", semantic=True)


def test_semantic_false_never_uses_the_vectors(graph):
    hits = graph.search("majority vote", k=5, semantic=False)
    assert all("meaning" not in h.matched and h.match_kind != "meaning" for h in hits)
    # No title holds the query: every hit is a match by words, scored 0.2 to 0.9.
    assert all(h.match_kind == "words" and 0.2 <= h.score <= 0.9 for h in hits)


def test_meaning_alone_can_find_a_note(graph):
    # No word of the query is in the index: only the embedding side can match.
    experts = graph.note(EXPERTS)
    store = graph.embeddings
    query = "zzqx " * 3 + experts.claim
    assert graph.search(query, k=3)[0].note.id == experts.id
    only_meaning = graph.search("zzqx wwvy", k=3)
    assert all(h.matched in ((), ("meaning",)) for h in only_meaning)
    assert store.count == len(graph.notes())


def test_snippet_is_the_sentence_with_the_query_words(graph):
    hits = graph.search("low-temperature sampling consensus", k=3)
    hit = next(h for h in hits if h.note.title == EXPERTS)
    assert "temperature" in hit.snippet.lower()
    assert len(hit.snippet) <= 242


def test_empty_queries_and_k(graph):
    assert graph.search("   ") == [] and graph.search("models", k=0) == []
    assert len(graph.search("models", k=3)) == 3
    assert all(h.note.kind is not NoteKind.CATEGORY for h in graph.search("reasoning", k=50))


def test_the_bm25_index_is_saved_and_reused(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    first = kg.load(seeds_dir, index=index, embed=False)
    built = lexical_index(first)
    assert (index / LEXICAL_MANIFEST).is_file()
    again = kg.load(seeds_dir, index=index, embed=False)
    reopened = LexicalIndex.open(index, again.index_signature)
    assert reopened is not None and reopened.note_ids == built.note_ids
    terms = words("majority vote")
    np.testing.assert_allclose(reopened.scores(terms), built.scores(terms), rtol=1e-6)
    assert titles(again.search("majority vote", k=3)) == titles(first.search("majority vote", k=3))
    # A damaged array is never used: the index is built again.
    manifest = json.loads((index / LEXICAL_MANIFEST).read_text())
    data = index / manifest["files"]["data"]["file"]
    data.write_bytes(data.read_bytes()[:-8])
    assert LexicalIndex.open(index, again.index_signature) is None
    third = kg.load(seeds_dir, index=index, embed=False)
    assert titles(third.search("majority vote", k=3)) == titles(first.search("majority vote", k=3))
    assert LexicalIndex.open(index, third.index_signature) is not None


def test_a_changed_corpus_gets_a_new_bm25_index(seeds_dir, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    before = kg.load(corpus, embed=False)
    assert not before.search("xylophonic", k=3)
    page = next(corpus.glob("001_*.txt"))
    page.write_text(page.read_text().replace("Low-temperature", "Xylophonic low-temperature"))
    after = kg.load(corpus, embed=False)
    assert after.index_signature != before.index_signature
    assert titles(after.search("xylophonic", k=3)) == [EXPERTS]


def test_a_graph_built_by_hand_is_searched_in_memory():
    notes = {
        "a": Note(
            id="a",
            title="Why do crowds beat experts?",
            kind=NoteKind.SYNTHESIS,
            body=(Paragraph("Errors cancel when many people vote.", 1),),
        ),
        "b": Note(id="b", title="Can tools help agents plan?", kind=NoteKind.SYNTHESIS),
    }
    g = kg.KnowledgeGraph(notes, [])
    hits = g.search("people vote", k=2)
    assert titles(hits) == ["Why do crowds beat experts?"]
    assert hits[0].snippet == "Errors cancel when many people vote."


def test_words_are_folded_stemmed_and_stopped():
    assert words("The models' Voting, voted & VOTES") == ["model", "vote", "vote", "vote"]
    assert words("a an the of") == []
