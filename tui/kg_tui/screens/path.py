"""The shortest typed path between two notes.

Each end is typed as any part of a title: the matches list under the boxes offers titles
that start with it first, then those with a word starting with it, then those holding it
anywhere; ↓ or a click picks one. A title that names no note lists the closest ones the
same way ("Did you mean"), ready to pick.
"""

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
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

import kg
from kg import KnowledgeGraph
from kg.errors import KgError
from kg.model import NOT_NOTES, Link, Note
from kg_tui.details import of_step
from kg_tui.labels import SEPARATOR, folder_of, repeated_titles, shown_title
from kg_tui.walk import KIND_COLOURS
from kg_tui.widgets.details import DetailsPane
from kg_tui.widgets.footer import FittingFooter


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


MATCHES = 8  # titles the matches list offers at most
ENDS = ("path-from", "path-to")


def ranked_titles(titles: kg.TitleIndex, typed: str, limit: int = MATCHES) -> list[Note]:
    """Notes whose titles hold `typed`: titles starting with it, then those with words
    starting with its words, then those holding it anywhere (notes before stubs in each)."""
    found = titles.ranked(typed, limit=limit * 5)
    tier = {0: 0, 1: 0, 2: 1}  # the title, its start / a word's start / anywhere else
    found.sort(key=lambda item: (tier.get(item[1], 2), item[0].stub, len(item[0].title)))
    return [note for note, _ in found[:limit]]


class Matches(OptionList):
    """Titles to pick for the box above; ↑ on the first one goes back to the box."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "up_or_leave", "Up", show=False, id="path.matches_up"),
    ]

    end = ENDS[0]  # the id of the box whose matches these are

    def action_up_or_leave(self) -> None:
        if not self.highlighted:
            box = self.screen.query_one(f"#{self.end}", Input)
            box.focus()
            # Back to typing where it stopped, not with the box's text selected.
            self.call_after_refresh(box.action_end)
        else:
            self.action_cursor_up()


class PathScreen(ModalScreen[str | None]):
    """Type two titles (any part of each: ↓ or a click picks a match), Enter finds the
    path; Enter on a step opens it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="path.close"),
        Binding("down", "steps", "Go to the steps", show=False, id="path.steps"),
        Binding("ctrl+r", "swap", "Swap ends", id="path.swap"),
    ]

    def __init__(
        self,
        graph: KnowledgeGraph,
        source: str = "",
        target: str = "",
        titles: kg.TitleIndex | None = None,
    ) -> None:
        super().__init__()
        self.graph = graph
        self.source = source
        self.target = target
        self.chain: list[Link] = []
        self.focus_steps = True
        # Each step's note id -> the link that reached it and whether it was walked forward.
        self.reached: dict[str, tuple[Link | None, bool]] = {}
        self._titles = titles  # the browser's title index when it has one (else built here)
        # The note picked for each box, while the box still holds its title (two notes may
        # share a title: the one picked is the one meant).
        self.picked: dict[str, Note] = {}
        # What each box held when it was filled in for the person (not typed): no matches
        # list is offered for it.
        self._filled: dict[str, str] = {ENDS[0]: source, ENDS[1]: target}

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
                "Type any part of a title: ↓ picks a match · Enter finds the path",
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
            yield Matches(id="path-matches")
            yield Static("", id="path-status")
            yield OptionList(id="path-steps")
            yield DetailsPane("The highlighted step is described here in full.", id="path-details")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one(Matches).display = False
        target = self.query_one("#path-to", Input)
        self.query_one("#path-from", Input).cursor_position = 0  # show a title's start
        if self.source and not self.target:
            self.query_one("#path-status", Static).update(
                "Type the other end (any part of its title), then Enter."
            )
            target.focus()
        elif not self.source:
            self.query_one("#path-from", Input).focus()
        else:
            target.focus()
            self.find(focus_steps=False)

    @on(Input.Submitted, "#path-from")
    def _from_done(self) -> None:
        self._hide_matches()
        if self.query_one("#path-to", Input).value.strip():
            self.find()
        else:
            self.query_one("#path-to", Input).focus()

    @on(Input.Submitted, "#path-to")
    def _to_done(self) -> None:
        self._hide_matches()
        self.find()

    # ------------------------------------------------------------ matches

    @property
    def titles(self) -> kg.TitleIndex:
        if self._titles is None:
            self._titles = kg.TitleIndex(self.graph.notes())
        return self._titles

    @on(Input.Changed, "#path-from")
    @on(Input.Changed, "#path-to")
    def _typed(self, event: Input.Changed) -> None:
        end = event.input.id or ENDS[0]
        typed = event.value.strip()
        picked = self.picked.get(end)
        if picked is not None and picked.title != event.value:
            del self.picked[end]
        if not typed or event.value == self._filled.get(end) or not event.input.has_focus:
            self._hide_matches()
            return
        notes = ranked_titles(self.titles, typed)
        if len(notes) == 1 and notes[0].title == event.value:
            notes = []  # the box holds the one title that matches: nothing to pick
        self._offer(end, notes)

    def _offer(self, end: str, notes: list[Note]) -> None:
        """Show `notes` to pick for the box `end` (hidden when there are none)."""
        matches = self.query_one(Matches)
        matches.end = end
        matches.clear_options()
        # One row per note: a title and an alias of the same note may both be suggested.
        notes = list({note.id: note for note in notes}.values())
        repeated = repeated_titles(self.graph)
        for note in notes:
            label = Content.assemble((note.title, "italic" if note.stub else ""))
            folder = folder_of(note) if note.title.casefold() in repeated else ""
            if folder:
                label = Content.assemble(label, (f"{SEPARATOR}{folder}", "dim"))
            elif note.stub:
                label = Content.assemble(label, ("  stub", "dim"))
            matches.add_option(Option(label, id=note.id))
        matches.display = bool(notes)
        if notes:
            matches.highlighted = 0

    def _hide_matches(self) -> None:
        matches = self.query_one(Matches)
        matches.display = False
        matches.clear_options()

    @on(OptionList.OptionSelected, "#path-matches")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        note = self.graph.find(event.option.id) if event.option.id else None
        if note is None:
            return
        end = self.query_one(Matches).end
        box = self.query_one(f"#{end}", Input)
        self._filled[end] = note.title
        self.picked[end] = note
        box.value = note.title
        box.cursor_position = 0  # show the title's start
        self._hide_matches()
        other = self.query_one(f"#{ENDS[1] if end == ENDS[0] else ENDS[0]}", Input)
        if other.value.strip():
            box.focus()
            self.find()
        else:
            other.focus()
            self.query_one("#path-status", Static).update("Now the other end, then Enter.")

    def action_swap(self) -> None:
        a, b = self.query_one("#path-from", Input), self.query_one("#path-to", Input)
        self._filled = {ENDS[0]: b.value, ENDS[1]: a.value}
        self.picked = {
            end: self.picked[other]
            for end, other in zip(ENDS, reversed(ENDS), strict=True)
            if other in self.picked
        }
        a.value, b.value = b.value, a.value
        # The focus stays in the box the person is typing in, so the next key is not lost.
        self.find(focus_steps=False)

    def action_steps(self) -> None:
        """↓ from a box: into its matches when they show, else to the steps."""
        matches = self.query_one(Matches)
        if matches.display and matches.option_count:
            matches.focus()
            return
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
        ends: list[str] = []
        for box, typed in zip(ENDS, (source, target), strict=True):
            picked = self.picked.get(box)
            note = picked if picked is not None else self.graph.find(typed)
            if note is None:
                hints = [n for n in (self.graph.find(t) for t in self.graph.suggest(typed, 5)) if n]
                status.update(
                    f"No note called “{typed}”."
                    + (" Did you mean one of these? ↓ or a click picks it." if hints else "")
                )
                self.query_one("#path-steps", OptionList).clear_options()
                self._offer(box, hints)
                field = self.query_one(f"#{box}", Input)
                if not field.has_focus:
                    field.focus()
                return
            ends.append(note.id if picked is not None else typed)
        self._hide_matches()
        status.update("Looking for the shortest path…")
        self.search(ends[0], ends[1])

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
            self.query_one(DetailsPane).show(
                of_step(self.graph.note(step), link, forward, self.graph)
            )

    @on(OptionList.OptionSelected, "#path-steps")
    def _open_step(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
