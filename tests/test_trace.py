"""Tracing claims on the seeds: cited notes first, declared sources ranked, no cycles."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.errors import KgError
from kg.model import LinkKind, NoteKind
from kg.query.trace import LexicalScorer, claims, trace, unsupported_claims, used_by

HIDDEN = "Do base models already contain hidden reasoning ability?"
KG = (sys.executable, "-m", "kg.cli")


def test_claims_are_claim_line_sentences_and_summaries(seed_graph):
    hidden = claims(seed_graph, HIDDEN)
    assert hidden[0].kind == "claim" and hidden[0].index == 0
    assert hidden[0].text.startswith("base models already possess")
    sentences = [c for c in hidden if c.kind == "sentence"]
    # A cited question title never breaks a sentence.
    assert any(
        "See Can we trigger reasoning without explicit chain-of-thought prompts?." in c.text
        for c in sentences
    )
    line = claims(
        seed_graph, "How does correctness emergence occur when no expert initially solved the task?"
    )
    assert [c.kind for c in line].count("summary") == 6
    assert line[0].index == 1  # no claim line on an inquiring line: numbering starts at 1


@pytest.mark.parametrize("scorer", [None, LexicalScorer()], ids=["default", "lexical"])
def test_sentences_mentioning_a_source_trace_to_it_first(seed_graph, scorer):
    checked = 0
    for note in seed_graph.notes(stubs=False):
        sources = {lk.target for lk in seed_graph.links_of(note, "out", kinds=LinkKind.SOURCE)}
        if not sources:
            continue
        for claim in claims(seed_graph, note):
            mentioned = {
                lk.target
                for lk in seed_graph.links_of(note, "out", LinkKind.MENTIONS)
                if seed_graph.note(lk.target).title in claim.text
            } & sources
            if claim.kind != "sentence" or not mentioned:
                continue
            tree = trace(seed_graph, note, claim=claim.index, scorer=scorer)
            first = tree.children[0]
            assert first.kind == "cited" and first.note.id in mentioned, claim.text
            assert first.score == 1.0 and first.text  # quoted: the source's summary
            checked += 1
    assert checked >= 20


def test_unmentioned_sentence_still_finds_its_likely_source(seed_graph):
    line = seed_graph.note(
        "How does correctness emergence occur when no expert initially solved the task?"
    )
    claim = next(c for c in claims(seed_graph, line) if c.text.startswith("Because those errors"))
    tree = trace(seed_graph, line, claim=claim.index)
    assert tree.children[0].kind == "source"
    assert tree.children[0].note.title == (
        "Can models trained on many imperfect experts outperform each one?"
    )


def test_trace_recurses_to_papers_without_cycles(seed_graph):
    tree = trace(seed_graph, HIDDEN, claim=0, depth=3)
    kinds = {node.kind for _, node in tree.walk()}
    assert {"related", "paper"} <= kinds
    for _, node in tree.walk():
        if node.kind == "paper":
            assert not node.children and node.note.kind is NoteKind.PAPER
        if node.kind == "related":
            assert node.label  # the relation label rides along
    # a line two levels up: its sources lead back to HIDDEN, which must not reappear below it
    for _, node in trace(
        seed_graph,
        "What emergent behaviors do models develop when trained on "
        "underspecified pedagogical tasks?",
        depth=4,
    ).walk():
        for _, below in node.walk():
            if below is not node and node.note is not None and below.note is not None:
                assert below.note.id != node.note.id or below.kind == "sentence"


def test_trace_without_claim_lists_every_sentence(seed_graph):
    tree = trace(seed_graph, HIDDEN)
    sentences = [c for c in tree.children if c.kind == "sentence"]
    assert len(sentences) == sum(1 for c in claims(seed_graph, HIDDEN) if c.kind == "sentence")
    assert all(len(s.children) <= 1 for s in sentences)


def test_unknown_claim_number_says_what_exists(seed_graph):
    with pytest.raises(KgError, match="has no claim 999"):
        trace(seed_graph, HIDDEN, claim=999)


def test_used_by_reaches_lines_and_their_users(seed_graph):
    uses = used_by(seed_graph, HIDDEN, depth=2)
    line = (
        "What emergent behaviors do models develop when trained on underspecified "
        "pedagogical tasks?"
    )
    direct = [u for u in uses if u.depth == 1 and u.note.title == line]
    assert {"cited", "source"} <= {u.kind for u in direct}
    assert any(u.kind == "uses" for u in uses)


def test_unsupported_flags_weak_claims_only(seed_graph):
    weak = unsupported_claims(seed_graph, threshold=0.2, scorer=LexicalScorer())
    strong = unsupported_claims(seed_graph, threshold=0.0001, scorer=LexicalScorer())
    assert len(strong) < len(weak)
    assert all(u.best < 0.2 for u in weak)
    assert not any(u.claim.text.startswith("In Can models trained on many imperfect") for u in weak)


def test_trace_cli_tree_and_json(seeds_dir, tmp_path):
    base = [
        sys.executable,
        "-m",
        "kg.cli",
        "trace",
        HIDDEN,
        "--corpus",
        str(seeds_dir),
        "--index",
        str(tmp_path),
        "--lexical",
    ]
    text = subprocess.run([*base, "--claim", "0"], capture_output=True, text=True, timeout=120)
    assert text.returncode == 0, text.stderr
    assert "└ related (" in text.stdout and "└ paper" in text.stdout
    data = json.loads(
        subprocess.run(
            [*base, "--json", "--depth", "2"], capture_output=True, text=True, timeout=120
        ).stdout
    )
    assert data["trace"]["kind"] == "claim" and data["claims"][0]["index"] == 0
    lint = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "trace",
            "--unsupported",
            str(seeds_dir),
            "--index",
            str(tmp_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert lint.returncode == 0 and isinstance(json.loads(lint.stdout), list)


def _tree(evidence):
    return [
        (depth, node.kind, node.note.id if node.note else None, node.score, node.text)
        for depth, node in evidence.walk()
    ]


def test_lazy_vectors_trace_as_stored_ones_do_embedding_far_less(seeds_dir, tmp_path):
    # `kg trace` on an index without vectors embeds only what the trace compares: the tree
    # must be the one a fully embedded index gives, for a fraction of the texts.
    from fake_embedder import FakeEmbedder

    import kg
    from kg.embed.lazy import LazyVectors
    from kg.embed.texts import note_texts
    from kg.query.trace import FusedScorer

    full = kg.load(seeds_dir, index=tmp_path / "full", embed=True, embedder=FakeEmbedder())
    bare = kg.load(seeds_dir, index=tmp_path / "bare", embed=False)
    lazy = LazyVectors(bare, FakeEmbedder())
    for claim in (None, 3):
        stored = trace(full, HIDDEN, claim=claim, depth=3)
        on_demand = trace(bare, HIDDEN, claim=claim, depth=3, scorer=FusedScorer(lazy))
        assert _tree(on_demand) == _tree(stored)
    everything = sum(len(note_texts(n)) for n in bare)
    assert 0 < lazy.embedded < everything / 2


@pytest.mark.model
def test_trace_cli_on_an_index_without_vectors_embeds_only_what_it_needs(seeds_dir, tmp_path):
    index = tmp_path / "index"
    built = subprocess.run(
        [*KG, "index", "--corpus", str(seeds_dir), "--index", str(index), "--no-embed"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    run = subprocess.run(
        [*KG, "trace", HIDDEN, "--corpus", str(seeds_dir), "--index", str(index), "--claim", "0"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "no vectors yet" in run.stderr and "└ related (" in run.stdout
    assert not list(index.glob("vectors*")), "the trace must not write a vector index"


def _siblings_in_order(tree) -> int:
    """Assert every node's ranked children of one kind show non-increasing scores and
    increasing ranks; return how many ranked nodes were checked."""
    checked = 0
    for _, node in tree.walk():
        for kind in ("source", "related", "paper"):
            group = [c for c in node.children if c.kind == kind]
            scores = [c.score for c in group if c.score is not None]  # None: a share deeper down
            assert scores == sorted(scores, reverse=True), (node.text, kind, scores)
            assert [c.rank for c in group] == list(range(1, len(group) + 1))
            checked += len(group)
    return checked


def test_fused_trace_shows_the_scores_its_order_comes_from(seeds_dir, tmp_path):
    from fake_embedder import FakeEmbedder

    import kg
    from kg.cli.trace import evidence_json, explain_parts
    from kg.query.fusion import DEFAULT_WEIGHTS
    from kg.query.trace import FusedScorer, default_scorer

    graph = kg.load(seeds_dir, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    assert isinstance(default_scorer(graph), FusedScorer)
    tree = trace(graph, HIDDEN)
    assert _siblings_in_order(tree) >= 3
    ranked = [n for _, n in tree.walk() if n.rank]
    shown = {name for name, _ in DEFAULT_WEIGHTS.parts()}
    assert shown and all(dict(n.parts).keys() == shown for n in ranked)
    assert all(n.cosine is not None for n in ranked)
    assert "best match" in explain_parts(ranked[0])
    dumped = evidence_json(tree)
    assert any("parts" in child and child["rank"] == 1 for child in dumped["children"])


@pytest.mark.model
def test_trace_cli_prints_scores_in_rank_order(seeds_dir, tmp_path):
    result = subprocess.run(
        [
            *KG,
            "trace",
            HIDDEN,
            "--corpus",
            str(seeds_dir),
            "--index",
            str(tmp_path / "i"),
            "--explain",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    import re

    groups: dict[tuple[int, str], list[float]] = {}
    for line in result.stdout.splitlines():
        found = re.match(r"^(\s*)└ (source|related|paper)(?: \(.*?\))? #(\d+) ([\d.]+)", line)
        if found:
            groups.setdefault((len(found[1]), found[2]), []).append(float(found[4]))
        elif line.lstrip().startswith("└ ") or line.lstrip().startswith(("◆", "•")):
            groups = {k: v for k, v in groups.items() if k[0] < len(line) - len(line.lstrip())}
            for scores in groups.values():
                assert scores == sorted(scores, reverse=True)
    assert "parts: best match" in result.stdout


def _unsupported_labels():
    from pathlib import Path

    import yaml

    path = Path(__file__).parent / "data" / "unsupported_labels.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["labels"]


def test_unsupported_hand_labels_name_real_claims_of_notes(tmp_path):
    # The hand labels (BENCHMARKS.md, issue 17) must still name notes/'s claims.
    from pathlib import Path

    import kg

    graph = kg.load(Path(__file__).parent.parent / "notes", index=tmp_path / "i", embed="none")
    labels = _unsupported_labels()
    assert len(labels) >= 100
    assert {item["label"] for item in labels} <= {"lacks", "supported", "not-a-claim"}
    for item in labels:
        texts = {c.index: c.text for c in claims(graph, item["note"])}
        assert texts[item["claim"]].replace('"', "'").startswith(item["starts"]), item


@pytest.mark.model
def test_unsupported_lint_on_notes_flags_what_was_labelled(tmp_path):
    from pathlib import Path

    import kg

    graph = kg.load(Path(__file__).parent.parent / "notes", index=tmp_path / "i", embed=True)
    flagged = {(u.note.title, u.claim.index) for u in unsupported_claims(graph)}
    labelled = {(item["note"], item["claim"]) for item in _unsupported_labels()}
    assert len(flagged & labelled) >= 0.9 * len(flagged)


def test_a_share_is_shown_for_the_claims_own_evidence_only(tmp_path, monkeypatch, capsys):
    # A share of the fused ranking says how a claim's candidates compare; deeper down, among
    # a source's two or three own sources (1.00 for a lone one), it says nothing of the
    # claim: there the score is the cosine with the text the source was quoted by, in the
    # Python tree, its repr, `kg trace` and its --json (a float everywhere, never None).
    import re

    from fake_embedder import FakeEmbedder

    import kg
    from kg.cli import main
    from kg.cli import trace as command
    from kg.cli.trace import evidence_json
    from kg.query.trace import FusedScorer
    from tests.conftest import NOTES

    title = "Does reasoning training reduce sycophancy?"
    where = ["--corpus", str(NOTES), "--index", str(tmp_path / "i")]
    graph = kg.load(NOTES, index=tmp_path / "i", embed=True, embedder=FakeEmbedder())
    tree = trace(graph, title, depth=3)

    def pairs(node, parent=None):
        yield parent, node
        for child in node.children:
            yield from pairs(child, node)

    ranked = [(parent.kind, node) for parent, node in pairs(tree) if node.rank]
    own = [node for parent, node in ranked if parent in ("claim", "sentence")]
    deeper = [node for parent, node in ranked if parent not in ("claim", "sentence")]
    assert own and deeper
    assert all(n.parts and n.cosine is not None for n in own)
    assert all(n.parts and n.cosine is None and n.score == n.support for n in deeper)
    assert all(isinstance(n.score, float) for _, n in ranked)
    # a source's lone own source: a share would be 1.00, its cosine is not
    lone = [
        kids[0]
        for _, node in pairs(tree)
        if node.kind not in ("claim", "sentence")
        and len(kids := [c for c in node.children if c.rank]) == 1
    ]
    assert all(n.score < 1.0 for n in lone)
    shown = "\n".join(repr(tree).splitlines())
    assert all(f"{n.score:.3f}" in shown for n in deeper[:3]), shown

    def dumped(item, parent="claim"):
        yield parent, item
        for child in item.get("children", ()):
            yield from dumped(child, item["kind"])

    items = [(parent, item) for parent, item in dumped(evidence_json(tree)) if "rank" in item]
    assert len(items) == len(ranked)
    assert all(isinstance(item["score"], float) for _, item in items)
    # `kg trace` ranked as here: a figure after every rank, the claim's own sources'
    # (indented two spaces) and their sources' (deeper).
    scorer = FusedScorer(graph.embeddings)
    monkeypatch.setattr(command, "open_for_trace", lambda args, reach: (graph, scorer))
    assert main(["trace", title, "--claim", "0", *where]) == 0
    heads = re.findall(r"^( *)└ \w+(?: \(.*?\))? #\d+( [\d.]+)?  ", capsys.readouterr().out, re.M)
    assert {(len(indent) == 2, bool(share)) for indent, share in heads} == {
        (True, True),
        (False, True),
    }


def test_used_by_follows_as_many_links_by_default_as_the_command_line(seed_graph):
    # The browser and `kg trace --used-by` look 3 links back; Python looked 2.
    from kg.cli import build_parser

    depth = build_parser().parse_args(["trace", HIDDEN, "--used-by"]).depth
    assert depth == 3
    assert seed_graph.used_by(HIDDEN) == used_by(seed_graph, HIDDEN, depth=depth)
