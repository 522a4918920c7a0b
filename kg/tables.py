"""The graph's storage in memory: notes and links, decoded only when first asked for.

A freshly built graph holds `Note` and `Link` objects already; a graph reopened from
the index holds cheap rows and turns each into an object on first use, so opening a
10,000-note corpus does not pay for decoding every body and every link up front.

>>> from kg.model import Link, LinkKind, LinkRow, Note, NoteKind
>>> notes = NoteTable.from_notes({"a": Note(id="a", title="Why A?", kind=NoteKind.SYNTHESIS)})
>>> notes.title("a"), notes["a"].kind.value
('Why A?', 'synthesis')
>>> links = LinkTable([Link("a", "a2", LinkKind.MENTIONS)], ["a", "a2"])
>>> [links.get(i).target for i in links.out["a"]], links.kind_counts()
(['a2'], {'mentions': 1})
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from kg.model import Link, LinkKind, LinkRow, Note, NoteKind

# (title, kind, stub, truncated, aliases): what every note keeps decoded at all times.
Header = tuple[str, NoteKind, bool, bool, tuple[str, ...]]
_KINDS = {kind.value: kind for kind in LinkKind}


class NoteTable(Mapping[str, Note]):
    """Notes by id; full `Note` objects are decoded on first access and cached."""

    def __init__(self, headers: dict[str, Header], decode: Callable[[str], Note]) -> None:
        self._headers = headers
        self._decode = decode
        self._cache: dict[str, Note] = {}

    @classmethod
    def from_notes(cls, notes: Mapping[str, Note]) -> NoteTable:
        table = cls(
            {n.id: (n.title, n.kind, n.stub, n.truncated, n.aliases) for n in notes.values()},
            notes.__getitem__,
        )
        table._cache = dict(notes)
        return table

    def __getitem__(self, note_id: str) -> Note:
        note = self._cache.get(note_id)
        if note is None:
            if note_id not in self._headers:
                raise KeyError(note_id)
            note = self._cache[note_id] = self._decode(note_id)
        return note

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __contains__(self, note_id: object) -> bool:
        return note_id in self._headers

    def title(self, note_id: str) -> str:
        return self._headers[note_id][0]

    def kind(self, note_id: str) -> NoteKind:
        return self._headers[note_id][1]

    def is_stub(self, note_id: str) -> bool:
        return self._headers[note_id][2]

    def headers(self) -> Iterable[tuple[str, Header]]:
        return self._headers.items()


# Fetches the rest of the fields of some links (file, line, order, ...) by row number;
# None asks for every link.
Details = Callable[[Sequence[int] | None], dict[int, tuple[Any, ...]]]


class LinkTable:
    """Links in insertion order with per-note adjacency (row numbers), decoded on demand.

    A row is a `Link`, a tuple in `Link` field order with the kind as a string, or just
    (source, target, kind) when `details` can fetch the other fields later, in batches.
    """

    def __init__(
        self,
        rows: Sequence[Link | Sequence[Any]],
        note_ids: Iterable[str],
        details: Details | None = None,
    ) -> None:
        self._rows: list[Any] = list(rows)
        self._details = details
        self.out: dict[str, list[int]] = {note_id: [] for note_id in note_ids}
        self.into: dict[str, list[int]] = {note_id: [] for note_id in self.out}
        out, into = self.out, self.into
        for index, row in enumerate(self._rows):
            if isinstance(row, Link):
                out[row.source].append(index)
                into[row.target].append(index)
            else:
                out[row[0]].append(index)
                into[row[1]].append(index)
        self._all: list[Link] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def ends(self, index: int) -> tuple[str, str]:
        """A link's (source, target) without decoding the rest of it."""
        row = self._rows[index]
        return (row.source, row.target) if isinstance(row, Link) else (row[0], row[1])

    def prefetch(self, indices: Sequence[int] | None) -> None:
        """Decode these links (all of them for None) with one fetch of their details."""
        if self._details is None:
            return
        wanted = range(len(self._rows)) if indices is None else indices
        missing = [i for i in wanted if not isinstance(self._rows[i], Link)]
        if not missing:
            return
        fetched = self._details(None if indices is None else missing)
        for i in missing:
            row = self._rows[i]
            self._rows[i] = Link(row[0], row[1], _KINDS[row[2]], *fetched[i])

    def get(self, index: int) -> Link:
        row = self._rows[index]
        if not isinstance(row, Link):
            if len(row) == 3 and self._details is not None:
                self.prefetch([index])
                return self._rows[index]
            row = self._rows[index] = Link(row[0], row[1], _KINDS[row[2]], *row[3:])
        return row

    def all(self) -> list[Link]:
        if self._all is None:
            self.prefetch(None)
            self._all = [self.get(i) for i in range(len(self._rows))]
        return self._all

    def rows(self) -> Iterator[LinkRow]:
        """Every link as a `LinkRow`, in order, without building `Link` objects for them."""
        self.prefetch(None)
        for row in self._rows:
            yield row.to_row() if isinstance(row, Link) else tuple(row)

    def kind_counts(self) -> dict[str, int]:
        counts = Counter(row.kind.value if isinstance(row, Link) else row[2] for row in self._rows)
        return dict(sorted(counts.items()))
