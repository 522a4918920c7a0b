"""The Python API as a newcomer meets it, on the bundled notes/: the networkx graph,
argument checks that name the valid values, lookups, paths, and the table of notes."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pytest

import kg
from kg.errors import InvalidArgument, KgError
from kg.graph.knowledge import _demo
from kg.model import Link, LinkKind, NoteKind


@pytest.fixture(scope="module")
def g(notes_graph):
    return notes_graph


def _some_note(graph):
    return next(n for n in graph.notes(stubs=False) if n.kind is NoteKind.SYNTHESIS)


# ---------------------------------------------------------------- networkx


def test_nx_writes_graphml_as_it_is(g, tmp_path):
    path = tmp_path / "notes.graphml"
    nx.write_graphml(g.nx, path)
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == g.nx.number_of_nodes()
    assert back.number_of_edges() == len(g.links)


def test_nx_node_link_data_is_json_as_it_is(g):
    data = json.loads(json.dumps(nx.node_link_data(g.nx, edges="links")))
    assert len(data["nodes"]) == len(list(g)) and len(data["links"]) == len(g.links)


def test_nx_attributes_are_scalars_a_user_can_read(g):
    graph = g.nx
    scalar = (str, int, float, bool)
    for _, data in graph.nodes(data=True):
        assert all(isinstance(v, scalar) for v in data.values()), data
    for _, _, data in graph.edges(data=True):
        assert all(isinstance(v, scalar) for v in data.values()), data
    note = _some_note(g)
    node = graph.nodes[note.id]
    assert node["title"] == note.title and node["kind"] == "synthesis" and node["stub"] is False
    if note.description:
        assert node["description"] == note.description
    if note.categories:
        assert node["categories"] == "; ".join(note.categories)
    edge_keys = {k for _, _, d in graph.edges(data=True) for k in d}
    assert {"kind", "line", "file", "relation", "label", "order"} <= edge_keys


def test_nx_matches_the_export_schema(g):
    whole = g.subgraph().to_networkx()
    mine = g.nx
    assert {n: dict(d) for n, d in mine.nodes(data=True)} == dict(whole.nodes(data=True))
    mine_edges = sorted(repr((u, v, dict(d))) for u, v, d in mine.edges(data=True))
    assert mine_edges == sorted(map(repr, whole.edges(data=True)))


def test_nx_is_read_only_and_to_networkx_a_copy_to_change(g):
    import networkx as nx

    shared = g.nx
    count = shared.number_of_nodes()
    with pytest.raises(nx.NetworkXError):
        shared.remove_nodes_from(list(shared)[:10])
    with pytest.raises(TypeError):
        next(iter(shared.nodes(data=True)))[1]["title"] = "changed"
    assert g.nx is shared and g.nx.number_of_nodes() == count
    mine = g.to_networkx()
    mine.remove_nodes_from(list(mine)[:10])
    next(iter(mine.nodes(data=True)))[1]["title"] = "changed"
    assert g.nx.number_of_nodes() == count
    assert all(d["title"] != "changed" for _, d in g.nx.nodes(data=True))


def test_to_networkx_leaves_out_what_is_asked(g):
    full = g.to_networkx()
    bare = g.to_networkx(stubs=False, categories=False, tags=False, attachments=False)
    kinds = {d["kind"] for _, d in bare.nodes(data=True)}
    assert not {"category", "tag", "attachment"} & kinds
    assert not any(d["stub"] for _, d in bare.nodes(data=True))
    assert bare.number_of_nodes() == len(g) < full.number_of_nodes()
    only_stubs_out = g.to_networkx(stubs=False)
    assert any(d["kind"] == "category" for _, d in only_stubs_out.nodes(data=True))


def test_links_cannot_be_changed_from_outside(g):
    links = g.links
    assert isinstance(links, tuple)
    with pytest.raises(AttributeError):
        links.append(links[0])  # type: ignore[attr-defined]
    assert g.links == links


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    "call",
    [
        lambda g, n: g.neighbours(n, kinds="relatd"),
        lambda g, n: g.neighbours(n, node_kinds="papr"),
        lambda g, n: g.neighbours(n, direction="forward"),
        lambda g, n: g.neighbours(n, depth=-1),
        lambda g, n: g.neighbours(n, depth=1.5),
        lambda g, n: g.links_of(n, "forward"),
        lambda g, n: g.links_of(n, kinds=["related", "cites"]),
        lambda g, n: g.backlinks(n, kinds="relatd"),
        lambda g, n: g.path(n, n, kinds="relatd"),
        lambda g, n: g.subgraph(around=n, kinds="relatd"),
        lambda g, n: g.subgraph(around=n, node_kinds="papr"),
        lambda g, n: g.subgraph(around=n, direction="forward"),
        lambda g, n: g.subgraph(around=n, depth=-2),
        lambda g, n: g.notes(kind="papr"),
        lambda g, n: g.near(n, node_kinds="papr"),
        lambda g, n: g.near(n, kinds="papr"),
        lambda g, n: g.search("reasoning", k=-1),
        lambda g, n: g.trace(n, depth=-1),
        lambda g, n: g.used_by(n, depth=-1),
    ],
)
def test_every_argument_error_is_invalid_argument(g, call):
    note = _some_note(g)
    with pytest.raises(InvalidArgument) as caught:
        call(g, note.title)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, KgError)
    message = str(caught.value)
    assert "valid:" in message or "whole number" in message


def test_argument_errors_name_the_valid_values(g):
    note = _some_note(g)
    with pytest.raises(InvalidArgument, match="valid: out, in, both"):
        g.neighbours(note, direction="forward")
    with pytest.raises(InvalidArgument) as caught:
        g.neighbours(note, kinds="relatd")
    assert all(kind.value in str(caught.value) for kind in LinkKind)
    with pytest.raises(InvalidArgument) as caught:
        g.notes(kind="papr")
    assert all(kind.value in str(caught.value) for kind in NoteKind)


def test_one_string_is_one_kind(g):
    note = g.note(_some_note(g).id)
    papers = g.neighbours(note, node_kinds="paper", depth=2)
    assert papers and all(n.note.kind is NoteKind.PAPER for n in papers)
    assert papers == g.neighbours(note, node_kinds=["paper"], depth=2)
    assert papers == g.neighbours(note, node_kinds=NoteKind.PAPER, depth=2)
    related = g.links_of(note, kinds="related")
    assert related == g.links_of(note, kinds=[LinkKind.RELATED])


def test_near_takes_node_kinds_and_its_older_name(g):
    with pytest.raises(KgError, match="no embeddings"):
        g.near(_some_note(g), node_kinds="paper")
    with pytest.raises(InvalidArgument, match="not both"):
        g.near(_some_note(g), node_kinds="paper", kinds="paper")


# ---------------------------------------------------------------- notes


def test_len_agrees_with_kg_stats(g):
    stats = g.corpus_stats()
    assert len(g) == stats.notes == 41
    assert len(g) == len([n for n in g.notes(stubs=False) if n.kind not in kg.model.NOT_NOTES])
    assert len(list(g)) == len(g.notes()) > len(g)


def test_len_agrees_with_the_cli(g, tmp_path):
    from conftest import NOTES

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "stats",
            "--json",
            "--corpus",
            str(NOTES),
            "--index",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout)["notes"] == len(g)


def test_repr_says_what_the_graph_holds(g):
    stats = g.corpus_stats()
    assert repr(g) == (
        f"<KnowledgeGraph notes/: {stats.notes} notes, {stats.stubs} stubs, {stats.links} links>"
    )


def test_contains_and_getitem(g):
    note = _some_note(g)
    assert note.title in g and note.title.upper() in g and note.id in g and note in g
    assert "no such note at all" not in g and 42 not in g
    assert g[note.title] is g.note(note.id)
    with pytest.raises(kg.NoteNotFound) as caught:
        g[note.title[:-3] + "xyz"]
    assert note.title in caught.value.suggestions


def test_notes_by_kind_category_tag_and_stubs(g):
    assert all(n.kind is NoteKind.PAPER for n in g.notes(kind="paper"))
    assert all(not n.stub for n in g.notes(stubs=False))
    named = next(n for n in g.notes(stubs=False) if n.categories)
    category = named.categories[0]
    in_category = g.notes(category=category.upper())
    assert named in in_category and all(category in n.categories for n in in_category)
    tag = g.tags()
    assert tag
    first = next(iter(tag))
    assert len(g.notes(tag=first)) == tag[first]
    assert g.notes(kind=["paper", "hub"]) == [
        n for n in g.notes() if n.kind in (NoteKind.PAPER, NoteKind.HUB)
    ]


# ---------------------------------------------------------------- paths


def test_path_gives_notes_and_links(g):
    start = _some_note(g)
    far = next(n.note for n in g.neighbours(start, depth=2) if n.depth == 2 and not n.note.stub)
    path = g.path(start, far)
    assert path.found and not path.same and len(path) == 2
    assert path.notes[0] == start and path.notes[-1] == far and len(path.notes) == 3
    assert path.links == tuple(path) and all(isinstance(lk, Link) for lk in path)
    for (a, b), link in zip(zip(path.notes, path.notes[1:], strict=False), path.links, strict=True):
        assert {link.source, link.target} == {a.id, b.id}


def test_path_tells_same_note_from_no_path(g):
    start = _some_note(g)
    same = g.path(start, start.title)
    assert same.found and same.same and same.notes == (start,) and list(same) == []
    graph = _demo()
    none = graph.path("a", "c", kinds="related")
    assert not none.found and not none.same and none.notes == () and none == []
    assert "found=False" in repr(none)


# ---------------------------------------------------------------- tables


def test_to_records_needs_no_pandas(g):
    records = g.to_records()
    assert len(records) == len(list(g))
    note = _some_note(g)
    row = next(r for r in records if r["id"] == note.id)
    assert row["title"] == note.title and row["categories"] == list(note.categories)
    assert row["links_out"] == len(g.links_of(note, "out"))
    assert row["links_in"] == len(g.backlinks(note))
    assert len(g.to_records(stubs=False, categories=False, tags=False, attachments=False)) == len(g)
    json.dumps(records, default=str)  # plain data; dates and times as datetime values


def test_frame_without_pandas_says_how_to_get_it(g, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ImportError, match="pip install pandas"):
        g.frame()
    with pytest.raises(ImportError, match="pip install pandas"):
        g.metadata().to_frame()


def test_frame_is_a_dataframe_of_notes(g):  # pandas comes with the dev extras
    frame = g.frame(stubs=False)
    note = _some_note(g)
    assert frame.loc[note.id, "title"] == note.title
    assert len(frame) == len(g.notes(stubs=False))


# ---------------------------------------------------------------- types


def test_typed_returns(g):
    from rdflib.query import Result

    note = _some_note(g)
    assert isinstance(g.subgraph(around=note), kg.SubGraph)
    assert isinstance(g.sparql("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"), Result)
    assert all(isinstance(use, kg.Use) for use in g.used_by(note))


def test_kg_path_tells_one_note_from_no_path(tmp_path):
    import subprocess
    import sys

    run = [sys.executable, "-m", "kg.cli", "path", "--corpus", "notes", "--index", str(tmp_path)]
    title = "Can LLM judges replace human evaluation?"
    same = subprocess.run([*run, title, title.upper()], capture_output=True, text=True)
    assert same.returncode == 0 and same.stdout.startswith("both name one note")
