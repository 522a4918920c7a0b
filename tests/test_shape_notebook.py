"""examples/shape.ipynb runs from top to bottom as a researcher would run it and shows the
corpus's shape with kg's own figures: the clusters as a table, bridges, gaps with their
counts and suggested links (titles and both sentences), and contested claims, the same
figures `g.clusters()`, `g.bridges()`, `g.gaps()` and `g.contested_claims()` return.

It runs in a temporary copy of examples/ and notes/ (no index is written into the
checkout) with nbclient and the ipykernel kernel; the copy's kg.yaml picks the static
embedder so no torch is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_support import EXAMPLES, cell_errors, nbformat, run_notebook

NOTEBOOK = EXAMPLES / "shape.ipynb"

# A last cell the test adds: what the notebook computed, as JSON on stdout.
PROBE = """
import json
print(json.dumps({
    "clusters": [[c.id, c.name, c.size] for c in clusters],
    "table": table.to_dict("records"),
    "gaps": [[gap.first, gap.second, gap.links, gap.expected] for gap in gaps],
    "suggested": [[s.source, s.target] for s in gaps[0].suggested[:3]] if gaps else [],
}))
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, dict, Path]:
    work = tmp_path_factory.mktemp("shape")
    notebook, found = run_notebook("shape.ipynb", work, PROBE)
    return notebook, found, work


def _outputs(notebook, marker: str) -> list:
    return next(c for c in notebook.cells if c.cell_type == "code" and marker in c.source).outputs


def test_the_notebook_is_short_and_saved_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) <= 8 and sum(len(c.source.splitlines()) for c in code) <= 30
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_every_cell_runs_without_an_error(executed):
    notebook, _, _ = executed
    assert cell_errors(notebook) == []


def test_the_figures_are_kgs_own(executed):
    notebook, found, work = executed
    import kg

    graph = kg.load(work / "notes")
    assert found["clusters"] == [[c.id, c.name, c.size] for c in graph.clusters()]
    assert sum(size for _, _, size in found["clusters"]) == len(graph) == 41
    assert [row["size"] for row in found["table"]] == [c.size for c in graph.clusters()]
    gaps = graph.gaps()
    assert found["gaps"] == [[g.first, g.second, g.links, g.expected] for g in gaps]
    assert all(links < expected for _, _, links, expected in found["gaps"])
    shown = _outputs(notebook, "g.bridges()")
    assert any("text/html" in o.get("data", {}) for o in shown)  # a table in Jupyter


def test_the_gaps_table_says_how_many_links_and_how_many_expected(executed):
    notebook, _, _ = executed
    text = "".join(o["data"]["text/plain"] for o in _outputs(notebook, "gaps = g.gaps()"))
    header = text.splitlines()[0].split()
    assert {"links", "expected"} <= set(header)
    assert header.index("links") < header.index("expected")


def test_suggested_links_are_shown_with_titles_and_both_sentences(executed):
    notebook, found, work = executed
    import kg

    graph = kg.load(work / "notes")
    printed = "".join(o.get("text", "") for o in _outputs(notebook, "for link in"))
    assert found["suggested"], "the first gap suggests links"
    for link in graph.gaps()[0].suggested[:3]:
        assert graph.note(link.source).title in printed
        assert graph.note(link.target).title in printed
        assert link.source_sentence in printed and link.target_sentence in printed
