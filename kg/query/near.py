"""Notes near a note: the meaning of the whole notes, the words they share and the graph
around them, fused (`kg.query.related`).

`near` scores every candidate at once: the cosine of the whole-note vectors (one
matrix-vector product over the contiguous note matrix), BM25 of the note's words, and
Adamic-Adar over shared neighbours, weighted as kg/data/near_weights.json says; a stub (a
title known only from a link) never ranks above a note with text. The meaning signal is
the model's whole-note vectors (`kg.embed.notevectors`) once every note has one, and the
static whole-note vectors until then; each `NearNote` names the vectors it was ranked
with, so the upgrade can be seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.embed.notevectors import meaning_vectors
from kg.errors import InvalidArgument, KgError, check_choices, check_count
from kg.model import NearNote, Note, NoteKind
from kg.query.related import NearWeights, graph_scores, word_scores

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
    weights: NearWeights | None = None,
) -> list[NearNote]:
    """The `k` notes nearest the note, best first: meaning, shared words and the graph.

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
    weights : NearWeights, optional
        How the signals are weighed (default: the shipped `NearWeights.shipped()`).

    Returns
    -------
    list of NearNote
        Each with its fused score (0-1: the weighted sum of the cosine and the scaled word
        and graph scores), whether a link already joins it, and the vectors used.

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
    mask = store.kind_mask(sorted(wanted) if wanted is not None else None).copy()
    note_ids = store.note_ids
    for note_id in exclude:
        pos = store.position(note_id)
        if pos is not None:
            mask[pos] = False
    rows = np.flatnonzero(mask)
    ids = [note_ids[i] for i in rows]
    fused, used = fused_scores(graph, centre.id, ids, vector, rows, weights, labelled=True)
    out: list[NearNote] = []
    stubs: list[NearNote] = []
    for i in np.argsort(-fused, kind="stable"):
        other = graph.find(ids[i])
        if other is None or other.id != ids[i]:
            continue  # a stale store's note the graph no longer has
        found = NearNote(other, float(fused[i]), other.id in linked, used)
        # A stub (known only by its title) never ranks above a note with text.
        (stubs if other.stub else out).append(found)
        if len(out) == k:
            return out
    return (out + stubs)[:k]


def meaning_signals(
    graph: KnowledgeGraph, note_id: str, ids: list[str], vector: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, str]:
    """(meaning, sentences, label) of each note of `ids` for the note `note_id`: the cosine
    of the model's whole-note vectors where every note has one (else the static ones'),
    the cosine of the static whole-note vectors (rows `rows` of the note matrix; `vector`
    the note's), and the name of the vectors the meaning came from."""
    store = _store(graph)
    sentences = store.matrix[rows] @ np.asarray(vector, dtype=np.float32)
    found = meaning_vectors(graph, [note_id, *ids])
    if found is None:
        return sentences, sentences, store.model
    matrix, label = found
    return matrix[1:] @ matrix[0], sentences, label


def fused_scores(
    graph: KnowledgeGraph,
    note_id: str,
    ids: list[str],
    vector: np.ndarray,
    rows: np.ndarray,
    weights: NearWeights | None = None,
    hidden: Iterable[str] = (),
    *,
    labelled: bool = False,
) -> Any:
    """The fused near score of each note of `ids` (rows `rows` of the note matrix) for the
    note `note_id` whose static vector is `vector`; `hidden` as in `graph_scores`. With
    `labelled`, (scores, the vectors used: '+'-joined names) instead."""
    weights = weights or NearWeights.shipped()
    store = _store(graph)
    meaning, sentences, label = meaning_signals(graph, note_id, ids, vector, rows)
    zeros = np.zeros(len(ids), dtype=np.float32)
    lexical = word_scores(graph, note_id, ids) if weights.words else zeros
    around = graph_scores(graph, note_id, ids, set(hidden)) if weights.graph else zeros
    fused = weights.fuse(meaning, lexical, around, sentences)
    if not labelled:
        return fused
    names = [label] if weights.meaning or label == store.model else []
    if weights.sentences and store.model not in names:
        names.append(store.model)
    return fused, " + ".join(names or [store.model])
