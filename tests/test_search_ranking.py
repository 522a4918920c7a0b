"""Search ranks as a search engine does, on a small vault written here: the exact title,
then titles containing the query, then notes holding its words (the same word above
another form of it, above a near relative), then notes close in meaning only; scores
0 to 1 that a person can read (a poor hit scores low); snippets that show and mark the
matched words; `kg search` prints and emits the same.

The tests without the `model` mark search by words; those with it use the real static
model, as a new user's `kg index` makes it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from cli_helpers import OFFLINE, run_kg

import kg
from kg.query.snippets import SNIPPET

PAGES = {
    "Memorization": "Notes on how models store what they saw during training.",
    "Memorization in language models": "Large models can repeat long passages of their "
    "training text.",
    "Benchmark contamination": "Scores rise when test items leak into the training data. "
    "Part of the gain reflects memorization rather than skill, as rewritten items show.",
    "Rote learning": "A student who has memorised the answers fails when the questions "
    "are rephrased.",
    "Agent failures": "Agents keep memories of earlier failures and try again with a new plan.",
    "Learning by heart": "Remembering facts by repetition.",
    "Verbatim recall": "Networks reproduce their training examples word for word when "
    "prompted with the first few tokens.",
    "Ocean tides": "The moon pulls the sea, so the water rises and falls twice a day.",
    "Sampling": "Drawing many answers and voting on them beats a single answer.",
    "Verification": "A checker that reads the proof can catch errors the writer missed.",
    "Weather": "Rain falls when warm air cools and its water condenses.",
    "Baking": "A recipe for bread needs flour, water, salt and yeast.",
    "Railways": "Trains run on rails between the cities every hour.",
    # A long sentence whose one matching word comes late: its snippet must still show it.
    "Long page": "Benchmarks are rewritten every year to keep them fresh, " * 6
    + "and only then does memorization stop helping, "
    + "as tests are rewritten every year to keep them fresh, " * 6
    + "and so on.",
}
# By words, best first: the exact word (either spelling), another form, a near relative.
BY_WORDS = ["Benchmark contamination", "Long page", "Rote learning", "Agent failures"]


kg_cli = functools.partial(run_kg, env=OFFLINE, timeout=None)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ranking") / "vault"
    folder.mkdir()
    for title, body in PAGES.items():
        (folder / f"{title}.md").write_text(body + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def words_graph(vault: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(vault, index=tmp_path_factory.mktemp("words-index"), embed=False)


def titles(hits: list[kg.SearchHit]) -> list[str]:
    return [hit.note.title for hit in hits]


# ---------------------------------------------------------------- order


@pytest.mark.parametrize("query", ["memorization", "memorisation", "MEMORIZATION"])
def test_titles_then_words_best_form_first(words_graph, query):
    hits = words_graph.search(query, k=20)
    assert titles(hits) == ["Memorization", "Memorization in language models", *BY_WORDS]
    assert [hit.match_kind for hit in hits] == ["title"] * 2 + ["words"] * 4
    assert hits[0].matched[0] == "exact title" and hits[0].score == 1.0
    assert 0.9 <= hits[1].score < 1.0  # a title holding the query
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_every_form_of_the_word_finds_the_same_notes(words_graph):
    expected = set(titles(words_graph.search("memorization", k=20)))
    for form in ("memorised", "memorise", "memorize", "memorizing", "memorisations"):
        assert set(titles(words_graph.search(form, k=20))) == expected, form
    # The form asked for ranks first among the notes that hold a form of it.
    assert titles(words_graph.search("memorised", k=20))[0] == "Rote learning"


def test_word_scores_fall_with_how_well_the_word_matches(words_graph):
    by_title = {hit.note.title: hit.score for hit in words_graph.search("memorization", k=20)}
    exact, other_form, relative = (
        by_title[t] for t in ("Benchmark contamination", "Rote learning", "Agent failures")
    )
    assert 0.8 <= exact <= 0.9 and 0.6 <= other_form < 0.8 and relative < 0.5
    assert exact - other_form >= 0.1  # the gaps are wide enough to read


def test_a_hit_holding_part_of_the_query_scores_below_one_holding_all(words_graph):
    hits = words_graph.search("bread recipe rain", k=5)
    scores = {hit.note.title: hit.score for hit in hits}
    assert set(scores) == {"Baking", "Weather"}
    assert scores["Baking"] > scores["Weather"] and scores["Weather"] < 0.5


# ---------------------------------------------------------------- snippets


def test_snippets_show_and_mark_the_matched_word(words_graph):
    for hit in words_graph.search("memorization", k=20):
        if hit.match_kind != "words":
            continue
        shown = [hit.snippet[a:b].lower() for a, b in hit.marks]
        assert shown and all(word.startswith("memor") for word in shown), hit.note.title
        assert hit.marked_snippet().count("**") == 2 * len(hit.marks)
    long = next(h for h in words_graph.search("memorization", k=20) if h.note.title == "Long page")
    assert long.snippet.startswith("…") and "memorization stop" in long.snippet
    assert len(long.snippet) <= SNIPPET + 2  # the ellipses aside
    start, end = long.marks[0]
    # Centred on the word: about as much text before it as after it.
    assert abs(start - (len(long.snippet) - end)) < SNIPPET // 3


# ---------------------------------------------------------------- kg search


def test_kg_search_prints_and_emits_kind_score_and_marks(vault, words_graph, tmp_path):
    where = ["--corpus", str(vault), "--index", str(tmp_path / "index"), "--lexical"]
    emitted = kg_cli("search", *where, "--json", "memorization")
    assert emitted.returncode == 0, emitted.stderr
    rows = json.loads(emitted.stdout)
    api = words_graph.search("memorization", k=10, semantic=False)
    assert [row["title"] for row in rows] == titles(api)
    for row, hit in zip(rows, api, strict=True):
        assert row["match_kind"] == hit.match_kind and row["score"] == hit.score
        assert row["matched"] == list(hit.matched)
        assert row["marks"] == [list(span) for span in hit.marks]
        assert row["snippet_marked"] == hit.marked_snippet()
    rote = next(row for row in rows if row["title"] == "Rote learning")
    assert "**memorised**" in rote["snippet_marked"]
    printed = kg_cli("search", *where, "memorization").stdout
    assert "1.00 title" in printed and "**memorised**" in printed
    assert f"{rote['score']:.2f} words" in printed


# ---------------------------------------------------------------- meaning (the real model)


@pytest.fixture(scope="module")
def model_graph(vault: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    index = tmp_path_factory.mktemp("model-index")
    built = kg_cli("index", "--corpus", str(vault), "--index", str(index))
    assert built.returncode == 0, built.stderr
    graph = kg.load(vault, index=index, embed="stored")
    assert graph.embeddings is not None
    return graph


@pytest.mark.model
def test_meaning_only_hits_come_last_and_score_low(model_graph):
    hits = model_graph.search("memorization", k=20)
    kinds = [hit.match_kind for hit in hits]
    assert titles(hits)[: 2 + len(BY_WORDS)] == [
        "Memorization",
        "Memorization in language models",
        *BY_WORDS,
    ]
    assert kinds == sorted(kinds, key=["title", "words", "meaning"].index)
    meaning = [hit for hit in hits if hit.match_kind == "meaning"]
    assert meaning, "a note close in meaning only is listed"
    words = [hit for hit in hits if hit.match_kind == "words"]
    # A note vaguely related in meaning reads as a poor hit, below every word hit.
    assert all(hit.score < 0.5 for hit in meaning)
    assert max(hit.score for hit in meaning) < min(hit.score for hit in words)
    assert "Ocean tides" not in titles(hits) and "Railways" not in titles(hits)
