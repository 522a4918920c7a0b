"""examples/analysis.ipynb runs from top to bottom, as a researcher would run it, and
shows what it says it shows: the metadata table (41 notes), PageRank joined to the notes'
properties, Louvain communities, the nearest notes and a trace as tables, a GraphML file
networkx reads back.

It runs in a temporary copy of examples/ and notes/ (so no index is written into the
checkout), with nbclient and the ipykernel kernel. The copy's kg.yaml picks the static
embedder (the model's distilled vectors), so `near` and the trace use the real model's
vectors without loading torch; everything else is the notebook as shipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_support import EXAMPLES, cell_errors, nbformat, run_notebook

NOTEBOOK = EXAMPLES / "analysis.ipynb"

# A last cell the test adds: what the notebook computed, as JSON on stdout.
PROBE = """
import json
print(json.dumps({
    "meta_rows": len(meta),
    "meta_columns": list(meta.columns),
    "meta_index": meta.index.name,
    "backlinks": int(meta["backlinks"].sum()),
    "notes_rows": len(notes),
    "pagerank_sum": float(central["pagerank"].sum()),
    "top": central["pagerank"].idxmax(),
    "communities": len(communities),
    "community_rows": int(central["community"].notna().sum()),
    "near": near.to_dict("records"),
    "trace_rows": len(trace),
    "trace_depths": sorted(set(trace["depth"])),
    "trace_kinds": sorted(set(trace["kind"])),
    "graphml": [back.number_of_nodes(), back.number_of_edges()],
    "graphml_exists": path.is_file() and path.name == "verifier.graphml",
}))
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, dict, Path]:
    work = tmp_path_factory.mktemp("notebook")
    notebook, found = run_notebook("analysis.ipynb", work, PROBE)
    return notebook, found, work


def test_the_notebook_is_kept_short_and_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) <= 10 and sum(len(c.source.splitlines()) for c in code) <= 60
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_every_cell_runs_without_an_error(executed):
    notebook, _, _ = executed
    assert cell_errors(notebook) == []


def test_the_metadata_table_has_a_row_per_note(executed, notes_graph):
    notebook, found, _ = executed
    assert found["meta_rows"] == len(notes_graph) == 41 and found["meta_index"] == "id"
    assert found["meta_columns"] == [
        "title",
        "kind",
        "path",
        "modified",
        "size",
        "links_out",
        "backlinks",
        "tags",
        "embeds",
        "mentions",
        "sources",
    ]
    assert found["backlinks"] == sum(row.backlinks for row in notes_graph.metadata())
    assert found["notes_rows"] == 41
    shown = next(c for c in notebook.cells if "g.metadata()" in c.source).outputs
    assert any("text/html" in o.get("data", {}) for o in shown)  # shown as a table


def test_centrality_and_communities_join_the_notes(executed):
    _, found, _ = executed
    assert abs(found["pagerank_sum"] - 1.0) < 1e-6
    assert found["top"]  # an id of the metadata table
    assert 2 <= found["communities"] <= 41 and found["community_rows"] == 41


def test_near_and_the_trace_are_tables(executed):
    _, found, _ = executed
    near = found["near"]
    assert len(near) == 5 and set(near[0]) == {"note_title", "score", "linked"}
    scores = [row["score"] for row in near]
    assert scores == sorted(scores, reverse=True)
    assert found["trace_rows"] > 1 and found["trace_depths"][0] == 0
    assert "claim" in found["trace_kinds"] and max(found["trace_depths"]) <= 2


def test_the_subgraph_is_exported_as_graphml(executed):
    _, found, work = executed
    assert found["graphml_exists"] and (work / "examples" / "verifier.graphml").is_file()
    nodes, edges = found["graphml"]
    assert nodes > 5 and edges >= nodes - 1
