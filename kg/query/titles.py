"""Titles that contain what a person typed: the ranking both title completion (the
browser's list as you type) and `kg.query.search` put first, so the two agree.

A title matches when, after `kg.text.normalize_title`, it is the query (class 0; whatever
mark ends either), starts with it (1), has every query word at the start of one of its
words (2), holds the query whole (3), or holds every query word somewhere (4). Notes with
text come before stubs (titles known only from links), as in search; within each, matches
are ordered by class, then shorter titles first, then alphabetically.

>>> from kg.model import Note, NoteKind
>>> notes = [Note(id=str(i), title=t, kind=NoteKind.SYNTHESIS) for i, t in enumerate(
...     ["Do base models already contain hidden reasoning ability?",
...      "Why is hidden state reasoning hard?", "Can models reason?"])]
>>> index = TitleIndex(notes)
>>> [n.title for n in index.match("hidden reas")]
['Why is hidden state reasoning hard?', 'Do base models already contain hidden reasoning ability?']
>>> [n.title for n in index.match("can")]
['Can models reason?']
>>> older = Note(id="o", title="Does X hold?", kind=NoteKind.SYNTHESIS, aliases=("Is X so?",))
>>> [n.title for n in TitleIndex([older]).match("is x")]
['Does X hold?']
"""

from __future__ import annotations

import bisect
import re
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kg.model import NOT_NOTES, Note
from kg.text import normalize_title

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

_WORD = re.compile(r"[\w']+")
_END = " ?!."  # a title is the query itself whatever mark ends either


class TitleIndex:
    """Titles matched as a person types (see the module for the order).

    Fast enough to run on every key press over 10,000 titles: prefixes come from a sorted
    list, other matches from one C-level scan of all titles joined, never a Python loop
    over every title.

    Parameters
    ----------
    notes : iterable of Note
        The notes whose titles (and aliases: an older deployment's titles) are matched;
        categories, tags and attachments are left out.
    """

    def __init__(self, notes: Iterable[Note]) -> None:
        given = {n.id: n for n in notes}
        rows = (
            (note.id, note.title, note.kind, note.stub, note.aliases) for note in given.values()
        )
        self._build(rows, given.__getitem__)

    @classmethod
    def of_graph(cls, graph: KnowledgeGraph) -> TitleIndex:
        """The index of a graph's titles, read from the notes' headers: no note is read
        until it is found (reading 10,000 notes costs a first search most of a second)."""
        index = cls.__new__(cls)
        table = graph.note_table
        rows = ((i, h[0], h[1], h[2], h[4]) for i, h in table.headers())
        index._build(rows, table.__getitem__)
        return index

    def _build(
        self, notes: Iterable[tuple[str, str, Any, bool, tuple[str, ...]]], read: Any
    ) -> None:
        self._read = read  # note id -> Note
        self._rows: list[tuple[str, str, bool]] = [  # (title key, note id, stub)
            (normalize_title(title), note_id, stub)
            for note_id, main, kind, stub, aliases in notes
            if kind not in NOT_NOTES
            for title in (main, *aliases)
        ]
        self._sorted = sorted(range(len(self._rows)), key=lambda i: self._rows[i][0])
        self._sorted_keys = [self._rows[i][0] for i in self._sorted]
        self._blob = "\n".join(title for title, _, _ in self._rows)
        self._starts: list[int] = []
        at = 0
        for title, _, _ in self._rows:
            self._starts.append(at)
            at += len(title) + 1

    def match(self, query: str, limit: int = 12) -> list[Note]:
        """The notes whose titles contain `query`, best first, at most `limit`.

        Parameters
        ----------
        query : str
            What was typed.
        limit : int, default 12
            How many notes at most.

        Returns
        -------
        list of Note
        """
        return [note for note, _ in self.ranked(query, limit)]

    def ranked(self, query: str, limit: int = 12) -> list[tuple[Note, int]]:
        """Like `match`, each note with its class (0 the title itself ... 4 its words
        anywhere)."""
        key = normalize_title(query)
        if not key or limit <= 0:
            return []
        words = _WORD.findall(key) or [key]
        bare = key.rstrip(_END) or key
        prefixed: list[tuple[int, int]] = []
        at = bisect.bisect_left(self._sorted_keys, bare)
        while at < len(self._sorted_keys) and self._sorted_keys[at].startswith(bare):
            exact = self._sorted_keys[at].rstrip(_END) == bare
            prefixed.append((0 if exact else 1, self._sorted[at]))
            at += 1
        with_text = {self._rows[i][1] for _, i in prefixed if not self._rows[i][2]}
        if len(with_text) >= limit:  # no other match can come before these
            return self._ranked(prefixed, limit)
        longest = max(words, key=len)
        found: set[int] = set()
        for hit in re.finditer(re.escape(longest), self._blob):
            found.add(bisect.bisect_right(self._starts, hit.start()) - 1)
        ranked = list(prefixed)
        for i in found.difference(row for _, row in prefixed):
            title = self._rows[i][0]
            if not all(w in title for w in words):
                continue
            title_words = _WORD.findall(title)
            if all(any(tw.startswith(w) for tw in title_words) for w in words):
                ranked.append((2, i))
            else:
                ranked.append((3 if key in title else 4, i))
        return self._ranked(ranked, limit)

    def _ranked(self, ranked: list[tuple[int, int]], limit: int) -> list[tuple[Note, int]]:
        def order(item: tuple[int, int]) -> tuple[int, int, int, str]:
            title, _, stub = self._rows[item[1]]
            return (int(stub), item[0], len(title), title)

        found: dict[str, int] = {}  # one row per note, whichever title matched
        for level, i in sorted(ranked, key=order):
            found.setdefault(self._rows[i][1], level)
            if len(found) == limit:
                break
        return [(self._read(note_id), level) for note_id, level in found.items()]


_TITLES: weakref.WeakKeyDictionary[Any, TitleIndex] = weakref.WeakKeyDictionary()


def title_index(graph: KnowledgeGraph) -> TitleIndex:
    """The graph's `TitleIndex`, built on first use and kept while the graph lives."""
    index = _TITLES.get(graph)
    if index is None:
        index = _TITLES[graph] = TitleIndex.of_graph(graph)
    return index
