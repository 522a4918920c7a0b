"""A note's running text read without Markdown's markup, and the web addresses it links.

The parsers already turn every [[wikilink]] and note link into the text it shows; what is
left in a paragraph is Markdown's inline markup (emphasis, code, highlights, web links,
HTML tags, escapes), which `readable` takes away and `web_links` reads the addresses of.

>>> readable("See **bold**, `code` and [the paper](https://arxiv.org/abs/1) <br> ==here==.")
'See bold, code and the paper here.'
>>> web_links("[a](https://a.org/x) then <http://b.net> and https://c.io/p?q=1.")
('https://a.org/x', 'http://b.net', 'https://c.io/p?q=1')
"""

from __future__ import annotations

import re

# [shown](https://...) and ![alt](https://...): the shown text stays, the address goes.
_WEB_MARKDOWN = re.compile(
    r"!?\[(?P<text>[^\]]*)\]\((?P<dest><?https?://[^)\s>]+>?)(?:\s+\"[^\"]*\")?\)"
)
# <https://...>: an autolink, shown as its address.
_AUTOLINK = re.compile(r"<(?P<dest>https?://[^>\s]+)>")
# A bare address; the trailing punctuation of a sentence is not part of it.
_BARE = re.compile(r"(?<![(<\w])https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_CODE = re.compile(r"`+([^`]*)`+")
# Emphasis and its kin: **bold**, __bold__, *it*, _it_, ~~struck~~, ==highlight==.
_PAIRED = re.compile(
    r"(\*\*|__|~~|==)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)"
    r"|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?!\w)"
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~=<>])")
_KEPT = re.compile("\x00(\\d+)\x00")
_SPACES = re.compile(r"[ \t]{2,}")


def readable(text: str) -> str:
    """`text` without inline Markdown markup: emphasis, highlights and strike-through
    marks, code backticks, HTML tags and footnote marks removed, web links reduced to
    their shown text, escapes to the character.

    >>> readable("A *b* _c_ ~~d~~ x_y_z 2 * 3 = 6 \\\\*not\\\\* [^1]")
    'A b c d x_y_z 2 * 3 = 6 *not*'
    """
    if not text:
        return text
    if "\x00" in text:  # no text, and the mark of what is kept aside below
        text = text.replace("\x00", "")
    kept: list[str] = []  # code and escaped characters, put back as they are at the end

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(1))
        return f"\x00{len(kept) - 1}\x00"

    out = _CODE.sub(keep, text) if "`" in text else text
    if "\\" in out:
        out = _ESCAPE.sub(keep, out)
    if "http" in out:
        out = _WEB_MARKDOWN.sub(lambda m: m.group("text"), out)
        out = _AUTOLINK.sub(lambda m: m.group("dest"), out)
    if "<" in out:
        out = _HTML_TAG.sub(" ", out)
    if "[^" in out:
        out = _FOOTNOTE.sub("", out)
    for _ in range(3):  # nested emphasis (***both***) comes off one layer at a time
        stripped = _PAIRED.sub(lambda m: next(g for g in m.groups()[1:] if g is not None), out)
        if stripped == out:
            break
        out = stripped
    if kept:
        out = _KEPT.sub(lambda m: kept[int(m.group(1))], out)
    out = _SPACES.sub(" ", out)
    return re.sub(r" ([.,;:!?])", r"\1", out).strip()


def web_links(text: str) -> tuple[str, ...]:
    """The http(s) addresses `text` links, in order: Markdown links, autolinks and bare
    addresses (not those in `code`).

    >>> web_links("`https://in.code` ![img](https://x.org/a.png) see https://y.org.")
    ('https://x.org/a.png', 'https://y.org')
    """
    if "http" not in text:
        return ()
    if "`" in text:
        text = _CODE.sub(" ", text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_WEB_MARKDOWN, _AUTOLINK):
        for match in pattern.finditer(text):
            found.append((match.start(), match.group("dest").strip("<>")))
            taken.append(match.span())
    for match in _BARE.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            found.append((match.start(), match.group()))
    return tuple(address for _, address in sorted(found))
