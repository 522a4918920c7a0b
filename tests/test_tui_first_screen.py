"""The browser's first screen: usable before the corpus is open (Textual's Pilot, notes/).

`kg index` keeps the corpus's overview beside the index, and a browse keeps it when none
is; a start draws it in its first frame while the index is still being read, takes `/` and
a query at once, runs a search by meaning asked for meanwhile (Enter) and opens a note
picked meanwhile as soon as the graph is there, and then shows the graph's own lists. With
no index, the loading screen says it is the first index of the folder and how far it is.
The graph's opening is held back with an event (the real `open_graph` runs after it), so
"before the graph is there" does not depend on the machine's speed.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
from pathlib import Path

import pytest
from kg_tui import app as app_module
from kg_tui.app import KgApp
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput, SearchPanel

import kg
from kg.cli import main as kg_main

NOTES = Path(__file__).resolve().parent.parent / "notes"
VERIFIER = "Can a verifier be trusted more than the generator it checks?"
SIZE = (80, 24)


def screen_text(app: KgApp) -> str:
    """The screen as text, row by row (read from Textual's own screenshot)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    svg = app.export_screenshot()
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg
    ):
        x, y, text = float(match[1]), float(match[2]), html.unescape(match[3])
        rows.setdefault(y, []).append((x, text))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):  # each piece at its column: the blanks between stay
            line = line.ljust(round(x / 12.2)) + text
        lines.append(line.replace("\xa0", " "))
    return "\n".join(lines)


async def wait_until(pilot, test, tries: int = 1500) -> bool:
    for _ in range(tries):
        if test():
            return True
        await pilot.pause(0.02)
    return test()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    copy = tmp_path / "notes"
    shutil.copytree(NOTES, copy)
    return copy


@pytest.fixture
def held(monkeypatch):
    """Opening the corpus waits until the test sets this event."""
    release = threading.Event()
    real = app_module.open_graph

    def open_graph_when_released(*args, **kwargs):
        assert release.wait(60), "the test never let the corpus open"
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "open_graph", open_graph_when_released)
    return release


@pytest.fixture
def opened_then_held(monkeypatch):
    """The corpus is opened (read, indexed), but handed to the browser only once the test
    sets this event: what the loading screen said meanwhile stays on screen."""
    release = threading.Event()
    real = app_module.open_graph

    def open_graph_then_wait(*args, **kwargs):
        graph = real(*args, **kwargs)
        assert release.wait(60), "the test never let the corpus open"
        return graph

    monkeypatch.setattr(app_module, "open_graph", open_graph_then_wait)
    return release


def kg_index(corpus: Path, index: Path) -> None:
    assert kg_main(["index", "--corpus", str(corpus), "--index", str(index), "--no-embed"]) == 0


async def first_session(corpus: Path, index: Path) -> list[str]:
    """Open the corpus once, until its overview is worked out and kept; the titles listed."""
    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, lambda: app.main_screen.home is not None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        return [n.title for _, notes in app.main_screen.home for n in notes]


@pytest.mark.asyncio
async def test_a_session_keeps_its_overview_beside_the_index(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    listed = await first_session(corpus, index)
    kept = kg.kept_overview(corpus, index)
    assert kept is not None
    assert [n.title for _, notes in kept.lists for n in notes] == listed
    assert kept.stats.notes == 41


@pytest.mark.asyncio
async def test_next_start_draws_the_overview_before_the_index_is_read(
    corpus: Path, tmp_path: Path, held: threading.Event
):
    index = tmp_path / "index"
    kg_index(corpus, index)  # nothing kept from a browse: what `kg index` kept is drawn
    kept = kg.kept_overview(corpus, index)
    assert kept is not None
    listed = [n.title for _, notes in kept.lists for n in notes]

    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.graph is None  # still held back
        text = screen_text(app)
        assert "Most connected notes" in text and listed[0][:30] in text
        assert "loading…" in text  # the header says the corpus is not open yet
        view = app.query_one(NoteView)
        assert view.note_id is None and view.link_count >= 3

        # Keys are taken at once: `/` and a query typed in one go land in the search box.
        await pilot.press("slash", *"verifier")
        assert app.query_one(SearchInput).value == "verifier"

        held.set()
        assert await wait_until(pilot, lambda: app.main_screen.titles is not None)
        await pilot.pause()
        assert VERIFIER in screen_text(app)  # the query is answered once the titles are there
        assert isinstance(app.focused, SearchInput)  # the graph's arrival left the focus


@pytest.mark.asyncio
async def test_a_note_picked_before_the_graph_opens_when_it_is_there(
    corpus: Path, tmp_path: Path, held: threading.Event
):
    index = tmp_path / "index"
    held.set()
    await first_session(corpus, index)
    held.clear()

    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.graph is None
        kept = kg.kept_overview(corpus, index)
        assert kept is not None
        wanted = kept.lists[0][1][0]
        app.main_screen.open_note(wanted.id)  # what Enter on the first link posts
        await pilot.pause()
        assert app.main_screen.current is None
        held.set()
        assert await wait_until(pilot, lambda: app.main_screen.current is not None)
        assert app.main_screen.current.id == wanted.id


@pytest.mark.asyncio
async def test_the_overview_of_files_edited_since_is_replaced_by_the_graphs(
    corpus: Path, tmp_path: Path, held: threading.Event
):
    index = tmp_path / "index"
    kg_index(corpus, index)
    (corpus / "vault" / "A brand new note.md").write_text("A new note.\n", encoding="utf-8")
    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The index has not taken the edit in yet: its overview is drawn meanwhile ...
        assert "Most connected notes" in screen_text(app) and "41 notes" in screen_text(app)
        held.set()
        # ... and the graph's own figures replace it once the edit is read.
        assert await wait_until(pilot, lambda: "42 notes" in screen_text(app))
        # Kept for the next start, in place of the stale one.
        assert await wait_until(pilot, lambda: kg.kept_overview(corpus, index) is not None)
    kept = kg.kept_overview(corpus, index)
    assert kept is not None and kept.stats.notes == 42


@pytest.mark.asyncio
async def test_enter_before_the_graph_is_there_searches_once_it_is(
    corpus: Path, tmp_path: Path, held: threading.Event
):
    index = tmp_path / "index"
    kg_index(corpus, index)
    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.graph is None
        await pilot.press("slash", *"trusted verifier", "enter")
        panel = app.query_one(SearchPanel)
        assert panel.display and "runs as soon as it is open" in screen_text(app)
        held.set()
        # The search by meaning runs once the graph is there: its hits are listed.
        assert await wait_until(pilot, lambda: panel.last_hits is not None)
        query, hits = panel.last_hits
        assert query == "trusted verifier" and hits
        assert app.graph is not None and app.graph.note(hits[0]).title == VERIFIER


@pytest.mark.asyncio
async def test_the_first_index_of_a_folder_says_so_with_its_progress(
    corpus: Path, tmp_path: Path, opened_then_held: threading.Event
):
    app = KgApp(corpus, index=tmp_path / "index")  # no index yet
    async with app.run_test(size=(160, 48)) as pilot:  # the progress line on one row
        read = re.compile(r"Reading: (\d+) of \1 files \(100%\)")  # every file read
        assert await wait_until(pilot, lambda: read.search(screen_text(app)) is not None)
        text = screen_text(app)
        assert "Indexing this folder for the first time" in text and "s so far" in text
        assert "This happens once" not in text
        opened_then_held.set()
        assert await wait_until(pilot, lambda: "Most connected notes" in screen_text(app))

    # The next start reuses that index: nothing is built, no progress is shown.
    app = KgApp(corpus, index=tmp_path / "index")
    async with app.run_test(size=SIZE) as pilot:
        assert app.index_state == "present"
        await pilot.pause()
        assert "Indexing" not in screen_text(app)
        opened_then_held.set()


@pytest.mark.asyncio
async def test_the_browser_counts_the_corpus_figures_once_per_graph(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stats_counts: list[int]
):
    counted = stats_counts
    monkeypatch.setenv("KG_NO_WATCH", "1")  # the re-index below is the only one
    monkeypatch.setattr(app_module, "NOTE_VECTORS_AFTER", 3600.0)  # no vectors' re-index
    index = tmp_path / "index"
    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        # Header, overview (drawn twice) and the overview kept for the next start.
        assert await wait_until(pilot, lambda: app.main_screen.home is not None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.graph is not None
        assert counted == [id(app.graph)]
        assert "41 notes" in screen_text(app)

        # A live edit: the new graph's figures are counted (once) and shown.
        (corpus / "vault" / "A brand new note.md").write_text("A new note.\n", encoding="utf-8")
        app.reload("1 file changed")
        assert await wait_until(pilot, lambda: app.reloads >= 1)
        assert await wait_until(pilot, lambda: "42 notes" in screen_text(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert counted[1:] == [id(app.graph)]


@pytest.mark.asyncio
async def test_a_first_open_without_vectors_computes_them_in_the_background(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # `kg browse` on a folder never indexed: the index is made from the files alone (to
    # be quick), then the vectors near and search need come in the background, and the
    # Near list of the open note fills in without the person doing anything.
    from fake_embedder import FakeEmbedder
    from kg_tui.widgets.near_list import NearList

    monkeypatch.setattr(app_module, "NOTE_VECTORS_AFTER", 0.1)
    monkeypatch.delenv("KG_NO_WATCH", raising=False)  # the browser may re-index by itself
    app = KgApp(corpus, index=tmp_path / "index", embedder=FakeEmbedder())
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, lambda: app.main_screen.graph is not None)
        assert app.graph is not None and app.graph.embeddings is None  # files only, at first
        app.main_screen.open_note(VERIFIER)
        assert await wait_until(pilot, lambda: app.main_screen.current is not None)
        await pilot.press("n")
        assert await wait_until(pilot, lambda: app.graph.embeddings is not None)  # type: ignore[union-attr]
        near = app.query_one(NearList)
        assert await wait_until(pilot, lambda: len(near.rows) > 0)
        assert app.main_screen.current is not None
        assert app.main_screen.current.title == VERIFIER  # the person's place kept
