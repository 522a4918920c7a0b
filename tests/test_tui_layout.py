"""The main screen's layout as a person meets it, driven through Pilot at 60×20, 80×24 and
120×40: the note's width beside the side panel and `w` on the note, a footer that shows
only whole keys, the filter dialog's rows whole at 60 columns, the folder of same-named
notes in the concept map and the details pane, ↓ and ↑ between the search box and the
titles listed as you type, and the hanging indent of a wrapped list item.

Each test asserts what is on the terminal (its text, a widget's region) or where the
focus is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.filter import FilterScreen
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.footer import FittingFooter
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput, SearchResults
from test_tui_views import HIDDEN, open_note, region_text, screen_text, settle
from textual.widgets._footer import FooterKey

import kg

NARROW, SMALL, LARGE = (60, 20), (80, 24), (120, 40)
SIZES = [pytest.param(s, id=f"{s[0]}x{s[1]}") for s in (NARROW, SMALL, LARGE)]
VAULT = Path(__file__).parent / "data" / "obsidian_vault"
SYNC, PUBLISH = "Sync/Privacy and storage.md", "Publish/Privacy and storage.md"


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(VAULT, index=tmp_path_factory.mktemp("vault-index"), embed=False)


def footer_keys(app: KgApp) -> list[str]:
    return app.screen.query_one(FittingFooter).shown_keys


async def footer_is_whole(pilot) -> None:
    """Every key of the footer ends before the palette's key starts: none is covered."""
    await pilot.pause()
    app = pilot.app
    footer = app.screen.query_one(FittingFooter)
    keys = [k for k in footer.query(FooterKey) if not k.has_class("-command-palette")]
    palettes = footer.query(".-command-palette")  # none on a dialog
    end = palettes.first().region.x if palettes else footer.region.right
    for key in keys:
        assert key.region.width, key.key_display
        assert key.region.right <= end, (key.key_display, key.region, end)
    line = screen_text(app)[-1]
    assert not palettes or line.rstrip().endswith("^p palette"), line
    for key in keys:  # each shown whole, its key then its description
        assert f"{key.key_display} {key.description}" in line, (key.key_display, line)


# ---------------------------------------------------------------- the note's width, w


@pytest.mark.asyncio
async def test_the_note_keeps_50_columns_at_80x24_and_the_side_panel_stays_readable(app):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        view = app.query_one(NoteView)
        side = app.query_one("#side")
        assert view.content_region.width >= 50
        assert side.region.width >= 26  # a tree row keeps 20 cells or so of its title
        assert HIDDEN.split()[0] in region_text(app, view)


@pytest.mark.parametrize(
    "size", [pytest.param(SMALL, id="80x24"), pytest.param(LARGE, id="120x40")]
)
@pytest.mark.asyncio
async def test_w_on_the_note_is_named_in_the_footer_and_folds_the_side_panel(app, size):
    async with app.run_test(size=size) as pilot:
        await open_note(pilot)
        await pilot.press("r")
        view = app.query_one(NoteView)
        assert app.focused is view
        assert "w" in footer_keys(app) and "w Widen" in screen_text(app)[-1]
        before = view.region.width
        await pilot.press("w")
        await pilot.pause()
        assert view.region.width > before and not app.query_one("#side").region
        assert "w Side panel" in screen_text(app)[-1]  # what w does now
        await footer_is_whole(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert view.region.width == before and app.query_one("#side").region
        assert "w Widen" in screen_text(app)[-1]


@pytest.mark.asyncio
async def test_under_80_columns_the_footer_offers_no_widening(app):
    async with app.run_test(size=NARROW) as pilot:
        await open_note(pilot)
        await pilot.press("r")
        assert app.focused is app.query_one(NoteView)
        assert "w" not in footer_keys(app)


def test_the_help_says_what_w_does_to_the_note():
    from kg_tui.screens.help import sections

    reading = dict(sections([]))["Reading the note"]
    assert any(keys == "w" and "side panel" in what for keys, what in reading), reading


# ---------------------------------------------------------------- the footer


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.asyncio
async def test_the_footer_shows_only_whole_keys(app, size):
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await footer_is_whole(pilot)
        await open_note(pilot)
        for keys in (("r",), ("l",), ("n",), ("m",), ("slash",), ("escape", "f")):
            await pilot.press(*keys)
            await settle(pilot)
            await footer_is_whole(pilot)
            assert "F1" in footer_keys(app) or isinstance(app.screen, FilterScreen)


@pytest.mark.asyncio
async def test_the_footer_drops_keys_as_the_terminal_narrows_and_brings_them_back(app):
    async with app.run_test(size=LARGE) as pilot:
        await open_note(pilot)
        await pilot.press("r")
        wide = footer_keys(app)
        assert {"←→", "x", "F1"} <= set(wide)
        await pilot.resize_terminal(*NARROW)
        await settle(pilot)
        narrow = footer_keys(app)
        assert len(narrow) < len(wide) and "←→" in narrow and "F1" in narrow
        assert "x" not in narrow  # the last of the screen's keys went first
        await footer_is_whole(pilot)
        await pilot.resize_terminal(*LARGE)
        await settle(pilot)
        assert footer_keys(app) == wide


# ---------------------------------------------------------------- the filter dialog


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.asyncio
async def test_every_row_of_the_filter_dialog_is_whole(vault, notes_graph, tmp_path, size):
    for graph in (vault, notes_graph):
        app = KgApp(graph=graph, export_dir=tmp_path)
        # The filter acts on the open note's links (f is hidden on the overview): the
        # note with the most of them.
        busiest = max(graph.notes(stubs=False), key=lambda n: len(graph.neighbours(n)))
        async with app.run_test(size=size) as pilot:
            await open_note(pilot, busiest.id)
            app.query_one(NoteView).focus()
            await pilot.press("f")
            await settle(pilot)
            assert isinstance(app.screen, FilterScreen)
            text = "\n".join(screen_text(app))
            kinds = app.screen.query_one("#filter-kinds")
            for index in range(kinds.option_count):
                prompt = str(kinds.get_option_at_index(index).prompt)
                if index < kinds.content_region.height:
                    assert prompt in text, (prompt, text)
            assert "…" not in region_text(app, kinds)
            for button in ("#apply", "#clear", "#cancel"):
                region = app.screen.query_one(button).region
                assert region.height and app.screen.query_one("#filter").region.contains_region(
                    region
                )


# ---------------------------------------------------------------- same-named notes


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.asyncio
async def test_the_map_and_the_details_pane_name_the_folder_of_same_named_notes(
    vault, tmp_path, size
):
    app = KgApp(graph=vault, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.open_note(vault.note(SYNC).id)
        await settle(pilot)
        details = app.query_one(DetailsPane)
        await pilot.press("m")
        await settle(pilot)
        maps = [m for m in app.query(ConceptMap) if m.region]
        assert maps
        drawn = region_text(app, maps[0])
        assert "— Sync/" in drawn  # the open note in the middle
        assert "— Publish/" in drawn  # its namesake on the ring
        publish = next(n for n in maps[0].nodes if n.note_id == vault.note(PUBLISH).id)
        maps[0].focus()
        while maps[0].nodes[maps[0].selected].note_id != publish.note_id:
            await pilot.press("right")
        await pilot.pause()
        assert "Privacy and storage — Publish/" in region_text(app, details)


@pytest.mark.asyncio
async def test_a_links_row_cut_to_the_side_panel_keeps_the_folder(vault, tmp_path):
    app = KgApp(graph=vault, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:  # the side panel at its narrowest
        await settle(pilot)
        app.main_screen.open_note(vault.note("Embedding notes and files").id)
        await settle(pilot)
        tree = app.query_one("#tree")
        shown = region_text(app, tree)
        assert "— Sync/" in shown and "— Publish/" in shown, shown


# ---------------------------------------------------------------- search box and titles


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.asyncio
async def test_down_moves_from_the_box_into_the_titles_and_up_moves_back(app, size):
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"reasoning")
        await pilot.pause()
        results = app.query_one(SearchResults)
        box = app.query_one(SearchInput)
        assert app.focused is box and results.option_count >= 2
        assert results.highlighted is None  # Enter in the box searches: no row looks picked
        await pilot.press("down")
        assert app.focused is results and results.highlighted == 0
        await pilot.press("down")
        assert results.highlighted == 1
        await pilot.press("up", "up")
        await pilot.pause()
        assert app.focused is box and results.highlighted is None
        await pilot.press(*" ability")  # typing goes on at the end of the query
        assert box.value == "reasoning ability"
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot)
        picked = app.main_screen.current
        assert picked is not None and "reasoning" in picked.title.casefold()


# ---------------------------------------------------------------- hanging indent


@pytest.mark.parametrize("size", SIZES[:2])  # at 120 columns the item fits on one line
@pytest.mark.asyncio
async def test_a_wrapped_list_item_goes_on_under_its_first_word(vault, tmp_path, size):
    app = KgApp(graph=vault, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.main_screen.open_note(vault.note(SYNC).id)
        await settle(pilot)
        app.main_screen.query_one(NoteView).focus()
        await pilot.pause()
        view = app.query_one(NoteView)
        item = next(b.widget for b in view._blocks if "Copies are" in b.text)
        region = item.content_region
        lines = [
            line[region.x : region.right] for line in screen_text(app)[region.y : region.bottom]
        ]
        assert lines[0].startswith("• Copies"), lines
        wrapped = [line for line in lines if not line.startswith("• ")]
        assert wrapped, lines  # an item too long for one line at this width
        for line in wrapped:  # under the item's first word, not under its bullet
            assert line.startswith("  ") and line[2] != " ", lines
