"""Exports as the tools that read them see them: GraphML checked against the GraphML schema
and read back by networkx and igraph; RDF parsed back by rdflib and by pyoxigraph and
checked against the shipped SHACL shapes; JSON read back into the same notes and links."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from lxml import etree

import kg
from kg.export import formats, mapping, rdf
from kg.export.graphml import graphml_bytes, to_networkx
from kg.export.subgraph import NearPair, SubGraph, subgraph
from kg.model import Link, LinkKind, Note, NoteKind

HIDDEN = "Do base models already contain hidden reasoning ability?"
KNOW = "Do models know what they don't know?"
ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = Path(__file__).with_name("data") / "graphml.xsd"
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def graphml_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


@pytest.fixture(scope="module", params=["seeds", "notes"])
def corpus(request, seed_graph, notes_graph):
    return seed_graph if request.param == "seeds" else notes_graph


def check_graphml(path: Path, sub: SubGraph, schema: etree.XMLSchema) -> nx.MultiDiGraph:
    """Valid against the schema, and networkx and igraph read the same counts."""
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    edges = len(sub.links) + len(sub.near)
    read = nx.read_graphml(path, force_multigraph=True)
    assert (read.number_of_nodes(), read.number_of_edges()) == (len(sub.notes), edges)
    other = igraph.Graph.Read_GraphML(str(path))
    assert (other.vcount(), other.ecount()) == (len(sub.notes), edges)
    return read


def oxigraph_count(data: bytes, fmt: str) -> int:
    return len(set(ox.parse(data, format=OX_FORMATS[fmt])))


# ---------------------------------------------------------------- choosing subgraphs


def test_whole_corpus_is_every_note_and_link(seed_graph):
    sub = seed_graph.subgraph()
    assert len(sub) == len(seed_graph.notes()) and len(sub.links) == len(seed_graph.links)
    assert sub.selection == {"whole": True}


def test_neighbourhood_depth_and_kind_filters(seed_graph):
    centre = seed_graph.note(HIDDEN)
    one = subgraph(seed_graph, around=HIDDEN, depth=1, kinds="related")
    assert len(one) == 17 and {lk.kind for lk in one.links} == {LinkKind.RELATED}
    assert all(lk.source == centre.id for lk in one.links)
    papers = subgraph(seed_graph, around=HIDDEN, kinds=["paper"], direction="out")
    assert sorted(lk.order for lk in papers.links) == list(range(1, 9))
    lines = subgraph(seed_graph, around=HIDDEN, depth=1, node_kinds="line")
    assert {n.kind for n in lines if n.id != centre.id} == {NoteKind.LINE}
    assert centre.id in lines  # a named note stays whatever its kind
    two = subgraph(seed_graph, around=HIDDEN, depth=2, kinds=["source", "mentions"])
    assert seed_graph.note(KNOW).id in two
    assert KNOW not in {n.title for n in subgraph(seed_graph, around=HIDDEN, depth=1)}


def test_categories_are_leaves_unless_their_links_are_asked_for():
    notes = {
        "a": Note("a", "Can A happen?", NoteKind.SYNTHESIS, categories=("X",)),
        "b": Note("b", "Does B hold?", NoteKind.SYNTHESIS, categories=("X",)),
        "c": Note("c", "Why C?", NoteKind.SYNTHESIS),
        "category-x": Note("category-x", "X", NoteKind.CATEGORY),
    }
    links = [
        Link("a", "category-x", LinkKind.CATEGORY),
        Link("b", "category-x", LinkKind.CATEGORY),
        Link("a", "c", LinkKind.RELATED, relation="related"),
    ]
    g = kg.KnowledgeGraph(notes, links)
    assert sorted(g.subgraph(around="a", depth=2).notes) == ["a", "c", "category-x"]
    walked = g.subgraph(around="a", depth=2, kinds="category")
    assert sorted(walked.notes) == ["a", "b", "category-x"] and len(walked.links) == 2
    assert sorted(g.subgraph(around="X", depth=1).notes) == ["a", "b", "category-x"]


def test_several_centres_a_path_and_a_list(seed_graph):
    both = subgraph(seed_graph, around=[HIDDEN, KNOW], depth=1, kinds="related")
    assert seed_graph.note(KNOW).id in both and len(both.links) >= 16
    chain = subgraph(seed_graph, path=(HIDDEN, KNOW))
    assert [lk.kind for lk in chain.links] == [lk.kind for lk in seed_graph.path(HIDDEN, KNOW)]
    assert len(chain) == len(chain.links) + 1
    listed = subgraph(seed_graph, notes=[HIDDEN, KNOW])
    assert len(listed) == 2 and all(
        {lk.source, lk.target} <= set(listed.notes) for lk in listed.links
    )
    no_stubs = subgraph(seed_graph, around=HIDDEN, stubs=False)
    assert all(not n.stub for n in no_stubs)
    with pytest.raises(kg.NoteNotFound):
        subgraph(seed_graph, around="no such note at all, really")


# ---------------------------------------------------------------- GraphML


def test_graphml_round_trip_on_seeds_and_notes(corpus, tmp_path, graphml_schema):
    sub = corpus.subgraph()
    path = sub.to_graphml(tmp_path / "all.graphml")
    read = check_graphml(path, sub, graphml_schema)
    expected = to_networkx(sub)
    counts, clustering = corpus.disagreement_counts(), corpus.clusters()
    scores = corpus.bridge_scores()
    for node, data in list(expected.nodes(data=True))[:50]:
        # The file adds each note's count of disagreeing relations (kg.graph.contested)
        # and its cluster, cluster name and bridge score (-1, '', 0.0 outside clusters).
        number = clustering.of(node)
        shape = (
            {"cluster": number, "cluster_name": clustering[number].name, "bridge": scores[node]}
            if number is not None
            else {"cluster": -1, "cluster_name": "", "bridge": 0.0}
        )
        assert read.nodes[node] == {**data, "disagreements": counts.get(node, 0), **shape}
    kinds = {d["kind"] for _, _, d in read.edges(data=True)}
    assert kinds == {lk.kind.value for lk in corpus.links}
    assert not list(tmp_path.glob(".*.tmp"))


def test_two_hop_related_export_carries_all_sixteen_labels(seed_graph, tmp_path, graphml_schema):
    sub = seed_graph.subgraph(around=HIDDEN, depth=2, kinds=["related"])
    labels = {lk.label for lk in seed_graph.links_of(HIDDEN, "out", "related")}
    assert len(labels) == 16
    read = check_graphml(sub.to_graphml(tmp_path / "hidden.graphml"), sub, graphml_schema)
    assert {d["label"] for _, _, d in read.edges(data=True)} == labels
    assert {d["relation"] for _, _, d in read.edges(data=True)} >= {"contradicts", "extends"}
    graph = rdflib.Graph().parse(sub.to_rdf(tmp_path / "hidden.ttl"), format="turtle")
    found = rdf.sparql(graph, "SELECT DISTINCT ?l WHERE { ?c a cito:Citation ; kg:label ?l }")
    assert {str(row[0]) for row in found} == labels
    data = json.loads(sub.to_json(tmp_path / "hidden.json").read_text(encoding="utf-8"))
    assert {lk["label"] for lk in data["links"]} == labels


def test_graphml_values_are_scalars_with_typed_keys(seed_graph):
    sub = seed_graph.subgraph(around=HIDDEN, depth=1)
    graph = to_networkx(sub)
    scalars = (str, int, float, bool)
    assert all(isinstance(v, scalars) for _, d in graph.nodes(data=True) for v in d.values())
    assert all(isinstance(v, scalars) for *_, d in graph.edges(data=True) for v in d.values())
    root = etree.fromstring(graphml_bytes(sub))
    keys = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type")
        for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key")
    }
    assert keys[("node", "stub")] == "boolean" and keys[("edge", "line")] == "int"
    assert keys[("node", "declared_uses")] == "int" and keys[("edge", "order")] == "int"
    note = seed_graph.note(HIDDEN)
    assert graph.nodes[note.id]["declared_related"] == 16
    assert sub.nx.number_of_edges() == len(sub.links) and sub.nx is sub.nx  # kept


def test_control_characters_never_reach_the_file(tmp_path, graphml_schema):
    dirty = 'bell\x07 nul\x00 esc\x1b <tag> & "quoted" line\r\nnext\ufffe'
    notes = [
        Note("a", "Can A\x0b happen?", NoteKind.SYNTHESIS, description=dirty, categories=("X; Y",)),
        Note("b", "Why B?", NoteKind.PAPER, arxiv="2401.00001", tags=("t\x01ag",)),
    ]
    links = [Link("a", "b", LinkKind.RELATED, "a.md", 3, label="lab\x02el", annotation=dirty)]
    sub = SubGraph(notes, links, [NearPair("a", "b", 0.5)])
    path = sub.to_graphml(tmp_path / "dirty.graphml")
    raw = path.read_bytes()
    assert not any(bytes([c]) in raw for c in (0, 1, 2, 7, 0x0B, 0x1B))
    read = check_graphml(path, sub, graphml_schema)
    clean = 'bell nul esc <tag> & "quoted" line\r\nnext'
    assert read.nodes["a"]["description"] == clean
    assert read.nodes["a"]["title"] == "Can A happen?"
    annotated = [d for *_, d in read.edges(data=True) if d["kind"] == "related"]
    assert annotated[0]["annotation"] == clean and annotated[0]["label"] == "label"
    near = [d for *_, d in read.edges(data=True) if d["kind"] == "near"]
    assert near == [{"kind": "near", "weight": 0.5}]
    for fmt in ("turtle", "nt", "jsonld"):
        data = sub.serialize(fmt)
        assert b"\x07" not in data and b"\\u0007" not in data
        assert oxigraph_count(data, fmt) == len(rdf.to_rdflib(sub))


def test_a_failed_export_leaves_nothing_behind(seed_graph, tmp_path):
    sub = seed_graph.subgraph(around=HIDDEN)
    target = sub.to_graphml(tmp_path / "keep.graphml")
    before = target.read_bytes()
    with pytest.raises(kg.ExportError):
        sub.to_rdf(target, format="turtle", base="not an iri")
    with pytest.raises(kg.ExportError):
        sub.to_rdf(tmp_path / "new.ttl", format="no-such-format")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.graphml"]
    blocked = tmp_path / "keep.graphml" / "below.graphml"  # parent is a file
    with pytest.raises(kg.ExportError):
        sub.to_graphml(blocked)


# ---------------------------------------------------------------- RDF


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_rdf_parses_back_with_two_parsers(corpus, fmt, tmp_path):
    sub = corpus.subgraph()
    graph = rdf.to_rdflib(sub)
    path = sub.to_rdf(tmp_path / f"all.{fmt}", format=fmt)
    data = path.read_bytes()
    assert oxigraph_count(data, fmt) == len(graph)
    parsed = rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[fmt])
    assert set(parsed) == set(graph)


def test_rdf_conforms_to_the_shipped_shapes(corpus):
    sub = corpus.subgraph()
    conforms, report = rdf.validate(rdf.to_rdflib(sub))
    assert conforms, report[:2000]


def test_shapes_catch_a_broken_export(seed_graph):
    graph = rdf.to_rdflib(seed_graph.subgraph(around=HIDDEN, kinds="related"))
    note = rdflib.URIRef("urn:kg:note:" + seed_graph.note(HIDDEN).id)
    graph.remove((note, rdflib.URIRef(mapping.DCTERMS + "title"), None))
    citation = next(graph.subjects(rdflib.RDF.type, rdflib.URIRef(mapping.CITATION_CLASS)))
    characterization = rdflib.URIRef(mapping.CITO + "hasCitationCharacterization")
    graph.add((citation, characterization, rdflib.URIRef(mapping.CITO + "parodies")))
    conforms, report = rdf.validate(graph)
    assert not conforms
    assert "title" in report and "hasCitationCharacterization" in report


def test_vocabulary_mapping(seed_graph):
    graph = rdf.to_rdflib(seed_graph.subgraph(around=HIDDEN, depth=1))
    rows = rdf.result_rows(
        rdf.sparql(
            graph,
            "SELECT ?label ?prop ?comment WHERE { ?c a cito:Citation ; kg:label ?label ; "
            "cito:hasCitationCharacterization ?prop ; rdfs:comment ?comment }",
        )
    )
    by_label = {r["label"]: r["prop"] for r in rows}
    assert by_label["partially contradicted"] == mapping.CITO + "disagreesWith"
    assert by_label["extends"] == mapping.CITO + "extends"
    assert by_label["mechanism"] == mapping.CITO + "obtainsSupportFrom"
    assert by_label["strongest evidence"] == mapping.CITO + "citesAsEvidence"
    assert by_label["qualified"] == mapping.CITO + "qualifies"
    assert (
        by_label["pretraining determines activation potential"] == mapping.CITO + "citesAsRelated"
    )
    assert all(r["comment"] for r in rows)
    assert mapping.relation_property("a label nobody wrote") == mapping.CITO + "citesAsRelated"
    hidden = rdflib.URIRef("urn:kg:note:" + seed_graph.note(HIDDEN).id)
    dcterms = rdflib.Namespace(mapping.DCTERMS)
    assert str(graph.value(hidden, dcterms.title)) == HIDDEN
    line = next(n for n in seed_graph.notes("line") if n.sources)
    derived = rdf.to_rdflib(seed_graph.subgraph(around=line, kinds="source", direction="out"))
    prov = rdflib.Namespace(mapping.PROV)
    line_iri = rdflib.URIRef("urn:kg:note:" + line.id)
    assert len(list(derived.objects(line_iri, prov.wasDerivedFrom))) > 0
    assert len(list(derived.objects(line_iri, prov.qualifiedDerivation))) == len(
        seed_graph.links_of(line, "out", "source")
    )


def test_hubs_topics_and_submaps_are_skos_concepts(notes_graph):
    graph = notes_graph.sparql(
        "SELECT ?child ?parent WHERE { ?child skos:broader ?parent . ?parent a kg:Hub }"
    )
    submaps = [lk for lk in notes_graph.links if lk.kind is LinkKind.SUBMAP]
    assert len(list(graph)) == len({(lk.target, lk.source) for lk in submaps})
    topics = notes_graph.sparql("SELECT (COUNT(?t) AS ?n) WHERE { ?t a kg:Topic, skos:Concept }")
    assert int(next(iter(topics))[0]) == len(notes_graph.notes("topic"))


def test_iris_are_stable_across_selections_and_runs(seed_graph):
    small = seed_graph.subgraph(around=HIDDEN, kinds="related")
    whole = seed_graph.subgraph()
    small_links = set(
        rdf.to_rdflib(small).subjects(rdflib.RDF.type, rdflib.URIRef(mapping.LINK_CLASS))
    )
    whole_links = set(
        rdf.to_rdflib(whole).subjects(rdflib.RDF.type, rdflib.URIRef(mapping.LINK_CLASS))
    )
    assert len(small_links) == 16 and small_links <= whole_links
    assert small.serialize("turtle") == seed_graph.subgraph(
        around=HIDDEN, kinds="related"
    ).serialize("turtle")
    moved = small.serialize("nt", base="https://example.org/kg/")
    assert b"<https://example.org/kg/note/do-base-models" in moved
    with pytest.raises(kg.ExportError):
        small.serialize("nt", base="https://example.org/kg")  # no closing separator


def test_near_pairs_become_weighted_edges(seed_graph, tmp_path, graphml_schema):
    hidden = seed_graph.note(HIDDEN)
    other = seed_graph.note(KNOW)
    sub = seed_graph.subgraph(
        around=HIDDEN, kinds="related", near_pairs=[(hidden.id, other.id, 0.42)]
    )
    assert other.id in sub and sub.near == [NearPair(hidden.id, other.id, 0.42)]
    read = check_graphml(sub.to_graphml(tmp_path / "near.graphml"), sub, graphml_schema)
    assert [d["weight"] for *_, d in read.edges(data=True) if d["kind"] == "near"] == [0.42]
    graph = rdf.to_rdflib(sub)
    rows = rdf.result_rows(
        rdf.sparql(graph, "SELECT ?s WHERE { ?l kg:linkKind 'near' ; kg:score ?s }")
    )
    assert rows == [{"s": 0.42}]
    assert rdf.validate(graph)[0]


def test_near_option_uses_the_graphs_semantic_neighbours(seeds_dir, tmp_path, request):
    fake_embedder = request.getfixturevalue("fake_embedder")
    g = kg.load(seeds_dir, index=tmp_path / "index", embed=True, embedder=fake_embedder)
    sub = g.subgraph(around=HIDDEN, depth=1, kinds="related", near=5)
    assert sub.near and sub.selection["near"] == 5
    for pair in sub.near:
        assert pair.source in sub and pair.target in sub and -1.0 <= pair.score <= 1.0
        ranked = [h for h in g.near(pair.source, len(g.notes())) if h.note.id in sub][:5]
        scores = {hit.note.id: hit.score for hit in ranked}  # top 5 within the export
        assert scores[pair.target] == pytest.approx(pair.score, abs=1e-6)
    assert len({frozenset((p.source, p.target)) for p in sub.near}) == len(sub.near)


def test_search_result_as_a_subgraph(seed_graph):
    hits = seed_graph.search("hidden reasoning ability", k=5, semantic=False)
    sub = seed_graph.subgraph(search="hidden reasoning ability", k=5)
    assert list(sub.notes) == list(dict.fromkeys(h.note.id for h in hits))
    assert sub.selection["search"] == "hidden reasoning ability"


# ---------------------------------------------------------------- JSON


def test_json_reads_back_into_the_same_notes_and_links(corpus, tmp_path):
    sub = corpus.subgraph()
    data = json.loads(sub.to_json(tmp_path / "all.json").read_text(encoding="utf-8"))
    again = SubGraph.from_json_data(data)
    assert again.notes == sub.notes and again.links == sub.links
    graph = nx.node_link_graph(data, edges="links")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (len(sub), len(sub.links))


# ---------------------------------------------------------------- SPARQL


def test_sparql_over_the_corpus_is_cached(seed_graph):
    count = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cito:Citation }"
    assert int(next(iter(seed_graph.sparql(count)))[0]) == 16
    first = seed_graph._rdf_graph
    ask = seed_graph.sparql("ASK { ?a cito:disagreesWith ?b }")
    assert ask.askAnswer is True and seed_graph._rdf_graph is first
    with pytest.raises(kg.KgError):
        seed_graph.sparql("SELECT ?x WHERE { ?x")


# ---------------------------------------------------------------- docs and shapes in step


def test_docs_show_the_mapping_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Export and SPARQL" in readme
    for row in mapping.mapping_table().splitlines()[2:]:
        assert row in readme, row


def test_shapes_name_every_mapped_property():
    shapes = rdf.SHAPES.read_text(encoding="utf-8")
    mapped = [m.property for m in mapping.LINK_PROPERTIES.values()]
    mapped += [*mapping.RELATION_PROPERTIES.values(), mapping.NEAR_PROPERTY]
    for iri in mapped:
        assert mapping.compact(iri) in shapes, iri


# ---------------------------------------------------------------- the command


def kg_run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_cli_export_and_sparql(seeds_dir, tmp_path, graphml_schema):
    where = ["--corpus", str(seeds_dir), "--index", str(tmp_path / "index")]
    assert "--json" in kg_run("export", "--help").stdout
    assert "--json" in kg_run("sparql", "--help").stdout
    target = tmp_path / "hidden.graphml"
    summary = json.loads(
        kg_run(
            "export",
            *where,
            "--around",
            HIDDEN,
            "--depth",
            "2",
            "--kind",
            "related",
            "-o",
            str(target),
            "--json",
        ).stdout
    )
    assert summary["notes"] == 17 and summary["links"] == 16 and summary["format"] == "graphml"
    assert graphml_schema.validate(etree.parse(str(target)))
    turtle = kg_run("export", *where, "--path", HIDDEN, KNOW, "--format", "turtle", "-o", "-")
    assert oxigraph_count(turtle.stdout.encode("utf-8"), "turtle") > 0
    result = kg_run(
        "sparql",
        *where,
        "--json",
        "SELECT ?label WHERE { ?c cito:hasCitationCharacterization cito:disagreesWith ; kg:label ?label }",
    )
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert [b["label"]["value"] for b in bindings] == ["partially contradicted"]
    bad = kg_run("export", *where, "-o", str(tmp_path / "x.unknown"), check=False)
    assert bad.returncode == 2 and "--format" in bad.stderr
    assert not (tmp_path / "x.unknown").exists()


# ---------------------------------------------------------------- the format registry


def test_the_registry_names_every_format_the_command_and_the_api_take(seed_graph, tmp_path):
    sub = seed_graph.subgraph(around=HIDDEN)
    assert formats.names() == ("graphml", "turtle", "jsonld", "nt", "json")
    for fmt in formats.formats():
        assert fmt.description and fmt.suffixes
        for suffix in fmt.suffixes:
            assert formats.for_path(f"x{suffix.upper()}") is fmt
        written = sub.write(tmp_path / f"out{fmt.suffixes[0]}")
        assert written.read_bytes() == sub.serialize(fmt.name) == fmt.writer(sub, "urn:kg:")
        for alias in fmt.aliases:
            assert formats.get(alias) is fmt
    with pytest.raises(kg.ExportError, match="graphml, turtle, jsonld, nt, json"):
        formats.get("dot")
    with pytest.raises(kg.ExportError, match="graphml, turtle, jsonld, nt, json"):
        formats.for_path("graph.dot")
    with pytest.raises(ValueError, match="already means graphml"):
        formats.register(formats.Format("other", formats.get("json").writer, (".xml",), "x"))


def test_the_command_takes_its_format_choices_from_the_registry():
    from kg.cli import build_parser

    export = build_parser()._subparsers._group_actions[0].choices["export"]  # type: ignore[union-attr]
    (action,) = [a for a in export._actions if "--format" in a.option_strings]
    assert tuple(action.choices) == formats.names()
    assert "json (.json): node-link JSON" in " ".join(export.format_help().split())
