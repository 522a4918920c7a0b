"""Bad input: every broken file gets a diagnostic naming it, and every good file still loads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.model import LinkKind, Severity

BAD = Path(__file__).parent / "data" / "bad_corpus"


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """The committed bad corpus plus the cases git cannot carry: links, pipes, a 50 MB file."""
    root = tmp_path_factory.mktemp("bad") / "corpus"
    shutil.copytree(BAD, root)
    (root / "dangling.txt").symlink_to(root / "missing" / "nowhere.txt")
    os.mkfifo(root / "pipe.txt")
    with open(root / "huge.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    graph = kg.load(root, index=root.parent / "index", embed=False)
    return root, graph


def problems(graph, name, severity=None):
    return [
        d
        for d in graph.diagnostics
        if d.path == name and (severity is None or d.severity is severity)
    ]


GOOD_TITLES = [
    "Can agents recover from tool errors on their own?",
    "Why does caf\ufffd text break parsers?",
    "Does a byte-order mark hide the title?",
    "Do CRLF line ends split lines twice?",
    "Can sections come in any order at all?",
    "How many sources does this line really have?",
    "Which page wins when two share a title?",
    "Does a note that cites itself loop forever?",
    "Does cycle A point to cycle B?",
    "Does cycle B point to cycle A?",
]


def test_every_good_file_still_loads(bad):
    _, graph = bad
    for title in GOOD_TITLES:
        assert not graph.note(title).stub, title


@pytest.mark.parametrize(
    ("name", "severity", "fragment"),
    [
        ("latin1.txt", Severity.WARNING, "not UTF-8"),
        ("bom.txt", Severity.INFO, "byte-order mark"),
        ("empty.txt", Severity.WARNING, "empty file"),
        ("binary.txt", Severity.ERROR, "binary file"),
        ("huge.txt", Severity.ERROR, "over the limit"),
        ("dangling.txt", Severity.ERROR, "dangling symbolic link"),
        ("pipe.txt", Severity.ERROR, "not a regular file"),
        ("truncated.txt", Severity.INFO, "ends early"),
        ("unusual-order.txt", Severity.WARNING, "repeated"),
        ("sources-short.txt", Severity.WARNING, "'Sources 6 notes' lists 3"),
        ("bad-yaml.md", Severity.ERROR, "not valid YAML"),
        ("list-yaml.md", Severity.ERROR, "not a mapping"),
        ("evil-yaml.md", Severity.ERROR, "python/object/apply"),
        ("self-link.md", Severity.WARNING, "to itself"),
    ],
)
def test_each_case_has_a_clear_diagnostic(bad, name, severity, fragment):
    _, graph = bad
    found = problems(graph, name, severity)
    assert any(fragment in d.message for d in found), [
        str(d) for d in graph.diagnostics if d.path == name
    ]


def test_a_blank_markdown_file_is_a_note_without_text(bad):
    _, graph = bad  # Obsidian keeps an empty note: links to it resolve, nothing to report
    note = graph.note("blank-only")
    assert not note.stub and note.files == ("blank-only.md",) and not note.body
    assert problems(graph, "blank-only.md") == []


def test_crlf_lines_are_not_doubled(bad):
    _, graph = bad
    note = graph.note("Do CRLF line ends split lines twice?")
    assert note.claim == "crlf is folded to lf" and note.body[0].text == "Body text."


def test_latin1_line_is_reported_and_text_kept(bad):
    _, graph = bad
    (diagnostic,) = problems(graph, "latin1.txt", Severity.WARNING)
    assert diagnostic.line == 1
    assert "caf\ufffd" in graph.note("Why does caf\ufffd text break parsers?").body[0].text


def test_hostile_yaml_never_runs(bad):
    root, graph = bad
    assert not (root / "PWNED").exists() and not Path("PWNED").exists()
    assert graph.note("evil-yaml").body[0].text == "A hostile note."


def test_unusual_order_keeps_all_sections(bad):
    _, graph = bad
    note = graph.note("Can sections come in any order at all?")
    assert note.claim == "sections may come in any order"
    papers = [lk for lk in graph.links_of(note, "out", kinds="paper")]
    assert len(papers) == 2
    assert graph.backlinks(note, kinds="uses")


def test_short_sources_keep_every_summary(bad):
    _, graph = bad
    note = graph.note("How many sources does this line really have?")
    assert len(note.sources) == 3 and note.counts.sources == 6
    assert note.sources[0].title == "Can agents recover from tool errors on their own?"
    assert [s.title for s in note.sources[1:]] == [None, None]


def test_duplicate_titles_are_merged_visibly(bad):
    _, graph = bad
    note = graph.note("Which page wins when two share a title?")
    assert set(note.files) == {"dup-a.txt", "dup-b.md"}
    assert problems(graph, "dup-b.md", Severity.WARNING) or problems(
        graph, "dup-a.txt", Severity.WARNING
    )


def test_cycles_and_self_links(bad):
    _, graph = bad
    a = graph.note("Does cycle A point to cycle B?")
    assert len(graph.neighbours(a, depth=5)) == 2  # a->b and b->a, no endless walk
    me = graph.note("Does a note that cites itself loop forever?")
    assert all(lk.source != lk.target for lk in graph.links_of(me))


def test_odd_titles_never_become_paths(bad):
    _, graph = bad
    long_note = next(n for n in graph if n.title.startswith("Why very very"))
    assert len(long_note.title) > 5000 and len(long_note.id) <= 80
    path_note = graph.note("../../etc/passwd")
    assert path_note.id == "etc-passwd" and "/" not in path_note.id
    control = next(n for n in graph if n.title.startswith("Can bells"))
    assert "\x07" not in control.title and "<xml> &" in control.title


def test_index_summary_and_strict_exit(bad):
    root, _ = bad
    index = root.parent / "cli-index"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "index",
            "--corpus",
            str(root),
            "--index",
            str(index),
            "--json",
            "--no-embed",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    data = json.loads(run.stdout)
    assert data["errors"] >= 6 and data["warnings"] >= 5 and data["notes"] >= 14
    assert run.returncode == 1  # errors always fail the run
    good = root.parent / "only-good"
    good.mkdir()
    shutil.copy(root / "unusual-order.txt", good)
    relaxed = subprocess.run(
        [sys.executable, "-m", "kg.cli", "index", "--no-embed", "--corpus", str(good)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    strict = subprocess.run(
        [sys.executable, "-m", "kg.cli", "index", "--no-embed", "--strict", "--corpus", str(good)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert relaxed.returncode == 0 and strict.returncode == 1
    assert "unusual-order.txt:8: warning" in strict.stderr


def test_unreadable_file_is_reported(tmp_path):
    # Root reads any file whatever its mode, so the unreadable file is one the kernel refuses
    # to read for everyone: /proc/self/mem answers a read at offset 0 with EIO.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(BAD / "good-note.txt", corpus)
    (corpus / "unreadable.txt").symlink_to("/proc/self/mem")
    graph = kg.load(corpus, save=False, embed=False)
    (diagnostic,) = problems(graph, "unreadable.txt")
    assert diagnostic.severity is Severity.ERROR and "cannot read the file" in diagnostic.message
    assert not graph.note("Can agents recover from tool errors on their own?").stub


def test_link_kinds_survive_bad_neighbours(bad):
    _, graph = bad
    kinds = {lk.kind for lk in graph.links}
    assert LinkKind.RELATED in kinds and LinkKind.MENTIONS in kinds
