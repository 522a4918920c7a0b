"""Following edits: a watch on the corpus folder and a reload that keeps the person's place.

`CorpusWatcher` runs `watchfiles` on a thread of its own and calls back with the changed
files (not the index folder, hidden files or editors' temporary files), at most a few
times a second. The app reloads with `kg.load(..., embed="lazy")` in a worker and hands
the new graph to `keep_place`, which redraws the main screen on the same note, the same
scroll position and the same row of the side panel. `note_changes` says which notes one
re-index changed (the toast names them); a note retitled, or whose file was renamed, is
followed to its new id, in the history too, as Obsidian follows a rename; only a note whose
file is gone says it was deleted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg import KnowledgeGraph
from kg.model import Note

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


@dataclass(frozen=True)
class NoteChanges:
    """The notes one re-index changed, found from the files `graph.index_update` names."""

    updated: tuple[Note, ...] = ()  # as they are now
    added: tuple[Note, ...] = ()
    removed: tuple[Note, ...] = ()  # as they were
    renamed: tuple[tuple[Note, Note], ...] = ()  # (before, now): retitled or file renamed

    @property
    def moved(self) -> dict[str, str]:
        """Old id -> new id of the notes that go by another id now."""
        return {before.id: now.id for before, now in self.renamed if before.id != now.id}

    def describe(self) -> str:
        """What a person is told, naming the notes.

        >>> from kg.model import NoteKind
        >>> a, b = (Note(id=i, title=t, kind=NoteKind.SYNTHESIS) for i, t in (("a", "A?"), ("b", "B?")))
        >>> NoteChanges(updated=(a,), renamed=((a, b),)).describe()
        '“A?” is now “B?”; “A?” updated'
        >>> NoteChanges().describe()
        'no note changed'
        """
        parts = [f"“{before.title}” is now “{now.title}”" for before, now in self.renamed]
        parts += [f"“{note.title}” updated" for note in self.updated]
        parts += [f"“{note.title}” added" for note in self.added]
        parts += [f"“{note.title}” deleted" for note in self.removed]
        if len(parts) > 3:
            return "; ".join(parts[:2]) + f"; {len(parts) - 2} more notes changed"
        return "; ".join(parts) or "no note changed"


def _by_file(notes: Iterable[Note | None], files: set[str]) -> dict[str, Note]:
    return {f: n for n in notes if n is not None and not n.stub for f in n.files if f in files}


def note_changes(before: KnowledgeGraph | None, now: KnowledgeGraph) -> NoteChanges:
    """The notes `now` changed since `before` (the graph shown until then), read from the
    files its `index_update` says changed, were added or removed. A file renamed (one
    gone, one new, in one re-index) is taken for a rename of its note."""
    update = now.index_update
    if before is None or update is None or update.mode == "reused":
        return NoteChanges()
    files = {*update.changed, *update.added, *update.removed}
    if not files:
        return NoteChanges()
    if update.mode == "updated":  # only these notes can differ: no need to read the rest
        ids = update.changed_notes
        now_of = _by_file((now.find(i) for i in ids), files)
        was_of = _by_file((before.find(i) for i in ids), files)
    else:
        now_of, was_of = _by_file(now, files), _by_file(before, files)
    updated: dict[str, Note] = {}
    added: dict[str, Note] = {}
    removed: dict[str, Note] = {}
    renamed: dict[str, tuple[Note, Note]] = {}
    for path in sorted(files):
        was, is_now = was_of.get(path), now_of.get(path)
        if was is not None and is_now is not None and was.id != is_now.id:
            renamed[was.id] = (was, is_now)
        elif is_now is not None:
            existed = before.find(is_now.id)
            into = updated if existed is not None and not existed.stub else added
            into[is_now.id] = is_now
        elif was is not None:
            still = now.find(was.id)
            if still is not None and not still.stub:
                updated[was.id] = still  # another of its files remains
            else:
                removed[was.id] = was
    if len(removed) == 1 and len(added) == 1:  # one file renamed (or moved)
        (was,), (is_now,) = removed.values(), added.values()
        renamed[was.id] = (was, is_now)
        removed, added = {}, {}
    followed = {now_note.id for _, now_note in renamed.values()}
    return NoteChanges(
        tuple(n for i, n in updated.items() if i not in followed),
        tuple(added.values()),
        tuple(removed.values()),
        tuple(renamed.values()),
    )


def _follow_file(note: Note, graph: KnowledgeGraph) -> Note | None:
    """The note `note`'s first file makes in `graph`, when it is not a stub (a fallback
    for a change `note_changes` did not see, such as another process's re-index)."""
    for path in note.files:
        found = graph.find(path) if "/" in path or path.casefold().endswith(".md") else None
        if found is not None and not found.stub:
            return found
    return None


def keep_place(
    screen: MainScreen, graph: KnowledgeGraph, changes: NoteChanges | None = None
) -> None:
    """Show `graph` on `screen` where the person was: the same note (followed to its new
    id when it was retitled or its file renamed), scroll position and side-panel row."""
    from textual.widgets import Static

    from kg_tui.widgets.neighbourhood import NeighbourhoodTree
    from kg_tui.widgets.note_view import NoteView

    view = screen.query_one(NoteView)
    tree = screen.query_one("#tree", NeighbourhoodTree)
    scroll_y, line = view.scroll_y, tree.cursor_line
    focused = screen.focused
    was_focused = focused.id if focused is not None else None
    old = screen.current
    gone = screen.gone
    if old is None and gone is not None and screen.history.current == gone.id:
        old = gone  # still on the note shown as deleted: it stays so unless it came back
    moved = dict(changes.moved) if changes is not None else {}
    if old is not None and old.id not in moved:
        kept = graph.find(old.id)
        if kept is None or (kept.stub and not old.stub):
            followed = _follow_file(old, graph)
            if followed is not None:
                moved[old.id] = followed.id
    screen.history.rename(moved)
    screen.recall.rename(moved)
    screen.graph = graph
    screen.titles = None
    screen.home = None
    stats = graph.corpus_stats()
    screen.query_one("#corpus-info", Static).update(
        f"{screen.kg_app.corpus_name} · {stats.notes:,} notes"
    )
    now = screen.current
    screen.gone = None
    if old is not None and (now is None or (now.stub and not old.stub)):
        show_deleted(screen, old)  # gone, or left only as a stub other notes still cite
        screen.gone = old
        screen.call_after_refresh(screen.prepare, graph)
        return
    # The scroll is put back in the redraw's own frame, so the note never shows its top
    # for a moment; once the new text is laid out it is put back exactly.
    screen._keep_query = True  # a re-index is no step of the walk: the search box stays
    with screen.app.batch_update():
        screen.show_current()
        view.scroll_to(y=scroll_y, animate=False, immediate=True)
        view.scroll_to(y=scroll_y, animate=False)  # after the redraw's own scroll home

    def restore() -> None:
        view.scroll_to(y=scroll_y, animate=False, immediate=True)
        if line >= 0:
            tree.cursor_line = min(line, max(tree.last_line, 0))
        keep_focus(screen, was_focused)

    screen.call_after_refresh(restore)
    screen.call_after_refresh(screen.prepare, graph)


def keep_focus(screen: MainScreen, was: str | None) -> None:
    """The focus stays on the panel it was on: a redraw that removed the focused part of
    the note must not hand it to the search box (Tab would then type nowhere useful)."""
    from kg_tui.widgets.note_view import NoteView
    from kg_tui.widgets.search import SearchInput

    now = screen.focused
    if was is None or (now is not None and now.id == was):
        return
    if isinstance(now, SearchInput) or now is None:
        found = screen.query(f"#{was}")
        target = found.first() if found else screen.query_one(NoteView)
        if target.focusable:
            target.focus()


def show_deleted(screen: MainScreen, old: Note) -> None:
    """Say that the note on screen is gone, in every panel (none keeps its old figures)."""
    from textual.widgets import Static

    from kg_tui.widgets.concept_map import ConceptMap
    from kg_tui.widgets.near_list import NearList
    from kg_tui.widgets.neighbourhood import NeighbourhoodTree
    from kg_tui.widgets.note_view import NoteView

    screen.query_one(NoteView).show_message(
        "This note was deleted",
        f"The file of “{old.title}” ({', '.join(old.files) or 'no file'}) is gone from "
        "the corpus. Press [ to go back, g for the overview or / to search.",
    )
    screen.groups = []
    screen.stats = None
    screen.query_one("#tree", NeighbourhoodTree).show_groups([])
    screen.query_one("#links-status", Static).update(f"No links: “{old.title}” was deleted.")
    for widget in screen.query(ConceptMap):
        widget.show_message("This note was deleted.")
    screen.query_one(NearList).show_unavailable("This note was deleted.")
