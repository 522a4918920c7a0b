"""The vectors a corpus opened by `kg.load` gets (step 4 of `kg.index.loader`), by policy.

>>> from kg.graph.knowledge import _demo
>>> from kg.config import Config
>>> import pathlib, tempfile
>>> g = _demo()
>>> attach_vectors(g, pathlib.Path(tempfile.mkdtemp()), Config(), "none")
>>> g.embeddings is None
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.embed.attach import attach, attach_stored, attach_trace_vectors
from kg.embed.state import Progress

if TYPE_CHECKING:
    from kg.config import Config
    from kg.embed.models import Embedder
    from kg.graph.knowledge import KnowledgeGraph


def attach_vectors(
    graph: KnowledgeGraph,
    folder: Path,
    config: Config,
    policy: str,
    *,
    embedder: Embedder | None = None,
    save: bool = True,
    progress: Progress | None = None,
) -> None:
    """Step 4 of `kg.load` (`kg.index.loader`): give the graph its vectors as the embed
    `policy` says (see `kg.index.loader.EMBED_POLICIES`). The graph knows its index
    folder (None when nothing is saved) and signature already.

    "all" embeds every text without a stored vector (`attach`); "stored" and "lazy" use
    the stored vectors (`attach_stored`; "lazy" embeds the texts changed since they were
    saved); "none" attaches none. Then the vectors a trace embeds when it asks, and the
    model's whole-note vectors where they are kept. An edit's notes lack their model
    vectors meanwhile: near, search and traces rank with the static vectors and say so.
    They are computed after the load, never on its way (`kg index` once the update is
    written, `kg watch` and the browser on a thread: `KnowledgeGraph.embed_notes`), so
    an edit never waits for the model to start.
    """
    if policy == "all":
        attach(
            graph,
            folder,
            config,
            embedder=embedder,
            signature=graph.index_signature,
            save=save,
            progress=progress,
        )
    elif policy in ("stored", "lazy"):
        attach_stored(
            graph, refresh=policy == "lazy", embedder=embedder, save=save, progress=progress
        )
    attach_trace_vectors(graph, config, policy, embedder)
    if embedder is None:
        from kg.embed.notevectors import attach_note_vectors

        attach_note_vectors(graph, policy)
