"""Text with links for the reading view, and where a Markdown note's written links go.

`Rich` is text built up piece by piece with its link spans (`Span`: characters that lead
to a note) and style runs; `LinkTargets` finds, among the graph's edges from a note on one
file line (`links`, `embeds`, `tagged`, each already resolved by kg as Obsidian does), the
one a written name means, so nothing is resolved twice.

>>> text = Rich()
>>> text.add("See ")
>>> text.add("Ideas", "bold", "ideas")
>>> text.prefixed("• ", "  ").text, text.spans
('• See Ideas', [Span(start=4, end=9, note_id='ideas')])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from kg.model import Link, LinkKind, Note

if TYPE_CHECKING:
    from kg import KnowledgeGraph


@dataclass(frozen=True)
class Span:
    """A link in a block's text: characters start to end lead to `note_id`."""

    start: int
    end: int
    note_id: str


@dataclass
class Rich:
    """Text with its links and style runs, built up piece by piece."""

    text: str = ""
    spans: list[Span] = field(default_factory=list)
    marks: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, text: str, style: str = "", note_id: str | None = None) -> None:
        start = len(self.text)
        self.text += text
        if note_id is not None and text:
            self.spans.append(Span(start, len(self.text), note_id))
        if style and text:
            self.marks.append((start, len(self.text), style))

    def extend(self, other: Rich) -> None:
        at = len(self.text)
        self.text += other.text
        self.spans += [Span(s.start + at, s.end + at, s.note_id) for s in other.spans]
        self.marks += [(a + at, b + at, style) for a, b, style in other.marks]

    def prefixed(self, first: str, rest: str) -> Rich:
        """Each line led by `rest`, the first by `first` (list bullets, quote bars)."""
        out = Rich()
        at = 0
        for number, line in enumerate(self.text.split("\n")):
            if number:
                out.text += "\n"
            lead = first if number == 0 else rest
            out.text += lead
            shift = len(out.text) - at
            end = at + len(line)
            out.spans += [
                Span(s.start + shift, s.end + shift, s.note_id)
                for s in self.spans
                if at <= s.start < end
            ]
            out.marks += [
                (a + shift, min(b, end) + shift, st) for a, b, st in self.marks if at <= a < end
            ]
            out.text += line
            at = end + 1
        return out

    def cut(self, start: int, end: int) -> Rich:
        """The characters start to end, with the links and runs inside them."""
        return Rich(
            self.text[start:end],
            [
                Span(s.start - start, s.end - start, s.note_id)
                for s in self.spans
                if start <= s.start and s.end <= end
            ],
            [
                (max(a, start) - start, min(b, end) - start, st)
                for a, b, st in self.marks
                if a < end and b > start
            ],
        )


# ---------------------------------------------------------------- where links go


class LinkTargets:
    """The note each written link of one note reaches, read from the graph's edges.

    Built empty (as in the examples) it resolves nothing, and links show as plain text.
    """

    def __init__(self, graph: KnowledgeGraph | None = None, note: Note | None = None) -> None:
        self._by_line: dict[int, list[tuple[Link, Note]]] = {}
        if graph is None or note is None:
            return
        kinds = [LinkKind.LINKS, LinkKind.EMBEDS, LinkKind.TAGGED]
        for link in graph.links_of(note, "out", kinds):
            target = graph.find(link.target)
            if target is not None:
                self._by_line.setdefault(link.line, []).append((link, target))

    def resolve(self, written: str, line: int, kind: LinkKind) -> Note | None:
        """The note a link to `written` on file line `line` reaches (None: unresolved)."""
        edges = [(lk, n) for lk, n in self._by_line.get(line, ()) if lk.kind is kind]
        if not edges:
            return None
        if kind is LinkKind.TAGGED:  # a tag is its title: `#a/b` is no path
            wanted = written.casefold()
            return next((n for _, n in edges if n.title.casefold() == wanted), None)
        name = unquote(written).strip().replace("\\", "/").casefold()
        name = _strip_md(name)
        for _, target in edges:
            if _bears_name(target, name):
                return target
        return edges[0][1] if len(edges) == 1 else None


def _bears_name(note: Note, name: str) -> bool:
    """Whether `note` is what a link to `name` (case-folded, a name or a path) means.

    >>> from kg.model import NoteKind
    >>> note = Note("i", "Ideas", NoteKind.SYNTHESIS, files=("Projects/Ideas.md",))
    >>> _bears_name(note, "ideas"), _bears_name(note, "projects/ideas"), _bears_name(note, "a/ideas")
    (True, True, False)
    """
    names = {note.title.casefold(), *(a.casefold() for a in note.aliases)}
    files = [_strip_md(f.casefold()) for f in note.files]
    if "/" in name:
        path = name.lstrip("./")
        return any(f == path or f.endswith("/" + path) for f in files)
    stems = {f.rpartition("/")[2] for f in files}
    return name in names or name in stems or name.lstrip("#") in {n.lstrip("#") for n in names}


def _strip_md(path: str) -> str:
    return path[:-3] if path.endswith(".md") else path
