"""Messages the browser's widgets and workers post: small dataclasses, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class OpenNote(Message):
    """Re-centre the walk on a note (by id)."""

    note_id: str


@dataclass
class JumpHistory(Message):
    """Go back to an entry of the breadcrumb trail."""

    position: int


@dataclass
class Highlighted(Message):
    """A neighbour is under the cursor somewhere (the concept map follows it)."""

    note_id: str | None


@dataclass
class GraphLoaded(Message):
    """The corpus has been opened (posted by the loading worker)."""

    graph: Any
    seconds: float


@dataclass
class LoadFailed(Message):
    """The corpus could not be opened."""

    error: str


@dataclass
class LoadProgress(Message):
    """Parsing progress while an index is built."""

    stage: str
    done: int
    total: int


@dataclass
class FilesChanged(Message):
    """Files of the corpus were saved, added or deleted (posted by the watcher)."""

    paths: list[str]


@dataclass
class Describe(Message):
    """Show a highlighted row in full in the details pane (a `kg_tui.details.Details`,
    or None to clear it)."""

    details: Any
