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

from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter, itemgetter
from typing import Any

from kg.model import Link, LinkKind, LinkRow, Note, NoteKind

# (title, kind, stub, truncated, aliases): what every note keeps decoded at all times.
Header = tuple[str, NoteKind, bool, bool, tuple[str, ...]]
_KINDS = {kind.value: kind for kind in LinkKind}
_OF_LINK = (attrgetter("source"), attrgetter("target"), attrgetter("kind"))
_OF_ROW = (itemgetter(0), itemgetter(1), itemgetter(2))


def _fields_of(rows: Sequence[Any]) -> tuple[Callable[[Any], Any], ...] | None:
    """Getters of (source, target, kind) when every row is a `Link`, or every row a
    `LinkRow` tuple (as a build gives them); None for a mix, or rows not read yet."""
    if all(type(row) is tuple for row in rows):
        return _OF_ROW
    if all(type(row) is Link for row in rows):
        return _OF_LINK
    return None


class NoteTable(Mapping[str, Note]):
    """Notes by id; full `Note` objects are decoded on first access and cached.

    `headers` is every note's header by id, or a reader of them (a graph reopened from
    the index reads them only when a title, kind or stub flag is first asked for); then
    `ids` gives the ids, in the order the headers will have.

    >>> table = NoteTable(lambda: {"a": ("A", NoteKind.TAG, False, False, ())}, {}.get, ids=["a"])
    >>> "a" in table, list(table), "_headers" in vars(table), table.title("a")
    (True, ['a'], False, 'A')
    """

    def __init__(
        self,
        headers: dict[str, Header] | Callable[[], dict[str, Header]],
        decode: Callable[[str], Note],
        ids: Collection[str] | None = None,
    ) -> None:
        if callable(headers):
            if ids is None:
                raise TypeError("a reader of the headers needs the ids")
            self._read_headers: Callable[[], dict[str, Header]] | None = headers
            self._ids: Collection[str] = ids
        else:
            self._read_headers = None
            self._headers = headers
            self._ids = headers
        self._decode = decode
        self._cache: dict[str, Note] = {}
        # Every tagged note's tags in one pass, without decoding notes (the index sets it).
        self.read_tags: Callable[[], dict[str, tuple[str, ...]]] | None = None
        # Every dated note's date (ISO text) in one pass, likewise.
        self.read_dates: Callable[[], dict[str, str]] | None = None
        # Every note's JSON without its body (`kg.codec.note_to_json`), by id, likewise;
        # every note's (description, claim) by id, likewise.
        self.read_items: Callable[[], Iterable[tuple[str, dict[str, Any]]]] | None = None
        self.read_texts: Callable[[], dict[str, tuple[Any, Any]]] | None = None

    @cached_property
    def _headers(self) -> dict[str, Header]:
        """Every note's header, read when first asked for (then an attribute as any)."""
        read = self._read_headers
        assert read is not None  # else set in __init__
        headers = read()
        if len(headers) != len(self._ids):
            raise ValueError("the saved notes changed under the open index")
        self._read_headers = None
        return headers

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
            if note_id not in self._ids:
                raise KeyError(note_id)
            note = self._cache[note_id] = self._decode(note_id)
        return note

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, note_id: object) -> bool:
        return note_id in self._ids

    def title(self, note_id: str) -> str:
        return self._headers[note_id][0]

    def kind(self, note_id: str) -> NoteKind:
        return self._headers[note_id][1]

    def is_stub(self, note_id: str) -> bool:
        return self._headers[note_id][2]

    def headers(self) -> Iterable[tuple[str, Header]]:
        return self._headers.items()

    def notes_or_items(self) -> Iterator[Note | dict[str, Any]]:
        """Every note, in order, for bulk work that reads no body (the networkx
        attributes): those decoded already as they are, the others, where the index can
        give them, as their JSON without the body (`kg.codec.note_to_json`), read in one
        pass and not decoded (10,000 notes decoded one by one cost a `to_networkx()` a
        second).

        >>> table = NoteTable.from_notes({"a": Note("a", "A", NoteKind.SYNTHESIS)})
        >>> [n.title for n in table.notes_or_items()]
        ['A']
        """
        if self.read_items is None or len(self._cache) == len(self._ids):
            return iter(self.values())
        found: dict[str, Note | dict[str, Any]] = dict(self.read_items())
        found.update(self._cache)  # decoded: as they are
        return map(found.__getitem__, self._ids)

    def tag_lists(self) -> list[tuple[str, tuple[str, ...]]]:
        """(id, tags) of every note with tags, in one pass where the index can give them
        (decoding 10,000 notes for their tags costs an edit's `kg index` half a second)."""
        if self.read_tags is None or len(self._cache) == len(self._ids):
            return [(n.id, n.tags) for n in self.values() if n.tags]
        found = self.read_tags()
        found.update((i, n.tags) for i, n in self._cache.items())  # decoded: as they are
        return [(i, tags) for i, tags in found.items() if tags and i in self._ids]

    def date_list(self) -> list[tuple[str, str]]:
        """(id, date) of every note with a date, in one pass where the index can give them
        (the browser's overview wants the newest notes of 40,000 without decoding them).

        >>> table = NoteTable.from_notes({"a": Note("a", "A", NoteKind.SYNTHESIS, date="2026-01-02")})
        >>> table.date_list()
        [('a', '2026-01-02')]
        """
        if self.read_dates is None or len(self._cache) == len(self._ids):
            return [(n.id, n.date) for n in self.values() if n.date]
        found = self.read_dates()
        found.update((i, n.date) for i, n in self._cache.items())  # decoded: as they are
        return [(i, date) for i, date in found.items() if date and i in self._ids]


# Fetches the rest of the fields of some links (file, line, order, ...) by row number;
# None asks for every link.
Details = Callable[[Sequence[int] | None], dict[int, tuple[Any, ...]]]


@dataclass(frozen=True, slots=True)
class FieldRows:
    """Every link's fields but its ends and kind as the index keeps them
    (`LinkTable.read_fields`): each link's row (`rowids`, in link order); file by file, in
    row order, the first row, the file, and its links' lines, orders, summaries,
    sentences, labels, annotations, relations and sections, column by column (`files`);
    every text among them, the files' names too, as one text in UTF-8 (`texts`; None
    when some field that should be a text is not, or cannot be encoded) and how many of
    the US characters in it stand between texts rather than in one (`separators`)."""

    rowids: Sequence[int]
    files: list[tuple[int, str, list[list[Any]]]]
    texts: bytes | None
    separators: int


class LinkTable:
    """Links in insertion order with per-note adjacency (row numbers), decoded on demand.

    A row is a `Link`, or a tuple in `Link` field order with the kind as a string. A table
    reopened from the index (`from_columns`) starts with no rows at all: each link's ends
    and kind come from integer columns, the rest of its fields from `details`, in batches,
    the first time it is asked for.
    """

    def __init__(
        self,
        rows: Sequence[Link | Sequence[Any]],
        note_ids: Iterable[str],
        details: Details | None = None,
    ) -> None:
        self._rows: list[Any] = list(rows)
        self._details = details
        self._columns: _Columns | None = None
        out: dict[str, list[int]] = {note_id: [] for note_id in note_ids}
        into: dict[str, list[int]] = {note_id: [] for note_id in out}
        # Each note's outgoing and incoming link numbers.
        self.out: Mapping[str, list[int]] = out
        self.into: Mapping[str, list[int]] = into
        for index, row in enumerate(self._rows):
            if isinstance(row, Link):
                out[row.source].append(index)
                into[row.target].append(index)
            else:
                out[row[0]].append(index)
                into[row[1]].append(index)
        self._all: list[Link] | None = None
        # Every link's other fields in one pass, file by file, where the index can give them.
        self.read_fields: Callable[[], FieldRows] | None = None

    @classmethod
    def from_columns(
        cls, columns: LinkColumns, details: Details, position: dict[str, int] | None = None
    ) -> LinkTable:
        """A table over saved columns (see `columns`); raises ValueError when they do not
        fit together, so a damaged index is never used. `position` (note id -> its place
        in `columns.note_ids`) is made here unless given."""
        ids, kinds = columns.note_ids, columns.kind_names
        count = len(columns.sources)
        if (
            len(columns.targets) != count
            or len(columns.kinds) != count
            or len(columns.out_offsets) != len(ids) + 1
            or len(columns.into_offsets) != len(ids) + 1
            or len(columns.out_links) != count
            or len(columns.into_links) != count
            or (count and max(_largest(columns.sources), _largest(columns.targets)) >= len(ids))
            or (count and _largest(columns.kinds) >= len(kinds))
            or any(kind not in _KINDS for kind in kinds)
            or not _packed(columns.out_offsets, count)
            or not _packed(columns.into_offsets, count)
        ):
            raise ValueError("the saved link columns do not fit together")
        table = cls.__new__(cls)
        table._rows = [None] * count
        table._details = details
        table._columns = _Columns(ids, columns.sources, columns.targets, columns.kinds, kinds)
        if position is None:
            position = dict(zip(ids, range(len(ids)), strict=True))
        elif len(position) != len(ids):
            raise ValueError("the note positions do not fit the link columns")
        table.out = _Adjacency(position, columns.out_offsets, columns.out_links)
        table.into = _Adjacency(position, columns.into_offsets, columns.into_links)
        table._all = None
        table.read_fields = None
        return table

    def columns(self, note_ids: Sequence[str]) -> LinkColumns:
        """Every link's ends and kind as integer columns, and the adjacency lists in the
        order of `note_ids`: what `from_columns` reopens without a Python loop per link."""
        position = {note_id: i for i, note_id in enumerate(note_ids)}
        kind_names = sorted(_KINDS)
        kind_number = {name: i for i, name in enumerate(kind_names)}
        rows = self._rows
        fields = _fields_of(rows)
        if fields is not None:  # built: one pass each, in C
            number = position.__getitem__
            sources = array("I", map(number, map(fields[0], rows)))
            targets = array("I", map(number, map(fields[1], rows)))
            kinds = array("I", map(kind_number.__getitem__, map(fields[2], rows)))
        else:
            ends, kind = self.ends, self.kind
            pairs = [ends(index) for index in range(len(rows))]
            sources = array("I", [position[source] for source, _ in pairs])
            targets = array("I", [position[target] for _, target in pairs])
            kinds = array("I", [kind_number[kind(index)] for index in range(len(rows))])
        out_offsets, out_links = _pack(note_ids, self.out)
        into_offsets, into_links = _pack(note_ids, self.into)
        return LinkColumns(
            list(note_ids),
            kind_names,
            sources,
            targets,
            kinds,
            out_offsets,
            out_links,
            into_offsets,
            into_links,
        )

    def __len__(self) -> int:
        return len(self._rows)

    def ends(self, index: int) -> tuple[str, str]:
        """A link's (source, target) without decoding the rest of it."""
        row = self._rows[index]
        if row is None:
            columns = self._columns
            assert columns is not None
            return columns.ids[columns.sources[index]], columns.ids[columns.targets[index]]
        return (row.source, row.target) if isinstance(row, Link) else (row[0], row[1])

    def kind(self, index: int) -> str:
        """A link's kind, as its string value, without decoding the rest of it."""
        row = self._rows[index]
        if row is None:
            columns = self._columns
            assert columns is not None
            return columns.kind_names[columns.kinds[index]]
        return row.kind.value if isinstance(row, Link) else row[2]

    def end_lists(self) -> tuple[list[str], list[str]]:
        """Every link's source and target, in link order, without decoding a link.

        >>> LinkTable([Link("a", "b", LinkKind.MENTIONS)], ["a", "b"]).end_lists()
        (['a'], ['b'])
        """
        columns, rows = self._columns, self._rows
        if columns is not None:
            ids = columns.ids
            return list(map(ids.__getitem__, columns.sources)), list(
                map(ids.__getitem__, columns.targets)
            )
        fields = _fields_of(rows)
        if fields is not None:
            return list(map(fields[0], rows)), list(map(fields[1], rows))
        pairs = [self.ends(index) for index in range(len(rows))]
        return [source for source, _ in pairs], [target for _, target in pairs]

    def kind_list(self) -> list[str]:
        """Every link's kind (its value), in link order, without decoding a link.

        >>> LinkTable([Link("a", "b", LinkKind.MENTIONS)], ["a", "b"]).kind_list()
        ['mentions']
        """
        columns, rows = self._columns, self._rows
        if columns is not None:
            return list(map(columns.kind_names.__getitem__, columns.kinds))
        return [self.kind(index) for index in range(len(rows))]

    def number_columns(self) -> tuple[list[str], Any, Any, list[str], Any]:
        """(note ids, sources, targets, kind names, kinds), the links' ends and kinds as
        numpy arrays of places in link order (a reopened graph's: no step per link).

        >>> LinkTable([Link("a", "b", LinkKind.MENTIONS)], ["a", "b"]).number_columns()[1:3]
        (array([0]), array([1]))
        """
        import numpy as np

        if (c := self._columns) is None:  # built: the columns `columns` saves
            made = self.columns(list(self.out))
            c = _Columns(made.note_ids, made.sources, made.targets, made.kinds, made.kind_names)
        ends = [np.asarray(x, dtype=np.int64) for x in (c.sources, c.targets, c.kinds)]
        return c.ids, ends[0], ends[1], c.kind_names, ends[2]

    def prefetch(self, indices: Sequence[int] | None) -> None:
        """Decode these links (all of them for None) with one fetch of their details."""
        if self._details is None:
            return
        rows = self._rows
        wanted = range(len(rows)) if indices is None else indices
        missing = [i for i in wanted if not isinstance(rows[i], Link)]
        if not missing:
            return
        fetched = self._details(None if indices is None else missing)
        for i in missing:
            source, target = self.ends(i)
            rows[i] = Link(source, target, _KINDS[self.kind(i)], *fetched[i])

    def get(self, index: int) -> Link:
        row = self._rows[index]
        if not isinstance(row, Link):
            if self._details is not None:
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
            yield (
                row if type(row) is tuple else row.to_row() if isinstance(row, Link) else tuple(row)
            )

    def kind_counts(self) -> dict[str, int]:
        if self._columns is not None:
            import numpy as np

            names = self._columns.kind_names
            numbers = np.bincount(np.asarray(self._columns.kinds), minlength=len(names))
            counts = Counter({names[k]: int(n) for k, n in enumerate(numbers.tolist()) if n})
        else:
            counts = Counter(
                row.kind.value if isinstance(row, Link) else row[2] for row in self._rows
            )
        return dict(sorted(counts.items()))


def _largest(numbers: Sequence[int]) -> int:
    """The largest of many numbers (saved link columns: 200,000 at 10,000 pages), at once."""
    import numpy as np

    return int(np.asarray(numbers).max())


@dataclass(frozen=True)
class LinkColumns:
    """The links of a graph as integer columns: note and kind numbers for each link, and
    each note's outgoing and incoming link numbers, packed (offsets into one array)."""

    note_ids: list[str]
    kind_names: list[str]
    sources: Sequence[int]
    targets: Sequence[int]
    kinds: Sequence[int]
    out_offsets: Sequence[int]
    out_links: Sequence[int]
    into_offsets: Sequence[int]
    into_links: Sequence[int]


@dataclass(frozen=True, slots=True)
class _Columns:
    ids: list[str]
    sources: Sequence[int]
    targets: Sequence[int]
    kinds: Sequence[int]
    kind_names: list[str]


def _packed(offsets: Sequence[int], count: int) -> bool:
    """True when `offsets` start at 0, never go down, and end at `count` (checked at once:
    a reopened graph of 100,000 notes has two of 100,000 each).

    >>> _packed(array("I", [0, 2, 2, 5]), 5), _packed([0, 3, 2, 5], 5), _packed([], 0)
    (True, False, False)
    """
    import numpy as np

    if not len(offsets) or offsets[0] != 0 or offsets[-1] != count:
        return False
    values = np.asarray(offsets)
    return bool(np.all(values[1:] >= values[:-1]))


def _pack(note_ids: Sequence[str], lists: Mapping[str, list[int]]) -> tuple[array, array]:
    offsets, flat = array("I", [0]), array("I")
    for note_id in note_ids:
        flat.extend(lists[note_id])
        offsets.append(len(flat))
    return offsets, flat


class _Adjacency(Mapping[str, list[int]]):
    """Each note's link numbers, kept packed (offsets into one array of 4-byte numbers) and
    given as a list when asked for: a reopened graph of 2 million links holds 16 MB here
    instead of 150 MB of Python lists, and opens without building them.

    >>> adjacency = _Adjacency({"a": 0, "b": 1}, array("I", [0, 2, 2]), array("I", [4, 7]))
    >>> adjacency["a"], adjacency["b"], list(adjacency)
    ([4, 7], [], ['a', 'b'])
    """

    __slots__ = ("_flat", "_offsets", "_position")

    def __init__(
        self, position: dict[str, int], offsets: Sequence[int], flat: Sequence[int]
    ) -> None:
        self._position = position
        self._offsets = offsets if isinstance(offsets, array) else array("I", offsets)
        self._flat = flat if isinstance(flat, array) else array("I", flat)

    def __getitem__(self, note_id: str) -> list[int]:
        i = self._position[note_id]
        return self._flat[self._offsets[i] : self._offsets[i + 1]].tolist()

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, note_id: object) -> bool:
        return note_id in self._position
