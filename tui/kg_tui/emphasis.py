"""Markdown emphasis in a note's text (`*do*`, `**not**`, `_so_`) turned into styles.

Pages of the site keep the asterisks of their Markdown source; the reading view shows the
words in italic or bold instead, with the markers gone.
"""

from __future__ import annotations

import re

# **bold**, *italic*, _italic_: markers hugging a word on both sides, never across lines.
_EMPHASIS = re.compile(
    r"(?<![\w*])\*\*(?=\S)(?P<bold>[^*\n]+?)(?<=\S)\*\*(?![\w*])"
    r"|(?<![\w*])\*(?=\S)(?P<star>[^*\n]+?)(?<=\S)\*(?![\w*])"
    r"|(?<![\w_])_(?=\S)(?P<under>[^_\n]+?)(?<=\S)_(?![\w_])"
)


def emphasis(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The text without emphasis markers, and (start, end, style) of each emphasised run.

    >>> emphasis("they implicitly *vote*, and **never** 2*3*4 or snake_case_name")
    ('they implicitly vote, and never 2*3*4 or snake_case_name', [(16, 20, 'italic'), (26, 31, 'bold')])
    """
    out: list[str] = []
    marks: list[tuple[int, int, str]] = []
    at = 0
    length = 0
    for match in _EMPHASIS.finditer(text):
        out.append(text[at : match.start()])
        length += match.start() - at
        kind = "bold" if match.group("bold") is not None else "italic"
        words = match.group("bold") or match.group("star") or match.group("under") or ""
        marks.append((length, length + len(words), kind))
        out.append(words)
        length += len(words)
        at = match.end()
    out.append(text[at:])
    return "".join(out), marks
