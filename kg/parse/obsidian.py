"""Obsidian's Markdown syntax, as Obsidian reads it: written links, embeds, tags, and the
attachment files of a vault.

Reading one line of a Markdown note (`read_line`) finds the links the line writes
(`[[Name]]`, `[[Name|shown]]`, `[[Name#Heading]]`, `![[embed]]`, `[shown](folder/Name%20x.md)`)
and its inline `#tags`, and leaves alone whatever Obsidian does not read as a link: inline
code, escaped brackets, HTML comments (and fenced code, which `parse_markdown` never hands
over). Where those links go is decided when the graph is built (`kg.graph.vault`).

>>> shown, links, tags = read_line("See [[Why X|x]], `[[not a link]]` and #ml/vision.", 3)
>>> shown, [(w.target, w.line) for w in links], tags
('See x, `[[not a link]]` and #ml/vision.', [('Why X', 3)], ['ml/vision'])
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from kg.model import WrittenLink

if TYPE_CHECKING:
    from kg.parse.selection import Selection

# The files a vault holds besides notes, as Obsidian's help lists the formats it accepts
# ("Accepted file formats"): JSON Canvas and Bases files, images, audio, video and PDF.
# Obsidian does not show other files (a favicon.ico, an .epub, office documents) unless
# told to detect every extension, so a link to one is unresolved there, and here.
ATTACHMENT_SUFFIXES = frozenset(
    {
        ".canvas",
        ".base",
        ".avif",
        ".bmp",
        ".gif",
        ".jpeg",
        ".jpg",
        ".png",
        ".svg",
        ".webp",
        ".flac",
        ".m4a",
        ".mp3",
        ".ogg",
        ".wav",
        ".webm",
        ".3gp",
        ".mkv",
        ".mov",
        ".mp4",
        ".ogv",
        ".pdf",
    }
)
_SKIPPED_DIRS = {".kg", ".git", ".obsidian", ".trash", "__pycache__", ".venv", "node_modules"}

# A written link: a wikilink or a Markdown link (a `!` before it makes it an embed).
# Brackets and backslashes inside a wikilink are allowed only as `\|`, a pipe escaped in a
# table cell. A Markdown link's address may hold balanced parentheses (`Demo%20(1968).ogg`).
# The pattern starts with a literal `[`, which the regex engine looks for fast.
_LINK = re.compile(
    r"\[(?:\[(?P<wiki>(?:[^\[\]\\]|\\\|)+?)\]\]"
    r"|(?P<text>[^\[\]]*)\]\((?P<dest><[^>\n]*>|(?:[^()\s]|\([^()\s]*\))+)(?:\s+\"[^\"]*\")?\))"
)
_SIZE = re.compile(r"^\d+(?:x\d+)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URL = re.compile(r"\b(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.|mailto:)\S+")
# An inline tag: `#` after a space or at the line start, then any characters but spaces,
# ASCII punctuation other than `_`, `-` and `/`, and Unicode's general and supplemental
# punctuation (U+2000-U+206F, U+2E00-U+2E7F): Obsidian's tag, in which letters of any
# script with their combining marks (`#हिन्दी`, a decomposed `#café`) and emoji
# (`#🌱/seedling`, `#book📚`) are tag text. The `#` may also open an emphasis, a strike
# or a highlight (`**#todo**`, `_#idea_`, `==#key==`), where Obsidian reads a tag too.
_TAG = re.compile(
    r"(?:(?<=\s)|^)(?P<lead>[*_~=]*)"
    r"#([^\s\u2000-\u206f\u2e00-\u2e7f!\"#$%&'()*+,.:;<=>?@\[\\\]^`{|}~]+)"
)
_CODE = re.compile(r"(`+)(.+?)\1")
_ESCAPED = re.compile(r"\\[\[\]#|`!]")
_ESCAPED_LINK = re.compile(r"\\\[\\\[.*?\\\]\\\]")


def hidden_spans(text: str) -> list[tuple[int, int]]:
    """Where a line hides its text from links, tags and mentions: escaped brackets
    (`\\[\\[...\\]\\]`), other backslash escapes and inline code spans.

    >>> hidden_spans(r"a `b c` d \\[\\[e\\]\\] f")
    [(2, 7), (10, 19)]
    """
    if "`" not in text and "\\" not in text:
        return []
    spans = [m.span() for m in _ESCAPED_LINK.finditer(text)]
    spans += [m.span() for m in _ESCAPED.finditer(text)]
    plain = _blank(text, spans) if spans else text
    spans += [m.span() for m in _CODE.finditer(plain)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def masked(text: str) -> str:
    """`text` with its `hidden_spans` blanked out (same length), so nothing in them is
    found as a link, a tag or a mention.

    >>> masked("a `[[b]]` c")
    'a         c'
    """
    spans = hidden_spans(text)
    return _blank(text, spans) if spans else text


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by one space."""
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return " ".join(parts)


def read_line(line: str, number: int) -> tuple[str, list[WrittenLink], list[str]]:
    """One line of a note's body: the text as shown (each link replaced by its shown
    text), the links it writes and its inline tags (without `#`, in order).

    Comments must already be gone (see `strip_comments`).

    >>> read_line("![[pic.png]] and [t](../b/My%20note.md#Part) #123 #a-1", 7)[1:]
    ([WrittenLink(target='pic.png', line=7, anchor='', shown='', embed=True, markdown=False), \
WrittenLink(target='../b/My note.md', line=7, anchor='Part', shown='t', embed=False, markdown=True)], ['a-1'])
    >>> read_line(r"| [[Table view\\|view]] | \\[\\[Not\\]\\] | [[#Own heading]] |", 2)[1]
    [WrittenLink(target='Table view', line=2, anchor='', shown='view', embed=False, markdown=False)]
    """
    hidden = masked(line)
    links: list[WrittenLink] = []
    spans: list[tuple[int, int]] = []
    parts: list[str] = []
    last = 0
    plain = hidden is line  # nothing masked: the match's groups are the line's text
    for match in _LINK.finditer(hidden) if "[" in hidden else ():
        start, end = match.span()
        embed = start > 0 and line[start - 1] == "!" and not (start > 1 and line[start - 2] == "\\")
        wiki = match.group("wiki")
        if wiki is not None:  # the usual case, kept lean
            if not plain or "\\" in wiki:
                wiki = line[match.start("wiki") : match.end("wiki")].replace("\\|", "|")
            target, bar, alias = wiki.partition("|")
            if "#" in target:
                target, _, anchor = target.partition("#")
                anchor = anchor.strip()
            else:
                anchor = ""
            target = target.strip()
            alias = alias.strip() if bar else ""
            link = WrittenLink(target, number, anchor, alias, embed, False)
            if embed and (not alias or _SIZE.match(alias)):
                shown = ""  # ![[pic.png|300]]: the alias of an embed is its size
            else:
                shown = alias or (f"{target} > {anchor}" if target and anchor else target or anchor)
        else:
            found = _markdown_link(match, embed, number)
            if found is None:
                continue
            link, shown = found
        if embed:
            start -= 1  # the `!`
        parts.append(line[last:start])
        parts.append(shown)
        last = end
        spans.append((start, end))
        if link.target:
            links.append(link)
    shown_text = "".join(parts) + line[last:] if spans else line
    tags: list[str] = []
    if "#" in hidden:
        scan = _cut(hidden, spans) if spans else hidden
        scan = _URL.sub(lambda m: " " * (m.end() - m.start()), scan)
        for match in _TAG.finditer(scan):
            tag = match.group(2).strip("/")
            if "_" in match.group("lead"):
                tag = tag.rstrip("_")  # `_#idea_`: the closing `_` ends the emphasis
            if tag and not tag.isdecimal():  # `#1984` is no tag; `#y1984`, `#2024/01` are
                tags.append(tag)
    return shown_text, links, tags


def _markdown_link(
    match: re.Match[str], embed: bool, number: int
) -> tuple[WrittenLink, str] | None:
    """The link a Markdown link match writes and the text shown in its place; None when
    it is not a note link (a web address, another app's link)."""
    dest = match.group("dest").strip("<>").strip()
    text = match.group("text")
    if _SCHEME.match(dest) or dest.startswith("//"):
        return None
    target, _, anchor = unquote(dest).partition("#")
    link = WrittenLink(target.strip(), number, anchor.strip(), text, embed, True)
    return link, "" if embed else text


# Comments: HTML's and Obsidian's own `%%…%%`; what they hold is neither shown nor read
# (Obsidian indexes no link, embed or tag inside a comment).
_COMMENTS = {"<!--": "-->", "%%": "%%"}


def strip_comments(line: str, inside: str) -> tuple[str, str]:
    """The line without its comments (`<!-- … -->`, `%% … %%`), and the closing marker a
    comment still open after it waits for ("" if none). Markers in inline code are text.

    >>> strip_comments("a <!-- [[x]] --> b %%[[y]]%% c <!-- d", "")
    ('a  b  c ', '-->')
    >>> strip_comments("e %% f", "-->"), strip_comments("type `%%` or `<!--` here", "")
    (('', '-->'), ('type `%%` or `<!--` here', ''))
    """
    if not inside and "<!--" not in line and "%%" not in line:
        return line, ""
    code = [m.span() for m in _CODE.finditer(line)] if "`" in line else []
    out: list[str] = []
    position = 0
    while True:
        if inside:
            end = line.find(inside, position)
            if end < 0:
                return "".join(out), inside
            position, inside = end + len(inside), ""
        else:
            start, opener = -1, ""
            for marker in _COMMENTS:
                found = line.find(marker, position)
                while found >= 0 and any(a <= found < b for a, b in code):
                    found = line.find(marker, found + 1)  # a marker in code is text
                if found >= 0 and (start < 0 or found < start):
                    start, opener = found, marker
            if start < 0:
                out.append(line[position:])
                return "".join(out), ""
            out.append(line[position:start])
            position, inside = start + len(opener), _COMMENTS[opener]


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def fence_marker(line: str) -> str | None:
    """The fence a line opens or closes (```` ``` ```` or `~~~`, any longer run), else None.
    A backtick fence's info text holds no backtick (```` ```a``` ```` is inline code).

    >>> fence_marker("  ```python"), fence_marker("text ```"), fence_marker("```x``` y")
    ('```', None, None)
    """
    match = _FENCE.match(line)
    if match is None:
        return None
    marker = match.group(1)
    if marker[0] == "`" and "`" in line[match.end() :]:
        return None
    return marker


def in_container(line: str) -> tuple[int, str]:
    """How many blockquote (or callout) markers a line starts with, and its text after
    them and after any indentation: a fence may open there, inside a callout or a list.

    >>> in_container("> > ```css"), in_container("    ```"), in_container(">text")
    ((2, '```css'), (0, '```'), (1, 'text'))
    """
    depth, rest = 0, line.lstrip(" \t")
    while rest[:1] == ">":
        depth += 1
        rest = rest[1:].lstrip(" \t")
    return depth, rest


# HTML blocks whose text Markdown leaves raw to the closing tag (CommonMark's first kind):
# a fence or a [[link]] written inside `<pre>` is neither.
_RAW_HTML = re.compile(r"^ {0,3}<(pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)


def raw_html_end(line: str) -> str | None:
    """The closing tag a line opening a raw HTML block waits for, else None.

    >>> raw_html_end("<pre><code>```query"), raw_html_end("<prefix>"), raw_html_end("text")
    ('</pre>', None, None)
    """
    match = _RAW_HTML.match(line)
    return f"</{match.group(1).lower()}>" if match else None


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where inline code and escaped characters sit in a paragraph: no mention is found there.

    >>> code_spans("a `b c` d")
    [(2, 7)]
    """
    return hidden_spans(text)


# ---------------------------------------------------------------- files of a vault


def find_attachments(root: Path, selection: Selection | None = None) -> list[str]:
    """The attachment files below `root` (see `ATTACHMENT_SUFFIXES`) that `selection`
    admits (all without one), as paths relative to it with `/`, in a stable order.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "img").mkdir(); _ = (folder / "img" / "a.PNG").write_bytes(b"x")
    >>> find_attachments(folder)
    ['img/a.PNG']
    """
    if not root.is_dir():
        return []
    base = str(root)
    found: list[str] = []
    for folder, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        relative = os.path.relpath(folder, base)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in ATTACHMENT_SUFFIXES and (
                selection is None or selection.admits(prefix + name)
            ):
                found.append(prefix + name)
    return found
