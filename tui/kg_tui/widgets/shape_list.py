"""The Shape screen's list: an option list that keeps its highlighted row in sight when it
changes size (the details line under it grows and shrinks with the row it describes)."""

from __future__ import annotations

from textual import events
from textual.geometry import Region
from textual.widgets import OptionList


class ShapeList(OptionList):
    """Rows of the Shape screen; after a resize the highlighted row is scrolled back into
    view (an option list keeps its scroll offset, which can leave the row under the
    details line)."""

    def bring_into_sight(self, first: int, last: int) -> None:
        """Scroll so that rows `first` to `last` show, as many as fit from `first` on
        (the rows a cluster or gap lists under it open in sight, not below the view)."""
        self._update_lines()
        last = min(last, self.option_count - 1)
        try:
            top = self._index_to_line[first]
            bottom = self._index_to_line[last] + self._heights[last]
        except (KeyError, IndexError):
            return
        view = self.scrollable_content_region
        height = min(bottom - top, view.height)
        self.scroll_to_region(Region(0, top, view.width, height), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        # After the list has worked out its rows' heights at the new size.
        self.call_after_refresh(self.scroll_to_highlight)
