"""The corpus's shape in exports: every node's cluster, cluster name and bridge score in
GraphML (typed keys Gephi reads), RDF (`kg:cluster`, `kg:clusterName`, `kg:bridgeScore`)
and JSON, computed on the whole corpus whatever part is exported."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from lxml import etree

from kg.export import mapping, rdf
from kg.export.graphml import NO_CLUSTER, graphml_bytes
from kg.export.subgraph import Shape, SubGraph
from kg.model import Note, NoteKind

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = "Can a verifier be trusted more than the generator it checks?"
KEYS = "{http://graphml.graphdrawing.org/xmlns}key"


def expected(graph, note_id: str) -> dict[str, object]:
    """What the file should say of a note, from the graph's own clusters and bridges."""
    clustering = graph.clusters()
    number = clustering.of(note_id)
    if number is None:
        return dict(NO_CLUSTER)
    score = graph.bridge_scores(clustering)[note_id]
    return {"cluster": number, "cluster_name": clustering[number].name, "bridge": score}


def test_bridge_scores_are_the_scores_bridges_ranks(notes_graph):
    scores = notes_graph.bridge_scores()
    assert set(scores) == set(notes_graph.clusters().labels)
    top = notes_graph.bridges(top=5)
    assert [scores[b.note_id] for b in top] == [b.score for b in top]
    ranked = sorted(scores.values(), reverse=True)
    assert ranked[:5] == [b.score for b in top] and min(ranked) >= 0.0


def test_graphml_carries_cluster_name_and_bridge_with_typed_keys(notes_graph, tmp_path):
    sub = notes_graph.subgraph()
    read = nx.read_graphml(sub.to_graphml(tmp_path / "all.graphml"), force_multigraph=True)
    top = notes_graph.bridges(top=1)[0]
    verifier = notes_graph.note(VERIFIER).id
    stub = next(n.id for n in sub if n.stub)
    for note_id in (top.note_id, verifier, stub, next(iter(notes_graph.clusters().labels))):
        shown = {k: read.nodes[note_id][k] for k in ("cluster", "cluster_name", "bridge")}
        assert shown == expected(notes_graph, note_id), note_id
    assert read.nodes[top.note_id]["bridge"] == top.score > 0
    assert read.nodes[stub]["cluster"] == -1 and read.nodes[stub]["cluster_name"] == ""
    assert {read.nodes[n]["cluster"] for n in read} >= set(range(len(notes_graph.clusters())))
    root = etree.fromstring(graphml_bytes(sub))
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(KEYS)}
    assert keys[("node", "cluster")] == "int" and keys[("node", "cluster_name")] == "string"
    assert keys[("node", "bridge")] == "double" and keys[("node", "disagreements")] == "int"


def test_a_part_carries_the_whole_corpuss_clusters(notes_graph):
    part = notes_graph.subgraph(around=VERIFIER, depth=1, kinds="related")
    assert 1 < len(part) < len(notes_graph.clusters().labels)
    assert part.shape is not None
    for note in part:
        number, name, score = part.shape.of(note.id) or (-1, "", 0.0)
        assert {"cluster": number, "cluster_name": name, "bridge": score} == expected(
            notes_graph, note.id
        )
    assert set(part.shape.names) == set(part.shape.clusters.values())


def test_rdf_has_cluster_triples_for_clustered_notes_only(notes_graph):
    sub = notes_graph.subgraph()
    graph = rdf.to_rdflib(sub)
    verifier = notes_graph.note(VERIFIER).id
    note = rdflib.URIRef("urn:kg:note:" + verifier)
    want = expected(notes_graph, verifier)
    cluster = rdflib.URIRef(mapping.CLUSTER_PROPERTY)
    assert graph.value(note, cluster).toPython() == want["cluster"]
    name = graph.value(note, rdflib.URIRef(mapping.CLUSTER_NAME_PROPERTY))
    assert str(name) == want["cluster_name"]
    score = graph.value(note, rdflib.URIRef(mapping.BRIDGE_PROPERTY))
    assert score.datatype == rdflib.XSD.double and score.toPython() == want["bridge"]
    clustered = {str(s) for s in graph.subjects(cluster, None)}
    assert len(clustered) == len(notes_graph.clusters().labels)
    assert all(not n.stub for n in sub if f"urn:kg:note:{n.id}" in clustered)
    rows = rdf.sparql(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s kg:bridgeScore ?b }")
    assert int(next(iter(rows))[0]) == len(clustered)
    assert "| `kg:clusterName` |" in (ROOT / "README.md").read_text(encoding="utf-8")
    shapes = rdf.SHAPES.read_text(encoding="utf-8")
    assert all(f"sh:path kg:{p}" in shapes for p in ("cluster", "clusterName", "bridgeScore"))


def test_shapes_reject_a_cluster_that_is_not_an_integer(notes_graph):
    graph = rdf.to_rdflib(notes_graph.subgraph(around=VERIFIER, depth=1, kinds="related"))
    assert rdf.validate(graph)[0]
    note = rdflib.URIRef("urn:kg:note:" + notes_graph.note(VERIFIER).id)
    cluster = rdflib.URIRef(mapping.CLUSTER_PROPERTY)
    graph.set((note, cluster, rdflib.Literal("zero")))
    assert not rdf.validate(graph)[0]


def test_json_export_carries_the_shape_and_reads_it_back(notes_graph, tmp_path):
    sub = notes_graph.subgraph()
    data = json.loads(sub.to_json(tmp_path / "all.json").read_text(encoding="utf-8"))
    shape = data["graph"]["shape"]
    verifier = notes_graph.note(VERIFIER).id
    want = expected(notes_graph, verifier)
    assert shape["clusters"][verifier] == want["cluster"]
    assert shape["cluster_names"][str(want["cluster"])] == want["cluster_name"]
    assert shape["bridges"][verifier] == want["bridge"]
    assert SubGraph.from_json_data(data).shape == sub.shape


def test_shape_false_writes_none_of_it(notes_graph):
    sub = notes_graph.subgraph(shape=False)
    assert sub.shape is None
    data = graphml_bytes(sub)
    assert b'attr.name="cluster"' not in data and b'attr.name="disagreements"' in data
    assert b"clusterName" not in sub.serialize("nt")
    assert "shape" not in sub.to_json_data()["graph"]
    with pytest.raises(ValueError, match="shape"):
        notes_graph.subgraph(shape="no")


def test_a_front_matter_property_of_the_same_name_is_kept_apart():
    notes = [
        Note("a", "A?", NoteKind.SYNTHESIS, properties_json='{"cluster": "mine"}'),
        Note("b", "B?", NoteKind.SYNTHESIS),
    ]
    sub = SubGraph(notes, shape=Shape({"a": 3}, {3: "three"}, {"a": 0.5}))
    read = nx.read_graphml(io.BytesIO(graphml_bytes(sub)))
    assert read.nodes["a"]["property_cluster"] == "mine" and read.nodes["a"]["cluster"] == 3
    assert read.nodes["b"]["cluster"] == -1 and read.nodes["b"]["bridge"] == 0.0
    assert b"cluster" not in graphml_bytes(SubGraph(notes[1:]))  # a bare subgraph: nothing


def test_cli_export_no_shape(tmp_path):
    where = ["--corpus", str(ROOT / "notes"), "--index", str(tmp_path / "index")]
    for extra, has in (([], True), (["--no-shape"], False)):
        target = tmp_path / f"out{len(extra)}.graphml"
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "export", *where, *extra, "-o", str(target)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        assert (b'attr.name="cluster_name"' in target.read_bytes()) is has
