"""Snapshots of the browser's main screens at 80×24 and 160×48 (pytest-textual-snapshot).

Regenerate after a deliberate change of the screens with
`pytest tests/test_tui_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from textual.pilot import Pilot
from textual.widgets import OptionList

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def make_app(graph: kg.KnowledgeGraph, tmp_path: Path) -> KgApp:
    return KgApp(graph=graph, export_dir=tmp_path)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_hidden(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.main_screen.open_note(HIDDEN)  # type: ignore[attr-defined]
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_overview(snap_compare, graph, tmp_path, size):
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_note(snap_compare, graph, tmp_path, size):
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=open_hidden)


@pytest.mark.parametrize("size", SIZES)
def test_search_dropdown(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"hidden reas")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_map(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await open_hidden(pilot)
        await pilot.press("m", "right", "right")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_near(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await open_hidden(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_trace(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await open_hidden(pilot)
        await pilot.press("t")
        await settle(pilot)
        options = pilot.app.screen.query_one("#trace-claims", OptionList)
        options.highlighted = next(
            i
            for i in range(options.option_count)
            if "Can simple rewards alone"
            in " ".join(str(options.get_option_at_index(i).prompt).split())
        )
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_path(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await open_hidden(pilot)
        pilot.app.main_screen.open_note(  # type: ignore[attr-defined]
            "What emergent behaviors do models develop when trained on underspecified "
            "pedagogical tasks?"
        )
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, graph, tmp_path, size):
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, press=["question_mark"])


def test_filter(snap_compare, graph, tmp_path):
    async def run_before(pilot: Pilot) -> None:
        await open_hidden(pilot)
        await pilot.press("f")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=(80, 24), run_before=run_before)
