"""The corpus's word counts a trace weighs words by, kept in the index folder.

A trace's word parts (`kg.query.scorers.document_frequencies`) weigh each word by how
many of the corpus's texts hold it. Counting reads and tokenizes every note: 3-4 s for
the 10,000-page generated corpus, paid by the first trace of every process. The counts
are kept in the index folder (``trace-words.json``) under the corpus signature the graph
was read with, so a new process reads them (a few hundredths of a second) while the
corpus's files are unchanged; after an edit (the index updated in place) the edited
notes' earlier versions are taken away and their new versions added (`updated`), else
they are counted again, and replaced. A file
that is damaged, of another format or of other files is ignored, never used.

>>> import tempfile, pathlib
>>> from kg.graph.knowledge import crowd_example
>>> g, _ = crowd_example()
>>> g.index_folder, g.index_signature = pathlib.Path(tempfile.mkdtemp()), "sig"
>>> keep(g, {"crowd": 2}, 3)
True
>>> read(g)
({'crowd': 2}, 3)
>>> g.index_signature = "other"  # the files changed: not used
>>> read(g) is None
True
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.io import index_lock, read_record, write_atomic
from kg.text import tokens

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.model import Note

FILE = "trace-words.json"
FORMAT = 1  # what is counted: each non-empty title, description, claim, paragraph, summary


def count_note(counts: dict[str, int], note: Note, sign: int) -> int:
    """Add (`sign` 1) or take away (-1) one note's texts to the counts: each non-empty
    title, description, claim, paragraph and source summary is a text, and each distinct
    word of a text counts once. Returns how many texts (times `sign`).

    >>> from kg.model import Note, NoteKind
    >>> counts = {}
    >>> count_note(counts, Note("a", "Crowds beat experts", NoteKind.LINE, claim="Crowds win."), 1)
    2
    >>> counts["crowd"], count_note(counts, Note("b", "Crowds win", NoteKind.LINE), -1)
    (2, -1)
    >>> sorted(counts.items())
    [('beat', 1), ('crowd', 1), ('expert', 1)]
    """
    texts = [
        note.title,
        note.description,
        note.claim,
        *(p.text for p in note.body),
        *(s.summary for s in note.sources),
    ]
    documents = 0
    for text in texts:
        if not text:
            continue
        documents += sign
        for word in set(tokens(text)):
            left = counts.get(word, 0) + sign
            if left:
                counts[word] = left
            else:
                counts.pop(word, None)
    return documents


def updated(graph: KnowledgeGraph) -> tuple[dict[str, int], int] | None:
    """The counts of a graph whose index was updated in place (an edit), from the counts
    kept for the files before it: the edited notes' earlier versions taken away, their
    new versions added (the same figures as counting every note again, in a few
    milliseconds instead of seconds). None when the earlier counts are not kept."""
    update = getattr(graph, "index_update", None)
    if update is None or update.mode != "updated" or not update.previous_signature:
        return None
    kept = read(graph, update.previous_signature)
    if kept is None:
        return None
    counts, documents = kept
    before = getattr(graph, "replaced_notes", {})
    table = graph.note_table
    for note_id in update.changed_notes:
        old = before.get(note_id)
        if old is not None and not old.stub:
            documents += count_note(counts, old, -1)
        if note_id in table and not table.is_stub(note_id):
            documents += count_note(counts, table[note_id], 1)
    return counts, documents


def read(graph: KnowledgeGraph, signature: str = "") -> tuple[dict[str, int], int] | None:
    """The kept (counts, documents) of the graph's files (or of the files of `signature`),
    or None when none are kept."""
    folder = getattr(graph, "index_folder", None)
    signature = signature or getattr(graph, "index_signature", "")
    if folder is None or not signature:
        return None
    data = read_record(folder / FILE, FORMAT, {"documents": int, "counts": dict})
    if data is None or data.get("signature") != signature:
        return None
    counts = data["counts"]
    if not all(isinstance(v, int) for v in counts.values()):
        return None
    return counts, data["documents"]


def keep(graph: KnowledgeGraph, counts: dict[str, int], documents: int) -> bool:
    """Keep the counts in the graph's index folder (when it has one that exists); a failure
    to write leaves them uncached, never fails the trace. Returns whether they were kept."""
    folder = getattr(graph, "index_folder", None)
    signature = getattr(graph, "index_signature", "")
    if folder is None or not signature or not folder.is_dir():
        return False
    data = {"format": FORMAT, "signature": signature, "documents": documents, "counts": counts}
    with suppress(OSError, KgError), index_lock(folder, timeout=5.0):
        write_atomic(folder / FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return True
    return False
