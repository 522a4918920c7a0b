"""kg/ is a library: it never imports textual or the tui package, nor torch on import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kg

KG_DIR = Path(kg.__file__).parent


def test_kg_sources_never_import_textual_or_tui():
    offenders = []
    for path in KG_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in ("textual", "tui", "rich")
            ]
    assert offenders == []


def test_importing_kg_loads_no_heavy_modules():
    code = (
        "import sys, kg; heavy = [m for m in ('torch', 'sentence_transformers', 'textual') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_surface_is_sorted():
    assert kg.__all__ == sorted(kg.__all__)
    assert all(hasattr(kg, name) for name in kg.__all__)
