"""Search says only what is true, and says it alike everywhere: a query nothing matches
gets no hits from the API, `kg search` (exit status 1, as grep) or the browser; titles that
contain the query come first, as the browser's list as you type shows them, so Enter puts
first what the list showed; the API, the CLI and the browser rank one query alike.

The tests without the `model` mark search by words (or with the fake embedder); those with
it use the real static model, as a new user's `kg index` makes it.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
from pathlib import Path

import pytest
from cli_helpers import OFFLINE, run_kg
from fake_embedder import FakeEmbedder
from kg_tui.app import KgApp
from kg_tui.features import open_graph
from kg_tui.widgets.search import SearchInput, SearchPanel, SearchResults

import kg

ROOT = Path(__file__).resolve().parent.parent
NONSENSE = "zxqv flibbertigibbet"
# Word beginnings and words the browser's title list completes, and a query by words.
QUERIES = ("sycophan", "verif", "reward hack", "majority vote")
SIZE = (100, 30)


kg_cli = functools.partial(run_kg, env=OFFLINE, timeout=600)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("honest") / "notes"
    shutil.copytree(ROOT / "notes", folder, ignore=shutil.ignore_patterns(".kg"))
    return folder


@pytest.fixture(scope="module")
def words_index(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("words-index")
    assert (
        kg_cli("index", "--corpus", str(corpus), "--index", str(index), "--no-embed").returncode
        == 0
    )
    return index


@pytest.fixture(scope="module")
def words_graph(corpus: Path, words_index: Path) -> kg.KnowledgeGraph:
    return kg.load(corpus, index=words_index, embed="none")


@pytest.fixture(scope="module")
def fake_graph(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    index = tmp_path_factory.mktemp("fake-index")
    graph = kg.load(corpus, index=index, embed=True, embedder=FakeEmbedder())
    assert graph.embeddings is not None
    return graph


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def option_ids(app: KgApp) -> list[str]:
    results = app.query_one(SearchResults)
    ids = (results.get_option_at_index(i).id for i in range(results.option_count))
    return [i for i in ids if i]


async def browser_search(graph: kg.KnowledgeGraph, query: str, tmp_path: Path):
    """What the browser lists while `query` is typed, then after Enter (ids, header)."""
    app = KgApp(graph=graph, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *query)
        await settle(pilot)
        typed = option_ids(app)
        await pilot.press("enter")
        await settle(pilot)
        return typed, option_ids(app), app.query_one(SearchPanel).header


# ---------------------------------------------------------------- nothing matches


def test_a_query_nothing_matches_gets_no_hits_from_the_api(words_graph, fake_graph):
    for graph in (words_graph, fake_graph):
        assert graph.search(NONSENSE) == [] and graph.search("xqzvw", k=50) == []
        hits = graph.search("majority vote", k=50)
        assert hits and all(hit.matched for hit in hits)  # every hit says how it matched
        for stub in (False, True):  # notes with text first, then stubs, each by score
            scores = [h.score for h in hits if h.note.stub is stub]
            assert scores == sorted(scores, reverse=True)
        assert [h.note.stub for h in hits] == sorted(h.note.stub for h in hits)


def test_kg_search_says_nothing_matches_and_exits_1_as_grep(corpus, words_index):
    where = ["--corpus", str(corpus), "--index", str(words_index), "--lexical"]
    found = kg_cli("search", *where, NONSENSE)
    assert found.returncode == 1 and found.stdout == ""
    assert f"no note matches '{NONSENSE}'" in found.stderr
    as_json = kg_cli("search", *where, "--json", NONSENSE)
    assert as_json.returncode == 1 and json.loads(as_json.stdout) == []
    some = kg_cli("search", *where, "--json", "majority vote")
    assert some.returncode == 0 and json.loads(some.stdout)
    usage = kg_cli("search", "--help").stdout
    assert "Exit status" in usage and "1 when none does" in usage


@pytest.mark.asyncio
async def test_the_browser_says_nothing_matches(words_graph, tmp_path):
    typed, hits, header = await browser_search(words_graph, NONSENSE, tmp_path)
    assert typed == [] and hits == [] and f"No note matches “{NONSENSE}”" in header


# ---------------------------------------------------------------- min_score


def test_min_score_is_checked_and_leaves_out_lower_hits(words_graph, corpus, words_index):
    for wrong in (-1, math.nan, math.inf, "1", True, None):
        with pytest.raises(kg.InvalidArgument, match="min_score"):
            words_graph.search("reward", min_score=wrong)
    every = words_graph.search("reward", k=50)
    titles = words_graph.search("reward", k=50, min_score=0.9)  # titles score 0.9 to 1
    assert titles == [hit for hit in every if hit.score >= 0.9]
    assert titles and len(titles) < len(every)
    assert all("title" in hit.matched or "exact title" in hit.matched for hit in titles)
    where = ["--corpus", str(corpus), "--index", str(words_index), "--lexical", "--json"]
    cut = kg_cli("search", *where, "--min-score", "0.9", "reward")
    assert [h["id"] for h in json.loads(cut.stdout)] == [h.note.id for h in titles][:10]
    assert kg_cli("search", *where, "--min-score", "-1", "reward").returncode == 2


# ---------------------------------------------------------------- titles first


def agrees_with_the_list(graph: kg.KnowledgeGraph, listed: list[str], hits: list[str]) -> bool:
    """Search puts first the notes with text the title list showed, in its order, and
    keeps the list's order for its stubs too (which come after every note with text)."""
    with_text = [i for i in listed if not graph.note(i).stub]
    return hits[: len(with_text)] == with_text and [i for i in hits if i in listed] == listed


def test_titles_containing_the_query_rank_first_as_the_title_list_shows_them(words_graph):
    completion = kg.TitleIndex(words_graph)
    for query in ("sycophan", "verif", "reward"):
        listed = [note.id for note in completion.match(query, limit=10)]
        hits = words_graph.search(query, k=100)
        assert listed and agrees_with_the_list(words_graph, listed, [h.note.id for h in hits])
        assert all("title" in hit.matched for hit in hits if hit.note.id in listed)
    # "sycophan": the notes with text whose titles hold it, then notes that use the word.
    sycophan = [h.note.id for h in words_graph.search("sycophan", k=10)]
    assert sycophan[0] == completion.match("sycophan")[0].id == "sycophancy-and-honesty"


@pytest.mark.asyncio
async def test_enter_after_a_word_beginning_puts_first_what_the_list_showed(words_graph, tmp_path):
    for query in ("sycophan", "verif"):
        typed, hits, header = await browser_search(words_graph, query, tmp_path)
        assert typed, f"the title list shows notes for {query!r}"
        assert agrees_with_the_list(words_graph, typed, hits) and "No note matches" not in header
    app = KgApp(graph=words_graph, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sycophan")
        await settle(pilot)
        first = option_ids(app)[0]
        await pilot.press("enter")  # search: the hits list takes the focus
        await settle(pilot)
        await pilot.press("enter")  # open the highlighted (first) hit
        await settle(pilot)
        assert app.main_screen.current is not None and app.main_screen.current.id == first
        assert not app.query_one(SearchInput).has_focus


# ---------------------------------------------------------------- one ranking


@pytest.mark.asyncio
async def test_api_cli_and_browser_rank_a_query_alike_by_words(
    words_graph, corpus, words_index, tmp_path
):
    where = ["--corpus", str(corpus), "--index", str(words_index), "--lexical", "--json"]
    for query in QUERIES:
        api = [hit.note.id for hit in words_graph.search(query, k=10, semantic=False)]
        cli = [hit["id"] for hit in json.loads(kg_cli("search", *where, query).stdout)]
        _, browser, _ = await browser_search(words_graph, query, tmp_path)
        assert api and api == cli == browser[:10], query


# ---------------------------------------------------------------- the real model


@pytest.fixture(scope="module")
def model_index(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("model-index")
    built = kg_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert built.returncode == 0, built.stderr
    return index


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.asyncio
async def test_with_the_model_nonsense_finds_nothing_and_all_three_rank_alike(
    corpus, model_index, tmp_path
):
    api_graph = kg.load(corpus, index=model_index, embed="stored")
    browser_graph = open_graph(corpus, index=model_index)
    assert api_graph.embeddings is not None and browser_graph.embeddings is not None
    where = ["--corpus", str(corpus), "--index", str(model_index)]
    # Nonsense: word pieces sit close to every note, yet nothing matches.
    assert api_graph.search(NONSENSE) == []
    found = kg_cli("search", *where, NONSENSE)
    assert found.returncode == 1 and "no note matches" in found.stderr
    _, browser, header = await browser_search(browser_graph, NONSENSE, tmp_path)
    assert browser == [] and "No note matches" in header
    # A word the notes never use but the model knows whole still finds notes by meaning.
    meaning = api_graph.search("obedience", k=5)
    assert meaning and all(hit.matched == ("meaning",) for hit in meaning)
    for query in (*QUERIES, "obedience"):
        api = [hit.note.id for hit in api_graph.search(query, k=10)]
        cli = [hit["id"] for hit in json.loads(kg_cli("search", *where, "--json", query).stdout)]
        _, browser, _ = await browser_search(browser_graph, query, tmp_path)
        assert api and api == cli == browser[:10], query
