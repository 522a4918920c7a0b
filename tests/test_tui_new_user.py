"""Defects a new user met on a fresh clone, driven through Pilot on the bundled notes: Esc
in the search box gives the keys back; the help says what search shows; kinds as kg gives
them; the trace's Used by view toggles back; keys that cannot act on Home are hidden;
wording that fits and agrees with the CLI; the Shape screen's clusters, gaps and bridges.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput
from textual.widgets import TabbedContent
from tui_support import open_note, screen_text, settle

VERIFIER = "Can a verifier be trusted more than the generator it checks?"
STEERING = "Does steering a feature change behaviour the way fine-tuning does?"
SMALL = (80, 24)


@pytest.fixture
def notes_app(notes_graph, tmp_path: Path) -> KgApp:
    return KgApp(graph=notes_graph, export_dir=tmp_path / "export")


def footer(app: KgApp) -> str:
    return screen_text(app)[-1]


# ---------------------------------------------------------------- 1. Esc in the search box


@pytest.mark.asyncio
async def test_escape_in_search_gives_the_keys_back_on_home(notes_app: KgApp):
    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert "←→ Link" in footer(app)
        await pilot.press("slash", *"abc", "escape")
        await settle(pilot)
        assert isinstance(app.focused, NoteView)
        assert "←→ Link" in footer(app) and "⏎ Open" in footer(app)
        assert app.query_one(SearchInput).value == ""
        assert "abc" not in screen_text(app)[0]
        await pilot.press("right", "enter")
        await settle(pilot)
        assert app.main_screen.current is not None  # the link under the cursor opened


@pytest.mark.asyncio
async def test_escape_in_search_keeps_the_side_panel_as_it_was(notes_app: KgApp):
    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, VERIFIER)
        await pilot.press("n")
        await settle(pilot)
        was = app.focused
        assert app.query_one(NearList) in was.ancestors_with_self
        await pilot.press("slash", *"abc", "escape")
        await settle(pilot)
        assert app.query_one("#tabs", TabbedContent).active == "near"
        assert app.focused is was
        assert "abc" not in screen_text(app)[0]


# ---------------------------------------------------------------- 2. the help on search scores


@pytest.mark.asyncio
async def test_help_explains_the_search_scores_as_they_are_shown(notes_app: KgApp):
    from kg_tui.widgets.search import score_label

    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        keys = [str(k.render()) for k in app.screen.query(".help-key")]
        whats = [str(w.render()) for w in app.screen.query(".help-what")]
        sign = score_label(0.83, "words")
        assert sign in keys
        what = whats[keys.index(sign)]
        assert "0 to 1" in what and "title, words or meaning" in what
        assert "share of the best" not in " ".join(whats)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "share of the best hit" not in readme


# ---------------------------------------------------------------- 3. kinds as kg gives them


@pytest.mark.asyncio
async def test_a_note_without_type_shows_the_kind_kg_gives(notes_app: KgApp, notes_graph):
    note = notes_graph.note(STEERING)
    assert note.kind.value == "synthesis" and note.property_value("type") is None
    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, note.id)
        header = [line.strip() for line in screen_text(app)[2:6]]
        assert any(line.startswith("SYNTHESIS NOTE") for line in header), header
        assert not any(line.startswith("NOTE ") for line in header)
        await pilot.press("slash", *"steering a feature")
        await settle(pilot)
        rows = app.main_screen.query_one("#results-list")
        first = str(rows.get_option_at_index(0).prompt)
        assert first.startswith(STEERING[:40]) and first.split()[-1] == "synthesis"


@pytest.mark.asyncio
async def test_the_path_dialog_offers_a_note_named_twice_once(notes_app: KgApp, notes_graph):
    # "steering" names the note by its title and by its alias: one row, no crash.
    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, notes_graph.note(STEERING).id)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"steering", "enter")
        await settle(pilot)
        matches = app.screen.query_one("#path-matches")
        ids = [matches.get_option_at_index(i).id for i in range(matches.option_count)]
        assert ids and len(ids) == len(set(ids))


# ---------------------------------------------------------------- 4. the trace's Used by view


@pytest.mark.asyncio
async def test_used_by_toggles_back_to_the_evidence(notes_app: KgApp, notes_graph):
    from kg_tui.screens.trace import TraceScreen

    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await open_note(pilot, notes_graph.note(VERIFIER).id)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TraceScreen)
        title = app.screen.query_one("#trace-tree-title")
        assert str(title.render()).startswith("Evidence · claim")
        await pilot.press("u")
        await settle(pilot)
        assert str(title.render()).startswith("Used by")
        # In this view the footer offers only keys that act: u goes back, no depth keys.
        assert "Deeper" not in footer(app) and "Shallower" not in footer(app)
        assert "u Evidence" in footer(app)
        await pilot.press("plus")
        await settle(pilot)
        assert str(title.render()).startswith("Used by")
        await pilot.press("u")
        await settle(pilot)
        assert str(title.render()).startswith("Evidence · claim")
        assert "Deeper" in footer(app) and "u Used by" in footer(app)


# ---------------------------------------------------------------- 6. wording that fits and agrees


@pytest.mark.parametrize("size", [(60, 20), SMALL, (160, 48)])
@pytest.mark.asyncio
async def test_the_search_hint_fits_and_says_enter_runs_the_hybrid_search(notes_app, size):
    app = notes_app
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        top = screen_text(app)[0]
        hint = app.query_one(SearchInput).placeholder
        assert hint in top and "by meaning" not in hint
        if size[0] >= 80:
            assert "titles, words and meaning" in hint


@pytest.mark.asyncio
async def test_the_search_header_fits_at_80_columns(notes_app: KgApp, monkeypatch):
    from kg_tui import features
    from kg_tui.screens import main_search

    real = features.search

    def with_whole_notes(graph, text, k=20):
        rows, _how = real(graph, text, k=k)
        return rows, "hybrid search" + features.WHOLE_NOTE  # as with the model's vectors

    monkeypatch.setattr(main_search.features, "search", with_whole_notes)
    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"memorization", "enter")
        await settle(pilot)
        header = app.query_one("#results-header")
        text = str(header.render())
        assert text.endswith("(whole-note vectors)") and "…" not in text, text
        assert "hybrid search" in text and "memorization" in text


@pytest.mark.asyncio
async def test_the_near_tab_says_what_ranks_its_notes(embedded_graph, tmp_path: Path):
    app = KgApp(graph=embedded_graph, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_note(pilot)
        await pilot.press("n")
        await settle(pilot)
        status = str(app.query_one("#near-status").render())
        assert "nearest by meaning, words and links" in status  # as `kg near` says


# ---------------------------------------------------------------- 7. the help's keys


def test_the_help_lists_each_key_once_per_section_with_capitals():
    from kg_tui.screens.help import sections

    listed = sections(KgApp.BINDINGS)
    for heading, rows in listed:
        keys = [k for k, _ in rows]
        assert len(keys) == len(set(keys)), (heading, keys)
        for _, what in rows:
            assert what[:1] == what[:1].upper(), (heading, what)
        for keys_shown, what in rows:  # a key named in its keys is not named again
            for key in keys_shown.split():
                assert f"also {key}" not in what, (heading, keys_shown, what)
    by_heading = dict(listed)
    assert any(k == "s" and "shape" in w for k, w in by_heading["Walking"])
    search = by_heading["Search box"]
    assert not any("by meaning" in w for _, w in search)
    assert sum(1 for k, _ in search if k in ("⏎", "Enter")) == 1
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "F1 first" not in readme


# ---------------------------------------------------------------- 5. no dead keys on Home


@pytest.mark.asyncio
async def test_home_hides_the_keys_that_need_a_note(notes_app: KgApp, notes_graph):
    from kg_tui.screens.main import MainScreen
    from tui_support import notices

    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        bottom = footer(app)
        for word in ("Trace", "Filter", "Export"):
            assert word not in bottom, bottom
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no filter of nothing
        assert "Open a note first" in notices(app)
        # Search results can be exported from Home: x is offered once there are some.
        await pilot.press("slash", *"verifier", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "x Export" in footer(app)
        await open_note(pilot, notes_graph.note(VERIFIER).id)
        bottom = footer(app)
        assert "t Trace" in bottom and "f Filter" in bottom


# ---------------------------------------------------------------- 9. stubs marked in search


@pytest.mark.asyncio
async def test_search_hits_mark_stubs_as_kg_search_does(notes_app: KgApp, notes_graph):
    hits = notes_graph.search("faithfulness", k=20)
    stubs = {hit.note.id for hit in hits if hit.note.stub}
    assert stubs and len(stubs) < len(hits)
    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"faithfulness", "enter")
        await settle(pilot)
        rows = app.query_one("#results-list")
        for i in range(rows.option_count):
            option = rows.get_option_at_index(i)
            title_line = str(option.prompt).splitlines()[0]
            assert title_line.endswith("[stub]") == (option.id in stubs), title_line


# ---------------------------------------------------------------- 10. small layout faults


@pytest.mark.asyncio
async def test_a_toast_reaches_the_right_edge_at_80_columns(notes_app: KgApp, notes_graph):
    from textual.widgets._toast import Toast

    app = notes_app
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await open_note(pilot, notes_graph.note(VERIFIER).id)
        await pilot.press("d")  # depth 2 says so in a toast
        await settle(pilot)
        await pilot.pause(0.2)
        toasts = list(app.screen.query(Toast))
        assert toasts and all(t.region.right == SMALL[0] for t in toasts)
        rows = screen_text(app)[toasts[0].region.y : toasts[0].region.bottom]
        assert all(not row.rstrip().endswith(" F") for row in rows), rows  # no stray letter


@pytest.mark.parametrize("size", [SMALL, (60, 20)])
@pytest.mark.asyncio
async def test_the_export_dialog_shows_the_formats_description_whole(notes_app, notes_graph, size):
    from kg_tui.screens.export import ExportScreen
    from textual.widgets import Select
    from tui_support import region_text

    from kg import SubGraph

    longest = sorted((n.title for n in notes_graph.notes(stubs=False)), key=len)[-2:]
    app = notes_app
    async with app.run_test(size=size) as pilot:
        await open_note(pilot, notes_graph.note(VERIFIER).id)
        app.last_path = tuple(longest)  # a path between the two longest titles
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-what", Select).value = "path"
        await settle(pilot)
        about = region_text(app, app.screen.query_one("#export-about"))
        graphml = next(f for f in SubGraph.formats() if f.name == "graphml")
        assert about.endswith(graphml.description), about
        assert about.startswith("the path “")


def test_the_details_pane_breaks_a_long_file_name_between_words():
    from kg_tui.widgets.details import fit_path

    lines = fit_path("site/line-catching-own-mistakes-main.txt:10", 24).splitlines()
    assert lines == ["line-catching-own-", "mistakes-main.txt:10"]


# ---------------------------------------------------------------- 11. the map legend's figures


@pytest.mark.asyncio
async def test_the_map_legend_says_what_its_figures_are(notes_app: KgApp, notes_graph):
    import re

    from kg_tui.widgets.concept_map import ConceptMap

    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_note(pilot, notes_graph.note(VERIFIER).id)
        await pilot.press("m")
        await settle(pilot)
        cmap = app.query_one("#map-tab", ConceptMap)
        text = "\n".join(strip.text for strip in cmap._strips)
        assert "shown/all:" in text  # not every note is drawn: the legend counts
        for group in screen.groups:  # every kind with its count, none without
            kind = group.kind.value
            found = re.search(rf"● {kind} (\d+)/(\d+)", text)
            assert found, (kind, text)
            total = sum(len(g.entries) for g in screen.groups if g.kind is group.kind)
            assert int(found[2]) == total


# ---------------------------------------------------------------- 12. the command palette


@pytest.mark.asyncio
async def test_the_palette_lists_kg_first_and_never_quits_without_asking(notes_app: KgApp):
    from kg_tui.commands import KeyCommands

    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        provider = KeyCommands(app.screen)
        found = [hit async for hit in provider.discover()]
        names = [str(hit.text) for hit in found]
        helps = [str(hit.help) for hit in found]
        ours = [i for i, h in enumerate(helps) if h.startswith("key: ")]
        textual = [i for i, n in enumerate(names) if n in ("Theme", "Keys", "Screenshot")]
        assert ours and textual and max(ours) < min(textual), names
        assert not any("as soon as possible" in h for h in helps)
        assert "Quit the browser" in names  # the quit that asks while work runs
        searched = [hit async for hit in provider.search("quit")]
        assert [str(hit.text) for hit in searched] == ["Quit the browser"]
        # Through the palette itself: the first command offered is one of kg's.
        await pilot.press("ctrl+p")
        await pilot.pause(0.6)
        text = "\n".join(screen_text(app))
        first = text.index("Search for commands")
        assert text.index("Back to the previous note", first) < text.find("Theme", first) or (
            "Theme" not in text[first:]
        )


@pytest.mark.asyncio
async def test_the_palette_on_home_leaves_out_the_note_s_keys(notes_app: KgApp, notes_graph):
    from kg_tui.commands import KeyCommands

    app = notes_app
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        names = [name for name, _, _ in KeyCommands(app.screen)._commands()]
        assert not any(name.startswith("Trace a statement") for name in names)
        await open_note(pilot, notes_graph.note(VERIFIER).id)
        names = [name for name, _, _ in KeyCommands(app.screen)._commands()]
        assert any(name.startswith("Trace a statement") for name in names)
