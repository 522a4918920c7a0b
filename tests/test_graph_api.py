"""The Python API on the seeds: lookup, neighbours, backlinks, paths, figures, the index."""

from __future__ import annotations

import shutil

import networkx as nx
import pytest

import kg
from kg.index.stamps import read_manifest
from kg.model import LinkKind, NoteKind

HIDDEN = "Do base models already contain hidden reasoning ability?"
LINE_002 = (
    "What emergent behaviors do models develop when trained on underspecified pedagogical tasks?"
)


def test_note_lookup_by_title_id_and_case(seed_graph):
    note = seed_graph.note(HIDDEN)
    assert seed_graph.note(note.id) is note
    assert seed_graph.note(HIDDEN.upper()) is note
    assert note.id == "do-base-models-already-contain-hidden-reasoning-ability"


def test_unknown_title_suggests_closest(seed_graph):
    with pytest.raises(kg.NoteNotFound) as caught:
        seed_graph.note("base models hidden reasoning abilty")
    assert HIDDEN in caught.value.suggestions


def test_neighbours_filter_by_kind_and_direction(seed_graph):
    related = seed_graph.neighbours(HIDDEN, kinds="related", direction="out")
    assert len(related) == 16 and {n.link.kind for n in related} == {LinkKind.RELATED}
    used_by = seed_graph.neighbours(HIDDEN, kinds=[LinkKind.USES], direction="in")
    assert len(used_by) == 317 and all(n.note.kind is NoteKind.LINE for n in used_by)
    assert seed_graph.neighbours(HIDDEN, kinds="related", direction="in") == []


def test_neighbours_depth_two_reaches_through_a_line(seed_graph):
    two = seed_graph.neighbours(HIDDEN, depth=2, kinds=["source", "mentions"])
    depth_one = {n.note.title for n in two if n.depth == 1}
    depth_two = {n.note.title for n in two if n.depth == 2}
    assert LINE_002 in depth_one
    assert "Do models know what they don't know?" in depth_two
    assert HIDDEN not in depth_one | depth_two


def test_backlinks_and_path(seed_graph):
    kinds = {lk.kind for lk in seed_graph.backlinks(HIDDEN)}
    assert {LinkKind.SOURCE, LinkKind.MENTIONS} <= kinds
    chain = seed_graph.path(HIDDEN, "Do models know what they don't know?")
    assert len(chain) == 2 and chain[0].source == seed_graph.note(LINE_002).id
    assert seed_graph.path(HIDDEN, HIDDEN) == []
    assert seed_graph.path(HIDDEN, "Do models know what they don't know?", kinds="related") == []


def test_stats_counts_direct_and_two_hop(seed_graph):
    stats = seed_graph.stats(LINE_002)
    assert stats.direct == len(
        {n.note.id for n in seed_graph.neighbours(LINE_002) if n.note.kind is not NoteKind.CATEGORY}
    )
    assert stats.two_hop > stats.direct and 0.0 <= stats.density <= 1.0
    # `stubs` counts the direct neighbours with no page of their own.
    assert stats.stubs == len(
        {
            n.note.id
            for n in seed_graph.neighbours(LINE_002)
            if n.note.stub and n.note.kind not in (NoteKind.CATEGORY, NoteKind.ATTACHMENT)
        }
    )
    assert 0 < stats.stubs < stats.direct


def test_nx_graph_is_a_multidigraph_with_typed_edges(seed_graph):
    assert isinstance(seed_graph.nx, nx.MultiDiGraph)
    kinds = {d["kind"] for _, _, d in seed_graph.nx.edges(data=True)}
    assert "source" in kinds and "related" in kinds
    assert seed_graph.nx.nodes[seed_graph.note(HIDDEN).id]["kind"] == "synthesis"


def test_index_is_reused_and_refreshed_when_a_file_changes(seeds_dir, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    first = kg.load(corpus, embed=False)
    assert (corpus / ".kg" / "manifest.json").is_file()
    again = kg.load(corpus, embed=False)
    assert len(again) == len(first) and len(again.links) == len(first.links)
    assert again.note(HIDDEN).claim == first.note(HIDDEN).claim
    page = next(corpus.glob("004_*.txt"))
    page.write_text(
        page.read_text().replace("minimal training signals can unlock", "tiny signals unlock")
    )
    changed = kg.load(corpus, embed=False)
    assert changed.note(HIDDEN).claim.endswith("tiny signals unlock")


def test_damaged_index_is_rebuilt_not_used(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    good = kg.load(seeds_dir, index=index, embed=False)
    # Counted before the file is damaged: `good` reads its links from it, as any graph
    # opened from an index does.
    notes, links = len(good), len(good.links)
    graph_file = index / read_manifest(index)["graph"]
    data = graph_file.read_bytes()
    graph_file.write_bytes(data[: len(data) // 2])  # cut in half, as a crash might
    again = kg.load(seeds_dir, index=index, embed=False)
    assert len(again) == notes and len(again.links) == links
    graph_file = index / read_manifest(index)["graph"]
    graph_file.write_bytes(b"x" * len(data))  # same size, garbage content
    assert len(kg.load(seeds_dir, index=index, embed=False).links) == links


def test_reopened_index_has_the_same_links_and_adjacency(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    built = kg.load(seeds_dir, index=index, embed=False)
    reopened = kg.load(seeds_dir, index=index, embed=False)
    assert not built.from_index and reopened.from_index
    assert [lk.to_row() for lk in reopened.links] == [lk.to_row() for lk in built.links]
    for note in built:
        assert [lk.to_row() for lk in reopened.links_of(note.id)] == [
            lk.to_row() for lk in built.links_of(note.id)
        ]
    assert reopened.corpus_stats() == built.corpus_stats()


def test_inconsistent_link_columns_are_rebuilt_not_used(seeds_dir, tmp_path):
    import json
    import sqlite3

    import numpy as np

    index = tmp_path / "idx"
    good = kg.load(seeds_dir, index=index, embed=False)
    graph_file = index / read_manifest(index)["graph"]
    db = sqlite3.connect(graph_file)
    (layout,) = db.execute("SELECT value FROM meta WHERE key = 'link_columns'").fetchone()
    db.close()
    layout = json.loads(layout)
    columns_file = index / layout["file"]
    flat = np.load(columns_file)
    start = sum(layout["lengths"][:3])  # sources, targets, kinds, then out_offsets
    end = start + layout["lengths"][3]
    flat[start:end] = flat[start:end][::-1].copy()  # same length; no longer ascending
    np.save(columns_file, flat)
    again = kg.load(seeds_dir, index=index, embed=False)
    assert not again.from_index  # read from the pages again, not from the damaged file
    assert [lk.to_row() for lk in again.links] == [lk.to_row() for lk in good.links]
