"""The README's examples, run against the bundled notes/ so the README cannot drift.

Every ```python block runs, in order, in one namespace, in a folder holding a copy of
notes/ (so `kg.load("notes")` works as the README says and writes its index there).
Every `kg …` line of the ```sh blocks runs too, as a smoke test: it must exit 0. The
terminal app (`kg browse`), `kg watch` and the `make` commands are driven by their own tests.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == language]


def commands() -> list[str]:
    """The `kg …` command lines of the README's shell blocks, continuations joined and
    trailing comments dropped."""
    found = []
    for body in blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line.startswith("kg "):
                continue
            words = shlex.split(line, comments=True)
            if words[1] in ("browse", "watch") or "…" in line:  # they run until stopped
                continue
            found.append(words)
    return found


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "notes", folder / "notes", ignore=shutil.ignore_patterns(".kg"))
    return folder


def test_the_readme_has_examples():
    assert len(blocks("python")) >= 3 and len(commands()) >= 15


@pytest.mark.model
def test_python_examples_run_on_notes(workdir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(workdir)
    namespace: dict[str, object] = {"__name__": "readme"}
    for number, code in enumerate(blocks("python"), start=1):
        try:
            exec(compile(code, f"README.md python block {number}", "exec"), namespace)
        except Exception as error:  # the block and its error, for whoever fixes it
            pytest.fail(f"README python block {number} failed: {error!r}\n{code}")


@pytest.mark.model
@pytest.mark.slow
def test_cli_examples_run_on_notes(workdir: Path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    failures = []
    for words in commands():
        result = subprocess.run(
            [sys.executable, "-m", "kg.cli", *words[1:]],
            cwd=workdir,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        if result.returncode != 0:
            failures.append(f"{shlex.join(words)} -> {result.returncode}: {result.stderr[-400:]}")
    assert failures == []
