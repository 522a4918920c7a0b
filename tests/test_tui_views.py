"""The browser as a new user meets it at 80×24 (issue 15): each defect driven through Pilot.

Every test here failed before its fix: it asserts what the person sees on the screen
(the exported text of the terminal) or where the focus sits, never a widget's internals
alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.trace import TraceScreen
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.evidence import EvidenceTree
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView
from textual.widgets import Label, Static
from tui_support import open_note, region_text, screen_text, settle

import kg

HIDDEN = "Do base models already contain hidden reasoning ability?"
LINE = "What emergent behaviors do models develop when trained on underspecified pedagogical tasks?"
SMALL = (80, 24)


# ---------------------------------------------------------------- 4: near list rows


@pytest.mark.asyncio
async def test_near_rows_keep_their_score_line_while_focused(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("n")
        await settle(pilot)
        options = app.query_one(NearList).options
        assert app.focused is options
        region = options.content_region
        rows = [
            line[region.x : region.right] for line in screen_text(app)[region.y : region.bottom]
        ]
        # Each hit is its title on one line, then its score and linked-or-not line.
        scores = [row for row in rows[1::2] if row.strip()]
        assert len(scores) >= 4
        assert all("linked" in row and "0." in row for row in scores), rows
        assert not any("linked" in row for row in rows[0::2]), rows


# ---------------------------------------------------------------- 9: details pane


@pytest.mark.asyncio
async def test_details_pane_shows_the_highlighted_neighbour_in_full(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        tree = app.query_one(NeighbourhoodTree)
        related = next(g for g in tree.groups if g.title == "Related")
        wanted = related.entries[0]
        assert tree.select_note(wanted.note.id)
        await settle(pilot)
        # The tree cuts the title to the panel; the pane below shows it all, with the
        # link kind, the annotation and where the link was read.
        shown = region_text(app, app.query_one(DetailsPane))
        assert " ".join(wanted.note.title.split()) in shown
        assert "Related" in shown and wanted.link.file in shown


# ---------------------------------------------------------------- 6: the start screen


def footer_text(app: KgApp) -> str:
    return screen_text(app)[-1]


@pytest.mark.asyncio
async def test_start_screen_focus_matches_its_hint(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        view = app.query_one(NoteView)
        assert app.focused is view  # where the hint says, not an empty tree
        await pilot.press("right")
        first = view.current_link()
        assert first is not None
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.current.id == first
        # Tab moves between the panels and never strands the person in the search box.
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert "search" not in seen and {"note", "tree"} <= set(seen)
        await pilot.press("slash")
        assert app.focused.id == "search"
        footer = footer_text(app)
        assert "⏎ Search" in footer and "Results" in footer


# ---------------------------------------------------------------- 13: resize, Back


@pytest.mark.asyncio
async def test_resize_keeps_the_map_focused_and_its_keys(app: KgApp):
    async with app.run_test(size=(160, 48)) as pilot:
        await open_note(pilot)
        await pilot.press("m")
        assert app.focused.id == "map-panel"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "map-tab"
        assert "Walk there" in footer_text(app)


@pytest.mark.asyncio
async def test_back_returns_to_the_same_scroll_and_row(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        view = app.query_one(NoteView)
        view.scroll_to(y=6, animate=False)
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        for _ in range(5):
            await pilot.press("down")
        await settle(pilot)
        line, target = tree.cursor_line, tree.highlighted_note()
        assert target is not None and view.scroll_y == 6
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current.id == target
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.current.title == HIDDEN
        assert tree.cursor_line == line and view.scroll_y == 6
        assert app.focused is tree


# ---------------------------------------------------------------- 7 and 11: trace


def a_stub(graph: kg.KnowledgeGraph, title: str = HIDDEN):
    return next(n.note for n in graph.neighbours(graph.note(title)) if n.note.stub)


@pytest.mark.asyncio
async def test_trace_on_a_stub_says_so_without_a_screen(app: KgApp, graph):
    stub = a_stub(graph)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, stub.id)
        await pilot.press("t")
        await settle(pilot)
        assert not isinstance(app.screen, TraceScreen)
        said = [n.message for n in app._notifications]
        assert any("Nothing to trace" in m and stub.title in m for m in said)


@pytest.mark.asyncio
async def test_a_slow_trace_says_it_is_loading_the_model(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("t")
        await settle(pilot)
        trace = app.screen
        assert isinstance(trace, TraceScreen)
        trace.start_trace(0)
        trace._started -= 4  # as if the model had been loading for four seconds
        trace._progress()
        note = str(trace.query_one("#trace-note", Static).render())
        title = str(trace.query_one("#trace-tree-title", Label).render())
        assert "Loading the language model" in note and "4 s" in title
        await settle(pilot)
        assert "tracing" not in str(trace.query_one("#trace-tree-title", Label).render())


@pytest.mark.asyncio
async def test_trace_detail_pane_separates_wraps_and_scrolls(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        tree = app.screen.query_one(EvidenceTree)
        labels = [str(tree.get_node_at_line(i).label) for i in range(tree.last_line + 1)]
        assert not any("CLAIM claim" in label for label in labels)
        # The first related note: its quote, why it is linked and what the note is about,
        # each labelled on its own, in full (the pane wraps and scrolls, it never cuts).
        line = next(i for i, label in enumerate(labels) if label.startswith("RELATED"))
        tree.cursor_line = line
        await settle(pilot)
        node = tree.highlighted_node()
        pane = app.screen.query_one("#trace-quote", Static)
        text = str(pane.render())
        assert "Quoted" in text and " ".join(node.quote.split()) in " ".join(text.split())
        if node.about:
            assert "About the note" in text and node.about in text.replace("\n", " ")
        detail = app.screen.query_one("#trace-detail")
        assert detail.can_focus
        detail.focus()
        if detail.max_scroll_y:
            await pilot.press("down")
            assert detail.scroll_y > 0


@pytest.mark.asyncio
async def test_deeper_past_the_maximum_says_so(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("t")
        await settle(pilot)
        for _ in range(6):
            await pilot.press("plus")
        await settle(pilot)
        assert app.screen.depth == 5
        assert any("deepest" in n.message for n in app._notifications)


# ---------------------------------------------------------------- 8: the concept map


@pytest.mark.asyncio
async def test_map_at_80x24_is_readable(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        await pilot.press("m", "right")
        await settle(pilot)
        cmap = app.query_one("#map-tab", ConceptMap)
        lines = [strip.text for strip in cmap._strips]
        text = "\n".join(lines)
        assert len(cmap.nodes) >= 4
        # Every drawn node's label is at least ten characters of its title.
        assert all(node.title[:9] in text for node in cmap.nodes), text
        # The centre title is whole: no ring marker drawn over it.
        centre = next(line for line in lines if HIDDEN[:12] in line)
        start = centre.index(HIDDEN[:12])
        assert not set(centre[start : start + 20]) & {"●", "○"}
        # The legend lists every kind of link the note has, none cut.
        for group in screen.groups:
            assert f"● {group.kind.value}" in text, group.kind
        # The picked node's full title is shown (in the details pane under the map).
        picked = cmap.nodes[cmap.selected]
        assert app.query_one(DetailsPane).details.title == picked.title
        assert picked.title in region_text(app, app.query_one(DetailsPane))


@pytest.mark.asyncio
async def test_cut_titles_of_different_notes_read_differently(app: KgApp):
    from rich.style import Style

    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        tree = app.query_one(NeighbourhoodTree)
        for group in tree.root.children:
            rows = [child for child in group.children if child.data.kind == "entry"]
            labels = [tree.render_label(child, Style(), Style()).plain for child in rows]
            titles = {child.data.title for child in rows}
            assert len(set(labels)) == len(titles), labels


# ---------------------------------------------------------------- 16: figures agree


def figures_of(app: KgApp) -> str:
    view = app.query_one(NoteView)
    block = view._figures_block
    return str(block.content) if block is not None else ""


@pytest.mark.asyncio
async def test_figures_on_one_screen_agree_and_say_what_they_count(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        stats = graph.stats(screen.current)
        status = str(app.query_one("#links-status", Static).render())
        figures = figures_of(app)
        counted = f"{stats.direct} notes linked directly"
        assert counted in status and counted in figures, (status, figures)
        # The stubs among them, in the words the overview counts them with; the same
        # figure in the Links status and the note's figures.
        assert stats.stubs > 0
        stubbed = f"linked directly ({stats.stubs} stubs)"
        assert stubbed in status and stubbed in figures, (status, figures)
        # A stub known from one or two links: no cluster or density, and good plurals.
        stub = min(
            (n.note for n in graph.neighbours(screen.current) if n.note.stub),
            key=lambda note: len(graph.neighbours(note)),
        )
        screen.open_note(stub.id)
        await settle(pilot)
        figures = figures_of(app)
        assert "density" not in figures and "cluster" not in figures
        assert "1 notes" not in figures and "1 neighbours" not in figures
        inbound = len(graph.links_of(stub, "in"))
        said = "\n".join(str(w.render()) for w in app.query_one(NoteView).query("NoteText"))
        if inbound == 1:
            assert "1 link that points to it" in said
        else:
            assert f"{inbound} links that point to it" in said
        status = str(app.query_one("#links-status", Static).render())
        assert "1 notes" not in status
        screen.action_home()
        await settle(pilot)
        overview = "\n".join(str(w.render()) for w in app.query_one(NoteView).query("NoteText"))
        assert "embedded" not in overview and "notes with pages" in overview
