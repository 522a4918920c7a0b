"""A corpus's overview: its figures and the notes to start a walk from (a browser's first
screen). Worked out once per graph; `kg.index.overview` keeps it beside the index.

>>> from kg.graph.knowledge import _demo
>>> [(heading, [n.id for n in notes]) for heading, notes in starting_points(_demo())]
[('Most connected notes', ['a', 'b', 'c']), ('Topic hubs', []), ('Inquiring lines', ['c']), ('Newest notes', [])]
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.graph.figures import CorpusStats
from kg.model import NOT_NOTES, Note, NoteKind

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

Lists = tuple[tuple[str, tuple[Note, ...]], ...]
NEWEST = 6  # how many of the newest notes are listed
NEWEST_HEADING = "Newest notes"

# Each graph's lists, worked out once (a graph's notes and links never change: an edit
# gives a new graph). Weak: a graph dropped after an edit takes its lists with it.
_LISTS: weakref.WeakKeyDictionary[KnowledgeGraph, Lists] = weakref.WeakKeyDictionary()
_LISTS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Overview:
    """What a first screen shows of a corpus: its figures and the notes to start from.

    Attributes
    ----------
    stats : CorpusStats
        The corpus's figures (`KnowledgeGraph.corpus_stats`).
    lists : tuple of (heading, notes)
        The most connected notes, topic hubs, inquiring lines and the newest notes.
    signature : str
        The corpus files it was worked out from (`KnowledgeGraph.index_signature`; ''
        for a graph not read from files by `kg.load`).
    """

    stats: CorpusStats
    lists: Lists
    signature: str = ""


def starting_points(graph: KnowledgeGraph, newest: tuple[Note, ...] | None = None) -> Lists:
    """Notes to start a walk from: the most connected, hubs, lines, the newest.

    Chosen from the titles, kinds and dates the index gives without decoding a note (the
    links are only counted); only the notes shown are read, so 40,000 notes cost a
    fraction of a second. Worked out once per graph. `newest`, when known (after an edit,
    from the list before it), spares reading every note's date.

    >>> from kg.graph.knowledge import _demo
    >>> g = _demo()
    >>> starting_points(g) is starting_points(g)  # worked out once
    True
    """
    with _LISTS_LOCK:
        found = _LISTS.get(graph)
    if found is None:
        found = _work_out(graph, newest)
        with _LISTS_LOCK:
            _LISTS[graph] = found
    return found


def _work_out(graph: KnowledgeGraph, newest: tuple[Note, ...] | None) -> Lists:
    degree = graph.degrees()
    table = graph.note_table
    notes = {
        note_id: (title, kind)
        for note_id, (title, kind, stub, _cut, _aliases) in table.headers()
        if not stub and kind not in NOT_NOTES
    }

    def top(kind: NoteKind | None, n: int) -> tuple[Note, ...]:
        chosen = [i for i, (_, k) in notes.items() if kind is None or k is kind]
        chosen.sort(key=lambda i: (-degree.get(i, 0), notes[i][0]))
        return tuple(table[i] for i in chosen[:n])

    if newest is None:
        dates = dict(table.date_list())
        # Newest first; equal dates in the corpus's order, as the notes come.
        dated = sorted((i for i in notes if dates.get(i)), key=lambda i: dates[i], reverse=True)
        newest = tuple(table[i] for i in dated[:NEWEST])
    return (
        ("Most connected notes", top(None, 8)),
        ("Topic hubs", top(NoteKind.HUB, 6)),
        ("Inquiring lines", top(NoteKind.LINE, 6)),
        (NEWEST_HEADING, newest),
    )


def newest_after_edit(
    before: tuple[Note, ...], graph: KnowledgeGraph, changed: tuple[str, ...]
) -> tuple[Note, ...] | None:
    """The newest notes of `graph`, an edit (`changed`: the notes made again, added or
    removed) after a graph whose newest notes were `before`, without reading every note's
    date: the same notes when none of them changed and no changed note is as new as the
    last of them; else None (read them all).

    >>> from kg.graph.knowledge import KnowledgeGraph
    >>> old = [Note(str(i), f"N{i}", NoteKind.SYNTHESIS, date=f"2026-01-0{i}") for i in range(1, 8)]
    >>> g = KnowledgeGraph({n.id: n for n in old}, [])
    >>> before = starting_points(g)[3][1]
    >>> [n.id for n in newest_after_edit(before, g, ("1",))]  # an old note edited
    ['7', '6', '5', '4', '3', '2']
    >>> newest_after_edit(before, g, ("7",)) is None  # one of the newest: read them all
    True
    """
    if len(before) < NEWEST:
        return None  # every dated note was listed: a new one may belong
    edited = set(changed)
    found = tuple(graph.find(n.id) for n in before)
    if any(
        n is None or n.id in edited or n.date != b.date for n, b in zip(found, before, strict=True)
    ):
        return None
    last = before[-1].date
    for note_id in edited:
        note = graph.find(note_id)
        if note is not None and not note.stub and note.kind not in NOT_NOTES and note.date >= last:
            return None  # as new as the listed ones: where it goes depends on every date
    return tuple(n for n in found if n is not None)


def remember_lists(graph: KnowledgeGraph, lists: Lists) -> None:
    """Take `lists` as the graph's own (kept lists of the same files, their notes the
    graph's), so they are not worked out again."""
    with _LISTS_LOCK:
        _LISTS.setdefault(graph, lists)
