"""Snapshots at 60×20, 80×24 and 120×40 of what must be whole at every size: the trace
with its scores, the Near list, and the export and filter dialogs (pytest-textual-snapshot).

Regenerate after a deliberate change with
`pytest tests/test_tui_snapshots_sizes.py --snapshot-update`, then look at each SVG.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from textual.pilot import Pilot

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
SIZES = [pytest.param(s, id=f"{s[0]}x{s[1]}") for s in ((60, 20), (80, 24), (120, 40))]


def make_app(graph: kg.KnowledgeGraph) -> KgApp:
    return KgApp(graph=graph, export_dir=Path("exports"))  # a relative name: the same each run


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def keys_after_opening(*keys: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.main_screen.open_note(HIDDEN)  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_trace_scores(snap_compare, graph, size):
    # The evidence tree focused: each row ends with its rank and score, the title cut.
    run = keys_after_opening("t", "tab")
    assert snap_compare(make_app(graph), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_near_list(snap_compare, embedded_graph, size):
    run = keys_after_opening("n")
    assert snap_compare(make_app(embedded_graph), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, graph, size):
    assert snap_compare(make_app(graph), terminal_size=size, run_before=keys_after_opening("x"))


@pytest.mark.parametrize("size", SIZES)
def test_filter_dialog(snap_compare, graph, size):
    assert snap_compare(make_app(graph), terminal_size=size, run_before=keys_after_opening("f"))
