"""Conformance of the parser and the graph on the five real pages in ../shared/seeds."""

from __future__ import annotations

import pytest

from kg.config import Config
from kg.model import LinkKind, NoteKind
from kg.parse.corpus import parse_file
from kg.parse.site import INTERFACE_TEXT
from tests.conftest import SEEDS, seed_path

HIDDEN = "Do base models already contain hidden reasoning ability?"


def parse(prefix: str):
    path = seed_path(prefix)
    page, problems = parse_file(path, SEEDS, Config())
    assert page is not None
    return page, problems


def test_seed_004_synthesis_main_text():
    page, _ = parse("004")
    assert page.kind is NoteKind.SYNTHESIS and page.variant == "main"
    assert page.title == HIDDEN
    assert len(page.uses) == 317 and page.counts.uses == 317
    assert (
        page.uses[0].title
        == "What cognitive capabilities do agents need to internalize social feedback?"
    )
    assert len(page.related) == 16 and page.counts.related == 16
    labels = [r.label for r in page.related]
    assert labels[:4] == ["partially contradicted", "mechanism", "extends", "qualified"]
    assert all(labels) and len(set(labels)) == 16
    assert page.related[0].title == "Can simple rewards alone teach complex domain reasoning?"
    assert page.related[0].annotation.startswith('partially contradicted: "emergence"')
    assert page.related[0].relation == "contradicts"
    assert [p.title for p in page.papers][:2] == [
        "Eliciting Reasoning in Language Models with Cognitive Tools",
        "Base Models Know How to Reason, Thinking Models Learn When",
    ]
    assert len(page.papers) == 8 and page.papers[-1].title.startswith("Does Reinforcement Learning")
    assert page.claim == (
        "base models already possess latent reasoning capability that minimal training "
        "signals can unlock"
    )
    assert not page.truncated


def test_seed_000_pairs_six_summaries_with_body_titles():
    page, _ = parse("000")
    assert page.kind is NoteKind.LINE and page.variant == "main"
    assert page.counts.sources == 6
    titles = [s.title for s in page.sources]
    assert titles == [
        "Can models trained on many imperfect experts outperform each one?",
        "Does RL post-training create reasoning or just deploy it?",
        "Do reasoning traces need to be semantically correct?",
        "Can reasoning emerge from expert demonstrations alone?",
        "Can models reliably improve themselves without external feedback?",
        "Is reflection in reasoning models actually fixing mistakes?",
    ]
    assert page.sources[3].summary.startswith("RARO recovers implicit reward functions")


def test_seed_002_pairs_nine_sources_including_hidden_reasoning():
    page, _ = parse("002")
    assert [s.title for s in page.sources][2] == HIDDEN
    assert len(page.sources) == 9 and all(s.title for s in page.sources)
    assert page.sources[8].title == "Are LLM emergent abilities real or measurement artifacts?"


def test_seed_003_lists_ten_titled_sources():
    page, _ = parse("003")
    assert page.kind is NoteKind.LINE and page.variant == "banner"
    assert len(page.sources) == 10 and page.counts.sources == 10
    assert page.sources[0].title == "Why do models trust their own generated answers?"
    assert page.sources[0].summary.startswith("LLMs exhibit structural bias")
    assert page.sources[-1].title == "Can models learn to evaluate their own work during training?"
    assert not page.truncated and page.next_lines == ()


def test_seed_001_banner_synthesis_fields():
    page, _ = parse("001")
    assert page.variant == "banner" and page.kind is NoteKind.SYNTHESIS
    assert page.categories == (
        "Model Architecture and Internals",
        "Training, RL, and Test-Time Scaling",
        "Reasoning, Retrieval, and Evaluation",
    )
    assert page.date == "2026-02-22" and page.collection == "Training Fine Tuning"
    assert page.concept_map is not None
    assert (page.concept_map.direct, page.concept_map.two_hop, page.concept_map.cluster) == (
        16,
        167,
        "dense cluster",
    )
    assert [h.title for h in page.hubs] == [
        "What kind of thing is an LLM really?",
        "How should we allocate compute budget at inference time?",
        "How should researchers navigate LLM reasoning research?",
    ]
    assert (page.counts.uses, page.counts.related, page.counts.papers) == (21, 4, 8)
    assert len(page.body) == 5 and page.body[0].text.startswith("The Transcendence paper")
    assert page.claim.startswith("generative models transcend their training experts")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_line_is_accounted_for(prefix):
    page, problems = parse(prefix)
    text = seed_path(prefix).read_text(encoding="utf-8").split("\n")
    assert len(page.roles) == len(text)
    unaccounted = [i + 1 for i, role in enumerate(page.roles) if not role]
    assert unaccounted == []
    skipped = {d.line for d in problems if d.message.startswith("skipped")}
    assert skipped == {i + 1 for i, role in enumerate(page.roles) if role == "skipped"}


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_interface_text_in_titles_or_bodies(prefix):
    page, _ = parse(prefix)
    fields = [
        page.title,
        page.description,
        page.claim,
        *[p.text for p in page.body],
        *[r.title for r in page.related],
        *[r.description for r in page.related],
        *[s.summary for s in page.sources],
        *[s.title or "" for s in page.sources],
    ]
    fragments = [
        "Click a node",
        "Explore related",
        "View as",
        "your link semantically",
        "This note in its neighbourhood",
        "Papers most semantically",
        "Open in graph",
    ]
    for value in fields:
        for fragment in fragments:
            assert fragment not in value, (fragment, value[:80])
    assert "Concept map" in INTERFACE_TEXT


def test_hidden_reasoning_is_one_node(seed_graph):
    note = seed_graph.note(HIDDEN)
    assert not note.stub and note.kind is NoteKind.SYNTHESIS
    assert note.files == ("004_3d232574846d122f.txt",)
    sources_in = seed_graph.backlinks(note, kinds=LinkKind.SOURCE)
    assert [link.file for link in sources_in] == ["002_d79ad8ab7bfddb04.txt"]
    assert sum(1 for n in seed_graph if n.title == HIDDEN) == 1


def test_seed_graph_links_are_typed_with_provenance(seed_graph):
    kinds = {link.kind for link in seed_graph.links}
    assert {
        LinkKind.SOURCE,
        LinkKind.MENTIONS,
        LinkKind.RELATED,
        LinkKind.PAPER,
        LinkKind.USES,
        LinkKind.HUB,
        LinkKind.CATEGORY,
    } <= kinds
    assert all(link.file and link.line > 0 for link in seed_graph.links)
    mention = next(
        link
        for link in seed_graph.links
        if link.kind is LinkKind.MENTIONS
        and link.target
        == seed_graph.note("Can models trained on many imperfect experts outperform each one?").id
        and link.file.startswith("000")
    )
    assert mention.sentence.startswith("In Can models trained on many imperfect experts")
    assert mention.sentence.endswith("uncorrelated.")


def test_seed_stubs_are_question_mentions_not_rhetorical(seed_graph):
    titles = {n.title for n in seed_graph if n.stub}
    assert "Why does majority voting outperform more complex inference methods?" in titles
    assert not any(t.startswith("Why 'without exemplars'") for t in titles)
