"""The README's examples, run against the bundled notes/ so the README cannot drift.

Every ```python block runs, in order, in one namespace, in a folder holding a copy of
notes/ (so `kg.load("notes")` works as the README says and writes its index there).
Every `kg …` line of the ```sh blocks runs too, as written: it must exit 0, and none holds
a placeholder. The ```console block of the store runs against a real `kg serve`
started here (on a free port rather than 7878, which the README's URLs are given), and
its ```text block of Python with it. The terminal app (`kg browse`), `kg watch` and the
`make` commands are driven by their own tests.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from store_support import kg_serve, require_oxigraph

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README) if lang == language]


def commands(language: str = "sh") -> list[list[str]]:
    """The `kg …` command lines of the README's `language` blocks, continuations joined
    and trailing comments dropped; not `kg browse` and `kg watch`, which run until
    stopped."""
    found = []
    for body in blocks(language):
        for line in body.replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line.startswith("kg "):
                continue
            words = shlex.split(line, comments=True)
            if words[1] in ("browse", "watch"):
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
    assert len(commands("console")) >= 7 and blocks("text")


def test_no_command_line_holds_a_placeholder():
    """A `…` or an all-caps TITLE in a command cannot run as written."""
    for words in commands() + commands("console"):
        assert not any("…" in word or word in ("TITLE", "URL", "PATH") for word in words), words


@pytest.mark.model
def test_python_examples_run_on_notes(workdir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(workdir)
    namespace: dict[str, object] = {"__name__": "readme"}
    for number, code in enumerate(blocks("python"), start=1):
        try:
            with warnings.catch_warnings():  # a call the README shows must not be deprecated
                for category in (DeprecationWarning, FutureWarning):
                    warnings.filterwarnings("error", category=category, module="readme")
                exec(compile(code, f"README.md python block {number}", "exec"), namespace)
        except Exception as error:  # the block and its error, for whoever fixes it
            pytest.fail(f"README python block {number} failed: {error!r}\n{code}")


def run_all(lines: list[list[str]], workdir: Path, env: dict[str, str]) -> list[str]:
    """Run each command line in `workdir`; what failed, with its status and stderr."""
    failures = []
    for words in lines:
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
    return failures


@pytest.mark.model
@pytest.mark.slow
def test_cli_examples_run_on_notes(workdir: Path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    assert run_all(commands(), workdir, env) == []


def serve_options(words: list[str]) -> list[str]:
    """The options of the README's `kg serve` line, on a free port rather than 7878 and
    writable, as its comment says `kg push` needs.

    >>> serve_options(["kg", "serve", "--port", "7878"])
    ['--port', '0', '--writable']
    """
    return [w for w in words[2:] if w not in ("--port", "7878")] + ["--port", "0", "--writable"]


@pytest.mark.model
@pytest.mark.slow
def test_store_examples_run_against_a_real_server(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    require_oxigraph()
    given = "http://127.0.0.1:7878"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "KG_STORE_CACHE": str(tmp_path / "cache")}
    lines = commands("console")
    [serve] = [words for words in lines if words[1] == "serve"]
    with kg_serve(serve_options(serve), cwd=workdir, env=env) as url:
        others = [[word.replace(given, url) for word in words] for words in lines if words != serve]
        assert len(others) >= 6 and all(any(url in w for w in words) for words in others)
        assert run_all(others, workdir, env) == []
        # the Python beside them, in a text block as it needs the server
        monkeypatch.setenv("KG_STORE_CACHE", str(tmp_path / "cache"))
        for number, code in enumerate(blocks("text"), start=1):
            if "kg.connect" not in code:
                continue
            namespace: dict[str, object] = {"__name__": "readme"}
            exec(
                compile(code.replace(given, url), f"README text block {number}", "exec"), namespace
            )
            graph = namespace["g"]
            assert repr(graph).startswith(f"<KnowledgeGraph {url}: ")
