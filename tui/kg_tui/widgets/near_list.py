"""The notes nearest in meaning to the current one, with scores, marked linked or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kg import KnowledgeGraph
from kg_tui import details
from kg_tui.features import NearRow
from kg_tui.labels import shown_title
from kg_tui.messages import Describe, Highlighted, OpenNote

BAR = " ▏▎▍▌▋▊▉█"


def score_bar(score: float, width: int = 6) -> str:
    """A bar of `width` cells filled in proportion to a score in [0, 1].

    >>> score_bar(1.0, 4), score_bar(0.5, 4), score_bar(0.0, 4)
    ('████', '██  ', '    ')
    """
    score = min(max(score, 0.0), 1.0)
    eighths = round(score * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BAR[part] if part else "")).ljust(width)[:width]


class NearList(Vertical):
    """A status line over a list of near notes; Enter re-centres on one."""

    DEFAULT_CSS = """
    NearList { height: 1fr; }
    NearList > #near-status { height: auto; padding: 0 1; color: $text-muted; }
    NearList > OptionList { height: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "u",
            "unlinked",
            "Unlinked",
            tooltip="Near list: show only the notes no link joins yet (as `kg near --unlinked`)",
            id="near.unlinked",
        ),
        Binding(
            "k",
            "more",
            "Count",
            tooltip="Near list: rank 10, 20 or 50 notes (as `kg near -k`)",
            id="near.k",
        ),
    ]

    @dataclass
    class Wanted(Message):
        """Rank again with another number of notes."""

        k: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, NearRow] = {}
        self.all_rows: list[NearRow] = []
        self.unlinked_only = False
        self.text = ""  # the type-to-filter text
        self.k = 20

    def compose(self) -> ComposeResult:
        yield Static("", id="near-status")
        yield OptionList(id="near-options")

    @property
    def options(self) -> OptionList:
        return self.query_one("#near-options", OptionList)

    def set_status(self, text: str) -> None:
        self.query_one("#near-status", Static).update(text)

    def show_loading(self, title: str) -> None:
        self.options.clear_options()
        self.set_status(f"Ranking notes near “{title}”…")

    def show_unavailable(self, message: str) -> None:
        self.options.clear_options()
        self.set_status(message)

    def show_rows(self, rows: list[NearRow]) -> None:
        self.all_rows = rows
        self._refill()

    def filter_titles(self, text: str) -> int:
        """Keep the rows whose title holds `text` (any case); returns how many are left."""
        self.text = text
        return self._refill()

    def action_unlinked(self) -> None:
        self.unlinked_only = not self.unlinked_only
        self._refill()

    def action_more(self) -> None:
        self.k = {10: 20, 20: 50}.get(self.k, 10)
        self.post_message(self.Wanted(self.k))

    def _refill(self) -> int:
        options = self.options
        options.clear_options()
        every = self.all_rows
        key = self.text.casefold()
        rows = [
            r
            for r in every
            if (not self.unlinked_only or not r.linked) and key in r.note.title.casefold()
        ]
        self.rows = {row.note.id: row for row in rows}
        if not every:
            self.set_status("No near notes: this note has no embedding to compare.")
            return 0
        unlinked = sum(1 for r in every if not r.linked)
        status = (
            f"{len(every)} nearest by meaning, words and links (k {self.k}) · "
            f"{unlinked} not linked yet (○)"
        )
        if self.unlinked_only:
            status += " · showing the unlinked only (u: all)"
        if self.text:
            status += f" · {len(rows)} match “{self.text}”"
        self.set_status(status + " · Enter opens")
        if not rows:
            return 0
        options.add_options(
            Option(
                Content.assemble(
                    (
                        shown_title(getattr(self.screen, "graph", None), row.note),
                        "italic" if row.note.stub else "bold",
                    ),
                    "\n",
                    # 20 cells: whole in the side panel's 26 columns at 80×24.
                    (score_bar(row.score, 4), "$accent"),
                    (f" {row.score:.2f} ", "dim"),
                    (
                        "● linked" if row.linked else "○ unlinked",
                        "$success" if row.linked else "$warning",
                    ),
                ),
                id=row.note.id,
            )
            for row in rows
        )
        options.highlighted = 0
        return len(rows)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(OpenNote(event.option.id))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(Highlighted(event.option.id))
        row = self.rows.get(event.option.id or "")
        if row is not None:
            self.post_message(Describe(describe_near(row, getattr(self.screen, "graph", None))))


def describe_near(row: NearRow, graph: KnowledgeGraph | None = None) -> details.Details:
    """The details pane's account of a near note: its score, linked or not, its claim."""
    linked = "linked to this note" if row.linked else "not linked to this note yet"
    how = f"near · score {row.score:.2f} (meaning, words, links)"
    if row.vectors:
        how += f" · vectors: {row.vectors}"
    return details.of_note(row.note, f"{how} · {linked}", graph=graph)
