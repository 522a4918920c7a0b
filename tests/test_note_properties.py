"""Front-matter properties as a data scientist reads them: `note.properties` a read-only
mapping, every property its own column of `g.to_records()` / `g.frame()` (nested ones
as `parent.child`, names kg uses itself as `property_NAME`, dates as dates), the file's
path, size and modified time beside them, each property its own attribute in networkx
and GraphML, and `kg show` printing them as text."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import networkx as nx
import pytest

import kg

DRAFT = """---
title: A draft on verifiers
rating: 4
status: draft
date: 2026-01-05
reviewed: 2026-02-01T09:30:00Z
review:
  by: Ann
  score: 3.5
  notes:
    depth: 2
sources_read: [a, b]
url: https://example.org/verifiers
---
Verifiers are **checked** against [[Generators]].
"""

PLAIN = """---
rating: 2
status: final
---
A note with [[A draft on verifiers]].
"""

MIXED = """---
rating: high
---
Rated in words.
"""


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("vault")
    (folder / "Draft.md").write_text(DRAFT, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "Plain.md").write_text(PLAIN, encoding="utf-8")
    (folder / "Mixed.md").write_text(MIXED, encoding="utf-8")
    # A known modification time, to read back as a UTC datetime.
    when = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC).timestamp()
    os.utime(folder / "Draft.md", (when, when))
    return folder


@pytest.fixture(scope="module")
def graph(vault: Path) -> kg.KnowledgeGraph:
    return kg.load(vault, embed="none", save=False)


def test_properties_are_a_read_only_hashable_mapping(graph):
    note = graph.note("A draft on verifiers")
    props = note.properties
    assert isinstance(props, Mapping) and isinstance(props, kg.Properties)
    assert props["rating"] == 4 and props["status"] == "draft"
    assert props["review"]["by"] == "Ann" and props["review"]["notes"]["depth"] == 2
    assert props["sources_read"] == ("a", "b")
    assert props.get("missing", "none") == "none"
    with pytest.raises(TypeError):
        props["rating"] = 5  # type: ignore[index]
    with pytest.raises(TypeError):
        del props["rating"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        props.update({"rating": 5})  # type: ignore[attr-defined]
    assert hash(note) == hash(graph.note("A draft on verifiers"))  # Note stays hashable
    assert {note: 1}[note] == 1
    assert json.loads(json.dumps(props.to_json()))["review"]["score"] == 3.5


def test_every_property_is_a_column_beside_the_note_fields(graph):
    records = {r["title"]: r for r in graph.to_records(stubs=False)}
    assert {len(r) for r in records.values()} == {len(next(iter(records.values())))}
    draft, plain = records["A draft on verifiers"], records["Plain"]
    assert (draft["rating"], draft["status"]) == (4, "draft")
    assert (plain["rating"], plain["status"]) == (2, "final")
    assert records["Mixed"]["status"] is None  # a property the note lacks
    # nested values spread out as parent.child; lists stay lists
    assert draft["review.by"] == "Ann" and draft["review.score"] == 3.5
    assert draft["review.notes.depth"] == 2 and "review" not in draft
    assert draft["sources_read"] == ["a", "b"]
    # names kg has columns of its own for are prefixed
    assert (
        draft["property_title"] == "A draft on verifiers"
        and draft["title"] == draft["property_title"]
    )
    assert draft["property_date"] == dt.date(2026, 1, 5)
    # dates: the note's date and ISO-dated properties as dates and datetimes
    assert draft["date"] == dt.date(2026, 1, 5)
    assert draft["reviewed"] == dt.datetime(2026, 2, 1, 9, 30, tzinfo=dt.UTC)


def test_file_path_size_and_modified_time(graph, vault):
    records = {r["title"]: r for r in graph.to_records()}
    draft, plain = records["A draft on verifiers"], records["Plain"]
    assert draft["path"] == "Draft.md" and plain["path"] == "sub/Plain.md"
    assert draft["size"] == (vault / "Draft.md").stat().st_size
    assert draft["modified"] == dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    stub = records["Generators"]
    assert stub["stub"] and (stub["path"], stub["size"], stub["modified"]) == (None, None, None)


def test_frame_types_the_columns(graph):
    pytest.importorskip("pandas")
    frame = graph.frame(stubs=False)
    draft = graph.note("A draft on verifiers").id
    assert frame.loc[draft, "rating"] == 4 and frame.loc[draft, "review.by"] == "Ann"
    assert str(frame["modified"].dtype).startswith("datetime64") and "UTC" in str(
        frame["modified"].dtype
    )
    assert str(frame["date"].dtype).startswith("datetime64")
    assert str(frame["size"].dtype) in ("int64", "Int64")
    assert frame.loc[draft, "date"].year == 2026
    columns = kg.graph.nxview.COLUMNS
    assert list(frame.columns[: len(columns) - 1]) == list(columns[1:])


def test_networkx_and_graphml_carry_each_property(graph, tmp_path):
    node = graph.nx.nodes[graph.note("A draft on verifiers").id]
    assert node["status"] == "draft" and node["review.score"] == 3.5
    assert node["review.by"] == "Ann" and node["review.notes.depth"] == 2
    # `rating` is 4 in one note and "high" in another: text in every node, as GraphML
    # declares one type per attribute
    assert node["rating"] == "4" and graph.nx.nodes[graph.note("Mixed").id]["rating"] == "high"
    assert json.loads(node["sources_read"]) == ["a", "b"]  # a list as JSON text
    assert node["title"] == "A draft on verifiers" and "property_title" in node
    assert "properties" not in node
    path = graph.subgraph().to_graphml(tmp_path / "g.graphml")
    read = nx.read_graphml(path)
    ids = {n.title: n.id for n in graph.notes()}
    assert read.nodes[ids["A draft on verifiers"]]["rating"] == "4"
    assert read.nodes[ids["Mixed"]]["rating"] == "high"
    assert read.nodes[ids["A draft on verifiers"]]["review.score"] == 3.5
    assert read.nodes[ids["Plain"]]["status"] == "final"


def test_kg_show_prints_nested_properties_as_text(vault, tmp_path):
    result = subprocess.run(
        [
            *(sys.executable, "-m", "kg.cli", "show", "A draft on verifiers"),
            *("--corpus", str(vault), "--index", str(tmp_path / "index")),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  review:\n    by: Ann\n" in out and "    notes:\n      depth: 2" in out
    assert "  sources_read: a, b" in out and "  rating: 4" in out
    assert "Properties(" not in out and "('" not in out
