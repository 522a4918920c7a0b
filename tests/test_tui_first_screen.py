"""The browser's first screen: usable before the corpus is open (Textual's Pilot, notes/).

A session keeps the overview it worked out beside the index; the next start draws it in
its first frame while the index is still being read, takes `/` and a query at once, opens a
note picked meanwhile as soon as the graph is there, and then shows the graph's own lists.
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
from kg_tui import first_screen
from kg_tui.app import KgApp
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput

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


async def wait_until(pilot, test, tries: int = 400) -> bool:
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


async def first_session(corpus: Path, index: Path) -> list[str]:
    """Open the corpus once, until its overview is worked out; the titles listed."""
    app = KgApp(corpus, index=index)
    async with app.run_test(size=SIZE) as pilot:
        assert await wait_until(pilot, lambda: app.main_screen.home is not None)
        await pilot.pause()
        return [n.title for _, notes in app.main_screen.home for n in notes]


@pytest.mark.asyncio
async def test_a_session_keeps_its_overview_beside_the_index(corpus: Path, tmp_path: Path):
    index = tmp_path / "index"
    listed = await first_session(corpus, index)
    kept = first_screen.load(index)
    assert kept is not None
    assert [n.title for _, notes in kept.lists for n in notes] == listed
    assert kept.stats.notes == 41


@pytest.mark.asyncio
async def test_next_start_draws_the_overview_before_the_index_is_read(
    corpus: Path, tmp_path: Path, held: threading.Event
):
    index = tmp_path / "index"
    held.set()
    listed = await first_session(corpus, index)
    held.clear()

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
        kept = first_screen.load(index)
        assert kept is not None
        wanted = kept.lists[0][1][0]
        app.main_screen.open_note(wanted.id)  # what Enter on the first link posts
        await pilot.pause()
        assert app.main_screen.current is None
        held.set()
        assert await wait_until(pilot, lambda: app.main_screen.current is not None)
        assert app.main_screen.current.id == wanted.id


def test_an_unreadable_or_other_version_overview_is_ignored(tmp_path: Path):
    (tmp_path / first_screen.FILE).write_text("{not json", encoding="utf-8")
    assert first_screen.load(tmp_path) is None
    (tmp_path / first_screen.FILE).write_text('{"version": 99}', encoding="utf-8")
    assert first_screen.load(tmp_path) is None
    (tmp_path / first_screen.FILE).write_text(
        '{"version": 1, "signature": "s", "stats": {}, "lists": [["H", [["a", "A", "nokind", false]]]]}',
        encoding="utf-8",
    )
    assert first_screen.load(tmp_path) is None  # an unknown kind: nothing drawn from it
    assert first_screen.load(tmp_path / "missing") is None


@pytest.mark.asyncio
async def test_lists_from_other_files_are_worked_out_again(corpus: Path, tmp_path: Path):
    import kg

    index = tmp_path / "index"
    await first_session(corpus, index)
    kept = first_screen.load(index)
    assert kept is not None
    graph = kg.load(corpus, index=index, embed="none")
    assert kept.lists_in(graph) is not None  # the same files: the lists stand
    (corpus / "vault" / "a-new-note.md").write_text("A new note.\n", encoding="utf-8")
    changed = kg.load(corpus, index=index, embed="none")
    assert kept.lists_in(changed) is None  # another signature: worked out again
