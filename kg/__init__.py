"""kg: research notes as a typed knowledge graph, with embeddings and claim tracing.

Quickstart::

    import kg
    g = kg.load("notes")                       # parse (and embed) a folder; reuses notes/.kg/
    g = kg.connect("http://127.0.0.1:7878")    # or a corpus someone `kg push`ed to a store
    note = g.note("can a verifier be trusted more than the generator it checks?")
    g.neighbours(note, depth=2, kinds="related")   # typed links, with file and line
    g.near(note, k=5), g.search("majority vote")   # by meaning, by words and meaning
    g.trace(note)                              # the evidence tree of its claim
    g.subgraph(around=note).to_graphml("n.graphml"); g.nx   # out to other tools
    kg.load("notes", embed="none")             # the graph alone, no model

Everything a call returns is a type exported here (`Note`, `Link`, `Neighbour`, `NearNote`,
`SearchHit`, `Claim`, `Evidence`, `SubGraph`, ...); every error is a `KgError`. Each
prints on one short line; lists of them come as `Results`, which print as a table and give
`.to_records()` and `.to_frame()`; a trace prints as a short tree.

>>> import kg
>>> "load" in kg.__all__ and kg.__all__ == sorted(kg.__all__)
True
"""

import functools
import inspect
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.config import Config, load_config
from kg.display import Results
from kg.errors import (
    CorpusError,
    ExportError,
    IndexDamaged,
    IndexLocked,
    InvalidArgument,
    KgError,
    MissingPackage,
    ModelUnavailable,
    NoteNotFound,
    StoreError,
    check_options,
    check_path,
)
from kg.graph.analysis import NoteVectors
from kg.graph.bridge_links import BridgeLink
from kg.graph.bridges import Bridge
from kg.graph.communities import Cluster, Clustering
from kg.graph.contested import Contest, ContestedClaim, ContestSide
from kg.graph.knowledge import CorpusStats, KnowledgeGraph, NotePath
from kg.graph.metadata import MetadataTable, NoteMetadata
from kg.graph.overview import Overview
from kg.index.loader import load as _load_folder
from kg.index.overview import index_state, keep_overview, kept_overview, overview
from kg.index.watch import watch
from kg.model import (
    ConceptMap,
    Counts,
    Diagnostic,
    Link,
    LinkKind,
    NearNote,
    Neighbour,
    Note,
    NoteKind,
    NoteStats,
    Page,
    PageCopy,
    SearchHit,
    Severity,
)
from kg.parse.markdown import parse_markdown
from kg.parse.site import parse_page
from kg.properties import Properties

if TYPE_CHECKING:
    from kg.embed.choose import load_embedder
    from kg.embed.models import Embedder, SentenceTransformerEmbedder
    from kg.embed.vectors import VectorStore
    from kg.export.subgraph import NearPair, SubGraph
    from kg.index.update import IndexUpdate
    from kg.query.gaps import Gap, SuggestedLink
    from kg.query.related import NearWeights
    from kg.query.titles import TitleIndex
    from kg.query.trace import Claim, Evidence, Unsupported, Use
    from kg.store.remote import connect

# kg reports long first calls and waits for other processes through logging (loggers under
# "kg", level INFO); an application chooses whether to show them.
logging.getLogger("kg").addHandler(logging.NullHandler())

# Imported on first use, so `import kg` loads neither numpy nor the model's packages.
_LAZY = {
    "Claim": "kg.query.trace",
    "Evidence": "kg.query.trace",
    "Gap": "kg.query.gaps",
    "IndexUpdate": "kg.index.update",
    "NearPair": "kg.export.subgraph",
    "NearWeights": "kg.query.related",
    "SuggestedLink": "kg.query.gaps",
    "SubGraph": "kg.export.subgraph",
    "TitleIndex": "kg.query.titles",
    "Unsupported": "kg.query.trace",
    "Use": "kg.query.trace",
    "Embedder": "kg.embed.models",
    "SentenceTransformerEmbedder": "kg.embed.models",
    "VectorStore": "kg.embed.vectors",
    "load_embedder": "kg.embed.choose",
    "connect": "kg.store.remote",
}


@functools.wraps(_load_folder)
def load(path: str | Path = "notes", **options: Any) -> KnowledgeGraph:
    check_path("path", path, "a folder or file of notes, or a store's URL")
    valid = [name for name in inspect.signature(_load_folder).parameters if name != "path"]
    # A store's URL opens the corpus pushed there (`kg.connect`); anything else is a folder.
    if isinstance(path, str) and path.startswith(("http://", "https://")):
        from kg.store.remote import connect

        check_options("kg.load", options, [*valid, "cache"])
        return connect(path, **options)
    check_options("kg.load", options, valid)
    graph = _load_folder(path, **options)
    if graph.files == 0:
        logging.getLogger("kg").warning(
            "%s holds no notes (no .md or .txt files): is it the corpus folder?", path
        )
    return graph


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Bridge",
    "BridgeLink",
    "Claim",
    "Cluster",
    "Clustering",
    "ConceptMap",
    "Config",
    "Contest",
    "ContestSide",
    "ContestedClaim",
    "CorpusError",
    "CorpusStats",
    "Counts",
    "Diagnostic",
    "Embedder",
    "Evidence",
    "ExportError",
    "Gap",
    "IndexDamaged",
    "IndexLocked",
    "IndexUpdate",
    "InvalidArgument",
    "KgError",
    "KnowledgeGraph",
    "Link",
    "LinkKind",
    "MetadataTable",
    "MissingPackage",
    "ModelUnavailable",
    "NearNote",
    "NearPair",
    "NearWeights",
    "Neighbour",
    "Note",
    "NoteKind",
    "NoteMetadata",
    "NoteNotFound",
    "NotePath",
    "NoteStats",
    "NoteVectors",
    "Overview",
    "Page",
    "PageCopy",
    "Properties",
    "Results",
    "SearchHit",
    "SentenceTransformerEmbedder",
    "Severity",
    "StoreError",
    "SubGraph",
    "SuggestedLink",
    "TitleIndex",
    "Unsupported",
    "Use",
    "VectorStore",
    "connect",
    "index_state",
    "keep_overview",
    "kept_overview",
    "load",
    "load_config",
    "load_embedder",
    "overview",
    "parse_markdown",
    "parse_page",
    "watch",
]

__version__ = "0.1.0"
