"""The path dialog's title matching, driven through Textual's Pilot on the seed pages.

A box completes from any part of a title (titles starting with what was typed first, then
those with a word starting so, then those holding it anywhere), picked with ↓ and Enter or
a click; a title that names no note offers the closest ones, picked the same way.
"""

from __future__ import annotations

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.main import MainScreen
from kg_tui.screens.path import Matches, PathScreen, ranked_titles
from textual.widgets import Input, OptionList

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
SIZE = (80, 24)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_path_dialog(pilot) -> PathScreen:
    screen = pilot.app.main_screen
    screen.open_note(HIDDEN)
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, PathScreen)
    return dialog


def offered(dialog: PathScreen) -> list[str]:
    matches = dialog.query_one(Matches)
    if not matches.display:
        return []
    return [
        dialog.graph.note(matches.get_option_at_index(i).id).title
        for i in range(matches.option_count)
    ]


def test_titles_starting_with_the_text_come_before_word_starts_and_inner_matches():
    notes = [
        kg.Note(id=str(i), title=title, kind=kg.NoteKind.SYNTHESIS)
        for i, title in enumerate(
            [
                "Why do rewards reinforce length?",  # a word's start
                "Rewards without verifiers",  # the title's start
                "Do unrewarded steps help?",  # inside a word
            ]
        )
    ]
    ranked = [n.title for n in ranked_titles(kg.TitleIndex(notes), "reward")]
    assert ranked == [
        "Rewards without verifiers",
        "Why do rewards reinforce length?",
        "Do unrewarded steps help?",
    ]


@pytest.mark.asyncio
async def test_a_box_offers_titles_holding_the_words_anywhere(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_path_dialog(pilot)
        box = dialog.query_one("#path-to", Input)
        assert app.focused is box
        assert not dialog.query_one(Matches).display  # nothing typed yet: nothing offered
        await pilot.press(*"hidden reason")
        await pilot.pause()
        titles = offered(dialog)
        assert HIDDEN in titles, titles  # "hidden" is the title's sixth word
        words = ("hidden", "reason")
        assert all(w in kg.text.normalize_title(t) for t in titles for w in words)

        # ↓ goes into the matches, Enter picks one: the box holds its title.
        await pilot.press("down")
        assert isinstance(app.focused, Matches)
        await pilot.press("enter")
        await settle(pilot)
        assert box.value == titles[0]
        assert not dialog.query_one(Matches).display


@pytest.mark.asyncio
async def test_picking_a_match_with_the_mouse_fills_the_box_and_finds_the_path(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_path_dialog(pilot)
        source = dialog.query_one("#path-from", Input).value
        assert source == HIDDEN
        await pilot.press(*"rl teach")
        await pilot.pause()
        titles = offered(dialog)
        assert titles and titles[0] == "Does RL teach reasoning or just when to use it?"
        matches = dialog.query_one(Matches)
        await pilot.click(matches, offset=(8, 0))  # the first row
        await settle(pilot)
        assert dialog.query_one("#path-to", Input).value == titles[0]
        steps = dialog.query_one("#path-steps", OptionList)
        assert steps.option_count >= 3, "the path is found as soon as both ends are there"
        last = steps.get_option_at_index(steps.option_count - 1).id
        assert dialog.graph.note(last).title == titles[0]


@pytest.mark.asyncio
async def test_did_you_mean_titles_can_be_picked_with_keys(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_path_dialog(pilot)
        box = dialog.query_one("#path-to", Input)
        box.value = "hidden reasoning abilty base models"  # misspelt: no such title
        await pilot.press("enter")
        await settle(pilot)
        status = str(dialog.query_one("#path-status").render())
        assert "No note called" in status and "Did you mean" in status
        hints = offered(dialog)
        assert HIDDEN in hints
        await pilot.press("down")
        matches = app.focused
        assert isinstance(matches, Matches)
        matches.highlighted = hints.index(HIDDEN)
        await pilot.press("enter")
        await settle(pilot)
        assert box.value == HIDDEN
        assert "Both ends are the same note" in str(dialog.query_one("#path-status").render())
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pytest.mark.asyncio
async def test_did_you_mean_titles_can_be_picked_with_the_mouse(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_path_dialog(pilot)
        dialog.query_one("#path-to", Input).value = HIDDEN
        dialog.query_one("#path-from", Input).value = "verifer trusted generator"
        dialog.query_one("#path-from", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        hints = offered(dialog)
        assert hints, str(dialog.query_one("#path-status").render())
        await pilot.click(dialog.query_one(Matches), offset=(8, 0))
        await settle(pilot)
        assert dialog.query_one("#path-from", Input).value == hints[0]
        assert dialog.graph.find(hints[0]) is not None


@pytest.mark.asyncio
async def test_up_from_the_first_match_returns_to_the_box(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_path_dialog(pilot)
        await pilot.press(*"reasoning")
        await pilot.pause()
        assert offered(dialog)
        await pilot.press("down")
        assert isinstance(app.focused, Matches)
        await pilot.press("up")
        assert app.focused is dialog.query_one("#path-to", Input)
        await pilot.press("x")
        assert dialog.query_one("#path-to", Input).value.endswith("reasoningx")
