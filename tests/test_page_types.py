"""Page types the seeds do not show (topic, hub, paper), truncation, and the Markdown format."""

from __future__ import annotations

from pathlib import Path

import kg
from kg.model import LinkKind, NoteKind, Severity
from kg.parse.markdown import parse_markdown, to_markdown
from kg.parse.site import parse_page

TOPIC = """TOPIC

Test-time compute

3 synthesis notes · 12 source papers

View as

Does thinking longer always help?
When extra reasoning tokens stop paying off.
Explore related Read →

Can small models verify big ones?
Weak-to-strong verification results.
Explore related Read →
"""

HUB_MAIN = """How should researchers navigate LLM reasoning research?
A map of the reasoning notes.
Topic Hub · 3 linked notes · 2 sections
View as
Elicitation
2 notes
Do base models already contain hidden reasoning ability?
Latent reasoning in base models.
Explore related Read →
Does RL teach reasoning or just when to use it?
Timing versus capability.
Explore related Read →
Sub-Maps
1 notes
What kind of thing is an LLM really?
The parent map.
Explore related Read →
"""

PAPER = """Base Models Know How to Reason, Thinking Models Learn When
Paper · arXiv 2510.07364 · Published October 8, 2025
Reasoning CritiquesFlawsReinforcement Learning
We show that thinking models mostly learn when to use reasoning mechanisms.
A hybrid model recovers most of the gap.
"""


def test_topic_page_banner():
    page = parse_page(TOPIC, "t.txt")
    assert page.kind is NoteKind.TOPIC and page.title == "Test-time compute"
    assert (page.counts.notes, page.counts.source_papers) == (3, 12)
    assert [c.title for c in page.cards] == [
        "Does thinking longer always help?",
        "Can small models verify big ones?",
    ]
    assert page.cards[0].description == "When extra reasoning tokens stop paying off."
    assert page.counts.notes == 3 and len(page.cards) == 2  # declared count kept
    assert not page.truncated and all(page.roles)


def test_hub_without_banner_has_sections_and_submaps():
    page = parse_page(HUB_MAIN, "h.txt")
    assert page.kind is NoteKind.HUB
    assert (page.counts.notes, page.counts.sections) == (3, 2)
    assert [(c.section, c.title) for c in page.cards] == [
        ("Elicitation", "Do base models already contain hidden reasoning ability?"),
        ("Elicitation", "Does RL teach reasoning or just when to use it?"),
        ("Sub-Maps", "What kind of thing is an LLM really?"),
    ]
    assert all(page.roles)


def test_paper_page():
    page = parse_page(PAPER, "p.txt")
    assert page.kind is NoteKind.PAPER and page.arxiv == "2510.07364"
    assert page.date == "2025-10-08"
    assert page.tags == ("Reasoning Critiques", "Flaws", "Reinforcement Learning")
    assert page.body[0].text.startswith("We show")


def test_truncated_page_keeps_what_it_has():
    full = Path(__file__).parent.parent.parent / "shared" / "seeds"
    text = HUB_MAIN[:260]
    page = parse_page(text, "cut.txt")
    assert page.truncated and page.kind is NoteKind.HUB
    assert page.cards and page.cards[0].title.startswith("Do base models")
    del full


def test_truncated_synthesis_mid_word():
    text = "SYNTHESIS NOTE\nAgentic Systems and Tool Use\n\nCan agents plan?\n\nDescr.\n\nBody tex"
    page = parse_page(text, "s.txt")
    assert page.truncated and page.title == "Can agents plan?"
    assert page.categories == ("Agentic Systems and Tool Use",)
    assert page.body[-1].text == "Body tex"


def test_unknown_category_is_kept_with_a_note():
    text = (
        "SYNTHESIS NOTE\nAgentic Systems and Tool Use Quantum Widgets\n\nCan agents plan?\n\n"
        "D.\n\nOriginal note title\n\nagents plan"
    )
    page = parse_page(text, "s.txt")
    assert page.categories == ("Agentic Systems and Tool Use", "Quantum Widgets")
    assert any("Quantum Widgets" in d.message for d in page.diagnostics)


def test_markdown_front_matter_and_wikilinks():
    text = """---
type: line
title: How do models learn to vote?
description: This explores voting.
sources:
  - title: Can models trained on many imperfect experts outperform each one?
    summary: Implicit majority voting.
  - Does RL teach reasoning or just when to use it?
related:
  - title: Why does majority voting work?
    label: mechanism
    annotation: aggregation denoises
next: [What comes after voting?]
---
# Heading
The answer is in [[Can models trained on many imperfect experts outperform each one?|Transcendence]].
"""
    page = parse_markdown(text, "vote.md")
    assert page.kind is NoteKind.LINE and page.title == "How do models learn to vote?"
    assert [s.title for s in page.sources] == [
        "Can models trained on many imperfect experts outperform each one?",
        "Does RL teach reasoning or just when to use it?",
    ]
    assert page.related[0].relation == "mechanism"
    assert page.body[0].text == "The answer is in Transcendence."
    assert page.wikilinks[0].title.startswith("Can models trained")
    again = parse_markdown(to_markdown(page), "vote.md")
    assert [(s.title, s.summary) for s in again.sources] == [
        (s.title, s.summary) for s in page.sources
    ]
    # each entry on the line that writes it, in order (the front matter's lines)
    assert [s.line for s in page.sources] == [6, 8]
    assert 0 < again.sources[0].line < again.sources[1].line
    assert again.body[0].text == page.body[0].text


def test_obsidian_note_without_front_matter(tmp_path):
    (tmp_path / "Why do agents loop forever.md").write_text("See [[Other note of mine|o]].\n")
    g = kg.load(tmp_path, index=tmp_path / "idx", embed=False)
    note = g.note("Why do agents loop forever")
    assert [n.note.title for n in g.neighbours(note)] == ["Other note of mine"]


def test_bad_yaml_is_reported_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "evil.md").write_text(
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\nBody.\n"
    )
    (tmp_path / "good.md").write_text("---\ntitle: A good note here?\n---\nFine.\n")
    g = kg.load(tmp_path, index=tmp_path / "idx", embed=False)
    assert not marker.exists()
    assert g.find("A good note here?") is not None
    errors = [d for d in g.diagnostics if d.severity is Severity.ERROR]
    assert errors and errors[0].path == "evil.md" and errors[0].line == 2
    assert g.find("evil") is not None  # the note itself is still read, titled by its file


def test_same_title_in_two_variants_is_one_node(tmp_path):
    banner = (
        "SYNTHESIS NOTE\nAgentic Systems and Tool Use\n\nCan agents plan ahead well?\n\nD.\n\n"
        "Synthesis note · 2026-01-02\n\nBody one.\n\nOriginal note title\n\nagents plan"
    )
    main = (
        "Can agents plan ahead well?\nD.\nBody one, longer in this copy.\n"
        "Related papers in this collection 1\n- A Paper On Planning Agents\n"
        "Original note title\nagents plan"
    )
    (tmp_path / "a.txt").write_text(banner)
    (tmp_path / "b.txt").write_text(main)
    g = kg.load(tmp_path, index=tmp_path / "idx", embed=False)
    note = g.note("Can agents plan ahead well?")
    assert note.files == ("b.txt", "a.txt")
    assert note.date == "2026-01-02" and note.categories == ("Agentic Systems and Tool Use",)
    assert [lk.kind for lk in g.links_of(note, "out")] == [LinkKind.PAPER, LinkKind.CATEGORY] or {
        lk.kind for lk in g.links_of(note, "out")
    } == {LinkKind.PAPER, LinkKind.CATEGORY}


def test_mentions_take_the_longest_title_and_only_whole_words(tmp_path):
    # Two known titles, one the start of the other: running text naming the longer one
    # mentions it alone; a title glued inside a longer word is no mention.
    (tmp_path / "short.md").write_text("---\ntitle: Reward models drift under pressure\n---\nA.\n")
    (tmp_path / "long.md").write_text(
        "---\ntitle: Reward models drift under pressure from users\n---\nB.\n"
    )
    (tmp_path / "reader.md").write_text(
        "---\ntitle: Who reads about drift here?\n---\n"
        "As Reward models drift under pressure from users shows, it drifts. "
        "Not XReward models drift under pressure though.\n"
    )
    g = kg.load(tmp_path, index=tmp_path / "idx", embed=False)
    mentions = [lk for lk in g.links_of(g.note("Who reads about drift here?"), "out")]
    assert [(g.note(lk.target).title, lk.kind) for lk in mentions] == [
        ("Reward models drift under pressure from users", LinkKind.MENTIONS)
    ]
    assert mentions[0].sentence == (
        "As Reward models drift under pressure from users shows, it drifts."
    )
