"""The breadcrumb: the walk so far, newest at the right, each step clickable."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

from kg_tui.messages import JumpHistory
from kg_tui.walk import ellipsize

SEPARATOR = " › "


class Breadcrumb(Widget):
    """One line: `Home › Do base models… › Does RL teach reasoning…`, current step bold."""

    DEFAULT_CSS = """
    Breadcrumb { height: 1; width: 1fr; }
    """

    steps: reactive[tuple[str, ...]] = reactive((), layout=False)
    ahead: reactive[int] = reactive(0)

    def set_trail(self, titles: list[str], ahead: int) -> None:
        self.steps = tuple(titles)
        self.ahead = ahead

    def action_jump(self, position: int) -> None:
        self.post_message(JumpHistory(position))

    def render(self) -> Content:
        steps = list(self.steps)
        if not steps:
            return Content.styled("No note open yet: press / to search", "dim")
        pieces = fit_trail(steps, max(self.size.width, 10), self.ahead)
        last = len(steps) - 1
        parts: list[str | tuple[str, str | Style]] = []
        if pieces[0][0] > 0:
            parts.append(("…" + SEPARATOR, "dim"))
        for i, (position, text) in enumerate(pieces):
            if i:
                parts.append((SEPARATOR, "dim"))
            if position == last:
                parts.append((text, "bold"))
            else:
                parts.append((text, Style.from_meta({"@click": f"jump({position})"})))
        if self.ahead:
            parts.append((f"  +{self.ahead} ahead", "dim italic"))
        return Content.assemble(*parts)


def fit_trail(steps: list[str], width: int, ahead: int = 0) -> list[tuple[int, str]]:
    """The crumbs that fit in `width` cells, newest kept first, each cut with an ellipsis.

    >>> fit_trail(["Home", "Why does a thing happen at all?", "Can it be undone?"], 40)
    [(1, 'Why does a thin…'), (2, 'Can it be undone?')]
    >>> fit_trail(["Home", "A", "B"], 40)
    [(0, 'Home'), (1, 'A'), (2, 'B')]
    """
    room = width - (len(f"  +{ahead} ahead") if ahead else 0)
    last = len(steps) - 1
    chosen: list[tuple[int, str]] = []
    used = 0
    for position in range(last, -1, -1):
        lead = len("…" + SEPARATOR) if position > 0 else 0
        gap = len(SEPARATOR) if chosen else 0
        left = room - used - gap - lead
        limit = max(48, room // 2) if position == last else 26
        text = ellipsize(steps[position], min(limit, left))
        if chosen and (left < 8 or not text):
            break
        chosen.append((position, text))
        used += gap + len(text)
    chosen.reverse()
    return chosen
