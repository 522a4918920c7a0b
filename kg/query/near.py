"""Notes near in meaning: the cosine of note vectors.

`near` ranks notes by one matrix-vector product over the contiguous note matrix and an
`argpartition`; a stub (a title known only from a link) never ranks above a note with text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from kg.errors import InvalidArgument, KgError, check_choices, check_count
from kg.model import NearNote, Note, NoteKind

if TYPE_CHECKING:
    from kg.embed.vectors import VectorStore
    from kg.graph.knowledge import KnowledgeGraph

NoteKinds = Iterable[NoteKind | str] | NoteKind | str | None


def _store(graph: KnowledgeGraph) -> VectorStore:
    store = graph.embeddings
    if store is None or not store.count:
        raise KgError(
            "this graph has no embeddings; open it with kg.load(path) (embed=True, the "
            "default) or run `kg index` without --no-embed"
        )
    return store


def linked_ids(graph: KnowledgeGraph, note: Note) -> set[str]:
    """Ids of the notes a link of any kind joins to `note`, either way."""
    out = {lk.target if lk.source == note.id else lk.source for lk in graph.links_of(note)}
    out.discard(note.id)
    return out


def near(
    graph: KnowledgeGraph,
    note: str | Note,
    k: int = 10,
    node_kinds: NoteKinds = None,
    unlinked: bool = False,
    *,
    kinds: NoteKinds = None,
) -> list[NearNote]:
    """The `k` notes whose vectors are nearest the note's, best first.

    Parameters
    ----------
    graph : KnowledgeGraph
    note : str or Note
    k : int, default 10
        How many at most (0 or more).
    node_kinds : NoteKind or str or iterable of them, optional
        The note kinds listed (default: every kind but categories, tags, attachments).
    unlinked : bool
        Leave out the notes a link already joins to this one.
    kinds : optional
        The older name of `node_kinds`; give one or the other.

    Returns
    -------
    list of NearNote
        Each with its cosine and whether a link already joins it.

    Raises
    ------
    KgError
        When the graph has no embeddings or the note no vector.
    InvalidArgument
        For an unknown note kind, a bad `k`, or both `kinds` and `node_kinds`.
    NoteNotFound
        When no note matches.

    Examples
    --------
    >>> from kg.graph.knowledge import _demo
    >>> near(_demo(), "a", node_kinds="paper", kinds="line")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: give node_kinds or kinds (its older name), not both
    """
    if kinds is not None and node_kinds is not None:
        raise InvalidArgument("give node_kinds or kinds (its older name), not both")
    wanted = check_choices("node kind", node_kinds if kinds is None else kinds, NoteKind)
    check_count("k", k)
    store = _store(graph)
    centre = graph.note(note)
    vector = store.note_vector(centre.id)
    if vector is None:
        raise KgError(
            f"{centre.title!r} has no embedding yet (its texts were not embedded); run "
            "`kg index` with the model installed"
        )
    if k == 0:
        return []
    linked = linked_ids(graph, centre)
    exclude = {centre.id} | (linked if unlinked else set())
    mask = store.kind_mask(sorted(wanted) if wanted is not None else None)
    out: list[NearNote] = []
    asked = k
    while True:
        found = store.nearest(vector, asked, mask=mask, exclude=exclude)
        out = []
        stubs: list[NearNote] = []
        for note_id, score in found:
            other = graph.find(note_id)
            if other is not None and other.id == note_id:
                # A stub (known only by its title) never ranks above a note with text.
                (stubs if other.stub else out).append(NearNote(other, score, note_id in linked))
            if len(out) == k:
                return out
        if len(found) < asked:  # nothing more to find
            return (out + stubs)[:k]
        asked *= 2  # stubs, or hits not in the graph (a stale store): read deeper
