"""One-call views of a corpus a notebook starts from: a table of every note's file and
link counts (`g.metadata()`), the notes nothing links (`g.isolated()`) and the titles
linked that have no note (`g.unresolved()`).

>>> from kg.graph.knowledge import _demo
>>> g = _demo()
>>> [(row.id, row.links_out, row.backlinks, row.mentions) for row in g.metadata()]
[('a', 2, 0, 0), ('b', 1, 1, 1), ('c', 1, 1, 1)]
>>> g.unresolved()
{'Some stub': 1}
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, cast

from kg.display.results import Results
from kg.errors import check_flag
from kg.graph.columns import file_facts, frame_of
from kg.graph.figures import is_note
from kg.model import LinkKind, Note, NoteKind
from kg.text import normalize_title

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    from kg.graph.knowledge import KnowledgeGraph

# Nodes a link to or from does not make a note linked: its categories and #tags.
_LABELS = frozenset({NoteKind.CATEGORY, NoteKind.TAG})


@dataclass(frozen=True, slots=True)
class NoteMetadata:
    """One note's row of `g.metadata()`: its file and what links it has.

    `links_out` and `backlinks` count every link leaving and reaching the note, of every
    kind (`g.nx.out_degree(id)`, `in_degree(id)`); `embeds`, `mentions` and `sources`
    count its links of those kinds (`![[embeds]]`, titles met in its text, an inquiring
    line's sources); `tags` its #tags. `path` is its first file relative to the corpus,
    `size` its files' bytes, `modified` their latest modification in UTC, as on disk now
    (None for a stub).
    """

    id: str
    title: str
    kind: str
    path: str | None
    modified: dt.datetime | None
    size: int | None
    links_out: int
    backlinks: int
    tags: int
    embeds: int
    mentions: int
    sources: int


COLUMNS = tuple(f.name for f in fields(NoteMetadata))


class MetadataTable(Results[NoteMetadata]):
    """The rows of `g.metadata()`: a `kg.Results` list (printed as a table), its frame
    indexed by note id.

    >>> from kg.graph.knowledge import _demo
    >>> _demo().metadata().to_records()[0]["links_out"]
    2
    """

    def to_records(self) -> list[dict[str, Any]]:
        """Each row as a dict (keys: the fields of `NoteMetadata`, in order)."""
        return [{name: getattr(row, name) for name in COLUMNS} for row in self]

    def to_frame(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame indexed by note id (`ImportError` without
        pandas), `modified` as datetime64 in UTC."""
        return frame_of(self.to_records(), list(COLUMNS), "id", "g.metadata().to_frame()")


def note_metadata(graph: KnowledgeGraph, stubs: bool = False) -> MetadataTable:
    """See `TableMethods.metadata`."""
    check_flag("stubs", stubs)
    notes, table = graph.note_table, graph.link_table
    kinds = (LinkKind.EMBEDS.value, LinkKind.MENTIONS.value, LinkKind.SOURCE.value)
    rows = MetadataTable(item_type=NoteMetadata)
    for note_id, header in notes.headers():
        kind, stub = header[1], header[2]
        if not (is_note(kind, stub) or (stubs and stub and kind is not NoteKind.ATTACHMENT)):
            continue
        note = notes[note_id]
        path, size, modified = file_facts(graph.root, note)
        out = table.out[note_id]
        counted = Counter(table.kind(index) for index in out)
        rows.append(
            NoteMetadata(
                note_id,
                note.title,
                kind.value,
                path,
                modified,
                size,
                len(out),
                len(table.into[note_id]),
                len(note.tags),
                *(counted[name] for name in kinds),
            )
        )
    return rows


def isolated_notes(graph: KnowledgeGraph) -> list[Note]:
    """See `TableMethods.isolated`."""
    notes, table = graph.note_table, graph.link_table

    def joins(index: int, other_end: int) -> bool:
        return notes.kind(table.ends(index)[other_end]) not in _LABELS

    return [
        notes[note_id]
        for note_id, header in notes.headers()
        if is_note(header[1], header[2])
        and not any(joins(i, 1) for i in table.out[note_id])
        and not any(joins(i, 0) for i in table.into[note_id])
    ]


def unresolved_titles(graph: KnowledgeGraph) -> dict[str, int]:
    """See `TableMethods.unresolved`."""
    notes, table = graph.note_table, graph.link_table
    counts = {
        header[0]: len({table.ends(i)[0] for i in table.into[note_id]})
        for note_id, header in notes.headers()
        if header[2] and table.into[note_id]
    }
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))


class TableMethods:
    """`KnowledgeGraph`'s one-call views of the corpus: metadata, isolated, unresolved."""

    def metadata(self, stubs: bool = False) -> MetadataTable:
        """A table of every note: its file (path, modified time, size) and how many links
        it has, out and in, and of some kinds; one call, as obsidiantools'
        `get_note_metadata()`.

        Parameters
        ----------
        stubs : bool, default False
            Add a row for each stub (a title linked that has no file: no path, size or
            time, no links out).

        Returns
        -------
        MetadataTable
            A list of `NoteMetadata` (id, title, kind, path, modified, size, links_out,
            backlinks, tags, embeds, mentions, sources), one per note with a page (as
            `len(g)` counts them), in corpus order; `.to_frame()` gives a DataFrame
            indexed by id, `.to_records()` a list of dicts.

        Raises
        ------
        InvalidArgument
            When `stubs` is not True or False.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [(r.id, r.links_out, r.backlinks) for r in _demo().metadata(stubs=True)][-1]
        ('s', 0, 1)
        """
        return note_metadata(cast("KnowledgeGraph", self), stubs)

    def isolated(self) -> list[Note]:
        """The notes with no link either way: no link of any kind leaves one for, or
        comes to it from, another note, stub or attachment (its categories and #tags
        do not count).

        Returns
        -------
        list of Note
            In corpus order.

        Examples
        --------
        >>> from kg.graph.knowledge import KnowledgeGraph
        >>> from kg.model import Link, LinkKind, Note, NoteKind
        >>> notes = {i: Note(i, i.upper(), NoteKind.SYNTHESIS) for i in "abc"}
        >>> notes["t"] = Note("t", "#t", NoteKind.TAG)
        >>> g = KnowledgeGraph(notes, [Link("a", "b", LinkKind.LINKS), Link("c", "t", LinkKind.TAGGED)])
        >>> [n.id for n in g.isolated()]
        ['c']
        """
        return isolated_notes(cast("KnowledgeGraph", self))

    def unresolved(self) -> dict[str, int]:
        """The titles linked that have no note of their own (stubs, missing attachments),
        with how many notes link each, most linked first (then by title).

        Returns
        -------
        dict of str to int

        Examples
        --------
        >>> from kg.graph.knowledge import KnowledgeGraph
        >>> from kg.model import Link, LinkKind, Note, NoteKind
        >>> notes = {"a": Note("a", "A", NoteKind.SYNTHESIS), "b": Note("b", "B", NoteKind.SYNTHESIS),
        ...          "x": Note("x", "X", NoteKind.SYNTHESIS, stub=True),
        ...          "p": Note("p", "pic.png", NoteKind.ATTACHMENT, stub=True)}
        >>> links = [Link("a", "x", LinkKind.LINKS), Link("a", "x", LinkKind.MENTIONS),
        ...          Link("b", "x", LinkKind.LINKS), Link("b", "p", LinkKind.EMBEDS)]
        >>> KnowledgeGraph(notes, links).unresolved()
        {'X': 2, 'pic.png': 1}
        """
        return unresolved_titles(cast("KnowledgeGraph", self))

    def _by_file_name(self, query: str) -> Note | None:
        """The Markdown note whose file is named `query` (no folder, `.md` optional), as
        Obsidian names every note by its file: the one nearest the root (then first by
        path) when several are; a note that a `title:` renames in kg (`title: Lady`
        in `Elowen Duval.md`) is still found by its file's name.

        >>> from kg.graph.knowledge import KnowledgeGraph
        >>> notes = {"l": Note("l", "Lady", NoteKind.SYNTHESIS, files=("People/Elowen Duval.md",)),
        ...          "m": Note("m", "Lady", NoteKind.SYNTHESIS, files=("Elowen Duval.md",))}
        >>> g = KnowledgeGraph(notes, [])
        >>> g.find("elowen duval").id, g.find("Lady").id, g.find("Duval")
        ('m', 'l', None)
        """
        names = self.__dict__.get("_file_names")
        if names is None:  # worked out once, on the first name no title or alias has
            files = []
            for item in cast("KnowledgeGraph", self).note_table.notes_or_items():
                note_id, paths = (
                    (item.id, item.files)
                    if isinstance(item, Note)
                    else (item["id"], item.get("files", ()))
                )
                files += [(f.count("/"), f, note_id) for f in paths if f.lower().endswith(".md")]
            names = {}
            for _depth, path, note_id in sorted(files):
                stem = posixpath.basename(path)[:-3]
                names.setdefault(normalize_title(stem), note_id)
            self.__dict__["_file_names"] = names
        key = normalize_title(query[:-3] if query.casefold().endswith(".md") else query)
        note_id = names.get(key)
        return None if note_id is None else cast("KnowledgeGraph", self).note_table[note_id]
