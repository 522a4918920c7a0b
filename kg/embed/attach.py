"""Wiring the vector store into `kg.load`: embed what is missing and attach, or attach what is stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.embed.files import MANIFEST
from kg.embed.models import Embedder
from kg.embed.state import EmbedderSource, Progress
from kg.embed.store import VectorStore
from kg.errors import ModelUnavailable

if TYPE_CHECKING:
    from kg.config import Config
    from kg.embed.textcache import TextVectorCache
    from kg.graph.knowledge import KnowledgeGraph


def attach(
    graph: KnowledgeGraph,
    folder: Path,
    config: Config,
    *,
    embedder: Embedder | None = None,
    signature: str = "",
    save: bool = True,
    progress: Progress | None = None,
) -> VectorStore:
    """Open the vectors saved in `folder`, embed what `graph` has that they lack, save
    them (under the index lock) and set `graph.embeddings`.

    Never raises because the model is missing: notes then keep the vectors already stored
    and the reason is added to `graph.diagnostics`.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph to attach the vectors to.
    folder : pathlib.Path
        The index folder.
    config : Config
        The corpus's configuration (its `model`).
    embedder : Embedder, optional
        Embed with this instead of the configured model.
    signature : str
        The corpus signature recorded with the vectors.
    save : bool
        Whether to save the updated store.
    progress : callable, optional
        Called as ``progress("embed", done, total)``.

    Returns
    -------
    VectorStore
        The store (`graph.embeddings` is it, or None when no note has a vector).
    """
    from kg.embed.choose import embedder_identity, load_embedder
    from kg.io import index_lock
    from kg.model import Diagnostic, Severity

    source: EmbedderSource | None = embedder
    fingerprint: str | None = None
    unavailable: str | None = None
    if embedder is None:
        try:
            found = load_embedder(config)
        except ModelUnavailable as error:
            unavailable = str(error)
        else:
            source, fingerprint = found, getattr(found, "fingerprint", None)
            if hasattr(found, "progress"):  # the static embedder reports its distillation
                found.progress = progress
    else:
        fingerprint = getattr(embedder, "fingerprint", None)
    if embedder is not None:
        name = embedder.name
    elif source is not None:
        name = source.name  # type: ignore[union-attr]
    else:
        name = embedder_identity(config)[0]
    store = VectorStore.open(folder, name, fingerprint, embedder=source)
    if source is None:
        store.set_embedder(_unavailable(unavailable or "no embedding model"))
    notices = list(store.problems)
    store.update(graph, signature=signature, trusted=graph.from_index, progress=progress)
    if store.dirty and save:
        with index_lock(folder):
            store.save(folder)
    for problem in dict.fromkeys(store.problems):
        severity = Severity.INFO if problem in notices else Severity.WARNING
        graph.diagnostics.append(Diagnostic(str(folder / MANIFEST), None, severity, problem))
    graph.embeddings = store if store.count else None
    return store


def attach_stored(
    graph: KnowledgeGraph,
    *,
    refresh: bool = False,
    embedder: Embedder | None = None,
    save: bool = True,
    progress: Progress | None = None,
) -> VectorStore | None:
    """Attach the vectors saved in the graph's index folder.

    When they were made by the configured model (or `embedder`) from exactly the graph's
    files, they are attached as they are: nothing is embedded and the model is not loaded
    (it is, on the first free-text query). When the files changed since (an edit, a
    retitle, a file added or removed), the vectors of every text that did not change are
    kept: with `refresh` the texts that changed are embedded (only they, with the
    configured embedder, and the store is saved); without it the notes whose texts are
    stored keep their vectors and the others have none until `kg index` (or a load with
    ``embed="all"``) embeds them. Only vectors of another model are never used.

    Parameters
    ----------
    graph : KnowledgeGraph
        A graph from `kg.load`, which knows its index folder and signature.
    refresh : bool
        Embed the texts that changed since the vectors were saved.
    embedder : Embedder, optional
        The embedder the vectors are from and new texts are embedded with (the configured
        one, loaded only when a text needs it, by default).
    save : bool
        Save the store after embedding (`refresh` only).
    progress : callable, optional
        Called as ``progress("embed", done, total)`` while embedding.

    Returns
    -------
    VectorStore or None
        The store attached, or None (then `graph.embeddings` is unchanged).
    """
    from kg.embed.choose import embedder_identity

    folder = graph.index_folder
    config = graph.config
    if folder is None or config is None or not graph.index_signature:
        return None
    if embedder is not None:
        name, stamp = embedder.name, getattr(embedder, "fingerprint", None)
    else:
        name, stamp = embedder_identity(config)
    store = VectorStore.open(folder, name, stamp)
    if store.problems or not store.count:
        return None
    query_embedder: EmbedderSource = embedder or (lambda: _configured(config))
    if store.signature != graph.index_signature:
        if refresh:
            return attach(
                graph,
                folder,
                config,
                embedder=embedder or shared_embedder(config),
                signature=graph.index_signature,
                save=save,
                progress=progress,
            )
        # Keep what is stored; what changed waits for an embedding run.
        store.set_embedder(_unavailable("kg.load(embed='stored') embeds nothing"))
        store.update(graph, signature=graph.index_signature, trusted=graph.from_index)
        store.problems.clear()  # `complete` says whether some texts lack a vector
    store.set_embedder(query_embedder)
    graph.embeddings = store if store.count else None
    return graph.embeddings


_SHARED: dict[tuple[str, str, int], Embedder] = {}


def shared_embedder(config: Config) -> Embedder:
    """The configured embedder, one per model and kind in a process, loaded when it first
    embeds: the edits a watching client re-indexes one after another load the model once.
    """
    from kg.embed.lazy import DeferredEmbedder

    key = (config.model, config.embedder, config.batch_size)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = DeferredEmbedder(config)
    return found


def attach_trace_vectors(
    graph: KnowledgeGraph, config: Config, policy: str, embedder: Embedder | None = None
) -> None:
    """Set `graph.lazy_vectors`, the vectors a claim trace embeds when it asks.

    With ``embedder: hybrid`` (and ``embed`` "all" or "lazy") they come from the
    transformer and rank traces even where static vectors are stored
    (``lazy_vectors.rank_first``): a trace compares a few dozen texts, so the slow, more
    precise model costs its start-up (a few seconds, once per process) and little more.
    Otherwise, with ``embed="lazy"`` and no stored vectors, they come from the configured
    embedder (or `embedder`). Nothing is loaded here. Where the graph keeps an index
    folder and the embedder has a fingerprint, the vectors a trace embeds are kept there
    (`kg.embed.textcache`) once `graph.lazy_vectors.save()` is called, for the next run.

    Parameters
    ----------
    graph : KnowledgeGraph
        The graph, its vectors attached already.
    config : Config
        The corpus's configuration.
    policy : str
        The `kg.load` embed policy.
    embedder : Embedder, optional
        The embedder given to `kg.load` (then no transformer is added for traces, unless
        it is the configured one, a `kg.embed.lazy.DeferredEmbedder`).
    """
    from dataclasses import replace

    from kg.embed.lazy import DeferredEmbedder, LazyVectors

    configured = embedder is None or isinstance(embedder, DeferredEmbedder)
    if configured and config.embedder == "hybrid" and policy in ("all", "lazy"):
        transformer = shared_embedder(replace(config, embedder="transformer"))
        lazy = LazyVectors(graph, transformer, _cache(graph, transformer))
        lazy.rank_first = True
        graph.lazy_vectors = lazy
    elif policy == "lazy" and graph.embeddings is None:
        model = embedder or DeferredEmbedder(config)
        graph.lazy_vectors = LazyVectors(graph, model, _cache(graph, model))


def _cache(graph: KnowledgeGraph, embedder: object) -> TextVectorCache | None:
    """The vectors earlier traces saved in the graph's index folder for this embedder
    (None when the graph keeps no index or the embedder has no fingerprint)."""
    from kg.embed.textcache import TextVectorCache

    name = getattr(embedder, "name", None)
    stamp = getattr(embedder, "fingerprint", None)
    if graph.index_folder is None or not name or not stamp:
        return None
    return TextVectorCache(graph.index_folder, f"{name}|{stamp}")


def _configured(config: Config) -> Embedder:
    from kg.embed.choose import load_embedder

    return load_embedder(config)


def _unavailable(message: str) -> Callable[[], Embedder]:
    def fail() -> Embedder:
        raise ModelUnavailable(message)

    return fail
