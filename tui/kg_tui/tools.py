"""The app's tools beyond walking: edit the note's file, copy, re-index, theme, quit.

A mixin of `KgApp`, kept apart so the app module stays about opening and loading. The
note-bound tools (edit, copy, re-index) run on the main screen only: over a dialog they
are neither shown nor run.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from kg.model import Note
    from kg_tui.app import KgApp

NOTE_TOOLS = {"edit", "copy", "reindex"}
BUSY = {"export": "an export", "reload": "a re-index"}  # worker groups whose work a quit loses


def note_line(note: Note) -> int:
    """The line an editor opens the note's file at: its first paragraph, else the top."""
    return note.body[0].line if note.body else 1


class ToolActions:
    """Actions `KgApp` mixes in; `self` is the app."""

    TOOL_BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e",
            "edit",
            "Edit",
            tooltip="Open the note's file in $EDITOR",
            show=False,
            id="app.edit",
        ),
        Binding(
            "y",
            "copy('title')",
            "Copy",
            tooltip="Copy the note's title",
            show=False,
            id="app.copy_title",
        ),
        Binding(
            "Y", "copy('id')", "Copy id", tooltip="Copy the note's id", show=False, id="app.copy_id"
        ),
        Binding(
            "ctrl+y",
            "copy('path')",
            "Copy path",
            tooltip="Copy the path of the note's file",
            show=False,
            id="app.copy_path",
        ),
        Binding(
            "f5",
            "reindex",
            "Re-index",
            tooltip="Re-index the corpus now (edits are followed on their own)",
            show=False,
            id="app.reindex",
        ),
        Binding(
            "ctrl+t",
            "toggle_theme",
            "Theme",
            tooltip="Light or dark theme",
            show=False,
            id="app.theme",
        ),
    ]

    @property
    def _app(self) -> KgApp:
        return self  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from kg_tui.screens.main import MainScreen

        return not (action in NOTE_TOOLS and not isinstance(self._app.screen, MainScreen))

    def _note(self) -> Note | None:
        note = self._app.main_screen.current
        if note is None:
            self._app.notify("Open a note first", timeout=2)
        return note

    def _file(self, note: Note) -> Path | None:
        root = self._app.root
        if not note.files or root is None:
            self._app.notify(f"“{note.title}” has no file of its own (a stub)", timeout=3)
            return None
        return root / note.files[0]

    def action_edit(self) -> None:
        """Suspend the app and open the note's file at its line in $VISUAL / $EDITOR."""
        from textual.app import SuspendNotSupported

        note = self._note()
        path = self._file(note) if note is not None else None
        if note is None or path is None:
            return
        line = note_line(note)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        command = [*shlex.split(editor), f"+{line}", str(path)]
        app = self._app
        try:
            with app.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:
            app.notify(
                f"This terminal cannot hand over to an editor: open {path}:{line} yourself",
                severity="warning",
            )
            return
        except OSError as error:
            app.notify(f"Could not run {editor!r}: {error}", severity="error")
            return
        app.reload("edited in $EDITOR")  # the watcher would too; this is at once

    def action_copy(self, what: str) -> None:
        """Copy the title, id or file path of the open note to the clipboard."""
        note = self._note()
        if note is None:
            return
        text: Any = {"title": note.title, "id": note.id}.get(what)
        if what == "path":
            path = self._file(note)
            if path is None:
                return
            text = str(path)
        self._app.copy_to_clipboard(text)
        self._app.notify(f"Copied the {what}: {text}", timeout=3)

    def action_reindex(self) -> None:
        if self._app.corpus is None:
            self._app.notify(
                "This browser was handed a loaded graph: nothing to re-index", timeout=3
            )
            return
        self._app.notify("Re-indexing…", timeout=2)
        self._app.reload("re-index asked")

    def action_toggle_theme(self) -> None:
        app = self._app
        app.theme = "textual-dark" if app.current_theme.dark is False else "textual-light"

    def busy(self) -> list[str]:
        """What running work a quit would lose ('an export', ...)."""
        return sorted(
            {
                BUSY[worker.group]
                for worker in self._app.workers
                if worker.group in BUSY and worker.is_running
            }
        )

    def action_quit_asking(self) -> None:
        """q: quit at once, unless an export or a re-index is still running."""
        from kg_tui.screens.confirm import ConfirmScreen

        app = self._app
        busy = self.busy()
        if not busy:
            app.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                app.exit()

        app.push_screen(
            ConfirmScreen(
                "Quit now?",
                f"{' and '.join(busy).capitalize()} is still running and would be lost.",
                yes="Quit",
                no="Stay",
            ),
            answered,
        )
