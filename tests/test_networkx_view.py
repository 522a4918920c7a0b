"""`g.nx` and `g.to_networkx()` give what a straightforward construction gives (networkx's
own `add_nodes_from` / `add_edges_from` of `note_scalars` and `link_scalars`): the same
nodes in the same order, the same edges, keys, kinds and attributes, for a graph built
from files, the same graph reopened from its index, and one with awkward attributes; the
view stays read-only, and the graphs made from it are plain networkx graphs."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.codec import link_scalars, note_scalars, uniform_types
from kg.graph.knowledge import KnowledgeGraph
from kg.model import Link, LinkKind, Note, NoteKind

NOTES = Path(__file__).resolve().parent.parent / "notes"


def reference(graph: KnowledgeGraph, keep=None) -> nx.MultiDiGraph:
    """The graph as networkx builds it, one node and one edge at a time."""
    out = nx.MultiDiGraph()
    ids = list(graph.note_table)
    rows = uniform_types([note_scalars(graph.note_table[i]) for i in ids])
    out.add_nodes_from(zip(ids, rows, strict=True))
    out.add_edges_from(
        (link.source, link.target, f"e{i}", link_scalars(link))
        for i, link in enumerate(graph.links)
    )
    if keep is not None:
        out.remove_nodes_from([n for n in list(out) if not keep(n)])
    return out


def layout(graph: nx.MultiDiGraph) -> tuple[list, list, list, list]:
    """Everything a caller can see, in the order networkx gives it: nodes with their
    attributes (in key order), edges with keys and attributes, and the order of each
    node's successors and predecessors (with their edge keys)."""
    nodes = [(n, list(dict(d).items())) for n, d in graph.nodes(data=True)]
    edges = [(u, v, k, list(dict(d).items())) for u, v, k, d in graph.edges(keys=True, data=True)]
    succ = [(u, [(v, list(keys)) for v, keys in nbrs.items()]) for u, nbrs in graph.succ.items()]
    pred = [(v, [(u, list(keys)) for u, keys in nbrs.items()]) for v, nbrs in graph.pred.items()]
    return nodes, edges, succ, pred


def awkward() -> KnowledgeGraph:
    """Parallel links of several kinds, both ways, a self link, a character XML cannot
    hold, a property whose values mix types across notes, an attachment and a stub."""
    notes = {
        "a": Note("a", "Why A?", NoteKind.SYNTHESIS, properties_json='{"rating": 4}'),
        "b": Note("b", "B\x00", NoteKind.SYNTHESIS, properties_json='{"rating": 4.5}'),
        "s": Note("s", "S", NoteKind.SYNTHESIS, stub=True),
        "f": Note("f", "f.pdf", NoteKind.ATTACHMENT, stub=True),
        "t": Note("t", "#x", NoteKind.TAG),
    }
    links = [
        Link("a", "b", LinkKind.RELATED, "a.md", 3, label="extends", relation="extends"),
        Link("a", "b", LinkKind.MENTIONS, "a.md", 4, sentence="See B\x01 here."),
        Link("b", "a", LinkKind.MENTIONS, "b.md", 1),
        Link("a", "a", LinkKind.MENTIONS, "a.md", 5),
        Link("a", "s", LinkKind.SOURCE, "a.md", 6, order=1, summary="S says so."),
        Link("b", "f", LinkKind.EMBEDS, "b.md", 2),
        Link("a", "t", LinkKind.TAGGED, "a.md", 1),
        Link("a", "b", LinkKind.RELATED, "a.md", 7, label="qualified", annotation="only if"),
    ]
    return KnowledgeGraph(notes, links)


@pytest.fixture(scope="module")
def reopened(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    """The bundled notes built from their files, then reopened from the saved index."""
    folder = tmp_path_factory.mktemp("nx-view") / "notes"
    shutil.copytree(NOTES, folder)
    index = folder.parent / "index"
    built = kg.load(folder, index=index, embed="none")
    again = kg.load(folder, index=index, embed="none")
    assert not built.from_index and again.from_index
    return built, again


def graphs(reopened) -> list[KnowledgeGraph]:
    return [*reopened, awkward()]


@pytest.mark.parametrize("which", range(3))
def test_the_view_is_what_networkx_builds(reopened, which):
    graph = graphs(reopened)[which]
    assert layout(graph.nx) == layout(reference(graph))
    assert graph.nx.number_of_edges() == len(graph.links)


@pytest.mark.parametrize("which", range(3))
def test_to_networkx_is_what_networkx_builds(reopened, which):
    graph = graphs(reopened)[which]
    made = graph.to_networkx()
    assert layout(made) == layout(reference(graph))
    assert all(type(d) is dict for _, d in made.nodes(data=True))
    assert all(type(d) is dict for _, _, d in made.edges(data=True))


@pytest.mark.parametrize("which", range(3))
def test_to_networkx_leaves_out_as_removing_nodes_would(reopened, which):
    graph = graphs(reopened)[which]
    notes = graph.note_table

    def keep(n: str) -> bool:  # attachments are stubs too: left in by stubs=False
        kind = notes.kind(n)
        stub = notes.is_stub(n) and kind is not NoteKind.ATTACHMENT
        return not stub and kind not in (NoteKind.TAG, NoteKind.CATEGORY)

    made = graph.to_networkx(stubs=False, tags=False, categories=False)
    assert layout(made) == layout(reference(graph, keep))


def test_the_reopened_graph_gives_the_built_graphs_view(reopened):
    built, again = reopened
    assert layout(again.nx) == layout(built.nx)


def test_awkward_attributes_are_cleaned_and_of_one_type():
    G = awkward().nx
    assert G.nodes["b"]["title"] == "B" and G.nodes["a"]["rating"] == 4.0
    assert G.edges["a", "b", "e1"]["sentence"] == "See B here."
    assert list(G["a"]["b"]) == ["e0", "e1", "e7"] and list(G.pred["a"]) == ["b", "a"]


def test_the_view_is_read_only_to_the_leaves():
    G = awkward().nx
    with pytest.raises(nx.NetworkXError):
        G.add_edge("a", "b")
    with pytest.raises(TypeError):
        G.nodes["a"]["title"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        G.edges["a", "b", "e0"]["kind"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        G["a"]["b"]["e9"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        G.succ["a"]["z"] = {}  # type: ignore[index]


def test_networkx_copies_of_the_view_are_plain_graphs():
    graph = awkward()
    G = graph.nx
    for made in (G.copy(), G.to_undirected(), G.reverse(), copy.deepcopy(G)):
        made.nodes["a"]["title"] = "changed"  # a copy is the caller's to change
        assert G.nodes["a"]["title"] == "Why A?"
    assert nx.utils.edges_equal(
        G.reverse().edges(keys=True), reference(graph).reverse().edges(keys=True)
    )
    ranks = nx.pagerank(G)
    assert ranks == pytest.approx(nx.pagerank(reference(graph)))


def test_a_missing_node_is_an_error_as_in_networkx():
    G = awkward().nx
    assert "zz" not in G and [] not in G
    with pytest.raises(KeyError):
        G.nodes["zz"]
    with pytest.raises(nx.NetworkXError):
        list(G.successors("zz"))
    assert G.out_degree("a") == 6 and G.in_degree("b") == 3


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    """Generated site pages of every type (counts, concept maps, sources, truncated
    pages), Markdown notes with properties and a text XML cannot hold: built in memory
    (links as `Link` objects), then reopened from the saved index (links and notes read
    in bulk from it)."""
    from benchmarks.generate_corpus import generate

    folder = tmp_path_factory.mktemp("nx-generated") / "corpus"
    generate(folder, pages=120, seed=3, markdown_share=0.25, truncated_share=0.1)
    (folder / "odd.md").write_text(
        "---\nrating: 4\ntags: [x]\nreview:\n  by: Ann\n---\nSee [[Why B\x01?]] here\x02.\n"
    )
    (folder / "other.md").write_text("---\nrating: 4.5\ntitle: T\n---\nAlso [[odd]].\n")
    index = folder.parent / "index"
    built = kg.load(folder, index=index, embed="none", save=False)
    kg.load(folder, index=index, embed="none")
    again = kg.load(folder, index=index, embed="none")
    assert again.from_index and again.link_table.read_fields is not None
    assert built.link_table.read_fields is None
    return built, again


@pytest.mark.parametrize("which", range(2))
def test_generated_graphs_give_what_networkx_builds(generated, which):
    graph = generated[which]
    expected = layout(reference(graph))
    assert layout(graph.to_networkx()) == expected
    assert layout(graph.nx) == expected
    assert layout(graph.to_networkx()) == expected  # from the parts `nx` made: copies


def test_generated_graph_reopened_gives_the_built_graphs_networkx(generated):
    built, again = generated
    fresh = kg.load(again.root, index=again.index_folder, embed="none")
    notes = fresh.note_table

    def keep(n: str) -> bool:
        return notes.kind(n) is not NoteKind.TAG and not notes.is_stub(n)

    made = fresh.to_networkx(stubs=False, tags=False)
    whole = fresh.to_networkx()
    assert not notes._cache  # no note decoded for them: read without bodies, not kept
    assert fresh._links_tuple is None and fresh._nx_parts._edges is None  # nor links
    assert layout(whole) == layout(built.to_networkx())
    assert layout(made) == layout(reference(fresh, keep))


def test_attributes_from_a_notes_json_are_its_notes(generated):
    """`item_scalars` (a note's attributes from its saved JSON, no note decoded) gives what
    `note_scalars` gives the decoded note: keys, order, values and their types."""
    from kg.graph.nxparts import item_scalars

    _, again = generated
    items = dict(again.note_table.read_items())
    assert len(items) == len(again.note_table)
    for note_id, item in items.items():
        made = item_scalars(item)
        expected = note_scalars(again.note_table[note_id], xml_safe=False)
        assert list(made.items()) == list(expected.items())
        assert [type(v) for v in made.values()] == [type(v) for v in expected.values()]


def shares_key_dicts(graph: nx.MultiDiGraph) -> bool:
    """Whether the graph's successors and predecessors hold the same key dict for each
    pair of nodes, as networkx's `add_edge` makes them, and its adjacency is its
    successors."""
    return graph._adj is graph._succ and all(
        keys is graph._pred[v][u] for u, nbrs in graph._succ.items() for v, keys in nbrs.items()
    )


@pytest.mark.parametrize("which", range(2))
def test_generated_graphs_are_networkx_graphs_inside(generated, which, tmp_path):
    """The dicts inside `to_networkx()` are laid out as networkx's own: one key dict a pair
    of nodes, shared by both directions; nodes and edges in insertion order; and networkx's
    own comparisons, copies and writers take it as the graph it builds."""
    graph = generated[which]
    expected = reference(graph)
    assert shares_key_dicts(expected)
    for made in (graph.to_networkx(), graph.to_networkx(stubs=False, tags=False)):
        assert shares_key_dicts(made)
        assert all(type(keys) is dict for nbrs in made._succ.values() for keys in nbrs.values())
        assert len({id(d) for _, _, d in made.edges(data=True)}) == made.number_of_edges()
    made = graph.to_networkx()
    assert nx.utils.graphs_equal(made, expected)
    assert list(made.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert list(made.nodes(data=True)) == list(expected.nodes(data=True))
    assert layout(made.copy()) == layout(expected.copy())
    u, v = next(iter(made.edges()))  # networkx's own methods keep working on it
    made.add_edge(u, v, key="extra")
    assert "extra" in made.pred[v][u]
    made.remove_edge(u, v, key="extra")
    assert nx.utils.graphs_equal(made, expected)
    nx.write_graphml(made, tmp_path / "made.graphml")
    nx.write_graphml(expected, tmp_path / "expected.graphml")
    assert (tmp_path / "made.graphml").read_bytes() == (tmp_path / "expected.graphml").read_bytes()


def test_a_graph_updated_in_place_gives_what_networkx_builds(tmp_path):
    """A graph updated in place (an edited file) reads its attributes in bulk as a
    reopened one does, and gives what networkx builds from its decoded notes and links."""
    from benchmarks.generate_corpus import generate

    folder = tmp_path / "corpus"
    generate(folder, pages=80, seed=5, markdown_share=0.3)
    index = tmp_path / "index"
    kg.load(folder, index=index, embed="none")
    edited = sorted(folder.glob("*.md"))[0]
    head, rule, body = edited.read_text().partition("\n---\n")
    edited.write_text(head + rule + body.replace(". ", ".\x02 "))  # the same links, retold
    graph = kg.load(folder, index=index, embed="none")
    assert graph.index_update.mode == "updated", graph.index_update.reason
    assert graph.link_table.read_fields is not None and graph.note_table.read_items is not None
    made = graph.to_networkx()
    assert graph._nx_parts._edges is None  # made from the rows, not from decoded links
    assert layout(made) == layout(reference(graph))
    assert layout(made) == layout(kg.load(folder, save=False, embed="none").to_networkx())
    assert shares_key_dicts(made)
