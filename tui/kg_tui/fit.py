"""Titles cut to a panel's width so that different notes still read differently.

Many titles of a corpus start alike ("Does reinforcement learning …"): cut at the end,
two of them can look the same. `distinct_cuts` keeps the start, and where two cuts would
read the same, the end of each title too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from kg_tui.labels import SEPARATOR, fit_with_folder
from kg_tui.walk import ellipsize


def middle_cut(text: str, width: int) -> str:
    """`text` in `width` cells: its start, an ellipsis, its end.

    >>> middle_cut("Does reinforcement learning teach reasoning?", 24)
    'Does reinforce…easoning?'
    """
    if len(text) <= width:
        return text
    if width < 8:
        return ellipsize(text, width)
    tail = (width - 1) * 2 // 5
    head = width - 1 - tail
    return text[:head].rstrip() + "…" + text[len(text) - tail :].lstrip()


def end_cut(text: str, width: int) -> str:
    """`text` cut at its end, but a folder shown after a repeated title (`labels`) kept:
    the title is cut first.

    >>> end_cut("Privacy and storage — Publish/", 22)
    'Privacy an… — Publish/'
    """
    title, separator, folder = text.rpartition(SEPARATOR)
    if separator and len(text) > width:
        return fit_with_folder(title, folder, width)
    return ellipsize(text, width)


def distinct_cuts(titles: Sequence[str], width: int) -> list[str]:
    """Each title cut to `width`; titles whose plain cuts collide keep their ends as well.

    >>> distinct_cuts(["Does RL teach reasoning?", "Does RL teach reasons?", "Why?"], 14)
    ['Does RL…ning?', 'Does RL…sons?', 'Why?']
    """
    cuts = [end_cut(t, width) for t in titles]
    same: defaultdict[str, list[int]] = defaultdict(list)
    for i, cut in enumerate(cuts):
        same[cut].append(i)
    for group in same.values():
        if len(group) > 1 and len({titles[i] for i in group}) > 1:
            for i in group:
                cuts[i] = middle_cut(titles[i], width)
    return cuts
