"""Helpers the browser's Pilot tests share: wait for work to settle, open a note, read the
screen as a person sees it."""

from __future__ import annotations

import io

from kg_tui.app import KgApp
from kg_tui.screens.main import MainScreen
from rich.console import Console

HIDDEN = "Do base models already contain hidden reasoning ability?"
SMALL = (80, 24)


async def settle(pilot) -> None:
    """Wait until the app's workers are done and the screen has caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_note(pilot, title: str = HIDDEN) -> MainScreen:
    """Open `title` on the main screen, as a search hit or a link would, and settle."""
    await settle(pilot)
    screen = pilot.app.main_screen
    screen.open_note(title)
    await settle(pilot)
    return screen


def screen_text(app: KgApp) -> list[str]:
    """The terminal as the person sees it, one string per row, without colour."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text().splitlines()


def region_text(app: KgApp, widget) -> str:
    """What `widget` shows on screen, its lines joined with spaces (wrapped text read back)."""
    region = widget.region
    lines = screen_text(app)[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right].split()) for line in lines)


def notices(app: KgApp) -> str:
    """The notifications on screen, joined by ` | `."""
    return " | ".join(str(n.message) for n in app._notifications)


def lint_rows(graph) -> int:
    """The rows the browser's corpus check (L) lists: each weakly supported claim, and one
    per note that lists no sources (whose claims cannot be traced)."""
    found = graph.unsupported_claims()
    weak = [u for u in found if u.reason == "weak"]
    return len(weak) + len({u.note.id for u in found if u.reason == "no sources"})
