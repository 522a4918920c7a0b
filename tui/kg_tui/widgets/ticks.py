"""A selection list whose ticked and unticked boxes read differently without colour.

Textual's `SelectionList` draws an `X` in every box and tells ticked from unticked by
colour alone, which a dim theme, a monochrome terminal or a screen reader loses. Here a
ticked box shows `✓` and an unticked one stays empty.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

ValueType = TypeVar("ValueType")

TICKED = "✓"
UNTICKED = " "


class TickList(SelectionList[ValueType], Generic[ValueType]):
    """`SelectionList` with `✓` in ticked boxes and nothing in unticked ones."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        if len(segments) < 2:
            return line
        mark = TICKED if selection.value in self._selected else UNTICKED
        _text, style, control = segments[1]
        segments[1] = Segment(mark, style, control)
        return Strip(segments, line.cell_length)
