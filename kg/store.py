"""The index folder (CORPUS/.kg/ by default): the built graph, saved so reopening is cheap.

Files are written to a temporary name and renamed into place, the manifest last, so
a reader sees the old index or the new one, never a mix. A manifest that does not
match the corpus's files, or a damaged file, means the index is rebuilt, never used.
Only JSON and NumPy arrays are read back; nothing is unpickled.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from kg.corpus import FileStamp
from kg.errors import IndexCorrupt, IndexLocked
from kg.graph import KnowledgeGraph
from kg.model import (
    ConceptMap,
    Counts,
    Diagnostic,
    Link,
    LinkKind,
    Note,
    NoteKind,
    Paragraph,
    Severity,
    SourceEntry,
)

FORMAT_VERSION = 3
MANIFEST = "manifest.json"
GRAPH = "graph.json"
LOCK = "lock"


def index_dir(corpus: Path, index: Path | None = None) -> Path:
    """Where a corpus keeps its index: `index` if given, else CORPUS/.kg/."""
    if index is not None:
        return index
    return (corpus if corpus.is_dir() else corpus.parent) / ".kg"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def index_lock(folder: Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold the index folder's lock; a second writer waits up to `timeout` seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as error:
        raise IndexLocked(
            f"{folder}: another kg process is writing this index; wait for it or retry"
        ) from error
    try:
        yield
    finally:
        lock.release()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == FORMAT_VERSION else None


def stamps_key(stamps: list[FileStamp]) -> list[list[Any]]:
    return [[s.path, s.size, s.mtime_ns] for s in stamps]


def save_graph(
    folder: Path,
    graph: KnowledgeGraph,
    stamps: list[FileStamp],
    extra: dict[str, Any] | None = None,
) -> None:
    """Save the graph, then a manifest naming the files it was built from (written last)."""
    payload = json.dumps(graph_to_json(graph), ensure_ascii=False, separators=(",", ":"))
    data = payload.encode("utf-8")
    write_atomic(folder / GRAPH, data)
    manifest = {
        "version": FORMAT_VERSION,
        "files": stamps_key(stamps),
        "graph_bytes": len(data),
        **(extra or {}),
    }
    write_atomic(folder / MANIFEST, json.dumps(manifest).encode("utf-8"))


def load_graph(folder: Path, stamps: list[FileStamp], root: Path) -> KnowledgeGraph | None:
    """The saved graph if it was built from exactly these files, else None."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("files") != stamps_key(stamps):
        return None
    try:
        data = (folder / GRAPH).read_bytes()
        if len(data) != manifest.get("graph_bytes"):
            raise IndexCorrupt(f"{folder / GRAPH}: size does not match the manifest")
        return graph_from_json(json.loads(data), root)
    except (OSError, ValueError, KeyError, TypeError, IndexError, IndexCorrupt):
        return None


# ---------------------------------------------------------------- JSON forms

_LINK_FIELDS = (
    "source",
    "target",
    "kind",
    "file",
    "line",
    "order",
    "summary",
    "sentence",
    "label",
    "annotation",
    "relation",
    "section",
)


def graph_to_json(graph: KnowledgeGraph) -> dict[str, Any]:
    files: dict[str, int] = {}

    def file_index(name: str) -> int:
        return files.setdefault(name, len(files))

    links = [
        [
            lk.source,
            lk.target,
            lk.kind.value,
            file_index(lk.file),
            lk.line,
            lk.order,
            lk.summary,
            lk.sentence,
            lk.label,
            lk.annotation,
            lk.relation,
            lk.section,
        ]
        for lk in graph.links
    ]
    return {
        "notes": [note_to_json(n) for n in graph],
        "links": links,
        "link_files": list(files),
        "diagnostics": [[d.path, d.line, d.severity.value, d.message] for d in graph.diagnostics],
        "file_count": graph.files,
    }


def graph_from_json(data: dict[str, Any], root: Path) -> KnowledgeGraph:
    notes = {n.id: n for n in (note_from_json(item) for item in data["notes"])}
    files = data["link_files"]
    kinds = {k.value: k for k in LinkKind}
    links = [
        Link(
            row[0],
            row[1],
            kinds[row[2]],
            files[row[3]],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
        )
        for row in data["links"]
    ]
    diagnostics = [Diagnostic(p, ln, Severity(s), m) for p, ln, s, m in data["diagnostics"]]
    return KnowledgeGraph(notes, links, diagnostics, files=data["file_count"], root=root)


def note_to_json(note: Note) -> dict[str, Any]:
    out: dict[str, Any] = {"id": note.id, "title": note.title, "kind": note.kind.value}
    if note.stub:
        out["stub"] = True
    for name in ("description", "claim", "date", "collection", "arxiv"):
        value = getattr(note, name)
        if value:
            out[name] = value
    for name in ("categories", "tags", "aliases", "files"):
        value = getattr(note, name)
        if value:
            out[name] = list(value)
    if note.body:
        out["body"] = [[p.text, p.line] for p in note.body]
    if note.sources:
        out["sources"] = [[s.title, s.summary, s.line] for s in note.sources]
    if note.concept_map:
        cm = note.concept_map
        out["concept_map"] = [cm.direct, cm.two_hop, cm.cluster]
    counts = {k: v for k, v in asdict(note.counts).items() if v is not None}
    if counts:
        out["counts"] = counts
    if note.truncated:
        out["truncated"] = True
    return out


def note_from_json(item: dict[str, Any]) -> Note:
    cm = item.get("concept_map")
    return Note(
        id=item["id"],
        title=item["title"],
        kind=NoteKind(item["kind"]),
        stub=item.get("stub", False),
        description=item.get("description", ""),
        claim=item.get("claim", ""),
        categories=tuple(item.get("categories", ())),
        date=item.get("date", ""),
        collection=item.get("collection", ""),
        body=tuple(Paragraph(t, ln) for t, ln in item.get("body", ())),
        sources=tuple(SourceEntry(t, s, ln) for t, s, ln in item.get("sources", ())),
        concept_map=ConceptMap(cm[0], cm[1], cm[2]) if cm else None,
        counts=Counts(**item.get("counts", {})),
        arxiv=item.get("arxiv", ""),
        tags=tuple(item.get("tags", ())),
        aliases=tuple(item.get("aliases", ())),
        truncated=item.get("truncated", False),
        files=tuple(item.get("files", ())),
    )
