"""Results as tables and the graph for analysis: `.to_records()` and `.to_frame()` of every
list-returning query and of a trace, `MissingPackage` without pandas, `g.to_networkx`'s
weights by link kind, undirected and simple graphs, and `g.vectors()` as (ids, matrix).
On the bundled notes/, with vectors from the hashing embedder (not a test of the model)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.graph.analysis import KIND_WEIGHTS

NOTES = Path(__file__).resolve().parent.parent / "notes"
NOTE = "Can a verifier be trusted more than the generator it checks?"

NOTE_COLUMNS = ["note_id", "note_title", "note_kind"]
LINK_COLUMNS = [
    "source",
    "target",
    "kind",
    "file",
    "line",
    "order",
    "summary",
    "sentence",
    "label",
    "annotation",
    "relation",
    "section",
]
# The columns each query's records have, in order.
EXPECTED = {
    "near": [*NOTE_COLUMNS, "score", "linked", "vectors"],
    "search": [*NOTE_COLUMNS, "score", "snippet", "matched", "match_kind", "vectors"],
    "neighbours": [*NOTE_COLUMNS, *(f"link_{c}" for c in LINK_COLUMNS), "depth", "direction"],
    "backlinks": LINK_COLUMNS,
    "used_by": [*NOTE_COLUMNS, "claim", "kind", "depth", "via_id", "via_title", "via_kind"],
    "unsupported_claims": [
        *NOTE_COLUMNS,
        "claim_note_id",
        "claim_index",
        "claim_kind",
        "claim_text",
        "claim_field_index",
        "claim_line",
        "best",
        "evidence_kind",
        "evidence_text",
        "evidence_score",
        "evidence_label",
        "evidence_unsupported",
        "evidence_cosine",
        "evidence_rank",
        "evidence_vectors",
        "reason",
    ],
}


@pytest.fixture(scope="module")
def g(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    index = tmp_path_factory.mktemp("tables-index")
    return kg.load(NOTES, index=index, embed=True, embedder=FakeEmbedder())


def queries(g: kg.KnowledgeGraph) -> dict[str, kg.Results]:
    return {
        "near": g.near(NOTE, k=8),
        "search": g.search("majority vote", k=8, semantic=False),
        "neighbours": g.neighbours(NOTE, depth=2),
        "backlinks": g.backlinks(NOTE),
        "used_by": g.used_by(NOTE),
        "unsupported_claims": g.unsupported_claims(),
    }


def _plain(value) -> bool:
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return value is None or type(value) in (str, int, float, bool)


def test_every_query_gives_records_of_plain_values_with_its_columns(g):
    for name, results in queries(g).items():
        records = results.to_records()
        assert len(records) == len(results) > 0, name
        for row in records:
            assert list(row) == EXPECTED[name], name
            assert all(_plain(value) for value in row.values()), (name, row)
        json.dumps(records)  # plain data all the way down


def test_records_say_what_the_results_hold(g):
    near = g.near(NOTE, k=5)
    rows = near.to_records()
    assert [r["note_id"] for r in rows] == [hit.note.id for hit in near]
    assert [r["score"] for r in rows] == [hit.score for hit in near]
    neighbours = g.neighbours(NOTE, depth=1, kinds="related")
    assert {r["link_kind"] for r in neighbours.to_records()} == {"related"}
    search = g.search("majority vote", k=3, semantic=False).to_records()
    assert all(isinstance(r["matched"], list) and r["matched"] for r in search)


def test_every_query_gives_a_frame_with_the_same_rows(g):
    for name, results in queries(g).items():
        frame = results.to_frame()
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == EXPECTED[name], name
        assert len(frame) == len(results)
    near = g.near(NOTE, k=5).to_frame()
    assert near["score"].is_monotonic_decreasing
    # Joined to the note table in one line.
    joined = near.join(g.frame(), on="note_id", rsuffix="_note")
    assert (joined["title"] == joined["note_title"]).all()


def test_an_empty_result_still_has_its_columns(g):
    empty = g.search("zxqv flibbertigibbet", semantic=False)
    assert empty == [] and empty.to_records() == []
    frame = empty.to_frame()
    assert len(frame) == 0 and list(frame.columns) == EXPECTED["search"]
    assert list(g.near(NOTE, k=0).to_frame().columns) == EXPECTED["near"]


def test_a_trace_flattens_with_depth_and_parent(g):
    tree = g.trace(NOTE)
    nodes = list(tree.walk())
    rows = tree.to_records()
    assert len(rows) == len(nodes)
    assert rows[0]["parent"] is None and rows[0]["depth"] == 0 and rows[0]["kind"] == "claim"
    for row, (depth, node) in zip(rows, nodes, strict=True):
        assert row["depth"] == depth and row["kind"] == node.kind and row["score"] == node.score
        if row["parent"] is not None:
            parent = rows[row["parent"]]
            assert parent["depth"] == depth - 1 and parent["node"] < row["node"]
            assert node in nodes[row["parent"]][1].children
    frame = tree.to_frame()
    assert len(frame) == len(rows) and {"node", "parent", "depth", "note_title"} <= set(frame)
    assert (frame["depth"].max()) >= 2


def test_without_pandas_frames_raise_an_import_error_saying_what_to_install(g, monkeypatch):
    hits = g.near(NOTE, k=3)
    tree = g.trace(NOTE, claim=0, depth=1)
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    for call in (hits.to_frame, tree.to_frame, g.frame):
        with pytest.raises(ImportError) as raised:
            call()
        assert isinstance(raised.value, kg.KgError)
        assert isinstance(raised.value, kg.MissingPackage)
        assert "pip install" in str(raised.value)
    assert hits.to_records()  # records need no pandas


# ------------------------------------------------------------------ the graph for analysis


def test_weights_by_kind_follow_the_documented_table(g):
    G = g.to_networkx(weight="kind")
    assert isinstance(G, nx.MultiDiGraph) and G.number_of_edges() == len(g.links)
    for _u, _v, data in G.edges(data=True):
        assert data["weight"] == KIND_WEIGHTS[data["kind"]]
    assert {kind.value for kind in kg.LinkKind} == set(KIND_WEIGHTS)
    assert "weight" not in next(iter(g.to_networkx().edges(data=True)))[2]


def test_a_mapping_changes_the_weights_of_the_kinds_it_names(g):
    G = g.to_networkx(weight={"mentions": 0, "related": 3})
    for _u, _v, data in G.edges(data=True):
        expected = {"mentions": 0.0, "related": 3.0}.get(data["kind"], KIND_WEIGHTS[data["kind"]])
        assert data["weight"] == expected


def test_simple_collapses_parallel_links_summing_their_weights(g):
    multi = g.to_networkx(weight="kind")
    simple = g.to_networkx(simple=True, weight="kind")
    assert type(simple) is nx.DiGraph
    pairs = {(u, v) for u, v in multi.edges()}
    assert set(simple.edges()) == pairs
    assert sum(d["links"] for _u, _v, d in simple.edges(data=True)) == len(g.links)
    parallel = [(u, v) for u, v in pairs if multi.number_of_edges(u, v) > 1]
    assert parallel, "notes/ should have two notes joined by more than one link"
    for u, v in parallel:
        links = multi.get_edge_data(u, v).values()
        edge = simple.edges[u, v]
        assert edge["weight"] == pytest.approx(sum(d["weight"] for d in links))
        assert edge["kinds"] == ";".join(sorted({d["kind"] for d in links}))
    assert simple.nodes[g.note(NOTE).id]["title"] == NOTE


def test_undirected_graphs_join_both_ways(g):
    multi = g.to_networkx(undirected=True)
    assert type(multi) is nx.MultiGraph and multi.number_of_edges() == len(g.links)
    plain = g.to_networkx(undirected=True, simple=True, weight="kind")
    assert type(plain) is nx.Graph
    assert sum(d["links"] for _u, _v, d in plain.edges(data=True)) == len(g.links)
    total = sum(KIND_WEIGHTS[link.kind.value] for link in g.links)
    assert sum(d["weight"] for _u, _v, d in plain.edges(data=True)) == pytest.approx(total)
    unweighted = g.to_networkx(undirected=True, simple=True)
    assert all("weight" not in d for _u, _v, d in unweighted.edges(data=True))
    communities = nx.community.louvain_communities(plain, seed=1)
    assert sum(len(c) for c in communities) == plain.number_of_nodes()


def test_the_vectors_come_as_ids_and_a_matrix(g):
    vectors = g.vectors()
    assert isinstance(vectors, kg.NoteVectors)
    assert vectors.matrix.shape == (len(vectors.ids), g.embeddings.dim) == (len(vectors), 64)
    assert len(set(vectors.ids)) == len(vectors.ids)
    assert set(vectors.ids) == {i for i in g.embeddings.ids_with_vectors if i in g.note_table}
    assert all(g.find(note_id) is not None for note_id in vectors.ids)
    assert len(vectors.ids) >= len(g)  # every note with a page has a vector
    row = vectors.row(g.note(NOTE).id)
    assert np.array_equal(vectors.matrix[row], g.embeddings.note_vector(g.note(NOTE).id))
    assert np.allclose(np.linalg.norm(vectors.matrix, axis=1), 1.0, atol=1e-4)
    assert not vectors.matrix.flags.writeable
    # the repr says what the rows are: the "with vectors" figure of `kg stats` is the first
    parts = dict(vectors.parts)
    assert sum(parts.values()) == len(vectors)
    assert parts["notes and stubs"] == g.corpus_stats().embedded
    shown = ", ".join(f"{n} {what}" for what, n in vectors.parts if n)
    assert repr(vectors) == (
        f"NoteVectors(rows={len(vectors)} ({shown}), dim=64, model='{vectors.model}')"
    )


def test_a_graph_without_vectors_says_how_to_get_them(tmp_path):
    bare = kg.load(NOTES, index=tmp_path / "index", embed="none")
    with pytest.raises(kg.KgError, match="kg index"):
        bare.vectors()
