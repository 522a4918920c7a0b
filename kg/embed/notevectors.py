"""The shipped model's vectors of whole notes, computed after the fast static index and kept
in the index folder: the vectors `near` and meaning search upgrade to once they are there.

The default (``embedder: hybrid``) indexes with static vectors in seconds; their 10 nearest
notes share about two thirds with the transformer's. `NoteVectors` adds, per note, two
vectors by the shipped MiniLM (through ONNX Runtime, `kg.embed.onnx`): the whole note, its
title, description, claim and body read as one text (`note_text`), and its headline (title,
description and claim, `headline_text`) where it has a description or a claim. `near` ranks
with the whole-note vector alone (the plain model's ranking: overlap 1 by construction);
search's meaning part blends the headline in at query time (`HEADLINE_SHARE`: a reader's
paraphrase of what a note is about names its headline more than its body). A vault's notes
have no headline of their own, so theirs is the whole note's vector alone either way.

They are kept in ``note-vectors/`` in the index folder (`kg.embed.notefile`: a base file
and small side files, so an edit writes kilobytes), each under the hash of everything its
note's texts are made of, which the static vector store keeps for every note (`_hash_key`:
no note is read to find its vector): a note that did not change keeps its vector, an
edited note is embedded again, another model's vectors are never used, and the vectors of
notes gone or edited since are dropped when the index is written (`prune`). Vectors an
older kg kept blended (whole note and headline in one) are converted, not thrown away: the
headline is embedded (a short text) and the whole note's vector worked out of the blend
(`unblend`). `compute` embeds what is missing with progress and saves as it goes (an
interrupted run keeps what it did); `start` does it on a thread (the open browser, `kg
watch`), `kg.index.pending` in a process of its own (`kg index` after an edit). An edit's
load (`kg.load`) never starts the model. Until every note has its vectors, `matrix` is
None and `near` and search use the static vectors, saying so, and the same graph upgrades
in place when the last one arrives.

>>> from kg.model import Note, NoteKind, Paragraph
>>> note = Note("a", "Why A?", NoteKind.SYNTHESIS, claim="A holds.",
...             body=(Paragraph("First point. Second point.", 3),))
>>> note_text(note)
'Why A?\\nA holds.\\nFirst point. Second point.'
>>> headline_text(note)
'Why A?\\nA holds.'
>>> headline_text(Note("b", "B", NoteKind.SYNTHESIS, body=(Paragraph("Text.", 1),)))
''
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.embed.models import normalize
from kg.embed.notefile import FOLDER as FOLDER
from kg.embed.notefile import NoteVectorFile
from kg.embed.oldnotevectors import OlderVectors, unblend
from kg.embed.textcache import text_key
from kg.errors import KgError

if TYPE_CHECKING:
    from kg.embed.models import Embedder
    from kg.embed.state import Progress
    from kg.graph.knowledge import KnowledgeGraph
    from kg.model import Note

RECIPE = "whole-note-2"  # what is kept: the plain whole-note vector and the headline's
KEYS = "note-hash"  # how vectors are keyed (`_hash_key`)
# Weight of the headline's vector beside the whole note's in search's meaning part (notes
# with a description or a claim; `near` uses the whole note's alone). Chosen on notes/
# (the project's paraphrases of its notes), reported on the seeds: BENCHMARKS.md, "Two
# vectors per note".
HEADLINE_SHARE = 0.2
STAGE = "note vectors"  # the progress stage name
CHUNK = 64  # notes embedded between two progress reports
SAVE_SECONDS = 10.0  # how often a long run saves what it did


def note_text(note: Note) -> str:
    """The whole note as one text: title, description, claim and body paragraphs."""
    head = [t for t in (note.title, note.description, note.claim) if t.strip()]
    return "\n".join(head + [p.text for p in note.body if p.text.strip()])


def headline_text(note: Note) -> str:
    """Title, description and claim, where the note has a description or a claim ('')."""
    if not (note.description.strip() or note.claim.strip()):
        return ""
    return "\n".join(t for t in (note.title, note.description, note.claim) if t.strip())


def blend(plain: np.ndarray, heads: np.ndarray, share: float = HEADLINE_SHARE) -> np.ndarray:
    """The rows of `plain` with `share` of the rows of `heads` blended in, normalized (a
    zero headline row leaves its plain row as it is).

    >>> [round(float(x), 3) for x in blend(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), 0.5)[0]]
    [0.707, 0.707]
    >>> blend(np.array([[1.0, 0.0]]), np.zeros((1, 2)), 0.5).tolist()
    [[1.0, 0.0]]
    """
    return normalize((1 - share) * plain + share * np.asarray(heads, dtype=np.float32))


def _hash_key(digest: bytes) -> bytes:
    """What a note's vectors are kept under: the recipe and the hash of everything its
    texts are made of (`kg.embed.texts.note_hash`, which the static vector store keeps for
    every note, so a note's key is known without reading the note)."""
    return text_key(f"{RECIPE}\x1fnote-hash\x1f{digest.hex()}")


# The thread computing each index folder's vectors (one run per index in a process).
_RUNNING: dict[Path, threading.Thread] = {}
_STARTING = threading.Lock()


class NoteVectors:
    """The transformer's whole-note vectors of a graph's notes (see the module).

    Parameters
    ----------
    graph : KnowledgeGraph
        The notes.
    embedder : Embedder
        The shipped model (a `kg.embed.lazy.DeferredEmbedder` loads it when first needed);
        its ``name`` and ``fingerprint`` name the vectors.
    folder : pathlib.Path, optional
        The index folder the vectors are kept in (None: kept in memory only).

    Attributes
    ----------
    label : str
        What `near` and search say they ranked with, once these vectors are used.
    done, total : int
        Notes embedded so far and notes that lacked a vector, of the last `compute`.
    error : str
        Why the last `compute` stopped early ('' when it did not).
    """

    def __init__(
        self, graph: KnowledgeGraph, embedder: Embedder, folder: Path | None = None
    ) -> None:
        self.graph = graph
        self.embedder = embedder
        name = str(getattr(embedder, "name", "model"))
        stamp = getattr(embedder, "fingerprint", None) or "unknown"
        self.label = f"{name} (whole note)"
        self._blend_label = f"{name} (whole note + headline)"
        where = folder or Path("/nonexistent-kg-index")
        self.cache = NoteVectorFile(where, f"{name}|{stamp}|{RECIPE}|{KEYS}")
        self._legacy = OlderVectors(folder, name, stamp)
        self._memory_only = folder is None
        self._lock = threading.RLock()
        self._matrix: tuple[list[str], dict[str, int], np.ndarray] | None = None
        self._heads: np.ndarray | None = None  # float16 headline rows, as `_matrix`'s
        self._blended: np.ndarray | None = None  # search's rows (`blend`), made when asked
        self._thread: threading.Thread | None = None
        self._lacking: tuple[int, float] | None = None  # (kept, file time) when a note lacked one
        self._keys: dict[str, bytes] = {}  # note id -> the hash its vector is kept under
        self._digests: dict[str, bytes] = {}  # note id -> its note hash
        self.done = 0
        self.total = 0
        self.error = ""
        self.embedded = 0  # notes embedded by this object, over all runs
        self.converted = 0  # of those, notes whose older blended vector was converted
        self.seconds = 0.0  # how long the last `compute` took
        self.pruned = 0  # vectors the last `prune` dropped

    def __repr__(self) -> str:
        return f"NoteVectors({self.label!r}, ready={self.ready})"

    def ids(self) -> list[str]:
        """The ids of the notes that get a vector: every note of the graph, stubs
        included, but categories, tags and attachments (no note is read)."""
        from kg.model import NOT_NOTES

        return [i for i, header in self.graph.note_table.headers() if header[1] not in NOT_NOTES]

    def notes(self) -> list[Note]:
        """The notes that get a vector (`ids`), read."""
        table = self.graph.note_table
        return [table[i] for i in self.ids()]

    def _digest(self, note: Note | str) -> bytes:
        """The note's hash (`kg.embed.texts.note_hash`), worked out once per note of the
        graph (its notes never change). It comes from the static vector store when it was
        brought in line with the graph's files (no note is read: reading and hashing
        10,000 whole notes takes most of a second), else from the note."""
        from kg.embed.texts import note_hash

        note_id = note if isinstance(note, str) else note.id
        found = self._digests.get(note_id)
        if found is None:
            store = self.graph.embeddings
            if (
                store is not None
                and store.signature
                and store.signature == getattr(self.graph, "index_signature", None)
            ):
                found = store.note_hash_of(note_id)
            if found is None:
                found = note_hash(
                    note if not isinstance(note, str) else self.graph.note_table[note]
                )
            self._digests[note_id] = found
        return found

    def _key(self, note: Note | str) -> bytes:
        """The key of a note's vectors (`_hash_key`), worked out once per note."""
        note_id = note if isinstance(note, str) else note.id
        found = self._keys.get(note_id)
        if found is None:
            found = self._keys[note_id] = _hash_key(self._digest(note))
        return found

    def missing(self, notes: Iterable[Note] | None = None) -> list[Note]:
        """The notes (every note by default) whose vectors are not kept yet; only those
        are read."""
        with self._lock:
            ids = self.ids() if notes is None else [n.id for n in notes]
            table = self.graph.note_table
            return [table[i] for i in ids if not self.cache.has(self._key(i))]

    def prune(self) -> int:
        """Drop the kept vectors of notes no longer in the corpus and of texts no note has
        now (an edited note's earlier version), writing what changed when there are any:
        ``note-vectors/`` holds the current notes' vectors only. Returns how many were
        dropped (`kg index` calls this each time it writes the index)."""
        if self._memory_only:
            return 0
        with self._lock:
            keep = {self._key(i) for i in self.ids()}
            stale = self.cache.stale(keep)
            if stale or self.cache.has_new:
                self.cache.save(keep=keep)
            self.pruned = stale
            return stale

    @property
    def ready(self) -> bool:
        """Whether every note has its vectors (then `near` and search use them)."""
        return self.matrix() is not None

    @property
    def running(self) -> bool:
        """Whether `start`'s thread is still embedding."""
        return self._thread is not None and self._thread.is_alive()

    def matrix(self) -> tuple[list[str], dict[str, int], np.ndarray] | None:
        """(note ids, id -> row, matrix) of every note's whole-note vector, or None while a
        note lacks one. Built once; the rows are L2-normalized float32."""
        with self._lock:
            if self._matrix is not None:
                return self._matrix
            state = (len(self.cache), self._file_time())
            if state == self._lacking:
                return None  # nothing new since a note was found lacking
            if self._lacking is not None and state[1] != self._lacking[1]:
                self.cache.reload()  # another process (`kg index`) saved more meanwhile
                state = (len(self.cache), state[1])
            ids = self.ids()
            rows = [self.cache.get(self._key(i)) for i in ids]
            found = [r for r in rows if r is not None]
            if not ids or len(found) != len(ids) or len({r[0].shape for r in found}) != 1:
                self._lacking = state
                return None
            matrix = np.stack([p for p, _ in found]).astype(np.float32)
            matrix.flags.writeable = False
            self._heads = np.stack([h for _, h in found])
            self._blended = None
            self._matrix = (ids, {i: p for p, i in enumerate(ids)}, matrix)
            return self._matrix

    @property
    def search_label(self) -> str:
        """What search says its meaning part ranked with, once these vectors are used: the
        whole note and headline blended, or the whole note alone where no note has a
        headline (a vault)."""
        heads = self._heads
        return self._blend_label if heads is not None and heads.any() else self.label

    def search_matrix(self) -> tuple[list[str], np.ndarray] | None:
        """(note ids, rows) of the vectors search's meaning part ranks with: the whole
        note's with `HEADLINE_SHARE` of the headline's blended in (`blend`), or None while
        a note lacks its vectors."""
        with self._lock:
            found = self.matrix()
            if found is None or self._heads is None:
                return None
            if self._blended is None:
                self._blended = blend(found[2], self._heads)
                self._blended.flags.writeable = False
            return found[0], self._blended

    def _file_time(self) -> float:
        """When the vectors' files last changed (the base and the side files)."""
        times = [0.0]
        for path in (self.cache.path, *(p for _, p in self.cache.sides())):
            with contextlib.suppress(OSError):
                times.append(path.stat().st_mtime)
        return max(times) + len(times) * 1e-3  # a side file removed changes it too

    def rows_for(self, ids: Sequence[str]) -> np.ndarray | None:
        """The whole-note vectors of these notes in their order, or None while any note
        lacks one."""
        found = self.matrix()
        if found is None:
            return None
        _, position, matrix = found
        try:
            return matrix[[position[i] for i in ids]]
        except KeyError:
            return None

    def embed(self, notes: Sequence[Note]) -> np.ndarray:
        """The whole-note vectors of these notes by the model (not kept: `compute` keeps
        them)."""
        texts = [note_text(n) or n.title for n in notes]
        return normalize(np.asarray(self.embedder.encode(texts), dtype=np.float32))

    def _embed_kept(self, notes: Sequence[Note]) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """(whole-note vector, headline vector or None) of each note: embedded, or where
        an older kg kept the note's blended vector, worked out of it and the headline's."""
        older = [self._legacy.find(self._digest(n), note_text(n), headline_text(n)) for n in notes]
        fresh = [i for i, kept in enumerate(older) if kept is None]
        plain: list[np.ndarray | None] = list(older)
        if fresh:
            for i, row in zip(fresh, self.embed([notes[i] for i in fresh]), strict=True):
                plain[i] = row
        heads: list[np.ndarray | None] = [None] * len(notes)
        with_head = [(i, headline_text(n)) for i, n in enumerate(notes) if headline_text(n)]
        if with_head:
            encoded = self.embedder.encode([t for _, t in with_head])
            for (i, _), row in zip(with_head, normalize(np.asarray(encoded)), strict=True):
                heads[i] = row.astype(np.float32)
        out = []
        for i, (row, head) in enumerate(zip(plain, heads, strict=True)):
            if older[i] is not None and head is not None:
                row = unblend(np.asarray(older[i])[None], head[None])[0]
            out.append((np.asarray(row, dtype=np.float32), head))
        self.converted += len(notes) - len(fresh)
        return out

    def compute(
        self,
        notes: Iterable[Note] | None = None,
        *,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Embed and keep the vectors of the notes (every note by default) that lack them,
        longest first in chunks, saving every `SAVE_SECONDS`; returns how many were
        embedded. `progress` is called as ``progress("note vectors", done, total)``;
        setting `stop` ends the run after the chunk under way (what was done is kept)."""
        started = time.perf_counter()
        todo = self.missing(notes)
        todo.sort(key=lambda n: -len(note_text(n)))  # similar lengths batch well
        self.done, self.total, self.error = 0, len(todo), ""
        if progress and todo:
            progress(STAGE, 0, len(todo))
        saved = time.monotonic()
        try:
            for start in range(0, len(todo), CHUNK):
                if stop is not None and stop.is_set():
                    break
                chunk = todo[start : start + CHUNK]
                vectors = self._embed_kept(chunk)
                with self._lock:
                    for note, (plain, head) in zip(chunk, vectors, strict=True):
                        self.cache.put(self._key(note), plain, head)
                    self._matrix = None
                self.done += len(chunk)
                self.embedded += len(chunk)
                if progress:
                    progress(STAGE, self.done, len(todo))
                if time.monotonic() - saved > SAVE_SECONDS:
                    self.save()
                    saved = time.monotonic()
        except (KgError, OSError) as error:
            self.error = str(error)
        finally:
            self.prune()  # saves what was embedded, dropping vectors no note has now
            if notes is None and self.done == self.total and not self.error:
                self._legacy.remove()  # every note converted: the older files have no use
            self.seconds = time.perf_counter() - started
        return self.done

    def save(self) -> int:
        """Write the vectors embedded since the last save to the index folder."""
        if self._memory_only:
            return 0
        with self._lock:
            return self.cache.save()

    def start(
        self,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        before: Callable[[], object] | None = None,
    ) -> threading.Thread | None:
        """Compute the missing vectors on a daemon thread (None when none is missing or a
        run is under way); `near` and search use them once every note has one. Setting
        `stop` ends the run after the chunk under way; `before` is called first on the
        thread (an edit's trace vectors)."""
        if self.running or not self.missing():
            return None
        with _STARTING:
            other = _RUNNING.get(self.cache.path)
            if other is not None and other.is_alive() and not self._memory_only:
                # Another graph of this index (before an edit) is computing them: this one
                # reads what it saves; a second run would embed the same notes again.
                return None
            thread = self._thread_for(progress, stop, before)
            if not self._memory_only:
                _RUNNING[self.cache.path] = thread
        thread.start()
        return thread

    def _thread_for(
        self,
        progress: Progress | None,
        stop: threading.Event | None,
        before: Callable[[], object] | None = None,
    ) -> threading.Thread:
        def run() -> None:
            if before is not None:
                with contextlib.suppress(KgError, OSError):
                    before()
            self.compute(progress=progress, stop=stop)

        thread = threading.Thread(target=run, name="kg-note-vectors", daemon=True)
        self._thread = thread
        return thread

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for `start`'s thread; True when no run is under way any more."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running


def attach_note_vectors(graph: KnowledgeGraph, policy: str) -> NoteVectors | None:
    """Set `graph.note_vectors` where the configured embedder is the default hybrid one (the
    vectors are the configured model's, by ONNX Runtime) and the graph has static vectors;
    nothing is loaded or embedded here. Returns it (or None)."""
    from dataclasses import replace

    from kg.embed.attach import shared_embedder

    config = graph.config
    if config is None or config.embedder != "hybrid" or policy not in ("all", "lazy", "stored"):
        return None
    if graph.embeddings is None:
        return None
    # One model per process for every graph opened (an edit re-opens the corpus): an
    # edit's note is embedded without starting the model again.
    vectors = NoteVectors(
        graph, shared_embedder(replace(config, embedder="transformer")), graph.index_folder
    )
    graph.note_vectors = vectors
    return vectors


def meaning_vectors(graph: KnowledgeGraph, ids: Sequence[str]) -> tuple[np.ndarray, str] | None:
    """(rows of these notes, label) by the whole-note vectors, when every note has one."""
    vectors = getattr(graph, "note_vectors", None)
    if vectors is None:
        return None
    rows = vectors.rows_for(ids)
    return None if rows is None else (rows, vectors.label)


def query_scores(graph: KnowledgeGraph, query: str) -> tuple[list[str], np.ndarray, str] | None:
    """(note ids, cosine of the query with each note's search vector (`search_matrix`: the
    whole note's with the headline's blended in), label) when every note has them, the query embedded by the same model (loaded on first use: ONNX
    Runtime, a few tenths of a second); None until then, or when the model cannot load."""
    from kg.errors import ModelUnavailable

    vectors = getattr(graph, "note_vectors", None)
    found = vectors.search_matrix() if vectors is not None else None
    if vectors is None or found is None:
        return None
    ids, matrix = found
    try:
        vector = normalize(np.asarray(vectors.embedder.encode([query]), dtype=np.float32))[0]
    except ModelUnavailable:
        return None
    return ids, matrix @ vector, vectors.search_label
