"""The concept map's words: the figures line over it, its legend, and how they wrap.

>>> map_figures(NoteStats(direct=1, two_hop=1, density=0.0, cluster="sparse cluster"))
'1 note linked directly · 1 within two links'
"""

from __future__ import annotations

from collections import Counter

from kg.model import LinkKind, NoteStats
from kg_tui.walk import ellipsize

# Kinds in the order they get places on the ring when space is short.
PRIORITY = [
    LinkKind.RELATED,
    LinkKind.SOURCE,
    LinkKind.LINKS,
    LinkKind.EMBEDS,
    LinkKind.MENTIONS,
    LinkKind.NEXT,
    LinkKind.PAPER,
    LinkKind.HUB,
    LinkKind.SUBMAP,
    LinkKind.SECTION,
    LinkKind.TOPIC,
    LinkKind.USES,
    LinkKind.CATEGORY,
    LinkKind.TAGGED,
]
MIN_CLUSTER = 3  # direct neighbours below which a density says nothing


def map_figures(stats: NoteStats) -> str:
    """The map's header: what each figure counts.

    >>> map_figures(NoteStats(direct=2, two_hop=5, density=1.0, cluster="dense cluster"))
    '2 notes linked directly · 5 within two links'
    >>> map_figures(NoteStats(direct=9, two_hop=30, density=0.4, cluster="moderate cluster"))
    '9 notes linked directly · 30 within two links · moderate cluster (density 0.40)'
    >>> map_figures(NoteStats(direct=9, two_hop=9, density=0.0, cluster="sparse cluster", stubs=7))
    '9 notes linked directly (7 stubs) · 9 within two links · sparse cluster (density 0.00)'
    """
    text = (
        f"{stats.direct} note{'s' if stats.direct != 1 else ''} linked directly"
        + stub_part(stats.stubs)
        + f" · {stats.two_hop} within two links"
    )
    if stats.direct >= MIN_CLUSTER:
        text += f" · {stats.cluster} (density {stats.density:.2f})"
    return text


def stub_part(stubs: int) -> str:
    """How many of the notes linked directly are stubs (no page of their own), in the words
    the overview counts them with ("5 notes with pages · 365 stubs").

    >>> stub_part(0), stub_part(1)
    ('', ' (1 stub)')
    """
    if not stubs:
        return ""
    return f" ({stubs} stub{'s' if stubs != 1 else ''})"


def wrap_words(text: str, width: int, lines: int) -> list[str]:
    """`text` on up to `lines` lines of `width` cells, the last cut only if it must be.

    >>> wrap_words("341 notes linked directly · 349 within two links", 30, 2)
    ['341 notes linked directly ·', '349 within two links']
    """
    out: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], ellipsize(" ".join(out[lines - 1 :]), width)]
    return out


SHOWN_OF_ALL = "shown/all:"  # heads the legend when it counts (no bullet of its own)


def legend_lines(
    total: Counter[LinkKind], shown: Counter[LinkKind], width: int, rows: int
) -> list[list[tuple[LinkKind | None, str]]]:
    """The legend's entries laid out on up to `rows` lines: the kinds alone when every
    note is drawn; else every kind with how many of its notes are drawn of how many,
    headed by what the figures are (`SHOWN_OF_ALL`, an entry of no kind).

    >>> from kg.model import LinkKind as K
    >>> every = Counter({K.RELATED: 2, K.HUB: 1})
    >>> [text for _, text in legend_lines(every, every, 40, 2)[0]]
    ['related', 'hub']
    >>> total, shown = Counter({K.RELATED: 7, K.HUB: 1}), Counter({K.RELATED: 1, K.HUB: 1})
    >>> [text for _, text in legend_lines(total, shown, 40, 2)[0]]
    ['shown/all:', 'related 1/7', 'hub 1/1']
    """
    counted = any(shown.get(kind, 0) != total[kind] for kind in total)
    entries: list[tuple[LinkKind | None, str]] = [(None, SHOWN_OF_ALL)] if counted else []
    for kind in PRIORITY:
        if kind in total:
            drawn = shown.get(kind, 0)
            text = f"{kind.value} {drawn}/{total[kind]}" if counted else kind.value
            entries.append((kind, text))
    lines: list[list[tuple[LinkKind | None, str]]] = [[]]
    used = 0
    for entry, text in entries:
        need = len(text) + (4 if entry is not None else 2)
        if lines[-1] and used + need > width:
            if len(lines) == rows:
                break
            lines.append([])
            used = 0
        lines[-1].append((entry, ellipsize(text, width - 2)))
        used += need
    return [line for line in lines if line]
