"""Every argument of the public API is checked one way: None, a wrong type, a number out of
range, a claim the note does not make, an unknown option all raise `kg.InvalidArgument`,
whose message names the argument and says what is valid. One case table covers every
public method of `KnowledgeGraph` (a test fails when a method is added without cases),
then `kg.load` and `kg.connect`, and `kg index` on an empty or mistyped folder."""

from __future__ import annotations

import inspect
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kg

NOTE = "Can a verifier be trusted more than the generator it checks?"
OTHER = "Why do models abandon correct answers when users push back?"

# Methods that take no argument: nothing to check.
NO_ARGUMENTS = {
    "contested",
    "contested_claims",
    "corpus_stats",
    "degrees",
    "disagreement_counts",
    "isolated",
    "tags",
    "unresolved",
    "vectors",
}

# (method, positional arguments, keyword arguments, a word the message must have)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
    ("notes", (), {"kind": 5}, "node kind"),
    ("notes", (), {"kind": "papr"}, "valid"),
    ("notes", (), {"stubs": "no"}, "stubs"),
    ("notes", (), {"tag": 5}, "tag"),
    ("notes", (), {"category": ["a"]}, "category"),
    ("find", (None,), {}, "title, id, alias or file"),
    ("find", (5,), {}, "title, id, alias or file"),
    ("note", (None,), {}, "title, id, alias or file"),
    ("note", (["a"],), {}, "title, id, alias or file"),
    ("suggest", (None,), {}, "query"),
    ("suggest", ("verifier",), {"n": 0}, "n must be"),
    ("suggest", ("verifier",), {"n": "3"}, "n must be"),
    ("stats", (None,), {}, "title, id, alias or file"),
    ("links_of", (None,), {}, "title, id, alias or file"),
    ("links_of", (NOTE,), {"direction": "forward"}, "valid: out, in, both"),
    ("links_of", (NOTE,), {"direction": None}, "direction"),
    ("links_of", (NOTE,), {"kinds": "relatd"}, "link kind"),
    ("backlinks", (None,), {}, "title, id, alias or file"),
    ("backlinks", (NOTE,), {"kinds": 5}, "link kind"),
    ("linked_mentions", (5,), {}, "title, id, alias or file"),
    ("unlinked_mentions", (None,), {}, "title, id, alias or file"),
    ("neighbours", (None,), {}, "title, id, alias or file"),
    ("neighbours", (NOTE,), {"depth": -1}, "depth"),
    ("neighbours", (NOTE,), {"depth": "2"}, "depth"),
    ("neighbours", (NOTE,), {"depth": None}, "depth"),
    ("neighbours", (NOTE,), {"depth": True}, "depth"),
    ("neighbours", (NOTE,), {"kinds": ["related", 5]}, "link kind"),
    ("neighbours", (NOTE,), {"direction": "up"}, "direction"),
    ("neighbours", (NOTE,), {"node_kinds": "papr"}, "node kind"),
    ("path", (None, NOTE), {}, "title, id, alias or file"),
    ("path", (NOTE, None), {}, "title, id, alias or file"),
    ("path", (NOTE, OTHER), {"kinds": "x"}, "link kind"),
    ("path", (NOTE, OTHER), {"directed": "no"}, "directed"),
    ("to_networkx", (), {"stubs": "no"}, "stubs"),
    ("to_networkx", (), {"categories": None}, "categories"),
    ("to_networkx", (), {"tags": 1}, "tags"),
    ("to_networkx", (), {"attachments": "yes"}, "attachments"),
    ("to_networkx", (), {"undirected": "yes"}, "undirected"),
    ("to_networkx", (), {"simple": 1}, "simple"),
    ("to_networkx", (), {"weight": "kinds"}, "valid: kind"),
    ("to_networkx", (), {"weight": 2.0}, "mapping of link kind to weight"),
    ("to_networkx", (), {"weight": {"relatd": 1}}, "valid: source"),
    ("to_networkx", (), {"weight": {"related": -1}}, "at least 0"),
    ("to_networkx", (), {"weight": {"related": "high"}}, "weight['related']"),
    ("to_records", (), {"stubs": "no"}, "stubs"),
    ("to_records", (), {"categories": "no"}, "categories"),
    ("to_records", (), {"tags": 0}, "tags"),
    ("to_records", (), {"attachments": None}, "attachments"),
    ("frame", (), {"stubs": "no"}, "stubs"),
    ("frame", (), {"categories": "no"}, "categories"),
    ("frame", (), {"tags": "no"}, "tags"),
    ("frame", (), {"attachments": "no"}, "attachments"),
    ("metadata", (), {"stubs": "no"}, "stubs"),
    ("metadata", (), {"stubs": None}, "stubs"),
    ("claims", (None,), {}, "title, id, alias or file"),
    ("trace", (None,), {}, "title, id, alias or file"),
    ("trace", (NOTE,), {"claim": "zzqx typo"}, "valid: 0"),
    ("trace", (NOTE,), {"claim": 999}, "has no claim 999"),
    ("trace", (NOTE,), {"claim": 1.5}, "claim must be"),
    ("trace", (NOTE,), {"claim": True}, "claim must be"),
    ("trace", (NOTE,), {"depth": -1}, "depth"),
    ("used_by", (None,), {}, "title, id, alias or file"),
    ("used_by", (NOTE,), {"depth": 1.0}, "depth"),
    ("unsupported_claims", (), {"notes": [None]}, "title, id, alias or file"),
    ("unsupported_claims", (), {"notes": 5}, "title, id, alias or file"),
    ("unsupported_claims", (), {"threshold": "high"}, "threshold"),
    ("unsupported_claims", (), {"threshold": float("nan")}, "threshold"),
    ("subgraph", (), {"around": 5}, "around"),
    ("subgraph", (), {"around": [None]}, "title, id, alias or file"),
    ("subgraph", (NOTE,), {"depth": -1}, "depth"),
    ("subgraph", (NOTE,), {"kinds": "x"}, "link kind"),
    ("subgraph", (NOTE,), {"node_kinds": "x"}, "node kind"),
    ("subgraph", (NOTE,), {"colour": "red"}, "valid: path, notes"),
    ("subgraph", (NOTE,), {"direction": "up"}, "direction"),
    ("subgraph", (NOTE,), {"stubs": "no"}, "stubs"),
    ("subgraph", (), {"search": "verifier", "k": -1}, "k must be"),
    ("subgraph", (), {"search": 5}, "search"),
    ("subgraph", (NOTE,), {"near": -1}, "near"),
    ("subgraph", (), {"path": (NOTE,)}, "two notes"),
    ("subgraph", (), {"notes": 5}, "notes"),
    ("sparql", (None,), {}, "SPARQL query"),
    ("sparql", (5,), {}, "SPARQL query"),
    ("embed_notes", (), {"background": "yes"}, "background"),
    ("embed_notes", (), {"progress": 3}, "progress"),
    ("embed_notes", (), {"stop": True}, "threading.Event"),
    ("near", (None,), {}, "title, id, alias or file"),
    ("near", (NOTE,), {"k": -1}, "k must be"),
    ("near", (NOTE,), {"unlinked": "no"}, "unlinked"),
    ("near", (NOTE,), {"node_kinds": "papr"}, "node kind"),
    ("near", (NOTE,), {"kinds": "papr"}, "node kind"),
    ("near", (NOTE,), {"weights": {"title": 1}}, "meaning, words, graph"),
    ("near", (NOTE,), {"weights": {"meaning": 0}}, "not all 0"),
    ("search", (None,), {}, "the words to search for"),
    ("search", (5,), {}, "the words to search for"),
    ("search", ("verifier",), {"k": -1}, "k must be"),
    ("search", ("verifier",), {"k": "3"}, "k must be"),
    ("search", ("verifier",), {"semantic": "yes"}, "semantic"),
    ("search", ("verifier",), {"min_score": -1}, "min_score must be"),
    ("search", ("verifier",), {"min_score": float("nan")}, "min_score must be"),
    ("clusters", (), {"resolution": 0}, "resolution must be"),
    ("clusters", (), {"resolution": "x"}, "resolution must be"),
    ("clusters", (), {"seed": "x"}, "seed must be"),
    ("clusters", (), {"min_size": 0}, "min_size must be"),
    ("bridges", (5,), {}, "Clustering"),
    ("bridges", (), {"top": -1}, "top must be"),
    ("gaps", ({"a": 1},), {}, "Clustering"),
    ("gaps", (), {"top": -1}, "top must be"),
    ("gaps", (), {"suggestions": -1}, "suggestions must be"),
    ("gaps", (), {"bridges": "5"}, "bridges must be"),
    ("gaps", (), {"min_size": 0}, "min_size must be"),
    ("disagreements", (None,), {}, "title, id, alias or file"),
    ("bridge_scores", ("x",), {}, "Clustering"),
    ("bridge_links", (5,), {}, "Clustering"),
    ("joining_count", ("x",), {}, "Clustering"),
    ("bridge_links", (), {"top": -1}, "top must be"),
    ("subgraph", (NOTE,), {"shape": "no"}, "shape"),
]


def case_id(case: tuple[str, tuple[Any, ...], dict[str, Any], str]) -> str:
    name, args, kwargs, _ = case
    shown = [repr(a)[:20] for a in args] + [f"{k}={v!r}"[:24] for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_a_bad_argument_raises_invalid_argument_saying_what_fits(notes_graph, case):
    name, args, kwargs, words = case
    with pytest.raises(kg.InvalidArgument) as raised:
        getattr(notes_graph, name)(*args, **kwargs)
    assert words in str(raised.value)


def test_every_public_method_has_cases():
    methods = {
        name
        for name, value in inspect.getmembers(kg.KnowledgeGraph)
        if not name.startswith("_") and callable(value)
    }
    covered = {case[0] for case in CASES}
    assert methods - NO_ARGUMENTS == covered


def test_every_argument_of_every_method_is_covered():
    """Each parameter (but `self` and `**options`) of each method has a bad-value case."""
    tried: dict[str, set[str]] = {}
    for name, args, kwargs, _ in CASES:
        parameters = list(inspect.signature(getattr(kg.KnowledgeGraph, name)).parameters)[1:]
        tried.setdefault(name, set()).update(parameters[: len(args)])
        tried[name].update(kwargs)
    for name in tried:
        signature = inspect.signature(getattr(kg.KnowledgeGraph, name))
        wanted = {
            p.name
            for p in list(signature.parameters.values())[1:]
            if p.kind is not inspect.Parameter.VAR_KEYWORD
        }
        assert wanted <= tried[name], (name, wanted - tried[name])


def test_good_values_still_work(notes_graph):
    g = notes_graph
    assert (
        g.to_networkx(stubs=False).number_of_nodes() < g.to_networkx(stubs=True).number_of_nodes()
    )
    assert g.notes(tag=None, category=None) == g.notes()
    assert g.trace(NOTE, claim=0, depth=0).kind == "claim"
    first = g.claims(NOTE)[0]
    assert g.trace(NOTE, claim=first.text[:25]).text == first.text  # part of a claim's text
    assert g.search("verifier", k=0) == []
    assert g.suggest("verifier", n=1)
    # A path given as any two-item iterable, a generator too, is read once and kept whole.
    assert repr(g.subgraph(path=iter([NOTE, OTHER]))) == repr(g.subgraph(path=(NOTE, OTHER)))


def test_a_claim_the_note_does_not_make_lists_the_claims_it_makes(notes_graph):
    claims = notes_graph.claims(NOTE)
    with pytest.raises(kg.InvalidArgument) as raised:
        notes_graph.trace(NOTE, claim="zzqx typo")
    message = str(raised.value)
    assert "makes no claim 'zzqx typo'" in message
    assert all(f"{c.index} " in message for c in claims[:12])
    assert len(message) < 120 * min(len(claims), 12) + 300  # each claim shortened


# ---------------------------------------------------------------- kg.load and kg.connect


@pytest.mark.parametrize(
    ("path", "options", "words"),
    [
        (123, {}, "a folder or file of notes"),
        (None, {}, "a folder or file of notes"),
        (["notes"], {}, "a folder or file of notes"),
        ("notes", {"embeder": None}, "valid: index, config"),
        ("notes", {"embed": "some"}, "valid: all, stored, lazy, none"),
        ("notes", {"rebuild": "no"}, "rebuild"),
        ("notes", {"save": 1}, "save"),
        ("notes", {"index": 5}, "index"),
        ("notes", {"config": 5}, "config"),
        ("notes", {"progress": "yes"}, "progress"),
        ("notes", {"include": 5}, "a glob or a list of globs"),
        ("notes", {"include": ["vault", 5]}, "5 is no glob"),
        ("notes", {"exclude": "/etc"}, "relative to the corpus root"),
        ("notes", {"exclude": ["../elsewhere"]}, "relative to the corpus root"),
        ("notes", {"exclude": [""]}, "is no glob"),
        ("http://127.0.0.1:9/", {"embeder": None}, "valid: index"),
    ],
)
def test_load_checks_its_arguments(path, options, words, tmp_path: Path):
    options = {"index": tmp_path / "index", **options}
    with pytest.raises(kg.InvalidArgument) as raised:
        kg.load(path, **options)
    assert words in str(raised.value)


@pytest.mark.parametrize(("url", "options"), [(5, {}), (None, {}), ("http://x", {"colour": 1})])
def test_connect_checks_its_arguments(url, options):
    with pytest.raises(kg.InvalidArgument):
        kg.connect(url, **options)


def test_load_of_a_missing_folder_says_so(tmp_path: Path):
    with pytest.raises(kg.CorpusError, match="no such corpus folder"):
        kg.load(tmp_path / "nots", index=tmp_path / "index")


def test_load_of_an_empty_folder_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    (tmp_path / "empty").mkdir()
    with caplog.at_level(logging.WARNING, logger="kg"):
        g = kg.load(tmp_path / "empty", index=tmp_path / "index", embed="none")
    assert len(g) == 0
    assert "holds no notes" in caplog.text


def kg_index(folder: Path, index: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "index", "--corpus", str(folder), "--index", str(index)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kg_index_of_an_empty_folder_warns_and_fails(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "picture.png").write_bytes(b"\x89PNG")
    result = kg_index(tmp_path / "empty", tmp_path / "index")
    assert result.returncode == 1
    assert "holds no notes" in result.stderr and "corpus folder" in result.stderr
    # No empty index is left behind, which a later run would take for the corpus's.
    assert "no index was written" in result.stderr
    assert not (tmp_path / "index").exists()
    assert not (tmp_path / "empty" / ".kg").exists()


def test_kg_index_of_a_mistyped_folder_fails(tmp_path: Path):
    result = kg_index(tmp_path / "nots", tmp_path / "index")
    assert result.returncode == 2
    assert "no such corpus folder" in result.stderr
