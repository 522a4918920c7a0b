"""The one-call views a notebook starts from: `g.metadata()` (one row per note: file,
modified time, size, and counts of links out, backlinks, tags, embeds, mentions and
sources, each checked against networkx and the note), `g.isolated()` and
`g.unresolved()`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

import kg
from kg.model import LinkKind

VAULT = {
    "Home.md": "---\ntags: [start]\n---\nSee [[Ideas]], [[Missing one]] and ![[diagram.png]].\n"
    "Also ![[Absent.pdf]] #todo",
    "Ideas.md": "Back to [[Home]]. Then [[Missing one]] and [[Missing two]].",
    "Alone.md": "---\ntags: [lonely]\ncategories: [Loose]\n---\nNo links at all. #solo",
    "Only in.md": "Nothing out; nothing in either, but a stub: no.",
    "img/diagram.png": "",
}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    folder: Path = tmp_path_factory.mktemp("vault")
    for name, text in VAULT.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return kg.load(folder, embed="none", save=False)


def test_metadata_has_a_row_per_note_with_file_facts(notes_graph):
    table = notes_graph.metadata()
    assert isinstance(table, kg.MetadataTable) and len(table) == len(notes_graph) == 41
    assert all(isinstance(row, kg.NoteMetadata) for row in table)
    root = notes_graph.root
    for row in table:
        note = notes_graph.note(row.id)
        assert row.path == note.files[0]
        assert row.size == sum((root / f).stat().st_size for f in note.files)
        assert row.modified is not None and row.modified.tzinfo is dt.UTC
        latest = max((root / f).stat().st_mtime for f in note.files)
        assert abs(row.modified.timestamp() - latest) < 1e-3


def test_metadata_counts_agree_with_networkx(notes_graph):
    G = notes_graph.nx
    for row in notes_graph.metadata():
        assert row.links_out == G.out_degree(row.id), row.id
        assert row.backlinks == G.in_degree(row.id), row.id
        kinds = Counter(data["kind"] for _, _, data in G.out_edges(row.id, data=True))
        assert row.embeds == kinds[LinkKind.EMBEDS.value]
        assert row.mentions == kinds[LinkKind.MENTIONS.value]
        assert row.sources == kinds[LinkKind.SOURCE.value]
        assert row.tags == len(notes_graph.note(row.id).tags)
    assert sum(row.mentions for row in notes_graph.metadata()) > 0
    assert sum(row.sources for row in notes_graph.metadata()) > 0


def test_metadata_of_a_vault_counts_embeds_and_tags(vault):
    rows = {row.title: row for row in vault.metadata()}
    assert set(rows) == {"Home", "Ideas", "Alone", "Only in"}
    home = rows["Home"]
    assert (home.embeds, home.tags, home.backlinks) == (2, 2, 1)
    assert rows["Ideas"].links_out == 3 and rows["Ideas"].backlinks == 1
    with_stubs = {row.title: row for row in vault.metadata(stubs=True)}
    assert with_stubs["Missing one"].backlinks == 2 and with_stubs["Missing one"].path is None


def test_metadata_as_records_and_frame(notes_graph):
    table = notes_graph.metadata()
    records = table.to_records()
    assert len(records) == 41 and list(records[0]) == list(kg.graph.metadata.COLUMNS)
    pytest.importorskip("pandas")
    frame = table.to_frame()
    assert frame.shape == (41, len(kg.graph.metadata.COLUMNS) - 1)
    assert frame.index.name == "id" and "UTC" in str(frame["modified"].dtype)
    assert frame["backlinks"].sum() == sum(r["backlinks"] for r in records)


def test_isolated_notes_have_no_link_but_to_tags_and_categories(vault, notes_graph):
    assert sorted(n.title for n in vault.isolated()) == ["Alone", "Only in"]
    G = notes_graph.nx
    for note in notes_graph.isolated():
        ends = [v for _, v in G.out_edges(note.id)] + [u for u, _ in G.in_edges(note.id)]
        assert all(G.nodes[e]["kind"] in ("category", "tag") for e in ends)


def test_unresolved_names_each_missing_target_with_its_linkers(vault, notes_graph):
    assert vault.unresolved() == {"Missing one": 2, "Absent.pdf": 1, "Missing two": 1}
    unresolved = notes_graph.unresolved()
    stubs = [n for n in notes_graph.notes() if n.stub]
    assert len(unresolved) == len(stubs) == 37
    G = notes_graph.nx
    for stub in stubs:
        assert unresolved[stub.title] == len({u for u, _ in G.in_edges(stub.id)})
    counts = list(unresolved.values())
    assert counts == sorted(counts, reverse=True)
