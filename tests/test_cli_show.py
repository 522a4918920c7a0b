"""`kg show` prints a note's front-matter properties readably, nested ones too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOTE = """---
title: Reading plan
rating: 4
draft: false
tags: [books, plan]
author:
  name: Ada
  links: [one, two]
reviews:
  - who: Bo
    score: 5
  - who: Cy
    score: 3
---
Books to read.
"""


def test_show_prints_nested_properties_as_yaml_does(tmp_path: Path):
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "Reading plan.md").write_text(NOTE, encoding="utf-8")
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "show", "Reading plan", *where],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("properties:")
    assert lines[start + 1 : start + 13] == [
        "  title: Reading plan",
        "  rating: 4",
        "  draft: false",
        "  tags: books, plan",
        "  author:",
        "    name: Ada",
        "    links: one, two",
        "  reviews:",
        "    - who: Bo",
        "      score: 5",
        "    - who: Cy",
        "      score: 3",
    ]
    assert "(" not in "\n".join(lines[start : start + 13])  # no Python tuples
