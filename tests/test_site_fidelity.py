"""The site's pages as they really come: both deployments, cut-off copies, hubs, cards.

The pages in tests/data/site_pages were written for these tests in the site's shapes
(../shared/PAGE-FORMATS.md); no page of the site is copied. One test per point of the
real-pages issue, each asserting what the graph holds.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from cli_helpers import BARE, kg_output

import kg
from kg.config import Config
from kg.model import LinkKind, NoteKind, Severity
from kg.parse.site import parse_page
from kg.parse.vocabulary import TagVocabulary

PAGES = Path(__file__).parent / "data" / "site_pages"
OVEROPT = "Does reward model overoptimization grow with policy size?"
OLDER_TITLE = "When does optimizing a learned reward start to hurt?"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    return kg.load(PAGES, index=tmp_path_factory.mktemp("site-pages-index"), embed=False)


def page(name: str) -> kg.Page:
    return parse_page((PAGES / name).read_text(encoding="utf-8"), name)


def titles(graph: kg.KnowledgeGraph) -> set[str]:
    return {note.title for note in graph}


# 1. the older deployment ------------------------------------------------------------


def test_older_deployment_note_parses_like_the_banner_variant():
    older = page("n1-older.txt")
    assert older.kind is NoteKind.SYNTHESIS and older.deployment == "older"
    assert older.title == OLDER_TITLE
    assert older.description.startswith("Tracks the point where")
    assert older.categories == ("Reinforcement Learning for LLMs", "LLM Reasoning and Architecture")
    assert (older.date, older.collection) == ("2025-10-02", "Reward Modeling")
    assert [h.title for h in older.hubs] == ["How do learned rewards fail?"]
    assert older.claim.startswith("reward overoptimization grows")
    assert older.concept_map is not None
    assert (older.concept_map.direct, older.concept_map.two_hop) == (7, 30)
    assert [c.title for c in older.connections] == [
        "Can a verifier be trusted more than the generator it checks?",
        "Do search steps and reasoning steps trade off?",
    ]
    body = " ".join(p.text for p in older.body)
    for furniture in ("Note ·", "Connections:", "Source:"):
        assert furniture not in body
    assert not older.truncated and "skipped" not in older.roles


def test_older_deployment_main_text_variant():
    older = page("n1-older-main.txt")
    assert older.deployment == "older" and older.title == OLDER_TITLE
    assert older.categories == () and older.collection == "Reward Modeling"
    assert len(older.connections) == 2
    assert all(not p.text.startswith(("Source:", "Connections:")) for p in older.body)
    assert not older.truncated


def test_unsplittable_category_run_is_one_category_and_a_warning(graph):
    odd = page("older-unsplittable.txt")
    assert odd.title == "Can a category run that no vocabulary knows break the title?"
    assert odd.categories == ("Quantum Widget StudiesFrobnication Theory",)
    warnings = [d for d in odd.diagnostics if d.code == "category-run"]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING
    assert warnings[0].line == 1
    assert "Quantum Widget StudiesFrobnication Theory" not in titles(graph) - {
        n.title for n in graph.notes(kind=NoteKind.CATEGORY)
    }


# 2. one note, one node, across deployments ----------------------------------------


def test_same_claim_under_two_titles_is_one_note_with_an_alias(graph):
    note = graph.note(OVEROPT)
    assert graph.note(OLDER_TITLE).id == note.id
    assert graph.note(OLDER_TITLE.upper()).id == note.id
    assert note.aliases == (OLDER_TITLE,)
    assert set(note.files) == {"n1-banner.txt", "n1-main.txt", "n1-older.txt", "n1-older-main.txt"}
    assert OLDER_TITLE not in titles(graph)
    said = [d for d in graph.diagnostics if d.code == "alias"]
    assert len(said) == 1 and OLDER_TITLE in said[0].message and OVEROPT in said[0].message
    found = graph.search("optimizing a learned reward start to hurt", k=3)
    assert found and found[0].note.id == note.id
    assert graph.suggest("When does optimizing a learned reward")[0] == OLDER_TITLE


# 3. cut-off copies ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("cut-related-title.txt", "When does explicit reason"),
        ("cut-header.txt", "Related"),
        ("cut-list-item.txt", "How does"),
        ("cut-line-source.txt", "When does explicit reason"),
        ("cut-card.txt", "Can a judge model grade free-text ans"),
    ],
)
def test_the_unfinished_last_line_is_never_an_item(graph, name, fragment):
    cut = page(name)
    assert cut.truncated
    assert cut.roles[max(i for i, r in enumerate(cut.roles) if r != "blank")] == "cut"
    listed = (
        [r.title for r in cut.related]
        + [u.title for u in cut.uses]
        + [s.title for s in cut.sources if s.title]
        + [s.summary for s in cut.sources]
        + [c.title for c in cut.cards]
        + [c.description for c in cut.cards]
        + [p.text for p in cut.body]
    )
    assert not any(item.strip().startswith(fragment) for item in listed)
    # No note is made from the fragment (whole titles that happen to start alike are fine).
    assert not any(
        title.startswith(fragment) and not title.endswith("?")
        for title in titles(graph)
        if graph.note(title).kind is not NoteKind.CATEGORY
    )


def test_cut_pages_keep_their_complete_items():
    related = page("cut-related-title.txt")
    assert [r.title for r in related.related] == ["Why do reward models prefer longer answers?"]
    line = page("cut-line-source.txt")
    assert [s.title for s in line.sources] == ["Do search steps and reasoning steps trade off?"]
    assert line.sources[0].summary.startswith("Search and reasoning draw on one budget")
    hub = page("cut-card.txt")
    assert [c.title for c in hub.cards] == ["Do benchmark gains survive a fresh test set?"]


def test_a_count_on_the_cut_line_is_uncertain(graph):
    cut = page("cut-count.txt")
    assert cut.truncated and cut.counts.uses == 4 and cut.counts.uncertain == ("uses",)
    note = graph.note("Do benchmark gains survive a fresh test set?")
    assert note.counts.declared() == [("uses", 4, True)]
    complete = page("n1-banner.txt")
    assert complete.counts.uses == 3 and complete.counts.uncertain == ()


def test_a_claim_cut_mid_word_marks_the_page_truncated():
    cut = page("cut-claim.txt")
    assert cut.claim.endswith("stay in distrib") and cut.truncated


def test_complete_short_pages_are_never_truncated():
    for name in ("hub-bare.txt", "paper-tags.txt", "shared-title-hub.txt", "n1-older.txt"):
        assert not page(name).truncated, name
    # The same claim, whole, on a long page: not mistaken for a cut one.
    assert not page("n1-main.txt").truncated


# 4. hubs ----------------------------------------------------------------------------


def test_title_and_description_page_is_a_hub_when_notes_name_it(graph):
    bare = page("hub-bare.txt")
    assert (bare.title, bare.description[:12]) == (
        "How should a lab budget inference compute?",
        "A map of not",
    )
    hub = graph.note("How should a lab budget inference compute?")
    assert hub.kind is NoteKind.HUB and not hub.stub and not hub.truncated
    assert graph.note(OVEROPT).id in {lk.source for lk in graph.links_of(hub, "in", "hub")}


def test_hub_and_note_sharing_a_title_are_one_node_with_a_warning(graph):
    shared = "Is a chain of thought a faithful account of the computation?"
    assert sum(1 for n in graph if n.title == shared) == 1
    warning = [d for d in graph.diagnostics if d.code == "merged"]
    assert len(warning) == 1 and warning[0].severity is Severity.WARNING
    assert "shared-title-hub.txt" in warning[0].message
    assert "shared-title-note.txt" in warning[0].message


# 5. cards and related concepts keep their descriptions -----------------------------


def test_stub_known_from_cards_shows_their_description(graph, tmp_path):
    longer = graph.note("Why do reward models prefer longer answers?")
    assert longer.stub
    assert longer.description == "Length is the cheapest feature a reward model can latch onto."
    intransitive = graph.note("Do pairwise preferences hide intransitive choices?")
    assert intransitive.description.startswith("Annotators' pairwise choices can cycle")
    verifier = graph.note("Can a verifier be trusted more than the generator it checks?")
    assert verifier.description.startswith("When checking an answer is easier")
    shown = kg_printed(
        "show",
        "Why do reward models prefer longer answers?",
        "--corpus",
        str(PAGES),
        "--index",
        str(tmp_path / "idx"),
    )
    assert "Length is the cheapest feature" in shown
    sub = graph.subgraph(longer.id, depth=0)
    sub.to_graphml(tmp_path / "stub.graphml")
    assert "Length is the cheapest feature" in (tmp_path / "stub.graphml").read_text()


# 6. merging copies keeps everything ------------------------------------------------


def test_merged_copies_keep_descriptions_categories_and_each_copys_counts(graph):
    note = graph.note(OVEROPT)
    assert note.description.startswith("Tracks the point where")  # the richer one
    assert note.categories == (
        "Training, RL, and Test-Time Scaling",
        "Reasoning, Retrieval, and Evaluation",
        "Reinforcement Learning for LLMs",
        "LLM Reasoning and Architecture",
    )
    assert [c.deployment for c in note.copies] == ["current", "current", "older", "older"]
    banner = next(c for c in note.copies if c.file == "n1-banner.txt")
    older = next(c for c in note.copies if c.file == "n1-older.txt")
    assert (banner.counts.uses, banner.counts.related, banner.counts.papers) == (3, 2, 2)
    assert banner.concept_map is not None and banner.concept_map.direct == 9
    assert older.concept_map is not None and older.concept_map.direct == 7


def test_a_card_listed_by_both_copies_of_a_hub_appears_once(graph):
    hub = graph.note("How do learned rewards fail?")
    cards = graph.links_of(hub, "out", "section")
    assert sorted((graph.note(c.target).title, c.section) for c in cards) == [
        (OVEROPT, "Failure modes"),
        ("Why do reward models prefer longer answers?", "Failure modes"),
    ]
    assert hub.description.startswith("Notes on the ways") and "scale" in hub.description


# 7. a note read from both text variants lists each link once -----------------------


def test_both_variants_give_each_link_once(graph):
    note = graph.note(OVEROPT)
    out = graph.links_of(note, "out")
    keys = [(lk.target, lk.kind, lk.section) for lk in out]
    assert len(keys) == len(set(keys))
    mentions = [graph.note(lk.target).title for lk in out if lk.kind is LinkKind.MENTIONS]
    assert mentions.count("Can a verifier be trusted more than the generator it checks?") == 1
    uses = graph.links_of(note, "in", "uses")
    assert len(uses) == 3


def test_paper_abstract_is_shown_once(tmp_path):
    shown = kg_printed(
        "show",
        "Scaling Laws for Reward Model Overoptimization",
        "--corpus",
        str(PAGES),
        "--index",
        str(tmp_path / "idx"),
    )
    assert shown.count("We study how the gold reward") == 1


# 8. mentions ------------------------------------------------------------------------


def test_three_question_titles_back_to_back_are_all_found(graph):
    note = graph.note("What decides whether an agent should search or think?")
    mentioned = {graph.note(lk.target).title for lk in graph.links_of(note, "out", "mentions")}
    assert mentioned == {
        "Is it worth spending extra reasoning tokens for answer quality?",
        "How does search scale like reasoning in agent systems?",
        "Do search steps and reasoning steps trade off?",
    }


def test_titles_on_a_connections_line_are_mentions(graph):
    note = graph.note(OVEROPT)
    by_connections = [
        lk
        for lk in graph.links_of(note, "out", "mentions")
        if lk.sentence.startswith("Connections:")
    ]
    assert [graph.note(lk.target).title for lk in by_connections] == [
        "Do search steps and reasoning steps trade off?"
    ]
    assert by_connections[0].file.startswith("n1-older")


# 9. paper tags ----------------------------------------------------------------------


def test_paper_tags_split_with_an_extensible_vocabulary(tmp_path):
    paper = page("paper-tags.txt")
    assert paper.tags == (
        "Linguistics, NLP, NLU",
        "LLM Architecture",
        "Reward Hacking Studies",
        "Reinforcement Learning",
    )
    extended = TagVocabulary.default().extended(["Hacking Studies", "Reward"])
    text = (PAGES / "paper-tags.txt").read_text(encoding="utf-8")
    assert "Hacking Studies" in parse_page(text, "p.txt", tags=extended).tags
    (tmp_path / "kg.yaml").write_text("paper_tags:\n  - Reward Hacking\n", encoding="utf-8")
    from kg.config import load_config

    config = load_config(tmp_path)
    assert isinstance(config, Config) and config.paper_tags.is_known("Reward Hacking")
    assert "Reward Hacking" in parse_page(text, "p.txt", tags=config.paper_tags).tags


# 10. kg show tells the page's figures from computed ones ---------------------------


def test_kg_show_labels_declared_and_computed_figures(tmp_path):
    shown = kg_printed("show", OVEROPT, "--corpus", str(PAGES), "--index", str(tmp_path / "idx"))
    assert "As the pages say:" in shown
    assert "9 direct connections · 41 in 2-hop network · sparse cluster" in shown
    assert "7 direct connections · 30 in 2-hop network · dense cluster" in shown
    assert shown.index("n1-banner.txt)") < shown.index("n1-older.txt)")
    assert "inquiring lines using it 3" in shown
    assert "Computed by kg on the loaded corpus" in shown
    assert f"also titled: {OLDER_TITLE}" in shown
    cut = kg_printed(
        "show",
        "Do benchmark gains survive a fresh test set?",
        "--corpus",
        str(PAGES),
        "--index",
        str(tmp_path / "idx"),
    )
    assert "inquiring lines using it 4+ (read from the cut-off last line)" in cut
    paper = kg_printed(
        "show",
        "Scaling Laws for Reward Model Overoptimization",
        "--corpus",
        str(PAGES),
        "--index",
        str(tmp_path / "idx"),
    )
    assert "arXiv: 2210.10760" in paper and "tags: Linguistics, NLP, NLU, LLM Architecture" in paper
    data = json.loads(
        kg_printed(
            "show", OVEROPT, "--json", "--corpus", str(PAGES), "--index", str(tmp_path / "idx")
        )
    )
    assert data["site_concept_map"]["direct"] in (9, 7) and len(data["copies"]) == 4


# 11. diagnostics a user sees -------------------------------------------------------


def test_index_summary_counts_cut_pages_merges_and_category_runs(tmp_path):
    out = kg_printed("index", "--no-embed", "--corpus", str(PAGES), "--index", str(tmp_path / "i"))
    summary = out.strip().splitlines()[-1]
    assert "7 cut-off pages" in summary
    assert "1 note merged under another title" in summary
    assert "1 merge of differing pages" in summary
    assert "1 category line no vocabulary splits" in summary


# in a child given only BARE's variables
kg_printed = functools.partial(kg_output, env=BARE, inherit=False, timeout=None)


def test_one_deployment_giving_two_titles_one_claim_keeps_two_notes(tmp_path):
    claim = "the same claim written on two different pages of one deployment"
    for name, title in (
        ("a.txt", "Does the first page stand alone?"),
        ("b.txt", "Does the second page stand alone?"),
    ):
        (tmp_path / name).write_text(
            f"SYNTHESIS NOTE\nAgentic Systems and Tool Use\n\n{title}\n\nA description.\n\n"
            f"Synthesis note · 2026-01-01\n\nBody text.\n\nOriginal note title\n\n{claim}",
            encoding="utf-8",
        )
    graph = kg.load(tmp_path, embed=False, save=False)
    assert {n.title for n in graph.notes(kind="synthesis")} == {
        "Does the first page stand alone?",
        "Does the second page stand alone?",
    }
    assert [d.code for d in graph.diagnostics if d.code] == ["claim-clash"]


def test_main_text_copies_that_do_not_show_their_deployment_join_by_claim(tmp_path):
    claim = "one claim shown under two titles by copies that do not say where they are from"
    for name, title in (
        ("a.txt", "Does the first title name it?"),
        ("b.txt", "Does an earlier title name it?"),
    ):
        (tmp_path / name).write_text(
            f"{title}\nA description.\nBody text.\nOriginal note title\n{claim}", encoding="utf-8"
        )
    graph = kg.load(tmp_path, embed=False, save=False)
    note = graph.note("Does an earlier title name it?")
    assert len(graph.notes()) == 1 and len(note.files) == 2 and len(note.aliases) == 1


def test_a_cut_claim_joins_the_whole_copy_of_the_other_deployment(tmp_path):
    older = (PAGES / "n1-older-main.txt").read_text(encoding="utf-8")
    cut_at = older.index("grows with policy size") + len("grows with pol")
    (tmp_path / "older-cut.txt").write_text(older[:cut_at], encoding="utf-8")
    for name in ("n1-main.txt", "n1-banner.txt"):
        (tmp_path / name).write_text((PAGES / name).read_text(encoding="utf-8"), encoding="utf-8")
    graph = kg.load(tmp_path, embed=False, save=False)
    note = graph.note(OLDER_TITLE)
    assert note.title == OVEROPT and "older-cut.txt" in note.files


def test_back_to_back_question_titles_no_page_holds_are_cited_notes(tmp_path):
    (tmp_path / "chain.txt").write_text(
        "What decides whether an agent should search or think?\nA description.\n"
        "The earlier notes ask it three ways: Is it worth spending extra reasoning tokens for "
        "answer quality? How does search scale like reasoning in agent systems? Do search steps "
        "and reasoning steps trade off?. Is that settled? No, it is not.\n"
        "Original note title\nagents trade search against reasoning",
        encoding="utf-8",
    )
    graph = kg.load(tmp_path, embed=False, save=False)
    note = graph.note("What decides whether an agent should search or think?")
    cited = [graph.note(lk.target) for lk in graph.links_of(note, "out", "mentions")]
    assert [n.title for n in cited] == [
        "Is it worth spending extra reasoning tokens for answer quality?",
        "How does search scale like reasoning in agent systems?",
        "Do search steps and reasoning steps trade off?",
    ]
    assert all(n.stub for n in cited)  # the rhetorical "Is that settled?" is no note
