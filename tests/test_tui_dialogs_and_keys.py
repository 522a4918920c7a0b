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
import shutil
import threading
from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.confirm import ConfirmScreen
from kg_tui.screens.export import ExportScreen
from kg_tui.screens.filter import FilterScreen
from kg_tui.screens.help import HelpScreen
from kg_tui.screens.main import MainScreen
from kg_tui.screens.path import PathScreen
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchPanel, SearchResults
from kg_tui.widgets.ticks import TickList
from textual.command import CommandPalette
from textual.widgets import Button, Footer, Input, Select

import kg
from kg.model import LinkKind

HIDDEN = "Do base models already contain hidden reasoning ability?"
NOTES = Path(__file__).resolve().parent.parent / "notes"
VERIFIER = "Can a verifier be trusted more than the generator it checks?"
SMALL = (80, 24)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_note(pilot, title: str = HIDDEN) -> MainScreen:
    await settle(pilot)
    screen = pilot.app.main_screen
    screen.open_note(title)
    await settle(pilot)
    return screen


def screen_text(app: KgApp) -> list[str]:
    """The screen as plain text lines (what a person sees, without colour)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text().splitlines()


def notices(app: KgApp) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


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


# ---------------------------------------------------------------- 12. path swap keeps the focus


@pytest.mark.asyncio
async def test_path_swap_keeps_the_focus_in_the_box(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PathScreen)
        box = app.focused
        assert isinstance(box, Input)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.focused is box
        await pilot.press("a")
        assert box.value.endswith("a")


# ---------------------------------------------------------------- 14. keys, help and footers


@pytest.mark.asyncio
async def test_f1_opens_help_and_question_mark_types_in_inputs(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("slash", *"why?")
        await pilot.pause()
        assert app.query_one("#search", Input).value == "why?"
        assert isinstance(app.screen, MainScreen)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@pytest.mark.asyncio
async def test_dialogs_show_their_own_keys_in_their_footer(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        for key, kind, expected in (
            ("f", FilterScreen, "Apply"),
            ("p", PathScreen, "Swap ends"),
            ("x", ExportScreen, "Export"),
            ("f1", HelpScreen, "Close"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, kind)
            footer = app.screen.query_one(Footer)
            bottom = screen_text(app)[-1]
            assert footer.region.y == 23 and expected in bottom, (kind, bottom)
            assert "Trace" not in bottom  # not the main screen's keys
            await pilot.press("escape")
            await pilot.pause()


@pytest.mark.asyncio
async def test_walking_keys_are_in_the_command_palette(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        from kg_tui.commands import KeyCommands

        provider = KeyCommands(app.main_screen)
        helps = [keys for _, keys, _ in provider._commands()]
        for key in "fdlnmzrg":
            assert any(h.startswith(f"key: {key} · id main.") for h in helps), key
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"depth")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.depth == 2


@pytest.mark.asyncio
async def test_help_explains_the_signs_in_aligned_columns(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        keys = list(app.screen.query(".help-key"))
        what = " ".join(str(w.render()) for w in app.screen.query(".help-what"))
        for sign in ("×2", "#3", "● ○"):
            assert any(str(k.render()) == sign for k in keys), sign
        assert "stub" in what and "not linked" in what
        columns = {w.region.x for w in app.screen.query(".help-what") if w.region.width}
        assert len(columns) == 1  # every description starts in the same column


# ---------------------------------------------------------------- 15. stray typing, q, x


@pytest.mark.asyncio
async def test_typing_a_title_without_slash_fires_nothing(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        here = screen.current.id
        app.query_one(NoteView).focus()  # the reading view: no typing means anything there
        await pilot.press(*"kindly explain path tracing")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no path, trace or export dialog
        assert screen.current.id == here and screen.depth == 1
        assert "press / to search" in notices(app)


@pytest.mark.asyncio
async def test_q_asks_before_quitting_while_an_export_runs(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        release = threading.Event()
        app.run_worker(release.wait, group="export", thread=True)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "export" in str(app.screen.detail)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, MainScreen)
        release.set()
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running or app._exit_renderables is not None or app.return_code == 0


# ---------------------------------------------------------------- missing pieces


@pytest.mark.asyncio
async def test_backspace_and_escape_go_back(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        first = screen.current.id
        screen.open_note(VERIFIER if graph.find(VERIFIER) else screen.groups[0].entries[0].note.id)
        await settle(pilot)
        second = screen.current.id
        assert second != first
        app.query_one(NeighbourhoodTree).focus()
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.current.id == first
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.current.id == second
        await pilot.press("escape")
        await settle(pilot)
        assert screen.current.id == first


def copy_notes(tmp_path: Path, config: str = "") -> Path:
    corpus = tmp_path / "notes"
    shutil.copytree(NOTES, corpus, ignore=shutil.ignore_patterns(".kg"))
    if config:
        (corpus / "kg.yaml").write_text(config, encoding="utf-8")
    return corpus


async def wait_loaded(pilot) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if pilot.app.graph is not None and pilot.app.main_screen.graph is not None:
            break
    await settle(pilot)


@pytest.mark.asyncio
async def test_keymap_and_theme_from_kg_yaml(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KG_NO_WATCH", "1")
    corpus = copy_notes(tmp_path, "theme: light\nkeymap:\n  main.back: h\n")
    app = KgApp(corpus, index=tmp_path / "index", start=VERIFIER, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        screen = app.main_screen
        assert app.theme == "textual-light"
        start = screen.current.id
        neighbour = screen.groups[0].entries[0].note.id
        screen.open_note(neighbour)
        await settle(pilot)
        app.query_one(NeighbourhoodTree).focus()
        await pilot.press("h")
        await settle(pilot)
        assert screen.current.id == start
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-dark"


@pytest.mark.asyncio
async def test_copy_title_id_and_path(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KG_NO_WATCH", "1")
    corpus = copy_notes(tmp_path)
    app = KgApp(corpus, index=tmp_path / "index", start=VERIFIER, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        note = app.main_screen.current
        app.query_one(NeighbourhoodTree).focus()
        await pilot.press("y")
        assert app.clipboard == note.title
        await pilot.press("Y")
        assert app.clipboard == note.id
        await pilot.press("ctrl+y")
        assert app.clipboard == str(corpus.resolve() / note.files[0])
        assert "Copied the path" in notices(app)


@pytest.mark.asyncio
async def test_edit_names_the_file_and_line_when_it_cannot_suspend(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KG_NO_WATCH", "1")
    corpus = copy_notes(tmp_path)
    app = KgApp(corpus, index=tmp_path / "index", start=VERIFIER, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:  # the headless driver cannot suspend
        await wait_loaded(pilot)
        note = app.main_screen.current
        app.query_one(NeighbourhoodTree).focus()
        await pilot.press("e")
        await pilot.pause()
        assert f"{corpus.resolve() / note.files[0]}:{note.body[0].line}" in notices(app)


async def wait_for(pilot, condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


@pytest.mark.asyncio
async def test_reindex_key_loads_the_corpus_again(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KG_NO_WATCH", "1")
    corpus = copy_notes(tmp_path)
    app = KgApp(corpus, index=tmp_path / "index", start=VERIFIER, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        app.query_one(NeighbourhoodTree).focus()
        await pilot.press("f5")
        assert await wait_for(pilot, lambda: app.reloads == 1)
        assert app.main_screen.current.title == VERIFIER


def note_text(app: KgApp) -> str:
    return " ".join(str(w.render()) for w in app.query_one(NoteView).query("NoteText"))


@pytest.mark.asyncio
async def test_a_saved_edit_shows_in_the_open_browser_keeping_the_place(tmp_path: Path):
    corpus = copy_notes(tmp_path)
    app = KgApp(corpus, index=tmp_path / "index", start=VERIFIER, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        screen = app.main_screen
        note = screen.current
        view = app.query_one(NoteView)
        view.scroll_to(y=3, animate=False)
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        tree.cursor_line = 2
        await pilot.pause()
        path = corpus / note.files[0]
        text = path.read_text(encoding="utf-8")
        assert note.description and note.description in text
        path.write_text(
            text.replace(note.description, "An edited description, saved just now."),
            encoding="utf-8",
        )
        assert await wait_for(pilot, lambda: "saved just now" in note_text(app), 10)
        await pilot.pause()
        assert screen.current.id == note.id
        assert view.scroll_y == 3 and tree.cursor_line == 2
        assert app.focused is tree
        # A deleted note says so instead of crashing.
        path.unlink()
        assert await wait_for(pilot, lambda: "was deleted" in note_text(app), 10)
        assert isinstance(app.screen, MainScreen)
