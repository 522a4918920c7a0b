"""Which vectors a trace ranks with when it is not told: the transformer's where the index
keeps them, else the stored static vectors, never thousands of texts embedded on the spot.

With ``embedder: hybrid`` a trace ranks with the transformer's vectors of the texts it
compares (`kg.query.fusion.default_scorer`). `kg index` computes and keeps those of a
corpus of up to 3,000 texts (`kg.query.warm`); a trace of a larger corpus would embed
1,600-2,400 texts of its sources on the spot (a note of the 10,000-page generated corpus:
85 s on two shared cores). So `trace` first ranks with only the kept vectors of the
candidates' texts (the claim itself, a text of its own, may still be embedded: one text);
when one is not kept, it ranks the whole trace with the stored static vectors instead,
which needs no model at all, and says so (`Evidence.vectors` of the root is "static").
The fused ranking is the same either way (the same parts and weights, over other vectors);
on the masked citations of notes/ and the seeds it ranks as well with static vectors as
with the transformer's (BENCHMARKS.md, "First trace at 10,000 pages"). A trace never mixes
the two: it ranks with the transformer's vectors only when every text it compares has one.

`kg index --trace-vectors all` computes the transformer's vectors of a large corpus (at
about a hundred texts a second); from then on its traces rank with them.

>>> from kg.graph.knowledge import crowd_example
>>> g, _ = crowd_example()  # no vectors at all: nothing to choose between
>>> kept_first(g) is None
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from kg.embed.texts import note_texts
from kg.errors import ModelUnavailable
from kg.query.claims import Evidence
from kg.query.fusion import FusedScorer

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

T = TypeVar("T")
TRANSFORMER = "transformer"  # `Evidence.vectors`: ranked with the transformer's kept vectors
STATIC = "static"  # ranked with the stored static vectors (the transformer's were not kept)
_HEADLINE = ("title", "description", "claim", "abstract")  # what a note's own vector sums


class NotKept(Exception):
    """A text a trace compares has no kept transformer vector."""


class KeptVectors:
    """The transformer's trace vectors (`kg.embed.lazy.LazyVectors`), answering only from
    what the index keeps: a note's texts that are not all kept raise `NotKept`; a free
    text (the claim, or its context) is embedded when not kept.

    Parameters
    ----------
    lazy : LazyVectors
        The transformer's vectors, with the index folder's `TextVectorCache`.
    """

    def __init__(self, lazy: Any, embed: bool = True) -> None:
        self.lazy = lazy
        self.cache = lazy.cache
        self.graph = lazy.graph
        self.embed = embed
        self.unkept: list[str] = []  # free texts not kept (and not embedded: `embed` False)

    @property
    def dim(self) -> int:
        return int(self.lazy.dim)

    @property
    def count(self) -> int:
        return int(self.lazy.count)

    def _require(self, note_id: str, fields: tuple[str, ...]) -> None:
        for field, _, text in note_texts(self.graph.note(note_id)):
            if field in fields and not self.cache.has(text):
                raise NotKept(f"{note_id}: {field} {text[:60]!r}")

    def vectors_for(self, note_id: str, field: str) -> np.ndarray:
        self._require(note_id, (field,))
        return np.asarray(self.lazy.vectors_for(note_id, field))

    def note_vector(self, note_id: str) -> np.ndarray | None:
        self._require(note_id, _HEADLINE)
        return self.lazy.note_vector(note_id)

    def text_vector(self, text: str) -> np.ndarray:
        if not self.embed and not self.cache.has(text):
            # Found out first whether the candidates' vectors are all kept, before the
            # model loads for this text: a zero vector now, the trace is run again.
            self.unkept.append(text)
            return np.zeros(self.dim, dtype=np.float32)
        return np.asarray(self.lazy.text_vector(text))


class StoredRows:
    """A vector store's answers to a trace, each kept once: a trace asks for the same
    note's rows for every claim it ranks that note for (memory-mapped rows gathered again
    each time otherwise).

    Parameters
    ----------
    store : VectorStore
        The stored (static) vectors.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self._fields: dict[tuple[str, str], np.ndarray] = {}
        self._notes: dict[str, np.ndarray | None] = {}

    @property
    def dim(self) -> int:
        return int(self.store.dim)

    @property
    def count(self) -> int:
        return int(self.store.count)

    def vectors_for(self, note_id: str, field: str) -> np.ndarray:
        key = (note_id, field)
        found = self._fields.get(key)
        if found is None:
            found = self._fields[key] = np.asarray(self.store.vectors_for(note_id, field))
        return found

    def note_vector(self, note_id: str) -> np.ndarray | None:
        if note_id not in self._notes:
            self._notes[note_id] = self.store.note_vector(note_id)
        return self._notes[note_id]

    def text_vector(self, text: str) -> np.ndarray:
        return np.asarray(self.store.text_vector(text))


def kept_first(graph: KnowledgeGraph) -> tuple[Any, FusedScorer] | None:
    """The vectors a trace that is not told how to rank chooses between: the transformer's
    kept vectors (`KeptVectors`), and the fused ranking over the stored static vectors;
    None when the graph lacks either (then `kg.query.fusion.default_scorer` decides alone).

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph.

    Returns
    -------
    (LazyVectors, FusedScorer) or None
    """
    lazy = graph.lazy_vectors
    static = graph.embeddings
    if lazy is None or not getattr(lazy, "rank_first", False) or lazy.cache is None:
        return None
    if static is None or not int(static.count):
        return None
    return lazy, FusedScorer(StoredRows(static))


def trace_kept_first(graph: KnowledgeGraph, run: Callable[[Any], Evidence]) -> Evidence | None:
    """`run(scorer)` with the transformer's kept vectors when every text it compares has
    one (free texts not kept, such as the claim, embedded then), else with the stored
    static vectors; the tree's root says which (`Evidence.vectors`). None when the graph
    has no such choice.

    The first run embeds nothing: a claim's vector not kept is a zero vector there, and
    the run is made again with it embedded only when the candidates' vectors are all kept,
    so a trace that falls back to the static vectors never waits for the model.
    """
    found = run_kept_first(graph, run)
    if found is None:
        return None
    tree, vectors = found
    return replace(tree, vectors=vectors)


def run_kept_first(graph: KnowledgeGraph, run: Callable[[Any], T]) -> tuple[T, str] | None:
    """`run(scorer)` as `trace_kept_first` runs it, whatever it returns, with which
    vectors it ranked (`TRANSFORMER` or `STATIC`); None when the graph has no such
    choice. `kg.query.uses.unsupported_claims` checks each note so, as its trace would
    rank it, so the two never disagree.

    >>> from kg.graph.knowledge import crowd_example
    >>> g, _ = crowd_example()
    >>> run_kept_first(g, lambda scorer: 1) is None  # no vectors: nothing to choose
    True
    """
    tried = kept_first(graph)
    if tried is None:
        return None
    lazy, static = tried
    try:
        if lazy.cache.dim is None:
            raise NotKept("no transformer vectors are kept")
        probe = KeptVectors(lazy, embed=False)
        result = run(FusedScorer(probe))
        if probe.unkept:
            result = run(FusedScorer(KeptVectors(lazy)))
        return result, TRANSFORMER
    except (NotKept, ModelUnavailable):
        return run(static), STATIC
