"""The parser's version is part of the index's key: an index whose pages an earlier parser
read is parsed again when opened, keeping its vectors; and a change of what the parser
gives cannot go in without a new `kg.parse.PARSE_VERSION`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder

import kg
import kg.index.stamps as stamps
import kg.index.write as write
import kg.parse.markdown as markdown
from kg.config import load_config
from kg.index.overview import index_state
from kg.parse import PARSE_VERSION
from kg.parse.corpus import discover, display_paths, parse_file
from kg.parse.transfer import encode_parsed

HERE = Path(__file__).resolve().parent
SAMPLES = [HERE.parent / "notes", *(HERE / "data" / name for name in ("obsidian_vault",
           "site_pages", "site_seams", "bad_corpus"))]  # fmt: skip

# What the samples parse into, by parser version. A failure here means the parser gives
# something else now: bump kg.parse.PARSE_VERSION (so that indexes parsed before are parsed
# again) and add the new digest under it.
# (3 changed nothing these samples hold: the Obsidian rules it fixed are tested in
# tests/test_obsidian_rules.py.)
PARSED = {2: "270dc13322bc31a4ee2a9d89ef6eb597", 3: "270dc13322bc31a4ee2a9d89ef6eb597"}

NOTE = """---
title: Why do crowds win?
related:
  - Can juries err?
  - Do markets aggregate?
---
Crowds win when errors cancel.
"""


def parsed_digest() -> str:
    digest = hashlib.blake2b(digest_size=16)
    for root in SAMPLES:
        config = load_config(root)
        paths = discover(root)
        for path, shown in zip(paths, display_paths(paths, root), strict=True):
            item = encode_parsed(*parse_file(path, root, config, shown))
            digest.update(json.dumps([root.name, item], default=str).encode("utf-8"))
    return digest.hexdigest()


def test_the_parser_version_names_what_the_parser_gives():
    assert parsed_digest() == PARSED.get(PARSE_VERSION), (
        "what the parser gives changed: bump kg.parse.PARSE_VERSION and record the new digest"
    )


def related_lines(graph: kg.KnowledgeGraph) -> list[int]:
    return sorted(link.line for link in graph.links if link.kind.value == "related")


def test_an_index_an_older_parser_wrote_is_parsed_again_and_keeps_its_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "crowds.md").write_text(NOTE, encoding="utf-8")
    # The index kg wrote before PARSE_VERSION 2: every front-matter link on the front
    # matter's first line, a manifest that names no parser.
    with monkeypatch.context() as old:
        old.setattr(markdown, "item_lines", lambda lines, end, key, first: lambda title: first)
        old.setattr(stamps, "PARSE_VERSION", 1)
        old.setattr(write, "INDEX_KEY", {"version": stamps.FORMAT_VERSION})
        before = kg.load(corpus, embedder=FakeEmbedder(), embed=True)
        assert related_lines(before) == [2, 2]
        assert before.embeddings is not None
    assert index_state(corpus) == "outdated"
    embedder = FakeEmbedder()
    graph = kg.load(corpus, embedder=embedder, embed=True)
    assert graph.index_update.mode == "rebuilt"
    assert related_lines(graph) == [4, 5]
    assert embedder.texts_embedded == 0  # the texts are the same: their vectors are kept
    assert graph.embeddings is not None and graph.embeddings.count == before.embeddings.count
    assert index_state(corpus) == "present"
    again = kg.load(corpus, embedder=FakeEmbedder(), embed=True)
    assert again.index_update.mode == "reused" and related_lines(again) == [4, 5]
