"""The terminal browser driven through Textual's Pilot on the seed pages.

Search, walk, back and forward, the breadcrumb, depth 2, the filter, near notes,
trace, path, export and help, each as a person would use them from the keyboard.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.filter import FilterScreen
from kg_tui.screens.help import HelpScreen, sections
from kg_tui.screens.main import MainScreen
from kg_tui.screens.path import PathScreen
from kg_tui.screens.trace import TraceScreen
from kg_tui.widgets.breadcrumb import Breadcrumb
from kg_tui.widgets.concept_map import ConceptMap
from kg_tui.widgets.evidence import EvidenceTree
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchPanel, SearchResults
from textual.widgets import OptionList, SelectionList

from kg.model import LinkKind

HIDDEN = "Do base models already contain hidden reasoning ability?"
RELATED = "Does RL teach reasoning or just when to use it?"
LINE = "What emergent behaviors do models develop when trained on underspecified pedagogical tasks?"
SIZE = (100, 30)


def main_of(app: KgApp) -> MainScreen:
    return app.main_screen


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_hidden(pilot) -> MainScreen:
    screen = main_of(pilot.app)
    screen.open_note(HIDDEN)
    await settle(pilot)
    return screen


# ---------------------------------------------------------------- opening


@pytest.mark.asyncio
async def test_opens_on_the_corpus_overview(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_of(app)
        assert screen.current is None
        assert app.query_one(Breadcrumb).steps == ("Home",)
        view = app.query_one(NoteView)
        assert view.note_id is None and view.link_count >= 3  # the overview's start notes
        assert isinstance(app.focused, NoteView)  # its links, as the overview's hint says


@pytest.mark.asyncio
async def test_start_note_and_loading_from_a_path(seeds_dir: Path, tmp_path: Path):
    app = KgApp(seeds_dir, index=tmp_path / "index", start=HIDDEN, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if main_of(app).current is not None:
                break
        assert main_of(app).current is not None
        assert main_of(app).current.title == HIDDEN


@pytest.mark.asyncio
async def test_a_missing_corpus_is_explained(tmp_path: Path):
    app = KgApp(tmp_path / "nowhere", index=tmp_path / "index")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause()
        texts = " ".join(str(w.render()) for w in app.query(NoteView).first().query("NoteText"))
        assert "could not be opened" in texts and "no such corpus" in texts


# ---------------------------------------------------------------- search


@pytest.mark.asyncio
async def test_search_completes_titles_and_opens_one(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"hidden reasoning")
        await pilot.pause()
        results = app.query_one(SearchResults)
        assert results.display
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert kg_id(app, HIDDEN) in ids
        await pilot.press("down")
        assert app.focused is results
        results.highlighted = ids.index(kg_id(app, HIDDEN))
        await pilot.press("enter")
        await settle(pilot)
        assert main_of(app).current.title == HIDDEN
        assert not app.query_one("#results").display
        assert isinstance(app.focused, NoteView)  # the note picked is read first


@pytest.mark.asyncio
async def test_enter_in_the_search_box_runs_a_search(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"latent reasoning", "enter")
        await settle(pilot)
        results = app.query_one(SearchResults)
        header = app.query_one(SearchPanel).header
        assert "latent reasoning" in header
        assert results.option_count > 1
        await pilot.press("escape")
        assert not app.query_one("#results").display


def kg_id(app: KgApp, title: str) -> str:
    assert app.graph is not None
    return app.graph.note(title).id


# ---------------------------------------------------------------- walking


@pytest.mark.asyncio
async def test_walk_to_a_related_note_then_back_and_forward(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        tree = app.query_one(NeighbourhoodTree)
        titles = [g.title for g in tree.groups]
        assert titles.index("Used by") < titles.index("Related") < titles.index("Papers")
        related = next(g for g in tree.groups if g.kind is LinkKind.RELATED)
        assert len(related.entries) == 16
        assert tree.select_note(kg_id(app, RELATED))
        tree.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current.title == RELATED
        assert app.query_one(Breadcrumb).steps == ("Home", HIDDEN, RELATED)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.current.title == HIDDEN
        assert app.query_one(Breadcrumb).ahead == 1
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.current.title == RELATED
        await pilot.press("alt+left", "alt+left")
        await settle(pilot)
        assert screen.current is None  # back at the overview


@pytest.mark.asyncio
async def test_breadcrumb_click_jumps_back(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        screen.open_note(RELATED)
        await settle(pilot)
        await pilot.click(Breadcrumb, offset=(2, 0))  # "Home"
        await settle(pilot)
        assert screen.current is None
        assert screen.history.ahead()


@pytest.mark.asyncio
async def test_inline_mentions_are_links_to_follow(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        view = app.query_one(NoteView)
        assert view.link_count >= 3
        await pilot.press("r")
        assert app.focused is view
        await pilot.press("right")
        target = view.current_link()
        assert target is not None
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current.id == target


@pytest.mark.asyncio
async def test_depth_two_lists_notes_through_each_neighbour(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        screen.open_note(LINE)
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        tree = app.query_one(NeighbourhoodTree)
        assert screen.depth == 2 and tree.ring
        assert any(node.children for group in tree.root.children for node in group.children)
        await pilot.press("d")
        await settle(pilot)
        assert screen.depth == 1


@pytest.mark.asyncio
async def test_filter_by_link_kind(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        kinds = app.screen.query_one("#filter-kinds", SelectionList)
        kinds.deselect_all()
        kinds.select("related")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.filter.kinds == frozenset({LinkKind.RELATED})
        assert [g.kind for g in screen.groups] == [LinkKind.RELATED]
        await pilot.press("f", "c")
        await settle(pilot)
        assert not screen.filter.active


@pytest.mark.asyncio
async def test_near_tab_explains_missing_embeddings_or_ranks(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        await open_hidden(pilot)
        await pilot.press("n")
        await settle(pilot)
        near = app.query_one(NearList)
        status = str(near.query_one("#near-status").render())
        if app.graph is not None and app.graph.embeddings is not None:
            assert near.options.option_count > 0
        else:
            # Says why, and that the list fills in once the vectors are there.
            assert "no vectors in this index yet" in status.lower(), status
            assert "fills in" in status, status


@pytest.mark.asyncio
async def test_concept_map_draws_and_walks(app: KgApp):
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_hidden(pilot)
        panel = app.query_one("#map-panel", ConceptMap)
        assert panel.display and panel.nodes
        lines = [panel.render_line(y).text for y in range(panel.size.height)]
        drawing = "\n".join(lines)
        assert any("● related" in line for line in lines[-3:])  # the legend, at the foot
        assert any(0x2800 < ord(c) <= 0x28FF for c in drawing)  # the braille lines
        first = panel.nodes[0]
        x, y = next(xy for xy, i in panel._hits.items() if i == 0)
        await pilot.click(panel, offset=(x, y))
        await settle(pilot)
        assert screen.current.id == first.note_id


# ---------------------------------------------------------------- trace, path, export, help


@pytest.mark.asyncio
async def test_trace_a_body_sentence_and_follow_a_node(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        await pilot.press("t")
        await settle(pilot)
        trace = app.screen
        assert isinstance(trace, TraceScreen)
        claims = trace.claims
        assert claims[0].kind == "claim"
        body = next(i for i, c in enumerate(claims) if "Can simple rewards alone" in c.text)
        options = trace.query_one("#trace-claims", OptionList)
        options.highlighted = body
        await pilot.press("enter")
        await settle(pilot)
        tree = trace.query_one(EvidenceTree)
        assert app.focused is tree
        nodes = [n for n in _walk(tree.root) if n.data is not None]
        followable = [n for n in nodes if n.data.node.note_id and n.data.node.kind != "claim"]
        assert followable, "the evidence tree names at least one note"
        tree.move_cursor(followable[0])
        target = followable[0].data.node.note_id
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.current.id == target


def _walk(node):
    for child in node.children:
        yield child
        yield from _walk(child)


@pytest.mark.asyncio
async def test_path_between_two_notes(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        screen.open_note(LINE)
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        path = app.screen
        assert isinstance(path, PathScreen)
        assert path.chain, "the path from the line back to the synthesis note is found at once"
        await pilot.press("ctrl+a")  # select the To box's text, then type another end
        to = path.query_one("#path-to")
        to.value = RELATED
        await pilot.press("enter")
        await settle(pilot)
        steps = path.query_one("#path-steps", OptionList)
        ids = [steps.get_option_at_index(i).id for i in range(steps.option_count)]
        assert ids[0] == kg_id(app, LINE) and ids[-1] == kg_id(app, RELATED)
        assert len(path.chain) == 2
        steps.highlighted = steps.option_count - 1
        steps.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.current.title == RELATED


@pytest.mark.asyncio
async def test_path_explains_unknown_titles(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        await open_hidden(pilot)
        await pilot.press("p")
        await settle(pilot)
        path = app.screen
        path.query_one("#path-to").value = "hidden reasoning abilty base models"
        await pilot.press("enter")
        await settle(pilot)
        status = str(path.query_one("#path-status").render())
        assert "No note called" in status and "Did you mean" in status
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pytest.mark.asyncio
async def test_export_writes_graphml_and_says_where(app: KgApp, tmp_path: Path):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("ctrl+s")  # the export dialog: what is shown, GraphML, default name
        await settle(pilot)
        result = screen.last_export
        assert not result.error, result.error
        written = Path(result.path)
        assert written.parent == tmp_path / "export" and written.suffix == ".graphml"
        text = written.read_text(encoding="utf-8")
        assert "<graphml" in text and HIDDEN in text
        assert any(str(written) in str(n.message) for n in app._notifications)


@pytest.mark.asyncio
async def test_help_lists_every_key(app: KgApp):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(str(w.render()) for w in app.screen.query(".help-key, .help-what"))
        for binding in MainScreen.BINDINGS:
            assert (binding.tooltip or binding.description) in shown  # type: ignore[union-attr]
        for _heading, rows in sections(KgApp.BINDINGS):
            for keys, _what in rows:
                assert keys in shown
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@pytest.mark.asyncio
async def test_layout_switches_at_wide_sizes(app: KgApp):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_hidden(pilot)
        assert not screen.has_class("-wide")
        assert not app.query_one("#map-panel").display
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.focused, ConceptMap)
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert screen.has_class("-wide")
        assert app.query_one("#map-panel").display


def test_browsing_never_imports_torch(seeds_dir: Path, tmp_path: Path):
    """Opening, walking, near and trace stay clear of the model (only free text needs it)."""
    code = f"""
import asyncio, sys
from kg_tui.app import KgApp
async def main():
    app = KgApp({str(seeds_dir)!r}, index={str(tmp_path / "index")!r}, start={HIDDEN!r})
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.main_screen.current is not None:
                break
        screen = app.main_screen
        screen.open_note({RELATED!r})
        await pilot.press("n", "d", "t")
        await app.workers.wait_for_complete()
        await pilot.pause()
    print("torch" in sys.modules, "sentence_transformers" in sys.modules)
asyncio.run(main())
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split()[-2:] == ["False", "False"], out.stdout + out.stderr


# ---------------------------------------------------------------- with embeddings


@pytest.mark.asyncio
async def test_near_notes_ranked_and_marked_linked_or_not(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_hidden(pilot)
        await pilot.press("n")
        await settle(pilot)
        near = app.query_one(NearList)
        assert "nearest by meaning" in str(near.query_one("#near-status").render())
        options = near.options
        assert options.option_count > 3
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert all(("● linked" in p) != ("○ unlinked" in p) for p in prompts)
        expected = embedded_graph.near(embedded_graph.note(HIDDEN), k=20)
        assert [("● linked" in p) for p in prompts] == [hit.linked for hit in expected]
        assert app.focused is options
        first = options.get_option_at_index(0).id
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current.id == first


@pytest.mark.asyncio
async def test_search_by_meaning_lists_hybrid_hits(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"reasoning already present in base models", "enter")
        await settle(pilot)
        results = app.query_one(SearchResults)
        header = app.query_one(SearchPanel).header
        assert "hybrid search" in header
        ids = [results.get_option_at_index(i).id for i in range(results.option_count)]
        assert kg_id(app, HIDDEN) in ids
        assert app.focused is results
        results.highlighted = ids.index(kg_id(app, HIDDEN))
        await pilot.press("enter")
        await settle(pilot)
        assert main_of(app).current.title == HIDDEN
