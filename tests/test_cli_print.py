"""`kg trace` and `kg show` as a person reads them: prose wrapped to the terminal's width
($COLUMNS here, 80 when not a terminal), every claim reachable from the command line."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from cli_helpers import run_kg

NOTES = Path(__file__).resolve().parent.parent / "notes"
JUDGES = "Can LLM judges replace human evaluation?"


kg = functools.partial(run_kg, columns=72, env={"HF_HUB_OFFLINE": "1"})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    args = ["--corpus", str(NOTES), "--index", str(tmp_path_factory.mktemp("print-index"))]
    assert kg("index", *args, "--no-embed").returncode in (0, 1)
    return args


def test_trace_says_how_many_claims_and_how_to_list_them(corpus):
    every = json.loads(kg("trace", JUDGES, "--claims", "--json", *corpus).stdout)["claims"]
    assert len(every) > 12 and [c["index"] for c in every] == list(range(len(every)))
    listed = kg("trace", JUDGES, "--claims", *corpus)
    assert listed.returncode == 0
    for claim in every:
        assert f"{claim['index']:>3}  {claim['kind']}" in listed.stdout
    out = kg("trace", JUDGES, "--lexical", *corpus).stdout
    assert f"Claims ({len(every)}; --claim N traces one, --claims lists them all)" in out
    assert f"({len(every) - 12} more)" in out
    wrong = kg("trace", JUDGES, "--lexical", "--claim", str(len(every)), *corpus)
    assert wrong.returncode == 2
    assert "--claims` lists them" in wrong.stderr and "g.claims" not in wrong.stderr


@pytest.mark.parametrize("columns", [60, 100])
def test_trace_and_show_wrap_to_the_width(corpus, columns):
    for words in (["trace", JUDGES, "--lexical"], ["show", JUDGES]):
        result = kg(*words, *corpus, columns=columns)
        assert result.returncode == 0, result.stderr
        long = [line for line in result.stdout.splitlines() if len(line) > columns]
        assert not long, "\n".join(long)


VERIFIER = "Can a verifier be trusted more than the generator it checks?"


def test_show_says_the_description_once_and_keeps_its_columns(corpus):
    note = json.loads(kg("show", VERIFIER, "--json", *corpus).stdout)
    out = kg("show", VERIFIER, *corpus, columns=200).stdout
    assert out.count(note["description"][:60]) == 1  # not again under each section or topic
    rows = out.split("\nLinks in", 1)[1].splitlines()[1:]
    rows += out.split("\nLinks out", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    for row in rows:
        if row.strip():  # each label within its column: the title starts at column 32
            assert row[31] != " " and row[30] == " ", row


def test_show_says_what_its_link_figures_count(corpus):
    figures = json.loads(kg("show", VERIFIER, "--json", *corpus).stdout)["concept_map"]
    out = " ".join(kg("show", VERIFIER, *corpus, columns=200).stdout.split())
    more = figures["two_hop"] - figures["direct"]
    assert (
        f"{figures['direct']} direct connections ({figures['direct_stubs']} of them stubs) · "
        f"{figures['two_hop']} in 2-hop network (those and {more} more two links away; "
        "categories and tags not counted)"
    ) in out
