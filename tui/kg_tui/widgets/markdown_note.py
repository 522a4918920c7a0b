"""A Markdown note's text laid out as the note reads: headings, lists, code, callouts,
tables and a placeholder for every embed, with its links as spans the link cursor walks.

Rendering is done with markdown-it-py (which Textual already uses), plus one inline rule
of our own for Obsidian's `[[wikilinks]]` and `![[embeds]]`. The output is a list of
`RenderedBlock`s: plain text, the (start, end, note id) of each link in it and the style
runs; `NoteView` turns each into one widget, so the link cursor works as on any note.

Where a link goes is not worked out again here: the graph already resolved each written
link (`links`, `embeds`, `tagged` edges, each with its line), and `LinkTargets` picks,
among the edges of a line, the one whose note bears the written name.

>>> blocks = render_markdown("## Steps\\n\\n1. Open **Settings**.\\n2. Pick one.\\n", LinkTargets())
>>> [(b.classes, b.text) for b in blocks]
[('nv-heading', 'Steps'), ('nv-list', '1. Open Settings.\\n2. Pick one.')]
>>> blocks[1].rich.marks
[(8, 16, 'bold')]
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kg.model import LinkKind, Note
from kg_tui.labels import is_markdown_note
from kg_tui.vault import anchor_label
from kg_tui.widgets.note_links import LinkTargets, Rich, Span

if TYPE_CHECKING:
    from kg import KnowledgeGraph


@dataclass
class RenderedBlock:
    """One block of the rendered note (one widget): its classes, text and file line."""

    classes: str
    rich: Rich
    line: int | None = None
    embeds: list[str] = field(default_factory=list)  # note ids embedded in this block

    @property
    def text(self) -> str:
        return self.rich.text


# ---------------------------------------------------------------- parsing

_WIKI = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    """`[[target#anchor|shown]]` and `![[embed]]` as one token each."""
    src, pos = state.src, state.pos
    if not (src.startswith("[[", pos) or src.startswith("![[", pos)):
        return False
    match = _WIKI.match(src, pos)
    if match is None:
        return False
    if not silent:
        inner = match.group(2).replace("\\|", "|")
        target, bar, shown = inner.partition("|")
        target, _, anchor = target.partition("#")
        token = state.push("wikilink", "", 0)
        token.meta = {
            "embed": bool(match.group(1)),
            "target": target.strip(),
            "anchor": anchor.strip(),
            "shown": shown.strip() if bar else "",
        }
    state.pos = match.end()
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    return md


_MARKDOWN = _parser()
_FRONT_END = re.compile(r"^(?:---|\.\.\.)\s*$")
_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
_BLOCK_ID = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+(?=\n|$)")
_TAG = re.compile(r"(?:(?<=\s)|^)#([\w/-]*[^\W\d][\w/-]*)")
_SCHEME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")
_CALLOUT = re.compile(r"^\[!([\w-]+)\]([+-]?)[ \t]*")
_ATTACHMENT_WORDS = {
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif"), "image"),
    **dict.fromkeys(("mp3", "wav", "m4a", "ogg", "flac", "3gp"), "audio"),
    **dict.fromkeys(("mp4", "webm", "mkv", "mov", "ogv"), "video"),
    "pdf": "pdf",
}
EMBED_MARK = "↳"


def body_of(source: str) -> str:
    """The note's Markdown with its front matter and `%%comments%%` blanked out, every
    other line where it was (so the parser's line numbers are the file's).

    >>> body_of("---\\ntags: x\\n---\\nText %%hidden%% here")
    '\\n\\n\\nText  here'
    """
    lines = source.split("\n")
    if lines and lines[0].strip() == "---":
        for number in range(1, len(lines)):
            if _FRONT_END.match(lines[number]):
                lines[: number + 1] = [""] * (number + 1)
                break
    text = "\n".join(lines)
    if "%%" in text:
        text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    return text


def embed_word(target: str) -> str:
    """What an embed shows: 'image', 'audio', 'video', 'pdf' or (a note) 'embed'.

    >>> embed_word("Engelbart.jpg"), embed_word("talk (1968).ogg"), embed_word("Other note")
    ('image', 'audio', 'embed')
    """
    suffix = posixpath.splitext(target)[1].lstrip(".").casefold()
    return _ATTACHMENT_WORDS.get(suffix, "embed")


# ---------------------------------------------------------------- rendering


class _Renderer:
    def __init__(self, targets: LinkTargets, mentions: Callable[[str], list[Span]]) -> None:
        self.targets = targets
        self.mentions = mentions
        self.blocks: list[RenderedBlock] = []

    # ------------------------------------------------------------ inline

    def inline(
        self, token: Token, code_style: str = "bold $text-warning"
    ) -> tuple[Rich, list[str]]:
        """An inline token as text with links; returns it and the notes it embeds."""
        rich = Rich()
        embeds: list[str] = []
        styles: list[str] = []
        opened: list[tuple[str | None, int]] = []  # (note id, where) of each open link
        line = (token.map[0] + 1) if token.map else 0  # each line break a line of the file
        for child in token.children or []:
            style = " ".join(styles)
            kind = child.type
            if kind == "text":
                self._text(rich, child.content, style, line)
            elif kind in ("softbreak", "hardbreak"):
                rich.add("\n")
                line += 1
            elif kind == "code_inline":
                rich.add(child.content, (style + " " + code_style).strip())
            elif kind in ("strong_open", "em_open", "s_open"):
                styles.append(
                    {"strong_open": "bold", "em_open": "italic", "s_open": "strike"}[kind]
                )
            elif kind in ("strong_close", "em_close", "s_close") and styles:
                styles.pop()
            elif kind == "link_open":
                address = str(child.attrs.get("href", ""))
                note = None
                if address and not _SCHEME.match(address):
                    note = self.targets.resolve(address.partition("#")[0], line, LinkKind.LINKS)
                opened.append((note.id if note is not None else None, len(rich.text)))
                styles.append("underline" if note is None else "")
            elif kind == "link_close":
                if styles:
                    styles.pop()
                if opened:
                    note_id, start = opened.pop()
                    if note_id is not None and len(rich.text) > start:
                        rich.spans.append(Span(start, len(rich.text), note_id))
            elif kind == "image":
                address = unquote(str(child.attrs.get("src", "")))
                self._embed(rich, address, child.content or address, line, embeds)
            elif kind == "wikilink":
                self._wikilink(rich, child.meta, line, style, embeds)
            elif kind == "html_inline":
                continue  # <br>, <span>, comments: the tags are not text
        return rich, embeds

    def _text(self, rich: Rich, text: str, style: str, line: int) -> None:
        if "^" in text:
            text = _BLOCK_ID.sub("", text)
        at = 0
        for match in _TAG.finditer(text) if "#" in text else ():
            tag = self.targets.resolve("#" + match.group(1), line, LinkKind.TAGGED)
            rich.add(text[at : match.start()], style)
            rich.add(match.group(), "$text-secondary", tag.id if tag is not None else None)
            at = match.end()
        rich.add(text[at:], style)

    def _wikilink(
        self, rich: Rich, meta: dict[str, object], line: int, style: str, embeds: list[str]
    ) -> None:
        target, anchor, shown = str(meta["target"]), str(meta["anchor"]), str(meta["shown"])
        if meta["embed"]:
            label = target + (f" › {anchor_label('#' + anchor).lstrip('#')}" if anchor else "")
            self._embed(rich, target, label, line, embeds)
            return
        if not target:  # [[#Heading]]: a place in this very note
            rich.add(shown or anchor, (style + " italic").strip())
            return
        note = self.targets.resolve(target, line, LinkKind.LINKS)
        place = anchor_label("#" + anchor).lstrip("#")
        text = shown or (f"{target} › {place}" if anchor else target)
        rich.add(
            text, style if note is not None else (style + " dim").strip(), note.id if note else None
        )

    def _embed(self, rich: Rich, target: str, label: str, line: int, embeds: list[str]) -> None:
        note = self.targets.resolve(target, line, LinkKind.EMBEDS)
        word = embed_word(target)
        rich.add(f"{EMBED_MARK} {word}: ", "bold $text-secondary")
        rich.add(label, "" if note is not None else "dim", note.id if note is not None else None)
        if note is None or note.stub:
            rich.add(" (not in the vault)", "dim italic")
        elif word == "embed" and note.files:
            embeds.append(note.id)

    # ------------------------------------------------------------ blocks

    def leaf(self, tokens: list[Token], at: int) -> tuple[Rich | None, str, int, list[str]]:
        """The leaf block starting at tokens[at]: its text, class, the index after it and
        the notes it embeds (None text: nothing to show)."""
        token = tokens[at]
        kind = token.type
        if kind == "paragraph_open":
            rich, embeds = self.inline(tokens[at + 1])
            self._mention(rich)
            return rich, "nv-para", at + 3, embeds
        if kind == "heading_open":
            rich, embeds = self.inline(tokens[at + 1])
            level = int(token.tag[1:])
            return rich, "nv-heading" if level <= 2 else "nv-subheading", at + 3, embeds
        if kind in ("fence", "code_block"):
            lang = token.info.strip().split(" ")[0] if kind == "fence" else ""
            rich = Rich()
            rich.add(token.content.rstrip("\n"))
            if lang:
                rich = _with_lang(rich, lang)
            return rich, "nv-code", at + 1, []
        if kind == "table_open":
            return self.table(tokens, at)
        if kind == "hr":
            rich = Rich()
            rich.add("─" * 24, "dim")
            return rich, "nv-para", at + 1, []
        if kind == "html_block":
            text = token.content.strip()
            if text.startswith("<!--") or not text:
                return None, "", at + 1, []
            rich = Rich()
            rich.add(text, "dim")
            return rich, "nv-para", at + 1, []
        return None, "", at + 1, []

    def _mention(self, rich: Rich) -> None:
        """Titles of linked notes named in the running text become links too."""
        taken = [(s.start, s.end) for s in rich.spans]
        taken += [(a, b) for a, b, st in rich.marks if "warning" in st]  # inline code
        for span in self.mentions(rich.text):
            if not any(a < span.end and span.start < b for a, b in taken):
                rich.spans.append(span)
        rich.spans.sort(key=lambda s: s.start)

    def table(self, tokens: list[Token], at: int) -> tuple[Rich, str, int, list[str]]:
        rows: list[list[Rich]] = []
        embeds: list[str] = []
        index = at
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline":
                cell, found = self.inline(token)
                rows[-1].append(cell)
                embeds += found
            index += 1
        columns = max((len(r) for r in rows), default=0)
        widths = [
            max((len(r[c].text) for r in rows if c < len(r)), default=0) for c in range(columns)
        ]
        out = Rich()
        for number, row in enumerate(rows):
            if number:
                out.add("\n")
            for column in range(columns):
                if column:
                    out.add(" │ ", "dim")
                cell = row[column] if column < len(row) else Rich()
                if number == 0:
                    cell = replace(cell, marks=[*cell.marks, (0, len(cell.text), "bold")])
                out.extend(cell)
                out.add(" " * (widths[column] - len(cell.text)))
            if number == 0:
                out.add("\n" + "─┼─".join("─" * w for w in widths), "dim")
        return out, "nv-table", index + 1, embeds

    def emit(self, rich: Rich, classes: str, line: int | None, embeds: list[str]) -> None:
        self.blocks.append(RenderedBlock(classes, rich, line, embeds))

    def render(self, tokens: list[Token]) -> list[RenderedBlock]:
        at = 0
        while at < len(tokens):
            at = self.block(tokens, at)
        return self.blocks

    def block(self, tokens: list[Token], at: int) -> int:
        """Render the block at tokens[at] at the top level; the index after it."""
        token = tokens[at]
        line = token.map[0] + 1 if token.map else None
        if token.type in ("bullet_list_open", "ordered_list_open"):
            rich, after, embeds = self.container(tokens, at)
            self.emit(rich, "nv-list", line, embeds)
            return after
        if token.type == "blockquote_open":
            return self.quote(tokens, at)
        leaf, classes, after, found = self.leaf(tokens, at)
        if leaf is not None:
            self.emit(leaf, classes, line, found)
        return after

    def quote(self, tokens: list[Token], at: int) -> int:
        """A blockquote, or an Obsidian callout: its title on a line of its own."""
        where = tokens[at].map
        line = where[0] + 1 if where else None
        rich, after, embeds = self.container(tokens, at, top=True)
        match = _CALLOUT.match(rich.text)
        if match is None:
            self.emit(rich, "nv-quote", line, embeds)
            return after
        end = rich.text.find("\n")
        end = len(rich.text) if end < 0 else end
        title = rich.cut(match.end(), end)
        if not title.text.strip():
            title = Rich()
            title.add(match.group(1).replace("-", " ").capitalize())
        title.marks.append((0, len(title.text), "bold"))
        self.emit(title, "nv-callout-title", line, [])
        body = rich.cut(min(end + 1, len(rich.text)), len(rich.text))
        if body.text.strip():
            self.emit(body, "nv-callout", (line or 0) + 1 if line else None, embeds)
        return after

    def container(
        self, tokens: list[Token], at: int, top: bool = False
    ) -> tuple[Rich, int, list[str]]:
        """A list or blockquote with everything in it, as lines of one text."""
        opener = tokens[at]
        closer = opener.type.replace("_open", "_close")
        ordered = opener.type == "ordered_list_open"
        number = int(opener.attrs.get("start", 1) or 1) if ordered else 0
        out = Rich()
        embeds: list[str] = []
        index = at + 1
        pieces: list[Rich] = []
        while index < len(tokens) and tokens[index].type != closer:
            token = tokens[index]
            if token.type == "list_item_open":
                item, index, found = self.item(tokens, index)
                embeds += found
                marker = f"{number}. " if ordered else "• "
                if ordered:
                    number += 1
                pieces.append(item.prefixed(marker, " " * len(marker)))
                continue
            if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
                inner, index, found = self.container(tokens, index)
                embeds += found
                pieces.append(
                    inner if top or token.type != "blockquote_open" else inner.prefixed("│ ", "│ ")
                )
                continue
            rich, _classes, index, found = self.leaf(tokens, index)
            embeds += found
            if rich is not None:
                pieces.append(rich)
        for number_, piece in enumerate(pieces):
            if number_:
                out.add("\n")
            out.extend(piece)
        if not top and opener.type == "blockquote_open":
            out = out.prefixed("│ ", "│ ")
        return out, index + 1, embeds

    def item(self, tokens: list[Token], at: int) -> tuple[Rich, int, list[str]]:
        out = Rich()
        embeds: list[str] = []
        index = at + 1
        first = True
        while tokens[index].type != "list_item_close":
            token = tokens[index]
            if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
                rich, index, found = self.container(tokens, index)
            else:
                maybe, _classes, index, found = self.leaf(tokens, index)
                if maybe is None:
                    continue
                rich = maybe
            embeds += found
            if not first:
                out.add("\n")
            out.extend(rich)
            first = False
        return out, index + 1, embeds


def _with_lang(rich: Rich, lang: str) -> Rich:
    """A code block headed by its language, dim."""
    out = Rich()
    out.add(lang + "\n", "dim italic")
    out.extend(rich)
    return out


def markdown_source(graph: KnowledgeGraph, note: Note) -> str | None:
    """The Markdown text of a vault note, read from its file (None: a site page, a stub,
    or a file that cannot be read, which the reading view shows from its paragraphs)."""
    root = getattr(graph, "root", None)
    if root is None or not is_markdown_note(note) or len(note.files) != 1:
        return None
    try:
        return (Path(root) / note.files[0]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def render_markdown(
    source: str,
    targets: LinkTargets,
    mentions: Callable[[str], list[Span]] | None = None,
) -> list[RenderedBlock]:
    """The blocks of a Markdown note's text (front matter left out), links resolved by
    `targets`; `mentions` finds titles of other notes named in running text."""
    tokens = _MARKDOWN.parse(body_of(source))
    return _Renderer(targets, mentions or (lambda text: [])).render(tokens)
