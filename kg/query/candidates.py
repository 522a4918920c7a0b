"""What may support a claim: the notes its text cites, the note's declared sources and
related concepts, and its papers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.model import LinkKind, Note
from kg.query.claims import Candidate
from kg.text import fold

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


def cited_in(graph: KnowledgeGraph, note: Note, text: str) -> list[Note]:
    """The notes whose titles stand in `text`, among those `note` links to, in text order.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : Note
        The note whose links are looked at.
    text : str
        The text (a claim of `note`).

    Returns
    -------
    list of Note

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> [n.id for n in cited_in(g, line, line.body[0].text)]
    ['c']
    """
    folded = fold(text)
    found: list[tuple[int, Note]] = []
    seen: set[str] = set()
    for link in graph.links_of(note, "out"):
        if link.target in seen or link.kind in (LinkKind.CATEGORY, LinkKind.TAGGED):
            continue
        other = graph.note(link.target)
        position = folded.find(fold(other.title))
        if position >= 0:
            seen.add(other.id)
            found.append((position, other))
    return [n for _, n in sorted(found, key=lambda item: item[0])]


def declared_sources(graph: KnowledgeGraph, note: Note) -> list[Candidate]:
    """A note's declared sources: an inquiring line's source list, a note's related concepts.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : Note
        The note.

    Returns
    -------
    list of Candidate
        One per target note, in link order.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()  # a line citing one note, as source and in its body
    >>> [(c.kind, c.note.id, c.text, c.summary_of) for c in declared_sources(g, line)]
    [('source', 'c', 'errors cancel', ('l', 0))]
    """
    out: list[Candidate] = []
    seen: set[str] = set()
    for link in graph.links_of(note, "out", kinds=[LinkKind.SOURCE, LinkKind.RELATED]):
        if link.target in seen:
            continue
        seen.add(link.target)
        other = graph.note(link.target)
        if link.kind is LinkKind.SOURCE:
            position = (link.order or 1) - 1
            summary_of = (note.id, position) if link.summary else None
            text = link.summary or best_text(other)
            out.append(Candidate(other, text, "source", link, summary_of))
        else:
            text = " ".join(t for t in (link.annotation, other.description) if t) or best_text(
                other
            )
            out.append(Candidate(other, text, "related", link))
    return out


def papers_of(graph: KnowledgeGraph, note: Note) -> list[Candidate]:
    """The papers a note lists, in their order, each quoted by its description (or title).

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : Note
        The note.

    Returns
    -------
    list of Candidate
    """
    return [
        Candidate(
            graph.note(link.target),
            graph.note(link.target).description or graph.note(link.target).title,
            "paper",
            link,
        )
        for link in sorted(
            graph.links_of(note, "out", kinds=LinkKind.PAPER), key=lambda lk: lk.order or 0
        )
    ]


def best_text(note: Note) -> str:
    """The text a note is quoted by when nothing better is known: its claim, description or title."""
    return note.claim or note.description or note.title
