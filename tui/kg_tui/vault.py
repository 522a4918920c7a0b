"""A vault's habits in the browser: #tags offered by the search box, attachments kept
apart from the notes a note links, and the filter's link kinds in the corpus's own order.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> pic = Note("p", "pic.png", NoteKind.ATTACHMENT, files=("img/pic.png",))
>>> is_attachment(pic), anchor_label("#^b15695"), anchor_label("#Setup")
(True, 'block ^b15695', '#Setup')
"""

from __future__ import annotations

from kg import KnowledgeGraph
from kg.model import LinkKind, Note, NoteKind


def is_attachment(note: Note) -> bool:
    """Whether `note` is a file of the vault that is not a note (image, audio, PDF…)."""
    return note.kind is NoteKind.ATTACHMENT


def anchor_label(section: str) -> str:
    """How a link's anchor reads beside the note it reaches: a block reference
    (`#^b15695`) says so; a heading stays `#Heading`."""
    if section.startswith("#^"):
        return "block " + section[1:]
    return section


def tag_matches(graph: KnowledgeGraph, query: str, limit: int = 8) -> list[Note]:
    """The #tags of the corpus that hold what follows `#` in `query` (any case), those
    starting with it first, then the most used; [] when `query` does not start with `#`.

    >>> from kg.model import Link
    >>> notes = [Note("n", "N", NoteKind.SYNTHESIS, tags=("ml/vision",)),
    ...          Note("t", "#ml", NoteKind.TAG), Note("u", "#ml/vision", NoteKind.TAG)]
    >>> g = KnowledgeGraph({n.id: n for n in notes},
    ...                    [Link("n", "u", LinkKind.TAGGED), Link("u", "t", LinkKind.TAGGED)])
    >>> [n.title for n in tag_matches(g, "#VIS")], tag_matches(g, "ml")
    (['#ml/vision'], [])
    """
    if not query.startswith("#"):
        return []
    wanted = query.lstrip("#").strip().casefold()
    counts = graph.tags()
    found = [
        (not tag.lstrip("#").casefold().startswith(wanted), -count, tag)
        for tag, count in counts.items()
        if wanted in tag.casefold()
    ]
    notes: list[Note] = []
    for *_, tag in sorted(found):
        note = graph.find(tag)
        if note is not None and note.kind is NoteKind.TAG:
            notes.append(note)
        if len(notes) >= limit:
            break
    return notes


def filter_kinds(graph: KnowledgeGraph, present: list[LinkKind]) -> list[LinkKind]:
    """The link kinds the filter offers: only those the corpus uses, the ones around the
    open note (`present`) first, then by how many links of the kind the corpus has.

    >>> from kg.model import Link
    >>> notes = {i: Note(i, i.upper(), NoteKind.SYNTHESIS) for i in "abc"}
    >>> links = [Link("a", "b", LinkKind.RELATED), Link("b", "c", LinkKind.RELATED),
    ...          Link("c", "a", LinkKind.MENTIONS)]
    >>> [k.value for k in filter_kinds(KnowledgeGraph(notes, links), [LinkKind.MENTIONS])]
    ['mentions', 'related']
    """
    used = graph.corpus_stats().links_by_kind
    here = set(present)
    kinds = [kind for kind in LinkKind if used.get(kind.value, 0) or kind in here]
    return sorted(kinds, key=lambda k: (k not in here, -used.get(k.value, 0), k.value))
