"""The browser as a new user meets it at 80×24 (issue 15): each defect driven through Pilot.

Every test here failed before its fix: it asserts what the person sees on the screen
(the exported text of the terminal) or where the focus sits, never a widget's internals
alone.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.main import MainScreen
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView
from rich.console import Console

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
LINE = "What emergent behaviors do models develop when trained on underspecified pedagogical tasks?"
SMALL = (80, 24)


@pytest.fixture(scope="module")
def graph(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(seeds_dir, index=tmp_path_factory.mktemp("views-index"), embed=False)


@pytest.fixture(scope="module")
def embedded_graph(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds with vectors from the deterministic hashing embedder (no model, no torch)."""
    fake = pytest.importorskip("fake_embedder")
    index = tmp_path_factory.mktemp("views-embedded-index")
    return kg.load(seeds_dir, index=index, embed=True, embedder=fake.FakeEmbedder())


@pytest.fixture
def app(graph: kg.KnowledgeGraph, tmp_path: Path) -> KgApp:
    return KgApp(graph=graph, export_dir=tmp_path / "export")


def screen_text(app: KgApp) -> list[str]:
    """The terminal as the person sees it, one string per row."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text().splitlines()


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_note(pilot, title: str = HIDDEN) -> MainScreen:
    await settle(pilot)
    screen = pilot.app.main_screen
    screen.open_note(title)
    await settle(pilot)
    return screen


# ---------------------------------------------------------------- 4: near list rows


@pytest.mark.asyncio
async def test_near_rows_keep_their_score_line_while_focused(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("n")
        await settle(pilot)
        options = app.query_one(NearList).options
        assert app.focused is options
        region = options.content_region
        rows = [
            line[region.x : region.right] for line in screen_text(app)[region.y : region.bottom]
        ]
        # Each hit is its title on one line, then its score and linked-or-not line.
        scores = [row for row in rows[1::2] if row.strip()]
        assert len(scores) >= 4
        assert all("linked" in row and "0." in row for row in scores), rows
        assert not any("linked" in row for row in rows[0::2]), rows


# ---------------------------------------------------------------- 9: details pane


@pytest.mark.asyncio
async def test_details_pane_shows_the_highlighted_neighbour_in_full(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        tree = app.query_one(NeighbourhoodTree)
        related = next(g for g in tree.groups if g.title == "Related")
        wanted = related.entries[0]
        assert tree.select_note(wanted.note.id)
        await settle(pilot)
        # The tree cuts the title to the panel; the pane below shows it all, with the
        # link kind, the annotation and where the link was read.
        pane = app.query_one(DetailsPane)
        shown = " ".join(
            line[pane.region.x : pane.region.right].strip()
            for line in screen_text(app)[pane.region.y : pane.region.bottom]
        )
        assert " ".join(wanted.note.title.split()) in " ".join(shown.split())
        assert "Related" in shown and wanted.link.file in shown


# ---------------------------------------------------------------- 6: the start screen


def footer_text(app: KgApp) -> str:
    return screen_text(app)[-1]


@pytest.mark.asyncio
async def test_start_screen_focus_matches_its_hint(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        view = app.query_one(NoteView)
        assert app.focused is view  # where the hint says, not an empty tree
        await pilot.press("right")
        first = view.current_link()
        assert first is not None
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.current.id == first
        # Tab moves between the panels and never strands the person in the search box.
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert "search" not in seen and {"note", "tree"} <= set(seen)
        await pilot.press("slash")
        assert app.focused.id == "search"
        footer = footer_text(app)
        assert "Search by meaning" in footer and "Results" in footer


# ---------------------------------------------------------------- 13: resize, Back


@pytest.mark.asyncio
async def test_resize_keeps_the_map_focused_and_its_keys(app: KgApp):
    async with app.run_test(size=(160, 48)) as pilot:
        await open_note(pilot)
        await pilot.press("m")
        assert app.focused.id == "map-panel"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "map-tab"
        assert "Walk there" in footer_text(app)


@pytest.mark.asyncio
async def test_back_returns_to_the_same_scroll_and_row(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        view = app.query_one(NoteView)
        view.scroll_to(y=6, animate=False)
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        for _ in range(5):
            await pilot.press("down")
        await settle(pilot)
        line, target = tree.cursor_line, tree.highlighted_note()
        assert target is not None and view.scroll_y == 6
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current.id == target
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.current.title == HIDDEN
        assert tree.cursor_line == line and view.scroll_y == 6
        assert app.focused is tree
