"""The browser's dialogs and keys as a new user meets them, driven through Textual's Pilot.

One test (or a few) per behaviour: search says when
nothing matches and fits 80 columns; export writes what is shown, in a chosen format,
asks before replacing, with ordinary permissions; the filter dialog fits 80×24; the path
dialog keeps the focus on swap; F1, `?`, dialog footers, the help's signs; stray typing;
quitting while work runs. Then the missing pieces: the command palette, keymap and theme
from kg.yaml, Backspace and Esc as Back, edit, copy, re-index, and following edits.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.confirm import ConfirmScreen
from kg_tui.screens.export import ExportScreen
from kg_tui.screens.filter import FilterScreen
from kg_tui.screens.main import MainScreen
from kg_tui.widgets.search import SearchPanel, SearchResults
from kg_tui.widgets.ticks import TickList
from textual.widgets import Button, Input, Select
from tui_support import open_note, screen_text, settle

import kg
from kg.model import LinkKind

HIDDEN = "Do base models already contain hidden reasoning ability?"
NOTES = Path(__file__).resolve().parent.parent / "notes"
VERIFIER = "Can a verifier be trusted more than the generator it checks?"
SMALL = (80, 24)


# ---------------------------------------------------------------- 1. search says nothing matched


@pytest.mark.asyncio
async def test_nonsense_search_says_no_note_matches(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"xqzvw", "enter")
        await settle(pilot)
        panel = app.query_one(SearchPanel)
        assert "No note matches “xqzvw”" in panel.header
        results = app.query_one(SearchResults)
        assert all(results.get_option_at_index(i).id is None for i in range(results.option_count))


@pytest.mark.asyncio
async def test_the_browser_lists_what_the_api_finds_and_nothing_unmatched(
    embedded_graph, tmp_path: Path
):
    """kg itself leaves out a note found only by a meaning under its floor, so every hit
    says how it matched and the browser lists exactly the API's hits, in its order."""
    query = "purple elephant dancing"
    expected = [hit.note.id for hit in embedded_graph.search(query, k=20)]
    assert all(hit.matched for hit in embedded_graph.search(query, k=20))
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *query, "enter")
        await settle(pilot)
        results = app.query_one(SearchResults)
        shown = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert [i for i in shown if i] == expected


@pytest.mark.asyncio
async def test_search_hits_show_their_strength_and_how_they_matched(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"hidden reasoning base models", "enter")
        await settle(pilot)
        panel = app.query_one(SearchPanel)
        assert "score 0–1, how it matched" in panel.header
        results = app.query_one(SearchResults)
        prompts = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        # Each row shows the score and kind `kg search` gives the same hit.
        hits = embedded_graph.search("hidden reasoning base models", k=20)
        assert len(prompts) == len(hits) > 1
        for prompt, hit in zip(prompts, hits, strict=True):
            assert f"{hit.score:.2f} {hit.match_kind}" in prompt.splitlines()[1]
        assert hits[0].match_kind == "title" and hits[-1].score < hits[0].score


# ---------------------------------------------------------------- 2. the drop-down at 80 columns


@pytest.mark.asyncio
async def test_search_drop_down_fits_80_columns(app: KgApp):
    long_query = "reasoning " * 12
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *long_query.strip(), "enter")
        await settle(pilot)
        panel = app.query_one(SearchPanel)
        assert panel.region.right <= 80 and panel.region.x >= 0
        header = app.query_one("#results-header")
        assert header.region.height == 1 and header.region.y == panel.region.y + 1
        assert app.query_one("#topbar").region.height == 1  # the query never wraps
        lines = screen_text(app)
        top = panel.region.y
        assert lines[top][panel.region.x] == "╭" and lines[top][panel.region.right - 1] == "╮"
        results = app.query_one(SearchResults)
        assert results.option_count > 1
        for i in range(results.option_count):  # title line + strength line, never a third
            prompt = str(results.get_option_at_index(i).prompt)
            assert len(prompt.splitlines()) <= 2
            assert all(len(line) <= panel.region.width - 4 for line in prompt.splitlines())
        # The header stays while the list scrolls.
        results.focus()
        await pilot.press("end")
        await pilot.pause()
        assert "match" in app.query_one(SearchPanel).header
        assert header.region.y == panel.region.y + 1


# ---------------------------------------------------------------- 3. export


async def export_through_dialog(pilot, name: str | None = None, fmt: str | None = None) -> None:
    await pilot.press("x")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportScreen)
    if fmt is not None:
        dialog.query_one("#export-format", Select).value = fmt
        await pilot.pause()
    if name is not None:
        dialog.query_one("#export-file", Input).value = name
        await pilot.pause()
    await pilot.press("ctrl+s")
    await settle(pilot)


@pytest.mark.asyncio
async def test_export_writes_what_is_shown_with_the_filter(app: KgApp):
    import networkx as nx

    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        from kg_tui.walk import Filter

        screen.filter = Filter(kinds=frozenset({LinkKind.RELATED}))
        screen.show_current()
        await settle(pilot)
        shown = {e.note.id for g in screen.groups for e in g.entries} | {screen.current.id}
        await export_through_dialog(pilot)
        assert not screen.last_export.error, screen.last_export.error
        written = nx.read_graphml(screen.last_export.path)
        assert set(written.nodes) == shown
        kinds = {data.get("kind") for _, _, data in written.edges(data=True)}
        assert kinds == {"related"}
        # Only the links the panel shows: each joins the open note to a neighbour.
        centre = screen.current.id
        assert all(centre in (a, b) for a, b in written.edges())
        assert {b if a == centre else a for a, b in written.edges()} == shown - {centre}


@pytest.mark.asyncio
async def test_export_asks_before_replacing_a_file(app: KgApp, tmp_path: Path):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        target = tmp_path / "mine.graphml"
        target.write_text("keep me", encoding="utf-8")
        await export_through_dialog(pilot, name=str(target))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert target.read_text(encoding="utf-8") == "keep me"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")  # replace
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "<graphml" in target.read_text(encoding="utf-8")
        assert screen.last_export.path == str(target)


@pytest.mark.asyncio
async def test_export_in_a_chosen_format_with_normal_permissions(app: KgApp, tmp_path: Path):
    old = os.umask(0o022)
    try:
        async with app.run_test(size=SMALL) as pilot:
            screen = await open_note(pilot)
            await export_through_dialog(pilot, fmt="turtle")
            written = Path(screen.last_export.path)
            assert written.suffix == ".ttl"
            assert "@prefix" in written.read_text(encoding="utf-8")
            assert written.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


@pytest.mark.asyncio
async def test_export_offers_every_registered_format(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("x")
        await pilot.pause()
        select = app.screen.query_one("#export-format", Select)
        names = [value for _, value in select._options]
        assert names == [f.name for f in kg.SubGraph.formats()]
        labels = " ".join(str(label) for label, _ in select._options)
        for shown in ("GraphML", "Turtle", "JSON-LD", "N-Triples", "JSON"):
            assert shown in labels


@pytest.mark.asyncio
async def test_export_search_results_and_a_path(app: KgApp, tmp_path: Path):
    import networkx as nx

    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        await pilot.press("slash", *"hidden reasoning", "enter")
        await settle(pilot)
        await pilot.press("escape")
        hits = app.query_one(SearchPanel).last_hits
        assert hits and hits[1]
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#export-what", Select).value = "search"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        written = nx.read_graphml(screen.last_export.path)
        assert set(written.nodes) == set(hits[1])
        # A path found in the path dialog can be exported as well.
        app.last_path = (screen.current.id, hits[1][-1])
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#export-what", Select).value = "path"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Path(screen.last_export.path).name.startswith("path")


# ---------------------------------------------------------------- 5. the filter dialog at 80×24


@pytest.mark.asyncio
async def test_filter_dialog_shows_its_buttons_at_80x24(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        for name in ("apply", "clear", "cancel"):
            button = app.screen.query_one(f"#{name}", Button)
            region = button.region
            assert region.height >= 1 and region.bottom <= 24 and region.right <= 80, name
        lines = screen_text(app)
        assert any("Apply" in line for line in lines)


@pytest.mark.asyncio
async def test_ticked_and_unticked_boxes_read_differently(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("f")
        await pilot.pause()
        kinds = app.screen.query_one("#filter-kinds", TickList)
        first = kinds.render_line(0).text
        assert "✓" in first
        await pilot.press("space")  # untick the first kind
        await pilot.pause()
        assert "✓" not in kinds.render_line(0).text
        assert "✓" in kinds.render_line(1).text


@pytest.mark.asyncio
async def test_status_line_keeps_the_category_name_whole(app: KgApp, graph):
    from kg_tui.walk import Filter

    category = max({c for n in graph.notes(stubs=False) for c in n.categories}, key=len)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        screen.filter = Filter(
            kinds=frozenset(list(LinkKind)[:6]), categories=frozenset({category})
        )
        screen.show_current()
        await settle(pilot)
        region = app.query_one("#links-status").region
        rows = screen_text(app)[region.y : region.bottom]
        shown = " ".join(row[region.x : region.right].strip() for row in rows)
        assert " ".join(category.split()) in " ".join(shown.split())
