"""The notes nearest in meaning to the current one, with scores, marked linked or not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kg_tui import details
from kg_tui.features import NearRow
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: dict[str, NearRow] = {}

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
        options = self.options
        options.clear_options()
        self.rows = {row.note.id: row for row in rows}
        if not rows:
            self.set_status("No near notes: this note has no embedding to compare.")
            return
        unlinked = sum(1 for r in rows if not r.linked)
        self.set_status(
            f"{len(rows)} nearest by meaning · {unlinked} not linked yet (○) · Enter opens"
        )
        options.add_options(
            Option(
                Content.assemble(
                    (row.note.title, "italic" if row.note.stub else "bold"),
                    "\n",
                    (score_bar(row.score), "$accent"),
                    (f" {row.score:.2f}  ", "dim"),
                    (
                        "● linked" if row.linked else "○ not linked",
                        "$success" if row.linked else "$warning",
                    ),
                ),
                id=row.note.id,
            )
            for row in rows
        )
        options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(OpenNote(event.option.id))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(Highlighted(event.option.id))
        row = self.rows.get(event.option.id or "")
        if row is not None:
            self.post_message(Describe(describe_near(row)))


def describe_near(row: NearRow) -> details.Details:
    """The details pane's account of a near note: its score, linked or not, its claim."""
    linked = "linked to this note" if row.linked else "not linked to this note yet"
    return details.of_note(row.note, f"near by meaning · cosine {row.score:.2f} · {linked}")
