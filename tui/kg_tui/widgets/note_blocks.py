"""The reading view's blocks as styled text: links drawn clickable (the one under the link
cursor reversed), emphasis and found places marked, and where a find text occurs.

>>> from kg_tui.widgets.note_links import Span
>>> block = Block("nv-para", text="See Why A? now.", spans=[Span(4, 10, "a")])
>>> render_block(block, cursor=0).plain
'See Why A? now.'
>>> places("Why A? why a?", "WHY")
[(0, 3), (7, 10)]
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style

from kg.model import Note
from kg.text import fold
from kg_tui.widgets.hanging import Hanging
from kg_tui.widgets.note_links import Span
from kg_tui.widgets.note_parts import Block

HANGING = {"nv-list", "nv-quote", "nv-callout"}  # blocks whose wrapped lines are indented


def render_block(block: Block, cursor: int | None) -> Content:
    """The block's content: its text with each span a link that follows its note (span
    number `cursor` reversed and bold), emphasis and found places styled; a list item,
    quote or callout as `Hanging` content, its wrapped lines under its first word."""
    if block.content is not None:
        return block.content
    parts: list[str | tuple[str, str | Style]] = []
    at = 0
    for i, span in enumerate(block.spans):
        if span.start > at:
            parts.append((block.text[at : span.start], block.style))
        style = Style.from_meta({"@click": f"follow({span.note_id!r})"})
        if i == cursor:
            style = style + Style(reverse=True, bold=True)
        parts.append((block.text[span.start : span.end], style))
        at = span.end
    if at < len(block.text):
        parts.append((block.text[at:], block.style))
    content = Content.assemble(*parts)
    for start, end, style_name in block.marks:
        content = content.stylize(style_name, start, end)
    for start, end in block.found:
        content = content.stylize("reverse $warning", start, end)
    if HANGING.intersection(block.classes.split()):
        return Hanging(content)  # a wrapped item's lines start under its first word
    return content


def places(text: str, key: str) -> list[tuple[int, int]]:
    """(start, end) of each place `key` occurs in `text`, in any case, without overlaps;
    none for an empty key.

    >>> places("aaaa", "aa"), places("abc", "")
    ([(0, 2), (2, 4)], [])
    """
    key = key.casefold()
    if not key:
        return []
    folded = text.casefold()
    found: list[tuple[int, int]] = []
    at = folded.find(key)
    while at >= 0:
        found.append((at, at + len(key)))
        at = folded.find(key, at + len(key))
    return found


def card_list(section: str, cards: list[Note]) -> tuple[str, list[Span]]:
    """A hub section's cards as text: the section's name on a line (when it has one),
    then one bulleted title a line, each a link to its note.

    >>> from kg.model import NoteKind
    >>> text, spans = card_list("Evidence", [Note("a", "Why A?", NoteKind.SYNTHESIS)])
    >>> text, [(s.start, s.end, s.note_id) for s in spans]
    ('Evidence\\n• Why A?', [(11, 17, 'a')])
    """
    text = f"{section}\n" if section else ""
    spans: list[Span] = []
    for card in cards:
        if text and not text.endswith("\n"):
            text += "\n"
        spans.append(Span(len(text) + 2, len(text) + 2 + len(card.title), card.id))
        text += f"• {card.title}"
    return text, spans


def same_heading(name: str, heading: str) -> bool:
    """Whether a section's name only repeats the heading above it (any case, hyphens as
    spaces), so it is not shown twice.

    >>> same_heading("Sub-maps", "Sub maps"), same_heading("Evidence", "Sections")
    (True, False)
    """
    return fold(name).casefold().replace("-", " ") == fold(heading).casefold().replace("-", " ")
