"""The `kg` command as a person runs it: real subprocesses, text and --json output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HIDDEN = "Do base models already contain hidden reasoning ability?"


def kg_run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def seeds_args(seeds_dir, tmp_path_factory):
    return ["--corpus", str(seeds_dir), "--index", str(tmp_path_factory.mktemp("cli-index"))]


def test_help_for_every_command():
    out = kg_run("--help").stdout
    for name in ("index", "show", "neighbours", "stats", "path"):
        assert name in out
        assert "--json" in kg_run(name, "--help").stdout


def test_index_prints_a_summary(seeds_args):
    result = kg_run("index", *seeds_args, "--no-embed")
    assert "5 files read" in result.stdout and "0 errors" in result.stdout
    data = json.loads(kg_run("index", *seeds_args, "--json", "--no-embed").stdout)
    assert data["files"] == 5 and data["links_by_kind"]["related"] == 16


def test_show_json_and_text(seeds_args):
    data = json.loads(kg_run("show", HIDDEN, *seeds_args, "--json").stdout)
    assert data["claim"].startswith("base models already possess")
    assert len([lk for lk in data["links_out"] if lk["kind"] == "related"]) == 16
    text = kg_run("show", HIDDEN, *seeds_args).stdout
    assert "related (mechanism)" in text and "direct connections" in text


def test_neighbours_kind_filter(seeds_args):
    data = json.loads(kg_run("neighbours", HIDDEN, "--kind", "paper", *seeds_args, "--json").stdout)
    assert [n["link"]["order"] for n in data] == list(range(1, 9))


def test_unknown_title_exits_2_with_suggestions(seeds_args):
    result = kg_run("show", "hidden reasoning abilty base models", *seeds_args, check=False)
    assert result.returncode == 2
    assert "did you mean" in result.stderr and HIDDEN in result.stderr


def test_stats_json(seeds_args):
    data = json.loads(kg_run("stats", *seeds_args, "--json").stdout)
    assert data["notes_by_kind"]["line"] == 3 and data["stubs"] > 300


def test_corpus_from_environment(seeds_dir, tmp_path):
    env_result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "stats", "--json", "--index", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"KG_CORPUS": str(seeds_dir), "PATH": "/usr/bin:/bin"},
    )
    assert env_result.returncode == 0, env_result.stderr
    assert json.loads(env_result.stdout)["files"] == 5
