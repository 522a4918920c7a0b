"""The shortest typed path between two notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from kg import KnowledgeGraph
from kg.errors import KgError
from kg.model import NOT_NOTES, Link
from kg_tui.details import of_step
from kg_tui.labels import shown_title
from kg_tui.walk import KIND_COLOURS
from kg_tui.widgets.details import DetailsPane


@dataclass
class PathFound(Message):
    source: str
    target: str
    chain: list[Link]
    error: str = ""


@dataclass
class PathShown(Message):
    """A path was found between two notes (the app keeps the last one, for export)."""

    source: str
    target: str


class PathScreen(ModalScreen[str | None]):
    """Type two titles (Tab or → completes), Enter finds the path; Enter on a step opens it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="path.close"),
        Binding("down", "steps", "Go to the steps", show=False, id="path.steps"),
        Binding("ctrl+r", "swap", "Swap ends", id="path.swap"),
    ]

    def __init__(self, graph: KnowledgeGraph, source: str = "", target: str = "") -> None:
        super().__init__()
        self.graph = graph
        self.source = source
        self.target = target
        self.chain: list[Link] = []
        self.focus_steps = True
        # Each step's note id -> the link that reached it and whether it was walked forward.
        self.reached: dict[str, tuple[Link | None, bool]] = {}

    def compose(self) -> ComposeResult:
        titles = sorted(
            {
                title
                for n in self.graph.notes()
                if n.kind not in NOT_NOTES
                for title in (n.title, *n.aliases)
            }
        )
        suggester = SuggestFromList(titles, case_sensitive=False)
        with Vertical(id="path", classes="dialog"):
            yield Label("Shortest path between two notes", classes="dialog-title")
            yield Label(
                "→ completes a title · Enter finds the path · Enter on a step opens it",
                classes="dialog-hint",
            )
            with Horizontal(classes="field"):
                yield Label("From", classes="field-label")
                yield Input(
                    self.source,
                    placeholder="a title",
                    suggester=suggester,
                    id="path-from",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("To", classes="field-label")
                yield Input(
                    self.target,
                    placeholder="a title",
                    suggester=suggester,
                    id="path-to",
                    compact=True,
                )
            yield Static("", id="path-status")
            yield OptionList(id="path-steps")
            yield DetailsPane("The highlighted step is described here in full.", id="path-details")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        target = self.query_one("#path-to", Input)
        self.query_one("#path-from", Input).cursor_position = 0  # show a title's start
        if self.source and not self.target:
            self.query_one("#path-status", Static).update(
                "Type the other end (→ completes it), then Enter."
            )
            target.focus()
        elif not self.source:
            self.query_one("#path-from", Input).focus()
        else:
            target.focus()
            self.find(focus_steps=False)

    @on(Input.Submitted, "#path-from")
    def _from_done(self) -> None:
        if self.query_one("#path-to", Input).value.strip():
            self.find()
        else:
            self.query_one("#path-to", Input).focus()

    @on(Input.Submitted, "#path-to")
    def _to_done(self) -> None:
        self.find()

    def action_swap(self) -> None:
        a, b = self.query_one("#path-from", Input), self.query_one("#path-to", Input)
        a.value, b.value = b.value, a.value
        # The focus stays in the box the person is typing in, so the next key is not lost.
        self.find(focus_steps=False)

    def action_steps(self) -> None:
        steps = self.query_one("#path-steps", OptionList)
        if steps.option_count:
            steps.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def find(self, focus_steps: bool = True) -> None:
        self.focus_steps = focus_steps
        source = self.query_one("#path-from", Input).value.strip()
        target = self.query_one("#path-to", Input).value.strip()
        status = self.query_one("#path-status", Static)
        if not source or not target:
            status.update("Type both ends.")
            return
        for end in (source, target):
            if self.graph.find(end) is None:
                hints = self.graph.suggest(end, 3)
                status.update(
                    f"No note called “{end}”."
                    + (" Did you mean: " + " · ".join(hints) if hints else "")
                )
                self.query_one("#path-steps", OptionList).clear_options()
                return
        status.update("Looking for the shortest path…")
        self.search(source, target)

    @work(thread=True, exclusive=True)
    def search(self, source: str, target: str) -> None:
        try:
            chain = self.graph.path(source, target)
        except KgError as error:
            self.post_message(PathFound(source, target, [], str(error)))
            return
        self.post_message(PathFound(source, target, chain))

    def on_path_found(self, message: PathFound) -> None:
        status = self.query_one("#path-status", Static)
        steps = self.query_one("#path-steps", OptionList)
        steps.clear_options()
        if message.error:
            status.update(message.error)
            return
        start = self.graph.note(message.source)
        end = self.graph.note(message.target)
        if start.id == end.id:
            status.update("Both ends are the same note.")
            return
        if not message.chain:
            status.update(f"No path joins “{start.title}” and “{end.title}”.")
            return
        self.chain = message.chain
        self.app.post_message(PathShown(start.id, end.id))
        self.reached = {start.id: (None, True)}
        hops = len(message.chain)
        status.update(f"{hops} link{'s' if hops != 1 else ''} · Enter on a step opens that note")
        current = start.id
        options = [
            Option(
                Content.assemble(("● ", "bold"), (shown_title(self.graph, start), "bold")),
                id=start.id,
            )
        ]
        for link in message.chain:
            forward = link.source == current
            current = link.target if forward else link.source
            note = self.graph.note(current)
            self.reached.setdefault(note.id, (link, forward))
            arrow = "→" if forward else "←"
            options.append(
                Option(
                    Content.assemble(
                        ("  │ ", "dim"),
                        (f"{arrow} {link.describe()}", KIND_COLOURS[link.kind]),
                        ("" if forward else "  (read backwards)", "dim"),
                    ),
                    disabled=True,
                )
            )
            options.append(
                Option(
                    Content.assemble(
                        ("● ", "bold"),
                        (shown_title(self.graph, note), "italic" if note.stub else "bold"),
                    ),
                    id=note.id,
                )
            )
        steps.add_options(options)
        steps.highlighted = 0
        if self.focus_steps:
            steps.focus()

    @on(OptionList.OptionHighlighted, "#path-steps")
    def _describe_step(self, event: OptionList.OptionHighlighted) -> None:
        step = event.option.id
        if step and step in self.reached:
            link, forward = self.reached[step]
            self.query_one(DetailsPane).show(of_step(self.graph.note(step), link, forward))

    @on(OptionList.OptionSelected, "#path-steps")
    def _open_step(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
