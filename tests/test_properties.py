"""Property-based tests of the parsers: any text in, a page out (never another exception),
and a Markdown note written out and read back is the same note."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.graph.build import build
from kg.model import NoteKind, Page, Paragraph, RelatedEntry, SourceEntry
from kg.parse.markdown import parse_markdown, to_markdown
from kg.parse.relations import normalize_relation
from kg.parse.site import parse_page

FRAGMENTS = st.sampled_from(
    [
        "SYNTHESIS NOTE",
        "INQUIRING LINE",
        "TOPIC",
        "← All notes",
        "---",
        "-",
        "",
        "Sources 3 notes",
        "Next inquiring lines",
        "  1. Why does it fail?",
        "- Can it work?",
        "Related concepts in this collection 2",
        "Related papers in this collection 1",
        "Inquiring lines that use this note as a source 4",
        "Original note title",
        "Topic Hub · 3 linked notes · 1 sections",
        "3 notes",
        "Sub-Maps",
        "View as",
        "Explore related Read →",
        "Paper · arXiv 2501.00001 · Published March 5, 2025",
        "12 direct connections · 80 in 2-hop network ·dense cluster Open in graph ↗",
        "Synthesis note · 2026-02-22 · sourced from X",
        "mechanism: because",
        "Model Architecture and Internals Agentic Systems and Tool Use",
        "In Can models vote on anything at all?, yes.",
        "title: [a?, b]",
        "date: 2026-13-45",
        "!!python/object/apply:os.system ['true']",
        "[[Link|alias]]",
        "\x00\x07\ufeff",
    ]
)
PAGE_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=60)), max_size=30).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_TEXT)
def test_site_parser_accepts_any_text(text):
    page = parse_page(text, "any.txt")
    assert isinstance(page, Page)
    assert len(page.roles) == len(text.split("\n"))
    assert all(page.roles)  # every line accounted for, whatever it holds


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGE_TEXT)
def test_markdown_parser_accepts_any_text(text):
    page = parse_markdown("---\n" + text if text.startswith("title") else text, "any.md")
    assert isinstance(page, Page) and page.title


@settings(max_examples=60, deadline=None)
@given(st.lists(PAGE_TEXT, min_size=1, max_size=6))
def test_graph_builds_from_any_pages(texts):
    pages = [parse_page(t, f"p{i}.txt") for i, t in enumerate(texts)]
    notes, links, _ = build(pages)
    assert all(row[0] in notes and row[1] in notes for row in links)


TITLE = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=50,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and s[0] not in "#-*>" and "[[" not in s)
)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=80
).map(lambda s: " ".join(s.split()))


_BLOCK_ID_END = re.compile(r"(?:^|\s)\^[A-Za-z0-9-]+$")


def _plain_markdown(text: str) -> bool:
    """Body text that Markdown reads as plain text: no list or heading marker, no link
    (`[[x]]`, `[x](y)`), HTML comment, code fence or trailing block id (`^b1`)."""
    return (
        bool(text)
        and text[0] not in "#-*>"
        and "[[" not in text
        and "](" not in text
        and "<!--" not in text
        and text.lstrip(" ")[:3] not in ("```", "~~~")
        and not _BLOCK_ID_END.search(text.strip())
    )


@st.composite
def notes(draw):
    kind = draw(st.sampled_from([NoteKind.SYNTHESIS, NoteKind.LINE, NoteKind.PAPER]))
    label = draw(st.sampled_from(["", "mechanism", "extends", "partially contradicted"]))
    body = draw(st.lists(TEXT.filter(_plain_markdown), max_size=3))
    return Page(
        path="n.md",
        kind=kind,
        variant="markdown",
        title=draw(TITLE),
        description=draw(TEXT),
        claim=draw(TEXT),
        categories=tuple(draw(st.lists(TITLE, max_size=3, unique=True))),
        date=draw(st.sampled_from(["", "2026-02-22"])),
        sources=tuple(
            SourceEntry(t, s, 2) for t, s in draw(st.lists(st.tuples(TITLE, TEXT), max_size=3))
        ),
        related=tuple(
            RelatedEntry(t, "", label, "", normalize_relation(label) if label else "related", 2)
            for t in draw(st.lists(TITLE, max_size=3))
        ),
        body=tuple(Paragraph(p, 1) for p in body),
    )


@settings(max_examples=200, deadline=None)
@given(notes())
def test_markdown_round_trip(page):
    again = parse_markdown(to_markdown(page), "n.md")
    assert again.kind is page.kind and again.title == page.title
    assert (again.description, again.claim, again.date) == (page.description, page.claim, page.date)
    assert again.categories == page.categories
    assert [(s.title, s.summary) for s in again.sources] == [
        (s.title, s.summary) for s in page.sources
    ]
    assert [(r.title, r.label) for r in again.related] == [(r.title, r.label) for r in page.related]
    assert [p.text for p in again.body] == [p.text for p in page.body]


SENTENCE_PARTS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Can models vote on anything at all?",
                "Why does it work?",
                " ",
                ". ",
                "? ",
                "! ",
                ", and",
                "In ",
                "It holds. ",
                "Does RL create reasoning at all? argues",
                "“Quoted.” Then",
            ]
        ),
        st.text(alphabet="abc ABC.?!,", max_size=12),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(SENTENCE_PARTS, st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_sentences_at_agrees_with_a_full_split(text, positions):
    # The builder looks sentences up only around each mention; it must pick the very
    # sentence a full split would (None where a position falls between sentences).
    from kg.sentences import sentences_at, split_sentences

    positions = sorted(p for p in positions if p < len(text))
    spans = split_sentences(text)
    expected = [next((s for a, b, s in spans if a <= p < max(b, a + 1)), None) for p in positions]
    assert sentences_at(text, positions) == expected


MARKDOWN_FRAGMENTS = st.sampled_from(
    [
        "[[a]]",
        "![[b.png]]",
        "[[dir/a|x]]",
        "[[#h]]",
        "[[a#^b]]",
        "[t](dir/a%20b.md)",
        "[t](https://x.y/#z)",
        "`[[c]]`",
        "```",
        "~~~",
        "<!--",
        "-->",
        "\\[\\[d\\]\\]",
        "#tag",
        "#a/b/c",
        "#123",
        "| [[e\\|f]] |",
        "---",
        "tags: [x, '#y']",
        "up: '[[a]]'",
        " ^blk",
    ]
)
MARKDOWN_TEXT = st.lists(st.one_of(MARKDOWN_FRAGMENTS, st.text(max_size=30)), max_size=25).map(
    lambda parts: "".join(p if i % 3 else p + "\n" for i, p in enumerate(parts))
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_TEXT, min_size=1, max_size=5))
def test_vault_builds_from_any_markdown(texts):
    names = ["a.md", "dir/a.md", "dir/a b.md", "e.md", "x/y.md"]
    pages = [parse_markdown(t, names[i]) for i, t in enumerate(texts)]
    notes, links, _ = build(pages, ["b.png", "dir/c.pdf"])
    assert all(row[0] in notes and row[1] in notes and row[0] != row[1] for row in links)
    files = [f for n in notes.values() for f in n.files if f.endswith(".md")]
    assert sorted(files) == sorted(p.path for p in pages if p.title)  # each file one note


def test_an_impossible_date_in_front_matter_is_reported_not_raised():
    """Found by the property test above: YAML reads 2026-13-45 as a timestamp and fails
    with ValueError; the note is read without its front matter, and says why."""
    page = parse_markdown("---\ndate: 2026-13-45\n---\nBody.", "any.md")
    assert page.title and page.body[0].text == "Body."
    assert any("front matter is not valid YAML" in d.message for d in page.diagnostics)
