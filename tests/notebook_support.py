"""Running a notebook of examples/ as a researcher would: in a temporary copy of examples/
and notes/ (no index is written into the checkout), with nbclient and the ipykernel kernel,
a probe cell appended whose JSON on stdout tells the test what the notebook computed. The
copy's kg.yaml picks the static embedder, so no torch is loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

# What running a notebook needs; a test module importing this is skipped without them.
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_notebook(name: str, work: Path, probe: str) -> tuple[Any, dict[str, Any]]:
    """Execute examples/`name` in `work` with `probe` as its last cell: the executed
    notebook, and the probe's JSON."""
    shutil.copytree(ROOT / "notes", work / "notes", ignore=shutil.ignore_patterns(".kg"))
    (work / "notes" / "kg.yaml").write_text("embedder: static\n", encoding="utf-8")
    (work / "examples").mkdir()
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(work / "examples")}},
    )
    client.execute()
    outputs = notebook.cells[-1].outputs
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    return notebook, json.loads(text)


def cell_errors(notebook: Any) -> list[str]:
    """The source of every code cell that ended in an error."""
    return [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and any(o.output_type == "error" for o in cell.outputs)
    ]
