"""A push cuts again only the files whose graph can have changed (kg.store.incremental):
after random edits, every file's graph hash it keeps, and every graph it builds, is byte
for byte what cutting the whole corpus gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from store_support import copy_notes

import kg
import kg.store.incremental as incremental
from benchmarks.generate_corpus import generate
from kg.store.incremental import index_view, partition_files, plan
from kg.store.partition import SHARED, partition


@pytest.fixture(params=["notes", "generated"])
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    if request.param == "notes":
        copy_notes(target)
    else:
        generate(target, pages=60, seed=3)
    return target


def load(path: Path) -> kg.KnowledgeGraph:
    return kg.load(path, embed="none")  # with its index: the incremental path needs one


def files(corpus: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix in (".md", ".txt") and p.name != "README.md" and ".kg" not in p.parts
    )


def title_in(g: kg.KnowledgeGraph, corpus: Path, path: Path) -> str | None:
    """The title of the note `path` makes, when its text spells it out."""
    shown = path.relative_to(corpus).as_posix()
    for note in g.notes(stubs=False):
        if note.files and note.files[0] == shown and note.title in path.read_text(encoding="utf-8"):
            return note.title
    return None


def edit(corpus: Path, g: kg.KnowledgeGraph, rng: random.Random, step: int) -> str:
    """One random edit of the corpus; what it did."""
    pool = files(corpus)
    path = rng.choice(pool)
    text = path.read_text(encoding="utf-8")
    titles = [n.title for n in g.notes(stubs=False) if n.files]
    action = rng.choice(["append", "mention", "retitle", "delete", "add", "shared"])
    if action == "shared":  # a file of a note several files show, when there is one
        several = [n for n in g.notes(stubs=False) if len(n.files) > 1]
        if several:
            path = corpus / rng.choice(rng.choice(several).files)
            text = path.read_text(encoding="utf-8")
        action = "append"
    if action == "append":
        path.write_text(text + f"\nOne more sentence, number {step}.\n", encoding="utf-8")
    elif action == "mention":
        other = rng.choice(titles)
        path.write_text(text + f"\nThis bears on {other} as step {step} shows.\n", encoding="utf-8")
    elif action == "retitle":
        title = title_in(g, corpus, path)
        if title is None:
            return edit(corpus, g, rng, step)
        new = f"Does retitled claim {step} hold under pressure?"
        path.write_text(text.replace(title, new, 1), encoding="utf-8")
    elif action == "delete":
        path.unlink()
    else:  # a new file: a copy of another, under a title of its own
        title = title_in(g, corpus, path)
        if title is None:
            return edit(corpus, g, rng, step)
        copy = path.with_name(f"added-{step}{path.suffix}")
        copy.write_text(
            text.replace(title, f"Is added claim {step} well founded?", 1), encoding="utf-8"
        )
        return f"add {copy.name}"
    return f"{action} {path.name}"


@pytest.mark.parametrize("seed", [1, 2])
def test_a_partial_partition_after_random_edits_equals_a_whole_one(
    corpus: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "WHOLE", 1.0)  # never fall back to a whole partition
    rng = random.Random(seed)
    g = load(corpus)
    first = plan(g, None)
    assert first.whole
    state = first.state
    cut_again: list[int] = []
    for step in range(8):
        done = edit(corpus, g, rng, step)
        g = load(corpus)
        result = plan(g, state)
        whole = partition(g)
        assert not result.whole, done
        assert result.hashes == {p: f.hash for p, f in whole.items()}, done
        for path, graph in result.graphs.items():
            assert graph == whole[path], (done, path)
        assert SHARED in result.graphs
        cut_again.append(len(result.graphs))
        state = result.state
    assert min(cut_again) < len(files(corpus)) // 2  # an edit cut a few files, not all


def test_some_files_graphs_equal_the_whole_partitions(corpus: Path) -> None:
    g = load(corpus)
    whole = partition(g)
    view = index_view(g)
    assert view is not None
    rng = random.Random(5)
    some = [*rng.sample(sorted(whole), 6), SHARED]
    assert partition_files(g, some, view).graphs == {p: whole[p] for p in some}
    assert partition_files(g, list(whole), view).graphs == whole


def test_no_index_or_no_state_means_a_whole_partition(corpus: Path) -> None:
    g = kg.load(corpus, embed="none", save=False)
    assert index_view(g) is None
    result = plan(g, None)
    assert result.whole and result.graphs == partition(g)


def test_a_damaged_state_is_not_used(tmp_path: Path) -> None:
    from kg.store.incremental import read_state

    path = tmp_path / "store-push.json"
    for text in ("", "[]", '{"version": 1}', '{"version": 1, "files": {"a.md": [1, 2]}}'):
        path.write_text(text, encoding="utf-8")
        assert read_state(path) is None
    path.write_text('{"version": 1, "files": {"a.md": ["k", "h", null, []]}}', encoding="utf-8")
    assert read_state(path) is not None
