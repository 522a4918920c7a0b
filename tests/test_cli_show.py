"""`kg show` prints a note's front-matter properties readably, nested ones too."""

from __future__ import annotations

import os
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


def test_show_names_the_notes_cluster_as_kg_clusters_and_kg_bridges_do(tmp_path: Path):
    """On notes/: `kg show` names the cluster `kg clusters` lists a note in, and gives the
    bridge score `kg bridges` gives it."""
    import json
    import shutil

    corpus = tmp_path / "notes"
    shutil.copytree(Path(__file__).resolve().parent.parent / "notes", corpus)
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]

    def kg(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "kg.cli", *args, *where],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "COLUMNS": "200"},  # the cluster line on one line
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    found = json.loads(kg("clusters", "--json"))
    cluster = found["clusters"][0]
    title = cluster["central"][0]["title"]
    shown = json.loads(kg("show", "--json", title))["corpus_cluster"]
    assert (shown["id"], shown["name"], shown["size"]) == (
        cluster["id"],
        cluster["name"],
        cluster["size"],
    )
    line = f"cluster: #{cluster['id']} {cluster['name']} ({cluster['size']} notes"
    assert line in kg("show", title)
    bridge = json.loads(kg("bridges", "--json"))[0]  # the strongest bridge
    shown = json.loads(kg("show", "--json", bridge["title"]))["corpus_cluster"]
    assert (shown["id"], shown["bridge_score"]) == (bridge["cluster"]["id"], bridge["score"])
    assert f"bridge score {bridge['score']:.2f}, see kg bridges)" in kg("show", bridge["title"])
