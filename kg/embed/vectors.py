"""The vector store's public names in one place: `VectorStore`, what is embedded, and
the wiring into `kg.load`.

The store is split by job: what is embedded (`kg.embed.texts`), the store's state and
embedder (`kg.embed.state`), reading it (`kg.embed.reading`), updating it
(`kg.embed.update`), its files in the index folder (`kg.embed.files`), the assembled class
(`kg.embed.store`) and attaching it to a graph (`kg.embed.attach`). This module re-exports
their public names for callers.

>>> from kg.model import Note, NoteKind, Paragraph
>>> note = Note(id="a", title="Why A?", kind=NoteKind.SYNTHESIS, claim="A holds.",
...             body=(Paragraph("First point. Second point.", 3),))
>>> [(field, index, text) for field, index, text in note_texts(note)]
[('title', 0, 'Why A?'), ('claim', 0, 'A holds.'), ('sentence', 0, 'First point.'), ('sentence', 1, 'Second point.')]
"""

from __future__ import annotations

from kg.embed.attach import attach, attach_stored
from kg.embed.files import FORMAT, MANIFEST
from kg.embed.state import EmbedderSource, Progress
from kg.embed.store import VectorStore
from kg.embed.texts import (
    FIELD_CODE,
    FIELDS,
    HASH,
    KIND_CODE,
    KINDS,
    NOTE_FIELDS,
    SCHEME,
    note_hash,
    note_sentences,
    note_texts,
    signature_of,
    text_hash,
)
from kg.embed.update import CHUNK

__all__ = [
    "CHUNK",
    "FIELDS",
    "FIELD_CODE",
    "FORMAT",
    "HASH",
    "KINDS",
    "KIND_CODE",
    "MANIFEST",
    "NOTE_FIELDS",
    "SCHEME",
    "EmbedderSource",
    "Progress",
    "VectorStore",
    "attach",
    "attach_stored",
    "note_hash",
    "note_sentences",
    "note_texts",
    "signature_of",
    "text_hash",
]
