"""Following edits: a watch on the corpus folder and a reload that keeps the person's place.

`CorpusWatcher` runs `watchfiles` on a thread of its own and calls back with the changed
files (not the index folder, hidden files or editors' temporary files), at most a few
times a second. The app reloads with `kg.load(..., embed="lazy")` in a worker and hands
the new graph to `keep_place`, which redraws the main screen on the same note, the same
scroll position and the same row of the side panel; a note whose file was deleted says
so instead of vanishing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg import KnowledgeGraph

if TYPE_CHECKING:
    from kg_tui.screens.main import MainScreen

SUFFIXES = (".md", ".markdown", ".txt", ".yaml", ".yml")


def relevant(path: str | Path, root: Path) -> bool:
    """A file whose change can change the graph (not the index, not hidden, not temporary).

    >>> root = Path("/c")
    >>> relevant("/c/a.md", root), relevant("/c/.kg/notes.db", root), relevant("/c/.a.md.swp", root)
    (True, False, False)
    """
    path = Path(path)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    if any(part.startswith(".") for part in parts):
        return False
    name = path.name
    return name.endswith(SUFFIXES) and not name.endswith("~")


class CorpusWatcher:
    """Watch `root` on a daemon thread; `on_change(paths)` runs on that thread."""

    def __init__(self, root: Path, on_change: Callable[[list[str]], object]) -> None:
        self.root = root.resolve()
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kg-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from watchfiles import watch

        try:
            for changes in watch(
                self.root, debounce=150, step=50, stop_event=self._stop, raise_interrupt=False
            ):
                paths = sorted({p for _, p in changes if relevant(p, self.root)})
                if paths:
                    self.on_change(paths)
        except (OSError, RuntimeError):  # the folder went away, or no watch is possible
            return


def keep_place(screen: MainScreen, graph: KnowledgeGraph) -> str:
    """Show `graph` on `screen` where the person was; returns what happened, for a notice."""
    from textual.widgets import Static

    from kg_tui.widgets.neighbourhood import NeighbourhoodTree
    from kg_tui.widgets.note_view import NoteView

    view = screen.query_one(NoteView)
    tree = screen.query_one("#tree", NeighbourhoodTree)
    scroll_y, line = view.scroll_y, tree.cursor_line
    old = screen.current
    screen.graph = graph
    screen.titles = None
    screen.home = None
    stats = graph.corpus_stats()
    screen.query_one("#corpus-info", Static).update(
        f"{screen.kg_app.corpus_name} · {stats.notes:,} notes"
    )
    now = graph.find(old.id) if old is not None else None
    if old is not None and (now is None or (now.stub and not old.stub)):
        # Gone, or left only as a stub (a title other notes still link to).
        view.show_message(
            "This note was deleted",
            f"The file of “{old.title}” ({', '.join(old.files) or 'no file'}) is gone from "
            "the corpus. Press [ to go back, g for the overview or / to search.",
        )
        tree.show_groups([])
        screen.groups = []
        screen.call_after_refresh(screen.prepare, graph)
        return f"“{old.title}” was deleted"
    screen.show_current()

    def restore() -> None:
        view.scroll_to(y=scroll_y, animate=False)
        if line >= 0:
            tree.cursor_line = min(line, max(tree.last_line, 0))

    screen.call_after_refresh(restore)
    screen.call_after_refresh(screen.prepare, graph)
    return f"“{old.title}” updated" if old is not None else "corpus updated"
