"""Parsing a corpus in several processes gives what one process gives, byte for byte:
the same pages, diagnostics (in order), notes and links (in order)."""

from __future__ import annotations

import dataclasses
import enum
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import kg
from benchmarks.generate_corpus import generate
from kg.config import Config
from kg.graph.build import build_with_state
from kg.parse.corpus import discover, display_paths
from kg.parse.parallel import parse_all, parse_workers
from kg.parse.transfer import decode_parsed, encode_parsed

DATA = Path(__file__).parent / "data"


def plain(value: Any) -> Any:
    """`value` as JSON-ready data that keeps every field, type name and order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__] + [
            [spec.name, plain(getattr(value, spec.name))] for spec in dataclasses.fields(value)
        ]
    if isinstance(value, enum.Enum):
        return ["enum", type(value).__name__, value.value]
    if isinstance(value, list | tuple):
        return [type(value).__name__] + [plain(item) for item in value]
    if isinstance(value, dict):
        return ["dict"] + [[plain(key), plain(item)] for key, item in value.items()]
    return value


def canonical(value: Any) -> bytes:
    return json.dumps(plain(value), ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 300 pages (both variants, Markdown, cut-off copies) with the
    site pages, the bad files and the Obsidian vault of tests/data beside it."""
    root = tmp_path_factory.mktemp("parallel") / "corpus"
    generate(root, pages=300, seed=11, truncated_share=0.05)
    for name in ("site_pages", "bad_corpus", "obsidian_vault"):
        shutil.copytree(DATA / name, root / name)
    return root


def parsed(root: Path, **how: Any) -> list[Any]:
    paths = discover(root)
    items = list(zip(paths, display_paths(paths, root), strict=True))
    return parse_all(items, root, Config(), **how)


def test_parallel_parsing_gives_the_pages_and_diagnostics_of_one_process(corpus: Path) -> None:
    alone = parsed(corpus, workers=1)
    shared = parsed(corpus, workers=2, least=1)
    assert len(alone) > 300
    assert any(problems for _, problems in alone)  # the bad files' diagnostics are there
    assert canonical(shared) == canonical(alone)


def test_every_chunk_size_keeps_the_file_order(corpus: Path) -> None:
    alone = canonical(parsed(corpus, workers=1))
    for workers, chunk in ((2, 1), (3, 7), (2, 1000)):
        assert canonical(parsed(corpus, workers=workers, least=1, chunk=chunk)) == alone


def test_the_built_graph_is_the_same_from_either_parse(corpus: Path) -> None:
    def built(**how: Any) -> bytes:
        pages = [page for page, _ in parsed(corpus, **how) if page is not None]
        notes, links, diagnostics, state = build_with_state(pages)
        return canonical([list(notes.values()), links, diagnostics, state])

    assert built(workers=2, least=1) == built(workers=1)


def test_the_mention_scan_shared_among_processes_builds_the_graph_of_one(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mention scan's reading of running text (`kg.graph.mentions._prepare`) done in
    forked helpers, its results sent back with marshal, gives every note, link (with its
    sentence), diagnostic and the incremental state as one process does, for any chunk."""
    import kg.graph.mentions as mentions
    from kg.parse import share

    pages = [page for page, _ in parsed(corpus, workers=1) if page is not None]
    forked: list[int] = []
    real_forked = share._forked

    def counted(work: Any, bounds: Any, helpers: int, *rest: Any) -> list[Any]:
        forked.append(helpers)
        return real_forked(work, bounds, helpers, *rest)

    monkeypatch.setattr(share, "_forked", counted)

    def built(workers: int, chunk: int | None = None) -> bytes:
        real = share.share_out

        def chunked(work: Any, count: int, **how: Any) -> list[Any]:
            return real(work, count, **{**how, "least": 1, "chunk": chunk or how.get("chunk")})

        monkeypatch.setattr(mentions, "share_out", chunked)
        notes, links, diagnostics, state = build_with_state(pages, workers=workers)
        assert any(link[2] == "mentions" for link in links)
        return canonical([list(notes.values()), links, diagnostics, state])

    alone = built(1)
    assert not forked
    assert built(2) == alone
    assert built(3, chunk=5) == alone
    assert built(2, chunk=1) == alone
    assert forked == [1, 2, 1]  # helpers forked besides the caller


def test_kg_load_in_parallel_is_the_graph_one_process_loads(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def loaded(workers: str) -> bytes:
        monkeypatch.setenv("KG_PARSE_WORKERS", workers)
        graph = kg.load(corpus, index=tmp_path / workers, embed="none")
        return canonical([list(graph), graph.links, graph.diagnostics])

    assert loaded("2") == loaded("1")


def test_a_page_and_its_problems_survive_the_transfer(corpus: Path) -> None:
    for page, problems in parsed(corpus, workers=1):
        back = decode_parsed(encode_parsed(page, problems))
        assert canonical(back) == canonical((page, problems))


def test_small_corpora_and_the_setting_stay_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KG_PARSE_WORKERS", "1")
    assert parse_workers(10_000) == 1
    monkeypatch.setenv("KG_PARSE_WORKERS", "3")
    assert parse_workers(10_000) == 3
    assert parse_workers(199) == 1  # below the threshold
    assert parse_workers(10, wanted=2, least=1) == 2


def test_a_process_with_other_threads_shares_out_only_when_asked(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser and `kg watch` load from a thread while others run: a fork then could
    leave a helper waiting for a lock another thread held, so kg parses alone unless the
    setting asks for more; the graph is the same either way."""
    import threading

    from kg.parse import share

    monkeypatch.delenv("KG_PARSE_WORKERS", raising=False)
    monkeypatch.setattr(share, "available_cores", lambda: 2)
    with monkeypatch.context() as alone:  # earlier tests may have left threads running
        alone.setattr(threading, "active_count", lambda: 1)
        assert parse_workers(10_000) == 2  # this thread alone: one process a core
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert parse_workers(10_000) == 1
        assert parse_workers(10_000, wanted=2) == 2  # asked for in so many words
        monkeypatch.setenv("KG_PARSE_WORKERS", "2")
        assert parse_workers(10_000) == 2
        monkeypatch.delenv("KG_PARSE_WORKERS")
        results: list[bytes] = []

        def load() -> None:  # as the browser's worker thread does
            graph = kg.load(corpus, index=tmp_path / "threaded", embed="none")
            results.append(canonical([list(graph), graph.links, graph.diagnostics]))

        loader = threading.Thread(target=load)
        loader.start()
        loader.join(timeout=300)
        assert not loader.is_alive()
    finally:
        stop.set()
    alone = kg.load(corpus, index=tmp_path / "alone", embed="none", save=False)
    assert results == [canonical([list(alone), alone.links, alone.diagnostics])]


def test_a_helper_that_fails_leaves_its_chunks_to_the_caller() -> None:
    import os

    from kg.parse.share import share_out

    caller = os.getpid()

    def work(start: int, stop: int) -> list[int]:
        if os.getpid() != caller:
            raise RuntimeError("a helper fails")
        return list(range(start, stop))

    seen: list[int] = []
    assert share_out(work, 500, workers=2, least=1, chunk=7) == list(range(500))
    assert share_out(lambda a, b: [object()] * (b - a), 40, workers=2, least=1, chunk=3) != []
    assert share_out(lambda a, b: list(range(a, b)), 300, workers=2, progress=seen.append) == list(
        range(300)
    )
    assert seen and seen[-1] == 300 and seen == sorted(seen)


def test_the_simple_front_matter_reader_gives_what_yaml_gives(corpus: Path) -> None:
    """`kg.parse.yaml_subset` reads the generated notes' front matter, and whatever it
    reads of it changed here and there (a quote, a colon, a tab, a number, a line break
    YAML knows, ...), as PyYAML's safe loader does; the rest it leaves to PyYAML."""
    import random

    import yaml

    from kg.parse.front_matter import SafeLoader, split_front_matter
    from kg.parse.yaml_subset import read_simple

    fronts = [
        split_front_matter(path.read_text(encoding="utf-8"))[0]
        for path in sorted(corpus.rglob("*.md"))
    ]
    fronts = [front for front in fronts if front]
    generated = [front for front in fronts if front.startswith("type: ")]
    assert generated and all(read_simple(front) is not None for front in generated)
    marks = ['"', "'", ":", " ", "#", "\n", "- ", "\t", "\\", "[", "]", "{", "}", ",", "1"]
    marks += ["yes", "\u2028", "? ", "&a ", "*", "!", "\xa0", "\x85", "\ufeff", "é", "\r"]
    marks += ["null", "0x1", "~", ": ", " #", "%", "|", ">", '\n  - {a: "b"}', "2025-13-01"]
    chance = random.Random(7)
    changed = []
    for front in fronts[:40]:
        for _ in range(40):
            at = chance.randrange(len(front) + 1)
            changed.append(front[:at] + chance.choice(marks) + front[at:])
            at = chance.randrange(len(front))
            changed.append(front[:at] + front[at + 1 :])
    read = 0
    for front in fronts + changed:
        simple = read_simple(front)
        if simple is None:
            continue
        read += 1
        expected = yaml.load(front, Loader=SafeLoader)
        assert repr(simple) == repr(expected), front
    assert read > len(fronts) + len(changed) // 2
