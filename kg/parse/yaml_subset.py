"""Read the common shape of front matter without PyYAML, giving exactly what
`yaml.load(front, Loader=CSafeLoader)` gives, or None when the text is not of that shape
(the caller then reads it with PyYAML).

Building Python values from libyaml's events runs in Python, some 0.3 ms a note: at
10,000 generated pages (900 Markdown notes) a twentieth of a cold load's work. Most front
matter is lines of ``key: value`` at the margin, where a value is a double-quoted string
without escapes, a plain word or phrase that YAML reads as text, a date (YYYY-MM-DD), a
one-line list of such quoted strings, or nothing followed by a block list whose items are
quoted strings or one-line mappings of plain keys to quoted strings. Anything else (a
comment, an escape, a number, a nested block, a tab, a blank line, a character YAML
refuses or reads as a line break, a key or word YAML reads as other than text) is left
to PyYAML, so the result never differs.

>>> read_simple('title: "Why X?"\\ndate: 2025-06-16\\ntags: ["a", "b"]\\ntype: synthesis')
{'title': 'Why X?', 'date': datetime.date(2025, 6, 16), 'tags': ['a', 'b'], 'type': 'synthesis'}
>>> read_simple('related:\\n  - {title: "A?", label: "extends"}\\n  - "B"')
{'related': [{'title': 'A?', 'label': 'extends'}, 'B']}
>>> read_simple("count: 3") is None, read_simple("title: 'single'") is None
(True, True)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from yaml.resolver import Resolver

__all__ = ["read_simple"]

_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_QUOTED = r'"[^"]*"'
# A plain scalar that cannot hold an indicator, a comment or a ": ", and ends in no space.
_PLAIN = r"[A-Za-z0-9](?:[A-Za-z0-9 _.,()/?+-]*[A-Za-z0-9_.)/?+-])?"
_ENTRY = re.compile(rf"({_KEY}):(?: +(.*))?")
_QUOTED_ONLY = re.compile(rf"{_QUOTED} *")
_PLAIN_ONLY = re.compile(_PLAIN)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FLOW_LIST = re.compile(rf"\[ *(?:{_QUOTED} *(?:, *{_QUOTED} *)*)?\] *")
_FLOW_ITEM = re.compile(r"\"([^\"]*)\" *(?:,|\] *$)")
_ITEM = re.compile(r"( *)- +(.*)")
_FLOW_MAP = re.compile(rf"\{{ *(?:{_KEY}: +{_QUOTED} *(?:, *{_KEY}: +{_QUOTED} *)*)?\}} *")
_MAP_PAIR = re.compile(rf"({_KEY}): +\"([^\"]*)\"")
_RESOLVERS = Resolver.yaml_implicit_resolvers
_TEXT: dict[str, bool] = {}  # plain word -> whether YAML reads it as text


def _is_text(word: str) -> bool:
    """Whether YAML reads this plain key or word as text (no implicit type matches)."""
    known = _TEXT.get(word)
    if known is None:
        found = [*_RESOLVERS.get(word[:1], ()), *_RESOLVERS.get(None, ())]
        known = not any(pattern.match(word) for _, pattern in found)
        if len(_TEXT) < 4096:  # keys and short words recur; a bound keeps it small
            _TEXT[word] = known
    return known


def _value(text: str) -> tuple[bool, Any]:
    """(True, the value) of a one-line value this module reads, else (False, None)."""
    if text.startswith('"'):
        if _QUOTED_ONLY.fullmatch(text):
            return True, text[1 : text.index('"', 1)]
        return False, None
    if text.startswith("["):
        if _FLOW_LIST.fullmatch(text):
            return True, [match.group(1) for match in _FLOW_ITEM.finditer(text)]
        return False, None
    if _DATE.fullmatch(text):
        year, month, day = (int(part) for part in text.split("-"))
        try:
            return True, dt.date(year, month, day)
        except ValueError:  # PyYAML raises it: left to PyYAML
            return False, None
    if _PLAIN_ONLY.fullmatch(text) and _is_text(text):
        return True, text
    return False, None


def _item(text: str) -> tuple[bool, Any]:
    """(True, the value) of a block list item this module reads, else (False, None)."""
    if text.startswith("{"):
        if not _FLOW_MAP.fullmatch(text):
            return False, None
        mapping: dict[str, str] = {}
        for match in _MAP_PAIR.finditer(text):
            if not _is_text(match.group(1)):
                return False, None
            mapping[match.group(1)] = match.group(2)
        return True, mapping
    if text.startswith('"') and _QUOTED_ONLY.fullmatch(text):
        return True, text[1 : text.index('"', 1)]
    return False, None


def read_simple(front: str) -> dict[str, Any] | None:
    """The front matter's properties as PyYAML's safe loader reads them, or None when it is
    not of the simple shape this module reads (see the module's text).

    >>> read_simple("a: b\\n\\nc: d") is None  # a blank line: left to PyYAML
    True
    """
    # Only printable characters besides "\n" (none YAML refuses or reads as a line break,
    # no tab, no byte-order mark) and no backslash (escapes): else PyYAML reads it.
    if not front or "\\" in front or not front.replace("\n", " ").isprintable():
        return None
    data: dict[str, Any] = {}
    lines = front.split("\n")
    if lines[-1] == "":
        lines.pop()
    at, count = 0, len(lines)
    while at < count:
        entry = _ENTRY.fullmatch(lines[at])
        if entry is None or not _is_text(entry.group(1)):
            return None
        key, text = entry.group(1), entry.group(2)
        at += 1
        if text:  # (a value ending in spaces is left to PyYAML by every pattern)
            ok, value = _value(text)
            if not ok:
                return None
            data[key] = value
            continue
        if text is not None:  # "key: " with nothing after the spaces
            return None
        items: list[Any] = []
        indent = None
        while at < count and (item := _ITEM.fullmatch(lines[at])) is not None:
            if indent is None:
                indent = item.group(1)
            elif item.group(1) != indent:
                return None
            ok, value = _item(item.group(2))
            if not ok:
                return None
            items.append(value)
            at += 1
        data[key] = items if items else None
    return data or None
