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
def fake_embedder():
    """A deterministic hashing embedder (tests/fake_embedder.py): no torch, counts its work."""
    from fake_embedder import FakeEmbedder

    return FakeEmbedder()
