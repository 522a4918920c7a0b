"""Obsidian's rules where a real vault (the official help vault, read link by link) showed
kg reading otherwise. Each test builds a small vault of its own in the same shape.
"""

from __future__ import annotations

from pathlib import Path

import kg
from kg.graph.knowledge import KnowledgeGraph
from kg.model import NoteKind, Severity
from kg.parse.markdown import parse_markdown


def load(root: Path, files: dict[str, str]) -> KnowledgeGraph:
    for name, text in files.items():
        path = root / "vault" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return kg.load(root / "vault", index=root / "index", embed=False)


def ends(graph: KnowledgeGraph, path: str) -> list[tuple[int, str, str]]:
    """(line, kind, file reached or "stub:title") of each written link from `path`."""
    out = []
    for link in graph.links:
        if link.file != path or link.kind.value not in ("links", "embeds"):
            continue
        note = graph.note(link.target)
        reached = f"stub:{note.title}" if note.stub else note.files[0]
        out.append((link.line, link.kind.value, reached))
    return sorted(out)


def test_an_empty_note_is_a_note_that_links_reach(tmp_path):
    graph = load(
        tmp_path,
        {"Guide/Start.md": "See [[Later]] and [[blank]].\n", "Later.md": "", "Blank.md": "\n"},
    )
    assert ends(graph, "Guide/Start.md") == [(1, "links", "Blank.md"), (1, "links", "Later.md")]
    assert not graph.note("Later").stub and graph.note("Later").body == ()
    assert [d for d in graph.diagnostics if d.severity is not Severity.INFO] == []


def test_a_link_to_the_note_itself_is_no_warning(tmp_path):
    graph = load(
        tmp_path,
        {
            "Links.md": "Written [[Links|like this]] or [like this](Links.md); see [[#Top]].\n",
        },
    )
    assert ends(graph, "Links.md") == []
    said = [d for d in graph.diagnostics if d.path == "Links.md"]
    assert said and all(d.severity is Severity.INFO for d in said)


def test_a_folder_path_no_file_has_stays_unresolved(tmp_path):
    # Obsidian never sends [[Plugins/Tags]] to another folder's Tags.md.
    graph = load(
        tmp_path,
        {
            "Editing/Tags.md": "Use the [[Plugins/Tags|Tags]] pane or [[Editing/Tags]].\n",
            "Other.md": "Also [[plugins/tags]] and [[Tags]].\n",
        },
    )
    stub = ends(graph, "Editing/Tags.md")[0][2]
    assert stub.casefold() == "stub:plugins/tags" and len(ends(graph, "Editing/Tags.md")) == 1
    assert ends(graph, "Other.md") == [(1, "links", "Editing/Tags.md"), (1, "links", stub)]
    itself = [d.message for d in graph.diagnostics if "to itself" in d.message]
    assert len(itself) == 1 and "'Editing/Tags'" in itself[0]  # [[Plugins/Tags]] is not


def test_a_fence_inside_raw_html_is_no_fence(tmp_path):
    text = (
        "Add a block:\n\n<pre><code>```query\nembed OR [[Hidden]]\n```</code></pre>\n\n"
        "> [!note]\n> [[After]] still counts. #kept\n\n```query\n[[Coded]]\n```\n"
    )
    page = parse_markdown(text, "Search.md")
    assert [w.target for w in page.links] == ["After"]
    assert [r.title for r in page.tag_refs] == ["kept"]
    page = parse_markdown("```a``` is code in a line; [[Seen]]\n", "x.md")
    assert [w.target for w in page.links] == ["Seen"]


def test_aliases_and_tags_written_as_one_text(tmp_path):
    page = parse_markdown(
        "---\naliases: Doggo, Woofer\ntags: pets, dogs animals\n---\nDog.", "Dog.md"
    )
    assert page.aliases == ("Doggo", "Woofer")
    assert page.tags == ("pets", "dogs", "animals")
    graph = load(
        tmp_path, {"Dog.md": "---\naliases: Doggo, Woofer\n---\nDog.\n", "Cat.md": "[[Woofer]]\n"}
    )
    assert ends(graph, "Cat.md") == [(1, "links", "Dog.md")]  # kg resolves aliases too
    assert graph.note("Woofer").files == ("Dog.md",)
    assert {n.title for n in graph.notes(NoteKind.TAG)} == set()


def test_a_fence_inside_a_callout_or_a_list_item_is_code():
    text = (
        "> [!example] CSS\n> ```css\n> a { color: #ff0000; } [[Quoted code]]\n> ```\n"
        "> after it [[B]] #real\n\n"
        "1. Step:\n    ```md\n    [[Listed code]] #no\n    ```\n2. Next [[C]]\n\n"
        "> ```\n> [[Open in the callout]]\nThe callout ends here, and so does its fence: [[D]]\n"
    )
    page = parse_markdown(text, "CSS.md")
    assert [w.target for w in page.links] == ["B", "C", "D"]
    assert [r.title for r in page.tag_refs] == ["real"]
    assert page.diagnostics == ()


def test_tag_and_alias_keys_in_any_case_or_singular():
    page = parse_markdown("---\nTags: [a]\nAliases: [Doggo]\n---\nDog.", "Dog.md")
    assert page.tags == ("a",) and page.aliases == ("Doggo",)
    page = parse_markdown("---\ntag: b\nalias: Pup\n---\nDog.", "Dog.md")
    assert page.tags == ("b",) and page.aliases == ("Pup",) and page.links == ()


def test_a_readme_is_a_note_in_a_vault_and_in_any_subfolder(tmp_path):
    files = {
        "README.md": "About this vault, see [[Guide/README]].\n",
        "Guide/README.md": "[[README]]\n",
    }
    graph = load(tmp_path, files)  # no .obsidian/: the root README describes the corpus
    assert sorted(f for n in graph.notes(stubs=False) for f in n.files) == ["Guide/README.md"]
    (tmp_path / "vault" / ".obsidian").mkdir()
    graph = kg.load(tmp_path / "vault", index=tmp_path / "index2", embed=False)
    assert ends(graph, "README.md") == [(1, "links", "Guide/README.md")]
    # [[README]]: the vault root's file first, as Obsidian's help says, not the one beside it
    assert ends(graph, "Guide/README.md") == [(1, "links", "README.md")]
    assert graph.note("README.md").files == ("README.md",)


def test_a_comment_opener_in_inline_code_opens_no_comment():
    page = parse_markdown(
        "Type `<!--` to start one; see [[Comments]].\n\nThen [[Later]].\n", "H.md"
    )
    assert [w.target for w in page.links] == ["Comments", "Later"]


def test_markdown_links_with_parentheses_and_decomposed_names(tmp_path):
    graph = load(
        tmp_path,
        {
            "Cafe\u0301 (2024).md": "A decomposed name, as macOS may store it.\n",
            "Index.md": "[[café (2024)]] and [the café](Caf%C3%A9%20(2024).md).\n",
        },
    )
    assert ends(graph, "Index.md") == [(1, "links", "Cafe\u0301 (2024).md")] * 2


def test_obsidian_comments_hide_links_and_tags():
    text = (
        "Seen [[A]] %%hidden [[B]] #no%% seen [[C]].\n\n%%\nA block [[D]] #nope\n%%\n"
        "| `%%Text%%` | [[Basic formatting syntax#Comments\\|Comments]] |\n"
    )
    page = parse_markdown(text, "Comments.md")
    assert [w.target for w in page.links] == ["A", "C", "Basic formatting syntax"]
    assert page.tag_refs == () and "hidden" not in " ".join(p.text for p in page.body)


def test_a_callout_type_is_not_text_but_its_title_is():
    page = parse_markdown(
        "> [!warning]- Vaults within vaults\n> Links may break.\n\n> [!note]\n> Plain.\n", "V.md"
    )
    assert [p.text for p in page.body] == ["Vaults within vaults Links may break.", "Plain."]


def test_links_in_properties_kg_also_reads_are_obsidian_links(tmp_path):
    book = (
        '---\ntype: book\ndate: "[[2024-01-05]]"\ncategories: ["[[Books]]"]\n'
        'related: ["[[Lists/A]]", "[[B|bee]]"]\nsources: ["[[Paper one]]"]\n'
        'description: "A [[Note]] about it"\nup: "[[Home]]"\n---\nBody.\n'
    )
    files = {
        "Book.md": book,
        "Lists/A.md": "",
        "B.md": "",
        "Categories/Books.md": "",
        "Home.md": "",
    }
    graph = load(tmp_path, files)
    reached = {end for _, kind, end in ends(graph, "Book.md") if kind == "links"}
    assert reached == {
        "Categories/Books.md",
        "stub:2024-01-05",
        "stub:Paper one",
        "B.md",
        "Lists/A.md",
        "stub:Note",
        "Home.md",
    }
    assert not [n for n in graph if n.title.startswith("[[")]
    book_note = graph.note("Book")
    assert book_note.description == "A Note about it" and book_note.date == "2024-01-05"
    assert dict(book_note.properties)["categories"] == ("[[Books]]",)  # as written
    assert [d for d in graph.diagnostics if d.severity is not Severity.INFO] == []


def test_tags_of_any_script_and_with_emoji_are_whole_tags(tmp_path):
    # A digital garden (tanepiper/obsidian-garden) tags by emoji; Obsidian's tag runs to a
    # space or a punctuation mark, so letters of any script, their combining marks and
    # emoji are all tag text, and only an all-digit tag is none.
    text = (
        "Kinds: #🌱/seedling #source/book📚 #🌺, #हिन्दी #cafe\u0301.\n"
        "Not whole: #a.b #tag’s #C++ #1984; nested years: #2024/01\n"
    )
    page = parse_markdown(text, "Garden.md")
    assert page.tags == (
        "🌱/seedling",
        "source/book📚",
        "🌺",
        "हिन्दी",
        "cafe\u0301",
        "a",
        "tag",
        "C",
        "2024/01",
    )
    graph = load(tmp_path, {"Seed.md": "#🌱/seedling text\n", "Other.md": "#🌱 too\n"})
    assert sorted(n.title for n in graph.notes(tag="🌱")) == ["Other", "Seed"]


def test_quote_markers_without_a_space_or_nested_are_not_text():
    # A TTRPG vault (tsackton/taelgar) writes its infoboxes as `>[!info]+` right under a
    # line of text, with nested `>>` lines and bare `>` lines between paragraphs.
    text = (
        "# Ada\n*(AY-da)*\n>[!info]+ Facts\n> A [[Humans|human]]\n>> Lives in [[Town]]\n"
        ">\n> > ## Inside\n> Last\nand lazily more\n\n> [!note]\n> - one\n> - two\n"
    )
    page = parse_markdown(text, "Ada.md")
    assert [(p.line, p.text) for p in page.body] == [
        (2, "*(AY-da)*"),
        (3, "Facts A human"),
        (5, "Lives in Town"),
        (8, "Last and lazily more"),
        (12, "one two"),
    ]
    assert [w.target for w in page.links] == ["Humans", "Town"]
    assert page.roles[6] == "heading"


def test_a_note_that_title_renames_is_found_by_its_file_name(tmp_path):
    # A TTRPG vault keeps an honorific in `title:` (`title: Lady`); Obsidian names the
    # note by its file all the same, and so does a look-up by name here.
    files = {
        "People/Ada Quill.md": "---\ntitle: Lady\n---\nRuns [[Town]].\n",
        "Town.md": "Home of [[Ada Quill]].\n",
    }
    graph = load(tmp_path, files)
    assert graph.note("Ada Quill").files == ("People/Ada Quill.md",)
    assert graph.note("ada quill.md").files == ("People/Ada Quill.md",)
    assert graph.note("Lady").files == ("People/Ada Quill.md",)
    assert graph.find("Quill") is None
    assert ends(graph, "Town.md") == [(1, "links", "People/Ada Quill.md")]


def test_a_front_matter_problem_names_its_line_and_an_unquoted_link():
    # A course vault writes `next: [[Other|shown]]` unquoted: YAML reads a list in a
    # list, which Obsidian shows as no link; kg says where, and why.
    text = "---\nup: [[Home]]\ntags: a, b\nnext: [[Other note|Other]]\ncategories: 3\n---\nBody.\n"
    page = parse_markdown(text, "Course.md")
    said = {d.line: d.message for d in page.diagnostics}
    assert set(said) == {4, 5}
    assert "`next` has an item that is not a title" in said[4]
    assert 'needs quotes: "[[Name]]"' in said[4]
    assert "`categories` should be a list" in said[5] and "quotes" not in said[5]
    assert [w.target for w in page.links] == []  # an unquoted [[link]] is none in Obsidian


def test_empty_items_of_tags_and_aliases_are_no_problem():
    # Templates leave `aliases:` with an empty `-` item; Obsidian shows nothing for it.
    text = "---\naliases:\n  - \n  - Bee\ntags:\n  -\n  - '#ok'\n---\nx\n"
    page = parse_markdown(text, "Template left.md")
    assert page.aliases == ("Bee",) and page.tags == ("ok",)
    assert page.diagnostics == ()


def test_a_tag_may_open_an_emphasis_a_strike_or_a_highlight():
    page = parse_markdown(
        "Status: **#todo**, _#idea_, ==#key==, ~~#old~~; not a_#word nor x=#y.\n", "Em.md"
    )
    assert page.tags == ("todo", "idea", "key", "old")


def test_messages_show_emoji_names_as_written(tmp_path):
    # A digital garden names folders with joined emoji (👩‍🌾 is three characters joined
    # by U+200D); a message shows the name as the vault shows it, not `\u200d`.
    graph = load(tmp_path, {"Home.md": "See [[👩\u200d🌾 Tips/Seeds]].\n"})
    said = [d.message for d in graph.diagnostics if d.path == "Home.md"]
    assert said == [
        "unresolved link '👩\u200d🌾 Tips/Seeds': no file of that name or path; a stub note"
    ]


def test_a_whole_rebuild_says_it_is_no_problem(tmp_path):
    # Adding the note a stub stood for rebuilds the index; the reason kg gives reads as
    # why it rebuilt, not as something wrong with the new file.
    load(tmp_path, {"Home.md": "See [[People]].\n"})
    graph = load(tmp_path, {"People.md": "Who is who.\n"})
    update = graph.index_update
    assert update.mode == "rebuilt" and update.reason.startswith("not updated in place, as ")
    assert "People.md" in update.describe()


def test_task_boxes_and_plus_bullets_are_not_text():
    # A Kanban board or a to-do list: Obsidian draws `- [ ]` as a checkbox and `+ ` as a
    # bullet; neither is the note's text.
    text = "## Backlog\n\n- [ ] Write [[Report]]\n- [x] Ship it\n+ A plus item\n- [ ]\n"
    page = parse_markdown(text, "Board.md")
    assert [p.text for p in page.body] == ["Write Report Ship it A plus item"]


def test_thematic_breaks_and_heading_underlines_are_not_text():
    # The course vault closes every note with `---` over its `prev::`/`next::` lines.
    text = "Intro.\n\n---\nnext:: [[Lists]]\n***\nOld style title\n===\nEnd\n- - -\n"
    page = parse_markdown(text, "Footer.md")
    assert [p.text for p in page.body] == ["Intro.", "next:: Lists", "Old style title", "End"]
    assert [w.target for w in page.links] == ["Lists"]
    assert page.roles[2] == "rule" and page.roles[6] == "rule"
