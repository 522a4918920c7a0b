"""Subgraphs out of kg.

- `subgraph` — `subgraph()` and the `SubGraph` it returns (`select` does the choosing);
- `formats` — the registry of export formats, one writer each, that `kg export --format`
  and `SubGraph.write` read: `graphml` (GraphML), `turtle`, `jsonld`, `nt` (`rdf_syntax`,
  streaming RDF writers over `triples`, which applies the RDF `mapping`) and `json`
  (`nodelink`);
- `rdf` — the same triples as an rdflib graph: SPARQL, SHACL validation, rdflib's other
  serializations;
- `chars` — the characters no export format carries.
"""
