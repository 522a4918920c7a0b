"""The main screen's panels and dialogs at 60×20, 80×24 and 120×40, as a person drives
them with keys (Pilot): the corpus check's progress, trace scores, widening the note,
focus after search, stale panes, the side panel and map, the Near list's room and small
things (history list, key names, theme, live edits keeping their place).

Each test asserts what the person sees (the terminal's text, what is on screen, where
the focus is); each failed before its fix, but for the two guards that say so.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.live import keep_place
from kg_tui.screens.export import ExportScreen
from kg_tui.screens.filter import FilterScreen
from kg_tui.screens.help import sections
from kg_tui.screens.history import HistoryScreen
from kg_tui.screens.trace import TraceScreen
from kg_tui.walk import Filter
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.evidence import EvidenceTree
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput, SearchResults
from test_tui_views import HIDDEN, open_note, region_text, screen_text, settle
from textual.widgets import Label, OptionList
from tui_support import lint_rows

import kg
from kg.model import LinkKind

NARROW, SMALL, LARGE = (60, 20), (80, 24), (120, 40)
SIZES = [pytest.param(s, id=f"{s[0]}x{s[1]}") for s in (NARROW, SMALL, LARGE)]


async def open_trace(pilot) -> TraceScreen:
    await open_note(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TraceScreen)
    return pilot.app.screen


def title_of(trace: TraceScreen) -> str:
    return str(trace.query_one("#trace-tree-title", Label).render())


# ---------------------------------------------------------------- L: the corpus check


@pytest.fixture
def gated_check(monkeypatch):
    """Hold the corpus check (one note at a time through `unsupported_claims`) until the
    test opens the gate, so what the screen shows meanwhile can be read."""
    gate = threading.Event()
    real = kg.KnowledgeGraph.unsupported_claims

    def held(self, notes=None, threshold=None):
        if notes is not None and not isinstance(notes, str):  # the check's own calls
            gate.wait(10)
        return real(self, notes, threshold)

    monkeypatch.setattr(kg.KnowledgeGraph, "unsupported_claims", held)
    yield gate
    gate.set()


@pytest.mark.asyncio
async def test_corpus_check_shows_progress_and_clears_the_pane_at_once(
    app: KgApp, graph, gated_check
):
    async with app.run_test(size=SMALL) as pilot:
        trace = await open_trace(pilot)
        await pilot.press("u")  # a Used-by list is on show
        await settle(pilot)
        tree = trace.query_one(EvidenceTree)
        assert tree.root.children
        await pilot.press("L")
        await pilot.pause(0.3)
        # Nothing of the Used-by list is left to read as the check's result, and the
        # title counts the claims checked and the seconds.
        assert not tree.root.children
        title = title_of(trace)
        assert re.search(r"checking… (\d+ of [\d,]+ claims|counting the claims) · \d+ s", title)
        gated_check.set()
        await settle(pilot)
        assert len(tree.root.children) == lint_rows(graph)
        assert "Weak claims of the corpus · " in title_of(trace)


@pytest.mark.asyncio
async def test_corpus_check_never_replaces_the_pane_after_the_person_moved_on(
    app: KgApp, graph, gated_check
):
    async with app.run_test(size=SMALL) as pilot:
        trace = await open_trace(pilot)
        await pilot.press("L")
        await pilot.pause(0.2)
        await pilot.press("down")  # the next statement: its trace is what is wanted now
        gated_check.set()
        await settle(pilot)
        await pilot.pause(0.3)
        assert title_of(trace).startswith("Evidence · ")
        tree = trace.query_one(EvidenceTree)
        assert not any(
            tree.get_node_at_line(i).data.node.kind == "weak" for i in range(tree.last_line + 1)
        )
        assert any("corpus check is done" in n.message for n in app._notifications)
        await pilot.press("L")  # its result, kept, shows at once
        await pilot.pause()
        assert len(tree.root.children) == lint_rows(graph)


# ---------------------------------------------------------------- trace scores


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
@pytest.mark.asyncio
async def test_trace_rows_keep_their_scores_and_w_widens(app: KgApp, size):
    async with app.run_test(size=size) as pilot:
        trace = await open_trace(pilot)
        tree = trace.query_one(EvidenceTree)
        tree.focus()
        await pilot.pause()

        def shown_scores() -> tuple[int, int, list[str]]:
            region = tree.scrollable_content_region  # not the scrollbar
            lines = screen_text(app)[region.y : region.bottom]
            rows = [line[region.x : region.right].rstrip() for line in lines]
            scored = [
                tree.get_node_at_line(tree.scroll_offset.y + i)
                for i in range(len(rows))
                if tree.scroll_offset.y + i <= tree.last_line
            ]
            wanted = [
                (row, f"{node.data.node.score:.2f}")
                for row, node in zip(rows, scored, strict=False)
                if node.data.node.score is not None
                and node.data.node.kind != "claim"
                and not node.data.quote_only
            ]
            return len(wanted), sum(row.endswith(score) for row, score in wanted), rows

        wanted, ending, rows = shown_scores()
        assert wanted and ending == wanted, rows
        before = tree.region.width
        await pilot.press("w")
        await pilot.pause()
        assert tree.region.width > before
        wanted, ending, rows = shown_scores()
        assert wanted and ending == wanted, rows


@pytest.mark.asyncio
async def test_a_body_sentence_is_headed_as_a_statement_not_the_claim(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        trace = await open_trace(pilot)
        body = next(i for i, c in enumerate(trace.claims) if c.kind == "body")
        trace.query_one("#trace-claims", OptionList).highlighted = body
        await settle(pilot)
        tree = trace.query_one(EvidenceTree)
        tree.focus()
        tree.cursor_line = 1
        await pilot.pause()
        tree.cursor_line = 0  # the root: the sentence traced
        await pilot.pause()
        text = str(trace.query_one("#trace-quote").render())
        assert text.startswith(f"STATEMENT · {trace.claims[body].where}"), text
        assert not text.startswith("CLAIM")


# ---------------------------------------------------------------- w on the note, its width


@pytest.mark.asyncio
async def test_w_widens_the_note_and_the_note_is_wide_enough_at_80x24(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        view = app.query_one(NoteView)
        assert view.content_region.width > 43
        await pilot.press("r")
        assert app.focused is view
        narrow = view.region.width
        await pilot.press("w")
        await pilot.pause()
        assert view.region.width > narrow and not app.query_one("#side").region
        await pilot.press("w")
        await pilot.pause()
        assert view.region.width == narrow and app.query_one("#side").region


# ---------------------------------------------------------------- opening from search


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.asyncio
async def test_a_note_opened_from_search_shows_its_text_with_the_focus(app: KgApp, size):
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"hidden reasoning")
        await pilot.pause()
        results = app.query_one(SearchResults)
        await pilot.press("down")
        assert app.focused is results
        await pilot.press("enter")
        await settle(pilot)
        view = app.query_one(NoteView)
        assert app.main_screen.current.title == HIDDEN
        assert app.focused is view and view.region.width >= size[0] // 2
        assert HIDDEN.split()[0] in region_text(app, view)


@pytest.mark.asyncio
async def test_dialogs_are_whole_at_60x20(notes_graph, tmp_path: Path):
    # The bundled notes/ have tags: the filter has three lists side by side.
    app = KgApp(graph=notes_graph, export_dir=tmp_path)
    async with app.run_test(size=NARROW) as pilot:
        await open_note(pilot, "Can reward models be gamed by longer answers?")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        dialog = app.screen.query_one("#export").region
        for button in ("#export-go", "#export-cancel"):
            region = app.screen.query_one(button).region
            assert region.height and dialog.contains_region(region), (dialog, region)
        await pilot.press("escape", "f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        text = "\n".join(screen_text(app))
        assert "Link kinds" in text and "followed" in text and "Tags (none:" in text
        assert "● source" in text and "● mentions" in text and "sou…" not in text
        dialog = app.screen.query_one("#filter").region
        for button in ("#apply", "#cancel"):
            assert dialog.contains_region(app.screen.query_one(button).region)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.asyncio
async def test_footer_ends_with_the_palette_key_and_no_stray_letter(app: KgApp, size):
    async with app.run_test(size=size) as pilot:
        await open_note(pilot)
        for keys in ((), ("n",), ("l",)):
            await pilot.press(*keys)
            await pilot.pause()
            footer = screen_text(app)[-1]
            assert footer.rstrip().endswith("^p palette") and footer.endswith(" "), footer


# ---------------------------------------------------------------- stale panes


@pytest.mark.asyncio
async def test_details_pane_never_describes_a_step_left_behind(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        pane = app.query_one(DetailsPane)
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        await pilot.press("down", "down")
        await settle(pilot)
        row = pane.details
        assert row is not None and row.title != HIDDEN
        await pilot.press("g")  # Home: no row of the note left is described
        await settle(pilot)
        assert pane.details is None
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("n", "down")
        await settle(pilot)
        assert pane.details is not None and pane.details.kind.startswith("near")
        await pilot.press("m")  # the Map tab: not the Near tab's row
        await settle(pilot)
        assert pane.details is None or not pane.details.kind.startswith("near")
        await pilot.press("l")  # back on the Links tab, whose rows the filter empties
        await settle(pilot)
        screen.filter = Filter(kinds=frozenset({LinkKind.NEXT}))  # leaves no link
        screen.show_current()
        await settle(pilot)
        assert not tree.groups
        assert pane.details is None or not pane.details.kind.startswith("near")


@pytest.mark.asyncio
async def test_a_long_file_path_is_never_broken_mid_word(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        pane = app.query_one(DetailsPane)
        where = "notes/a-rather/long/folder/path/that/will/not/fit/on/one/line/note.md:12"
        from kg_tui.details import Details

        pane.show(Details(title="A note", kind="links", where=where))
        await pilot.pause()
        lines = [line.strip() for line in region_text(app, pane).split("  ")]
        shown = next(line for line in screen_text(app) if "note.md:12" in line)
        assert "…" in shown and shown.strip().endswith("line/note.md:12"), lines


# ---------------------------------------------------------------- side panel and map


@pytest.mark.asyncio
async def test_walking_shows_the_links_tree_from_its_top(app: KgApp):
    # A guard: the tree opening past its first header was seen in tmux, not in Pilot.
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        for _ in range(30):
            await pilot.press("down")
        assert tree.scroll_offset.y > 0
        await pilot.press("enter")  # walk to the neighbour under the cursor
        await settle(pilot)
        assert app.main_screen.current.title != HIDDEN
        assert tree.scroll_offset.y == 0
        assert tree.get_node_at_line(0).data.kind == "group"


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
@pytest.mark.asyncio
async def test_zoom_and_back_returns_to_the_map_and_keys_follow_the_focus(app: KgApp, size):
    async with app.run_test(size=size) as pilot:
        await open_note(pilot)
        await pilot.press("m")
        await pilot.pause()
        map_id = app.focused.id
        assert map_id in ("map-tab", "map-panel")
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert app.focused.id == map_id
        await pilot.press("m", "z", "escape")
        await pilot.pause()
        assert app.focused.id == map_id
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.focused, NeighbourhoodTree)
        assert "Walk there" not in screen_text(app)[-1]


@pytest.mark.asyncio
async def test_a_reindex_never_leaves_the_focus_in_the_search_box(app: KgApp, graph):
    # A guard: Tab into the search box after a re-index was seen once and not reproduced.
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        view = app.query_one(NoteView)
        view.focus()
        await pilot.pause()
        keep_place(screen, graph)
        await settle(pilot)
        assert not isinstance(app.focused, SearchInput)
        await pilot.press("tab")
        assert not isinstance(app.focused, SearchInput)


# ---------------------------------------------------------------- the Near list's room


@pytest.mark.parametrize(
    ("size", "rows"),
    [
        pytest.param(NARROW, 3, id="60x20"),
        pytest.param(SMALL, 4, id="80x24"),
        pytest.param(LARGE, 8, id="120x40"),
    ],
)
@pytest.mark.asyncio
async def test_near_list_has_room(embedded_graph, tmp_path: Path, size, rows):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_note(pilot)
        await pilot.press("n")
        await settle(pilot)
        options = app.query_one(NearList).options
        assert app.focused is options and options.option_count >= rows
        assert options.content_region.height // 2 >= rows  # two lines a note


# ---------------------------------------------------------------- small things


@pytest.mark.asyncio
async def test_h_lists_the_history_and_jumps_to_a_step(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        other = screen.groups[0].entries[0].note
        screen.open_note(other.id)
        await settle(pilot)
        await pilot.press("left_square_bracket")  # back: the other note is ahead
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        text = "\n".join(screen_text(app))
        assert "Home" in text and HIDDEN[:30] in text and other.title[:30] in text
        await pilot.press("up", "enter")  # the newest step, the one ahead
        await settle(pilot)
        assert screen.current.id == other.id


@pytest.mark.asyncio
async def test_n_without_a_note_says_why_it_lists_nothing(app: KgApp):
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause(0.5)
        assert any("open a note first" in n.message for n in app._notifications)
        assert "Open a note to rank" in "\n".join(screen_text(app))


def test_help_names_plus_and_the_palette_agrees_on_ctrl_c():
    rows = [keys for _, entries in sections(KgApp.BINDINGS) for keys, _ in entries]
    assert not any("Plus" in keys or "Equals Sign" in keys for keys in rows)
    assert any(keys.split()[0] == "+" for keys in rows)


@pytest.mark.asyncio
async def test_the_palette_lists_ctrl_c_as_quit_only(app: KgApp):
    from kg_tui.commands import KeyCommands

    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        provider = KeyCommands(app.screen)
        commands = list(provider._commands())
        assert not any(name == "Copy selected text" for name, _, _ in commands)
        assert not any("Ctrl+C" in keys and "Quit" not in name for name, keys, _ in commands)


@pytest.mark.asyncio
async def test_the_panel_dividers_show_in_the_light_theme(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        app.query_one(NeighbourhoodTree).focus()  # the note's divider in its plain colour
        app.theme = "textual-light"
        await pilot.pause()
        for widget, (_, colour) in (
            (app.query_one(NoteView), app.query_one(NoteView).styles.border_right),
            (app.query_one(DetailsPane), app.query_one(DetailsPane).styles.border_top),
        ):
            background = widget.background_colors[1]
            line = background + colour  # the line's colour over what is behind it
            assert abs(line.brightness - background.brightness) > 0.15, widget


@pytest.mark.asyncio
async def test_a_live_edit_keeps_the_scroll_and_the_focus(app: KgApp, graph):
    # A guard: the one-frame jump to the top seen in tmux at 60×20 does not show in Pilot,
    # so this holds the place (and the focus) a re-index must keep, before and after.
    async with app.run_test(size=NARROW) as pilot:
        screen = await open_note(pilot)
        view = app.query_one(NoteView)
        view.focus()
        view.scroll_to(y=8, animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_y == 8
        keep_place(screen, graph)
        assert view.scroll_y == 8
        await settle(pilot)
        assert view.scroll_y == 8 and app.focused is view


@pytest.mark.asyncio
async def test_walking_on_clears_the_old_query(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"hidden reasoning", "down", "enter")
        await settle(pilot)
        search = app.query_one(SearchInput)
        assert app.main_screen.current.title == HIDDEN
        assert search.value == "hidden reasoning"  # / lists its hits again
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.main_screen.current.title != HIDDEN
        assert search.value == ""
