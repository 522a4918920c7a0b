"""Snapshots at 80×24 and 160×48 of the screens and dialogs issue 15 changed: the search
drop-down (no match, hits, a long query), the filter, export, confirm, path and help
dialogs (pytest-textual-snapshot).

Regenerate after a deliberate change with
`pytest tests/test_tui_snapshots_dialogs.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from textual.pilot import Pilot
from textual.widgets import Input

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def make_app(graph: kg.KnowledgeGraph) -> KgApp:
    return KgApp(graph=graph, export_dir=Path("exports"))  # a relative name: the same each run


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_hidden(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.main_screen.open_note(HIDDEN)  # type: ignore[attr-defined]
    await settle(pilot)


def keys(*pressed: str, note: bool = True):
    async def run_before(pilot: Pilot) -> None:
        if note:
            await open_hidden(pilot)
        else:
            await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)
        steady_cursors(pilot)
        await pilot.pause()

    return run_before


def steady_cursors(pilot: Pilot) -> None:
    """Text boxes stop blinking, their cursor shown: a snapshot taken on the blink's off
    beat would otherwise differ from one taken on its on beat."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


@pytest.mark.parametrize("size", SIZES)
def test_search_no_match(snap_compare, graph, size):
    run = keys("slash", *"xqzvw", "enter", note=False)
    assert snap_compare(make_app(graph), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_search_hits_long_query(snap_compare, graph, size):
    query = "why do models reason about hidden verifier rewards when sampling many answers"
    run = keys("slash", *query, "enter", note=False)
    assert snap_compare(make_app(graph), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_filter_dialog(snap_compare, graph, size):
    run = keys("f", "space", "down")  # the first kind unticked, the second highlighted
    assert snap_compare(make_app(graph), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, graph, size):
    assert snap_compare(make_app(graph), terminal_size=size, run_before=keys("x"))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_replace(snap_compare, graph, size, tmp_path, monkeypatch):
    # The app exports into the relative folder `exports`, so from inside tmp_path the file
    # is named the same short way on every machine: nothing in the frame depends on how
    # long the temporary folder's path is.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "exists.graphml").write_text("old", encoding="utf-8")

    async def run_before(pilot: Pilot) -> None:
        await open_hidden(pilot)
        await pilot.press("x")
        await pilot.pause()
        pilot.app.screen.query_one("#export-file", Input).value = "exists.graphml"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(make_app(graph), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_path_dialog_after_swap(snap_compare, graph, size):
    assert snap_compare(make_app(graph), terminal_size=size, run_before=keys("p", "ctrl+r"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, graph, size):
    assert snap_compare(make_app(graph), terminal_size=size, run_before=keys("f1", note=False))


# The command palette is left out: its frame varies from run to run (Textual draws its
# results as they stream in), so it is checked by a Pilot test instead
# (tests/test_tui_dialogs_and_keys.py::test_walking_keys_are_in_the_command_palette).
