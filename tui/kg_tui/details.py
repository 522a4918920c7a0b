"""What the details pane says about the highlighted row: full title, how it is reached,
the sentence or annotation behind the link, and the file and line it was read from.

Kept apart from any widget so the wording can be tested (doctests below).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg import KnowledgeGraph
from kg.model import Link, Note
from kg_tui.labels import shown_title
from kg_tui.walk import Entry, group_spec


@dataclass(frozen=True)
class Details:
    """One highlighted item, described in full (nothing cut to a panel's width)."""

    title: str
    kind: str = ""  # how it is reached: "Related · mechanism", "near · score 0.62 (…)"
    colour: str = ""  # the link kind's colour, or "" for the default
    text: str = ""  # the sentence, annotation or summary; else the note's own claim
    where: str = ""  # "file.txt:12" where the link was read
    stub: bool = False


def plural(count: int, one: str, many: str | None = None) -> str:
    """`count` with the right form of the noun.

    >>> plural(1, "neighbour"), plural(3, "neighbour"), plural(1, "link that points", "links that point")
    ('1 neighbour', '3 neighbours', '1 link that points')
    """
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def where_of(link: Link) -> str:
    """`file:line` of a link, or '' when it has none.

    >>> from kg.model import LinkKind
    >>> where_of(Link("a", "b", LinkKind.RELATED, file="a.txt", line=12))
    'a.txt:12'
    """
    if not link.file:
        return ""
    return f"{link.file}:{link.line}" if link.line else link.file


def link_text(link: Link) -> str:
    """The words behind a link: a mention's sentence, a relation's annotation, a source's
    summary (whichever the link carries)."""
    parts = [p for p in (link.annotation, link.sentence, link.summary) if p]
    return "\n".join(dict.fromkeys(parts))


def note_text(note: Note) -> str:
    """What a note says of itself when the link carries no words: claim, else description."""
    return note.claim or note.description


def of_entry(entry: Entry, colour: str = "", graph: KnowledgeGraph | None = None) -> Details:
    """Details of a neighbour as the side panel lists it (the title with its folder
    where `graph` holds another note of that title, as everywhere titles show).

    >>> from kg.model import LinkKind, NoteKind
    >>> n = Note("b", "Does B hold?", NoteKind.SYNTHESIS, claim="B holds.")
    >>> lk = Link("a", "b", LinkKind.RELATED, file="a.txt", line=9, label="mechanism",
    ...           annotation="B explains A")
    >>> d = of_entry(Entry(n, lk, "out", links=2))
    >>> d.kind, d.text, d.where
    ('Related · mechanism · 2 links', 'B explains A', 'a.txt:9')
    """
    link = entry.link
    parts = [group_spec(link.kind, entry.direction).title]
    if entry.detail:
        parts.append(entry.detail)
    if entry.links > 1:
        parts.append(plural(entry.links, "link"))
    return Details(
        title=shown_title(graph, entry.note),
        kind=" · ".join(parts),
        colour=colour,
        text=link_text(link) or note_text(entry.note),
        where=where_of(link),
        stub=entry.note.stub,
    )


def of_note(
    note: Note, kind: str = "", colour: str = "", graph: KnowledgeGraph | None = None
) -> Details:
    """Details of a note on its own (a near hit, a path step): its claim and its file."""
    return Details(
        title=shown_title(graph, note),
        kind=kind,
        colour=colour,
        text=note_text(note),
        where=note.files[0] if note.files else "",
        stub=note.stub,
    )


def of_step(
    note: Note, link: Link | None, forward: bool = True, graph: KnowledgeGraph | None = None
) -> Details:
    """Details of one step of a path: the note, and the link that reached it (read
    backwards when the path walks it against its direction)."""
    if link is None:
        return of_note(note, "start of the path", graph=graph)
    kind = link.describe() + ("" if forward else " (read backwards)")
    return Details(
        title=shown_title(graph, note),
        kind=kind,
        text=link_text(link) or note_text(note),
        where=where_of(link),
        stub=note.stub,
    )
