"""A store that refuses a write says why: a read-only `kg serve` (a real one, started as a
user starts it) is named read-only, with `kg serve --writable` as the way to allow writes,
never mistaken for a store that wants credentials; the same `kg serve --writable` takes
the push."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from store_support import copy_notes, require_oxigraph
from store_support import kg_serve as serve_in_background

KG = [sys.executable, "-m", "kg.cli"]

require_oxigraph()


def kg_serve(corpus: Path, *flags: str) -> AbstractContextManager[str]:
    """`kg serve` of `corpus` on a free port of 127.0.0.1; its URL."""
    return serve_in_background(["--corpus", str(corpus), "--port", "0", *flags])


def push(corpus: Path, url: str, home: Path) -> subprocess.CompletedProcess[str]:
    # No credentials anywhere (no variables, no ~/.netrc), so nothing is sent but the data.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_SPARQL_")}
    env["HOME"] = str(home)
    return subprocess.run(
        [*KG, "push", "--corpus", str(corpus), "--endpoint", url],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_notes(tmp_path / "notes")


def test_a_push_to_a_read_only_kg_serve_says_it_is_read_only(corpus: Path, tmp_path: Path):
    edited = corpus / "vault" / "added.md"
    with kg_serve(corpus) as url:
        edited.write_text("# Added\nA note the store has not seen.\n", encoding="utf-8")
        result = push(corpus, url, tmp_path)
    assert result.returncode == 2, result.stdout
    assert "read-only" in result.stderr and "kg serve --writable" in result.stderr
    assert "credentials" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_push_to_a_writable_kg_serve_is_taken(corpus: Path, tmp_path: Path):
    edited = corpus / "vault" / "added.md"
    with kg_serve(corpus, "--writable") as url:
        edited.write_text("# Added\nA note the store has not seen.\n", encoding="utf-8")
        result = push(corpus, url, tmp_path)
    assert result.returncode == 0, result.stderr
    # the note, and the corpus's word counts it changed
    assert result.stdout.startswith("2 file graphs sent"), result.stdout
