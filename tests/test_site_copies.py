"""The seams between copies of the site's pages: kinds the text shows, one note across
deployments, honest cut-off, every copy's words; and two Obsidian details.

The pages in tests/data/site_seams were written for these tests in the shapes of
../shared/PAGE-FORMATS.md ("The older deployment's paper, topic and hub pages"); none is
copied from the site. One test per point, each asserting what the graph holds.
"""

from __future__ import annotations

import functools
import io
import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import BARE, kg_output

import kg
from kg.model import LinkKind, NoteKind, Severity
from kg.parse.site import parse_page

PAGES = Path(__file__).parent / "data" / "site_seams"
HUB = "How should a team split its serving budget across queries?"
NEWER = "Does RL fine-tuning add new skills or reweight old ones?"
OLDER = "Does reinforcement learning teach a model anything new?"
CHAINS = "Do longer reasoning chains make answers more reliable?"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(PAGES, index=tmp_path_factory.mktemp("site-seams-index"), embed=False)


def page(name: str) -> kg.Page:
    return parse_page((PAGES / name).read_text(encoding="utf-8"), name)


# in a child given only BARE's variables
kg_printed = functools.partial(kg_output, env=BARE, inherit=False, timeout=None)


# 1. a hub is a hub ------------------------------------------------------------------


def test_a_banner_hub_with_a_title_and_description_copy_is_a_hub(graph):
    hub = graph.note(HUB)
    assert hub.kind is NoteKind.HUB and not hub.stub
    assert set(hub.files) == {"hub-serving-banner.txt", "hub-serving-bare.txt"}
    submaps = graph.links_of(hub, "out", LinkKind.SUBMAP)
    assert len(submaps) == 3 and all(graph.note(lk.target).kind is NoteKind.HUB for lk in submaps)
    assert len(graph.links_of(hub, "out", LinkKind.SECTION)) == 2
    # No copy has a synthesis note's structure: nothing to warn about.
    assert not [d for d in graph.diagnostics if d.code == "merged" and HUB in d.message]


# 2. kinds from what the text shows; never a downgrade ------------------------------


def test_older_paper_pages_and_listed_paper_titles_are_papers(graph):
    body = page("paper-older-body.txt")
    assert body.kind is NoteKind.PAPER and not body.arxiv and not body.tags
    assert body.description.startswith("We study how the fraction")
    assert any(p.text.startswith("In this section, we") for p in body.body)
    bullet = page("paper-older-bullet.txt")
    assert bullet.kind is NoteKind.PAPER and bullet.body[-1].text.startswith("• The critic")
    # Too short an abstract for the page to show it is a paper: the listing decides.
    assert page("paper-older-short.txt").kind is NoteKind.SYNTHESIS
    listing = graph.note("Is selection the bottleneck of repeated sampling?")
    papers = [graph.note(lk.target) for lk in graph.links_of(listing, "out", LinkKind.PAPER)]
    assert [(p.title, p.kind, p.stub) for p in papers] == [
        ("Repeated Sampling Widens Coverage but Not Selection", NoteKind.PAPER, False),
        ("Learned Critics for Ranking Candidate Proofs", NoteKind.PAPER, False),
        ("Budget Forcing for Test-Time Scaling", NoteKind.PAPER, False),
        ("Does Sampling More Beat Training Longer?", NoteKind.PAPER, False),  # a question
    ]
    assert not any(p.truncated for p in papers)  # whole pages, though none has a claim
    synthesis = {n.title for n in graph.notes(kind=NoteKind.SYNTHESIS, stubs=False)}
    assert synthesis == {NEWER, CHAINS, "Is selection the bottleneck of repeated sampling?"}


# 3. no note made of a snippet ------------------------------------------------------


def test_a_page_of_snippets_makes_no_note_and_is_reported(graph):
    assert page("topic-snippets.txt").title == ""
    assert not [n for n in graph if "topic-snippets.txt" in n.files]
    assert not [n for n in graph if n.title.endswith("…") or len(n.title.split()) > 30]
    untyped = [d for d in graph.diagnostics if d.code == "untyped"]
    assert len(untyped) == 1 and untyped[0].path == "topic-snippets.txt"
    assert untyped[0].severity is Severity.WARNING and "snippet" in untyped[0].message
    assert graph.corpus_stats().untyped_pages == 1


def test_kg_index_counts_pages_it_cannot_type(tmp_path):
    out = kg_printed("index", "--no-embed", "--corpus", str(PAGES), "--index", str(tmp_path / "i"))
    assert "1 page kg cannot type (no note)" in out.strip().splitlines()[-1]


# 4. one note across deployments, also when the claim is cut -----------------------


def test_copies_of_two_deployments_sharing_date_collection_and_body_are_one_note(graph, tmp_path):
    note = graph.note(OLDER)
    assert note.title == NEWER and note.aliases == (OLDER,)
    assert note.files == ("x-newer.txt", "x-older.txt")
    assert note.claim.startswith("reinforcement learning reweights")
    joined = [d for d in graph.diagnostics if d.code == "alias"]
    assert len(joined) == 1 and joined[0].severity is Severity.INFO
    assert "x-newer.txt" in joined[0].message and "x-older.txt" in joined[0].message
    assert "same date and collection" in joined[0].message
    # Two pages of one deployment never join so, however much text they share.
    newer = (PAGES / "x-newer.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(newer, encoding="utf-8")
    (tmp_path / "b.txt").write_text(newer.replace(NEWER, "Does RL only sharpen?"), "utf-8")
    same = kg.load(tmp_path, embed=False, save=False)
    assert {n.title for n in same.notes(kind=NoteKind.SYNTHESIS, stubs=False)} == {
        NEWER,
        "Does RL only sharpen?",
    }


# 5. deployment from the page's own marks --------------------------------------------


def test_deployment_comes_from_the_date_line_not_a_connections_line():
    newer = page("x-newer.txt")
    assert newer.deployment == "current" and newer.variant == "banner"
    assert [c.title for c in newer.connections] == [
        "When is one long chain better than many short ones?",
        "Does drawing more samples keep paying off on hard prompts?",
    ]
    assert page("x-older.txt").deployment == "older"
    plain = parse_page("Why X?\nAbout X.\nBody.\nConnections: Does Y hold?", "p.txt")
    assert plain.deployment == "current" and plain.connections


# 6. cut-off is honest on merged notes -----------------------------------------------


def test_merged_cut_copies_say_which_declared_lists_are_incomplete(graph, tmp_path):
    note = graph.note(CHAINS)
    assert len(note.files) == 3 and note.truncated  # the whole two-line copy holds no lists
    assert (note.counts.related, note.listed.related) == (7, 0)
    assert note.incomplete() == [
        "12 inquiring lines using it declared, 2 read: the copies are cut",
        "7 related concepts declared, 0 read: the copies are cut",
    ]
    index = str(tmp_path / "idx")
    shown = kg_printed("show", CHAINS, "--corpus", str(PAGES), "--index", index)
    assert "incomplete: 7 related concepts declared, 0 read: the copies are cut" in shown
    data = json.loads(
        kg_printed("show", CHAINS, "--json", "--corpus", str(PAGES), "--index", index)
    )
    assert data["truncated"] is True and data["listed_counts"]["related"] == 0
    assert "7 related concepts declared, 0 read: the copies are cut" in data["incomplete"]
    # A whole copy of the note's own type holding its lists: not cut off.
    hub = graph.note(HUB)
    assert not hub.truncated and hub.incomplete() == []


@pytest.mark.asyncio
async def test_the_browser_says_which_declared_lists_are_incomplete(graph, tmp_path):
    from kg_tui.app import KgApp
    from kg_tui.widgets.note_view import NoteView
    from rich.console import Console

    app = KgApp(graph=graph, export_dir=tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pilot.app.main_screen.open_note(CHAINS)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        view = pilot.app.screen.query_one(NoteView)
        console = Console(width=160, height=48, file=io.StringIO(), record=True)
        console.print(
            app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
        )
        rows = console.export_text().splitlines()[view.region.y : view.region.bottom]
        shown = " ".join(" ".join(row[view.region.x : view.region.right].split()) for row in rows)
    assert "Incomplete: 7 related concepts declared, 0 read: the copies are cut." in shown


# 7. every copy's words are kept ----------------------------------------------------


def test_every_copys_description_and_every_cards_words_are_kept(graph, tmp_path):
    note = graph.note(NEWER)
    described = {c.file: c.description for c in note.copies}
    assert described["x-newer.txt"].startswith("Whether reinforcement learning on verifiable")
    assert described["x-older.txt"].startswith("Looks at whether reward-driven fine-tuning")
    shown = kg_printed("show", NEWER, "--corpus", str(PAGES), "--index", str(tmp_path / "idx"))
    assert "Whether reinforcement learning on verifiable" in shown
    assert "Looks at whether reward-driven fine-tuning" in shown
    hub = graph.note(HUB)
    verifier = graph.note("What does a verifier add at answer time?")
    cards = [lk for lk in graph.links_of(hub, "out", LinkKind.SUBMAP) if lk.target == verifier.id]
    assert sorted(lk.summary for lk in cards) == [
        "How a separate checker turns many samples into one trustworthy answer.",
        "The costs and failure modes of scoring candidates with a learned judge.",
    ]


# 8. category runs no vocabulary knows ----------------------------------------------


def test_unknown_category_runs_split_by_the_shape_of_category_names(graph):
    assert graph.note(CHAINS).categories == (
        "Reasoning and Learning Architectures",
        "Agentic Systems and Planning",
        "Reasoning and Knowledge",
    )
    assert graph.note("Agentic Systems and Planning").kind is NoteKind.CATEGORY
    sure = [d for d in page("cut-chains-banner.txt").diagnostics if d.line == 2]
    assert [d.severity for d in sure] == [Severity.INFO]
    # Where nothing tells where a name ends, the split is a guess, and a warning.
    guessed = parse_page(
        "SYNTHESIS NOTE\nSignal and Noise Methods Sparse Models and Probes\n\nWhy X?\n\nAbout X.\n"
        "\nSynthesis note · 2026-01-01\n\nBody.\n\nOriginal note title\n\nx holds",
        "g.txt",
    )
    assert guessed.categories == ("Signal and Noise Methods", "Sparse Models and Probes")
    warned = [d for d in guessed.diagnostics if d.code == "category-split"]
    assert len(warned) == 1 and warned[0].severity is Severity.WARNING


# 9. Obsidian: accepted file formats, a name several files share -------------------


def test_only_accepted_file_types_are_attachments_and_shared_names_go_root_then_shortest(
    tmp_path,
):
    vault = tmp_path / "vault"
    files = {
        "Home.md": "![[diagram.png]] [[favicon.ico]] ![[handbook.epub]] [[Plan]]\n",
        "Plan.md": "At the root.\n",
        "Projects/deep/Plan.md": "Beside the linking note.\n",
        "Projects/deep/Note.md": "[[Plan]] and [[Ideas]]\n",
        "Projects/deep/Ideas.md": "Beside the linking note.\n",
        "Other/Ideas.md": "A shorter path.\n",
    }
    for name, text in files.items():
        (vault / name).parent.mkdir(parents=True, exist_ok=True)
        (vault / name).write_text(text, encoding="utf-8")
    (vault / ".obsidian").mkdir()
    for name in ("diagram.png", "favicon.ico", "handbook.epub"):
        (vault / "assets").mkdir(exist_ok=True)
        (vault / "assets" / name).write_bytes(b"\x00")
    graph = kg.load(vault, index=tmp_path / "index", embed=False)
    attachments = {n.title for n in graph.notes(kind=NoteKind.ATTACHMENT)}
    assert attachments == {"diagram.png"}
    home = graph.note("Home.md")
    targets = {graph.note(lk.target).title for lk in graph.links_of(home, "out")}
    assert {"favicon.ico", "handbook.epub"} <= targets  # unresolved links, not attachments
    assert all(
        graph.note(t).kind is not NoteKind.ATTACHMENT
        for t in (lk.target for lk in graph.links_of(home, "out"))
        if graph.note(t).title != "diagram.png"
    )
    note = graph.note("Projects/deep/Note.md")
    reached = sorted(graph.note(lk.target).files[0] for lk in graph.links_of(note, "out", "links"))
    assert reached == ["Other/Ideas.md", "Plan.md"]


# What ties these pages together is kept by in-place index updates too --------------


def edited(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_index_updates_redo_joins_by_body_and_kinds_from_listed_papers(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(PAGES, corpus)
    kg.load(corpus, embed="none")
    # The older copy no longer shares its paragraphs: two notes again.
    edited(corpus / "x-older.txt", "Across math and code tasks", "On math and code tasks")
    edited(corpus / "x-older.txt", "The likeliest reading", "One reading")
    updated = kg.load(corpus, embed="none")
    built = kg.load(corpus, embed="none", rebuild=True, save=False)
    assert updated.note(OLDER).title == OLDER and updated.note(NEWER).title == NEWER
    assert_same_graph(updated, built)
    # And back: two notes whose pages come to share their paragraphs become one.
    edited(corpus / "x-older.txt", "On math and code tasks", "Across math and code tasks")
    edited(corpus / "x-older.txt", "One reading", "The likeliest reading")
    updated = kg.load(corpus, embed="none")
    assert updated.note(OLDER).title == NEWER
    assert_same_graph(updated, kg.load(corpus, embed="none", rebuild=True, save=False))
    # No page lists the short paper any more: its own page, which shows no kind, is a note.
    edited(corpus / "papers-listing.txt", "- Budget Forcing for Test-Time Scaling\n", "")
    updated = kg.load(corpus, embed="none")
    assert updated.note("Budget Forcing for Test-Time Scaling").kind is NoteKind.SYNTHESIS
    assert_same_graph(updated, kg.load(corpus, embed="none", rebuild=True, save=False))
    # A body edit that ties nothing stays an update in place.
    edited(corpus / "paper-older-body.txt", "widens with the budget", "grows with the budget")
    updated = kg.load(corpus, embed="none")
    assert updated.index_update.mode == "updated"
    assert_same_graph(updated, kg.load(corpus, embed="none", rebuild=True, save=False))


def assert_same_graph(updated: kg.KnowledgeGraph, built: kg.KnowledgeGraph) -> None:
    assert [n.id for n in updated] == [n.id for n in built]
    for note in built:
        assert updated.note(note.id) == note, note.id
    assert [lk.to_row() for lk in updated.links] == [lk.to_row() for lk in built.links]
    assert updated.diagnostics == built.diagnostics
