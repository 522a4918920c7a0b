"""The browser's keys as a new user meets them, driven through Textual's Pilot: the path
dialog keeps the focus on swap; F1, `?`, dialog footers, the help's signs; stray typing;
quitting while work runs; the command palette, keymap and theme from kg.yaml, Backspace
and Esc as Back, edit, copy, re-index, and following edits.
"""

from __future__ import annotations

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
from textual.command import CommandPalette
from textual.widgets import Footer, Input
from tui_support import notices, open_note, screen_text, settle

HIDDEN = "Do base models already contain hidden reasoning ability?"
NOTES = Path(__file__).resolve().parent.parent / "notes"
VERIFIER = "Can a verifier be trusted more than the generator it checks?"
SMALL = (80, 24)


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
