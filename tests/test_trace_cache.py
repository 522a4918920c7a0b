"""The vectors a trace embeds, kept in the index folder: a second trace embeds nothing and
ranks alike; a damaged, half-written or other model's file is never used."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.embed.lazy import LazyVectors
from kg.embed.textcache import FOLDER, TextVectorCache
from kg.query.trace import FusedScorer, trace

HIDDEN = "Do base models already contain hidden reasoning ability?"
KG = (sys.executable, "-m", "kg.cli")


class Fingerprinted(FakeEmbedder):
    """The fake embedder with a fingerprint, as real models have: its vectors are kept."""

    fingerprint = "fake-1"


class Unloadable(Fingerprinted):
    """The same model, failing the test if it is loaded or used (it can be found)."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = 0

    def check(self) -> None:
        self.checked += 1

    @property
    def dim(self) -> int:
        raise AssertionError("the model was loaded although every vector was cached")

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"embedded {texts[:2]} although every vector was cached")


def _tree(evidence):
    return [(d, n.kind, n.note.id if n.note else None, n.score, n.text) for d, n in evidence.walk()]


def test_a_second_trace_embeds_nothing_and_ranks_alike(seeds_dir, tmp_path):
    index = tmp_path / "index"
    first_graph = kg.load(seeds_dir, index=index, embed=False)
    model = FakeEmbedder()
    first = LazyVectors(first_graph, model, TextVectorCache(index, "fake|1"))
    before = trace(first_graph, HIDDEN, claim=3, depth=3, scorer=FusedScorer(first))
    assert model.texts_embedded > 0 and first.save() == model.texts_embedded
    assert first.save() == 0  # nothing new the second time

    again_graph = kg.load(seeds_dir, index=index, embed=False)
    cached = LazyVectors(again_graph, Unloadable(), TextVectorCache(index, "fake|1"))
    cached.ready()  # the model is looked for, not loaded
    after = trace(again_graph, HIDDEN, claim=3, depth=3, scorer=FusedScorer(cached))
    assert _tree(after) == _tree(before)
    assert cached.embedded == 0 and cached.cache is not None and cached.cache.hits > 0
    assert cached.embedder.checked == 1


def test_kg_trace_from_python_keeps_what_it_embedded(seeds_dir, tmp_path):
    index = tmp_path / "index"
    first = kg.load(seeds_dir, index=index, embed="lazy", embedder=Fingerprinted())
    before = first.trace(HIDDEN, claim=3)
    assert first.lazy_vectors.embedded > 0
    assert len(list((index / FOLDER).glob("*.npz"))) == 1
    again = kg.load(seeds_dir, index=index, embed="lazy", embedder=Unloadable())
    assert _tree(again.trace(HIDDEN, claim=3)) == _tree(before)
    assert again.lazy_vectors.embedded == 0


def test_another_models_vectors_are_not_used(seeds_dir, tmp_path):
    index = tmp_path / "index"
    graph = kg.load(seeds_dir, index=index, embed=False)
    lazy = LazyVectors(graph, FakeEmbedder(), TextVectorCache(index, "fake|1"))
    trace(graph, HIDDEN, claim=3, scorer=FusedScorer(lazy))
    lazy.save()
    other = FakeEmbedder(name="other")
    fresh = LazyVectors(graph, other, TextVectorCache(index, "other|1"))
    trace(graph, HIDDEN, claim=3, scorer=FusedScorer(fresh))
    assert other.texts_embedded == lazy.embedded > 0


@pytest.mark.parametrize("damage", ["half", "garbage", "wrong shape"])
def test_a_damaged_or_half_written_file_is_ignored_then_rewritten(tmp_path, damage):
    cache = TextVectorCache(tmp_path, "toy|1")
    for i in range(50):
        cache.put(f"text {i}", np.full(8, i, dtype=np.float32))
    assert cache.save() == 50
    data = cache.path.read_bytes()
    if damage == "half":
        cache.path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        cache.path.write_bytes(b"not a numpy file at all")
    else:
        with cache.path.open("wb") as handle:
            np.savez(
                handle,
                keys=np.zeros((3, 16), np.uint8),
                vectors=np.zeros((2, 8), np.float32),
                model=np.array("toy|1"),
            )
    reread = TextVectorCache(tmp_path, "toy|1")
    assert len(reread) == 0 and reread.get("text 7") is None and reread.dim is None
    reread.put("text 7", np.ones(8, dtype=np.float32))
    assert reread.save() == 1
    assert TextVectorCache(tmp_path, "toy|1").get("text 7").tolist() == [1.0] * 8


def test_two_processes_saving_keep_both_sets(tmp_path):
    one, two = TextVectorCache(tmp_path, "toy|1"), TextVectorCache(tmp_path, "toy|1")
    one.put("a", np.ones(4, dtype=np.float32))
    two.put("b", np.zeros(4, dtype=np.float32))
    one.save()
    two.save()  # merges what `one` saved meanwhile
    both = TextVectorCache(tmp_path, "toy|1")
    assert both.get("a") is not None and both.get("b") is not None
    assert not list((tmp_path / FOLDER).glob("*.tmp")), "no temporary file is left behind"


def test_nothing_is_written_without_an_index_folder(tmp_path):
    cache = TextVectorCache(tmp_path / "missing", "toy|1")
    cache.put("a", np.ones(4, dtype=np.float32))
    assert cache.save() == 0 and not (tmp_path / "missing").exists()


@pytest.mark.model
def test_trace_cli_keeps_the_vectors_it_embedded(seeds_dir, tmp_path):
    index = tmp_path / "index"
    runs = [
        subprocess.run(
            [*KG, "trace", HIDDEN, "--corpus", str(seeds_dir), "--index", str(index)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), runs[0].stderr + runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and "#1" in runs[0].stdout
    assert len(list((index / FOLDER).glob("*.npz"))) == 1
    # The wait is explained when the model loads, and only then.
    assert "loading the model" in runs[0].stderr
    assert "loading the model" not in runs[1].stderr


def test_every_note_traced_is_a_record_of_this_kg_and_model_never_trusted_from_another(
    tmp_path, monkeypatch
):
    from kg.examples import write_example_corpus
    from kg.query import warm

    index = tmp_path / "index"
    graph = kg.load(write_example_corpus(tmp_path / "notes"), index=index, embed=False)

    def warmed(model: str = "fake|1") -> warm.Warmed:
        lazy = LazyVectors(graph, FakeEmbedder(), TextVectorCache(index, model))
        lazy.rank_first = True
        graph.lazy_vectors = lazy
        return warm.warm_traces(graph, limit=None)

    assert not warmed().traces_kept  # the first time every note is traced
    record = warm._traced_path(graph.lazy_vectors.cache)
    assert warmed().traces_kept  # the same corpus, kg and model: not again
    # A kg whose traces embed other texts (a new TRACES_VERSION) runs them again, once.
    monkeypatch.setattr(warm, "TRACES_VERSION", warm.TRACES_VERSION + 1)
    assert not warmed().traces_kept
    assert warmed().traces_kept
    # So do other weights of the ranking (they choose what deeper levels read).
    monkeypatch.setattr(
        warm, "_record", lambda s, m, real=warm._record: {**real(s, m), "weights": {}}
    )
    assert not warmed().traces_kept
    # Another model's record, even under this model's name, is not this model's.
    other = TextVectorCache(index, "other|1")
    warmed("other|1")
    other_record = warm._traced_path(other)
    record.write_bytes(other_record.read_bytes())
    assert not warmed().traces_kept
    # A record of the first format (the corpus's signature alone) is not trusted either.
    record.write_text(json.dumps({"format": 1, "signature": graph.index_signature}))
    assert not warmed().traces_kept
