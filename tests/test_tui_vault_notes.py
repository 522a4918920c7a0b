"""A vault's note in the browser reads like the note, driven through Pilot on the project's
own vault (tests/data/obsidian_vault): its Markdown rendered (headings, code, callouts,
steps, tables, a placeholder per embed) with links the link cursor walks; the kind kg
gives it; the folder beside titles that repeat; #tags offered by search; attachments apart
from notes; the filter's link kinds those the corpus uses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.filter import FilterScreen
from kg_tui.screens.path import PathScreen
from kg_tui.walk import group_neighbours
from kg_tui.widgets.breadcrumb import Breadcrumb
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_blocks import render_block
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchPanel
from textual.pilot import Pilot
from textual.widgets import OptionList, SelectionList

import kg
from kg.model import LinkKind

VAULT = Path(__file__).parent / "data" / "obsidian_vault"
GUIDE = "Embedding notes and files"
SYNC, PUBLISH = "Sync/Privacy and storage.md", "Publish/Privacy and storage.md"


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(VAULT, index=tmp_path_factory.mktemp("vault-index"), embed=False)


@pytest.fixture(scope="module")
def embedded_vault(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    from fake_embedder import FakeEmbedder

    index = tmp_path_factory.mktemp("vault-embedded-index")
    return kg.load(VAULT, index=index, embed=True, embedder=FakeEmbedder())


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def opened(pilot: Pilot, graph: kg.KnowledgeGraph, query: str) -> NoteView:
    await settle(pilot)
    pilot.app.main_screen.open_note(graph.note(query).id)  # type: ignore[attr-defined]
    await settle(pilot)
    return pilot.app.main_screen.query_one(NoteView)  # type: ignore[attr-defined]


def blocks(view: NoteView) -> list[tuple[str, str]]:
    """(classes, text) of every block on screen."""
    return [(b.classes, b.text if b.content is None else b.content.plain) for b in view._blocks]


@pytest.mark.asyncio
async def test_a_vault_note_renders_its_markdown(vault, tmp_path):
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        view = await opened(pilot, vault, GUIDE)
        shown = blocks(view)
        texts = [text for _, text in shown]
        assert ("nv-heading", "Embed a note in another note") in shown  # `## ` heading
        assert ("nv-heading", "Embed an image") in shown
        code = next(text for classes, text in shown if classes == "nv-code")
        assert code == "md\n![[Field notes]]\n![[Field notes#Sampling]]"  # the fence, as written
        title = texts.index("Drag instead of typing")  # the callout's title on its own
        assert shown[title][0] == "nv-callout-title"
        assert shown[title + 1] == (
            "nv-callout",
            "Hold Alt while you drop a note into the editor and the embed is written for you.",
        )
        assert "↳ embed: Field notes" in texts  # a placeholder for each embed
        assert "↳ image: diagram.png" in texts
        steps = next(text for text in texts if text.startswith("1. "))
        assert steps.splitlines() == [
            "1. Open the note in the editor.",
            "2. Type |300 after the file name.",
            "3. Switch back to reading view.",
        ]
        kinds = next(text for text in texts if text.startswith("• Whole note"))
        assert "**" not in kinds and kinds.splitlines()[0] == (
            "• Whole note shows every line of the other note."
        )
        table = next(text for classes, text in shown if classes == "nv-table")
        assert table.splitlines()[0].split("│")[0].strip() == "Written"
        assert "![[diagram.png]]" in table.splitlines()[-1]
        assert not any("[!tip]" in text or "```" in text for text in texts)


@pytest.mark.asyncio
async def test_the_link_cursor_walks_and_highlights_links_in_rendered_text(vault, tmp_path):
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        view = await opened(pilot, vault, GUIDE)
        view.focus()
        reached = []
        for _ in range(view.link_count):
            await pilot.press("right")
            reached.append(vault.note(view.current_link()).files[0])
        # Field notes (text, two embeds), the picture, then the two same-named notes
        assert reached == [
            "Field notes.md",
            "Field notes.md",
            "Field notes.md",
            "assets/diagram.png",
            SYNC,
            PUBLISH,
        ]
        index, span_index = view._links[view.link_cursor]
        block = view._blocks[index]
        span = block.spans[span_index]
        assert block.text[span.start : span.end] == "Publish/Privacy and storage"
        rendered = render_block(block, span_index)
        highlighted = [s for s in rendered.spans if getattr(s.style, "reverse", False)]
        assert [(s.start, s.end) for s in highlighted] == [(span.start, span.end)]
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.main_screen.current.files == (PUBLISH,)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_a_note_embed_unfolds_under_its_placeholder(vault, tmp_path):
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        view = await opened(pilot, vault, GUIDE)
        view.focus()
        await pilot.press("right", "right")  # the embed of Field notes
        assert vault.note(view.current_link()).title == "Field notes"
        before = len(view._blocks)
        await pilot.press("space")
        await settle(pilot)
        texts = [text for _, text in blocks(view)]
        assert len(view._blocks) > before
        # the embedded note's text, its block id (` ^b1`) a mark, not text
        assert "We walk the same transect every week." in texts
        assert vault.note(view.current_link()).title == "Field notes"  # cursor kept
        await pilot.press("space")
        await settle(pilot)
        assert len(view._blocks) == before


@pytest.mark.asyncio
async def test_a_vault_notes_kind_reads_as_kg_gives_it(vault, notes_graph, tmp_path):
    # A Markdown note without `type:` is what `kg show` and `kg search` call it: synthesis.
    assert vault.note("Home").kind.value == "synthesis"
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(80, 24)) as pilot:
        view = await opened(pilot, vault, "Home")
        assert blocks(view)[0] == ("nv-meta", "SYNTHESIS NOTE")
        await pilot.press("slash", *"Home")
        await settle(pilot)
        rows = pilot.app.main_screen.query_one(SearchPanel).results  # type: ignore[attr-defined]
        first = str(rows.get_option_at_index(0).prompt)
        assert first.split() == ["Home", "synthesis"]
    # kg's own note format keeps its kinds: a Markdown note that says `type: synthesis`
    declared = next(
        n for n in notes_graph.notes(stubs=False) if n.files[0].endswith(".md") and n.claim
    )
    async with KgApp(graph=notes_graph, export_dir=tmp_path).run_test(size=(80, 24)) as pilot:
        view = await opened(pilot, notes_graph, declared.id)
        assert blocks(view)[0][1].split(" · ")[0] in ("SYNTHESIS NOTE", "INQUIRING LINE", "PAPER")


@pytest.mark.asyncio
async def test_same_named_notes_show_their_folder(embedded_vault, tmp_path):
    graph = embedded_vault
    async with KgApp(graph=graph, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        view = await opened(pilot, graph, SYNC)
        screen = pilot.app.main_screen  # type: ignore[attr-defined]
        assert ("nv-title", "Privacy and storage — Sync/") in blocks(view)
        assert screen.query_one(Breadcrumb).steps[-1] == "Privacy and storage — Sync/"
        tree = screen.query_one(NeighbourhoodTree)
        rows = [str(node.data.title) for node in tree.root.children[0].children]
        assert "Privacy and storage — Publish/" in rows
        await pilot.press("n")  # the Near list: the other note reads as the other one
        await settle(pilot)
        near = screen.query_one(NearList).query_one(OptionList)
        titles = [str(near.get_option_at_index(i).prompt) for i in range(near.option_count)]
        assert any(t.startswith("Privacy and storage — Publish/") for t in titles)
        assert not any(t.splitlines()[0] == "Privacy and storage" for t in titles)
        await pilot.press("slash", *"privacy")
        await settle(pilot)
        results = screen.query_one(SearchPanel).results
        found = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        assert sorted(t.split("  ")[0] for t in found) == [
            "Privacy and storage — Publish/",
            "Privacy and storage — Sync/",
        ]
    # Notes whose titles are their own show the title alone.
    async with KgApp(graph=graph, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        view = await opened(pilot, graph, "Field notes")
        assert ("nv-title", "Field notes") in blocks(view)


@pytest.mark.asyncio
async def test_the_path_dialog_names_the_folder(vault, tmp_path):
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sync, publish = vault.note(SYNC), vault.note(PUBLISH)
        pilot.app.push_screen(PathScreen(vault, sync.id, publish.id))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        steps = pilot.app.screen.query_one("#path-steps", OptionList)
        shown = [str(steps.get_option_at_index(i).prompt) for i in range(steps.option_count)]
        assert "● Privacy and storage — Sync/" in shown
        assert "● Privacy and storage — Publish/" in shown


@pytest.mark.asyncio
async def test_hash_in_search_offers_tags_and_a_tag_lists_its_notes(vault, tmp_path):
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"#fie")
        await settle(pilot)
        screen = pilot.app.main_screen  # type: ignore[attr-defined]
        results = screen.query_one(SearchPanel).results
        offered = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        assert [row.split()[0] for row in offered[:2]] == ["#field", "#field/birds"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.current.title == "#field"
        texts = [text for _, text in blocks(screen.query_one(NoteView))]
        assert "Notes tagged #field · 1" in texts and "• Field notes" in texts


def test_every_written_link_of_a_rendered_note_goes_where_the_graph_says(vault):
    """Links in a paragraph of many lines, in a table, Markdown links, embeds and #tags:
    each a span to the note (or file, or tag) the graph resolved on that line."""
    from kg_tui.widgets.markdown_note import markdown_source, render_markdown
    from kg_tui.widgets.note_links import LinkTargets

    home = vault.note("Home")
    source = markdown_source(vault, home)
    assert source is not None
    rendered = render_markdown(source, LinkTargets(vault, home))
    spans = [
        (block.text[s.start : s.end], vault.note(s.note_id))
        for block in rendered
        for s in block.rich.spans
    ]
    where = {text: (n.files[0] if n.files else n.title) for text, n in spans}
    assert where["Ideas"] == "Projects/Ideas.md"  # the shortest path, as the graph has it
    assert where["last year's ideas"] == "Archive/2025/Ideas.md"
    assert where["the reading list"] == "Projects/Reading list.md"  # line 14 of a paragraph
    assert where["list"] == "Projects/Reading list.md"  # in a table cell
    assert where["a diagram"] == "assets/diagram.png"  # ![a diagram](assets/diagram.png)
    assert where["#area/ml/vision"] == "#area/ml/vision"
    assert where["Field notes › block ^b1"] == "Field notes.md"
    assert "Overview" not in where  # [[#Overview]]: a place in the note itself
    texts = "\n".join(block.text for block in rendered)
    assert "↳ image: missing chart.png (not in the vault)" in texts
    written = [line for line in texts.splitlines() if "[[" in line]  # code and escapes only
    assert [w.split("[[")[1].split("]]")[0] for w in written] == [
        "Not a note",
        "Fenced link",
        "Escaped link",
    ]


def test_attachments_are_grouped_apart_from_notes(vault):
    home = vault.note("Home")
    groups = {g.title: g for g in group_neighbours(vault.neighbours(home, depth=1))}
    attached = {e.note.title for e in groups["Attachments"].entries}
    assert attached == {"diagram.png", "scan.pdf", "missing chart.png"}
    assert [e.note.title for e in groups["Embeds"].entries] == ["Field notes"]
    assert all(e.note.kind.value != "attachment" for e in groups["Links"].entries)
    guide = vault.note(GUIDE)
    embeds = group_neighbours(vault.neighbours(guide, depth=1))
    field = next(g for g in embeds if g.title == "Embeds").entries[0]
    assert field.note.title == "Field notes" and field.links == 2
    details = {
        link.section for link in vault.links_of(guide, "out", LinkKind.EMBEDS) if link.section
    }
    assert details == {"#^b1"}
    from kg_tui.vault import anchor_label

    assert anchor_label("#^b1") == "block ^b1"


@pytest.mark.asyncio
async def test_the_filter_lists_the_kinds_the_corpus_uses_those_here_first(vault, tmp_path):
    async with KgApp(graph=vault, export_dir=tmp_path).run_test(size=(120, 40)) as pilot:
        await opened(pilot, vault, "Field notes")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FilterScreen)
        kinds = pilot.app.screen.query_one("#filter-kinds", SelectionList)
        listed = [kinds.get_option_at_index(i).value for i in range(kinds.option_count)]
        used = set(vault.corpus_stats().links_by_kind)
        assert set(listed) == used  # no source, paper or next in a vault
        here = {g.kind.value for g in group_neighbours(vault.neighbours(vault.note("Field notes")))}
        assert set(listed[: len(here)]) == here  # the note's own kinds first
        await pilot.press("ctrl+s")  # everything ticked: no filter
        await settle(pilot)
        assert not pilot.app.main_screen.filter.active  # type: ignore[attr-defined]
