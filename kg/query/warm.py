"""The vectors a trace will compare, computed before anyone traces: so the first `kg trace`,
`g.trace` or trace in the browser reads them from the index folder instead of loading the
model and embedding on the spot.

With ``embedder: hybrid`` a trace ranks with the transformer's vectors of the texts it
compares (`kg.embed.attach.attach_trace_vectors`), kept between runs in the index folder's
``trace-vectors`` (`kg.embed.textcache`). `warm_traces` fills that cache for a set of
notes: first every text of theirs in one batched run of the model (the bulk of the work,
with progress), then it traces each note once, which embeds the few texts a trace makes
of its own (a claim with its sources' titles cut out, a quote read as a deeper claim),
and saves. Vectors already kept are never embedded again; another model's are never used.

A corpus whose texts would take the model long is left alone unless asked (`limit`): its
traces rank with the stored static vectors instead (`kg.query.kept`), loading no model.

>>> from kg.graph.knowledge import crowd_example
>>> g, _ = crowd_example()  # no index folder, no trace vectors: nothing to do
>>> warm_traces(g).skipped
'no trace vectors to keep (embedder not hybrid, or no index folder)'
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.embed.texts import note_texts
from kg.errors import KgError, ModelUnavailable
from kg.io import read_record, write_atomic
from kg.model import Note

if TYPE_CHECKING:
    from kg.embed.state import Progress
    from kg.graph.knowledge import KnowledgeGraph

STAGE = "trace vectors"  # the progress stage name
DEFAULT_LIMIT = 3000  # texts: above this `kg index` leaves them to the traces (a minute or more)
_CHUNK = 256  # texts embedded between two progress reports

# What the record of every note traced (``<model>.traced.json``) holds, and the version of
# the traces that made it. The record lets an unchanged corpus skip running every trace
# again, so it must say all that decided which texts those traces embedded: the corpus
# (the index's signature), the model, the weights of the fused ranking (the evidence
# chosen is what deeper levels read as claims) and TRACES_VERSION. Bump TRACES_VERSION
# with any change of kg that can make a trace embed other texts for the same notes (what
# kg.query.tree, candidates and fusion make of a claim and its evidence, how deep they
# read, how they score); a record that differs in any part is ignored (the traces run
# again, embedding only the texts not kept yet) and rewritten, never trusted.
TRACES_VERSION = 1
_RECORD_FORMAT = 2  # 1 held the corpus's signature alone


@dataclass(frozen=True)
class Warmed:
    """What `warm_traces` did.

    Attributes
    ----------
    texts : int
        Texts embedded now (of the notes' own texts and of their traces).
    kept : int
        The notes' own texts whose vectors were already kept in the index folder.
    made : int
        Of `texts`, those the traces made of their own (a claim with its sources' titles
        cut out, a quote read as a deeper claim); the rest are the notes' own texts.
    traces_kept : bool
        The traces were not run again: the corpus is as it was when they last were, so
        the texts they make are kept already.
    seconds : float
        Time taken.
    skipped : str
        Why nothing was embedded ('' when it ran).
    """

    texts: int
    kept: int
    seconds: float
    skipped: str = ""
    made: int = 0
    traces_kept: bool = False


def warm_traces(
    graph: KnowledgeGraph,
    notes: Iterable[str | Note] | None = None,
    *,
    limit: int | None = DEFAULT_LIMIT,
    progress: Progress | None = None,
    traces: bool = True,
) -> Warmed:
    """Compute and keep the vectors traces of `notes` compare (every note by default).

    Parameters
    ----------
    graph : KnowledgeGraph
        A graph from `kg.load` with trace vectors (``embedder: hybrid``, an index folder).
    notes : iterable of str or Note, optional
        The notes whose traces to prepare; every note with a page if None.
    limit : int or None
        Embed nothing when more texts than this are missing (None: no limit).
    progress : callable, optional
        Called as ``progress("trace vectors", done, total)`` while embedding.
    traces : bool
        Also trace each note once, for the texts its trace makes of its own (False: only
        the notes' own texts, which a trace of a large corpus's note may outnumber).

    Returns
    -------
    Warmed
    """
    from kg.query.fusion import FusedScorer
    from kg.query.tree import trace

    started = time.perf_counter()
    lazy = graph.lazy_vectors
    if lazy is None or not getattr(lazy, "rank_first", False) or lazy.cache is None:
        return Warmed(
            0, 0, 0.0, "no trace vectors to keep (embedder not hybrid, or no index folder)"
        )
    chosen = (
        [n for n in graph.notes(stubs=False)] if notes is None else [graph.note(n) for n in notes]
    )
    texts = list(dict.fromkeys(t for note in chosen for _, _, t in note_texts(note)))
    missing = lazy.missing(texts)
    kept = len(texts) - len(missing)
    if limit is not None and len(missing) > limit:
        return Warmed(
            0,
            kept,
            time.perf_counter() - started,
            f"{len(missing):,} texts would take the model minutes; traces rank with the "
            "static vectors (`kg index --trace-vectors all` embeds them now)",
        )
    done = 0
    # Every note's traces were run for this very corpus: they would make no new text.
    signature = str(getattr(graph, "index_signature", "") or "")
    traced = _traced_path(lazy.cache)
    record = _record(signature, str(lazy.cache.model))
    unchanged = bool(
        traces and notes is None and not missing and signature and _traced(traced) == record
    )
    lazy.say_progress = progress is None  # the progress bar says how far it is
    try:
        if progress and missing:
            progress(STAGE, 0, len(missing))
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            lazy.embed(chunk)
            done += len(chunk)
            if progress:
                progress(STAGE, done, len(missing))
        before = lazy.embedded
        scorer = FusedScorer(lazy)
        for note in chosen if traces and not unchanged else ():
            try:
                trace(graph, note, scorer=scorer)
            except KgError as error:
                if isinstance(error, ModelUnavailable):
                    raise
                continue  # a note with nothing to trace
        extra = lazy.embedded - before
    except ModelUnavailable as error:
        return Warmed(0, kept, time.perf_counter() - started, str(error))
    finally:
        lazy.say_progress = True
        lazy.save()
    if traces and notes is None and signature and not unchanged:
        with contextlib.suppress(OSError):
            write_atomic(traced, json.dumps(record).encode())
    return Warmed(
        done + extra, kept, time.perf_counter() - started, made=extra, traces_kept=unchanged
    )


def _traced_path(cache: Any) -> Path:
    """Where `warm_traces` notes the corpus it last traced every note of, beside the kept
    vectors of that model."""
    path = Path(cache.path)
    return path.with_name(path.stem + ".traced.json")


def _record(signature: str, model: str) -> dict[str, Any]:
    """The record of every note traced for this corpus (its `signature`) by this kg and
    `model` (see `TRACES_VERSION`).

    >>> _record("s1", "m|1") == _record("s1", "m|1"), _record("s1", "m|1") == _record("s1", "m|2")
    (True, False)
    """
    from kg.query.weights import DEFAULT_WEIGHTS, weights_to_mapping

    return {
        "format": _RECORD_FORMAT,
        "signature": signature,
        "model": model,
        "traces": TRACES_VERSION,
        "weights": weights_to_mapping(DEFAULT_WEIGHTS),
    }


def _traced(path: Path) -> dict[str, Any] | None:
    """The record of the corpus, kg and model whose every note was last traced, if any
    (`_record`; None for a record of another format)."""
    return read_record(path, _RECORD_FORMAT, {})


def edit_pending(graph: KnowledgeGraph) -> bool:
    """Whether `keep_current` has an edit's trace vectors to compute for this graph (the
    index was updated in place and keeps trace vectors; not done yet). Nothing is read."""
    lazy = graph.lazy_vectors
    cache = getattr(lazy, "cache", None)
    update = graph.index_update
    return not (
        cache is None
        or update is None
        or update.mode != "updated"
        or getattr(graph, "_edit_traces_kept", False)
        or cache.dim is None
    )


def keep_current(graph: KnowledgeGraph) -> Warmed | None:
    """After an edit re-indexed in place, compute the trace vectors of the notes it made
    again, where the index keeps trace vectors already (`kg index` computed them): the next
    trace of an edited note, or of one citing it, reads them instead of loading the model
    (only the notes' own texts: a claim with its sources' titles cut out is embedded by
    the trace that asks, a few texts).
    `kg index` calls it once the update is written, `kg watch` and the browser on a thread
    (`KnowledgeGraph.embed_notes`), never `kg.load` (the model's start is no part of an
    edit's update); it never fails (None when there was nothing to do or it could not be
    done; it runs once per graph).
    """
    if not edit_pending(graph):
        return None
    graph._edit_traces_kept = True  # type: ignore[attr-defined]  # once per graph
    update = graph.index_update
    # Only the edited notes are read (reading all of them costs most of a second at 10,000).
    table = graph.note_table
    changed = [i for i in update.changed_notes if i in table and not table.is_stub(i)]
    if not changed:
        return None
    try:
        return warm_traces(graph, changed, traces=False)
    except (OSError, KgError):
        return None
