"""Snapshots of the screens issue 15 reworked, at 80×24 and 160×48 (pytest-textual-snapshot):
the details pane, the near list, the concept map, the reading view of a hub and a paper,
the trace view (evidence detail, used by), the path dialog's step details, the find bar,
a widened panel, and the one-panel layout below 80 columns.

Regenerate after a deliberate change with
`pytest tests/test_tui_snapshots_views.py --snapshot-update`, then look at each SVG.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from textual.pilot import Pilot
from textual.widgets import OptionList

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
LINE = "What emergent behaviors do models develop when trained on underspecified pedagogical tasks?"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def make_app(graph: kg.KnowledgeGraph, tmp_path: Path) -> KgApp:
    return KgApp(graph=graph, export_dir=tmp_path)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_note(pilot: Pilot, title: str = HIDDEN) -> None:
    await settle(pilot)
    pilot.app.main_screen.open_note(title)  # type: ignore[attr-defined]
    await settle(pilot)


def keys_after_opening(*keys: str, title: str = HIDDEN):
    async def run_before(pilot: Pilot) -> None:
        await open_note(pilot, title)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare, graph, tmp_path, size):
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_links_with_details(snap_compare, graph, tmp_path, size):
    run_before = keys_after_opening("l", "down", "down", "down", "down", "down")
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_near_focused(snap_compare, embedded_graph, tmp_path, size):
    run_before = keys_after_opening("n", "down", "down")
    app = make_app(embedded_graph, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_map_picked_node(snap_compare, graph, tmp_path, size):
    run_before = keys_after_opening("m", "right", "right")
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_stub_figures(snap_compare, graph, tmp_path, size):
    stub = min(
        (n.note for n in graph.neighbours(graph.note(HIDDEN)) if n.note.stub),
        key=lambda note: (len(graph.neighbours(note)), note.title),
    )
    run_before = keys_after_opening(title=stub.id)
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_hub_reading_view(snap_compare, notes_graph, tmp_path, size):
    hub = next(n for n in notes_graph.notes(stubs=False) if n.kind.value == "hub")
    run_before = keys_after_opening("r", "pagedown", title=hub.id)
    assert snap_compare(make_app(notes_graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_paper_reading_view(snap_compare, notes_graph, tmp_path, size):
    paper = sorted(
        (n for n in notes_graph.notes(stubs=False) if n.kind.value == "paper" and n.arxiv),
        key=lambda n: n.title,
    )[0]
    run_before = keys_after_opening(title=paper.id)
    assert snap_compare(make_app(notes_graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_trace_evidence_detail(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await open_note(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter", "down")
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_trace_used_by_and_weak(snap_compare, graph, tmp_path, size):
    run_before = keys_after_opening("t", "a", "u")
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_path_step_details(snap_compare, graph, tmp_path, size):
    async def run_before(pilot: Pilot) -> None:
        await open_note(pilot)
        await open_note(pilot, LINE)
        await pilot.press("p")
        await settle(pilot)
        steps = pilot.app.screen.query_one("#path-steps", OptionList)
        steps.highlighted = 2
        await settle(pilot)

    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_find_in_note(snap_compare, graph, tmp_path, size):
    run_before = keys_after_opening("r", "ctrl+f", *"latent", "enter")
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_filter_links(snap_compare, graph, tmp_path, size):
    run_before = keys_after_opening("l", "ctrl+f", *"reinforcement")
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_widened_panel(snap_compare, graph, tmp_path, size):
    run_before = keys_after_opening("l", "w")
    assert snap_compare(make_app(graph, tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("keys", [pytest.param((), id="note"), pytest.param(("l",), id="side")])
def test_below_80_columns(snap_compare, graph, tmp_path, keys):
    run_before = keys_after_opening(*keys)
    assert snap_compare(make_app(graph, tmp_path), terminal_size=(40, 15), run_before=run_before)
