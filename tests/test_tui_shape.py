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


async def highlight(pilot, screen: ShapeScreen, kind: str, nth: int = 0) -> None:
    """Move the cursor with the keys to the `nth` row of `kind`."""
    wanted = [i for i, r in enumerate(screen.rows) if r.kind == kind][nth]
    listing = screen.query_one(OptionList)
    while listing.highlighted is not None and listing.highlighted < wanted:
        await pilot.press("down")
    assert listing.highlighted == wanted


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
        assert screen.rows[-1].kind == "contest"
        assert notes.contested()[-1].target_title.split()[0] in last
        # No line is wider than the terminal (the rows wrap, with a hanging indent).
        assert all(len(line) <= size[0] for line in screen_text(app))


@pytest.mark.asyncio
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_enter_on_a_cluster_lists_its_notes_and_opens_one(notes, tmp_path, size):
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_shape(pilot)
        await highlight(pilot, screen, "cluster")
        cluster = screen.rows[screen.query_one(OptionList).highlighted or 0]
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
        await highlight(pilot, screen, kind)
        row = screen.rows[screen.query_one(OptionList).highlighted or 0]
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
    assert any(keys == "s" for keys, _ in listed["Shape screen"])
    assert all("shape" not in what for _, what in listed["Walking"])


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
async def test_a_notes_disagreements_beside_it(notes, tmp_path):
    from tui_support import open_note

    counts = notes.disagreement_counts()
    busiest = max(counts, key=lambda i: (counts[i], i))
    calm = next(n for n in notes.notes(stubs=False) if n.id not in counts)
    app = KgApp(graph=notes, export_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_note(pilot, notes.find(busiest).title)
        assert f"{counts[busiest]} disagreements" in "\n".join(screen_text(app))
        await open_note(pilot, calm.title)
        assert "disagreement" not in "\n".join(screen_text(app))
