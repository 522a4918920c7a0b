"""What may support a claim: the notes its text cites, the note's declared sources and
related concepts, and its papers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kg.model import NOT_NOTES, LinkKind, Note
from kg.query.claims import Candidate
from kg.text import fold

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


# The links whose targets a trace counts as a note's sources: only their titles, standing
# whole in a claim, make a citation (a body link to any other note does not).
SOURCE_KINDS = (LinkKind.SOURCE, LinkKind.RELATED, LinkKind.PAPER)


def cited_in(graph: KnowledgeGraph, note: Note, text: str) -> list[Note]:
    """The sources of `note` (`sources_of`) whose titles stand whole in `text`, in text
    order.

    A title inside a longer name ("Antarctic ice sheet" in "West Antarctic ice sheet") or
    a word does not count, nor does the title of a note `note` links to without declaring
    it a source when it declares sources, nor that of a stub.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.
    note : Note
        The note whose sources are looked for.
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
    linked = sources_of(graph, note)
    by_title = {fold(n.title): n for n in sorted(linked.values(), key=lambda n: n.id)}
    return [by_title[title] for _, _, title in title_spans(text, list(by_title))]


def sources_of(graph: KnowledgeGraph, note: Note) -> dict[str, Note]:
    """The notes a trace counts as `note`'s sources, by id: those it declares (source,
    related and paper links, a declared source known only by its title included); for a
    note that declares none (a plain vault note, which cites by linking), the notes with
    text it links to: never a stub (a link to a note that does not exist names no
    evidence), a category, a tag, an attachment or a hub.

    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()
    >>> list(sources_of(g, line))
    ['c']
    """
    out: dict[str, Note] = {}
    for link in graph.links_of(note, "out", kinds=list(SOURCE_KINDS)):
        out.setdefault(link.target, graph.note(link.target))
    if out:
        return out
    for link in graph.links_of(note, "out"):
        target = graph.note(link.target)
        if link.kind is not LinkKind.HUB and not target.stub and target.kind not in NOT_NOTES:
            out.setdefault(target.id, target)
    return out


def title_spans(
    text: str, titles: Sequence[str], every: bool = False
) -> list[tuple[int, int, str]]:
    """Where titles stand whole in `text`: (start, end, title) in text order, the first
    whole occurrence of each (`every`: all of them), longer titles taking their span
    first (typographic quotes and dashes folded on both sides; `fold` keeps lengths, so
    spans index `text`).

    >>> title_spans("The West Antarctic ice sheet and the Antarctic ice sheet.",
    ...             ["Antarctic ice sheet", "Glacier"])
    [(37, 56, 'Antarctic ice sheet')]
    """
    folded = fold(text)
    taken: list[tuple[int, int, str]] = []
    for title in sorted({fold(t) for t in titles if t}, key=lambda t: (-len(t), t)):
        for match in re.finditer(re.escape(title), folded):
            start, end = match.span()
            overlaps = any(start < b and a < end for a, b, _ in taken)
            if not overlaps and _whole_name(folded, start, end):
                taken.append((start, end, title))
                if not every:
                    break
    return sorted(taken)


def strip_titles(text: str, titles: Sequence[str]) -> str:
    """`text` with every whole occurrence of the titles cut out (see `title_spans`), so
    that a ranking reads what a claim says, not the names it cites.

    >>> strip_titles("In the West Antarctic ice sheet, Antarctic ice sheet melt grows.",
    ...              ["Antarctic ice sheet"])
    'In the West Antarctic ice sheet, melt grows.'
    """
    out, at = [], 0
    for start, end, _ in title_spans(text, titles, every=True):
        out.append(text[at:start])
        at = end
    out.append(text[at:])
    return re.sub(r"\s{2,}", " ", " ".join(out)).strip()


def _whole_name(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands as a name of its own: not inside a word, and not
    the tail or head of a longer capitalised name ("Antarctic ice sheet" in "West Antarctic
    ice sheet"; a capitalised word that opens a sentence does not count).

    >>> _whole_name("The West Antarctic ice sheet thins.", 9, 28)
    False
    >>> _whole_name("In Antarctic ice sheet studies, ice thins.", 3, 22)
    True
    >>> _whole_name("Subantarctic waters", 3, 12)
    False
    """
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
        return False
    if end < len(text) and (text[end].isalnum() or text[end] in "-_"):
        return False
    before = re.search(r"(\S+)\s+$", text[:start])
    if before and text[start : start + 1].isupper():
        word = before.group(1)
        opens_sentence = re.search(r"(^|[.!?:;]\s+)\S+\s+$", text[:start]) is not None
        if word[:1].isupper() and word[-1:].isalnum() and not opens_sentence:
            return False
    after = re.match(r"\s+(\S+)", text[end:])
    if after and text[end - 1 : end].isalnum():
        word = after.group(1)
        if word[:1].isupper() and text[start : start + 1].isupper():
            return False
    return True


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
