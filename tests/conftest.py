"""Shared fixtures: the real seed pages from ../shared/seeds, the bundled corpus, a fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
NOTES = ROOT / "notes"


def seed_path(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed pages not found at {SEEDS}: clone the project with ../shared beside it")
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    assert matches, f"no seed {prefix} in {SEEDS}"
    return matches[0]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed pages not found at {SEEDS}: clone the project with ../shared beside it")
    return SEEDS


@pytest.fixture(scope="session")
def seed_graph(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    import kg

    return kg.load(seeds_dir, index=tmp_path_factory.mktemp("seed-index"), embed=False)


@pytest.fixture(scope="session")
def notes_graph(tmp_path_factory: pytest.TempPathFactory):
    import kg

    return kg.load(NOTES, index=tmp_path_factory.mktemp("notes-index"), embed=False)


@pytest.fixture
def stats_counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The graphs whose corpus figures were counted (`kg.graph.figures.corpus_stats`), by
    `id`, one entry per count: for tests that figures are counted once per graph."""
    from kg.graph import figures

    counted: list[int] = []
    real = figures.corpus_stats

    def counting(graph):
        counted.append(id(graph))
        return real(graph)

    monkeypatch.setattr(figures, "corpus_stats", counting)
    return counted


@pytest.fixture
def fake_embedder():
    """A deterministic hashing embedder (tests/fake_embedder.py): no torch, counts its work."""
    from fake_embedder import FakeEmbedder

    return FakeEmbedder()


# The browser's tests (tests/test_tui_*.py) share these three. Each test module gets its
# own index folder and graph, so a module that re-indexes or edits cannot reach another.
@pytest.fixture(scope="module")
def graph(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds, without vectors (fast, deterministic, no model)."""
    import kg

    return kg.load(seeds_dir, index=tmp_path_factory.mktemp("seeds-index"), embed=False)


@pytest.fixture(scope="module")
def embedded_graph(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds with vectors from the deterministic hashing embedder (no model, no torch)."""
    from fake_embedder import FakeEmbedder

    import kg

    index = tmp_path_factory.mktemp("seeds-embedded-index")
    loaded = kg.load(seeds_dir, index=index, embed=True, embedder=FakeEmbedder())
    assert loaded.embeddings is not None
    return loaded


@pytest.fixture
def app(graph, tmp_path: Path):
    """The browser on `graph`, exporting into the test's own folder."""
    from kg_tui.app import KgApp

    return KgApp(graph=graph, export_dir=tmp_path / "export")


@pytest.fixture(scope="session", autouse=True)
def seeds_left_as_given():
    """The seeds are shared and read-only by intent: a test (or a helper it calls) that
    loads them without `index=` or `save=False` would write an index beside them, and
    every later run would read it. Fail the run if that happens."""
    before = SEEDS.is_dir() and (SEEDS / ".kg").exists()
    yield
    if SEEDS.is_dir() and not before and (SEEDS / ".kg").exists():
        raise AssertionError(f"a test wrote an index into {SEEDS / '.kg'}; load with index=")
