"""The pieces of the reading view that are not the widget itself: its blocks, the
titles found in running text, the figures line, and the notes the overview starts from."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.content import Content
from textual.widgets import Static

from kg import KnowledgeGraph, overview
from kg.model import Link, Note, NoteStats
from kg.text import TitleMatcher, fold
from kg_tui.details import plural
from kg_tui.labels import shown_title
from kg_tui.messages import OpenNote
from kg_tui.widgets.map_words import map_figures
from kg_tui.widgets.note_links import Span


class NoteText(Static):
    """A block of text whose links re-centre the walk."""

    DEFAULT_CSS = "NoteText { width: 1fr; height: auto; }"

    def action_follow(self, note_id: str) -> None:
        self.post_message(OpenNote(note_id))


@dataclass
class Block:
    """One block of the note: plain content, or text with spans that link to notes."""

    classes: str
    content: Content | None = None
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    style: str = ""
    widget: NoteText | None = None
    marks: list[tuple[int, int, str]] = field(default_factory=list)  # emphasis runs
    found: list[tuple[int, int]] = field(default_factory=list)  # where the find text is
    line: int | None = None  # the file line it was read from (-1: the note's claim)


def bullets(graph: KnowledgeGraph, notes: list[Note]) -> tuple[str, list[Span]]:
    """A bulleted list of notes, one a line, each title (with its folder where titles
    repeat) a link."""
    text = ""
    spans: list[Span] = []
    for note in notes:
        if text:
            text += "\n"
        title = shown_title(graph, note)
        spans.append(Span(len(text) + 2, len(text) + 2 + len(title), note.id))
        text += f"• {title}"
    return text, spans


def find_mentions(text: str, titles: dict[str, str]) -> list[Span]:
    """Spans of `text` where one of `titles` (title -> note id) occurs, as whole words,
    longest first, never overlapping (kg's one title matcher, `kg.text.TitleMatcher`).

    >>> find_mentions("See Can X be done? and Why Y?.", {"Can X be done?": "x", "Why Y?": "y"})
    [Span(start=4, end=18, note_id='x'), Span(start=23, end=29, note_id='y')]
    """
    matcher = TitleMatcher({fold(t).casefold(): i for t, i in titles.items() if len(t) >= 4})
    return [Span(start, end, i) for start, end, i in matcher.find(fold(text).casefold())]


def figures_text(note: Note, stats: NoteStats | None) -> Content:
    if stats is None:
        return Content.styled("counting connections…", "dim italic")
    text = map_figures(stats)
    site = note.concept_map
    if site and (site.direct, site.two_hop) != (stats.direct, stats.two_hop):
        return Content.assemble(
            text,
            (
                f"\nthe site's own map said: {site.direct} direct · "
                f"{site.two_hop} within two links · {site.cluster}",
                "dim",
            ),
        )
    return Content(text)


def stub_text(graph: KnowledgeGraph, note: Note) -> Content:
    links = graph.links_of(note, "in")
    said = [lk.annotation for lk in links if lk.annotation]
    text = (
        "This note has no page of its own in the corpus: it is known from "
        f"{plural(len(links), 'link that points', 'links that point')} to it."
    )
    if said:
        text += f"\nWhat they say about it: {said[0]}"
    return Content(text)


def repeats_description(paragraph: str, description: str) -> bool:
    """Whether a body paragraph only repeats the description (a paper's abstract).

    >>> repeats_description("The paper reports  two models.", "The paper reports two models.")
    True
    >>> repeats_description("Something else.", "The paper reports two models.")
    False
    """
    if not description:
        return False
    a, b = " ".join(paragraph.split()), " ".join(description.split())
    return a == b or (len(a) > 40 and (b.startswith(a) or a.startswith(b)))


def one_per_target(links: list[Link]) -> list[Link]:
    """The first link to each target: a note merged from two pages lists a source once."""
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.target, link)
    return list(seen.values())


def home_lists(graph: KnowledgeGraph) -> list[tuple[str, list[Note]]]:
    """Notes to start a walk from: the most connected, hubs, lines, the newest (kg's
    overview of the graph, `kg.overview`: worked out once per graph, or kept beside the
    index)."""
    return [(heading, list(notes)) for heading, notes in overview(graph).lists]
