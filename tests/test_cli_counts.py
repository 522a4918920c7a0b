"""Every count option of every `kg` command (-n, -k, -s, --depth, --near, --min-size)
behaves the same: a negative count is a usage error (status 2, one message), 0 is allowed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import build_parser

NOTES = Path(__file__).resolve().parent.parent / "notes"
TITLE = "Can LLM judges replace human evaluation?"

# (the command's words before the count, the count option, words after it)
COUNTS = [
    (["bridges"], "-n", []),
    (["bridges", "--links"], "-n", []),
    (["clusters"], "-n", []),
    (["gaps"], "-k", []),
    (["gaps"], "--top", []),
    (["gaps", "-k", "1"], "-s", []),
    (["gaps", "-k", "1"], "--min-size", []),
    (["near", TITLE], "-k", []),
    (["neighbours", TITLE], "--depth", []),
    (["search", "judges", "--lexical"], "-k", []),
    (["trace", TITLE, "--lexical"], "--depth", []),
    (["export", "-o", "-", "--search", "judges"], "-k", []),
    (["export", "-o", "-", "--around", TITLE], "--depth", []),
    (["export", "-o", "-", "--around", TITLE], "--near", []),
]

IDS = [f"{words[0]}{option}" for words, option, _ in COUNTS]


def test_every_count_option_is_listed():
    """COUNTS names every option whose values are counts: a new one must be added here."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    found = set()
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        for action in command._actions:
            if getattr(action.type, "__name__", "") in ("count", "int") and action.dest not in (
                "seed",
                "port",
                "debounce",
            ):
                found.add((name, action.option_strings[0]))
    listed = {(words[0], option) for words, option, _ in COUNTS}
    assert found <= listed | {("gaps", "-k")}, found - listed


@pytest.mark.parametrize(("words", "option", "after"), COUNTS, ids=IDS)
@pytest.mark.parametrize("as_json", [False, True])
def test_a_negative_count_is_a_usage_error(words, option, after, as_json, capsys):
    argv = [*words, option, "-1", *after] + (["--json"] if as_json else [])
    with pytest.raises(SystemExit) as stop:
        build_parser(json_errors=as_json).parse_args(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "must be a whole number of at least 0, not -1" in err
    if as_json:
        assert json.loads(err.strip().splitlines()[-1])["error"] == "UsageError"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    args = ["--corpus", str(NOTES), "--index", str(tmp_path_factory.mktemp("counts-index"))]
    result = run(["index", *args, "--no-embed"])
    assert result.returncode in (0, 1), result.stderr
    return args


def run(words: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *words], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(("words", "option", "after"), COUNTS, ids=IDS)
def test_a_count_of_zero_is_allowed(corpus, words, option, after):
    for as_json in ([], ["--json"]):
        result = run([*words, option, "0", *after, *corpus, *as_json])
        assert result.returncode == 0, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr


def test_search_with_k_zero_keeps_grep_status(corpus):
    """`kg search -k 0` lists no hit; its status still says whether some note matches."""
    assert run(["search", "judges", "--lexical", "-k", "0", *corpus]).returncode == 0
    assert run(["search", "zxqvw", "--lexical", "-k", "0", *corpus]).returncode == 1


def test_gaps_clusters_as_bridges_and_clusters_do(corpus, monkeypatch, capsys):
    """`kg gaps --resolution R --seed S` finds gaps between the clusters `kg clusters
    --resolution R --seed S` lists."""
    import kg
    import kg.query.gaps
    from kg.cli import main

    given = {}

    def fake_gaps(graph, clusters, **options):
        given["labels"] = dict(clusters)
        return []

    monkeypatch.setattr(kg.query.gaps, "gaps", fake_gaps)
    assert main(["gaps", "--resolution", "2", "--seed", "3", "--json", *corpus]) == 0
    graph = kg.load(corpus[1], index=corpus[3], embed="none")
    assert given["labels"] == dict(graph.clusters(resolution=2.0, seed=3).labels)
    assert given["labels"] != dict(graph.clusters().labels)


def test_browse_takes_no_json_and_bridges_label_their_columns(corpus, capsys):
    from kg.cli import build_parser

    assert "--json" not in run(["browse", "--help"]).stdout
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["browse", "--json"])
    assert stop.value.code == 2
    capsys.readouterr()
    out = run(["bridges", "-n", "2", *corpus]).stdout
    assert " score  part.  note" in out and "(part.: participation" in out


def test_search_says_when_more_notes_match_than_it_lists(corpus):
    """`kg search verifier` listed 10 hits and nothing more, where 25 notes match: a person
    took the 10 for all. It says when more match, and how to list them."""
    result = run(["search", "verifier", "--lexical", *corpus])
    assert result.returncode == 0
    assert result.stdout.count("\n    ") >= 10 and "\n10. " in result.stdout
    assert "the best 10 listed; more notes match (-k 20 lists more)" in result.stderr
    every = run(["search", "verifier", "--lexical", "-k", "100", *corpus])
    assert "more notes match" not in every.stderr


def test_trace_used_by_says_what_it_lists(corpus):
    """`kg trace NOTE --used-by` printed rows and no count, where the browser's Used by
    says "152 claims, up to 3 links away": the two could not be held side by side."""
    result = run(["trace", TITLE, "--used-by", "--lexical", *corpus])
    assert result.returncode == 0, result.stderr
    head = " ".join(result.stdout.split())
    rows = sum(1 for line in result.stdout.splitlines() if line.lstrip().startswith("“"))
    assert head.startswith(f"{TITLE}: {rows} claims rest on it, up to 3 links away"), head[:99]


def test_stats_says_what_its_cut_off_figure_counts(corpus):
    """`kg stats` ended its first line with "1 truncated" (one what?), where `kg index`
    says "1 cut-off page": the figure names what it counts, in the same words."""
    result = run(["stats", *corpus])
    first = result.stdout.splitlines()[0]
    assert "truncated" not in first and "1 cut-off note" in first, first
