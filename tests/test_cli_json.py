"""`kg … --json` gives data: diagnostics as objects, and an error as one JSON object on
stderr (error, message, suggestions), with the exit status the text output has."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_helpers import run_kg

DIAGNOSTIC_KEYS = ["file", "line", "severity", "code", "message"]
ERROR_KEYS = ["error", "message", "suggestions"]

HOME = """---
title: Home
rating: 4
---
The start. It links to [[Votes]] and to [[Someday maybe]], a note nobody wrote yet.
"""

VOTES = """---
title: Votes
tags: [crowds]
---
Why do majority votes beat single experts? Errors cancel out. See [[Home]].
"""

BROKEN = """---
title: [unclosed
---
Front matter that does not parse.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A three-note Markdown corpus with one unresolved link and one front matter that does not
    parse (an error), indexed without vectors: the common options that name it."""
    folder = tmp_path_factory.mktemp("json-corpus")
    notes = folder / "notes"
    notes.mkdir()
    (notes / "Home.md").write_text(HOME, encoding="utf-8")
    (notes / "Votes.md").write_text(VOTES, encoding="utf-8")
    (notes / "Broken.md").write_text(BROKEN, encoding="utf-8")
    args = ["--corpus", str(notes), "--index", str(folder / "index")]
    result = run_kg("index", *args, "--no-embed")
    assert result.returncode == 1, result.stderr  # the broken front matter is an error
    return args


def error_of(result: subprocess.CompletedProcess[str]) -> dict:
    """The JSON error object on stderr; it must be the only thing there."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    error = json.loads(lines[0])
    assert list(error) == ERROR_KEYS
    assert isinstance(error["message"], str) and error["message"]
    assert all(isinstance(s, str) for s in error["suggestions"])
    return error


def test_index_json_lists_diagnostics_as_objects(corpus: list[str]):
    result = run_kg("index", *corpus, "--no-embed", "--json", "-v")
    assert result.returncode == 1, result.stderr  # as without --json: the corpus has an error
    summary = json.loads(result.stdout)
    diagnostics = summary["diagnostics"]
    assert diagnostics and all(list(d) == DIAGNOSTIC_KEYS for d in diagnostics)
    broken = [d for d in diagnostics if d["file"] == "Broken.md"]
    assert broken and broken[0]["severity"] == "error" and isinstance(broken[0]["line"], int)
    assert "front matter" in broken[0]["message"] and broken[0]["code"] == "front-matter"
    unresolved = [d for d in diagnostics if "Someday maybe" in d["message"]]
    assert unresolved[0] == {
        **unresolved[0],
        "file": "Home.md",
        "line": 5,
        "severity": "info",
        "code": "unresolved-link",
    }
    # -v lists the unresolved links themselves, as the summary promises
    assert summary["unresolved_links"] == [
        {"file": "Home.md", "line": 5, "kind": "links", "target": "Someday maybe"}
    ]


def test_index_without_verbose_leaves_info_out(corpus: list[str]):
    summary = json.loads(run_kg("index", *corpus, "--no-embed", "--json").stdout)
    assert {d["severity"] for d in summary["diagnostics"]} == {"error"}
    assert "unresolved_links" not in summary


def test_index_verbose_text_lists_unresolved_links(corpus: list[str]):
    result = run_kg("index", *corpus, "--no-embed", "-v")
    assert result.returncode == 1, result.stderr
    assert "1 unresolved links, 1 tags (kg index -v lists them)" in result.stdout
    assert "  Home.md:5: [[Someday maybe]]" in result.stdout.splitlines()
    assert "#crowds 1" in result.stdout


def test_index_of_an_empty_folder_reports_it_as_a_diagnostic(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    args = ["--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "index")]
    result = run_kg("index", *args, "--no-embed", "--json")
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)["diagnostics"]
    assert problem["code"] == "empty-corpus" and problem["severity"] == "warning"
    assert result.stderr == ""


def test_stats_json_diagnostics_are_objects(corpus: list[str]):
    result = run_kg("stats", *corpus, "--json", "--diagnostics")
    assert result.returncode == 0, result.stderr
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [d["file"] for d in diagnostics] == ["Broken.md"]
    assert list(diagnostics[0]) == DIAGNOSTIC_KEYS
    text = run_kg("stats", *corpus, "--diagnostics").stdout
    assert "Broken.md:" in text and ": error: " in text  # the text form is unchanged


@pytest.mark.parametrize(
    "words",
    [
        ["show", "Vots"],
        ["neighbours", "Vots"],
        ["path", "Home", "Vots"],
        ["stats", "Vots"],
        ["trace", "Vots", "--lexical"],
        ["export", "--around", "Vots", "-o", "-"],
    ],
)
def test_an_unknown_note_is_a_json_error_with_the_closest_titles(corpus, words):
    result = run_kg(*words, *corpus, "--json")
    assert result.returncode == 2
    error = error_of(result)
    assert error["error"] == "NoteNotFound"
    assert "Vots" in error["message"] and error["suggestions"][0] == "Votes"
    assert result.stdout == ""
    plain = run_kg(*words, *corpus)  # the same error as text, the same status
    assert plain.returncode == 2 and plain.stderr.startswith(f"kg {words[0]}: no note titled")


def test_a_claim_the_note_does_not_make_lists_the_claims_it_does(corpus):
    result = run_kg("trace", "Votes", "--claim", "9", "--lexical", *corpus, "--json")
    assert result.returncode == 2
    error = error_of(result)
    assert error["error"] == "InvalidArgument" and "has no claim 9" in error["message"]
    assert error["suggestions"] and all(s.isdigit() for s in error["suggestions"])


def test_trace_without_a_title_is_a_usage_error(corpus):
    result = run_kg("trace", *corpus, "--json")
    assert result.returncode == 2
    assert error_of(result)["error"] == "InvalidArgument"


@pytest.mark.parametrize(
    ("words", "first"),
    [
        (["export", "--format", "turtel", "-o", "-"], "turtle"),
        (["neighbours", "Votes", "--kind", "relatd"], "related"),
        (["serach", "votes"], "search"),
    ],
)
def test_a_value_argparse_refuses_is_a_json_usage_error(corpus, words, first):
    result = run_kg(*words, *corpus, "--json")
    assert result.returncode == 2
    error = error_of(result)
    assert error["error"] == "UsageError" and "invalid choice" in error["message"]
    assert error["suggestions"][0] == first  # the closest valid value first, then the rest
    assert len(error["suggestions"]) > 2
    plain = run_kg(*words, *corpus)
    assert plain.returncode == 2 and plain.stderr.startswith("usage: kg")


def test_a_missing_argument_is_a_json_usage_error_without_suggestions(corpus):
    result = run_kg("path", "Home", *corpus, "--json")
    assert result.returncode == 2
    error = error_of(result)
    assert error["error"] == "UsageError" and error["suggestions"] == []
    assert "required" in error["message"]


def test_a_missing_corpus_is_a_json_error(tmp_path: Path):
    result = run_kg("stats", "--corpus", str(tmp_path / "nots"), "--json")
    assert result.returncode == 2
    error = error_of(result)
    assert error["error"] == "CorpusError" and "nots" in error["message"]


def test_finding_nothing_is_no_error(corpus):
    """`kg search` finds nothing: status 1 and `[]`, as documented; not an error object."""
    result = run_kg("search", "--lexical", "zxqv", *corpus, "--json")
    assert result.returncode == 1 and json.loads(result.stdout) == []
