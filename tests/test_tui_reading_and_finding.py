"""The browser's reading view, its layout below 80 columns, typing to filter, find and
widen, and the CLI's trace features in the browser, driven through Pilot as a person uses
them: each test asserts what the person sees on the screen or where the focus sits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.trace import TraceScreen
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.evidence import EvidenceTree
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_blocks import render_block
from kg_tui.widgets.note_view import NoteView
from textual.widgets import Label, OptionList
from tui_support import lint_rows, open_note, region_text, settle

HIDDEN = "Do base models already contain hidden reasoning ability?"
LINE = "What emergent behaviors do models develop when trained on underspecified pedagogical tasks?"
SMALL = (80, 24)


# ---------------------------------------------------------------- 10: the reading view


def blocks_of(app: KgApp) -> list[tuple[str, str]]:
    """(classes, text) of every block the reading view shows, in order."""
    view = app.query_one(NoteView)
    return [(b.classes, str(b.content) if b.content is not None else b.text) for b in view._blocks]


@pytest.mark.asyncio
async def test_a_merged_note_lists_each_source_once(tmp_path: Path):
    from kg.graph.knowledge import KnowledgeGraph
    from kg.model import Counts, Link, LinkKind, Note, NoteKind, PageCopy

    copies = tuple(
        PageCopy(file, "current", variant, "Why merge?", Counts())
        for file, variant in (("a.txt", "banner"), ("b.txt", "main"))
    )
    notes = [
        Note("m", "Why merge?", NoteKind.LINE, files=("a.txt", "b.txt"), copies=copies),
        Note("s1", "Can one source say it?", NoteKind.SYNTHESIS),
        Note("s2", "Can another say more?", NoteKind.SYNTHESIS),
    ]
    links = [
        Link("m", target, LinkKind.SOURCE, file, 4 + order, order=order, summary="said")
        for file in ("a.txt", "b.txt")
        for order, target in enumerate(("s1", "s2"), start=1)
    ]
    graph = KnowledgeGraph({n.id: n for n in notes}, links)
    app = KgApp(graph=graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, "m")
        sources = [text for classes, text in blocks_of(app) if classes == "nv-source"]
        assert len(sources) == 2, sources
        assert ("nv-heading", "Sources · 2") in blocks_of(app)


@pytest.mark.asyncio
async def test_a_hub_shows_its_sections_and_cards(notes_graph, tmp_path: Path):
    hub = next(n for n in notes_graph.notes(stubs=False) if n.kind.value == "hub")
    app = KgApp(graph=notes_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, hub.id)
        blocks = blocks_of(app)
        assert any(c == "nv-heading" and t.startswith("Sections · ") for c, t in blocks)
        cards = [notes_graph.note(lk.target) for lk in notes_graph.links_of(hub, "out", "section")]
        listed = "\n".join(t for c, t in blocks if c == "nv-list")
        assert cards and all(card.title in listed for card in cards)
        sections = {lk.section for lk in notes_graph.links_of(hub, "out", "section")}
        assert all(section in listed for section in sections if section)


@pytest.mark.asyncio
async def test_a_paper_shows_its_abstract_once_its_arxiv_id_and_tags(notes_graph, tmp_path):
    paper = next(
        n
        for n in notes_graph.notes(stubs=False)
        if n.kind.value == "paper" and n.arxiv and n.tags and n.description
    )
    app = KgApp(graph=notes_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, paper.id)
        blocks = blocks_of(app)
        text = "\n".join(t for _, t in blocks)
        assert text.count(paper.description[:60]) == 1
        assert f"arXiv {paper.arxiv}" in blocks[0][1]
        assert all(f"#{tag}" in text for tag in paper.tags)


@pytest.mark.asyncio
async def test_markdown_emphasis_is_rendered_not_shown(app: KgApp, graph):
    note = next(n for n in graph.notes(stubs=False) if any("*vote*" in p.text for p in n.body))
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, note.id)
        view = app.query_one(NoteView)
        block = next(b for b in view._blocks if b.text and "vote" in b.text)
        assert "*vote*" not in block.text
        content = render_block(block, None)
        start = block.text.index(" vote") + 1
        styles = [span.style for span in content.spans if span.start <= start < span.end]
        assert any("italic" in str(style) for style in styles), content.spans


# ---------------------------------------------------------------- 17: below 80 columns


@pytest.mark.asyncio
async def test_below_80_columns_the_side_panel_collapses(app: KgApp):
    async with app.run_test(size=(40, 15)) as pilot:
        await open_note(pilot)
        view = app.query_one(NoteView)
        side = app.query_one("#side")
        assert view.region.width >= 36 and not side.region
        await pilot.press("l")
        await settle(pilot)
        tree = app.query_one(NeighbourhoodTree)
        assert app.focused is tree and side.region.width >= 36 and not view.region
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is view and view.region.width >= 36 and not side.region


# ---------------------------------------------------------------- type to filter, find, widen


@pytest.mark.asyncio
async def test_type_to_filter_the_neighbour_tree(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("l", "ctrl+f", *"reinforcement")
        await settle(pilot)
        tree = app.query_one(NeighbourhoodTree)
        rows = [
            tree.get_node_at_line(i).data
            for i in range(tree.last_line + 1)
            if tree.get_node_at_line(i).data.kind == "entry"
        ]
        assert rows and all("reinforcement" in r.title.casefold() for r in rows)
        assert "of 348 rows" in region_text(app, app.query_one("#find"))
        await pilot.press("down")
        assert app.focused is tree  # the filter stays while walking the rows
        await pilot.press("ctrl+f", "escape")
        await settle(pilot)
        assert sum(len(g.entries) for g in tree.groups) == 348


@pytest.mark.asyncio
async def test_near_list_filters_unlinked_only_and_k(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("n")
        await settle(pilot)
        near = app.query_one(NearList)
        assert len(near.all_rows) == 20
        await pilot.press("u")
        ids = [near.options.get_option_at_index(i).id for i in range(near.options.option_count)]
        assert ids and all(not near.rows[i].linked for i in ids)
        await pilot.press("u", "k")
        await settle(pilot)
        assert near.k == 50 and len(near.all_rows) > 20
        await pilot.press("ctrl+f", *"reason")
        await settle(pilot)
        titles = [
            near.rows[near.options.get_option_at_index(i).id].note.title
            for i in range(near.options.option_count)
        ]
        assert titles and all("reason" in t.casefold() for t in titles)


@pytest.mark.asyncio
async def test_find_in_the_open_note(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("r", "ctrl+f", *"latent")
        await settle(pilot)
        view = app.query_one(NoteView)
        places = view.found_count
        assert places >= 2
        assert f"{places} places" in region_text(app, app.query_one("#find"))
        first = view.scroll_y
        await pilot.press("enter")
        await settle(pilot)
        assert "2 of" in region_text(app, app.query_one("#find"))
        assert view.scroll_y >= first
        await pilot.press("escape")
        await settle(pilot)
        assert view.found_count == 0 and app.focused is view


@pytest.mark.asyncio
async def test_w_widens_the_focused_panel_and_esc_puts_it_back(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot)
        await pilot.press("l", "w")
        await settle(pilot)
        tree = app.query_one(NeighbourhoodTree)
        assert app.screen.maximized is tree and tree.region.width == 80
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.maximized is None and tree.region.width < 80


# ---------------------------------------------------------------- the CLI's trace features


async def open_trace(pilot, *keys: str) -> TraceScreen:
    await open_note(pilot)
    await pilot.press(*keys, "t")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TraceScreen)
    return pilot.app.screen


@pytest.mark.asyncio
async def test_trace_statements_filter_as_you_type(app: KgApp):
    async with app.run_test(size=SMALL) as pilot:
        trace = await open_trace(pilot)
        await pilot.press("ctrl+f", *"latent")
        await settle(pilot)
        options = trace.query_one("#trace-claims", OptionList)
        shown = [
            trace.claims[int(options.get_option_at_index(i).id)]
            for i in range(options.option_count)
        ]
        assert shown and len(shown) < len(trace.claims)
        assert all("latent" in c.text.casefold() for c in shown)
        await pilot.press("escape")
        await settle(pilot)
        assert options.option_count == len(trace.claims) and app.focused is options


@pytest.mark.asyncio
async def test_trace_lists_the_claims_that_use_the_note(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        trace = await open_trace(pilot)
        await pilot.press("u")
        await settle(pilot)
        uses = graph.used_by(graph.note(HIDDEN), depth=trace.depth)
        tree = trace.query_one(EvidenceTree)
        assert len(tree.root.children) == len(uses)
        assert f"{len(uses)} claims, up to {trace.depth} links away" in str(
            trace.query_one("#trace-tree-title", Label).render()
        )
        first = tree.root.children[0].data.node
        assert first.note_id == uses[0].note.id


@pytest.mark.asyncio
async def test_trace_marks_weak_statements_and_lints_the_corpus(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        trace = await open_trace(pilot)
        await pilot.press("a")
        await settle(pilot)
        weak = {u.claim.index for u in graph.unsupported_claims(notes=HIDDEN)}
        assert set(trace.weak) == weak and weak
        options = trace.query_one("#trace-claims", OptionList)
        marked = {
            trace.claims[int(options.get_option_at_index(i).id)].raw.index
            for i in range(options.option_count)
            if "  weak" in str(options.get_option_at_index(i).prompt)
        }
        assert marked == weak
        await pilot.press("L")
        await settle(pilot)
        tree = trace.query_one(EvidenceTree)
        assert len(tree.root.children) == lint_rows(graph)


@pytest.mark.asyncio
async def test_t_in_the_reading_view_traces_the_sentence_under_the_cursor(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        view = app.query_one(NoteView)
        view.focus()
        # Move the link cursor to a link inside a body paragraph, past the first one.
        for _ in range(view.link_count):
            await pilot.press("right")
            line, near = view.statement_here()
            if line and line > 3:
                break
        assert line and line > 3 and near
        await pilot.press("t")
        await settle(pilot)
        trace = app.screen
        assert isinstance(trace, TraceScreen)
        options = trace.query_one("#trace-claims", OptionList)
        picked = trace.claims[int(options.highlighted_option.id)]
        assert picked.raw.line == line and near.casefold() in picked.text.casefold()
        assert screen.current.title == HIDDEN


@pytest.mark.asyncio
async def test_path_steps_are_described_in_full(app: KgApp, graph):
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot)
        screen.open_note(LINE)
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        steps = app.screen.query_one("#path-steps", OptionList)
        chain = app.screen.chain
        assert chain
        steps.highlighted = 2  # the note the first link reaches
        await settle(pilot)
        details = app.screen.query_one(DetailsPane).details
        step = graph.note(steps.get_option_at_index(2).id)
        assert details.title == step.title
        assert details.kind.startswith(chain[0].describe())
        assert details.where == f"{chain[0].file}:{chain[0].line}"
