"""The search box and its drop-down: titles complete as you type, Enter searches titles,
words and meaning (the hybrid search of `kg search`).

The drop-down (`SearchPanel`) is a one-line header that stays put above the list of hits
(`SearchResults`); every row is cut to the width of the screen, so nothing wraps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kg.model import Note
from kg.text import cut_around
from kg_tui.features import SearchRow
from kg_tui.labels import kind_word, shown_title
from kg_tui.messages import OpenNote
from kg_tui.walk import ellipsize

STUB = "  [stub]"  # after a stub's title, as `kg search` prints it


def score_label(score: float, kind: str) -> str:
    """A hit's score (0 to 1, as `kg search` prints it) and how it matched.

    >>> score_label(0.8233, "words"), score_label(1.0, "title")
    ('0.82 words', '1.00 title')
    """
    return f"{score:.2f} {kind}".rstrip()


def marked_line(text: str, marks: tuple[tuple[int, int], ...], width: int) -> Content:
    """`text` cut to `width` cells around its first marked word (so the match shows),
    dim, with the marked words highlighted."""
    text = " ".join(text.split()) if not marks else text
    piece, inside = cut_around(text, marks, max(width - 2, 1))  # the ellipses aside
    content = Content.styled(piece, "dim")
    for start, end in inside:
        content = content.stylize("bold $text-accent", start, end)
    return content


class SearchInput(Input):
    """The search box. ↓ moves into the results; Esc leaves. Its hint, shown while it is
    empty, is the longest of `HINTS` that fits whole."""

    HINTS: ClassVar[tuple[str, ...]] = (
        "/ search titles · Enter: titles, words and meaning",
        "/ search · ⏎ titles, words, meaning",
        "/ search",
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "submit",
            "Search",
            key_display="⏎",
            tooltip="Search titles, words and meaning (hybrid search, as `kg search`)",
        ),
        Binding("down", "results", "Results", key_display="↓"),
        Binding("escape", "leave", "Leave search", key_display="Esc"),
    ]

    @dataclass
    class ToResults(Message):
        """Move the focus into the results list."""

    @dataclass
    class Leave(Message):
        """Close the drop-down and give the focus back."""

    def action_results(self) -> None:
        self.post_message(self.ToResults())

    def on_resize(self) -> None:
        room = self.content_size.width - 1  # the cursor's cell
        self.placeholder = next((h for h in self.HINTS if len(h) <= room), self.HINTS[-1])

    def resume(self) -> None:
        """Take the focus back with the cursor after the query (not the query selected,
        as `/` does), so typing goes on where it stopped."""
        self.select_on_focus = False
        self.focus()
        self.action_end()

    def on_blur(self) -> None:
        self.select_on_focus = True

    def action_leave(self) -> None:
        self.post_message(self.Leave())


class SearchResults(OptionList):
    """The hits under the header of the drop-down. No row is highlighted while the box
    has the focus (Enter there searches, it opens no row): ↓ in the box comes
    here onto the first row, ↑ on the first row goes back to the box."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave search", show=False),
        Binding("up", "up_or_box", "Up", show=False, id="search.results_up"),
    ]

    @dataclass
    class ToBox(Message):
        """Give the focus back to the search box, to go on typing."""

    def action_leave(self) -> None:
        self.post_message(SearchInput.Leave())

    def action_up_or_box(self) -> None:
        if not self.highlighted:
            self.highlighted = None
            self.post_message(self.ToBox())
        else:
            self.action_cursor_up()

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.action_first()  # the first row that can be picked

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(OpenNote(event.option.id))


class SearchPanel(Vertical):
    """The drop-down under the search box: a header line that never scrolls, then hits.

    `last_hits` keeps the query and note ids of the last search by meaning (for export).
    """

    last_hits: tuple[str, list[str]] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="results-header")
        yield SearchResults(id="results-list", compact=True)

    @property
    def results(self) -> SearchResults:
        return self.query_one(SearchResults)

    @property
    def header(self) -> str:
        """The header line as plain text."""
        return str(self.query_one("#results-header", Static).render())

    @property
    def option_count(self) -> int:
        return self.results.option_count

    def focus_list(self) -> None:
        self.results.focus()

    def _width(self) -> int:
        """Cells available for a row: the panel is at most the screen wide, less its
        border, the list's cursor gutter and a scrollbar."""
        return max(20, min(self.screen.size.width, 100) - 5)

    def _header(self, text: str, style: str = "dim", *shorter: str) -> None:
        """Show `text`, or the first of the `shorter` wordings that fits whole."""
        width = self._width()
        text = next((t for t in (text, *shorter) if len(t) <= width), text)
        self.query_one("#results-header", Static).update(
            Content.styled(ellipsize(text, width), style)
        )

    def _quoted(self, query: str, most: int | None = None) -> str:
        """The query in quotes, cut to a quarter of the width (or to `most` characters)."""
        room = most if most is not None else max(10, self._width() // 4)
        return "“" + ellipsize(" ".join(query.split()), room) + "”"

    def show_titles(self, query: str, notes: list[Note]) -> None:
        results = self.results
        results.clear_options()
        if not notes:
            quoted = self._quoted(query)
            self._header(
                f"No title contains {quoted} · Enter searches words and meaning",
                "dim",
                f"No title contains {quoted} · ⏎ searches words, meaning",
                f"No title contains {quoted}",
            )
            return
        quoted = self._quoted(query)
        self._header(
            f"Titles · Enter searches {quoted} by title, words and meaning",
            "dim",
            f"Titles · ⏎ searches {quoted} by title, words, meaning",
            f"Titles holding {quoted}",
        )
        width = self._width()
        graph = getattr(self.screen, "graph", None)
        results.add_options(
            Option(
                Content.assemble(
                    (
                        ellipsize(shown_title(graph, note), width - len(what) - 2),
                        "italic dim" if note.stub else "bold",
                    ),
                    (f"  {what}", "dim"),
                ),
                id=note.id,
            )
            for note, what in ((n, kind_word(n) + (STUB if n.stub else "")) for n in notes)
        )
        results.highlighted = 0 if results.has_focus else None

    def show_busy(self, query: str, note: str = "") -> None:
        self.results.clear_options()
        self._header(f"Searching for {self._quoted(query)}…", "dim italic")
        if note:
            self.results.add_option(Option(Content.styled(note, "dim italic"), disabled=True))

    def show_hits(
        self, query: str, rows: list[SearchRow], how: str, found: int | None = None
    ) -> None:
        """List `rows`, the best of `found` hits (as many as the rows when None): the
        header counts what matched ("20 match"), or says more did ("20+ match")."""
        self.last_hits = (query, [row.note.id for row in rows])
        results = self.results
        results.clear_options()
        width = self._width()
        if not rows:
            self._header(f"No note matches {self._quoted(query)} ({how})", "bold")
            reason = (
                "No title or word of the notes contains it"
                + (", and nothing is close in meaning" if "hybrid" in how else "")
                + ". Try other words; Esc closes this list."
            )
            results.add_option(Option(Content.styled(reason, "dim italic"), disabled=True))
            return
        # "20+ match": more notes match than the list holds (it holds the best ones).
        more = "+" if found is not None and found > len(rows) else ""
        header = f"{len(rows)}{more} match {self._quoted(query)} · {how}"
        legend = " · score 0–1, how it matched"
        shorter = f"{len(rows)}{more} match {self._quoted(query, 12)} · {how}"
        self._header(header + legend, "dim", shorter + legend, header)
        graph = getattr(self.screen, "graph", None)
        for rank, row in enumerate(rows, start=1):
            snippet, marks = row.snippet, row.marks
            if " ".join(snippet.split()) == row.note.title:
                snippet, marks = "", ()
            number = f"{rank:>2}. "
            label = score_label(row.score, row.match_kind) + " "
            stub = STUB if row.note.stub else ""  # as `kg search` marks it
            prompt = Content.assemble(
                (number, "dim"),
                (
                    ellipsize(shown_title(graph, row.note), width - len(number) - len(stub)),
                    "italic" if row.note.stub else "bold",
                ),
                (stub, "dim"),
                "\n",
                (" " * len(number) + label, "$text-accent"),
                marked_line(snippet, marks, width - len(number) - len(label)),
            )
            results.add_option(Option(prompt, id=row.note.id))
        results.highlighted = 0

    def show_error(self, message: str) -> None:
        self.results.clear_options()
        self._header(message, "italic")
        if len(message) > self._width():  # the whole sentence, wrapped, under the header
            self.results.add_option(Option(Content.styled(message, "italic"), disabled=True))
