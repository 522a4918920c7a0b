"""Where the person was on each step of the walk, so Back returns there and not to the top.

A step is a position in the history and the note shown at it; what is kept is the note's
scroll, the side panel's tab and cursor, and which panel had the focus.

>>> recall = Recall()
>>> recall.remember(1, "a", ViewState(scroll=12.0, tab="links", cursor=4, focus="tree"))
>>> recall.recall(1, "a").cursor, recall.recall(1, "b"), recall.recall(2, "a")
(4, None, None)
>>> recall.forget_from(1); recall.recall(1, "a") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ViewState:
    """One step's place: the note's scroll offset, the side tab, its cursor, the focus."""

    scroll: float = 0.0
    tab: str = "links"
    cursor: int = 0
    focus: str = ""  # id of the focused panel ('note', 'tree', 'near-options', 'map-tab')


class Recall:
    """The places of the steps of one walk, keyed by history position and note id."""

    def __init__(self) -> None:
        self._places: dict[tuple[int, str], ViewState] = {}

    def remember(self, position: int, item: str | None, state: ViewState) -> None:
        if item is not None and position >= 0:
            self._places[(position, item)] = state

    def recall(self, position: int, item: str | None) -> ViewState | None:
        if item is None:
            return None
        return self._places.get((position, item))

    def forget_from(self, position: int) -> None:
        """Drop the places from `position` on (a new visit replaces them)."""
        for key in [k for k in self._places if k[0] >= position]:
            del self._places[key]

    def rename(self, moved: dict[str, str]) -> None:
        """Keep the places of notes that now go by another id (see `History.rename`)."""
        self._places = {
            (position, moved.get(item, item)): state
            for (position, item), state in self._places.items()
        }
