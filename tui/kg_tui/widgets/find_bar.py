"""The find bar: type to filter the focused list by title, or to find words in the note.

Ctrl+F opens it for the panel that has the focus: the links tree and the near list keep
only the rows whose title holds the text; the reading view marks every place the text
occurs and Enter steps from one to the next. Esc clears it and gives the focus back;
↓ keeps the filter and goes back to the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

WHAT = {
    "links": "Filter links",
    "near": "Filter near",
    "note": "Find in note",
}


class FindInput(Input):
    """The text box of the find bar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Clear and close", key_display="Esc", id="find.close"),
        Binding("down", "keep", "Back to the panel", key_display="↓", id="find.keep"),
    ]

    @dataclass
    class Closed(Message):
        """Leave the bar; `keep` says whether the filter stays."""

        keep: bool

    def action_close(self) -> None:
        self.post_message(self.Closed(keep=False))

    def action_keep(self) -> None:
        self.post_message(self.Closed(keep=True))


class FindBar(Horizontal):
    """A label saying what is filtered and how much is left, then the text box."""

    DEFAULT_CSS = """
    FindBar { height: 1; display: none; background: $panel; }
    FindBar > #find-label { width: auto; padding: 0 1; color: $text-accent; text-style: bold; }
    FindBar > FindInput { width: 1fr; }
    FindBar > #find-count { width: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target = ""  # 'links', 'near' or 'note'

    def compose(self) -> ComposeResult:
        yield Static("", id="find-label")
        yield FindInput(placeholder="type to filter", compact=True, id="find-input")
        yield Static("", id="find-count")

    @property
    def input(self) -> FindInput:
        return self.query_one(FindInput)

    def open(self, target: str, text: str = "") -> None:
        """Show the bar for `target`, holding `text`, with the focus in it."""
        self.target = target
        self.query_one("#find-label", Static).update(WHAT.get(target, "Find"))
        self.input.placeholder = (
            "words to find · Enter: next place" if target == "note" else "part of a title"
        )
        self.input.value = text
        self.display = True
        self.input.focus()

    def count(self, text: str) -> None:
        self.query_one("#find-count", Static).update(text)

    def close(self) -> None:
        self.display = False
        self.target = ""
        self.count("")
