"""The Shape screen (`s`) on a copy of the bundled notes: clusters with names and sizes,
bridges, gaps and contested claims listed; Enter on a row opens its note in the walk;
Esc returns to the walk as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kg_tui.app import KgApp
from kg_tui.screens.help import sections
from kg_tui.screens.main import MainScreen
from kg_tui.screens.shape import ShapeScreen
from kg_tui.shape import read_shape
from textual.widgets import OptionList
from tui_support import screen_text, settle

import kg

NOTES = Path(__file__).resolve().parent.parent / "notes"
SIZES = [(80, 24), (160, 48)]


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory):
    """A copy of notes/ with the default (static) vectors, so gaps can be found."""
    copy = tmp_path_factory.mktemp("shape") / "notes"
    shutil.copytree(NOTES, copy)
    return kg.load(copy, index=copy.parent / "index")


async def open_shape(pilot) -> ShapeScreen:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ShapeScreen)
    assert screen.shape is not None
    return screen


async def highlight(pilot, screen: ShapeScreen, kind: str, nth: int = 0):
    """Move the cursor with the keys to the `nth` row of `kind`; that row."""
    wanted = [i for i, r in enumerate(screen.rows) if r.kind == kind][nth]
    listing = screen.query_one(OptionList)
    while listing.highlighted is not None and listing.highlighted < wanted:
        await pilot.press("down")
    while listing.highlighted is not None and listing.highlighted > wanted:
        await pilot.press("up")
    assert listing.highlighted == wanted
    return screen.rows[wanted]


def in_sight(screen: ShapeScreen) -> bool:
    """Whether the highlighted row is wholly inside the list's view."""
    listing = screen.query_one(OptionList)
    index = listing.highlighted
    assert index is not None
    top = listing._line_cache.index_to_line[index]
    bottom = top + listing._line_cache.heights[index]
    return (
        listing.scroll_y <= top
        and bottom <= listing.scroll_y + listing.scrollable_content_region.height
    )


def test_the_doctests():
    import doctest

    import kg_tui.shape

    result = doctest.testmod(kg_tui.shape)
    assert result.failed == 0 and result.attempted > 0


def test_the_shape_of_the_notes(notes):
    shape = read_shape(notes)
    clustering = notes.clusters()
    assert len(shape.clusters) == len(clustering) >= 2
    assert [r.kind for r in shape.gaps][:1] == ["gap"] and not shape.missing
    assert len(shape.contests) == len(notes.contested()) > 0
    assert {r.note_id for rows in shape.members.values() for r in rows} == set(clustering.labels)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_lists_clusters_gaps_and_contested_claims(notes, tmp_path, size):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_shape(pilot)
        text = "\n".join(screen_text(app))
        biggest = notes.clusters().largest(1)[0]
        assert "SHAPE" in text and "Clusters:" in text
        assert f"#{biggest.id} {biggest.name} — {biggest.size} notes" in text
        assert "Back to the walk" in text  # the footer says how to leave
        kinds = {r.kind for r in screen.rows}
        assert {"cluster", "bridge", "gap", "link", "contest"} <= kinds
        # Every section is reached from the keyboard: the end of the list is on screen.
        await pilot.press("end")
        await settle(pilot)
        last = "\n".join(screen_text(app))
        assert screen.rows[-1].kind == "side"  # the last claim's last side
        assert in_sight(screen)
        assert screen.rows[-1].text.split(":")[-1].split()[-1] in last
        # No line is wider than the terminal (the rows wrap, with a hanging indent).
        assert all(len(line) <= size[0] for line in screen_text(app))


@pytest.mark.asyncio
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_enter_on_a_cluster_lists_its_notes_and_opens_one(notes, tmp_path, size):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_shape(pilot)
        cluster = await highlight(pilot, screen, "cluster")
        await pilot.press("enter")
        await settle(pilot)
        members = [r for r in screen.rows if r.kind == "member"]
        found = next(c for c in notes.clusters() if c.id == cluster.cluster)
        assert len(members) == found.size and members[0].note_id == found.central[0]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.current is not None
        assert app.main_screen.current.id == found.central[0]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["bridge", "link", "contest"])
async def test_enter_opens_the_rows_note(notes, tmp_path, kind):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        row = await highlight(pilot, screen, kind)
        assert row.note_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.current is not None
        assert app.main_screen.current.id == row.note_id
        await pilot.press("left_square_bracket")  # back to where the walk was: the overview
        await settle(pilot)
        assert app.main_screen.current is None


@pytest.mark.asyncio
async def test_escape_returns_to_the_walk_unchanged(notes, tmp_path):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        title = notes.contested()[0].source_title
        app.main_screen.open_note(title)
        await settle(pilot)
        await open_shape(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.current is not None and app.main_screen.current.title == title


def test_the_key_is_listed_in_the_help_not_the_footer():
    from kg_tui.screens.main_keys import MAIN_BINDINGS

    binding = next(b for b in MAIN_BINDINGS if getattr(b, "id", "") == "main.shape")
    assert binding.key == "s" and not binding.show  # the lead decides on the footer
    listed = dict(sections(KgApp.BINDINGS))
    # With the main keys (where a new user looks for it), and in the screen's own keys.
    assert any(keys == "s" and "shape" in what for keys, what in listed["Walking"])
    assert any(keys == "s" for keys, _ in listed["Shape screen"])


@pytest.mark.asyncio
async def test_the_map_colours_its_nodes_by_cluster(notes, tmp_path):
    from kg_tui.shape import cluster_colour
    from kg_tui.widgets.concept_map import ConceptMap
    from tui_support import open_note

    title = "Why do longer reasoning traces sometimes lower accuracy?"
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_note(pilot, title)
        await pilot.press("m")
        await settle(pilot)
        before = "\n".join(screen_text(app))
        await pilot.press("c")
        await settle(pilot)
        shown = app.query_one("#map-tab", ConceptMap)
        assert shown.by_cluster and shown.clusters is not None
        labels = notes.clusters().labels
        clustered = [n for n in shown.nodes if n.note_id in labels]
        assert clustered
        assert shown.clusters.colour(clustered[0].note_id) == cluster_colour(
            labels[clustered[0].note_id]
        )
        text = "\n".join(screen_text(app))
        names = {c.id: c.name for c in notes.clusters()}
        assert f"#{labels[clustered[0].note_id]} {names[labels[clustered[0].note_id]]}" in text
        await pilot.press("c")  # and back to the link kinds
        await settle(pilot)
        assert "\n".join(screen_text(app)) == before


@pytest.mark.asyncio
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_notes_disagreements_beside_it(notes, tmp_path, size):
    from tui_support import open_note

    counts = notes.disagreement_counts()
    busiest = max(counts, key=lambda i: (counts[i], i))
    calm = next(n for n in notes.notes(stubs=False) if n.id not in counts)
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_note(pilot, notes.find(busiest).title)
        await pilot.press("m")  # the map's panel: the note's column at its narrowest
        await settle(pilot)
        # On one line, the figure with its word, however narrow the note's column.
        assert f"{counts[busiest]} disagreements" in "\n".join(screen_text(app))
        await open_note(pilot, calm.title)
        assert "disagreement" not in "\n".join(screen_text(app))


def test_the_figures_are_kg_s(notes):
    """What the headings count is what `kg clusters`, `kg bridges`, `kg gaps -k 10` and
    `kg contested` count, and each row's figures are theirs."""
    shape = read_shape(notes)
    clustering = notes.clusters()
    every = notes.bridges(clustering, top=len(clustering.labels))
    assert shape.joining == len(every) > len(shape.bridges) == 8
    for row, bridge in zip(shape.bridges, every, strict=False):  # as `kg bridges` says them
        assert row.note_id == bridge.note_id
        assert f"score {bridge.score:.2f}: participation {bridge.participation:.2f}" in row.detail
    gaps = notes.gaps(clustering, suggestions=3)
    shown = [r for r in shape.gaps if r.kind == "gap"]
    assert len(shown) == len(gaps)
    for row, gap in zip(shown, gaps, strict=True):
        # as `kg gaps` says it: note pairs linked across, and the links predicted
        assert f"score {gap.score:.2f}, {gap.links} note pair" in row.text
        assert f"linked ({gap.expected:.1f} expected)" in row.text
        assert row.key == f"g{gap.first}-{gap.second}"
        assert [r.note_id for r in shape.bridging[row.key]] == list(gap.bridging)
    assert len(shape.contests) == len(notes.contested())
    claims = notes.contested_claims()
    assert [r.note_id for r in shape.claims if r.kind == "claim"] == [c.note for c in claims]
    for cluster, row in zip(clustering.largest(len(clustering)), shape.clusters, strict=True):
        assert f"#{cluster.id} {cluster.name} — {cluster.size} notes" in row.text


def test_the_work_says_how_far_it_has_got(notes):
    from kg_tui.shape import STEPS

    told: list[str] = []
    read_shape(notes, told.append)
    assert told == list(STEPS)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_enter_on_a_gap_lists_its_bridging_notes(notes, tmp_path, size):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_shape(pilot)
        gap = await highlight(pilot, screen, "gap")
        assert not any(r.kind == "bridging" for r in screen.rows)
        await pilot.press("enter")
        await settle(pilot)
        bridging = [r for r in screen.rows if r.kind == "bridging"]
        assert [r.note_id for r in bridging] == [r.note_id for r in screen.shape.bridging[gap.key]]
        assert bridging and "▼" in "\n".join(screen_text(app))
        first = notes.find(bridging[0].note_id)
        assert f"bridging: {first.title}" in " ".join(line.strip() for line in screen_text(app))
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.current is not None
        assert app.main_screen.current.id == bridging[0].note_id


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["link", "contest"])
async def test_o_opens_the_other_note_of_a_pair(notes, tmp_path, kind):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        row = await highlight(pilot, screen, kind, 1)
        assert row.other and row.other != row.note_id
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.current is not None
        assert app.main_screen.current.id == row.other


@pytest.mark.asyncio
async def test_o_on_a_single_note_says_what_it_is_for(notes, tmp_path):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        await highlight(pilot, screen, "bridge")
        await pilot.press("O")
        await settle(pilot)
        assert app.screen is screen
        assert any("other note of a pair" in str(n.message) for n in app._notifications)


@pytest.mark.asyncio
async def test_claims_with_evidence_on_both_sides_are_walked_side_by_side(notes, tmp_path):
    claim = notes.contested_claims()[0]
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        side = await highlight(pilot, screen, "side", 1)  # the first claim's side against it
        assert side.note_id == claim.contradicting[0].note
        assert side.text.startswith(f"− {claim.contradicting[0].label}: ")
        text = " ".join(line.strip() for line in screen_text(app))
        assert f"Claim of {claim.title}" in text
        assert "Claims with evidence on both sides: " in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.current is not None
        assert app.main_screen.current.id == claim.contradicting[0].note


@pytest.mark.asyncio
async def test_a_clusters_notes_say_how_many_disagreements(notes, tmp_path):
    counts = notes.disagreement_counts()
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_shape(pilot)
        for nth in range(len(screen.shape.clusters)):  # open every cluster
            await highlight(pilot, screen, "cluster", nth)
            await pilot.press("enter")
            await settle(pilot)
        members = [r for r in screen.rows if r.kind == "member"]
        assert len(members) == len(screen.shape.labels)
        for row in members:
            count = counts.get(row.note_id, 0)
            if count:
                # a no-break space keeps the figure with its word when the row wraps
                assert row.text.endswith(f" · {count}\u00a0disagreement" + ("s" * (count > 1)))
            else:
                assert "disagreement" not in row.text
        busiest = max(counts, key=lambda i: (counts[i], i))
        await highlight(pilot, screen, "member", [r.note_id for r in members].index(busiest))
        text = " ".join(line.strip() for line in screen_text(app)).replace("\u00a0", " ")
        assert f"{counts[busiest]} disagreements" in text


@pytest.mark.asyncio
async def test_the_highlighted_row_stays_in_sight(notes, tmp_path):
    """At 80x24 the details line grows and shrinks with the row: the row is never left
    under it, walking down to the end and back."""
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        await pilot.press("enter")  # the first cluster's notes too
        await settle(pilot)
        listing = screen.query_one(OptionList)
        hidden = []
        for key in ["down"] * len(screen.rows) + ["up"] * len(screen.rows):
            await pilot.press(key)
            await settle(pilot)
            if not in_sight(screen):
                hidden.append(listing.highlighted)
        assert hidden == []
        assert all(len(line) <= 80 for line in screen_text(app))


def test_the_other_note_key_is_in_the_help():
    listed = dict(sections(KgApp.BINDINGS))
    assert any(keys == "O" and "other note" in what for keys, what in listed["Shape screen"])


@pytest.mark.asyncio
async def test_the_screen_shows_the_step_it_is_on(notes, tmp_path):
    from kg_tui.screens.shape import ShapeStep

    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        screen.shape = None  # as while the worker is still reading
        screen.on_shape_step(ShapeStep("gaps"))
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "Finding clusters, bridges, gaps and contested claims…" in text
        assert "finding gaps (3 of 4)" in text


@pytest.mark.asyncio
async def test_a_count_keeps_its_word_when_the_kind_line_wraps(seed_graph, tmp_path):
    """The seeds' HIDDEN note beside the map at 80x24: its kind line wraps between its
    phrases, never between "2" and "disagreements"."""
    from tui_support import HIDDEN, open_note

    count = seed_graph.disagreements(HIDDEN)
    assert count > 1
    app = KgApp(graph=seed_graph, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_note(pilot, HIDDEN)
        await pilot.press("m")
        await settle(pilot)
        lines = [line.split("▕")[0].strip() for line in screen_text(app)]
        assert f"{count} disagreements" in lines


# ---------------------------------------------------------------- a new user's reading


@pytest.mark.asyncio
async def test_headings_gaps_and_bridges_read_as_the_cli_says_them(notes, tmp_path):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        clustering = notes.clusters()
        notes_count = len(clustering.labels) + len(clustering.unclustered)
        heading = screen.rows[0].text  # as `kg clusters`: "4 clusters of 41 notes"
        assert heading == f"Clusters: {len(clustering)} clusters of {notes_count} notes"
        every = notes.bridges(clustering, top=8)
        for row, bridge in zip(screen.rows_of("bridge"), every, strict=True):
            assert f"score {bridge.score:.2f}" in row.text  # as `kg bridges` prints it
        # A gap's suggested links show under it: its sign is for the bridging notes only.
        gap = await highlight(pilot, screen, "gap")
        listing = screen.query_one(OptionList)
        shown = str(listing.get_option_at_index(listing.highlighted).prompt)
        assert "▶ " + str(len(screen.shape.bridging[gap.key])) + " bridging notes" in shown
        assert not shown.lstrip(" •").startswith("▶")


@pytest.mark.asyncio
async def test_enter_on_a_gap_brings_its_new_rows_into_sight(notes, tmp_path):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_shape(pilot)
        await highlight(pilot, screen, "gap")
        await pilot.press("enter")
        await settle(pilot)
        listing = screen.query_one(OptionList)
        first = listing.highlighted + 1
        assert screen.rows[first].kind == "bridging"
        top = listing._line_cache.index_to_line[first]
        bottom = top + listing._line_cache.heights[first]
        view = listing.scrollable_content_region.height
        assert listing.scroll_y <= top and bottom <= listing.scroll_y + view
        assert in_sight(screen)  # the gap itself stays in sight too
