"""The first trace of a freshly indexed corpus reads its vectors from the index: `kg index`
computes the transformer's vectors every trace compares, so a new process traces without
loading the model (no torch, no sentence-transformers, not even ONNX Runtime), ranks as the
model would on the spot, and the browser's first trace shows evidence at any size."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kg
from kg.embed.onnx import OnnxEmbedder, exportable, onnx_available
from kg.embed.textcache import FOLDER

NOTES = Path(__file__).resolve().parent.parent / "notes"
TITLE = "Can a verifier be trusted more than the generator it checks?"
KG = (sys.executable, "-m", "kg.cli")
MODEL_MODULES = ("torch", "sentence_transformers", "transformers", "onnxruntime")


def _model_folder() -> Path:
    from kg.embed.models import DEFAULT_MODEL, find_model_folder
    from kg.errors import ModelUnavailable

    try:
        return find_model_folder(DEFAULT_MODEL)
    except ModelUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """notes/ indexed by `kg index` in its own process, trace vectors included."""
    _model_folder()
    if not onnx_available():
        pytest.skip("onnxruntime is not installed")
    index = tmp_path_factory.mktemp("first-trace") / "index"
    out = subprocess.run(
        [*KG, "index", "--corpus", str(NOTES), "--index", str(index), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    report = json.loads(out.stdout)["trace_vectors"]
    assert report["skipped"] == "" and report["texts"] > report["made"] > 0, report
    assert report["traces_kept"] is False, report
    return index


def _tree(evidence) -> list[tuple]:
    return [(d, n.kind, n.note.id if n.note else None, n.score, n.text) for d, n in evidence.walk()]


def test_a_first_trace_in_a_fresh_process_loads_no_model(indexed: Path):
    code = (
        "import json, sys, kg\n"
        f"g = kg.load({str(NOTES)!r}, index={str(indexed)!r})\n"
        f"tree = g.trace({TITLE!r})\n"
        "notes = [n.note.title for _, n in tree.walk() if n.note is not None and n.kind != 'claim']\n"
        f"loaded = [m for m in {MODEL_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'notes': notes, 'loaded': loaded,\n"
        "                  'embedded': g.lazy_vectors.embedded, 'parts': any(n.parts for _, n in tree.walk())}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["loaded"] == [], out.stderr
    assert found["embedded"] == 0
    assert found["parts"], "ranked by the fused scorer, with vectors"
    assert "Can reward models be gamed by longer answers?" in found["notes"]


def test_kg_trace_in_a_fresh_process_embeds_nothing(indexed: Path):
    out = subprocess.run(
        [*KG, "trace", TITLE, "--corpus", str(NOTES), "--index", str(indexed), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "loading the model" not in out.stderr
    children = json.loads(out.stdout)["trace"]["children"]
    assert children and all("parts" in c for c in children if c["kind"] == "related")


@pytest.fixture(scope="module")
def without_trace_vectors(indexed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same index without the transformer's trace vectors (as `kg index` leaves a
    corpus with more texts than it embeds for traces): static vectors only."""
    index = tmp_path_factory.mktemp("static-only") / "index"
    shutil.copytree(indexed, index)
    shutil.rmtree(index / FOLDER)
    return index


def test_the_kept_vectors_rank_as_the_model_does_on_the_spot(
    indexed: Path, without_trace_vectors: Path
):
    from kg.query.fusion import default_scorer
    from kg.query.trace import trace

    kept = kg.load(NOTES, index=indexed)
    tree = kept.trace(TITLE)
    assert tree.vectors == "transformer"
    on_the_spot = kg.load(NOTES, index=without_trace_vectors)
    # The transformer ranking, told to embed what it compares (nothing kept to read).
    embedded = trace(on_the_spot, TITLE, scorer=default_scorer(on_the_spot))
    shutil.rmtree(without_trace_vectors / FOLDER, ignore_errors=True)  # leave it static-only
    assert _tree(tree) == _tree(embedded)
    assert kept.lazy_vectors.embedded == 0 and on_the_spot.lazy_vectors.embedded > 100


def test_a_first_trace_without_kept_vectors_ranks_with_the_static_ones_and_loads_no_model(
    without_trace_vectors: Path,
):
    code = (
        "import json, sys, kg\n"
        "from kg.query.fusion import FusedScorer\n"
        "from kg.query.trace import trace\n"
        f"g = kg.load({str(NOTES)!r}, index={str(without_trace_vectors)!r})\n"
        f"tree = g.trace({TITLE!r})\n"
        f"static = trace(g, {TITLE!r}, scorer=FusedScorer(g.embeddings))\n"
        "rows = lambda t: [(d, n.kind, n.note.id if n.note else None, n.score) for d, n in t.walk()]\n"
        f"loaded = [m for m in {MODEL_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'loaded': loaded, 'embedded': g.lazy_vectors.embedded,\n"
        "                  'vectors': tree.vectors, 'same': rows(tree) == rows(static),\n"
        "                  'ranked': sum(1 for _, n in tree.walk() if n.parts)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["loaded"] == [], out.stderr
    assert found["embedded"] == 0
    assert found["vectors"] == "static" and found["same"]
    assert found["ranked"] > 5


def test_kg_trace_says_when_it_ranked_with_the_static_vectors(without_trace_vectors: Path):
    base = ["trace", TITLE, "--corpus", str(NOTES), "--index", str(without_trace_vectors)]
    text = subprocess.run([*KG, *base], capture_output=True, text=True, timeout=300, check=True)
    assert "ranked with the stored static vectors" in text.stdout
    assert "loading the model" not in text.stderr
    out = subprocess.run(
        [*KG, *base, "--json"], capture_output=True, text=True, timeout=300, check=True
    )
    assert json.loads(out.stdout)["trace"]["vectors"] == "static"


def test_indexing_again_embeds_nothing_new(indexed: Path):
    out = subprocess.run(
        [*KG, "index", "--corpus", str(NOTES), "--index", str(indexed), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(out.stdout)["trace_vectors"]
    assert report["texts"] == 0 and report["kept"] > 500, report
    # The corpus is as when every note was last traced: the traces are not run again
    # (the texts they make are kept), which took most of an unchanged `kg index`.
    assert report["traces_kept"] is True and report["made"] == 0, report


def test_the_onnx_export_gives_the_models_own_vectors(tmp_path: Path):
    folder = _model_folder()
    if not onnx_available() or not exportable(folder):
        pytest.skip("onnxruntime is not installed")
    from kg.embed.models import SentenceTransformerEmbedder

    texts = ["Errors cancel out when many guesses are averaged.", "verifier", "A " * 300]
    ours = OnnxEmbedder(folder, name="m").encode(texts)
    theirs = SentenceTransformerEmbedder(folder, name="m").encode(texts)
    assert ours.shape == theirs.shape == (3, 384)
    assert float(np.max(np.abs(ours - theirs))) < 1e-4


@pytest.mark.asyncio
@pytest.mark.parametrize("kept", [True, False], ids=["trace vectors kept", "static vectors only"])
@pytest.mark.parametrize("size", [(60, 20), (120, 40)])
async def test_the_browsers_first_trace_shows_evidence(
    indexed: Path, without_trace_vectors: Path, size: tuple[int, int], kept: bool
):
    from kg_tui.app import KgApp
    from kg_tui.screens.trace import TraceScreen
    from kg_tui.widgets.evidence import EvidenceTree

    app = KgApp(NOTES, index=indexed if kept else without_trace_vectors, start=TITLE)
    async with app.run_test(size=size) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.main_screen.current is not None:
                break
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TraceScreen)
        tree = screen.query_one(EvidenceTree)
        titles = [n.data.node.title for n in _walk(tree.root) if n.data is not None]
        assert "Can reward models be gamed by longer answers?" in titles, titles
        assert app.graph is not None and app.graph.lazy_vectors.embedded == 0


def _walk(node):
    for child in node.children:
        yield child
        yield from _walk(child)


def test_an_edit_keeps_the_trace_vectors_current(indexed: Path, tmp_path: Path):
    corpus = tmp_path / "notes"
    shutil.copytree(NOTES, corpus, ignore=shutil.ignore_patterns(".kg"))
    index = tmp_path / "index"
    shutil.copytree(indexed, index)
    page = next(p for p in sorted(corpus.rglob("*.md")) if "verifier" in p.read_text("utf-8"))
    added = "Verifiers that read the generator's own reasoning inherit its blind spots."
    page.write_text(page.read_text("utf-8").rstrip("\n") + "\n\n" + added + "\n", "utf-8")
    script = (
        "import sys, kg\n"
        "from kg.embed.models import model_starts\n"
        "g = kg.load(sys.argv[1], index=sys.argv[2], embed='lazy')\n"
        "print(g.index_update.mode, model_starts(), g.lazy_vectors.cache.has(sys.argv[3]))\n"
    )
    probe = tmp_path / "index-probe"  # the same index, for a process of its own
    shutil.copytree(index, probe)
    shown = subprocess.run(
        [sys.executable, "-c", script, str(corpus), str(probe), added],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    # The update (a new process) does not start the model: the edited note's texts wait ...
    assert shown.stdout.split() == ["updated", "0", "False"]
    edited = kg.load(corpus, index=index, embed="lazy")  # as the browser re-indexes an edit
    assert edited.index_update.mode == "updated"
    assert not edited.lazy_vectors.cache.has(added)
    edited.embed_notes()  # ... which `kg index` runs after it, the browser on a thread
    assert edited.lazy_vectors.cache.has(added)
    again = kg.load(corpus, index=index, embed="lazy")  # a fresh process: nothing to embed
    before = again.lazy_vectors.embedded
    again.trace(again.note(TITLE))
    assert again.lazy_vectors.embedded == before


def test_a_first_trace_from_a_store_reads_the_vectors_it_sent(indexed: Path, tmp_path: Path):
    from store_support import require_oxigraph

    from kg.store.push import push
    from kg.store.server import OxigraphServer

    require_oxigraph()
    local = kg.load(NOTES, index=indexed, embed="none")
    with OxigraphServer(tmp_path / "store", bind="127.0.0.1", writable=True) as server:
        push(local, server.url)
        remote = kg.connect(server.url, cache=tmp_path / "mirror")
        tree = remote.trace(TITLE)
    assert remote.lazy_vectors.embedded == 0
    assert _tree(tree) == _tree(kg.load(NOTES, index=indexed).trace(TITLE))


def test_a_trace_from_a_store_reuses_the_kept_mirror_while_the_store_is_unchanged(
    indexed: Path, tmp_path: Path
):
    import os

    from store_support import require_oxigraph

    require_oxigraph()
    corpus = tmp_path / "notes"
    shutil.copytree(NOTES, corpus, ignore=shutil.ignore_patterns(".kg"))  # times kept
    index = tmp_path / "index"
    shutil.copytree(indexed, index)
    server = subprocess.Popen(
        [*KG, "serve", "--corpus", str(corpus), "--index", str(index), "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("}"):
                break
        endpoint = json.loads("".join(lines))["endpoint"]
        assert endpoint.startswith("http://127.0.0.1:")
        env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "mirrors")}
        command = [*KG, "trace", TITLE, "--endpoint", endpoint, "--json"]

        def run() -> dict:
            out = subprocess.run(
                command, capture_output=True, text=True, timeout=300, env=env, check=True
            )
            return json.loads(out.stdout)

        def written() -> dict[Path, int]:
            """When each file of the mirror was last written (SQLite's shared-memory and
            log files, and the lock, change whenever the index is opened)."""
            return {
                p: p.stat().st_mtime_ns
                for p in (tmp_path / "mirrors").rglob("*")
                if p.is_file() and p.name != "lock" and not p.name.endswith(("-shm", "-wal"))
            }

        first = run()
        mirrored = written()
        kept = [p for p in mirrored if p.suffix == ".npz"]
        assert kept and any(p.name == "restored.json" for p in mirrored)
        second = run()
        # Nothing of the mirror was written again: not a text, not its index, not the
        # trace vectors the store sent.
        assert written() == mirrored
        assert first == second
        assert first["trace"]["vectors"] == "transformer"
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
