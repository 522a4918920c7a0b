"""Where a vault's written links go, the way Obsidian sends them, and one note per file.

A file is found by its path or its name, case-insensitively; a bare name shared by several
files goes, as Obsidian's help says, to the one at the vault's root, else to the one with
the shortest path, wherever the linking note is.

>>> index = VaultIndex(["a/Note.md", "b/Note.md", "Note.md"], ["img/pic.png"])
>>> index.resolve("note", "b/other.md").path, index.resolve("NOTE", "c/x.md").path
('Note.md', 'Note.md')
>>> index.resolve("a/Note", "x.md").path, index.resolve("pic.png", "x.md").path
('a/Note.md', 'img/pic.png')
"""

from __future__ import annotations

import posixpath
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kg.graph.merge import merge_pages
from kg.model import Diagnostic, LinkKind, Note, NoteKind, Page, Severity, WrittenLink
from kg.parse.obsidian import ATTACHMENT_SUFFIXES, code_spans
from kg.sentences import sentences_at
from kg.text import clean_title, normalize_title, quoted, tag_key

if TYPE_CHECKING:
    from kg.graph.build import GraphBuilder


@dataclass(frozen=True, slots=True)
class Resolved:
    """Where a written link goes: the file's path, whether it is a note (else an
    attachment), and the other files a bare name could have meant (empty if none)."""

    path: str
    note: bool
    others: tuple[str, ...] = ()


def _depth_order(path: str) -> tuple[int, int, str]:
    """The vault's root first, then the shortest path (in characters), then by name."""
    return (min(path.count("/"), 1), len(path), path)


class VaultIndex:
    """Every file a link can reach, by full path and by name, both case-insensitive."""

    def __init__(self, notes: Iterable[str], attachments: Iterable[str] = ()) -> None:
        self._by_path: dict[str, Resolved] = {}
        self._by_name: dict[str, list[Resolved]] = {}
        for paths, is_note in ((notes, True), (attachments, False)):
            for path in paths:
                entry = Resolved(path, is_note)
                key = _fold(path)
                if is_note:
                    key = _strip_md(key)
                self._by_path.setdefault(key, entry)
                self._by_name.setdefault(key.rpartition("/")[2], []).append(entry)
        for entries in self._by_name.values():
            entries.sort(key=lambda e: _depth_order(e.path))

    def resolve(self, target: str, source: str) -> Resolved | None:
        """The file a link to `target` written in the file `source` reaches, else None.

        A link with a folder goes to that path (from the vault's root, else from the
        linking note's folder, else any file whose path ends so); a bare name goes to
        the file at the vault's root, else to the shortest path. Notes win over
        attachments of the same name (`[[x.png]]` finds `x.png.md` first).

        >>> VaultIndex(["a/X.md", "X.md"]).resolve("x", "a/y.md")
        Resolved(path='X.md', note=True, others=('a/X.md',))
        >>> VaultIndex(["Projects/X.md", "a/b/X.md"]).resolve("x", "Projects/y.md").path
        'a/b/X.md'
        """
        key = _fold(target.strip().replace("\\", "/"))
        key = key.lstrip("/") if key.startswith("/") else key
        if not key:
            return None
        folder = _fold(source.rpartition("/")[0])
        for wanted in dict.fromkeys((_strip_md(key), key)):
            found = self._lookup(wanted, folder)
            if found is not None:
                return found
        return None

    def _lookup(self, key: str, folder: str) -> Resolved | None:
        if "/" in key:
            exact = self._by_path.get(posixpath.normpath(key))
            if exact is not None:
                return exact
            relative = self._by_path.get(posixpath.normpath(posixpath.join(folder, key)))
            if relative is not None:
                return relative
            name = key.rpartition("/")[2]
            ending = "/" + key.lstrip("./")
            candidates = [
                e
                for e in self._by_name.get(name, ())
                if _strip_md(_fold(e.path)).endswith(ending) or _fold(e.path).endswith(ending)
            ]
        else:
            candidates = self._by_name.get(key, [])
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        best = candidates[0]  # sorted by `_depth_order`: the root's, else the shortest path
        return Resolved(best.path, best.note, tuple(e.path for e in candidates if e is not best))


def _fold(text: str) -> str:
    """A path or link as compared: NFC (a macOS file name may be stored decomposed) and
    case-folded, as Obsidian compares them.

    >>> _fold("Cafe\u0301 Notes.md") == _fold("CAFÉ notes.md")
    True
    """
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.casefold()


def _strip_md(key: str) -> str:
    return key[:-3] if key.endswith(".md") else key


# ---------------------------------------------------------------- building the graph


def is_attachment_target(target: str) -> bool:
    """Whether an unresolved target names a non-Markdown file (a missing attachment).

    >>> is_attachment_target("scan.PDF"), is_attachment_target("Version 2.0"), is_attachment_target("x.md")
    (True, False, False)
    """
    return posixpath.splitext(target.strip())[1].casefold() in ATTACHMENT_SUFFIXES


class VaultLinker:
    """Adds a vault's Markdown notes, attachments, written links and tags to a
    `GraphBuilder`; `kg.graph.build` calls it for every page read from a `.md` file."""

    def __init__(self, builder: GraphBuilder, pages: Sequence[Page], attachments: Sequence[str]):
        self.builder = builder
        self.index = VaultIndex(
            (p.path for p in pages if p.variant == "markdown" and p.title), attachments
        )
        self.attachments: dict[str, str] = {}  # path (case-folded) -> node id
        self.tags: dict[str, str] = {}  # tag key -> node id
        for path in attachments:
            self._attachment(path, exists=True)

    # ------------------------------------------------------------ nodes

    def _attachment(self, path: str, exists: bool, page: Page | None = None) -> str:
        key = path.casefold()
        found = self.attachments.get(key)
        if self.builder.events is not None:
            self.builder.events.append(("a", key, exists, found))
        if found is not None:
            return found
        builder = self.builder
        name = path.rpartition("/")[2]
        note_id = builder._new_id(path, "attachment-")
        builder.made("attachment", key, note_id)
        builder.notes[note_id] = Note(
            id=note_id,
            title=name,
            kind=NoteKind.ATTACHMENT,
            stub=not exists,
            files=(path,) if exists else (),
        )
        self.attachments[key] = note_id
        return note_id

    def tag(self, tag: str, page: Page, line: int) -> str:
        """The id of the node of `tag` (created with its parents, `#a/b` under `#a`)."""
        key = tag_key(tag)
        found = self.tags.get(key)
        if self.builder.events is not None:
            self.builder.events.append(("t", key, line, found))
        if found is not None:
            return found
        builder = self.builder
        name = tag.strip().lstrip("#").strip("/")
        note_id = builder._new_id(key.replace("/", " "), "tag-")
        builder.made("tag", key, note_id)
        builder.notes[note_id] = Note(id=note_id, title="#" + name, kind=NoteKind.TAG)
        self.tags[key] = note_id
        if "/" in name:
            parent = self.tag(name.rpartition("/")[0], page, line)
            builder.link(page, note_id, parent, LinkKind.TAGGED, line, section="nested")
        return note_id

    # ------------------------------------------------------------ links

    def add_page_links(
        self, page: Page, me: str, questions: list[list[tuple[int, int]]]
    ) -> set[str]:
        """The page's written links (`links`, `embeds`) and tags (`tagged`); returns the
        ids of the notes linked, which running-text mentions then leave out."""
        builder = self.builder
        targets: set[str] = set()
        resolved = []
        for written in page.links:
            target = self._target(page, written)
            if target is None or (target == me and written.anchor):
                continue  # unresolvable, or [[Own name#Heading]]: a place within the note
            if target == me:  # [[Own name]]: valid in Obsidian, but no edge of the graph
                builder.diagnostics.append(
                    Diagnostic(
                        page.path,
                        written.line,
                        Severity.INFO,
                        f"{'embeds' if written.embed else 'links'} the note itself "
                        f"({quoted(written.target)}); no link drawn to itself",
                        "self-link",
                    )
                )
                continue
            targets.add(target)
            resolved.append((written, target))
        sentences = self._sentences(page, [w for w, _ in resolved], questions)
        for (written, target), sentence in zip(resolved, sentences, strict=True):
            builder.link(
                page,
                me,
                target,
                LinkKind.EMBEDS if written.embed else LinkKind.LINKS,
                written.line,
                sentence=sentence,
                section=("#" + written.anchor) if written.anchor else "",
            )
        seen: set[str] = set()
        for ref in page.tag_refs:
            node = self.tag(ref.title, page, ref.line)
            if node not in seen:
                seen.add(node)
                builder.link(page, me, node, LinkKind.TAGGED, ref.line)
        return targets

    def _target(self, page: Page, written: WrittenLink) -> str | None:
        builder = self.builder
        target = written.target
        found = self.index.resolve(target, page.path)
        if found is not None:
            if found.others:
                builder.diagnostics.append(
                    Diagnostic(
                        page.path,
                        written.line,
                        Severity.INFO,
                        f"link {quoted(target)} matches {len(found.others) + 1} files; it goes to "
                        f"{found.path} (the vault root's, else the shortest path), not to "
                        + ", ".join(found.others),
                        "ambiguous-link",
                    )
                )
            if found.note:
                return builder.by_path.get(found.path)
            return self._attachment(found.path, exists=True)
        name = target.rpartition("/")[2] if "/" in target else target
        if is_attachment_target(target):
            builder.diagnostics.append(
                Diagnostic(
                    page.path,
                    written.line,
                    Severity.INFO,
                    f"attachment {quoted(target)} is not in the vault; kept as a missing attachment",
                    "missing-attachment",
                )
            )
            return self._attachment(posixpath.normpath(target.lstrip("/")), exists=False)
        name = name[:-3] if name.casefold().endswith(".md") else name
        if "/" in target:
            # [[folder/Name]] names a path no file has: Obsidian leaves it unresolved,
            # never sends it to another folder's Name; the stub is known by the path.
            name = posixpath.normpath(target.strip().lstrip("/"))
            name = name[:-3] if name.casefold().endswith(".md") else name
        known = builder.by_key.get(normalize_title(name)) or builder.by_key.get(
            normalize_title(target)
        )
        if builder.events is not None:
            builder.events.append(("g", normalize_title(name), normalize_title(target), known))
        if known is not None:  # a title or an alias (`aliases:`), as kg has always read them
            return known
        note_id = builder.ensure(clean_title(name), NoteKind.SYNTHESIS, page, written.line)
        if note_id is not None:
            builder.diagnostics.append(
                Diagnostic(
                    page.path,
                    written.line,
                    Severity.INFO,
                    f"unresolved link {quoted(target)}: no file of that name or path; a stub note",
                    "unresolved-link",
                )
            )
        return note_id

    def _sentences(
        self, page: Page, links: list[WrittenLink], questions: list[list[tuple[int, int]]]
    ) -> list[str]:
        """The sentence each link stands in (the paragraph's start when its shown text is
        not found), one pass over each paragraph for all of its links."""
        body = page.body
        out = [""] * len(links)
        if not body or not links:
            return out
        starts = [paragraph.line for paragraph in body]
        by_paragraph: dict[int, list[tuple[int, int]]] = {}
        for number, written in enumerate(links):
            at = bisect_right(starts, written.line) - 1
            if at < 0:
                continue
            text = body[at].text
            shown = written.shown or written.target
            position = text.find(shown) if shown else -1
            if position < 0:
                out[number] = text[:300]
            else:
                by_paragraph.setdefault(at, []).append((position, number))
        for at, wanted in by_paragraph.items():
            wanted.sort()
            text = body[at].text
            found = sentences_at(text, [p for p, _ in wanted], (), questions[at])
            for (_, number), sentence in zip(wanted, found, strict=True):
                out[number] = sentence or text[:300]
        return out


def join_site_groups(markdown: Sequence[Page], groups: dict[str, list[Page]]) -> list[Page]:
    """Put the first Markdown file titled like a site page into that page's group (one
    note, as kg has always read a note kept in both forms); returns the other Markdown
    pages, each to be a note of its own."""
    claimed: set[str] = set()
    alone: list[Page] = []
    for page in sorted(markdown, key=lambda p: p.path):
        key = normalize_title(page.title)
        if key in groups and key not in claimed:
            groups[key].append(page)
            claimed.add(key)
        else:
            alone.append(page)
    return alone


def add_markdown_notes(
    builder: GraphBuilder, markdown: Sequence[Page], pages: Sequence[Page]
) -> None:
    """One note per Markdown file: two files with one name (or title) in two folders are
    two notes. A title is looked up (mentions, site lists, aliases) as the first file's."""
    for page in markdown:
        note = merge_pages([page], builder._new_id(page.title))
        if page.properties_json:
            note = replace(note, properties_json=page.properties_json)
        builder.notes[note.id] = note
        builder.by_path[page.path] = note.id
        key = normalize_title(page.title)
        first = builder.by_key.setdefault(key, note.id)
        if first != note.id:
            other = builder.notes[first]
            builder.diagnostics.append(
                Diagnostic(
                    page.path,
                    page.title_line,
                    Severity.INFO,
                    f"the title {quoted(page.title)} is also the title of "
                    f"{', '.join(other.files) or other.id}; each file is its own note",
                    "same-title",
                )
            )
        for alias in note.aliases:
            builder.by_key.setdefault(normalize_title(alias), note.id)
    alone = {page.path for page in markdown}
    for page in pages:  # Markdown files merged with a site page keep their properties
        if page.variant == "markdown" and page.properties_json and page.path not in alone:
            note_id = builder.by_path.get(page.path)
            if note_id is not None and not builder.notes[note_id].properties_json:
                builder.notes[note_id] = replace(
                    builder.notes[note_id], properties_json=page.properties_json
                )


def outside_code(text: str, hits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The title matches of a Markdown paragraph that are not inside inline code or
    escaped characters.

    >>> outside_code("a `Why X` Why X", [(3, 8, "x"), (10, 15, "x")])
    [(10, 15, 'x')]
    """
    spans = code_spans(text)
    if not spans:
        return hits
    return [hit for hit in hits if not any(a < hit[1] and hit[0] < b for a, b in spans)]
