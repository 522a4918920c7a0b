"""The main screen's panels: Tab between them, find and filter in them, widen one, and
each step's place (scroll, tab, row, focus) kept for Back. A base class of `MainScreen`,
kept apart so the screen module stays about walking."""

from __future__ import annotations

from textual import on
from textual.widget import Widget
from textual.widgets import TabbedContent

from kg_tui.details import plural
from kg_tui.screens.main_base import MainBase
from kg_tui.viewstate import ViewState
from kg_tui.widgets.find_bar import FindBar, FindInput
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView


class PanelMethods(MainBase):
    """Panels, find and places; `MainScreen` supplies the walk (`history`, `current`)."""

    # ------------------------------------------------------------ places and panels

    def _panels(self) -> list[Widget]:
        """The panels Tab moves between, in screen order: the note, the side panel's
        active list, the map panel when it has one of its own."""
        tabs = self.query_one("#tabs", TabbedContent)
        side = {"links": "#tree", "near": "#near-options", "map": "#map-tab"}
        panels: list[Widget] = []
        if not self.has_class("-zoom"):
            panels.append(self.query_one(NoteView))
        if not (self.has_class("-zoom") and self.has_class("-wide")):
            panels.append(self.query_one(side.get(tabs.active, "#tree")))
        if self.has_class("-wide"):
            panels.append(self.query_one("#map-panel"))
        return panels

    def action_cycle(self, step: int) -> None:
        panels = self._panels()
        focused = self.focused
        here = next((i for i, p in enumerate(panels) if focused is p), -1 if step > 0 else 0)
        panels[(here + step) % len(panels)].focus()

    def _focus_somewhere(self, was: str | None) -> None:
        """After a layout change: keep the focus on a panel that is still on screen (the
        map stays focused when it moves between its tab and its own panel)."""
        focused = self.focused
        wide = self.has_class("-wide")
        if was in ("map-panel", "map-tab"):
            if wide:
                self.query_one("#map-panel").focus()
            else:
                self.query_one("#tabs", TabbedContent).active = "map"
                self.query_one("#map-tab").focus()
            return
        if focused is not None and focused.region:  # hidden widgets have no region
            return
        self._panels()[-1 if self.current is not None else 0].focus()

    # ------------------------------------------------------------ find, maximise

    def _panel_of(self, widget: Widget | None) -> str:
        """Which filterable panel `widget` belongs to: 'links', 'near', 'note' or ''."""
        if widget is None:
            return ""
        ids = {node.id for node in widget.ancestors_with_self}
        if "note" in ids:
            return "note"
        if "tree" in ids:
            return "links"
        if "near-list" in ids:
            return "near"
        return ""

    def _panel_widget(self, target: str) -> Widget:
        return self.query_one({"links": "#tree", "near": "#near-options"}.get(target, "#note"))

    def action_find(self) -> None:
        target = self._panel_of(self.focused)
        if not target:
            self.notify(
                "Ctrl+F filters the links or near list, or finds words in the note: "
                "move the focus there first (Tab).",
                timeout=4,
            )
            return
        current = {
            "links": self.query_one(NeighbourhoodTree).text,
            "near": self.query_one(NearList).text,
        }.get(target, "")
        self.query_one(FindBar).open(target, current)

    @on(FindInput.Changed, "#find-input")
    def _find_typed(self, event: FindInput.Changed) -> None:
        bar = self.query_one(FindBar)
        text = event.value
        if bar.target == "links":
            tree = self.query_one(NeighbourhoodTree)
            left = tree.filter_titles(text)
            every = sum(len(g.entries) for g in tree.all_groups)
            bar.count(f"{left} of {every} rows" if text else "")
        elif bar.target == "near":
            near = self.query_one(NearList)
            left = near.filter_titles(text)
            bar.count(f"{left} of {len(near.all_rows)}" if text else "")
        elif bar.target == "note":
            places = self.query_one(NoteView).find(text)
            bar.count(plural(places, "place") if text else "")

    @on(FindInput.Submitted, "#find-input")
    def _find_next(self, event: FindInput.Submitted) -> None:
        bar = self.query_one(FindBar)
        if bar.target == "note":
            view = self.query_one(NoteView)
            at = view.find_next()
            if at:
                bar.count(f"{at} of {plural(view.found_count, 'place')}")
        else:
            self._close_find(keep=True)

    def on_find_input_closed(self, message: FindInput.Closed) -> None:
        self._close_find(message.keep)

    def _close_find(self, keep: bool) -> None:
        bar = self.query_one(FindBar)
        target = bar.target
        if not target:
            return
        if not keep or not bar.input.value:
            bar.input.value = ""
            self._find_typed(FindInput.Changed(bar.input, ""))  # list everything again
            bar.close()
        self._panel_widget(target).focus()

    def _reset_find(self) -> None:
        bar = self.query_one(FindBar)
        if bar.display:
            bar.input.value = ""
            bar.close()
        self.query_one(NearList).text = ""

    def action_maximize(self) -> None:
        """Widen the focused panel (Textual's maximise; the note, a container Textual
        will not maximise, by folding the side panel away), or put it back."""
        self.call_after_refresh(self.refresh_bindings)  # the footer's w says what it does now
        if self.maximized is not None or self.has_class("-widened"):
            self.minimize()
            self.remove_class("-widened")
            return
        panels = ("note", "tree", "near-options", "map-tab", "map-panel")
        focused = self.focused
        widget = next(
            (w for w in (focused.ancestors_with_self if focused else []) if w.id in panels), None
        )
        if not isinstance(widget, Widget):
            self.notify("Move the focus to a panel first (Tab), then w widens it", timeout=3)
            return
        if isinstance(widget, NoteView):
            if self.has_class("-narrow"):
                self.notify("The note has the whole width already (under 80 columns)", timeout=3)
                return
            self.add_class("-widened")
            return
        self.maximize(widget, container=False)

    def _remember(self) -> None:
        """Keep where the person is on this step, for Back to return to."""
        tabs = self.query_one("#tabs", TabbedContent)
        tree = self.query_one("#tree", NeighbourhoodTree)
        focused = self.focused
        state = ViewState(
            scroll=self.query_one(NoteView).scroll_y,
            tab=tabs.active or "links",
            cursor=tree.cursor_line,
            focus=focused.id or "" if focused is not None else "",
        )
        self.recall.remember(self.history.position, self.history.current, state)

    def _restore(self) -> None:
        state = self.recall.recall(self.history.position, self.history.current)
        if state is None:
            return

        def put_back() -> None:
            tabs = self.query_one("#tabs", TabbedContent)
            if state.tab != tabs.active and not (state.tab == "map" and self.has_class("-wide")):
                tabs.active = state.tab
            tree = self.query_one("#tree", NeighbourhoodTree)
            if 0 <= state.cursor <= tree.last_line:
                tree.cursor_line = state.cursor
                tree.scroll_to_line(state.cursor, animate=False)
            self.query_one(NoteView).scroll_to(y=state.scroll, animate=False)
            if state.focus:
                found = self.query(f"#{state.focus}")
                if found and found.first().focusable:
                    found.first().focus()

        self.call_after_refresh(put_back)
