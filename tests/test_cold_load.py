"""A cold `kg.load`: the build runs in a forked child where it can, and the graph given is
the one read back from the index it saved (as a warm open gives it), with the same notes,
links and diagnostics as a build; a failed save leaves the index as it was."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kg
from kg.config import Config
from kg.index import write
from kg.index.loader import build_graph
from kg.index.read import open_index
from kg.index.rows import note_from_row, note_row
from kg.index.stamps import read_manifest
from kg.model import Note, NoteKind, Paragraph
from tests.test_incremental import assert_same_graph, make_corpus

ROOT = Path(__file__).resolve().parent.parent


def test_a_cold_load_gives_the_graph_read_back_from_its_index(tmp_path):
    corpus = make_corpus(tmp_path)
    cold = kg.load(corpus, embed="none")
    assert not cold.from_index  # built by this load
    assert cold.index_update.mode == "rebuilt"
    assert cold.index_update.notes == len(cold) and cold.index_update.files_read == cold.files
    assert_same_graph(cold, build_graph(corpus, Config()))
    warm = kg.load(corpus, embed="none")
    assert warm.index_update.mode == "reused"
    assert_same_graph(warm, cold)


def test_a_build_in_a_child_gives_its_result_and_progress_back(tmp_path):
    """Run alone in a fresh process (one thread), where a build can run in a child."""
    script = textwrap.dedent(
        """
        import json, os
        from kg.index.forked import can_fork, in_child
        seen = []
        result = in_child(lambda report: [os.getpid(), report("parse", 1, 2)],
                          lambda *step: seen.append(step))
        failed = in_child(lambda report: 1 / 0, None)
        print(json.dumps([can_fork(), result[0] != os.getpid(), seen, failed]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == '[true, true, [["parse", 1, 2]], null]'


def test_a_cold_load_in_a_fresh_process_matches_a_build(tmp_path):
    """`kg index` style: one thread, so the build runs in a child; the graph is the same."""
    corpus = make_corpus(tmp_path)
    script = textwrap.dedent(
        f"""
        import kg
        g = kg.load({str(corpus)!r}, embed="none")
        print(g.note_table.read_tags is not None, len(g), len(g.link_table), g.index_update.mode)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    built = build_graph(corpus, Config())
    assert out.split() == ["True", str(len(built)), str(len(built.links)), "rebuilt"]
    assert_same_graph(kg.load(corpus, embed="none"), built)


def test_a_save_that_fails_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path)
    first = kg.load(corpus, embed="none")
    folder = corpus / ".kg"
    before = read_manifest(folder)
    assert before is not None

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(write, "link_files", broken)
    with pytest.raises(OSError, match="disk full"):
        write.save_graph(folder, first, [])
    assert read_manifest(folder) == before
    assert sorted(p.name for p in folder.glob("*graph*")) == [
        before["graph"],
        *(
            f"{before['graph']}{s}"
            for s in ("-shm", "-wal")
            if (folder / f"{before['graph']}{s}").exists()
        ),
    ]
    saved = open_index(folder)
    assert saved is not None and saved.meta.get("token") == before["token"]
    saved.close()


def test_a_note_row_keeps_every_field():
    plain = Note(
        "a",
        "Why A?",
        NoteKind.SYNTHESIS,
        aliases=("A", "The A"),
        body=(Paragraph("One.", 3), Paragraph("Two\nlines.", 5)),
        properties_json='{"type": "synthesis"}',
    )
    # A separator inside the text: the body stays in the JSON, whole.
    odd = Note("b", "B", NoteKind.LINE, body=(Paragraph("x\x1ey", 1),))
    empty = Note("c", "C", NoteKind.TOPIC, stub=True)
    for note in (plain, odd, empty):
        row = note_row(note)
        assert note_from_row(*row[6:]) == note
    assert note_row(odd)[7] is None and note_row(plain)[5] == "A\x1fThe A"
