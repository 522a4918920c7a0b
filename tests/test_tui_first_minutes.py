"""A new user's first minutes in the browser on notes/ (`make run`), each defect they met
driven through Pilot: every test here failed before its fix, and asserts what the person
reads on the screen, or what a key does, never a widget's internals alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.trace import TraceScreen
from kg_tui.widgets.evidence import EvidenceTree
from kg_tui.widgets.search import SearchPanel
from textual.widgets import Input, Label, OptionList, Static
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
        assert f"{more} more notes two links away" in status, status
        assert "categor" in status and "tag" in status, status


# ---------------------------------------------------------------- claim numbers


@pytest.mark.asyncio
async def test_trace_numbers_statements_as_kg_trace_claim_takes_them(app: KgApp, notes_graph):
    """The trace labelled a note's sentences "¶1 s1", "¶1 s2" while `kg trace --claims`
    lists them 0, 1, 2 … and `kg trace NOTE --claim N` takes those: a person could not go
    from a statement on the screen to the same one on the command line."""
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("t")
        await settle(pilot)
        trace = app.screen
        assert isinstance(trace, TraceScreen)
        options = trace.query_one("#trace-claims", OptionList)
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        every = notes_graph.claims(VERIFIER)
        assert len(listed) == len(every)
        for row, claim in zip(listed, every, strict=True):
            assert row.split()[0] == str(claim.index), (row, claim)
            assert "¶" not in row
        assert "--claim N" in str(trace.query_one("#trace-claims-title", Label).render())
        sentence = next(c for c in every if c.kind == "sentence" and c.index >= 2)
        options.highlighted = sentence.index
        await settle(pilot)
        title = str(trace.query_one("#trace-tree-title", Label).render())
        assert f"claim {sentence.index}" in title, title
        detail = " ".join(str(trace.query_one("#trace-quote", Static).render()).split())
        assert f"--claim {sentence.index}" in detail and VERIFIER in detail, detail


# ---------------------------------------------------------------- search count


@pytest.mark.asyncio
async def test_search_header_never_counts_only_the_hits_it_lists(app: KgApp, notes_graph):
    """ "20 match “verifier”" while 25 notes match it (`kg search verifier -k 50` lists
    25): the browser lists the best 20 and counted those. Now it says more match: "20+"."""
    found = len(notes_graph.search("verifier", k=50))
    assert found > 20
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"verifier", "enter")
        await settle(pilot)
        header = " ".join(app.query_one(SearchPanel).header.split())
        assert header.startswith("20+ match “verifier”"), header


# ---------------------------------------------------------------- Used by


@pytest.mark.asyncio
async def test_used_by_lists_what_kg_trace_used_by_lists(app: KgApp, notes_graph):
    """Used by said "82 claims rest on this note" where `kg trace NOTE --used-by` lists
    152: the browser looked two links deep, the command three (its --depth, as the
    trace's). Now the browser follows the trace's depth and says how deep it looked."""
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("t")
        await settle(pilot)
        trace = app.screen
        assert isinstance(trace, TraceScreen) and trace.depth == 3  # kg trace's --depth
        await pilot.press("u")
        await settle(pilot)
        uses = notes_graph.used_by(VERIFIER, depth=3)
        assert len(uses) > len(notes_graph.used_by(VERIFIER, depth=2))
        title = " ".join(str(trace.query_one("#trace-tree-title", Label).render()).split())
        assert f"{len(uses)} claims, up to 3 links away" in title, title


# ---------------------------------------------------------------- export


@pytest.mark.asyncio
async def test_export_dialog_says_which_enter_exports(app: KgApp, tmp_path: Path):
    """The export dialog said "Ctrl+S or Enter exports", but Enter on its first field (the
    focused list of what to export) opens that list: nothing was written. The hint now
    says where Enter exports, and it does there."""
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot, VERIFIER)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        hint = " ".join(str(dialog.query_one(".dialog-hint", Label).render()).split())
        assert "Ctrl+S or Enter exports" not in hint, hint
        assert "Enter does in the File box" in hint, hint
        dialog.query_one("#export-file", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        result = screen.last_export
        assert result is not None and not result.error
        assert Path(result.path).parent == tmp_path / "export"


# ---------------------------------------------------------------- the quote under evidence


@pytest.mark.asyncio
async def test_evidence_quotes_part_the_annotation_from_the_description(app: KgApp, notes_graph):
    """Under a related note the trace quoted “evidence: model judges show … biases
    Assesses the use of strong models…”: the link's annotation and the note's description
    run together as one broken sentence, where `kg trace` prints “… biases — Assesses …”."""
    async with app.run_test(size=(160, 48)) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("t")
        await settle(pilot)
        tree = app.screen.query_one(EvidenceTree)
        tree_text, todo = [], list(tree.root.children)
        while todo:
            node = todo.pop()
            tree_text.append(" ".join(str(node.label).split()))
            todo.extend(node.children)
        expected = next(
            node.quote
            for _, node in notes_graph.trace(VERIFIER, claim=0).walk()
            if node.link is not None and node.link.annotation and " — " in node.quote
        )
        dash = expected.index(" — ")
        joint = expected[max(0, dash - 20) : dash + 12]  # the words either side of the dash
        assert any(joint in line for line in tree_text), (joint, tree_text[:6])


@pytest.mark.asyncio
async def test_statements_title_never_wraps(app: KgApp, notes_graph, tmp_path: Path):
    """At 60×20 the statements' title wrapped: "Statements · --claim" over a lone "N"."""
    async with app.run_test(size=(60, 20)) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("t")
        await settle(pilot)
        title = app.screen.query_one("#trace-claims-title", Label)
        assert len(str(title.render())) <= title.content_region.width
        assert title.region.height == 1
    app = KgApp(graph=notes_graph, export_dir=tmp_path / "export")
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("t")
        await settle(pilot)
        assert "--claim N" in str(app.screen.query_one("#trace-claims-title", Label).render())


@pytest.mark.asyncio
async def test_statement_numbers_stand_alone_at_the_left(app: KgApp):
    """A long statement wrapped under its own number ("  2  Let's Verify Step by" over
    "Step trained…" at the left edge), so the numbers a person looks for to type
    `--claim N` were lost in the text; its lines now hang under the text."""
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("t")
        await settle(pilot)
        await pilot.pause()
        trace = app.screen
        options = trace.query_one("#trace-claims", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        long = next((p for p in prompts if p.lstrip().startswith("2 ") and "\n" in p), None)
        assert long is not None, prompts[:3]  # statement 2 is long: its lines hang
        first, *rest = long.split("\n")
        lead = first.index("Let's")
        assert all(line.startswith(" " * lead) and line.strip() for line in rest), long
