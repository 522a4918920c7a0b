"""A new user's first minutes in the browser on notes/ (`make run`), each defect they met
driven through Pilot: every test here failed before its fix, and asserts what the person
reads on the screen, or what a key does, never a widget's internals alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from textual.widgets import Static
from tui_support import open_note, settle

VERIFIER = "Can a verifier be trusted more than the generator it checks?"
SMALL = (80, 24)


@pytest.fixture
def app(notes_graph, tmp_path: Path) -> KgApp:
    return KgApp(graph=notes_graph, export_dir=tmp_path / "export")


def status_of(app: KgApp) -> str:
    return " ".join(str(app.query_one("#links-status", Static).render()).split())


# ---------------------------------------------------------------- depth-2 figures


@pytest.mark.asyncio
async def test_depth_two_figure_counts_notes_as_the_note_figures_do(app: KgApp, notes_graph):
    """The Links header at depth 2 said "41 more notes at depth 2" beside the note's "19
    notes linked directly · 54 within two links": 19 + 41 is not 54, for the 41 counted
    the categories and tags the rows list as notes. Now the notes add up, and the
    categories and tags are named as such."""
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot, VERIFIER)
        await pilot.press("d")
        await settle(pilot)
        stats = notes_graph.stats(screen.current)
        status = status_of(app)
        more = stats.two_hop - stats.direct
        assert f"{more} more notes at depth 2" in status, status
        assert "categor" in status and "tag" in status, status
