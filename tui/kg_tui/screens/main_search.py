"""The main screen's search box and its drop-down: titles as you type, the hybrid search of
titles, words and meaning on Enter (in a worker). A base class of `MainScreen`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message
from textual.widget import Widget

from kg.errors import KgError
from kg_tui import features
from kg_tui.screens.panels import PanelMethods
from kg_tui.vault import tag_matches
from kg_tui.widgets.note_view import NoteView
from kg_tui.widgets.search import SearchInput, SearchPanel, SearchResults

# The hits a search lists; one more is asked for, so the header can say when more match.
SHOWN_HITS = 20


@dataclass
class SearchReady(Message):
    query: str
    rows: list[features.SearchRow]
    how: str
    error: str = ""


class SearchMethods(PanelMethods):
    """The search box; `MainScreen` supplies the graph and the title index."""

    _before_search: Widget | None = None  # the panel focused before the search box

    @on(SearchInput.Changed, "#search")
    def _typed(self, event: SearchInput.Changed) -> None:
        query = event.value.strip()
        results = self.query_one(SearchPanel)
        if not query or self.graph is None:
            results.display = False
            return
        results.display = True
        if self.titles is None:
            results.show_error("Reading titles… (Enter searches now)")
            return
        results.show_titles(query, self._with_tags(query, self.titles.match(query, limit=12)))

    def _with_tags(self, query: str, notes: list[Any]) -> list[Any]:
        """`/#tag` offers the corpus's tags first (opening one lists its notes)."""
        tags = tag_matches(self.graph, query) if self.graph is not None else []
        return tags + [n for n in notes if n not in tags]

    @on(SearchInput.Submitted, "#search")
    def _submitted(self, event: SearchInput.Submitted) -> None:
        query = event.value.strip()
        if not query:
            return
        results = self.query_one(SearchPanel)
        results.display = True
        if self.graph is None:  # the corpus is still opening: the search runs once it is
            self.kg_app.search_when_loaded(query)
            results.show_busy(query, "Opening the corpus: this search runs as soon as it is open.")
            return
        results.show_busy(query)
        self._searching = query
        self.run_search(query)

        def still_busy() -> None:
            if self._searching == query:
                results.show_busy(
                    query,
                    "The first search by meaning loads the language model: a few seconds. "
                    "The browser stays usable meanwhile (Esc closes this list).",
                )

        self.set_timer(1.5, still_busy)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        graph = self.graph
        if graph is None:
            return
        try:
            rows, how = features.search(graph, query, k=SHOWN_HITS + 1)
        except (features.Unavailable, KgError) as error:
            self.post_message(SearchReady(query, [], "", str(error)))
            return
        self.post_message(SearchReady(query, rows, how))

    def on_search_ready(self, message: SearchReady) -> None:
        if self._searching == message.query:
            self._searching = None
        results = self.query_one(SearchPanel)
        if self.query_one(SearchInput).value.strip() != message.query:
            return
        if message.error:
            results.show_error(message.error)
        else:
            rows = message.rows
            results.show_hits(message.query, rows[:SHOWN_HITS], message.how, len(rows))
            self.refresh_bindings()  # x exports the hits, on the overview too
            if message.rows:
                results.focus_list()

    def on_search_input_to_results(self, message: SearchInput.ToResults) -> None:
        results = self.query_one(SearchPanel)
        if results.display and results.option_count:
            results.focus_list()

    def on_search_results_to_box(self, message: SearchResults.ToBox) -> None:
        self.query_one(SearchInput).resume()

    def on_search_input_leave(self, message: SearchInput.Leave) -> None:
        """Esc: the query is dropped (the box empties) and the focus goes back to the
        panel that had it before the search, the side panel's tab as it was."""
        self._hide_results()
        search = self.query_one(SearchInput)
        with search.prevent(SearchInput.Changed):
            search.value = ""
        self._back_from_search()

    def _back_from_search(self) -> None:
        was = self._before_search
        if was is not None and was.is_attached and was.display and was.region:
            was.focus()
            return
        panels = self._panels()
        panels[-1 if self.current is not None else 0].focus()

    def _hide_results(self) -> None:
        self.query_one(SearchPanel).display = False

    def on_descendant_focus(self, event: Any) -> None:
        focused = self.focused
        if not isinstance(focused, (SearchInput, SearchResults)):
            self._before_search = focused  # where Esc in the search returns
            self._hide_results()
            if focused is not None and self.query_one(NoteView) not in focused.ancestors_with_self:
                self.remove_class("-widened")  # the side panel is wanted again
            side = self.query_one("#side")
            self.set_class(
                focused is not None and side in focused.ancestors_with_self, "-side-focus"
            )
