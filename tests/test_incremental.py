"""Incremental re-indexing gives exactly what a full rebuild gives (issue: incremental index).

The property test applies random sequences of edits, additions, renames and deletions to a
corpus of generated site pages, hand-written site pages and an Obsidian vault, opens it
after each step with `kg.load` (which updates the index in place where it can), and
compares the result with a graph built from scratch: note by note, link by link (in
order), every note's adjacency, every diagnostic.
"""

from __future__ import annotations

import random
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from benchmarks.generate_corpus import generate

DATA = Path(__file__).parent / "data"


def make_corpus(folder: Path, seed: int = 3) -> Path:
    """About 70 files: generated pages of every type and variant, the hand-written site
    pages (cut copies, merged copies, shared titles) and the test vault."""
    corpus = folder / "corpus"
    generate(corpus / "gen", pages=40, seed=seed, markdown_share=0.25, truncated_share=0.1)
    shutil.copytree(DATA / "site_pages", corpus / "site")
    shutil.copytree(DATA / "obsidian_vault", corpus / "vault")
    return corpus


def assert_same_graph(updated: kg.KnowledgeGraph, built: kg.KnowledgeGraph) -> None:
    assert [n.id for n in updated] == [n.id for n in built]
    for note in built:
        assert updated.note(note.id) == note, note.id
    assert [lk.to_row() for lk in updated.links] == [lk.to_row() for lk in built.links]
    for note in built:
        assert [lk.to_row() for lk in updated.links_of(note.id)] == [
            lk.to_row() for lk in built.links_of(note.id)
        ], note.id
    assert updated.diagnostics == built.diagnostics


def page_files(corpus: Path) -> list[Path]:
    return sorted(
        p for p in corpus.rglob("*") if p.suffix in (".txt", ".md") and ".kg" not in p.parts
    )


def body_lines(lines: list[str]) -> list[int]:
    """Lines after the first few (title, banner), so an edit tends to land in the text."""
    return [i for i, line in enumerate(lines) if i > 3 and line.strip()] or [len(lines) - 1]


# Each edit: (name, function(corpus, rng, titles) -> None). The titles are the corpus's
# current note titles, so edits can mention, link and list real notes.
def edit_sentence(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    path = rng.choice(page_files(corpus))
    lines = path.read_text(encoding="utf-8").split("\n")
    at = rng.choice(body_lines(lines))
    lines[at] = lines[at].rstrip() + rng.choice(
        [" A clause added later.", " (revised)", " It holds less often than claimed."]
    )
    path.write_text("\n".join(lines), encoding="utf-8")


def mention_title(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    path = rng.choice(page_files(corpus))
    lines = path.read_text(encoding="utf-8").split("\n")
    at = rng.choice(body_lines(lines))
    title = rng.choice(titles)
    form = "[[{}]]" if path.suffix == ".md" and rng.random() < 0.5 else "{}"
    lines[at] = lines[at].rstrip() + " As in " + form.format(title) + ", it recurs."
    path.write_text("\n".join(lines), encoding="utf-8")


def drop_line(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    path = rng.choice(page_files(corpus))
    lines = path.read_text(encoding="utf-8").split("\n")
    if len(lines) > 2:
        del lines[rng.choice(body_lines(lines))]
        path.write_text("\n".join(lines), encoding="utf-8")


def duplicate_line(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    path = rng.choice(page_files(corpus))
    lines = path.read_text(encoding="utf-8").split("\n")
    at = rng.choice(body_lines(lines))
    lines.insert(at, lines[at])
    path.write_text("\n".join(lines), encoding="utf-8")


def retitle(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    path = rng.choice(page_files(corpus))
    text = path.read_text(encoding="utf-8")
    old = next((t for t in titles if t in text and len(t) > 8), None)
    if old:
        path.write_text(text.replace(old, old.rstrip("?") + " after all?", 1), encoding="utf-8")


def delete_file(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    files = page_files(corpus)
    if len(files) > 10:
        rng.choice(files).unlink()


def add_file(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    number = rng.randrange(10_000)
    mentioned = rng.sample(titles, k=min(2, len(titles)))
    if rng.random() < 0.5:
        (corpus / "vault" / f"New note {number}.md").write_text(
            f"# New note {number}\n\nIt builds on [[{mentioned[0]}]] and on {mentioned[-1]}.\n"
            "#added\n",
            encoding="utf-8",
        )
    else:
        source = rng.choice(sorted((corpus / "gen").glob("*.txt")))
        text = source.read_text(encoding="utf-8")
        first = next((t for t in titles if t in text and len(t) > 8), None)
        if first:
            text = text.replace(first, f"Does variant {number} of it hold?")
        (corpus / "gen" / f"9{number:05d}_copy_main.txt").write_text(text, encoding="utf-8")


def rename_file(corpus: Path, rng: random.Random, titles: list[str]) -> None:
    path = rng.choice(page_files(corpus))
    path.rename(path.with_name("renamed " + path.name))


EDITS = {
    f.__name__: f
    for f in (
        edit_sentence,
        mention_title,
        drop_line,
        duplicate_line,
        retitle,
        delete_file,
        add_file,
        rename_file,
    )
}


@pytest.fixture(scope="module")
def base_corpus(tmp_path_factory) -> Path:
    corpus = make_corpus(tmp_path_factory.mktemp("base"))
    kg.load(corpus, embed="none")  # the index the copies start from
    return corpus


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 2**32)),
        min_size=1,
        max_size=6,
    )
)
def test_updates_equal_a_full_rebuild(base_corpus, tmp_path_factory, edits):
    corpus = tmp_path_factory.mktemp("run") / "corpus"
    shutil.copytree(base_corpus, corpus)
    modes: Counter[str] = Counter()
    for name, seed in edits:
        titles = [n.title for n in kg.load(corpus, embed="none", save=False) if not n.stub]
        EDITS[name](corpus, random.Random(seed), titles)
        updated = kg.load(corpus, embed="none")
        modes[updated.index_update.mode] += 1
        built = kg.load(corpus, embed="none", rebuild=True, save=False)
        assert_same_graph(updated, built)
        # And the updated index reopens as it was left.
        assert_same_graph(kg.load(corpus, embed="none"), built)


def test_editing_text_updates_in_place(tmp_path):
    """Edits to running text that keep every file's reach (a sentence changed) are updates
    in place, not rebuilds, and equal a rebuild."""
    corpus = make_corpus(tmp_path, seed=5)
    graph = kg.load(corpus, embed="none")
    rng = random.Random(11)
    modes: Counter[str] = Counter()
    for _ in range(12):
        note = rng.choice([n for n in graph if n.body and len(n.files) == 1])
        path = corpus / note.files[0]
        lines = path.read_text(encoding="utf-8").split("\n")
        at = rng.choice(note.body).line - 1
        lines[at] = lines[at].rstrip() + " A plain sentence added later."
        path.write_text("\n".join(lines), encoding="utf-8")
        graph = kg.load(corpus, embed="none")
        modes[graph.index_update.mode] += 1
        assert_same_graph(graph, kg.load(corpus, embed="none", rebuild=True, save=False))
    assert modes["updated"] >= 11, modes


def test_update_reports_what_it_did(tmp_path):
    corpus = make_corpus(tmp_path, seed=6)
    first = kg.load(corpus, embed="none")
    assert first.index_update.mode == "rebuilt" and first.index_update.reason == "no index yet"
    assert kg.load(corpus, embed="none").index_update.mode == "reused"
    page = corpus / "vault" / "Home.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\nOne more plain sentence.\n", encoding="utf-8"
    )
    update = kg.load(corpus, embed="none").index_update
    assert update.mode == "updated" and update.changed == ("vault/Home.md",)
    assert update.files_read == 1 and update.notes == 1
    assert "updated in place" in update.describe()
    page.unlink()
    update = kg.load(corpus, embed="none").index_update
    assert update.mode in ("updated", "rebuilt") and update.removed == ("vault/Home.md",)
    if update.mode == "rebuilt":
        assert update.reason


def test_kg_watch_reports_each_update(tmp_path):
    """`kg watch --json` prints one line per update as files are saved, added and removed,
    and stops cleanly on Ctrl+C."""
    import json
    import queue
    import signal
    import subprocess
    import sys
    import threading

    corpus = make_corpus(tmp_path, seed=8)
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "watch", "--corpus", str(corpus), "--json", "--no-embed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout],
        daemon=True,  # type: ignore[union-attr]
    )
    reader.start()

    def next_update(wanted=lambda update: True) -> dict:
        """The next line whose update is `wanted` (an editor's save may come as two events,
        read as two updates)."""
        while True:
            try:
                record = json.loads(lines.get(timeout=60))
            except queue.Empty:
                process.kill()
                raise AssertionError(
                    f"kg watch printed nothing: {process.communicate()[1]}"
                ) from None
            if wanted(record["update"]):
                return record

    try:
        first = next_update()
        assert first["update"]["mode"] == "rebuilt" and first["notes"] > 50
        page = corpus / "vault" / "Home.md"
        page.write_text(
            page.read_text(encoding="utf-8") + "\nA line saved later.\n", encoding="utf-8"
        )
        edited = next_update(lambda u: u["changed"] == ["vault/Home.md"])
        assert edited["update"]["mode"] == "updated"
        (corpus / "vault" / "Fresh thoughts.md").write_text(
            "Nothing links here yet.\n", encoding="utf-8"
        )
        added = next_update(lambda u: u["added"] == ["vault/Fresh thoughts.md"])
        assert added["notes"] == edited["notes"] + 1
        # The overview a first screen draws is kept after each update, of the new files.
        kept = None
        for _ in range(100):
            kept = kg.kept_overview(corpus)
            if kept is not None and kept.stats.notes == added["notes"]:
                break
            time.sleep(0.1)
        assert kept is not None and kept.stats.notes == added["notes"]
        (corpus / "vault" / "Fresh thoughts.md").unlink()
        removed = next_update(lambda u: u["removed"] == ["vault/Fresh thoughts.md"])
        assert removed["notes"] == edited["notes"]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        status = process.wait(timeout=30)
        reader.join(timeout=10)
        process.stdout.close()
        process.stderr.close()  # type: ignore[union-attr]
    assert status == 0
