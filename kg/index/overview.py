"""What a first screen knows of a corpus before its index is read: the overview kept
beside the index, and whether there is an index at all (`index_state`).

`kg index` (and the browser, when none is kept for the files it read) keeps the overview
(`kg.graph.overview`: the corpus's figures and the notes to start from) in
``overview.json`` in the index folder, written whole and renamed into place, under the
signature of the files it was worked out from. `kept_overview` gives it only while it
belongs to the index the folder holds now: an edit the index took in (any process's
`kg.load`) changes that index's signature, and a damaged, half-written or other-format
file is ignored. Only JSON is read; notes are decoded as the index decodes them.

>>> import tempfile, pathlib
>>> import kg
>>> corpus = pathlib.Path(tempfile.mkdtemp())
>>> _ = (corpus / "a.md").write_text("Links to [[b]].")
>>> _ = (corpus / "b.md").write_text("Back to [[a]].")
>>> g = kg.load(corpus, embed="none")
>>> keep_overview(g)
True
>>> [n.title for n in kept_overview(corpus).lists[0][1]]
['a', 'b']
>>> _ = (corpus / "c.md").write_text("A new note.")
>>> _ = kg.load(corpus, embed="none")  # the index takes the edit in: the overview is stale
>>> kept_overview(corpus) is None
True
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kg.codec import note_from_json, note_to_json
from kg.errors import KgError
from kg.graph.figures import CorpusStats, same_counts, stats_key
from kg.graph.knowledge import KnowledgeGraph
from kg.graph.overview import (
    NEWEST_HEADING,
    Lists,
    Overview,
    newest_after_edit,
    remember_lists,
    starting_points,
)
from kg.index.read import open_index
from kg.index.stamps import MANIFEST, corpus_signature, index_dir, read_manifest
from kg.io import read_record

FILE = "overview.json"
FORMAT = 1


def kept_overview(corpus: str | Path = "notes", index: str | Path | None = None) -> Overview | None:
    """The overview kept for the index of `corpus` (in `index`, else CORPUS/.kg/), when
    it was worked out from the files that index was built from; else None.

    Cheap (a small JSON file and the index's record of its files: a few hundredths of a
    second at 40,000 notes), so a first screen can draw it before reading the index. The
    files themselves are not compared (that is `kg.load`'s work): after an edit the index
    has not taken in yet, the overview is the index's until the corpus is opened.
    """
    root = Path(corpus)
    if index is None and not root.is_dir():
        return None
    folder = index_dir(root, Path(index) if index is not None else None)
    found = _read(folder)
    if found is None:
        return None
    saved = open_index(folder)
    if saved is None:
        return None
    try:
        current = corpus_signature(saved.meta.get("stamps", ""))
    except (sqlite3.Error, ValueError, TypeError):  # a damaged graph file: trust nothing
        return None
    finally:
        saved.close()
    return found if found.signature == current else None


def index_state(corpus: str | Path = "notes", index: str | Path | None = None) -> str:
    """What opening `corpus` starts from (read from the index folder's manifest alone):
    ``"none"`` (no index: the first open reads every file), ``"outdated"`` (made by
    another version of kg: rebuilt) or ``"present"`` (reused, or updated where files
    changed since).

    >>> import tempfile, pathlib
    >>> index_state(pathlib.Path(tempfile.mkdtemp()))
    'none'
    """
    root = Path(corpus)
    folder = index_dir(root, Path(index) if index is not None else None)
    if not (folder / MANIFEST).exists():
        return "none"
    return "present" if read_manifest(folder) is not None else "outdated"


def overview(graph: KnowledgeGraph) -> Overview:
    """The overview of `graph`: its figures, counted once per graph, and its starting
    points, taken from the kept overview when it was worked out from the same files (its
    notes then are the graph's own), else worked out once.

    >>> from kg.graph.knowledge import _demo
    >>> overview(_demo()).stats.notes
    3
    """
    kept = _read(graph.index_folder) if graph.index_folder is not None else None
    if kept is not None and graph.index_signature and kept.signature == graph.index_signature:
        lists = _in_graph(kept.lists, graph)
        if lists is not None:
            remember_lists(graph, lists)
        if graph._stats is None and same_counts(kept.stats, graph):
            graph._stats = (stats_key(graph), kept.stats)  # not counted again
    newest = None
    update = graph.index_update
    before = dict(kept.lists).get(NEWEST_HEADING) if kept is not None else None
    if (
        kept is not None
        and before is not None
        and update is not None
        and update.mode == "updated"
        and update.previous_signature
        and kept.signature == update.previous_signature
    ):
        # Kept before this edit: its newest notes stand unless the edit touched them.
        newest = newest_after_edit(before, graph, update.changed_notes)
    return Overview(graph.corpus_stats(), starting_points(graph, newest), graph.index_signature)


def keep_overview(graph: KnowledgeGraph) -> bool:
    """Keep the overview of `graph` in its index folder, unless the one kept there is of
    the same files already. A graph with no index folder (``save=False``, a store) keeps
    nothing, and a folder that cannot be written is left as it is. Returns whether the
    folder now holds the graph's overview."""
    folder = graph.index_folder
    if folder is None or not graph.index_signature or not folder.is_dir():
        return False
    kept = _read(folder)
    if kept is not None and kept.signature == graph.index_signature:
        return True
    from kg.io import index_lock, write_atomic

    data = _to_json(overview(graph))
    with suppress(OSError, KgError), index_lock(folder, timeout=2.0):
        write_atomic(folder / FILE, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return True
    return False


def _in_graph(lists: Lists, graph: KnowledgeGraph) -> Lists | None:
    """The same lists with the graph's own notes (None if one is not in the graph)."""
    found = []
    for heading, listed in lists:
        notes = tuple(graph.find(n.id) for n in listed)
        if any(n is None for n in notes):
            return None
        found.append((heading, tuple(n for n in notes if n is not None)))
    return tuple(found)


def _to_json(view: Overview) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "signature": view.signature,
        "stats": asdict(view.stats),
        "lists": [[heading, [note_to_json(n) for n in notes]] for heading, notes in view.lists],
    }


def _read(folder: Path) -> Overview | None:
    """The overview in `folder` as written, or None (none, damaged, another format)."""
    data = read_record(folder / FILE, FORMAT, {"signature": str, "lists": list, "stats": dict})
    if data is None or not data["signature"]:
        return None
    signature = data["signature"]
    try:
        lists = tuple(
            (str(heading), tuple(note_from_json(item) for item in notes))
            for heading, notes in data["lists"]
        )
        return Overview(_stats(data["stats"]), lists, signature)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _stats(data: dict[str, Any]) -> CorpusStats:
    """The saved figures; a field missing or of the wrong type makes the file unusable."""
    stats = CorpusStats(**data)
    for name, value in asdict(stats).items():
        if not isinstance(value, int | dict):
            raise TypeError(f"{name} is {value!r}")
    return stats
