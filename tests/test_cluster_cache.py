"""The communities kept in the index folder (`kg.graph.cluster_cache`): used again after an
edit of text only, found again after a link changed, a damaged or other-format file
ignored; and the same clusters in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg
import kg.graph.partition
from kg.graph.cluster_cache import FILE, matched

TOPICS = {"ice": "Glaciers melt", "bow": "Violins sing", "oven": "Bread rises"}


def write_corpus(folder: Path, sentence: str = "Plain.", extra: str = "") -> None:
    """Three topics of five notes, each note linking to the next two of its topic."""
    folder.mkdir(parents=True, exist_ok=True)
    for topic, text in TOPICS.items():
        for i in range(5):
            links = " ".join(f"[[{topic} {(i + k) % 5}]]" for k in (1, 2))
            body = f"{text}. {sentence if (topic, i) == ('ice', 0) else 'Plain.'} {links}"
            if (topic, i) == ("bow", 0):
                body += extra
            (folder / f"{topic} {i}.md").write_text(body + "\n", encoding="utf-8")


@pytest.fixture
def found(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The times communities are found (not read from the index): whether each started
    from communities kept for earlier links."""
    calls: list[bool] = []
    original = kg.graph.partition.communities

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("initial") is not None)
        return original(*args, **kwargs)

    monkeypatch.setattr(kg.graph.partition, "communities", counting)
    return calls


def labels(g: kg.KnowledgeGraph) -> dict[str, int]:
    return dict(g.clusters().labels)


def test_kept_when_only_text_changed_found_again_when_a_link_changed(tmp_path, found):
    notes, index = tmp_path / "notes", tmp_path / "index"
    write_corpus(notes)
    first = labels(kg.load(notes, embed="none", index=index))
    assert len(set(first.values())) == 3 and len(found) == 1
    assert (index / FILE).is_file()
    write_corpus(notes, sentence="An edited sentence.")
    edited = kg.load(notes, embed="none", index=index)
    assert labels(edited) == first and len(found) == 1  # read from the index
    assert edited.clusters(seed=1) is not None and len(found) == 2  # another seed: found
    write_corpus(notes, sentence="An edited sentence.", extra=" [[oven 3]]")
    linked = kg.load(notes, embed="none", index=index)
    assert labels(linked) == first and len(found) == 3  # a new link: found again,
    assert found == [False, False, True]  # starting from the communities kept
    again = kg.load(notes, embed="none", index=index)
    assert labels(again) == first and len(found) == 3


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        json.dumps({"format": 99, "links": "x", "runs": {}}),
        json.dumps({"format": 3, "entries": [{"links": 1, "runs": []}, "x"]}),
        "[1, 2]",
        "",
    ],
)
def test_a_damaged_or_other_format_file_is_ignored(tmp_path, found, damage):
    notes, index = tmp_path / "notes", tmp_path / "index"
    write_corpus(notes)
    first = labels(kg.load(notes, embed="none", index=index))
    (index / FILE).write_text(damage, encoding="utf-8")
    assert labels(kg.load(notes, embed="none", index=index)) == first and len(found) == 2


def test_kept_communities_that_do_not_fit_the_notes_are_ignored(tmp_path, found):
    notes, index = tmp_path / "notes", tmp_path / "index"
    write_corpus(notes)
    first = labels(kg.load(notes, embed="none", index=index))
    data = json.loads((index / FILE).read_text("utf-8"))
    runs = data["entries"][0]["runs"]
    for key in runs:
        runs[key] = [[0, 1], [1, 2]]  # numbers, not note ids
    (index / FILE).write_text(json.dumps(data), encoding="utf-8")
    assert labels(kg.load(notes, embed="none", index=index)) == first and len(found) == 2
    ids = sorted(first)
    for wrong in ([ids, ids[:1]], [[*ids[1:], "no such note"]], [ids[1:]]):
        runs[key] = wrong  # a note twice, an unknown note, a note missing
        (index / FILE).write_text(json.dumps(data), encoding="utf-8")
        assert labels(kg.load(notes, embed="none", index=index)) == first
    assert found == [False] * 5


def test_a_fresh_process_finds_the_same_clusters(tmp_path):
    notes = tmp_path / "notes"
    write_corpus(notes, extra=" [[oven 3]] [[ice 2]]")
    here = labels(kg.load(notes, embed="none", index=tmp_path / "a"))
    code = (
        "import json, sys, kg; g = kg.load(sys.argv[1], embed='none', index=sys.argv[2]); "
        "print(json.dumps(dict(g.clusters().labels)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(notes), str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == here


def test_an_edit_of_links_that_moves_a_note_keeps_the_other_ids(tmp_path, found):
    """`bow 0`, the smallest note id, moves to the oven notes' cluster: numbered by their
    smallest note, all three clusters would change id; matched to the kept ones, none does."""
    notes, index = tmp_path / "notes", tmp_path / "index"
    write_corpus(notes)
    g = kg.load(notes, embed="none", index=index)
    first, (bow, oven) = labels(g), (g.note("bow 0").id, g.note("oven 0").id)
    assert first[bow] == 0 and len(set(first.values())) == 3
    links = " ".join(f"[[oven {i}]]" for i in range(4))
    (notes / "bow 0.md").write_text(f"Violins sing. Plain. {links}\n", encoding="utf-8")
    moved = labels(kg.load(notes, embed="none", index=index))
    assert found == [False, True]  # found again, from the kept communities
    assert moved[bow] == first[oven]
    assert {n: c for n, c in moved.items() if n != bow} == {
        n: c for n, c in first.items() if n != bow
    }
    anew = labels(kg.load(notes, embed="none", index=tmp_path / "anew"))
    assert anew[bow] == 0 and anew != moved  # the same clusters, numbered otherwise


def test_communities_are_matched_to_the_kept_ones_by_overlap():
    # Kept: 0 = {0, 1, 2, 3, 11}, 1 = {4, 5, 6}, 2 = {7, 8}. Found now: the first split in
    # two, the part with more of its notes keeps id 0; 7-8 merged into 4-6's cluster, which
    # keeps id 1; the other part takes the free id 2; a lone note stays unclustered.
    before = [[0, 1, 2, 3, 11], [4, 5, 6], [7, 8]]
    found = [[11, 3], [0, 1, 2, 9], [4, 5, 6, 7, 8], [10]]
    assert matched(found, before, 2) == [[0, 1, 2, 9], [4, 5, 6, 7, 8], [3, 11], [10]]
    assert matched(found, [], 2) == [[0, 1, 2, 9], [3, 11], [4, 5, 6, 7, 8], [10]]


def test_a_tag_keeps_the_communities_and_a_mostly_new_corpus_starts_afresh(tmp_path, found):
    notes, index = tmp_path / "notes", tmp_path / "index"
    write_corpus(notes)
    first = labels(kg.load(notes, embed="none", index=index))
    write_corpus(notes, extra=" #music")  # a tag weighs nothing in the clustering
    tagged = kg.load(notes, embed="none", index=index)
    assert labels(tagged) == first and found == [False]  # read from the index
    # Most notes new (a bulk import): kept communities hold too few of them to seed Leiden.
    for i in range(40):
        links = f"[[new {(i + 1) % 40}]] [[new {(i + 2) % 40}]]"
        (notes / f"new {i}.md").write_text(f"New note. {links}\n", encoding="utf-8")
    grown = kg.load(notes, embed="none", index=index)
    assert labels(grown) and found == [False, False]  # found from scratch


def test_a_process_holding_an_older_graph_keeps_the_newer_runs(tmp_path, found):
    """A graph loaded before an edit of links, clustered after a newer process kept its
    clusters, adds its own runs beside the newer ones: the next load reads them, nothing
    is found again."""
    notes, index = tmp_path / "notes", tmp_path / "index"
    write_corpus(notes)
    older = kg.load(notes, embed="none", index=index)
    write_corpus(notes, extra=" [[oven 3]]")
    newer = labels(kg.load(notes, embed="none", index=index))
    assert len(found) == 1
    before = labels(older)  # the older graph's own clusters, found for its links
    assert len(found) == 2 and before
    assert labels(kg.load(notes, embed="none", index=index)) == newer and len(found) == 2
    entries = json.loads((index / FILE).read_text("utf-8"))["entries"]
    assert len(entries) == 2  # both signatures kept, the one written last first
