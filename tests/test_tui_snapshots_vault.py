"""Snapshots of a vault's notes at 60×20, 80×24 and 120×40 (pytest-textual-snapshot), on
the project's own vault (tests/data/obsidian_vault): the guide to embeds rendered from its
Markdown (headings, a code block, a callout with its title, embeds, numbered steps), and
a note whose title another folder's note shares (the folder in the header, breadcrumb and
link rows), and the search rows of the two.

Regenerate after a deliberate change with
`pytest tests/test_tui_snapshots_vault.py --snapshot-update`, then look at each SVG.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.widgets.note_view import NoteView
from textual.pilot import Pilot

import kg

VAULT = Path(__file__).parent / "data" / "obsidian_vault"
SIZES = [
    pytest.param((60, 20), id="60x20"),
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40"),
]


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(VAULT, index=tmp_path_factory.mktemp("vault-index"), embed=False)


def make_app(graph: kg.KnowledgeGraph) -> KgApp:
    return KgApp(graph=graph, export_dir=Path("exports"))  # a relative name: the same each run


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def opening(graph: kg.KnowledgeGraph, query: str, *keys: str, scroll_to: str = ""):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.main_screen.open_note(graph.note(query).id)  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        if scroll_to:  # the reading view scrolled so that block is at the top
            view = pilot.app.main_screen.query_one(NoteView)  # type: ignore[attr-defined]
            block = next(b for b in view._blocks if b.text == scroll_to)
            assert block.widget is not None
            view.scroll_to_widget(block.widget, animate=False, top=True)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_vault_note_rendered(snap_compare, vault, size):
    """The guide from its first heading: the code block, the callout and its title, the
    embed placeholders."""
    run = opening(vault, "Embedding notes and files", "r", scroll_to="Embed a note in another note")
    assert snap_compare(make_app(vault), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_vault_note_steps_and_table(snap_compare, vault, size):
    """The guide further down: the picture's placeholder, numbered steps one a line, the
    bold items without their asterisks, the table."""
    run = opening(vault, "Embedding notes and files", "r", scroll_to="Embed an image")
    assert snap_compare(make_app(vault), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_same_named_notes(snap_compare, vault, size):
    """The Sync note: its folder in the header and the breadcrumb, and the Publish note of
    the same name told apart in the link rows."""
    run = opening(vault, "Sync/Privacy and storage.md", "l")
    assert snap_compare(make_app(vault), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_same_named_search_rows(snap_compare, vault, size):
    """Typing a shared title lists both notes, each with its folder, as "note"."""

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"privacy")
        await settle(pilot)

    assert snap_compare(make_app(vault), terminal_size=size, run_before=run_before)
