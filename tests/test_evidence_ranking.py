"""How a trace ranks evidence: the sentence that supports a claim beats a source that is
only titled like the claim's topic (with vectors and without), and only a source's title
standing whole in a claim is a citation (not one inside a longer name, nor a note the claim's
note links to without declaring it a source)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.query.candidates import cited_in, declared_sources, strip_titles
from kg.query.fusion import FusedScorer, Weights, default_scorer
from kg.query.scorers import LexicalScorer


def _vault(folder: Path, notes: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in notes.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return folder


def test_a_title_inside_a_longer_name_is_not_cited(tmp_path: Path):
    vault = _vault(
        tmp_path / "v",
        {
            "sheet": "---\ntitle: Antarctic ice sheet\n---\nThe ice over the southern continent.\n",
            "glacier": "---\ntitle: Glacier\n---\nA river of ice.\n",
            "essay": (
                "---\ntype: line\ntitle: Essay\nsources:\n  - Antarctic ice sheet\n"
                "  - Glacier\n---\n"
            ),
        },
    )
    graph = kg.load(vault, embed="none")
    essay = graph.note("Essay")
    assert cited_in(graph, essay, "The West Antarctic ice sheet is thinning.") == []
    assert cited_in(graph, essay, "Glaciers retreat.") == []  # inside a longer word
    cited = cited_in(graph, essay, "The Antarctic ice sheet holds most fresh water.")
    assert [n.title for n in cited] == ["Antarctic ice sheet"]
    at_start = cited_in(graph, essay, "Antarctic ice sheet melt raises the Glacier count.")
    assert [n.title for n in at_start] == ["Antarctic ice sheet", "Glacier"]


CLAIM = "Meltwater trapped in crevasses near the front pries the ice apart until blocks fall."


@pytest.mark.model
def test_the_sentence_that_supports_a_claim_beats_a_source_titled_like_its_topic(
    tmp_path: Path,
):
    vault = _vault(
        tmp_path / "v",
        {
            "topic": (
                "---\ntitle: Why do glacier fronts fall apart into blocks of ice?\n"
                "claim: glacier fronts fall apart\n---\n"
                "Surveys of the coast list which fronts were visited each summer. "
                "Boats carried the teams, and the logs record the weather on each day.\n"
            ),
            "mechanism": (
                "---\ntitle: What widens cracks in floating ice?\n---\n"
                "Tidal flexing opens small cracks near the grounding line. "
                "When meltwater trapped in crevasses near the front fills them, its weight "
                "pries the ice apart and blocks fall off.\n"
            ),
            "line": (
                f"---\ntype: line\ntitle: How do ice fronts break?\nclaim: {CLAIM}\nsources:\n"
                "  - Why do glacier fronts fall apart into blocks of ice?\n"
                "  - What widens cracks in floating ice?\n---\n"
            ),
        },
    )
    graph = kg.load(vault, index=tmp_path / "index")
    scorer = default_scorer(graph)
    assert isinstance(scorer, FusedScorer)
    candidates = declared_sources(graph, graph.note("How do ice fronts break?"))
    best = scorer.ranked(graph, CLAIM, candidates)[0]
    assert candidates[best.index].note.title == "What widens cracks in floating ice?"
    tree = graph.trace("How do ice fronts break?", claim=CLAIM)
    assert tree.children[0].note.title == "What widens cracks in floating ice?"
    # Matching words against the quoted text alone (title, description, claim) ranks the
    # topic-titled source first: the sentence-level part is what decides.
    quoted_only = FusedScorer(scorer.store, Weights(best_match=0.0, bm25_quote=1.0, context=0))
    first = quoted_only.ranked(graph, CLAIM, candidates)[0]
    assert candidates[first.index].note.title.startswith("Why do glacier fronts")


LINE_WITH_A_LINKED_NOTE = (
    "---\ntype: line\ntitle: How do ice fronts break?\nsources:\n"
    "  - Tides\n  - Meltwater\n---\n"
    "Calving follows the seasons, as [[Sea ice]] cover shows.\n"
)


def test_a_linked_note_that_is_not_a_source_is_not_cited(tmp_path: Path):
    vault = _vault(
        tmp_path / "v",
        {
            "tides": "---\ntitle: Tides\n---\nTidal flexing opens cracks.\n",
            "melt": "---\ntitle: Meltwater\n---\nWater in crevasses pries ice apart.\n",
            "sea-ice": "---\ntitle: Sea ice\n---\nFrozen sea water around the coast.\n",
            "line": LINE_WITH_A_LINKED_NOTE,
        },
    )
    graph = kg.load(vault, embed="none")
    line = graph.note("How do ice fronts break?")
    sentence = "Calving follows the seasons, as Sea ice cover shows."
    assert cited_in(graph, line, sentence) == []  # linked in the body, not a source
    assert [n.title for n in cited_in(graph, line, "Tides and Meltwater both matter.")] == [
        "Tides",
        "Meltwater",
    ]
    tree = graph.trace(line, claim=sentence)
    assert all(e.kind != "cited" for e in tree.children)
    assert {e.note.title for e in tree.children} <= {"Tides", "Meltwater"}
    assert all(e.score < 1.0 for e in tree.children)  # ranked, none jumps to the top at 1.0


def test_only_whole_names_are_cut_out_of_a_claim_before_it_is_ranked():
    claim = "The West Antarctic ice sheet thins where the Antarctic ice sheet meets warm water."
    kept = strip_titles(claim, ["Antarctic ice sheet", "Ice"])
    assert kept == "The West Antarctic ice sheet thins where the meets warm water."
    assert strip_titles("Glaciers retreat.", ["Glacier"]) == "Glaciers retreat."


def test_without_vectors_the_supporting_sentence_beats_a_title_on_the_claims_topic(
    tmp_path: Path,
):
    vault = _vault(
        tmp_path / "v",
        {
            "topic": (
                "---\ntitle: Why do glacier fronts fall apart into blocks of ice?\n---\n"
                "Surveys of the coast list which fronts were visited each summer. "
                "Boats carried the teams, and the logs record the weather on each day.\n"
            ),
            "mechanism": (
                "---\ntitle: What widens cracks in floating ice?\n---\n"
                "Tidal flexing opens small cracks near the grounding line. "
                "When meltwater trapped in crevasses fills them, its weight pries the ice "
                "apart.\n"
            ),
            "line": (
                "---\ntype: line\ntitle: How do ice fronts break?\nsources:\n"
                "  - Why do glacier fronts fall apart into blocks of ice?\n"
                "  - What widens cracks in floating ice?\n---\n"
            ),
        },
    )
    graph = kg.load(vault, embed="none")
    candidates = declared_sources(graph, graph.note("How do ice fronts break?"))
    claim = "Meltwater trapped in crevasses pries glacier fronts apart."
    scores = LexicalScorer().score(graph, claim, candidates)
    best = max(range(len(candidates)), key=lambda i: scores[i])
    assert candidates[best].note.title == "What widens cracks in floating ice?"


def test_a_note_that_declares_no_sources_cites_the_notes_it_links_to_but_no_stub(
    tmp_path: Path,
):
    vault = _vault(
        tmp_path / "v",
        {
            "glacier": "---\ntitle: Glacier\n---\nA river of ice.\n",
            "essay": "---\ntitle: Essay\n---\nSee [[Glacier]] and [[Ice shelf]].\n",
        },
    )
    graph = kg.load(vault, embed="none")
    essay = graph.note("Essay")
    assert graph.note("Ice shelf").stub  # linked, but no such note
    cited = cited_in(graph, essay, "A Glacier feeds the Ice shelf.")
    assert [n.title for n in cited] == ["Glacier"]


REWORDED_CLAIM = "Copies of a lone teacher cannot lift a learner past that teacher."


@pytest.mark.model
def test_a_reworded_claims_evidence_beats_a_source_sharing_one_common_word(tmp_path: Path):
    # The evidence says the claim in other words (not one word shared); another source
    # shares one word ("learner") and nothing of its meaning. Words alone put that one
    # first; kg's default ranking, which trusts words only as far as some source holds
    # the claim's word weight, puts the evidence first.
    from dataclasses import replace

    from kg.query.fusion import bm25

    vault = _vault(
        tmp_path / "v",
        {
            "a": (
                "---\ntitle: Note one\n---\n"
                "Distilling from a single expert model caps the student at the expert's level.\n"
            ),
            "b": "---\ntitle: Note two\n---\nA learner driver needs supervision on motorways.\n",
            "c": "---\ntitle: Note three\n---\nRainfall in the valley doubled during the wet season.\n",
            "line": (
                "---\ntype: line\ntitle: Essay\nsources:\n  - Note one\n  - Note two\n"
                "  - Note three\n---\n"
            ),
        },
    )
    graph = kg.load(vault, index=tmp_path / "index")
    scorer = default_scorer(graph)
    assert isinstance(scorer, FusedScorer)
    candidates = declared_sources(graph, graph.note("Essay"))
    titles = [c.note.title for c in candidates]
    words = bm25(graph, REWORDED_CLAIM, [c.note.body[0].text for c in candidates])
    assert titles[max(range(3), key=lambda i: words[i])] == "Note two"
    best = scorer.ranked(graph, REWORDED_CLAIM, candidates)[0]
    assert titles[best.index] == "Note one"
    # Trusting words whatever they cover, the one shared word wins.
    always = FusedScorer(scorer.store, replace(scorer.weights, trust_words_at=0.0))
    assert titles[always.ranked(graph, REWORDED_CLAIM, candidates)[0].index] == "Note two"
