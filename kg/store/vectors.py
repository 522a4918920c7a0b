"""The trace vectors travel with the corpus: `kg push` (and `kg serve`) send the index's
trace vectors (`kg.embed.textcache`) as files of their own, and a store's mirror puts them
in its index folder, so the first trace from a store reads them as the first trace of the
corpus does, instead of loading the model.

Each cache file goes as ``.kg-store/trace-vectors/<name>.b64`` (its bytes in base64: a
store holds texts); the corpus reader skips folders whose names start with a dot, so the
mirror's notes are the corpus's. What a mirror receives is merged with what it kept
(`kg.embed.textcache.merge_file`): vectors of another model, or a damaged file, are never
used.

>>> trace_vector_extras(None)
{}
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.embed.textcache import FOLDER, merge_file
from kg.store.partition import FileGraph, file_graph

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

SENT = ".kg-store/trace-vectors"  # where the files go in the store's corpus
WORDS = ".kg-store/trace-words.json"  # the corpus's word counts a trace weighs words by


def trace_vector_extras(g: KnowledgeGraph | None) -> dict[str, FileGraph]:
    """The graph's kept trace vectors as file graphs to push (none without an index)."""
    folder = getattr(g, "index_folder", None)
    if folder is None or not (Path(folder) / FOLDER).is_dir():
        return {}
    extras: dict[str, FileGraph] = {}
    for path in sorted((Path(folder) / FOLDER).glob("*.npz")):
        try:
            text = base64.b64encode(path.read_bytes()).decode("ascii")
        except OSError:
            continue
        name = f"{SENT}/{path.stem}.b64"
        extras[name] = file_graph(name, "", text)
    return extras


RESTORED = "restored.json"  # in the index's trace-vectors folder: what was merged last


def restore_trace_vectors(mirror: Path, index: Path) -> int:
    """Merge the trace vectors a store sent (in the mirror folder) into the mirror's index
    folder; returns how many vectors were new to it. A file merged before and unchanged
    since (same size and time as recorded) is not read again: a kept mirror of an
    unchanged store costs no decoding."""
    import json

    from kg.io import write_atomic

    record = index / FOLDER / RESTORED
    try:
        merged = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        merged = {}
    if not isinstance(merged, dict):
        merged = {}
    added = 0
    now: dict[str, list[int]] = {}
    for source in sorted((mirror / SENT).glob("*.b64")):
        try:
            stat = source.stat()
        except OSError:
            continue
        stamp = [stat.st_size, stat.st_mtime_ns]
        target = index / FOLDER / f"{source.stem}.npz"
        if merged.get(source.name) == stamp and target.is_file():
            now[source.name] = stamp
            continue
        try:
            data = base64.b64decode(source.read_text(encoding="ascii"), validate=True)
        except (OSError, ValueError, binascii.Error):
            continue
        added += merge_file(target, data)
        if target.is_file():
            now[source.name] = stamp
    if now != merged and (index / FOLDER).is_dir():
        with contextlib.suppress(OSError):
            write_atomic(record, json.dumps(now, sort_keys=True).encode("utf-8"))
    return added


def trace_word_extras(
    g: KnowledgeGraph, vectors: Iterable[str] = (), static: dict[str, Any] | None = None
) -> dict[str, FileGraph]:
    """The corpus's word counts a trace weighs words by (`kg.query.wordcounts`: kept in
    the index, else counted now; none for a graph without an index, as for the trace
    vectors), as a file graph to push, so a trace from the store that
    reads only the notes it compares (`kg.store.reach`) weighs words as the corpus does.
    Beside them: the names of the trace vector files sent (`vectors`), and the title keys
    (`kg.text.normalize_title`) that several notes' titles or aliases make, so the store
    can be asked for a note by its exact title; and which model made the static vectors
    sent with each note (`static`, see `kg.store.static_rows`)."""
    import json

    from kg.query import wordcounts
    from kg.query.scorers import _count_documents, document_frequencies
    from kg.text import normalize_title

    if getattr(g, "index_folder", None) is None:
        return {}
    kept = wordcounts.read(g)
    if kept is None:  # counted (after an edit, updated) and kept as a trace does
        document_frequencies(g)
        kept = wordcounts.read(g)
    counts, documents = kept if kept is not None else _count_documents(g)
    owners: dict[str, set[str]] = {}
    for note in g.notes():
        for name in (note.title, *note.aliases):
            owners.setdefault(normalize_title(name), set()).add(note.id)
    data: dict[str, Any] = {
        "format": wordcounts.FORMAT,
        "documents": documents,
        "counts": counts,
        "vectors": sorted(vectors),
        "shared": sorted(key for key, ids in owners.items() if len(ids) > 1),
    }
    if static is not None:
        data["static"] = static
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {WORDS: file_graph(WORDS, "", text)}


def use_word_counts(g: KnowledgeGraph, data: dict[str, Any]) -> bool:
    """Make `g`'s traces weigh words by the counts `data` holds (as `trace_word_extras`
    wrote them), keeping them in its index folder; False when they are not of this kg's
    format or cannot be kept (a trace would count `g`'s own notes instead)."""
    from kg.query import wordcounts

    if data.get("format") != wordcounts.FORMAT:
        return False
    counts, documents = data.get("counts"), data.get("documents")
    if not isinstance(counts, dict) or not isinstance(documents, int):
        return False
    if not all(isinstance(v, int) for v in counts.values()):
        return False
    if wordcounts.read(g) == (counts, documents):  # a kept trace folder: nothing to write
        return True
    return wordcounts.keep(g, counts, documents) and wordcounts.read(g) == (counts, documents)
