"""A user's script type-checks against the installed kg with plain `mypy script.py`.

The script is written to a temporary folder outside the checkout and mypy runs there
with the interpreter's own settings: no MYPYPATH, no PYTHONPATH, no config file. So
what mypy sees of kg is what installing it gave (`make setup`: an editable install in
compat mode, whose .pth file mypy reads, and kg/py.typed). It must report the one
mistake in the script and nothing from inside kg.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SCRIPT = """\
import kg

g = kg.load("notes", embed="none")
note: kg.Note = g.note("Can a verifier be trusted more than the generator it checks?")
nearest: list[kg.NearNote] = g.near(note, k=5)
tree: kg.Evidence = g.trace(note, depth=2)
for depth, node in tree.walk():
    print(depth, node.kind, node.score + 1.0)
rows: list[dict] = g.to_records()
frame = g.frame()
reveal_type(g)
reveal_type(g.trace(note).children)
weak = g.near(note, k="five")  # the mistake: k is a number
"""
MISTAKE_LINE = 13


# As a user runs it: no MYPYPATH or PYTHONPATH (both would show mypy the checkout
# rather than the install).
USER_ENV = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}


def mypy(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`python -m mypy script.py` in `folder`."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", *options, "script.py"],
        cwd=folder,
        env=USER_ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def user_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user-project")
    (folder / "script.py").write_text(SCRIPT, encoding="utf-8")
    return folder


def errors_in(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error:" in line]


@pytest.mark.slow
def test_mypy_sees_the_installed_kg_and_reports_only_the_users_mistake(user_folder: Path):
    result = mypy(user_folder)
    assert 'module named "kg"' not in result.stdout, (
        "mypy cannot find kg: it is installed through setuptools' import hook, which mypy "
        "does not follow; install it as `make setup` does (editable_mode=compat)\n" + result.stdout
    )
    errors = errors_in(result.stdout)
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith(f'script.py:{MISTAKE_LINE}: error: Argument "k" to "near"')
    assert '"str"; expected "int"' in errors[0] and "[arg-type]" in errors[0]
    # kg's own types reached the script: the graph and the evidence tree are not Any
    revealed = re.findall(r'Revealed type is "([^"]+)"', result.stdout)
    assert revealed[0] == "kg.graph.knowledge.KnowledgeGraph"
    assert re.fullmatch(r"(builtins\.)?tuple\[kg\.query\.claims\.Evidence, \.\.\.\]", revealed[1])
    assert result.returncode == 1


@pytest.mark.slow
def test_kg_itself_is_clean_under_mypys_default_settings(user_folder: Path):
    """With installed packages' errors shown too (`--no-silence-site-packages`), nothing
    inside kg is reported: kg's own code passes mypy's defaults, not only kg's settings."""
    where = subprocess.run(
        [sys.executable, "-c", "import kg; print(kg.__file__)"],
        cwd=user_folder,
        env=USER_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    package = Path(where.stdout.strip()).resolve().parent  # the kg mypy sees, installed
    result = mypy(user_folder, "--no-silence-site-packages")
    inside_kg = [
        line
        for line in result.stdout.splitlines()
        if ": error:" in line and Path(line.split(":", 1)[0]).resolve().is_relative_to(package)
    ]
    # An import of a package without types (or of an optional one) needs, in kg, its
    # `# type: ignore[import-untyped, import-not-found, unused-ignore]`: kg's own settings
    # ignore missing imports, a user's do not.
    assert inside_kg == [], result.stdout
    assert any(line.startswith(f"script.py:{MISTAKE_LINE}:") for line in errors_in(result.stdout))


@pytest.mark.slow
def test_mypy_sees_kg_installed_from_the_project_folder(user_folder: Path, tmp_path: Path):
    """`pip install` of the project folder (no editable install): the wheel carries
    kg/py.typed, and mypy checks the script against it in the environment it went to."""
    root = Path(__file__).resolve().parent.parent
    source = tmp_path / "source"  # built from a copy: setuptools writes build/ beside it
    skip = shutil.ignore_patterns("__pycache__", ".kg", "*.egg-info")
    for name in ("kg", "tui"):
        shutil.copytree(root / name, source / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    pip = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = tmp_path.glob("kg-*.whl")
    assert "kg/py.typed" in zipfile.ZipFile(wheel).namelist()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        env=USER_ENV,  # nothing on PYTHONPATH may pass for kg already installed
        check=True,
        capture_output=True,
        timeout=600,
    )
    result = mypy(
        user_folder, "--python-executable", str(python), "--cache-dir", str(tmp_path / "cache")
    )
    assert any((venv / "lib").glob("python*/site-packages/kg/py.typed"))
    errors = errors_in(result.stdout)
    assert len(errors) == 1 and errors[0].startswith(f"script.py:{MISTAKE_LINE}:"), result.stdout
    assert 'Revealed type is "kg.graph.knowledge.KnowledgeGraph"' in result.stdout
