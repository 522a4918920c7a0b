"""The details pane: the highlighted row of a list, tree or map, in full."""

from __future__ import annotations

import re

from textual.content import Content
from textual.widgets import Static

from kg_tui.details import Details


class DetailsPane(Static):
    """A few lines under a panel: full title, link kind, sentence or annotation, file:line.

    Lists cut titles to their width; this pane never does (it wraps), so two notes whose
    titles start alike can always be told apart.
    """

    DEFAULT_CSS = """
    DetailsPane { height: auto; max-height: 40%; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, hint: str = "", *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.hint = hint
        self.details: Details | None = None

    def on_mount(self) -> None:
        self.show(None)

    def on_resize(self) -> None:
        self.show(self.details)  # the path is cut to the width

    def show(self, details: Details | None) -> None:
        """Describe `details`, or show the hint when nothing is highlighted."""
        self.details = details
        if details is None:
            self.update(Content.styled(self.hint, "dim italic"))
            return
        parts: list[str | tuple[str, str]] = [
            (details.title, "bold italic" if details.stub else "bold")
        ]
        meta = " · ".join(p for p in (details.kind, "stub" if details.stub else "") if p)
        if meta:
            parts += ["\n", (meta, details.colour or "$text-secondary")]
        if details.where:  # a line of its own, so a path is never broken mid-word
            parts += ["\n", (fit_path(details.where, self.content_region.width), "dim")]
        if details.text:
            parts += ["\n", (details.text, "italic $text-muted")]
        self.update(Content.assemble(*parts))


def fit_path(where: str, width: int) -> str:
    """`where` (a file path with its line) cut from the left to `width` cells, so its end
    (file name and line) always shows; unchanged when it fits or the width is unknown.
    A file name too long for the width is kept whole without its folders, on as many
    lines as it needs, broken after a hyphen, underscore or space or before the line
    number (never inside a word, as the pane's own wrapping would): a name is never cut.

    >>> fit_path("notes/vault/deep/folder/Some note.md:12", 24)
    '…/folder/Some note.md:12'
    >>> fit_path("a.md:3", 24), fit_path("a/b/c.md:3", 0)
    ('a.md:3', 'a/b/c.md:3')
    >>> print(fit_path("site/line-catching-own-mistakes-main.txt:10", 24))
    line-catching-own-
    mistakes-main.txt:10
    >>> print(fit_path("seeds/004_3d232574846d122f.txt:336", 24))
    004_3d232574846d122f.txt
    :336
    """
    if width <= 1 or len(where) <= width:
        return where
    name = where.rpartition("/")[2]
    if len(name) + 2 > width:
        return "\n".join(broken(name, width))
    return "…" + where[len(where) - width + 1 :]


def broken(name: str, width: int) -> list[str]:
    """`name` in lines of at most `width` cells, each ending after a hyphen, underscore or
    space, or before the `:line`, where it can (a piece longer than the width is cut
    where it must be).

    >>> broken("line-catching-own-mistakes-main.txt:10", 20)
    ['line-catching-own-', 'mistakes-main.txt:10']
    >>> broken("abcdefgh", 3)
    ['abc', 'def', 'gh']
    """
    pieces = re.findall(r"[^-_ :]*[-_ ]|[^-_ :]+|:[^-_ :]*", name)
    lines = [""]
    for piece in pieces:
        while len(piece) > width:  # no break inside it: cut it where it must be
            room = width - len(lines[-1])
            lines[-1] += piece[:room]
            piece = piece[room:]
            lines.append("")
        if len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return [line for line in lines if line]
