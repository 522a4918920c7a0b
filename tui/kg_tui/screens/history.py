"""`h`: the walk's history as a list, back and forward alike, to pick a step from.

The breadcrumb shows the trail up to the note on screen; this list also shows the notes
Forward would return to, marks the one on screen, and jumps to any of them (as a click on
the breadcrumb does, keeping both lists).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from kg_tui.widgets.footer import FittingFooter


class HistoryScreen(ModalScreen[int | None]):
    """Pick a step of the walk; dismisses with its position in the history, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="history.close"),
        Binding("h", "cancel", "Close", show=False),
    ]

    def __init__(self, titles: list[str], position: int) -> None:
        """`titles`: every step of the history, oldest first; `position`: the one shown."""
        super().__init__()
        self.titles = titles
        self.position = position

    def compose(self) -> ComposeResult:
        with Vertical(id="history", classes="dialog"):
            yield Label("History of this walk", classes="dialog-title")
            yield Label(
                "Enter goes to the step; ▶ marks the note on screen, the steps under it "
                "are the ones Forward returns to.",
                classes="dialog-hint",
            )
            yield OptionList(
                *(
                    Option(self._row(i, title), id=str(i))
                    for i, title in reversed(list(enumerate(self.titles)))
                ),
                id="history-list",
            )
        yield FittingFooter()

    def _row(self, index: int, title: str) -> Content:
        if index == self.position:
            return Content.assemble(("▶ ", "bold $accent"), (title, "bold"), ("  on screen", "dim"))
        ahead = index > self.position
        return Content.assemble(
            "  ", (title, "italic" if ahead else ""), *([("  forward", "dim")] if ahead else [])
        )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = len(self.titles) - 1 - self.position
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or self.position))

    def action_cancel(self) -> None:
        self.dismiss(None)
