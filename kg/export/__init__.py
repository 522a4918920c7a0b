"""Subgraphs out of kg: selection (`subgraph`), and one writer per format — GraphML
(`graphml`), RDF serialisations and SPARQL (`rdf`)."""
