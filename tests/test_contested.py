"""Contested claims (`kg.graph.contested`, `g.contested()`, `kg contested`) on notes/ and the
seeds, every pair and sentence checked by reading the files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.cli.contested import WIDTH
from kg.export.subgraph import SubGraph
from kg.graph.contested import disagreement_strength
from tests.conftest import NOTES

OVERTHINKING = "why-do-longer-reasoning-traces-sometimes-lower-accuracy"
SYCOPHANCY = "why-do-models-abandon-correct-answers-when-users-push-back"
STEERING = "does-steering-a-feature-change-behaviour-the-way-fine-tuning-does"
HIDDEN = "do-base-models-already-contain-hidden-reasoning-ability"

# (source, target, label, strength, file, a distinctive part of what the source says,
#  of the source's sentence naming the target ('' for none), of the target's claim)
NOTES_PAIRS = [
    (
        "does-chain-of-thought-show-what-the-model-actually-computed",
        OVERTHINKING,
        "qualified",
        "qualifies",
        "site/synthesis-cot-faithfulness.txt",
        "longer traces are not more faithful ones",
        "",
        "extra reasoning tokens add distraction",
    ),
    (
        "can-llm-judges-replace-human-evaluation",
        "are-benchmark-gains-on-reasoning-tasks-inflated-by-contamination",
        "qualified",
        "qualifies",
        "site/synthesis-llm-judges.txt",
        "says nothing about items the candidate memorised",
        "a judge scoring answers to memorised items ends up rewarding the memory",
        "template familiarity",
    ),
    (
        "when-does-retrieval-help-a-model-reason-instead-of-distracting-it",
        "how-does-in-context-learning-differ-from-learning-in-the-weights",
        "qualified",
        "qualifies",
        "site/synthesis-retrieval-distraction.txt",
        "smaller models often let their priors override",
        "smaller models will often let their priors win over a retrieved passage",
        "only large models use examples to override their priors",
    ),
    (
        "when-does-sampling-many-answers-beat-thinking-longer",
        OVERTHINKING,
        "partially contradicted",
        "contradicts",
        "site/synthesis-sampling-vs-thinking.txt",
        "forcing longer sequential chains often lowers accuracy",
        "past some length, chains wander",
        "extra reasoning tokens add distraction",
    ),
    (
        "can-language-models-correct-their-own-reasoning-without-outside-feedback",
        "why-do-tool-using-agents-fail-on-long-horizon-tasks",
        "qualified",
        "qualifies",
        "site/synthesis-self-correction-main.txt",
        "external feedback helps only when the agent conditions on it",
        "shows the limit of that route as well",
        "fail mainly by not recovering from errors",
    ),
    (
        "do-models-know-when-to-stop-thinking",
        OVERTHINKING,
        "contradicts",
        "contradicts",
        "vault/adaptive-stopping.md",
        "overthinking costs latency more than accuracy",
        "the shortened trace never reaches the drift described in",
        "extra reasoning tokens add distraction",
    ),
    (
        STEERING,
        "what-do-sparse-autoencoder-features-reveal-about-reasoning",
        "contradicts",
        "contradicts",
        "vault/feature-steering-vs-finetuning.md",
        "overstate how cleanly reasoning is localised",
        "That gap partly contradicts the cleanest reading of",
        "sparse autoencoder features are useful handles for steering reasoning",
    ),
    (
        STEERING,
        "does-reinforcement-learning-with-verifiable-rewards-add-new-reasoning-skills",
        "qualified",
        "qualifies",
        "vault/feature-steering-vs-finetuning.md",
        "fine-tuning moves many directions together",
        "a behaviour that one direction can switch on was plainly present",
        "reweights reasoning paths the base model could already",
    ),
    (
        "does-reasoning-training-reduce-sycophancy",
        SYCOPHANCY,
        "qualified",
        "qualifies",
        "vault/reasoning-and-sycophancy.md",
        "reasoning changes how capitulation is argued, not whether it happens",
        "This fits the account in the note on capitulation",
        "learned from preference data that rewards agreement",
    ),
    (
        "does-rl-post-training-narrow-the-diversity-of-model-outputs",
        SYCOPHANCY,
        "qualified",
        "qualifies",
        "vault/rl-output-diversity.md",
        "narrows register and stance as well as answers",
        "Preference tuning narrows stance in a similar way",
        "learned from preference data that rewards agreement",
    ),
]


@pytest.fixture(scope="module")
def notes_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("contested") / "notes"
    shutil.copytree(NOTES, copy, ignore=shutil.ignore_patterns(".kg"))
    return copy


@pytest.fixture(scope="module")
def graph(notes_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(notes_copy, embed="none", index=tmp_path_factory.mktemp("contested-index"))


def check_pairs(found, expected, stubs: bool = False) -> None:
    """The pairs in order; each one's label, strength, file and sentences; a target's file
    unless the targets are stubs (known from the card on the source's page: no file, and
    their description stands for the claim)."""
    assert [(c.source, c.target) for c in found] == [(e[0], e[1]) for e in expected]
    for c, (_, _, label, strength, file, said, sentence, claim) in zip(
        found, expected, strict=True
    ):
        assert (c.label, c.strength, c.file) == (label, strength, file)
        assert said in c.said
        assert sentence in c.sentence if sentence else c.sentence == ""
        assert claim in c.target_claim
        assert bool(c.target_file) is not stubs


def test_vocabulary_reads_the_labels_not_other_words():
    assert disagreement_strength("partially contradicted") == "contradicts"
    assert disagreement_strength("in tension with") == "contradicts"
    assert disagreement_strength("challenges") == "contradicts"
    assert disagreement_strength("", "contradicts") == "contradicts"
    assert disagreement_strength("complicates") == "qualifies"
    assert disagreement_strength("qualified") == "qualifies"
    for label in ("extends", "extension", "mechanism", "strongest evidence", "encounters"):
        assert disagreement_strength(label) == ""
    assert disagreement_strength("upper bound", "qualifies") == ""


def test_contested_pairs_on_notes(graph: kg.KnowledgeGraph):
    found = graph.contested()
    check_pairs(found, NOTES_PAIRS)
    frame = found.to_frame()
    assert list(frame["strength"]).count("contradicts") == 3 and len(frame) == 10
    assert {"source", "target", "label", "said", "sentence", "target_claim"} <= set(frame)


def test_contested_claims_on_notes(graph: kg.KnowledgeGraph):
    claims = {c.note: c for c in graph.contested_claims()}
    assert sorted(claims) == [
        "can-language-models-correct-their-own-reasoning-without-outside-feedback",
        "can-llm-judges-replace-human-evaluation",
        "does-reasoning-training-reduce-sycophancy",
        "does-rl-post-training-narrow-the-diversity-of-model-outputs",
    ]
    judges = claims["can-llm-judges-replace-human-evaluation"]
    assert [(s.note, s.label) for s in judges.supporting] == [
        ("can-reward-models-be-gamed-by-longer-answers", "strongest evidence")
    ]
    assert [(s.note, s.label, s.direction) for s in judges.contradicting] == [
        ("are-benchmark-gains-on-reasoning-tasks-inflated-by-contamination", "qualified", "out")
    ]
    assert "share the judges' preference for length" in judges.supporting[0].said
    assert judges.file == "site/synthesis-llm-judges.txt" and judges.claim
    frame = graph.contested_claims().to_frame()
    row = frame[frame["note"] == "can-llm-judges-replace-human-evaluation"].iloc[0]
    assert list(row["supported_by"]) == ["can-reward-models-be-gamed-by-longer-answers"]
    assert list(row["contradicted_by"]) == [
        "are-benchmark-gains-on-reasoning-tasks-inflated-by-contamination"
    ]


def test_disagreement_counts_on_notes(graph: kg.KnowledgeGraph):
    counts = graph.disagreement_counts()
    assert counts[OVERTHINKING] == 3 and counts[SYCOPHANCY] == 2 and counts[STEERING] == 2
    assert sum(counts.values()) == 2 * len(NOTES_PAIRS)
    assert graph.disagreements("Why do longer reasoning traces sometimes lower accuracy?") == 3
    assert graph.disagreements("Can reward models be gamed by longer answers?") == 0


def test_contested_on_the_seeds(seed_graph: kg.KnowledgeGraph):
    file = next(iter(seed_graph.note(HIDDEN).files))
    assert file.startswith("004_")
    check_pairs(
        seed_graph.contested(),
        [
            (
                HIDDEN,
                "can-simple-rewards-alone-teach-complex-domain-reasoning",
                "partially contradicted",
                "contradicts",
                file,
                '"emergence" may be reliable expression of latent capability, not creation',
                "This partially contradicts Can simple rewards alone teach complex domain",
                "basic accuracy rewards",
            ),
            (
                HIDDEN,
                "can-non-reasoning-models-catch-up-with-more-compute",
                "qualified",
                "qualifies",
                file,
                "targeted activation methods can close most of the gap",
                "",
                "inference-time compute budget can close the performance gap",
            ),
        ],
        stubs=True,
    )
    [claim] = seed_graph.contested_claims()
    assert claim.note == HIDDEN
    assert [s.label for s in claim.supporting] == [
        "strongest evidence",
        "pass@k confirms RLVR selects from existing capability",
        "parametric signature of latent capability",
        "strengthens the foundation",
    ]
    assert [s.label for s in claim.contradicting] == ["partially contradicted", "qualified"]
    assert seed_graph.disagreement_counts() == {
        HIDDEN: 2,
        "can-simple-rewards-alone-teach-complex-domain-reasoning": 1,
        "can-non-reasoning-models-catch-up-with-more-compute": 1,
    }


def kg_run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def where(notes_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return ["--corpus", str(notes_copy), "--index", str(tmp_path_factory.mktemp("cli-index"))]


def test_kg_contested_text_and_json(where: list[str]):
    assert "--json" in kg_run("contested", "--help")
    text = kg_run("contested", *where)
    lines = text.splitlines()
    assert lines[0] == "10 contested pairs; 4 claims with evidence on both sides"
    assert all(len(line) <= WIDTH for line in lines)
    assert "  partially contradicted (contradicts) → Why do longer reasoning traces" in text
    assert "site/synthesis-sampling-vs-thinking.txt:21" in text
    assert "Claim of Can LLM judges replace human evaluation?" in text
    strong = kg_run("contested", *where, "--strength", "contradicts")
    assert strong.startswith("3 contested pairs")
    data = json.loads(kg_run("contested", *where, "--json"))
    assert [(p["source"], p["target"]) for p in data["pairs"]] == [
        (e[0], e[1]) for e in NOTES_PAIRS
    ]
    assert len(data["claims"]) == 4 and data["disagreements"][OVERTHINKING] == 3
    assert data["claims"][0]["supporting"][0]["label"]


def test_kg_show_gives_the_count(where: list[str]):
    title = "Why do longer reasoning traces sometimes lower accuracy?"
    assert "\ndisagreements: 3 (relations that contradict or qualify" in kg_run(
        "show", title, *where
    )
    assert json.loads(kg_run("show", title, *where, "--json"))["disagreements"] == 3
    assert "\ndisagreements: 0\n" in kg_run(
        "show", "Can reward models be gamed by longer answers?", *where
    )


def test_graphml_and_rdf_carry_the_count(graph: kg.KnowledgeGraph, tmp_path: Path):
    import networkx as nx
    import rdflib

    graphml, turtle = tmp_path / "g.graphml", tmp_path / "g.ttl"
    whole = graph.subgraph()
    whole.write(graphml)
    whole.write(turtle)
    whole.write(tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert data["graph"]["disagreements"][OVERTHINKING] == 3
    assert SubGraph.from_json_data(data).disagreements == whole.disagreements
    read = nx.read_graphml(graphml)
    assert read.nodes[OVERTHINKING]["disagreements"] == 3
    assert read.nodes["can-reward-models-be-gamed-by-longer-answers"]["disagreements"] == 0
    rdf = rdflib.Graph().parse(turtle)
    rows = rdf.query(
        "PREFIX kg: <urn:kg:vocab:> SELECT ?id ?n "
        "WHERE { ?s kg:disagreements ?n ; <http://purl.org/dc/terms/identifier> ?id }"
    )
    counts = {str(r[0]): int(r[1]) for r in rows}
    assert counts == graph.disagreement_counts()
