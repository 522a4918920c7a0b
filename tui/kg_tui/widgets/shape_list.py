"""The Shape screen's list: an option list that keeps its highlighted row in sight when it
changes size (the details line under it grows and shrinks with the row it describes)."""

from __future__ import annotations

from textual import events
from textual.widgets import OptionList


class ShapeList(OptionList):
    """Rows of the Shape screen; after a resize the highlighted row is scrolled back into
    view (an option list keeps its scroll offset, which can leave the row under the
    details line)."""

    def on_resize(self, event: events.Resize) -> None:
        # After the list has worked out its rows' heights at the new size.
        self.call_after_refresh(self.scroll_to_highlight)
