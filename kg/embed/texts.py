"""What is embedded: every text of a note that gets a vector, and the hashes it is stored under.

Each embedded text is named by a key (note id, field, index):

- ``title``, ``description``, ``claim``, ``abstract`` (a paper's abstract): index 0;
- ``sentence``: the note's body sentences, split with `kg.sentences.split_sentences`,
  numbered in order over the paragraphs;
- ``summary``: an inquiring line's source summaries; index i is ``note.sources[i]``.

>>> from kg.model import Note, NoteKind, Paragraph
>>> note = Note(id="a", title="Why A?", kind=NoteKind.SYNTHESIS, claim="A holds.",
...             body=(Paragraph("First point. Second point.", 3),))
>>> [(field, index, text) for field, index, text in note_texts(note)]
[('title', 0, 'Why A?'), ('claim', 0, 'A holds.'), ('sentence', 0, 'First point.'), ('sentence', 1, 'Second point.')]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import numpy as np

from kg.model import Note, NoteKind
from kg.sentences import split_sentences

SCHEME = 1  # what note_texts embeds; part of every note hash
FIELDS = ("title", "description", "claim", "sentence", "summary", "abstract")
FIELD_CODE = {name: code for code, name in enumerate(FIELDS)}
NOTE_FIELDS = (0, 1, 2, 5)  # title, description, claim, abstract: a note's headline texts
# A note's own vector (behind `near`) is the whole note: the normalized weighted mean of
# every text's vector, each headline text weighing OWN_WEIGHT body sentences. Vault notes
# have only a title and a body, so without the body near was title similarity (issue 24).
OWN_WEIGHT = 2.0
NOTE_VECTORS = "whole-note-2"  # the recipe's name, stored with the note matrix
KINDS = tuple(NoteKind)
KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
HASH = np.dtype("S16")


def note_sentences(note: Note) -> list[str]:
    """A note's body sentences in order over its paragraphs.

    Index i is the key (note id, ``'sentence'``, i) of the vector of sentence i.

    Parameters
    ----------
    note : Note
        The note.

    Returns
    -------
    list of str
        The sentences, split with `kg.sentences.split_sentences`.

    Examples
    --------
    >>> from kg.model import Note, NoteKind, Paragraph
    >>> note_sentences(Note(id="a", title="A", kind=NoteKind.SYNTHESIS, body=(Paragraph("One. Two.", 1),)))
    ['One.', 'Two.']
    """
    return [s for paragraph in note.body for _, _, s in split_sentences(paragraph.text)]


def note_texts(note: Note) -> list[tuple[str, int, str]]:
    """Every text of a note that gets a vector.

    Parameters
    ----------
    note : Note
        The note.

    Returns
    -------
    list of (str, int, str)
        (field, index, text): title, description and claim (index 0), a paper's abstract,
        the body sentences and an inquiring line's source summaries (index i is
        ``note.sources[i]``); empty texts are left out.

    Examples
    --------
    >>> from kg.model import Note, NoteKind
    >>> note_texts(Note("a", "Why A?", NoteKind.SYNTHESIS, description="About A."))
    [('title', 0, 'Why A?'), ('description', 0, 'About A.')]
    """
    out: list[tuple[str, int, str]] = []
    for name in ("title", "description", "claim"):
        text = getattr(note, name).strip()
        if text:
            out.append((name, 0, text))
    if note.kind is NoteKind.PAPER and note.body:
        abstract = " ".join(p.text.strip() for p in note.body if p.text.strip())
        if abstract:
            out.append(("abstract", 0, abstract))
    out += [("sentence", i, s) for i, s in enumerate(note_sentences(note))]
    out += [
        ("summary", i, source.summary.strip())
        for i, source in enumerate(note.sources)
        if source.summary.strip()
    ]
    return out


def text_hash(text: str) -> bytes:
    """The 16-byte BLAKE2b digest a text's vector is stored under.

    Trailing NUL bytes are dropped: NumPy's fixed-width bytes ("S16") drop them, so the keys
    match what is read back.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    bytes
        At most 16 bytes.

    Examples
    --------
    >>> len(text_hash("Why A?")) <= 16, text_hash("x") == text_hash("x")
    (True, True)
    """
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest().rstrip(b"\0")


def note_hash(note: Note) -> bytes:
    """A digest of everything `note_texts` reads: equal hashes mean equal keys and texts.

    Parameters
    ----------
    note : Note
        The note.

    Returns
    -------
    bytes
        At most 16 bytes; it changes with the note's kind, texts and `SCHEME`.

    Examples
    --------
    >>> from kg.model import Note, NoteKind
    >>> note_hash(Note("a", "A", NoteKind.LINE)) == note_hash(Note("b", "A", NoteKind.LINE))
    True
    """
    digest = hashlib.blake2b(digest_size=16)
    parts = [str(SCHEME), note.kind.value, note.title, note.description, note.claim]
    parts += [p.text for p in note.body]
    parts.append("\x1e")
    parts += [s.summary for s in note.sources]
    digest.update("\x1f".join(parts).encode("utf-8"))
    return digest.digest().rstrip(b"\0")


def signature_of(parts: Iterable[Any]) -> str:
    """A short hash of JSON-able parts (the loader passes the corpus's file stamps).

    Parameters
    ----------
    parts : iterable
        Values `json.dumps` can write (others are written with `str`).

    Returns
    -------
    str
        32 hexadecimal digits.

    Examples
    --------
    >>> signature_of([1, "a"]) == signature_of((1, "a")), len(signature_of([]))
    (True, 32)
    """
    data = json.dumps(list(parts), separators=(",", ":"), default=str).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()
