"""How a note is named on screen: its kind in words, and its folder where titles repeat.

Every list, header, breadcrumb and dialog that prints a note's title asks `shown_title`,
so two notes called "Ideas" in two folders read "Ideas — Projects/" and
"Ideas — Archive/2025/" everywhere alike, as Obsidian shows the path where names repeat.

>>> from kg.model import Note, NoteKind
>>> a = Note("a", "Ideas", NoteKind.SYNTHESIS, files=("Projects/Ideas.md",))
>>> kind_word(a), folder_of(a), with_folder(a)
('synthesis', 'Projects/', 'Ideas — Projects/')
"""

from __future__ import annotations

import posixpath
from collections import Counter
from weakref import WeakKeyDictionary

from kg import KnowledgeGraph
from kg.model import NOT_NOTES, Note, NoteKind

SEPARATOR = " — "

# The kinds of the notes site in words, as the header over a note prints them.
KIND_LABELS = {
    NoteKind.SYNTHESIS: "SYNTHESIS NOTE",
    NoteKind.LINE: "INQUIRING LINE",
    NoteKind.TOPIC: "TOPIC",
    NoteKind.HUB: "TOPIC HUB",
    NoteKind.PAPER: "PAPER",
    NoteKind.CATEGORY: "CATEGORY",
    NoteKind.ATTACHMENT: "ATTACHMENT",
    NoteKind.TAG: "TAG",
}

_REPEATED: WeakKeyDictionary[KnowledgeGraph, frozenset[str]] = WeakKeyDictionary()


def is_markdown_note(note: Note) -> bool:
    """Whether every file of `note` is a Markdown file (a vault's note, not a site page)."""
    return bool(note.files) and all(f.casefold().endswith(".md") for f in note.files)


def is_plain_note(note: Note) -> bool:
    """Whether `note` is a vault's own Markdown note that declares no `type:` (its text is
    the whole note: the reading view puts no "Body" heading over it).

    >>> from kg.model import Note, NoteKind
    >>> is_plain_note(Note("a", "A", NoteKind.SYNTHESIS, files=("a.md",)))
    True
    >>> is_plain_note(Note("b", "B", NoteKind.SYNTHESIS, files=("b.txt",)))
    False
    """
    plain = note.kind is NoteKind.SYNTHESIS and is_markdown_note(note)
    return plain and note.property_value("type") is None


def kind_word(note: Note) -> str:
    """The note's kind as a row prints it: the kind kg gives it ('synthesis', 'hub', ...),
    as `kg show` and `kg search` print it, a Markdown note without `type:` included.

    >>> from kg.model import Note, NoteKind
    >>> kind_word(Note("a", "A", NoteKind.SYNTHESIS, files=("a.md",)))
    'synthesis'
    >>> kind_word(Note("b", "B", NoteKind.HUB, files=("b.txt",)))
    'hub'
    """
    return note.kind.value


def kind_label(note: Note) -> str:
    """The header over a note in the reading view: 'SYNTHESIS NOTE', 'TOPIC HUB'…, the
    kind kg gives the note.

    >>> from kg.model import Note, NoteKind
    >>> kind_label(Note("a", "A", NoteKind.SYNTHESIS, files=("a.md",)))
    'SYNTHESIS NOTE'
    """
    return KIND_LABELS.get(note.kind, note.kind.value.upper())


def folder_of(note: Note) -> str:
    """The folder of the note's first file with a trailing '/', or its file name when the
    file sits at the top of the corpus ('' for a note with no file).

    >>> from kg.model import Note, NoteKind
    >>> folder_of(Note("a", "A", NoteKind.SYNTHESIS, files=("A.md",)))
    'A.md'
    """
    if not note.files:
        return ""
    folder = posixpath.dirname(note.files[0])
    return folder + "/" if folder else note.files[0]


def with_folder(note: Note) -> str:
    """The title followed by the note's folder."""
    where = folder_of(note)
    return f"{note.title}{SEPARATOR}{where}" if where else note.title


def repeated_titles(graph: KnowledgeGraph) -> frozenset[str]:
    """The titles (case-folded) that more than one note with a page carries; worked out
    once per graph from the titles kg keeps at hand (no note is decoded)."""
    found = _REPEATED.get(graph)
    if found is None:
        counts = Counter(
            title.casefold()
            for _, (title, kind, stub, _cut, _aliases) in graph.note_table.headers()
            if not stub and kind not in NOT_NOTES
        )
        found = frozenset(title for title, count in counts.items() if count > 1)
        _REPEATED[graph] = found
    return found


def shown_title(graph: KnowledgeGraph | None, note: Note) -> str:
    """The title to print for `note`: with its folder when another note has the same title
    (so the two can be told apart), else the title alone."""
    if graph is None or note.stub or not note.files:
        return note.title
    if note.title.casefold() in repeated_titles(graph):
        return with_folder(note)
    return note.title


def repeated_folder(graph: KnowledgeGraph | None, note: Note) -> str:
    """The folder `shown_title` adds to `note`'s title ('' when its title is its own)."""
    shown = shown_title(graph, note)
    return shown[len(note.title) + len(SEPARATOR) :] if shown != note.title else ""


def fit_with_folder(title: str, folder: str, width: int) -> str:
    """`title — folder` in `width` cells, the folder kept (its end, at most half the
    width) and the title cut first, so two notes of one name stay apart when cut.

    >>> fit_with_folder("Security and privacy", "Obsidian Sync/", 30)
    'Security and… — Obsidian Sync/'
    >>> fit_with_folder("Ideas", "Archive/2025/deep/", 20)
    'Ideas — …025/deep/'
    >>> fit_with_folder("Ideas", "", 3)
    'Id…'
    """
    if not folder:
        return _cut(title, width)
    whole = f"{title}{SEPARATOR}{folder}"
    if len(whole) <= width:
        return whole
    folder = cut_start(folder, max(1, width // 2))
    return _cut(title, width - len(SEPARATOR) - len(folder)) + SEPARATOR + folder


def cut_start(text: str, width: int) -> str:
    """`text` in `width` cells, cut from its start: a folder keeps its deepest part.

    >>> cut_start("Archive/2025/deep/", 8), cut_start("Sync/", 8)
    ('…5/deep/', 'Sync/')
    """
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1 :] if width > 1 else "…"


def _cut(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)].rstrip() + "…" if width > 0 else ""
