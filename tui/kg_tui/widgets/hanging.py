"""Text whose wrapped lines keep the indent of the line they continue (a hanging indent),
so a long list item reads as one item: its second line starts under its first word, not
under its bullet.

The lead of a line is its run of spaces, bullets (•), numbers (`12. `) and quote bars
(│); a line wider than the widget is wrapped to the width left after its lead, and each
piece after the first is led by as many spaces. Textual asks a visual for its height and
its lines at a given width, so the wrapping is worked out for the width the widget has.

>>> item = Content("• one two three four five six seven")
>>> [line.plain for line in hang(item, 16).split("\\n")]
['• one two three', '  four five six', '  seven']
>>> hang(Content("1. short"), 40).plain
'1. short'
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.content import Content, Span
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions

LEAD = re.compile(r"(?: |• |│ |\d{1,3}[.)] )*")
SHORTEST = 12  # cells a wrapped piece keeps at least: a deeper lead is not hung


def hang(content: Content, width: int) -> Content:
    """`content` wrapped to `width` cells with hanging indents (unchanged lines that fit)."""
    if width <= 0:
        return content
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        lead = len(LEAD.match(line.plain).group())  # type: ignore[union-attr]
        if not lead or line.cell_length <= width or width - lead < SHORTEST:
            lines.append(line)
            continue
        pieces = _wrap(line[lead:], width - lead)
        lines.append(line[:lead] + pieces[0])
        lines += [Content(" " * lead) + piece for piece in pieces[1:]]
    return Content("\n").join(lines)


NBSP, KEEP = "\u00a0", "\ue000"  # a no-break space, and what stands in for it while wrapping


def _wrap(line: Content, width: int) -> list[Content]:
    """`line` wrapped to `width`, never at a no-break space (Content.wrap breaks at any
    space): "1\u00a0disagreement" stays on one line.

    >>> [p.plain for p in _wrap(Content("notes · 1 disagreement"), 18)]
    ['notes · 1', 'disagreement']
    >>> [p.plain for p in _wrap(Content("notes · 1\u00a0disagreement"), 18)]
    ['notes ·', '1\xa0disagreement']
    """
    if NBSP not in line.plain:
        return list(line.wrap(width))
    kept = Content(line.plain.replace(NBSP, KEEP), list(line.spans))
    return [Content(p.plain.replace(KEEP, NBSP), list(p.spans)) for p in kept.wrap(width)]


class _LaidOut(Content):
    """Content whose lines are laid out anew for the width it is shown at (`_layout`), the
    last layout kept: Textual asks for the height and then the lines at the same width."""

    __slots__ = ["_laid"]

    def __init__(self, text: str, spans: list[Span] | None = None, strip: bool = True) -> None:
        super().__init__(text, spans, strip_control_codes=strip)
        self._laid: tuple[int, Content] | None = None

    def _layout(self, width: int) -> Content:
        raise NotImplementedError

    def _at(self, width: int) -> Content:
        if self._laid is None or self._laid[0] != width:
            self._laid = (width, self._layout(width))
        return self._laid[1]

    def get_height(self, rules: RulesMap, width: int) -> int:
        pad = rules.get("line_pad", 0) * 2
        return self._at(width - pad).get_height(rules, width)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        pad = options.rules.get("line_pad", 0) * 2
        return self._at(width - pad).render_strips(width, height, style, options)


class Hanging(_LaidOut):
    """Content shown with hanging indents (`hang`) at whatever width it is given."""

    __slots__: list[str] = []

    def __init__(self, content: Content) -> None:
        super().__init__(content.plain, list(content.spans), strip=False)

    def _layout(self, width: int) -> Content:
        return hang(self, width)


def between_parts(parts: list[str], width: int, separator: str = " · ") -> str:
    """`parts` joined by `separator`, broken onto a new line (in place of the separator)
    only between two parts, when the line would be wider than `width` (a part wider than
    the width is left whole here, to be wrapped as any text is), so a figure never goes
    without the word after it.

    >>> between_parts(["SYNTHESIS NOTE", "2 disagreements"], 24)
    'SYNTHESIS NOTE\\n2 disagreements'
    >>> between_parts(["PAPER", "2026-01-12"], 24)
    'PAPER · 2026-01-12'
    """
    lines: list[str] = []
    line = ""
    for part in parts:
        joined = f"{line}{separator}{part}" if line else part
        if line and cell_len(joined) > width:
            lines.append(line)  # the line break parts them: no separator
            line = part
        else:
            line = joined
    return "\n".join([*lines, line])


class Parts(_LaidOut):
    """Short phrases in a row ("SYNTHESIS NOTE · 2026-01-12 · 2 disagreements") that wrap
    between phrases, never inside one (`between_parts`), at whatever width they are given."""

    __slots__ = ["_parts"]

    def __init__(self, parts: list[str], separator: str = " · ") -> None:
        super().__init__(separator.join(parts))
        self._parts = (tuple(parts), separator)

    def _layout(self, width: int) -> Content:
        parts, separator = self._parts
        return Content(between_parts(list(parts), width, separator))
