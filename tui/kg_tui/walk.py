"""The state of a walk through the graph, kept apart from any widget so it can be tested.

`History` is the browser-like back/forward list, `group_neighbours` turns a note's
neighbourhood into the groups the side panel shows (sources, used by, related, ...),
and `Filter` is the link-kind and category filter a person sets.

>>> h = History()
>>> for note_id in ("a", "b", "c"):
...     h.visit(note_id)
>>> h.back(), h.back(), h.forward(), h.trail()
('b', 'a', 'b', ['a', 'b'])
>>> h.visit("d"); h.can_forward, h.trail()
(False, ['a', 'b', 'd'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.model import Link, LinkKind, Neighbour, Note, NoteKind
from kg.text import carries_tag
from kg_tui.vault import anchor_label, is_attachment

HOME = ""  # the history entry of the corpus overview

# ---------------------------------------------------------------- colours and groups

# One colour per link kind, shared by the side panel, the concept map and its legend.
KIND_COLOURS: dict[LinkKind, str] = {
    LinkKind.SOURCE: "#5fafff",
    LinkKind.USES: "#9e9ed8",
    LinkKind.RELATED: "#ffaf5f",
    LinkKind.MENTIONS: "#87d787",
    LinkKind.PAPER: "#e08ae0",
    LinkKind.NEXT: "#5fd7d7",
    LinkKind.HUB: "#ffd75f",
    LinkKind.SECTION: "#d7af87",
    LinkKind.SUBMAP: "#c8c864",
    LinkKind.TOPIC: "#87afd7",
    LinkKind.CATEGORY: "#9a9a9a",
    LinkKind.LINKS: "#afd75f",
    LinkKind.EMBEDS: "#d787af",
    LinkKind.TAGGED: "#5fafaf",
}


@dataclass(frozen=True)
class GroupSpec:
    """How one (link kind, direction) pair is shown: its heading and its place in the list."""

    kind: LinkKind
    direction: str  # 'out' or 'in'
    title: str
    order: int


_SPECS: list[tuple[LinkKind, str, str]] = [
    (LinkKind.SOURCE, "out", "Sources"),
    (LinkKind.SOURCE, "in", "Source for"),
    (LinkKind.USES, "in", "Used by"),
    (LinkKind.USES, "out", "Uses"),
    (LinkKind.RELATED, "out", "Related"),
    (LinkKind.RELATED, "in", "Related from"),
    (LinkKind.LINKS, "out", "Links"),
    (LinkKind.LINKS, "in", "Linked from"),
    (LinkKind.EMBEDS, "out", "Embeds"),
    (LinkKind.EMBEDS, "in", "Embedded in"),
    (LinkKind.MENTIONS, "out", "Mentions"),
    (LinkKind.MENTIONS, "in", "Mentioned by"),
    (LinkKind.PAPER, "out", "Papers"),
    (LinkKind.PAPER, "in", "Paper of"),
    (LinkKind.NEXT, "out", "Next lines"),
    (LinkKind.NEXT, "in", "Previous lines"),
    (LinkKind.HUB, "out", "Hubs"),
    (LinkKind.HUB, "in", "Under this hub"),
    (LinkKind.SUBMAP, "out", "Sub-maps"),
    (LinkKind.SUBMAP, "in", "Parent maps"),
    (LinkKind.SECTION, "out", "Hub sections"),
    (LinkKind.SECTION, "in", "In hub sections"),
    (LinkKind.TOPIC, "out", "Topic notes"),
    (LinkKind.TOPIC, "in", "In topics"),
    (LinkKind.CATEGORY, "out", "Categories"),
    (LinkKind.CATEGORY, "in", "Notes in this category"),
    (LinkKind.TAGGED, "out", "Tags"),
    (LinkKind.TAGGED, "in", "Tagged"),
]
GROUP_SPECS: dict[tuple[LinkKind, str], GroupSpec] = {
    (kind, way): GroupSpec(kind, way, title, order)
    for order, (kind, way, title) in enumerate(_SPECS)
}


# A vault's images, audio and PDFs a note links or embeds: listed apart from its notes.
ATTACHMENTS = GroupSpec(LinkKind.EMBEDS, "out", "Attachments", len(_SPECS))


def group_spec(kind: LinkKind, direction: str) -> GroupSpec:
    return GROUP_SPECS[(kind, "in" if direction == "in" else "out")]


@dataclass(frozen=True)
class Entry:
    """One neighbour as listed: the note, the first link that reaches it, how many links do."""

    note: Note
    link: Link
    direction: str
    links: int = 1

    @property
    def detail(self) -> str:
        """What the side panel prints after the title: the relation label or the order."""
        link = self.link
        if link.kind is LinkKind.RELATED and link.label:
            return link.label
        if link.order is not None and link.kind in (LinkKind.SOURCE, LinkKind.PAPER, LinkKind.NEXT):
            return f"#{link.order}"
        if link.section:
            return anchor_label(link.section)
        return ""


@dataclass
class Group:
    """The neighbours reached through one link kind in one direction."""

    spec: GroupSpec
    entries: list[Entry] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def kind(self) -> LinkKind:
        return self.spec.kind


def other_end(link: Link, note_id: str) -> str:
    """The id at the far end of `link` seen from `note_id`."""
    return link.source if link.target == note_id else link.target


def _sort_key(entry: Entry) -> tuple[int, int]:
    link = entry.link
    return (link.order if link.order is not None else 1 << 30, link.line)


def group_neighbours(
    neighbours: Iterable[Neighbour],
    categories: frozenset[str] | None = None,
    tags: frozenset[str] | None = None,
) -> list[Group]:
    """Depth-1 neighbours grouped by link kind and direction, one entry per note and group.

    Groups come in a fixed order (sources, used by, related, mentions, papers, next lines,
    hubs, ...); entries keep page order (or the declared order of sources and papers).
    `categories`, when given, keeps only notes in at least one of those categories;
    `tags`, only notes carrying one of those tags (or a tag nested under one).
    """
    groups: dict[GroupSpec, dict[str, Entry]] = {}
    for n in neighbours:
        if n.depth != 1:
            continue
        if categories is not None and not categories.intersection(n.note.categories):
            continue
        if tags is not None and not has_tag(n.note, tags):
            continue
        spec = group_spec(n.link.kind, n.direction)
        if spec.direction == "out" and is_attachment(n.note):
            spec = ATTACHMENTS  # files, not notes: a group of their own
        bucket = groups.setdefault(spec, {})
        seen = bucket.get(n.note.id)
        if seen is None:
            bucket[n.note.id] = Entry(n.note, n.link, spec.direction)
        else:
            bucket[n.note.id] = Entry(seen.note, seen.link, seen.direction, seen.links + 1)
    out = [Group(spec, sorted(entries.values(), key=_sort_key)) for spec, entries in groups.items()]
    return sorted(out, key=lambda g: g.spec.order)


def second_ring(neighbours: Iterable[Neighbour], centre: str) -> dict[str, list[Entry]]:
    """Depth-2 neighbours keyed by the depth-1 note they are reached through."""
    ring: dict[str, dict[str, Entry]] = {}
    for n in neighbours:
        if n.depth != 2:
            continue
        via = other_end(n.link, n.note.id)
        if via == centre:
            continue
        bucket = ring.setdefault(via, {})
        if n.note.id not in bucket:
            bucket[n.note.id] = Entry(n.note, n.link, n.direction)
    return {via: list(entries.values()) for via, entries in ring.items()}


def second_ring_words(ring: dict[str, list[Entry]]) -> str:
    """What the depth-2 rows under the neighbours hold, each figure saying what it counts:
    the notes (as `KnowledgeGraph.stats` counts them, so the notes linked directly and
    these make its "within two links"), then the categories and tags the rows list too.

    >>> from kg.model import Link
    >>> def entry(i, kind=NoteKind.SYNTHESIS):
    ...     return Entry(Note(i, i.upper(), kind), Link("b", i, LinkKind.RELATED), "out")
    >>> second_ring_words({"b": [entry("c"), entry("d")], "e": [entry("c")]})
    '2 more notes two links away'
    >>> second_ring_words({"b": [entry("c"), entry("k", NoteKind.CATEGORY)]})
    '1 more note two links away, and 1 category'
    >>> second_ring_words({"b": [entry("k", NoteKind.CATEGORY), entry("t", NoteKind.TAG)]})
    '0 more notes two links away, and 1 category and 1 tag'
    """
    seen = {e.note.id: e.note.kind for entries in ring.values() for e in entries}
    categories = sum(1 for kind in seen.values() if kind is NoteKind.CATEGORY)
    tags = sum(1 for kind in seen.values() if kind is NoteKind.TAG)
    notes = len(seen) - categories - tags
    text = f"{notes:,} more note{'' if notes == 1 else 's'} two links away"
    grouping = [
        f"{count:,} {one if count == 1 else many}"
        for count, one, many in ((categories, "category", "categories"), (tags, "tag", "tags"))
        if count
    ]
    return text + (", and " + " and ".join(grouping) if grouping else "")


# ---------------------------------------------------------------- filter


def has_tag(note: Note, tags: frozenset[str]) -> bool:
    """Whether `note` carries one of `tags` or a tag nested under one (any case, '#' or not).

    >>> from kg.model import NoteKind
    >>> has_tag(Note("n", "N", NoteKind.SYNTHESIS, tags=("ml/vision",)), frozenset({"#ML"}))
    True
    """
    return any(carries_tag(note.tags, wanted) for wanted in tags)


@dataclass(frozen=True)
class Filter:
    """Which link kinds the walk follows and which categories it keeps (None: all)."""

    kinds: frozenset[LinkKind] | None = None
    categories: frozenset[str] | None = None
    tags: frozenset[str] | None = None  # keep notes with one of these #tags

    @property
    def active(self) -> bool:
        return self.kinds is not None or self.categories is not None or self.tags is not None

    def describe(self) -> str:
        """A short phrase for the status line.

        >>> Filter(frozenset({LinkKind.RELATED})).describe()
        'kinds: related'
        >>> Filter().describe()
        'no filter'
        >>> Filter(frozenset(list(LinkKind)[:5]), frozenset({"Reasoning, Retrieval"})).describe()
        '5 of 14 link kinds; categories: Reasoning, Retrieval'
        """
        parts = []
        if self.kinds is not None and len(self.kinds) > 3:  # the names would crowd out the rest
            parts.append(f"{len(self.kinds)} of {len(LinkKind)} link kinds")
        elif self.kinds is not None:
            parts.append("kinds: " + ", ".join(sorted(k.value for k in self.kinds)))
        if self.categories is not None:
            parts.append("categories: " + ", ".join(sorted(self.categories)))
        if self.tags is not None:
            parts.append("tags: " + ", ".join(sorted(self.tags)))
        return "; ".join(parts) or "no filter"


# ---------------------------------------------------------------- history


class History:
    """Back and forward through visited notes, like a browser."""

    def __init__(self, limit: int = 500) -> None:
        self._items: list[str] = []
        self._pos = -1
        self._limit = limit

    @property
    def current(self) -> str | None:
        return self._items[self._pos] if self._pos >= 0 else None

    @property
    def can_back(self) -> bool:
        return self._pos > 0

    @property
    def can_forward(self) -> bool:
        return self._pos < len(self._items) - 1

    @property
    def position(self) -> int:
        return self._pos

    def visit(self, item: str) -> None:
        """Go to `item`: the forward list is dropped, as in a browser."""
        if self.current == item:
            return
        del self._items[self._pos + 1 :]
        self._items.append(item)
        if len(self._items) > self._limit:
            del self._items[0]
        self._pos = len(self._items) - 1

    def back(self) -> str | None:
        if self.can_back:
            self._pos -= 1
        return self.current

    def forward(self) -> str | None:
        if self.can_forward:
            self._pos += 1
        return self.current

    def jump(self, position: int) -> str | None:
        """Go to an entry of the trail (as a breadcrumb click does)."""
        if 0 <= position < len(self._items):
            self._pos = position
        return self.current

    def rename(self, moved: dict[str, str]) -> None:
        """Follow notes that now go by another id (retitled, or their file renamed).

        >>> history = History(); history.visit("a"); history.visit("b")
        >>> history.rename({"a": "c"}); history.trail()
        ['c', 'b']
        """
        self._items = [moved.get(item, item) for item in self._items]

    def trail(self) -> list[str]:
        """The entries up to and including the current one."""
        return self._items[: self._pos + 1]

    def ahead(self) -> list[str]:
        """The entries `forward` would visit."""
        return self._items[self._pos + 1 :]

    def items(self) -> list[str]:
        """Every entry, oldest first: the trail and the entries ahead of it."""
        return list(self._items)


# ---------------------------------------------------------------- text helpers


def ellipsize(text: str, width: int) -> str:
    """Cut `text` to `width` cells, ending with an ellipsis when cut.

    >>> ellipsize("Do base models already contain hidden reasoning ability?", 20)
    'Do base models alre…'
    >>> ellipsize("short", 20)
    'short'
    """
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width == 1:
        return "…"
    return text[: width - 1].rstrip() + "…"
