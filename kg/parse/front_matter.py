"""The YAML front matter of a Markdown note, read safely and checked field by field.

The front matter is read with `yaml.safe_load` only: a language tag such as
`!!python/object/apply:os.system` is an error to report, never code to run. Each reader
(`meta_text`, `meta_titles`, `meta_refs`…) takes a property's value and returns the field,
reporting a value of the wrong type to `Problems` instead of raising.

>>> split_front_matter("---\\ntitle: X\\n---\\nBody")
('title: X', 2, 3)
>>> problems = Problems("x.md")
>>> meta_titles(["A", "B"], "tags", problems), meta_titles(3, "tags", problems), len(problems.items)
(['A', 'B'], [], 1)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import yaml

from kg.model import (
    NOT_NOTES,
    Card,
    Diagnostic,
    NoteKind,
    RelatedEntry,
    Severity,
    SourceEntry,
    TitledRef,
)
from kg.parse.relations import normalize_relation, split_relation
from kg.parse.yaml_subset import read_simple
from kg.text import clean_title

# libyaml's safe loader when PyYAML was built with it (ten times faster), else the Python one;
# both construct plain data only, never objects from tags.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Besides YAMLError, constructing values can fail: "date: 2026-13-45" raises ValueError,
# absurdly deep nesting RecursionError.
_YAML_FAILURES = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)

_KINDS = {kind.value: kind for kind in NoteKind if kind not in NOT_NOTES}
_KIND_ALIASES = {
    "note": NoteKind.SYNTHESIS,
    "inquiring line": NoteKind.LINE,
    "inquiring-line": NoteKind.LINE,
    "topic hub": NoteKind.HUB,
}


class Problems:
    """The diagnostics of one note's front matter, collected while it is read.

    Parameters
    ----------
    path : str
        The note's path, for the diagnostics.

    Examples
    --------
    >>> problems = Problems("x.md")
    >>> problems.add(3, "odd value")
    >>> [(d.line, d.message) for d in problems.items]
    [(3, 'odd value')]
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Diagnostic] = []
        self.key_lines: dict[str, int] = {}  # a front-matter key -> the line that writes it

    def at(self, key: str) -> int | None:
        """The line of the front matter that writes `key` (None when not known).

        >>> problems = Problems("x.md")
        >>> problems.key_lines = {"next": 4}
        >>> problems.at("next"), problems.at("up")
        (4, None)
        """
        return self.key_lines.get(key)

    def add(self, line: int | None, message: str, severity: Severity = Severity.WARNING) -> None:
        self.items.append(Diagnostic(self.path, line, severity, message, "front-matter"))


def split_front_matter(text: str) -> tuple[str | None, int, int]:
    """Find a note's front matter between its opening and closing ``---`` lines.

    Parameters
    ----------
    text : str
        The note's text.

    Returns
    -------
    (str or None, int, int)
        The front matter's text (None when there is none or it is never closed), the line
        number it starts on, and the index of the first body line.

    Examples
    --------
    >>> split_front_matter("---\\ntitle: X\\n---\\nBody"), split_front_matter("Body")
    (('title: X', 2, 3), (None, 0, 0))
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, 0, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), 2, index + 1
    return None, 0, 0


_FLOW_LIST = re.compile(r"^(\s*[\w-]+:\s*)\[(.*)\]\s*$")


def _quote_flow_lists(front: str) -> str:
    """Quote the items of one-line `[a?, b?]` lists: YAML rejects a plain '?' there,
    and question titles end with one."""

    def fix(line: str) -> str:
        match = _FLOW_LIST.match(line)
        if not match or "?" not in match.group(2):
            return line
        items = [item.strip() for item in match.group(2).split(",") if item.strip()]
        quoted = [item if item[:1] in "'\"" else json.dumps(item) for item in items]
        return f"{match.group(1)}[{', '.join(quoted)}]"

    return "\n".join(fix(line) for line in front.split("\n"))


def load_meta(front: str, first_line: int, problems: Problems) -> dict[str, Any]:
    """Read front matter as YAML (safe loading only) into a mapping of properties.

    Never raises: YAML that does not parse, or is not a mapping, is reported to `problems`
    and read as no properties.

    Parameters
    ----------
    front : str
        The front matter's text.
    first_line : int
        Its first line number, for the diagnostics.
    problems : Problems
        Where a value of the wrong type is reported.

    Returns
    -------
    dict
        The properties.

    Examples
    --------
    >>> problems = Problems("x.md")
    >>> load_meta("title: X\\ntags: [a, b]", 2, problems), problems.items
    ({'title': 'X', 'tags': ['a', 'b']}, [])
    >>> load_meta("- a list", 2, problems), len(problems.items)
    ({}, 1)
    """
    simple = read_simple(front)  # the common shape, read as YAML would without it
    if simple is not None:
        return _load_meta_checked(simple, first_line, problems)
    try:
        data = yaml.load(front, Loader=SafeLoader)
    except _YAML_FAILURES as error:  # a date like 2026-13-45 raises ValueError, not YAMLError
        repaired = _quote_flow_lists(front)
        if repaired != front:
            try:
                data = yaml.load(repaired, Loader=SafeLoader)
            except _YAML_FAILURES:
                pass
            else:
                problems.add(
                    first_line,
                    "a one-line [list] held titles ending in '?', which YAML "
                    "cannot read unquoted; read them as quoted titles",
                    Severity.INFO,
                )
                return _load_meta_checked(data, first_line, problems)
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(error, "problem", None) or (str(error).splitlines() or [repr(error)])[0]
        problems.add(
            line,
            f"front matter is not valid YAML ({problem}); the note is read without it",
            Severity.ERROR,
        )
        return {}
    return _load_meta_checked(data, first_line, problems)


def _load_meta_checked(data: Any, first_line: int, problems: Problems) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(
            first_line,
            f"front matter is a {type(data).__name__}, not a mapping of "
            "keys; the note is read without it",
            Severity.ERROR,
        )
        return {}
    return {str(k): v for k, v in data.items()}


def meta_kind(value: Any, problems: Problems) -> NoteKind:
    """The note kind the ``type`` property names (a synthesis note when absent or unknown)."""
    if value is None:
        return NoteKind.SYNTHESIS
    name = str(value).strip().lower()
    kind = _KINDS.get(name) or _KIND_ALIASES.get(name)
    if kind is None:
        # `type: book` is an ordinary property in an Obsidian vault: kept, and said quietly
        problems.add(
            None, f"type {value!r} is not a kg note kind; read as a synthesis note", Severity.INFO
        )
        return NoteKind.SYNTHESIS
    return kind


def meta_text(value: Any, key: str, problems: Problems) -> str:
    """A property's value as text ('' when absent; reported when not a scalar)."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float, dt.date)):
        return str(value).strip()
    problems.add(problems.at(key), f"`{key}` should be text, got a {type(value).__name__}; ignored")
    return ""


def meta_date(value: Any, problems: Problems) -> str:
    """The ``date`` property as an ISO date (YAML may have read it as a date already)."""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return meta_text(value, "date", problems)


def meta_titles(value: Any, key: str, problems: Problems) -> list[str]:
    """A property's value as a list of titles (one text or a list of them; [[links]] unwrapped).

    One text of `aliases` holds several split by commas, as Obsidian reads it; one text
    of `tags` is split by commas and spaces (a tag has no space).

    >>> p = Problems("n.md")
    >>> meta_titles("Doggo, Woofer", "aliases", p), meta_titles("a, b c", "tags", p)
    (['Doggo', 'Woofer'], ['a', 'b', 'c'])
    """
    if value is None:
        return []
    if isinstance(value, str):
        if key == "tags":
            return [part for part in re.split(r"[,\s]+", value) if part]
        if key == "aliases":
            return [part.strip() for part in value.split(",") if part.strip()]
        return [value.strip()]
    if isinstance(value, list):
        out = []
        for item in value:
            if item is None:  # an empty item (`-` alone, as a template leaves): none
                continue
            if isinstance(item, (str, int, float)):
                out.append(clean_title(str(item)))
            elif isinstance(item, dict) and "title" in item:
                out.append(clean_title(str(item["title"])))
            else:
                problems.add(
                    problems.at(key),
                    f"`{key}` has an item that is not a title: {item!r}; ignored"
                    + _UNQUOTED_LINK * _unquoted_link(item),
                )
        return [t for t in out if t]
    problems.add(
        problems.at(key), f"`{key}` should be a list, got a {type(value).__name__}; ignored"
    )
    return []


_UNQUOTED_LINK = ' (a [[link]] in front matter needs quotes: "[[Name]]", as in Obsidian)'


def _unquoted_link(item: Any) -> bool:
    """Whether an item of a list is what YAML makes of an unquoted `[[Name]]` (the
    value `[["Name"]]`): a list of texts.

    >>> _unquoted_link(["Obsidian Embeds|Embeds"]), _unquoted_link({"a": 1})
    (True, False)
    """
    return isinstance(item, list) and bool(item) and all(isinstance(i, str) for i in item)


LineOf = Callable[[str], int]  # a title -> the line of the front matter that writes it


def meta_refs(
    value: Any, key: str, line: int | LineOf, problems: Problems
) -> tuple[TitledRef, ...]:
    """`meta_titles` as `TitledRef` values, each on the line that writes it (`line`: a
    number for all of them, or what finds each title's line)."""
    at = _line_of(line)
    return tuple(TitledRef(t, at(t)) for t in meta_titles(value, key, problems))


def _line_of(line: int | LineOf) -> LineOf:
    return line if callable(line) else (lambda _title: line)


def meta_related(value: Any, line: int | LineOf, problems: Problems) -> tuple[RelatedEntry, ...]:
    """The ``related`` property: titles, or mappings with title, description and annotation."""
    at = _line_of(line)
    entries = []
    for item in value if isinstance(value, list) else ([] if value is None else [value]):
        if isinstance(item, str):
            entries.append(RelatedEntry(clean_title(item), "", "", "", "related", at(item)))
        elif isinstance(item, dict) and item.get("title"):
            annotation = str(item.get("annotation") or "")
            label = str(item.get("label") or "")
            if not label and annotation:
                label, relation = split_relation(annotation)
            else:
                relation = normalize_relation(label) if label else "related"
            entries.append(
                RelatedEntry(
                    clean_title(str(item["title"])),
                    str(item.get("description") or ""),
                    label,
                    annotation,
                    relation,
                    at(str(item["title"])),
                )
            )
        else:
            problems.add(at(""), f"`related` item without a title: {item!r}; ignored")
    return tuple(entries)


def meta_sources(value: Any, line: int | LineOf, problems: Problems) -> tuple[SourceEntry, ...]:
    """The ``sources`` property: titles, or mappings with title and summary."""
    at = _line_of(line)
    entries = []
    for item in value if isinstance(value, list) else ([] if value is None else [value]):
        if isinstance(item, str):
            entries.append(SourceEntry(clean_title(item), "", at(item)))
        elif isinstance(item, dict) and (item.get("title") or item.get("summary")):
            title = clean_title(str(item["title"])) if item.get("title") else None
            written = str(item.get("title") or item.get("summary") or "")
            entries.append(SourceEntry(title, str(item.get("summary") or ""), at(written)))
        else:
            problems.add(at(""), f"`sources` item without a title or summary: {item!r}; ignored")
    return tuple(entries)


def meta_cards(
    meta: dict[str, Any],
    line: int | LineOf,
    problems: Problems,
    sections_line: int | LineOf | None = None,
) -> tuple[Card, ...]:
    """A topic's or hub's cards from the ``notes`` and ``sections`` properties (`line`
    places the titles of ``notes``, `sections_line`, default `line`, those of ``sections``)."""
    at = _line_of(line)
    in_sections = at if sections_line is None else _line_of(sections_line)
    titles = meta_titles(meta.get("notes"), "notes", problems)
    cards = [Card(t, "", "", at(t)) for t in titles]
    sections = meta.get("sections")
    if isinstance(sections, dict):
        for name, listed in sections.items():
            cards += [
                Card(t, "", str(name), in_sections(t))
                for t in meta_titles(listed, "sections", problems)
            ]
    elif sections is not None:
        problems.add(
            in_sections(""), "`sections` should map section names to lists of titles; ignored"
        )
    return tuple(cards)
