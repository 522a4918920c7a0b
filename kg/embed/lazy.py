"""Vectors embedded only when a task asks for them, for a corpus whose index has none yet.

`kg trace` on a corpus that was indexed without embeddings would otherwise embed every
note first (about 20 minutes for 10,000 notes on this project's machine) to rank the
sources of a single note. `LazyVectors` answers the same three questions a `VectorStore`
answers for the trace scorers (`vectors_for`, `note_vector`, `text_vector`), embedding one
note's field in one batch the first time it is asked for, with the same texts
(`kg.embed.texts.note_texts`) and the same note vector (the normalized sum of its title,
description, claim and abstract vectors), so the ranking is the one stored vectors give.

>>> import numpy as np
>>> from kg.model import Note, NoteKind
>>> from kg.graph.knowledge import KnowledgeGraph
>>> class Letters:  # a toy embedder: one dimension per letter a..e
...     name, dim = "letters", 5
...     def encode(self, texts):
...         return np.array([[t.count(c) + 0.0 for c in "abcde"] for t in texts])
>>> g = KnowledgeGraph({"n": Note(id="n", title="abc", kind=NoteKind.SYNTHESIS, claim="ab")}, [])
>>> lazy = LazyVectors(g, Letters())
>>> [round(float(x), 3) for x in lazy.vectors_for("n", "claim")[0]], lazy.embedded
([0.707, 0.707, 0.0, 0.0, 0.0], 1)
>>> float(lazy.note_vector("n") @ lazy.text_vector("c")) > 0, lazy.embedded
(True, 3)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from kg.embed.models import normalize
from kg.embed.texts import FIELDS, note_texts
from kg.errors import KgError

if TYPE_CHECKING:
    from kg.config import Config
    from kg.embed.models import Embedder
    from kg.embed.textcache import TextVectorCache
    from kg.graph.knowledge import KnowledgeGraph

_OWN_FIELDS = ("title", "description", "claim", "abstract")
REPORT_SECONDS = 5.0  # how often a long run of embedding for traces logs how far it is
log = logging.getLogger(__name__)


class DeferredEmbedder:
    """The configured model, loaded the first time a text is embedded (or its size asked),
    so opening a corpus never waits for it.

    Raises `ModelUnavailable` then, where the model cannot be loaded.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        from kg.embed.choose import embedder_identity

        # The name and fingerprint the vectors are stored with, known without loading.
        self.name, self.fingerprint = embedder_identity(config)
        self._model: Embedder | None = None
        self._loading = threading.Lock()
        # Called once with the model's name before the first texts are embedded, when the
        # weights load (a client says why it waits).
        self.on_load: Callable[[str], None] | None = None

    def _loaded(self) -> Embedder:
        with self._loading:  # one load when threads ask at once (a shared embedder)
            return self._load()

    def _load(self) -> Embedder:
        if self._model is None:
            if self.config.embedder == "transformer":
                # The same vectors, from ONNX Runtime where it can be had (no torch import).
                from kg.embed.onnx import fast_transformer

                self._model = fast_transformer(self.config)
            else:
                from kg.embed.choose import load_embedder

                self._model = load_embedder(self.config)
        assert self._model is not None
        return self._model

    @property
    def dim(self) -> int:
        return int(self._loaded().dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.on_load is not None:  # the weights load with the first texts embedded
            said, self.on_load = self.on_load, None
            said(self.name)
        return np.asarray(self._loaded().encode(texts))

    def check(self) -> None:
        """Raise `ModelUnavailable` where the model cannot be found, without loading it
        (for the transformer: its folder and packages are looked up, nothing imported)."""
        self._loaded()


class LazyVectors:
    """Embeds a note's texts field by field, on first use, and keeps them for the process
    (and, given a `TextVectorCache`, between processes: see `save`).

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph whose notes' texts are embedded.
    embedder : Embedder
        What embeds them.
    cache : TextVectorCache, optional
        Vectors saved by earlier runs with the same model, used instead of embedding.
    """

    def __init__(
        self, graph: KnowledgeGraph, embedder: Embedder, cache: TextVectorCache | None = None
    ) -> None:
        self.graph = graph
        self.embedder = embedder
        self.cache = cache
        self.embedded = 0  # texts embedded so far (not counting those the cache had)
        # True: rank traces with these even where vectors are stored (the hybrid embedder's
        # transformer, more precise than the stored static vectors).
        self.rank_first = False
        self._fields: dict[tuple[str, str], np.ndarray] = {}
        self._notes: dict[str, np.ndarray | None] = {}
        self._queries: dict[str, np.ndarray] = {}
        self._reported: float | None = None  # when progress was last logged
        self._began: float | None = None
        # False while a caller shows its own progress (`kg.query.warm`): no log lines then.
        self.say_progress = True

    def ready(self) -> None:
        """Load the model now (a trace is about to need it).

        Raises
        ------
        ModelUnavailable
            When the model cannot be loaded; the caller ranks by words instead.

        With vectors cached from earlier runs the model is only looked for, not loaded:
        it loads when a text the cache lacks is embedded.
        """
        check = getattr(self.embedder, "check", None)
        if self.cache is not None and self.cache.dim is not None and check is not None:
            check()
            return
        _ = self.embedder.dim

    @property
    def dim(self) -> int:
        """The vectors' size (from the cache when it has any, so the model stays unloaded)."""
        known = self.cache.dim if self.cache is not None else None
        return int(known) if known is not None else int(self.embedder.dim)

    def save(self) -> int:
        """Save the vectors embedded in this process to the cache (if any) for the next
        run; returns how many texts were new."""
        return self.cache.save() if self.cache is not None else 0

    @property
    def count(self) -> int:
        """Notes with a vector so far (the trace scorers only ask whether there are any)."""
        return sum(1 for vector in self._notes.values() if vector is not None)

    def _encode(self, texts: list[str]) -> np.ndarray:
        cache = self.cache
        found = [cache.get(t) if cache is not None else None for t in texts]
        missing = [t for t, vector in zip(texts, found, strict=True) if vector is None]
        if missing:
            self._say()
            vectors = np.asarray(self.embedder.encode(list(missing)), dtype=np.float32)
            if vectors.ndim != 2 or vectors.shape[0] != len(missing):
                raise KgError(
                    f"the embedder returned an array of shape {vectors.shape} for "
                    f"{len(missing)} texts"
                )
            self.embedded += len(missing)
            fresh = iter(normalize(vectors))
            for position, vector in enumerate(found):
                if vector is None:
                    found[position] = row = next(fresh)
                    if cache is not None:
                        cache.put(texts[position], row)
        return np.stack([np.asarray(v, dtype=np.float32) for v in found])

    def _say(self) -> None:
        """Log the first embedding of this process (which loads the model) and, every
        `REPORT_SECONDS` after, how many texts are embedded so far: a first trace that
        takes half a minute says what it does."""
        if not self.say_progress:
            return
        now = time.monotonic()
        if self._reported is None:
            self._reported = self._began = now
            log.info(
                "embedding the texts a trace compares with %s, as it reaches them (the "
                "first trace of a process loads the model; later ones reuse what was "
                "embedded); how many so far, every %.0f s",
                getattr(self.embedder, "name", "the model"),
                REPORT_SECONDS,
            )
        elif now - self._reported >= REPORT_SECONDS:
            self._reported = now
            log.info(
                "embedded %d texts for traces so far, in %.0f s",
                self.embedded,
                now - (self._began or now),
            )

    def missing(self, texts: list[str]) -> list[str]:
        """The distinct texts of `texts` neither the cache nor this process has a vector of."""
        cache = self.cache
        if cache is None:
            return list(dict.fromkeys(texts))
        return [t for t in dict.fromkeys(texts) if not cache.has(t)]

    def embed(self, texts: list[str]) -> int:
        """Embed the texts the cache lacks in one batch (kept for `save`); returns how many."""
        missing = self.missing(texts)
        if missing:
            self._encode(missing)
        return len(missing)

    def vectors_for(self, note_id: str, field: str) -> np.ndarray:
        """One field's vectors of a note, row i for index i (zeros where i has no text)."""
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}; fields are {', '.join(FIELDS)}")
        key = (note_id, field)
        found = self._fields.get(key)
        if found is None:
            texts = [(i, t) for f, i, t in note_texts(self.graph.note(note_id)) if f == field]
            found = np.zeros((0, self.dim), dtype=np.float32)
            if texts:
                vectors = self._encode([t for _, t in texts])
                found = np.zeros((max(i for i, _ in texts) + 1, vectors.shape[1]), np.float32)
                for row, (i, _) in enumerate(texts):
                    found[i] = vectors[row]
            self._fields[key] = found
        return found

    def note_vector(self, note_id: str) -> np.ndarray | None:
        """The note's own vector: its title, description, claim and abstract vectors
        summed and normalized (None when it has none of these)."""
        if note_id not in self._notes:
            parts = [self.vectors_for(note_id, name) for name in _OWN_FIELDS]
            rows = [part.sum(axis=0) for part in parts if len(part)]
            self._notes[note_id] = normalize(np.sum(rows, axis=0)) if rows else None
        return self._notes[note_id]

    def text_vector(self, text: str) -> np.ndarray:
        """The vector of a free text."""
        found = self._queries.get(text)
        if found is None:
            found = self._queries[text] = self._encode([text])[0]
        return found
