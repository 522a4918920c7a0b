"""Issue 12: an Obsidian vault read as Obsidian reads it.

tests/data/obsidian_vault is the project's own small vault with a case for every rule:
two files named Ideas.md in two folders, links with folder paths, case differences,
headings and blocks, an escaped table pipe, embeds of notes, images, a PDF and missing
files, links in code spans, fences, escaped brackets and HTML comments, Markdown links
with %20 and ../, inline and front-matter tags (nested ones too), unknown properties
aliases and a link in a property. `OBSIDIAN` below is, written by hand, every link Obsidian resolves in it.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from cli_helpers import kg_output

import kg
from kg.graph.knowledge import KnowledgeGraph
from kg.model import LinkKind, NoteKind, Severity
from kg.parse.markdown import parse_markdown
from kg.parse.obsidian import read_line

VAULT = Path(__file__).parent / "data" / "obsidian_vault"
ROOT = Path(__file__).resolve().parent.parent

LINKS, EMBEDS, MENTIONS, TAGGED = "links", "embeds", "mentions", "tagged"
HOME, FIELD, IDEAS, OLD_IDEAS = (
    "Home.md",
    "Field notes.md",
    "Projects/Ideas.md",
    "Archive/2025/Ideas.md",
)
READING, RETRO = "Projects/Reading list.md", "Archive/2025/Retro.md"
SAMPLING, STATS = "Methods/Sampling without replacement.md", "Methods/stats.md"
DIAGRAM, SCAN = "assets/diagram.png", "assets/scan.pdf"
GUIDE = "Guides/Embedding notes and files.md"
SYNC, PUBLISH = "Sync/Privacy and storage.md", "Publish/Privacy and storage.md"

# (file the link is written in, line, kind, what it reaches): a note or attachment by its
# file, "stub:" a note no file holds, "missing:" an attachment not in the vault, "#" a tag.
OBSIDIAN = [
    # Home.md
    (HOME, 10, LINKS, FIELD),  # [[Field notes]]
    (HOME, 10, LINKS, IDEAS),  # [[Ideas]]: two files; neither in the root, shortest path
    (HOME, 11, LINKS, OLD_IDEAS),  # [[Archive/2025/Ideas|last year's ideas]]
    (HOME, 11, LINKS, OLD_IDEAS),  # [[2025/Ideas]]: a path's end is enough
    (HOME, 12, LINKS, FIELD),  # [[field NOTES]]
    (HOME, 12, LINKS, IDEAS),  # [[projects/ideas]]
    (HOME, 13, LINKS, FIELD),  # [[Field notes#Sampling]]
    (HOME, 13, LINKS, FIELD),  # [[Field notes#^b1]]; [[#Overview]] stays in the note
    (HOME, 14, LINKS, READING),  # [the reading list](Projects/Reading%20list.md)
    (HOME, 14, LINKS, FIELD),  # [the sampling part](Field%20notes.md#Sampling)
    (HOME, 16, LINKS, "stub:Someday maybe"),  # no such file: Obsidian's unresolved link
    (HOME, 21, LINKS, READING),  # | [[Reading list\|list]] | in a table
    (HOME, 23, EMBEDS, FIELD),  # ![[Field notes]]
    (HOME, 24, EMBEDS, DIAGRAM),  # ![[diagram.png]], found in assets/
    (HOME, 25, EMBEDS, SCAN),  # ![[scan.pdf]]
    (HOME, 26, EMBEDS, "missing:missing chart.png"),
    (HOME, 27, EMBEDS, DIAGRAM),  # ![a diagram](assets/diagram.png)
    (HOME, 29, MENTIONS, SAMPLING),  # the title in plain text: an unlinked mention
    (HOME, 2, TAGGED, "#meta"),  # front matter
    (HOME, 2, TAGGED, "#project/kg"),
    (HOME, 17, TAGGED, "#research"),  # inline; #2026 is no tag
    (HOME, 17, TAGGED, "#area/ml/vision"),
    # Field notes.md
    (FIELD, 5, LINKS, HOME),  # [[Home|the start page]]
    (FIELD, 5, LINKS, HOME),  # [[Start page]]: kg also resolves aliases (`aliases:`)
    (FIELD, 11, EMBEDS, READING),  # ![[Projects/Reading list#Books]]
    (FIELD, 2, TAGGED, "#field"),
    (FIELD, 12, TAGGED, "#field/birds"),
    # Projects/Ideas.md
    (IDEAS, 1, LINKS, HOME),
    (IDEAS, 3, LINKS, READING),  # same folder
    (IDEAS, 4, LINKS, OLD_IDEAS),  # [last year](../Archive/2025/Ideas.md)
    (IDEAS, 5, LINKS, SAMPLING),  # [[Sampling without replacement|sampling]]
    (IDEAS, 5, TAGGED, "#idea"),
    # Projects/Reading list.md
    (READING, 7, LINKS, IDEAS),  # [[Ideas]]: two files; neither in the root, shortest path
    # Archive/2025/Ideas.md
    (OLD_IDEAS, 1, LINKS, IDEAS),  # [[Projects/Ideas]]
    # Archive/2025/Retro.md
    (RETRO, 5, LINKS, HOME),  # up: "[[Home]]", a link in a property
    (RETRO, 7, LINKS, IDEAS),  # [[Ideas]]: the shortest path, not the one beside it
    (RETRO, 7, LINKS, READING),  # [[Books to read]]: an alias
    (RETRO, 9, EMBEDS, "missing:dawn chorus.mp3"),
    (RETRO, 2, TAGGED, "#retro"),  # front matter "#retro"
    (RETRO, 2, TAGGED, "#archive/2025"),
    # Methods/
    (SAMPLING, 4, LINKS, STATS),  # [[stats]]: by file name, though titled otherwise
    (STATS, 4, LINKS, SAMPLING),
    # Guides/Embedding notes and files.md: the links inside its code block are text
    (GUIDE, 4, LINKS, FIELD),
    (GUIDE, 20, EMBEDS, FIELD),  # ![[Field notes]]
    (GUIDE, 22, EMBEDS, FIELD),  # ![[Field notes#^b1]]: one block of it
    (GUIDE, 26, EMBEDS, DIAGRAM),
    (GUIDE, 45, LINKS, SYNC),  # [[Sync/Privacy and storage]]: one name, two folders
    (GUIDE, 45, LINKS, PUBLISH),
    # Sync/ and Publish/Privacy and storage.md: each names the other by its folder
    (SYNC, 4, LINKS, PUBLISH),
    (SYNC, 6, LINKS, GUIDE),
    (PUBLISH, 4, LINKS, SYNC),
]
NESTED_TAGS = {
    ("#project/kg", "#project"),
    ("#area/ml/vision", "#area/ml"),
    ("#area/ml", "#area"),
    ("#field/birds", "#field"),
    ("#archive/2025", "#archive"),
}
NOT_NOTES = (
    "Not a note",
    "Fenced link",
    "Escaped link",
    "Commented link",
    "Also commented",
    "Why do duplicate names confuse tools?",
    "Table view\\",
    "Reading list\\",
)


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return kg.load(VAULT, index=tmp_path_factory.mktemp("vault-index"), embed=False)


def end(graph: KnowledgeGraph, note_id: str) -> str:
    note = graph.note(note_id)
    if note.kind is NoteKind.TAG:
        return note.title.lower()
    if note.kind is NoteKind.ATTACHMENT and note.stub:
        return f"missing:{note.title}"
    if note.stub:
        return f"stub:{note.title}"
    assert len(note.files) == 1, note
    return note.files[0]


def test_the_graph_is_what_obsidian_resolves_link_by_link(vault):
    found = [
        (lk.file, lk.line, lk.kind.value, end(vault, lk.target))
        for lk in vault.links
        if vault.note(lk.source).kind is not NoteKind.TAG
    ]
    assert Counter(found) == Counter(OBSIDIAN)
    nested = {
        (end(vault, lk.source), end(vault, lk.target))
        for lk in vault.links
        if vault.note(lk.source).kind is NoteKind.TAG
    }
    assert nested == NESTED_TAGS
    assert all(lk.kind is LinkKind.TAGGED for lk in vault.links if lk.source.startswith("tag-"))


def test_each_file_is_its_own_note_and_nothing_is_invented(vault):
    notes = [n for n in vault.notes(stubs=False) if n.kind is NoteKind.SYNTHESIS]
    files = sorted(f for n in notes for f in n.files)
    assert files == sorted(str(p.relative_to(VAULT)) for p in VAULT.rglob("*.md"))
    assert all(len(n.files) == 1 for n in notes)
    ideas = [n for n in notes if n.title == "Ideas"]
    assert sorted(n.files[0] for n in ideas) == [OLD_IDEAS, IDEAS] and ideas[0].id != ideas[1].id
    stubs = [n.title for n in vault if n.stub and n.kind is not NoteKind.ATTACHMENT]
    assert stubs == ["Someday maybe"]  # only the link Obsidian also leaves unresolved
    for title in NOT_NOTES:
        assert vault.find(title) is None, title
    attachments = {(n.title, n.stub, n.files) for n in vault.notes(NoteKind.ATTACHMENT)}
    assert attachments == {
        ("diagram.png", False, (DIAGRAM,)),
        ("scan.pdf", False, (SCAN,)),
        ("missing chart.png", True, ()),
        ("dawn chorus.mp3", True, ()),
    }
    # A title from `title:` and a file name both stand: [[stats]] found it above.
    assert vault.note("Statistics for field work").files == (STATS,)


def test_figures_of_the_vault(vault):
    stats = vault.corpus_stats()
    assert (stats.files, stats.notes, stats.stubs) == (11, 11, 1)
    assert (stats.attachments, stats.missing_attachments, stats.tags) == (2, 2, 13)
    assert stats.unresolved == 3  # Someday maybe, missing chart.png, dawn chorus.mp3
    assert stats.links_by_kind == {"embeds": 10, "links": 31, "mentions": 1, "tagged": 14}
    assert stats.warnings == 0 and stats.errors == 0  # [[#Overview]]: no self-link warning


def test_tags_are_kept_nested_and_filterable(vault):
    home = vault.note("Home")
    assert home.tags == ("meta", "Project/KG", "research", "area/ml/vision")
    assert vault.note("Field notes").tags == ("field", "field/birds")
    assert vault.note(vault.notes(tag="retro")[0]).files == (RETRO,)
    assert [n.title for n in vault.notes(tag="#AREA")] == ["Home"]  # nested, any case
    assert [n.title for n in vault.notes(tag="area/ml/vision")] == ["Home"]
    assert vault.notes(tag="vision") == []  # a part of a tag is not the tag
    assert {n.title for n in vault.notes(tag="field")} == {"Field notes"}
    for word in ("2026", "codetag", "fencedtag", "commenttag", "anchor", "Sampling", "^b1"):
        assert vault.notes(tag=word) == [], word
    tags = vault.tags()
    assert tags["#area"] == 1 and tags["#field"] == 1 and "#2026" not in tags
    assert all(n.kind is NoteKind.TAG for n in vault.notes(NoteKind.TAG))
    assert vault.note("#field/birds").kind is NoteKind.TAG


def test_every_property_is_kept_json_safe_and_survives_the_index(vault, tmp_path):
    home = vault.note("Home")
    assert dict(home.properties) == {
        "aliases": ("Start page",),
        "tags": ("meta", "Project/KG"),
        "rating": 4,
        "reviewed": "2026-01-05",
        "status": "draft",
    }
    assert home.property_value("status") == "draft"
    assert json.loads(json.dumps(dict(home.properties)))["reviewed"] == "2026-01-05"
    assert dict(vault.note("Sampling without replacement").properties) == {"kind_of_note": "method"}
    assert not [d for d in vault.diagnostics if "not used by kg" in d.message]
    first = kg.load(VAULT, index=tmp_path / "i", embed=False)
    again = kg.load(VAULT, index=tmp_path / "i", embed=False)
    assert not first.from_index and again.from_index
    assert again.note("Home").properties == home.properties
    assert again.note("Home").tags == home.tags
    assert again.corpus_stats() == first.corpus_stats()


def test_diagnostics_name_file_and_line(vault):
    said = {(d.path, d.line, d.severity) for d in vault.diagnostics}
    assert (HOME, 16, Severity.INFO) in said  # unresolved [[Someday maybe]]
    assert (HOME, 10, Severity.INFO) in said  # [[Ideas]] matches two files
    assert (RETRO, 9, Severity.INFO) in said  # missing attachment
    ambiguous = next(d for d in vault.diagnostics if d.path == HOME and d.line == 10)
    assert IDEAS in ambiguous.message and OLD_IDEAS in ambiguous.message
    unresolved = next(d for d in vault.diagnostics if d.path == HOME and d.line == 16)
    assert "Someday maybe" in unresolved.message


def test_backlinks_tell_written_links_from_unlinked_mentions(vault):
    sampling = vault.note("Sampling without replacement")
    linked = {(lk.file, lk.kind) for lk in vault.linked_mentions(sampling)}
    assert linked == {(IDEAS, LinkKind.LINKS), (STATS, LinkKind.LINKS)}
    unlinked = [(lk.file, lk.line) for lk in vault.unlinked_mentions(sampling)]
    assert unlinked == [(HOME, 29)]  # not line 32 (code), 35 (fence) or 39 (comment)
    assert {lk.kind for lk in vault.linked_mentions("Field notes")} == {
        LinkKind.LINKS,
        LinkKind.EMBEDS,
    }


def test_near_and_search_never_rank_a_stub_or_attachment_above_a_note(tmp_path, fake_embedder):
    graph = kg.load(VAULT, index=tmp_path / "i", embedder=fake_embedder)
    hidden = (NoteKind.ATTACHMENT, NoteKind.TAG)
    for note in graph.notes(stubs=False, kind=NoteKind.SYNTHESIS):
        found = graph.near(note, k=50)
        assert found and all(n.note.kind not in hidden for n in found)
        assert [n.note.stub for n in found] == sorted(n.note.stub for n in found)
    for query in ("Someday maybe", "missing chart", "diagram.png", "dawn chorus", "field"):
        for semantic in (None, False):
            hits = graph.search(query, k=20, semantic=semantic)
            assert all(h.note.kind not in hidden for h in hits), query
            rest = [h for h in hits if "title" not in h.matched[0]]
            assert [h.note.stub for h in rest] == sorted(h.note.stub for h in rest), query
    # A stub's own title finds it first, as title completion lists it; the notes with
    # text that matched only by words or meaning come after it.
    hits = graph.search("Someday maybe", k=20)
    assert hits[0].note.title == "Someday maybe" and hits[0].matched[0] == "exact title"
    assert not any(h.note.stub for h in hits[1:])


def test_written_links_inside_code_comments_and_escapes_are_text():
    text = (
        "---\nrating: 3\n---\n"
        "A `[[code]]` and ``[[double `tick` code]]`` and \\[\\[escaped\\]\\] and [[real]].\n"
        "<!-- [[hidden]] -->[[after comment]] <!-- open\n[[inside]]\nclose --> [[last]]\n"
        "~~~\n[[tilde fence]] #tilde\n~~~\n"
        "````\n```\n[[still code]]\n````\n"
        "| [[cell\\|shown]] | [[other]] |\n"
        "[web](https://example.com/a#b) [mail](mailto:x@y.z) [[#Own heading]] [[x#^blk|b]]\n"
    )
    page = parse_markdown(text, "n.md")
    assert [w.target for w in page.links] == [
        "real",
        "after comment",
        "last",
        "cell",
        "other",
        "x",
    ]
    assert page.links[3].shown == "shown" and page.links[-1].anchor == "^blk"
    assert page.tag_refs == ()
    assert "[[inside]]" not in " ".join(p.text for p in page.body)
    assert page.diagnostics == ()  # no diagnostics for the unknown `rating`


def test_block_ids_are_not_text_and_headings_need_a_space():
    page = parse_markdown(
        "We walk the transect. ^b1\n#tag-only line\n# Heading #h\nx^2 stays\n", "b.md"
    )
    assert [p.text for p in page.body] == ["We walk the transect. #tag-only line", "x^2 stays"]
    assert [(r.title, r.line) for r in page.tag_refs] == [("tag-only", 2), ("h", 3)]


def test_unclosed_fence_is_reported_and_read_as_code():
    page = parse_markdown("Before [[a]].\n```\n[[b]]\n", "f.md")
    assert [w.target for w in page.links] == ["a"]
    assert any("never closed" in d.message for d in page.diagnostics)


def test_questions_in_markdown_make_no_stubs_but_site_pages_keep_the_rule(tmp_path):
    (tmp_path / "q.md").write_text("Why do birds sing at dawn? Nobody knows.\n")
    graph = kg.load(tmp_path, index=tmp_path / "idx", embed=False)
    assert [n.title for n in graph] == ["q"]


def test_same_name_in_two_folders_with_a_site_page_beside_them(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "Plan.md").write_text("First [[Plan]].\n")
    (tmp_path / "b" / "Plan.md").write_text("Second, see [[a/Plan]].\n")
    graph = kg.load(tmp_path, index=tmp_path / "idx", embed=False)
    plans = sorted((n.files, n.id) for n in graph if n.title == "Plan")
    assert [files for files, _ in plans] == [("a/Plan.md",), ("b/Plan.md",)]
    links = {(lk.file, graph.note(lk.target).files[0]) for lk in graph.links}
    assert links == {("b/Plan.md", "a/Plan.md")}  # a/Plan.md's [[Plan]] is itself
    assert any("to itself" in d.message for d in graph.diagnostics)


def test_exports_keep_kinds_tags_and_properties(vault, tmp_path):
    from kg.export import rdf

    data = vault.subgraph().to_json_data()
    kinds = Counter(n["kind"] for n in data["nodes"])
    assert kinds["attachment"] == 4 and kinds["tag"] == 13
    home = next(n for n in data["nodes"] if n["title"] == "Home")
    assert home["properties"]["rating"] == 4 and home["properties"]["tags"] == [
        "meta",
        "Project/KG",
    ]
    path = vault.subgraph().to_graphml(tmp_path / "v.graphml")
    read = nx.read_graphml(path)
    home_id = vault.note("Home").id
    assert read.nodes[home_id]["rating"] == 4  # each property an attribute of its own
    assert json.loads(read.nodes[home_id]["property_tags"]) == ["meta", "Project/KG"]
    assert rdf.validate(rdf.to_rdflib(vault.subgraph()))[0]


kg_printed = functools.partial(kg_output, timeout=120, cwd=ROOT)


def test_cli_counts_filters_by_tag_and_labels_backlinks(tmp_path):
    where = ["--corpus", str(VAULT), "--index", str(tmp_path / "idx")]
    summary = kg_printed("index", "--no-embed", *where)
    assert "11 notes" in summary and "1 stubs" in summary
    assert "2 attachments (2 missing), 3 unresolved links, 13 tags" in summary
    stats = kg_printed("stats", *where)
    assert "attachments: 2 in the vault, 2 missing" in stats and "13 tags" in stats
    listed = json.loads(kg_printed("notes", "--tag", "area", "--json", *where))
    assert [n["title"] for n in listed] == ["Home"]
    assert "#area/ml/vision" in kg_printed("notes", "--tags", *where)
    near_home = json.loads(
        kg_printed("neighbours", "Field notes", "--tag", "meta", "--json", *where)
    )
    assert {n["title"] for n in near_home} == {"Home"}
    hits = json.loads(
        kg_printed("search", "transect", "--lexical", "--tag", "field", "--json", *where)
    )
    assert [h["title"] for h in hits] == ["Field notes"]
    assert json.loads(kg_printed("stats", "--tag", "field", "--json", *where))["notes"] == 1
    shown = kg_printed("show", "Sampling without replacement", *where)
    assert "Backlinks, linked (2)" in shown and "Backlinks, unlinked mentions (1)" in shown
    home = json.loads(kg_printed("show", "Home", "--json", *where))
    assert home["properties"]["status"] == "draft" and "research" in home["tags"]
    assert "rating: 4" in kg_printed("show", "Home", *where)


# ---------------------------------------------------------------- the browser


@pytest.mark.asyncio
async def test_browser_labels_backlinks_and_filters_by_tag(vault, tmp_path):
    from kg_tui.app import KgApp
    from kg_tui.screens.filter import FilterScreen
    from textual.widgets import SelectionList

    app = KgApp(graph=vault, export_dir=tmp_path / "export")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        screen.open_note(vault.note("Sampling without replacement").id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        groups = {g.title: sorted(e.note.title for e in g.entries) for g in screen.groups}
        assert groups["Linked from"] == ["Ideas", "Statistics for field work"]
        assert groups["Mentioned by"] == ["Home"]
        screen.open_note(vault.note("Field notes").id)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FilterScreen)
        tags = app.screen.query_one("#filter-tags", SelectionList)
        tags.select("#meta")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.filter.tags == frozenset({"#meta"})
        kept = {e.note.title for g in screen.groups for e in g.entries}
        assert kept == {"Home"}  # Field notes' other neighbours carry no #meta


def test_title_completion_leaves_out_attachments_and_tags(vault):
    from kg_tui.features import TitleIndex

    index = TitleIndex(vault.notes())
    assert [n.title for n in index.match("diagram")] == []
    assert [n.title for n in index.match("field")] == ["Field notes", "Statistics for field work"]


def test_every_kind_is_handled_wherever_kinds_are_listed():
    from kg_tui.walk import GROUP_SPECS, KIND_COLOURS
    from kg_tui.widgets.concept_map import PRIORITY
    from kg_tui.widgets.note_view import KIND_LABELS

    from kg.export import mapping

    for kind in LinkKind:
        assert kind in KIND_COLOURS and kind in PRIORITY and kind in mapping.LINK_PROPERTIES, kind
        assert (kind, "in") in GROUP_SPECS and (kind, "out") in GROUP_SPECS, kind
    for node_kind in NoteKind:
        assert node_kind in mapping.NOTE_CLASSES and node_kind in KIND_LABELS, node_kind


def test_a_file_path_picks_one_of_two_notes_that_share_a_name(vault):
    assert vault.note("Projects/Ideas.md").files == (IDEAS,)
    assert vault.note("archive/2025/ideas").files == (OLD_IDEAS,)
    assert vault.find("Nowhere/Ideas.md") is None
    shown, links, _ = read_line("A chart ![[chart.png|300]] here", 1)
    assert shown == "A chart  here" and links[0].embed and links[0].target == "chart.png"
