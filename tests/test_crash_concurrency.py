"""Crashes and concurrency: a killed `kg index` leaves the old index or the new one, two
indexers at once produce one consistent index, and readers never see a mix."""

from __future__ import annotations

import json
import multiprocessing
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import kg
from benchmarks.generate_corpus import generate
from kg.index.read import load_graph
from kg.index.stamps import GRAPH, MANIFEST, read_manifest
from kg.index.write import save_graph
from kg.parse.corpus import discover, stamp

pytestmark = pytest.mark.slow
KILL_POINTS = 16


def fingerprint(graph) -> tuple[int, int, str]:
    titles = sorted(n.title for n in graph)
    return len(titles), len(graph.links), titles[len(titles) // 2]


def index_command(corpus: Path, index: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kg.cli",
        "index",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
        "--json",
        "--no-embed",
    ]


@pytest.fixture(scope="module")
def corpus_states(tmp_path_factory):
    """A 300-page corpus in two states (one page's claim differs) and each state's graph."""
    base = tmp_path_factory.mktemp("crash")
    corpus = base / "corpus"
    generate(corpus, pages=300, seed=3)
    victim = next(p for p in sorted(corpus.glob("*_synthesis_main.txt")))
    text_a = victim.read_text(encoding="utf-8")
    text_b = text_a.replace("Original note title\n", "Original note title\nstate b: ", 1)
    assert text_b != text_a
    expected = {}
    for name, text in (("a", text_a), ("b", text_b)):
        victim.write_text(text, encoding="utf-8")
        expected[name] = fingerprint(kg.load(corpus, save=False, embed=False))
    return corpus, victim, {"a": text_a, "b": text_b}, expected


def test_killed_indexer_leaves_old_or_new_index(corpus_states, tmp_path):
    corpus, victim, texts, expected = corpus_states
    index = tmp_path / "index"
    victim.write_text(texts["a"], encoding="utf-8")
    subprocess.run(index_command(corpus, index), check=True, capture_output=True, timeout=300)
    started = time.perf_counter()
    subprocess.run(
        [*index_command(corpus, index), "--rebuild"], check=True, capture_output=True, timeout=300
    )
    full_run = time.perf_counter() - started
    rng = random.Random(11)
    outcomes = {"old": 0, "new": 0}
    state = "a"
    for point in range(KILL_POINTS):
        state = "b" if state == "a" else "a"
        old_stamps = [stamp(p, corpus) for p in discover(corpus)]
        victim.write_text(texts[state], encoding="utf-8")
        new_stamps = [stamp(p, corpus) for p in discover(corpus)]
        process = subprocess.Popen(
            index_command(corpus, index), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if point % 2 == 0:
            # Anywhere in the run: start-up, parsing, building, writing.
            time.sleep(full_run * (point + rng.random()) / KILL_POINTS)
        else:
            # Inside the write: once the new graph file is being written, a little later.
            deadline = time.monotonic() + 2 * full_run
            while not list(index.glob(f".{GRAPH}.*.tmp")) and process.poll() is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.002)
            time.sleep(rng.random() * 0.3)
        process.kill()
        process.wait(timeout=60)
        # Whatever the moment, the folder holds a whole index: the new one or the old one.
        as_new = load_graph(index, new_stamps, corpus)
        as_old = load_graph(index, old_stamps, corpus)
        assert (as_new is None) != (as_old is None), f"kill point {point}: no whole index"
        if as_new is not None:
            outcomes["new"] += 1
            assert fingerprint(as_new) == expected[state]
        else:
            outcomes["old"] += 1
            assert fingerprint(as_old) == expected["b" if state == "a" else "a"]
        # The next run repairs: it rebuilds for the current files and leaves no debris.
        repaired = kg.load(corpus, index=index, embed=False)
        assert fingerprint(repaired) == expected[state]
        assert not list(index.glob(f".{GRAPH}.*.tmp")) and not list(index.glob(f".{MANIFEST}.*"))
        assert [p.name for p in index.glob("graph-*.sqlite")] == [read_manifest(index)["graph"]]
    print(f"kill points: {KILL_POINTS}, outcomes: {outcomes}")
    assert outcomes["old"] >= 2, outcomes  # kills before the manifest's rename were exercised


def test_two_indexers_at_once_make_one_consistent_index(corpus_states, tmp_path):
    corpus, victim, texts, expected = corpus_states
    victim.write_text(texts["a"], encoding="utf-8")
    for run in range(3):
        index = tmp_path / f"index-{run}"
        first = subprocess.Popen(index_command(corpus, index), stdout=subprocess.PIPE, text=True)
        second = subprocess.Popen(index_command(corpus, index), stdout=subprocess.PIPE, text=True)
        outputs = [json.loads(p.communicate(timeout=300)[0]) for p in (first, second)]
        assert [p.returncode for p in (first, second)] == [0, 0]
        # The lock makes one wait: it then finds the index the other wrote and reuses it.
        assert sorted(o["reused_index"] for o in outputs) == [False, True]
        stamps = [stamp(p, corpus) for p in discover(corpus)]
        assert fingerprint(load_graph(index, stamps, corpus)) == expected["a"]
        assert read_manifest(index) is not None


def _rewrite_forever(index: str, corpus: str, rounds: int) -> None:
    root = Path(corpus)
    stamps = [stamp(p, root) for p in discover(root)]
    small = kg.load(root, save=False, embed=False)
    notes = {n.id: n for n in list(small)[:50]}
    tiny = kg.KnowledgeGraph(
        notes, [lk for lk in small.links if lk.source in notes and lk.target in notes]
    )
    for i in range(rounds):
        save_graph(Path(index), small if i % 2 else tiny, stamps)


def test_readers_never_see_a_mix(corpus_states, tmp_path):
    corpus, victim, texts, expected = corpus_states
    victim.write_text(texts["a"], encoding="utf-8")
    index = tmp_path / "index"
    stamps = [stamp(p, corpus) for p in discover(corpus)]
    writer = multiprocessing.get_context("spawn").Process(
        target=_rewrite_forever, args=(str(index), str(corpus), 30)
    )
    writer.start()
    seen = set()
    deadline = time.monotonic() + 120
    while writer.is_alive() and time.monotonic() < deadline:
        graph = load_graph(index, stamps, corpus)
        if graph is not None:
            ids = {n.id for n in graph}
            assert all(lk.source in ids and lk.target in ids for lk in graph.links)
            seen.add((len(graph.notes()), len(graph.links)))  # every node
    writer.join(timeout=60)
    assert writer.exitcode == 0
    assert len(seen) >= 1 and all(size in (50, expected["a"][0]) for size, _ in seen)


def test_stale_temporaries_are_cleaned(tmp_path, seeds_dir):
    index = tmp_path / "index"
    index.mkdir()
    (index / f".{GRAPH}.abc.tmp").write_bytes(b"half written")
    (index / "graph-orphan.sqlite").write_bytes(b"from a writer killed after its rename")
    kg.load(seeds_dir, index=index, embed=False)
    assert not list(index.glob(f".{GRAPH}.*.tmp"))
    assert [p.name for p in index.glob("graph-*.sqlite")] == [read_manifest(index)["graph"]]
    shutil.rmtree(index)


_UPDATE_LOOP = """
import sys, kg
from pathlib import Path
corpus, victim, a, b = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
texts = [Path(a).read_text(encoding="utf-8"), Path(b).read_text(encoding="utf-8")]
i = 0
while True:
    i += 1
    victim.write_text(texts[i % 2], encoding="utf-8")
    graph = kg.load(corpus, embed="none")
    print(graph.index_update.mode, flush=True)
"""


def test_killed_update_in_place_leaves_old_or_new_graph(tmp_path):
    """Edits that update the index in place, killed at random moments: the graph file
    always holds one whole version, the one its stamps name, never a mix."""
    corpus = tmp_path / "corpus"
    generate(corpus, pages=1500, seed=4)
    victim = next(p for p in sorted(corpus.glob("*_synthesis_main.txt")))
    text_a = victim.read_text(encoding="utf-8")
    lines = text_a.split("\n")
    body = max(range(len(lines)), key=lambda i: len(lines[i]))  # a paragraph of running text
    lines[body] += " A sentence that only state b has."
    text_b = "\n".join(lines)
    (tmp_path / "a.txt").write_text(text_a, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text_b, encoding="utf-8")
    expected = {}
    for name, text in (("a", text_a), ("b", text_b)):
        victim.write_text(text, encoding="utf-8")
        built = kg.load(corpus, save=False, embed="none")
        expected[len(text.encode("utf-8"))] = (
            name,
            [lk.to_row() for lk in built.links],
            {n.id: n for n in built},
        )
    victim.write_text(text_a, encoding="utf-8")
    kg.load(corpus, embed="none")
    from kg.index.read import open_index

    rng = random.Random(5)
    modes: dict[str, int] = {}
    seen = set()
    for _ in range(10):
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _UPDATE_LOOP,
                str(corpus),
                str(victim),
                str(tmp_path / "a.txt"),
                str(tmp_path / "b.txt"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        time.sleep(2.0 + rng.random() * 3.0)  # start-up, then a few updates
        process.kill()
        out, _ = process.communicate(timeout=60)
        for mode in out.split():
            modes[mode] = modes.get(mode, 0) + 1
        saved = open_index(corpus / ".kg")
        assert saved is not None, "no whole index after the kill"
        size = next(row[1] for row in saved.stamps if row[0] == victim.name)
        name, links, notes = expected[size]
        graph = saved.graph(corpus)
        assert graph is not None
        assert [lk.to_row() for lk in graph.links] == links, f"a mix of versions (state {name})"
        assert all(graph.note(note_id) == note for note_id, note in notes.items())
        seen.add(name)
        saved.close()
    assert modes.get("updated", 0) >= 10, modes  # the kills landed among in-place updates
    assert seen == {"a", "b"}, seen


_BROWSER_EDITING = """
import os, sys, threading, time
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from fake_embedder import FakeEmbedder
from kg_tui.app import KgApp
corpus, victim, a, b = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
texts = [Path(a).read_text(encoding="utf-8"), Path(b).read_text(encoding="utf-8")]
app = KgApp(corpus, embedder=FakeEmbedder())

def edit() -> None:
    # Save the other state as an editor does (whole, by a rename), wait for the browser's
    # re-index, and again, until killed.
    while app.graph is None:
        time.sleep(0.05)
    i = 0
    while True:
        i += 1
        seen = app.reloads
        spare = victim.with_name("." + victim.name + ".tmp")
        spare.write_text(texts[i % 2], encoding="utf-8")
        os.replace(spare, victim)
        deadline = time.monotonic() + 20
        while app.reloads == seen and time.monotonic() < deadline:
            time.sleep(0.01)
        print(app.reloads, flush=True, file=sys.stderr)

threading.Thread(target=edit, daemon=True).start()
app.run(headless=True)
"""


def test_killed_browser_reindex_leaves_old_or_new_state_with_vectors(tmp_path):
    """The open browser re-indexing saved edits (its watcher, `embed="lazy"`), killed at
    random moments: the index is one whole version, the vectors on disk are whole, and the
    next start has a vector for every note, embedding at most the edited note's texts."""
    from fake_embedder import FakeEmbedder

    from kg.embed.store import VectorStore
    from kg.index.read import open_index
    from kg.index.stamps import corpus_signature

    corpus = tmp_path / "corpus"
    generate(corpus, pages=1500, seed=6)
    victim = next(p for p in sorted(corpus.glob("*_synthesis_main.txt")))
    text_a = victim.read_text(encoding="utf-8")
    lines = text_a.split("\n")
    lines[1] += " This sentence only state b has."  # the description: a text with a vector
    text_b = "\n".join(lines)
    (tmp_path / "a.txt").write_text(text_a, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text_b, encoding="utf-8")
    expected = {}
    for name, text in (("a", text_a), ("b", text_b)):
        victim.write_text(text, encoding="utf-8")
        full = kg.load(corpus, save=False, embed="all", embedder=FakeEmbedder())
        assert full.embeddings is not None
        note = next(n for n in full if n.files == (victim.name,))
        expected[len(text.encode("utf-8"))] = (
            name,
            note.id,
            full.embeddings.count,
            full.embeddings.note_vector(note.id),
        )
    assert not np.allclose(*(entry[3] for entry in expected.values()))
    victim.write_text(text_a, encoding="utf-8")
    kg.load(corpus, embed="all", embedder=FakeEmbedder())
    tests_dir = str(Path(__file__).resolve().parent)
    rng = random.Random(7)
    reindexes = 0
    seen = set()
    outcomes = {"vectors behind the index": 0, "vectors as the index": 0}
    for _ in range(8):
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _BROWSER_EDITING,
                str(corpus),
                str(victim),
                str(tmp_path / "a.txt"),
                str(tmp_path / "b.txt"),
                tests_dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Start-up, then a re-index or two: waiting for the browser's own report of its
        # first one keeps the kill inside the re-indexing on a loaded machine too.
        reported: list[str] = []
        reader = threading.Thread(target=reported.extend, args=(process.stderr,), daemon=True)
        reader.start()
        started = time.monotonic() + 180
        while not any(line.strip().isdigit() for line in reported) and time.monotonic() < started:
            time.sleep(0.05)
        time.sleep(rng.random() * 2.0)
        # Then just after an edit is saved: inside the re-index it starts (the watcher
        # waits 150 ms, the update and the vectors take a few hundred more).
        saved_at = victim.stat().st_mtime_ns
        deadline = time.monotonic() + 20
        while victim.stat().st_mtime_ns == saved_at and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(0.1 + rng.random() * 0.5)
        process.kill()
        process.wait(timeout=60)
        reader.join(timeout=60)
        assert process.stderr is not None
        process.stderr.close()
        reindexes += len([line for line in "".join(reported).split() if line.isdigit()])
        folder = corpus / ".kg"
        stored = VectorStore.open(folder, "fake-hashing-embedder")
        assert not stored.problems, stored.problems  # the vector files are whole
        assert stored.count > 0
        saved = open_index(folder)
        assert saved is not None, "no whole index after the kill"
        behind = stored.signature != corpus_signature(saved.meta.get("stamps", ""))
        outcomes["vectors behind the index" if behind else "vectors as the index"] += 1
        indexed = next(row[1] for row in saved.stamps if row[0] == victim.name)
        saved.close()
        # The vectors on disk are one state's: the index's own, or the one before it.
        note_id = expected[indexed][1]
        kept = stored.note_vector(note_id)
        if not behind:
            assert np.allclose(kept, expected[indexed][3], atol=1e-6), "another state's"
        else:
            assert any(np.allclose(kept, e[3], atol=1e-6) for e in expected.values())
        name, note_id, count, vector = expected[victim.stat().st_size]
        # The next start (the browser's own opening) has every vector back.
        embedder = FakeEmbedder()
        graph = kg.load(corpus, embed="lazy", embedder=embedder)
        assert graph.embeddings is not None and graph.embeddings.complete
        assert graph.embeddings.count == count
        assert np.allclose(graph.embeddings.note_vector(note_id), vector, atol=1e-6)
        assert embedder.texts_embedded <= 2, embedder.seen  # the edited text at most
        seen.add(name)
    print(f"browser re-indexes: {reindexes}, after the kills: {outcomes}, states {seen}")
    assert reindexes >= 8, reindexes  # the kills landed among the browser's re-indexes
