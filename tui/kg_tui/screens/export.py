"""`x`: export what the browser shows, in a format and to a file the person picks.

What can be exported: the neighbourhood as shown (the link filter and depth applied),
the path last found in the path dialog, the notes of the last search. Formats come from
kg's export registry (`kg.SubGraph.formats()`); an existing file is only replaced after
a yes in a confirmation dialog.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from kg import SubGraph
from kg_tui.screens.confirm import ConfirmScreen
from kg_tui.widgets.footer import FittingFooter

ABOUT_LINES = 4  # the lines the description under the fields may take (app.tcss)


@dataclass(frozen=True)
class ExportChoice:
    """One thing that can be exported: a key, a label for people, a file name stem."""

    key: str  # 'shown', 'path', 'search'
    label: str
    stem: str


@dataclass(frozen=True)
class ExportRequest:
    """What the dialog hands back: what to export, in which format, to which file."""

    choice: ExportChoice
    format: str
    path: Path


def format_choices() -> list[tuple[str, str]]:
    """(label, name) for every registered format, e.g. ('GraphML — …', 'graphml')."""
    names = {"graphml": "GraphML", "turtle": "Turtle", "jsonld": "JSON-LD"}
    names |= {"nt": "N-Triples", "json": "JSON"}
    return [(f"{names.get(f.name, f.name)} ({f.suffixes[0]})", f.name) for f in SubGraph.formats()]


def suffix_of(name: str) -> str:
    return next(f.suffixes[0] for f in SubGraph.formats() if f.name == name)


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Pick what, the format and the file; Ctrl+S, Export or Enter in the file box writes,
    Esc cancels (Enter on a list opens the list)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.write"),
    ]

    def __init__(self, choices: list[ExportChoice], folder: Path, fmt: str = "graphml") -> None:
        super().__init__()
        self.choices = choices
        self.folder = folder
        self.fmt = fmt
        self._named = False  # the person typed a file name of their own

    def compose(self) -> ComposeResult:
        with Vertical(id="export", classes="dialog"):
            yield Label("Export", classes="dialog-title")
            yield Label(
                "Writes what you chose; an existing file is replaced only if you say so. "
                "Ctrl+S exports (Enter does in the File box; on a list it opens it), Esc cancels.",
                classes="dialog-hint",
            )
            with Horizontal(classes="field"):
                yield Label("What", classes="field-label")
                yield Select(
                    [(c.label, c.key) for c in self.choices],
                    value=self.choices[0].key,
                    allow_blank=False,
                    id="export-what",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Format", classes="field-label")
                yield Select(
                    format_choices(),
                    value=self.fmt,
                    allow_blank=False,
                    id="export-format",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("File", classes="field-label")
                yield Input(self._default_path(), id="export-file", compact=True)
            yield Static("", id="export-about")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export-go", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.on_resize()
        self._describe()
        self.query_one("#export-what", Select).focus()

    def on_resize(self, event: object = None) -> None:
        # Under 80 columns the dialog takes the whole width and drops its hint line
        # (the footer names the same keys), so every label and button stays on screen.
        self.set_class(self.size.width < 80, "-narrow")
        if self.is_mounted and event is not None:
            self.call_after_refresh(self._describe)  # wrapped to the new width

    # ------------------------------------------------------------ state

    @property
    def choice(self) -> ExportChoice:
        key = self.query_one("#export-what", Select).value
        return next((c for c in self.choices if c.key == key), self.choices[0])

    @property
    def format(self) -> str:
        return str(self.query_one("#export-format", Select).value)

    def _default_path(self) -> str:
        choice = self.choices[0] if not self.is_mounted else self.choice
        fmt = self.fmt if not self.is_mounted else self.format
        return str(self.folder / f"{choice.stem}{suffix_of(fmt)}")

    def _describe(self) -> None:
        """What will be written, then the format's description, whole: on one run of
        text when both fit the lines the dialog gives them (`ABOUT_LINES`), else the
        choice cut to two lines (the list above names it too) and the description on
        lines of its own."""
        fmt = next(f for f in SubGraph.formats() if f.name == self.format)
        about = self.query_one("#export-about", Static)
        width = about.content_region.width or max(20, min(self.app.size.width, 90) - 8)
        both = f"{self.choice.label} · {fmt.description}"
        if len(textwrap.wrap(both, width, break_on_hyphens=False)) <= ABOUT_LINES:
            about.update(both)
            return
        what = textwrap.wrap(
            self.choice.label, width, max_lines=2, placeholder=" …", break_on_hyphens=False
        )
        about.update("\n".join([*what, fmt.description]))

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        file = self.query_one("#export-file", Input)
        if not self._named:
            file.value = self._default_path()
        elif event.select.id == "export-format":  # keep the name, change the ending
            file.value = str(Path(file.value).with_suffix(suffix_of(self.format)))
        self._describe()

    @on(Input.Changed, "#export-file")
    def _typed(self, event: Input.Changed) -> None:
        self._named = event.value != self._default_path()

    # ------------------------------------------------------------ actions

    @on(Input.Submitted, "#export-file")
    def _submitted(self) -> None:
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-go":
            self.action_export()
        else:
            self.action_cancel()

    def action_export(self) -> None:
        text = self.query_one("#export-file", Input).value.strip()
        if not text:
            self.query_one("#export-about", Static).update("Type a file name first.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        request = ExportRequest(self.choice, self.format, path)
        if not path.exists():
            self.dismiss(request)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(request)

        self.app.push_screen(
            ConfirmScreen(
                f"Replace {path.name}?",
                f"{path} exists; exporting replaces it.",
                yes="Replace",
                no="Keep it",
            ),
            answered,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
