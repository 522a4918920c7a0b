"""The overview the last session worked out, so the next start draws it before the index
is read.

Once the browser has the overview's lists of a graph, it keeps them, with the corpus's
figures, in ``browse-first-screen.json`` in the index folder. The next start draws that
overview in its first frame, while the index is opened on a thread; the graph then takes
over: its lists replace these (the same ones when the index is unchanged: the file names
the corpus signature it was made from, `KnowledgeGraph.index_signature`). A note picked
before the graph is there opens once it is. The file holds ids, titles, kinds and counts
only, read as JSON; a missing, unreadable or other-version file is ignored.

>>> import tempfile
>>> from pathlib import Path
>>> from kg.model import Note, NoteKind
>>> folder = Path(tempfile.mkdtemp())
>>> note = Note(id="a", title="Can A happen?", kind=NoteKind.SYNTHESIS)
>>> stats = stats_from({"notes": 1, "stubs": 0, "links": 0})
>>> save(folder, Remembered("sig", stats, [("Most connected notes", [note])]))
True
>>> remembered = load(folder)
>>> remembered.signature, [n.title for n in remembered.lists[0][1]]
('sig', ['Can A happen?'])
>>> remembered.graph().corpus_stats().notes
1
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from kg import CorpusStats, KnowledgeGraph
from kg.model import Note, NoteKind

FILE = "browse-first-screen.json"
VERSION = 1

Lists = list[tuple[str, list[Note]]]


def index_folder(corpus: Path | None, index: str | Path | None) -> Path | None:
    """Where `kg.load` keeps the index of `corpus` (`index`, else CORPUS/.kg/)."""
    if index is not None:
        return Path(index)
    if corpus is not None and corpus.is_dir():
        return corpus / ".kg"
    return None


def stats_from(data: dict[str, Any]) -> CorpusStats:
    """A `CorpusStats` from its saved fields (the missing ones 0 or empty)."""
    known = {f.name: f for f in fields(CorpusStats)}
    values: dict[str, Any] = {"notes_by_kind": {}, "links_by_kind": {}, "extra": {}}
    values.update({name: 0 for name, f in known.items() if name not in values})
    values.update({k: v for k, v in data.items() if k in known})
    return CorpusStats(**values)


class _RememberedGraph(KnowledgeGraph):
    """The remembered overview's notes as a small graph whose figures are the corpus's."""

    def __init__(self, notes: dict[str, Note], stats: CorpusStats) -> None:
        super().__init__(notes, [])
        self._stats = stats

    def corpus_stats(self) -> CorpusStats:
        return self._stats


@dataclass(frozen=True)
class Remembered:
    """The overview of a graph: its figures and its lists (notes with id, title, kind)."""

    signature: str
    stats: CorpusStats
    lists: Lists

    def graph(self) -> KnowledgeGraph:
        """A stand-in graph of just these notes, whose `corpus_stats` are the corpus's:
        enough to draw the overview before the real graph is there."""
        notes = {n.id: n for _, listed in self.lists for n in listed}
        return _RememberedGraph(notes, self.stats)

    def lists_in(self, graph: KnowledgeGraph) -> Lists | None:
        """The lists with `graph`'s own notes, when `graph` was read from the same files
        (and holds every note listed); else None."""
        if not self.signature or graph.index_signature != self.signature:
            return None
        found: Lists = []
        for heading, listed in self.lists:
            notes = [graph.find(n.id) for n in listed]
            if any(n is None for n in notes):
                return None
            found.append((heading, [n for n in notes if n is not None]))
        return found

    def to_json(self) -> dict[str, Any]:
        stats = asdict(self.stats)
        return {
            "version": VERSION,
            "signature": self.signature,
            "stats": stats,
            "lists": [
                [heading, [[n.id, n.title, n.kind.value, n.stub] for n in listed]]
                for heading, listed in self.lists
            ],
        }


def load(folder: Path | None) -> Remembered | None:
    """The overview kept in `folder`, or None (none kept, unreadable, another version)."""
    if folder is None:
        return None
    try:
        data = json.loads((folder / FILE).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        lists: Lists = [
            (
                str(heading),
                [
                    Note(id=str(i), title=str(title), kind=NoteKind(kind), stub=bool(stub))
                    for i, title, kind, stub in listed
                ],
            )
            for heading, listed in data["lists"]
        ]
        return Remembered(str(data["signature"]), stats_from(dict(data["stats"])), lists)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(folder: Path | None, remembered: Remembered) -> bool:
    """Keep `remembered` in `folder` (written whole, then renamed into place); False when
    the folder cannot be written (a read-only index is browsed all the same)."""
    if folder is None or not folder.is_dir():
        return False
    temporary = folder / f".{FILE}.{os.getpid()}.tmp"
    try:
        temporary.write_text(json.dumps(remembered.to_json()), encoding="utf-8")
        temporary.replace(folder / FILE)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    return True
