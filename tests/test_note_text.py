"""`note.text()` (the running text without Markdown's markup, wikilinks as their shown
text) and `note.web_links` (the note's http(s) addresses, in order); any text and any
front matter read without an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg
import kg.markup
import kg.properties

NOTE = """---
title: Reading list
source: https://example.org/front
rating: 3
---
# A heading is no running text

Read **[[Scaling laws|the scaling paper]]** and *[[Other note]]* first,
then [the blog](https://blog.example.com/post?id=7 "title") and <http://old.example.net/x>.

```
https://in-a-fence.example.com is code, not a link
```

- `https://not.linked.example` in code is no link
- bare https://bare.example.org/path. ends a sentence
- ~~struck~~ and ==marked== and <span>html</span> and \\*escaped\\*[^1]

![a figure](https://img.example.com/fig.png)
"""


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory) -> kg.Note:
    folder: Path = tmp_path_factory.mktemp("vault")
    (folder / "Reading list.md").write_text(NOTE, encoding="utf-8")
    return kg.load(folder, embed="none", save=False).note("Reading list")


def test_text_is_the_running_text_without_markup(note):
    text = note.text()
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == (
        "Read the scaling paper and Other note first, then the blog and http://old.example.net/x."
    )
    assert "heading" not in text and "in-a-fence" not in text  # headings and code blocks
    assert "https://not.linked.example in code is no link" in text
    assert "struck and marked and html and *escaped*" in text
    for mark in ("**", "[[", "](", "`", "<span>", "==", "~~", "[^1]"):
        assert mark not in text, mark


def test_web_links_in_file_order(note):
    assert note.web_links == (
        "https://example.org/front",
        "https://blog.example.com/post?id=7",
        "http://old.example.net/x",
        "https://bare.example.org/path",
        "https://img.example.com/fig.png",
    )


def test_site_pages_read_as_their_paragraphs(notes_graph):
    for note in notes_graph.notes(stubs=False):
        assert note.text() == "\n\n".join(kg.markup.readable(p.text) for p in note.body)
    with_body = [n for n in notes_graph.notes(stubs=False) if n.body]
    assert with_body and all(n.text() for n in with_body)
    assert all("[[" not in n.text() for n in with_body)


MARKUP = st.lists(
    st.one_of(
        st.sampled_from(["**", "__", "*", "_", "~~", "==", "`", "[", "](", ")", "<", ">", "\\"]),
        st.sampled_from(["https://a.org/x", "http://b.net", "<br>", "[^1]", "[t](https://c.io)"]),
        st.sampled_from(["\x00", "\x001\x00", "\x000\x00"]),
        st.text(max_size=12),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKUP)
def test_any_text_reads_and_yields_only_web_addresses(text):
    shown = kg.markup.readable(text)
    assert isinstance(shown, str) and "\x00" not in shown
    assert all(a.startswith(("http://", "https://")) for a in kg.markup.web_links(text))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), JSON, max_size=5))
def test_any_front_matter_reads_as_a_hashable_mapping(data):
    properties = kg.properties.properties_from_json(json.dumps(data))
    assert hash(properties) == hash(kg.properties.properties_from_json(json.dumps(data)))
    assert properties.to_json() == data and dict(properties).keys() == data.keys()
