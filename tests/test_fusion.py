"""The fused trace ranking: its weights, the context it reads, and the weights shipped
being the ones the benchmark's held-out protocol chooses from."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.model import NoteKind
from kg.query.claims import Claim
from kg.query.fusion import (
    DEFAULT_WEIGHTS,
    FusedScorer,
    Weights,
    claim_context,
    context_text,
    fuse,
)
from kg.query.trace import declared_sources
from kg.sentences import split_sentences


def test_unknown_context_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="previous, next, paragraph"):
        Weights(context_kind="sentence after")


def test_claim_context_reads_the_neighbouring_sentences_of_its_paragraph(seed_graph):
    note = next(
        n
        for n in seed_graph.notes(stubs=False)
        if any(len(split_sentences(p.text)) >= 3 for p in n.body)
    )
    paragraph = next(p for p in note.body if len(split_sentences(p.text)) >= 3)
    sentences = [s for _, _, s in split_sentences(paragraph.text)]
    claim = Claim(note.id, 1, "sentence", sentences[1], 1, paragraph.line)
    assert claim_context(seed_graph, claim, "previous") == sentences[0]
    assert claim_context(seed_graph, claim, "next") == sentences[2]
    assert claim_context(seed_graph, claim, "paragraph") == " ".join(
        s for k, s in enumerate(sentences) if k != 1
    )
    assert claim_context(seed_graph, "free text", "next") == ""  # not a body sentence
    assert context_text(sentences, len(sentences) - 1, "next") == ""


def test_a_bare_sentence_is_ranked_by_its_context(seeds_dir, tmp_path):
    # "See this." says nothing; the sentence read with it names one candidate's words.
    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    line = next(
        n
        for n in graph.notes(stubs=False)
        if n.kind is NoteKind.LINE and len(declared_sources(graph, n)) >= 3
    )
    candidates = declared_sources(graph, line)
    target = len(candidates) - 1  # the last, so ties cannot put it first
    context = candidates[target].text
    scorer = FusedScorer(graph.embeddings)
    assert scorer.ranked(graph, "See this.", candidates, context=context)[0].index == target
    blind = FusedScorer(graph.embeddings, Weights(context=0.0))
    assert blind.ranked(graph, "See this.", candidates, context=context)[0].index != target


def test_fused_scores_follow_the_weights():
    parts = {"best match": [0.9, 0.1, 0.5], "BM25 quote": [0.0, 4.0, 1.0], "BM25 note": [0.0] * 3}
    by_meaning = fuse(parts, None, Weights(best_match=1.0, bm25_quote=0.0))
    by_words = fuse(parts, None, Weights(best_match=0.0, bm25_quote=1.0))
    assert by_meaning.argmax() == 0 and by_words.argmax() == 1
    context = {"best match": [0.0, 0.0, 1.0], "BM25 quote": [0.0, 0.0, 9.0], "BM25 note": [0.0] * 3}
    assert fuse(parts, context, Weights(context=5.0)).argmax() == 2


def test_the_shipped_weights_are_the_held_out_protocols_choice():
    # The protocol is bench_evidence.py's now (evidence claims and masked citations).
    bench = pytest.importorskip("benchmarks.bench_evidence")
    assert replace(DEFAULT_WEIGHTS, token_rank=0.0) in bench.GRID
    # the token rank (one-line claims only) is chosen among evidence_rrf.py's constants
    rrf = pytest.importorskip("benchmarks.evidence_rrf")
    assert DEFAULT_WEIGHTS.token_rank in rrf.RRF_KS
    assert len(set(bench.GRID)) == len(bench.GRID)


def test_a_parts_place_counts_whatever_its_margin():
    # The meaning part prefers candidate 1 by a hair; the words part prefers candidate 0
    # by a wide margin. On values alone the words win; weighing the meaning part's place
    # puts its first candidate ahead, as far as its weight says.
    parts = {"best match": [0.50, 0.51, 0.10], "BM25 quote": [2.0, 0.0, 0.0]}
    values = Weights(best_match=1.0, bm25_quote=0.3, bm25_scale=2.0, context=0.0)
    assert fuse(parts, None, values).argmax() == 0
    placed = replace(values, ranks=(("best match", 1.0),))
    assert fuse(parts, None, placed).argmax() == 1
    assert fuse(parts, None, replace(values, ranks=(("best match", 0.1),))).argmax() == 0


def test_a_part_that_ranks_every_candidate_level_favours_none():
    parts = {"best match": [0.2, 0.6, 0.4], "BM25 quote": [0.0, 0.0, 0.0]}
    plain = Weights(best_match=1.0, bm25_quote=0.0, context=0.0)
    placed = replace(plain, ranks=(("BM25 quote", 5.0),))
    assert fuse(parts, None, plain).tolist() == pytest.approx(
        (fuse(parts, None, placed) - 5.0).tolist()
    )


def test_a_weights_file_with_ranked_parts_reads_back_and_refuses_unknown_ones():
    from kg.query.weights import weights_from_mapping, weights_to_mapping

    weights = Weights(ranks=(("best match", 0.25), ("BM25 sentence", -0.5)))
    mapping = weights_to_mapping(weights)
    assert mapping["ranks"] == {"best match": 0.25, "BM25 sentence": -0.5}
    assert weights_from_mapping(json.loads(json.dumps(mapping))) == weights
    with pytest.raises(ValueError, match="unknown ranked parts 'title'; parts are best match"):
        weights_from_mapping({"ranks": {"title": 1.0}})
    with pytest.raises(ValueError, match="'ranks' must map part names to weights"):
        weights_from_mapping({"ranks": [1.0]})


def test_the_unsupported_lint_does_not_depend_on_the_ranking_weights(seeds_dir, tmp_path):
    # The lint holds the best evidence cosine against its threshold: every candidate's,
    # not only those a ranking puts first, so weights that reorder change no verdict.
    from kg.query.trace import unsupported_claims

    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    by_meaning = FusedScorer(graph.embeddings, Weights(best_match=1.0, bm25_quote=0.0))
    by_words = FusedScorer(graph.embeddings, Weights(best_match=0.0, bm25_quote=1.0))
    verdicts = [
        {(u.note.id, u.claim.index): round(u.best, 6) for u in unsupported_claims(graph, 0.35, s)}
        for s in (by_meaning, by_words)
    ]
    assert verdicts[0] and verdicts[0] == verdicts[1]


def test_the_shipped_weights_file_loads_and_ranks_every_trace(seeds_dir, tmp_path):
    from importlib import resources

    from kg.query.fusion import default_scorer
    from kg.query.weights import WEIGHTS_FILE, shipped_weights, weights_from_mapping

    text = resources.files("kg").joinpath("data", WEIGHTS_FILE).read_text("utf-8")
    written = weights_from_mapping(json.loads(text)["weights"])
    assert shipped_weights() == written == DEFAULT_WEIGHTS
    assert written.parts()  # at least one part is weighed
    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    scorer = default_scorer(graph)
    assert isinstance(scorer, FusedScorer) and scorer.weights == written
    assert FusedScorer(graph.embeddings).weights == written


def test_a_weights_file_with_an_unknown_part_is_refused_with_the_known_ones():
    from kg.query.weights import weights_from_mapping

    with pytest.raises(ValueError, match="unknown trace weights 'title'; known: best match"):
        weights_from_mapping({"title": 1.0})


def test_one_common_word_shared_does_not_outvote_the_meaning_parts_when_bm25_is_scaled():
    # The second candidate shares one common word with the claim; the first is the
    # closest in meaning. Standardised, that one weak match stands out as far as a real
    # one would and wins; divided by a scale, how weak it is counts.
    parts = {"best match": [0.62, 0.40, 0.38, 0.35], "BM25 sentence": [0.0, 0.3, 0.0, 0.0]}
    standardised = Weights(best_match=1.0, bm25_quote=0.0, bm25_sentence=1.0)
    scaled = Weights(best_match=1.0, bm25_quote=0.0, bm25_sentence=1.0, bm25_scale=2.0)
    assert fuse(parts, None, standardised).argmax() == 1
    assert fuse(parts, None, scaled).argmax() == 0
    strong = {"best match": [0.62, 0.40, 0.38, 0.35], "BM25 sentence": [0.0, 9.0, 0.0, 0.0]}
    assert fuse(strong, None, scaled).argmax() == 1  # a strong word match still decides


# A reworded claim: its evidence (candidate 0) is the closest in meaning and shares none of
# its words; candidate 2 shares one common word with it. Only a little of the claim's word
# weight is held anywhere (coverage 0.12 at best).
REWORDED = {
    "best match": [0.58, 0.31, 0.36, 0.30],
    "BM25 quote": [0.0, 0.0, 0.0, 0.0],
    "BM25 sentence": [0.0, 0.0, 2.6, 0.0],
    "word coverage": [0.0, 0.0, 0.12, 0.0],
}
GATED = Weights(best_match=0.5, bm25_quote=1.0, bm25_sentence=1.0, bm25_scale=2.0, context=0)


def test_a_claim_whose_words_no_candidate_holds_is_ranked_by_its_meaning():
    always = replace(GATED, trust_words_from=0.0, trust_words_at=0.0)
    assert fuse(REWORDED, None, always).argmax() == 2  # the one-word match wins ungated
    gated = replace(GATED, trust_words_from=0.2, trust_words_at=0.4)
    assert fuse(REWORDED, None, gated).argmax() == 0  # the evidence, by meaning


def test_a_claim_whose_words_a_candidate_holds_is_still_ranked_by_them():
    # The same scores, but candidate 2 holds most of the claim's rare words.
    shared = {**REWORDED, "word coverage": [0.0, 0.0, 0.8, 0.1]}
    gated = replace(GATED, trust_words_from=0.2, trust_words_at=0.4)
    assert fuse(shared, None, gated).argmax() == 2
    # in between, the words count in proportion: a strong word match still wins at half
    half = {**REWORDED, "word coverage": [0.0, 0.0, 0.3, 0.0]}
    assert fuse({**half, "BM25 sentence": [0.0, 0.0, 6.0, 0.0]}, None, gated).argmax() == 2
    assert fuse({**half, "BM25 sentence": [0.0, 0.0, 0.6, 0.0]}, None, gated).argmax() == 0


def test_word_coverage_is_the_share_of_the_claims_word_weight_a_candidate_holds(tmp_path):
    from kg.query.fusion import word_coverage

    vault = tmp_path / "v"
    vault.mkdir()
    notes = {
        "a": "---\ntitle: Tides\n---\nTidal flexing opens cracks near the grounding line.\n",
        "b": "---\ntitle: Meltwater\n---\nWater in crevasses pries the ice apart.\n",
        "c": "---\ntype: line\ntitle: Essay\nsources:\n  - Tides\n  - Meltwater\n---\n",
    }
    for name, text in notes.items():
        (vault / f"{name}.md").write_text(text, encoding="utf-8")
    graph = kg.load(vault, embed="none")
    candidates = declared_sources(graph, graph.note("Essay"))
    order = [c.note.title for c in candidates]
    coverage = dict(
        zip(order, word_coverage(graph, "Water pries the ice apart.", candidates), strict=True)
    )
    assert coverage["Meltwater"] == pytest.approx(1.0)  # every word of the claim
    assert coverage["Tides"] == 0.0
    partial = dict(
        zip(order, word_coverage(graph, "Cracks open near crevasses.", candidates), strict=True)
    )
    assert 0.0 < partial["Meltwater"] < 1.0 and 0.0 < partial["Tides"] < 1.0
