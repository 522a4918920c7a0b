"""Parse Markdown notes with YAML front matter and [[wikilinks]] (an Obsidian-style vault).

The front matter is read with `yaml.safe_load` only: a language tag such as
`!!python/object/apply:os.system` is an error to report, never code to run.

>>> page = parse_markdown("---\\ntitle: Why X?\\nclaim: x holds\\n---\\nSee [[Can Y happen?|Y]].", "x.md")
>>> page.title, page.claim, [w.title for w in page.wikilinks], page.body[0].text
('Why X?', 'x holds', ['Can Y happen?'], 'See Y.')
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import PurePath
from typing import Any

import yaml

from kg.codec import properties_to_json
from kg.model import (
    NOT_NOTES,
    Card,
    Counts,
    Diagnostic,
    NoteKind,
    Page,
    Paragraph,
    RelatedEntry,
    Severity,
    SourceEntry,
    TitledRef,
    WrittenLink,
)
from kg.parse.obsidian import fence_marker, read_line, strip_comments
from kg.parse.relations import normalize_relation, split_relation
from kg.text import clean_title, tag_key

# libyaml's safe loader when PyYAML was built with it (ten times faster), else the Python one;
# both construct plain data only, never objects from tags.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Besides YAMLError, constructing values can fail: "date: 2026-13-45" raises ValueError,
# absurdly deep nesting RecursionError.
_YAML_FAILURES = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)

WIKILINK = re.compile(r"\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|([^\[\]]*))?\]\]")
_KINDS = {kind.value: kind for kind in NoteKind if kind not in NOT_NOTES}
# Front-matter keys kg reads into fields of its own; a [[link]] in any other key's text
# (Obsidian's `up: "[[Home]]"`) is a link, as Obsidian counts it.
_OWN_KEYS = frozenset(
    {
        "type",
        "title",
        "description",
        "claim",
        "categories",
        "date",
        "collection",
        "hubs",
        "uses",
        "related",
        "papers",
        "sources",
        "next",
        "sections",
        "notes",
        "arxiv",
        "tags",
        "aliases",
        "alias",
        "truncated",
    }
)
_KIND_ALIASES = {
    "note": NoteKind.SYNTHESIS,
    "inquiring line": NoteKind.LINE,
    "inquiring-line": NoteKind.LINE,
    "topic hub": NoteKind.HUB,
}


class _Problems:
    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Diagnostic] = []

    def add(self, line: int | None, message: str, severity: Severity = Severity.WARNING) -> None:
        self.items.append(Diagnostic(self.path, line, severity, message))


def split_front_matter(text: str) -> tuple[str | None, int, int]:
    """The front matter text (or None), the line it starts on, and the first body line index."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, 0, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), 2, index + 1
    return None, 0, 0


def parse_markdown(text: str, path: str) -> Page:
    """Parse one Markdown note into a `Page` (variant 'markdown')."""
    problems = _Problems(path)
    lines = text.split("\n")
    roles = ["blank" if not line.strip() else "" for line in lines]
    front, front_line, body_start = split_front_matter(text)
    meta: dict[str, Any] = {}
    if front is None and lines and lines[0].strip() == "---":
        problems.add(1, "front matter opened with '---' but never closed; read as body text")
    if front is not None:
        for index in range(0, body_start):
            roles[index] = "front-matter"
        meta = _load_meta(front, front_line, problems)
    stem = PurePath(path).stem
    title = clean_title(_text(meta.get("title"), "title", problems)) or clean_title(stem)
    kind = _kind(meta.get("type"), problems)
    body, written, inline_tags = _body(lines, body_start, roles, problems)
    if meta:
        written = _property_links(meta, lines, body_start) + written
    front_tags = [t.lstrip("#") for t in _titles(meta.get("tags"), "tags", problems)]
    tag_refs = [TitledRef(t, front_line) for t in front_tags if t] + inline_tags
    fields: dict[str, Any] = dict(
        path=path,
        kind=kind,
        variant="markdown",
        title=title,
        title_line=front_line if "title" in meta else 1,
        description=_text(meta.get("description"), "description", problems),
        claim=_text(meta.get("claim"), "claim", problems),
        categories=tuple(_titles(meta.get("categories"), "categories", problems)),
        date=_date(meta.get("date"), problems),
        collection=_text(meta.get("collection"), "collection", problems),
        hubs=_refs(meta.get("hubs"), "hubs", front_line, problems),
        body=tuple(body),
        uses=_refs(meta.get("uses"), "uses", front_line, problems),
        related=_related(meta.get("related"), front_line, problems),
        papers=_refs(meta.get("papers"), "papers", front_line, problems),
        sources=_sources(meta.get("sources"), front_line, problems),
        next_lines=_refs(meta.get("next"), "next", front_line, problems),
        cards=_cards(meta, front_line, problems),
        wikilinks=tuple(TitledRef(w.target, w.line) for w in written if not w.markdown),
        arxiv=_text(meta.get("arxiv"), "arxiv", problems),
        tags=_distinct_tags(tag_refs),
        aliases=tuple(_titles(meta.get("aliases", meta.get("alias")), "aliases", problems)),
        truncated=bool(meta.get("truncated", False)),
        counts=Counts(
            sources=len(meta["sources"]) if isinstance(meta.get("sources"), list) else None
        ),
        links=tuple(written),
        tag_refs=tuple(tag_refs),
        properties_json=properties_to_json(meta) if meta else "",
    )
    return Page(roles=tuple(roles), diagnostics=tuple(problems.items), **fields)


def _property_links(meta: dict[str, Any], lines: list[str], end: int) -> list[WrittenLink]:
    """Links written in the text of front-matter properties (`up: "[[Home]]"`,
    `see: ["[[A]]", "[[B]]"]`), each on the line of its key.

    >>> text = '---\\nup: "[[Home|home]]"\\nrating: 3\\n---\\n'
    >>> [(w.target, w.line) for w in parse_markdown(text, "n.md").links]
    [('Home', 2)]
    """
    found: list[WrittenLink] = []
    for key, value in meta.items():
        if key in _OWN_KEYS:
            continue
        texts = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        texts = [t for t in texts if "[[" in t]
        if not texts:
            continue
        number = next((i + 1 for i in range(1, end) if lines[i].startswith(f"{key}:")), 2)
        for text in texts:
            found += read_line(text, number)[1]
    return found


def _distinct_tags(refs: list[TitledRef]) -> tuple[str, ...]:
    """Each tag once (compared as Obsidian does, ignoring case), as first written.

    >>> _distinct_tags([TitledRef("a", 1), TitledRef("B", 2), TitledRef("A", 3)])
    ('a', 'B')
    """
    if not refs:
        return ()
    seen: dict[str, str] = {}
    for ref in refs:
        seen.setdefault(tag_key(ref.title), ref.title)
    return tuple(seen.values())


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


def _load_meta(front: str, first_line: int, problems: _Problems) -> dict[str, Any]:
    try:
        data = yaml.load(front, Loader=SafeLoader)
    except yaml.YAMLError as error:
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


def _load_meta_checked(data: Any, first_line: int, problems: _Problems) -> dict[str, Any]:
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


def _kind(value: Any, problems: _Problems) -> NoteKind:
    if value is None:
        return NoteKind.SYNTHESIS
    name = str(value).strip().lower()
    kind = _KINDS.get(name) or _KIND_ALIASES.get(name)
    if kind is None:
        problems.add(None, f"unknown type {value!r}; read as a synthesis note")
        return NoteKind.SYNTHESIS
    return kind


def _text(value: Any, key: str, problems: _Problems) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float, dt.date)):
        return str(value).strip()
    problems.add(None, f"`{key}` should be text, got a {type(value).__name__}; ignored")
    return ""


def _date(value: Any, problems: _Problems) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return _text(value, "date", problems)


def _titles(value: Any, key: str, problems: _Problems) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return (
            [part.strip() for part in value.split(",") if part.strip()]
            if key == "tags"
            else [value.strip()]
        )
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, (str, int, float)):
                out.append(clean_title(str(item)))
            elif isinstance(item, dict) and "title" in item:
                out.append(clean_title(str(item["title"])))
            else:
                problems.add(None, f"`{key}` has an item that is not a title: {item!r}; ignored")
        return [t for t in out if t]
    problems.add(None, f"`{key}` should be a list, got a {type(value).__name__}; ignored")
    return []


def _refs(value: Any, key: str, line: int, problems: _Problems) -> tuple[TitledRef, ...]:
    return tuple(TitledRef(t, line) for t in _titles(value, key, problems))


def _related(value: Any, line: int, problems: _Problems) -> tuple[RelatedEntry, ...]:
    entries = []
    for item in value if isinstance(value, list) else ([] if value is None else [value]):
        if isinstance(item, str):
            entries.append(RelatedEntry(clean_title(item), "", "", "", "related", line))
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
                    line,
                )
            )
        else:
            problems.add(line, f"`related` item without a title: {item!r}; ignored")
    return tuple(entries)


def _sources(value: Any, line: int, problems: _Problems) -> tuple[SourceEntry, ...]:
    entries = []
    for item in value if isinstance(value, list) else ([] if value is None else [value]):
        if isinstance(item, str):
            entries.append(SourceEntry(clean_title(item), "", line))
        elif isinstance(item, dict) and (item.get("title") or item.get("summary")):
            title = clean_title(str(item["title"])) if item.get("title") else None
            entries.append(SourceEntry(title, str(item.get("summary") or ""), line))
        else:
            problems.add(line, f"`sources` item without a title or summary: {item!r}; ignored")
    return tuple(entries)


def _cards(meta: dict[str, Any], line: int, problems: _Problems) -> tuple[Card, ...]:
    cards = [Card(t, "", "", line) for t in _titles(meta.get("notes"), "notes", problems)]
    sections = meta.get("sections")
    if isinstance(sections, dict):
        for name, titles in sections.items():
            cards += [Card(t, "", str(name), line) for t in _titles(titles, "sections", problems)]
    elif sections is not None:
        problems.add(line, "`sections` should map section names to lists of titles; ignored")
    return tuple(cards)


def _body(
    lines: list[str], start: int, roles: list[str], problems: _Problems
) -> tuple[list[Paragraph], list[WrittenLink], list[TitledRef]]:
    """Paragraphs of running text, the links written and the inline tags; fenced code
    and HTML comments hold none of them (their lines get the roles 'code', 'comment')."""
    paragraphs: list[Paragraph] = []
    written: list[WrittenLink] = []
    tags: list[TitledRef] = []
    pending: list[str] = []
    pending_line = 0
    fence = ""
    in_comment = False

    def close() -> None:
        if pending:
            paragraphs.append(Paragraph(" ".join(pending), pending_line))
            pending.clear()

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if fence:
            roles[index] = "code"
            marker = fence_marker(line)
            if (
                marker
                and marker[0] == fence[0]
                and len(marker) >= len(fence)
                and not line.strip()[len(marker) :].strip()
            ):
                fence = ""
            continue
        if not in_comment and line.lstrip(" ")[:3] in ("```", "~~~"):
            marker = fence_marker(line)
            if marker:
                close()
                fence = marker
                roles[index] = "code"
                continue
        if in_comment or "<!--" in line:
            line, in_comment = strip_comments(line, in_comment)
            if not line.strip():
                roles[index] = "comment"
                close()
                continue
        raw = line.strip()
        if not raw:
            close()
            continue
        if "[" in raw or "#" in raw:
            shown, links, found_tags = read_line(raw, number)
            written += links
            tags += [TitledRef(tag, number) for tag in found_tags]
        else:
            shown = raw
        if shown[:1] == "#" and _HEADING.match(shown):
            roles[index] = "heading"
            close()
            continue
        shown = shown.strip()
        if "^" in shown:  # a block id (` ^b1`) marks the line for links; it is not text
            shown = _BLOCK_ID.sub("", shown)
        if not shown:
            roles[index] = "body"
            continue
        roles[index] = "body"
        if not pending:
            pending_line = number
        pending.append(shown.lstrip("-*> ").strip() if shown[:2] in ("- ", "* ", "> ") else shown)
    close()
    if fence:
        problems.add(None, f"a code fence ({fence}) is never closed; read as code to the end")
    return paragraphs, written, tags


_BLOCK_ID = re.compile(r"(?:^|\s+)\^[A-Za-z0-9-]+$")
_HEADING = re.compile(r"#{1,6}(?:\s|$)")


def to_markdown(page: Page) -> str:
    """Write a page back as a Markdown note in the project's own format."""
    meta: dict[str, Any] = {"type": page.kind.value, "title": page.title}
    for key, value in (
        ("description", page.description),
        ("claim", page.claim),
        ("date", page.date),
        ("collection", page.collection),
        ("arxiv", page.arxiv),
    ):
        if value:
            meta[key] = value
    for key, refs in (
        ("categories", page.categories),
        ("tags", page.tags),
        ("aliases", page.aliases),
    ):
        if refs:
            meta[key] = list(refs)
    for key, titled in (
        ("hubs", page.hubs),
        ("uses", page.uses),
        ("papers", page.papers),
        ("next", page.next_lines),
    ):
        if titled:
            meta[key] = [ref.title for ref in titled]
    if page.related:
        meta["related"] = [
            {
                k: v
                for k, v in (
                    ("title", r.title),
                    ("description", r.description),
                    ("label", r.label),
                    ("annotation", r.annotation),
                )
                if v
            }
            for r in page.related
        ]
    if page.sources:
        meta["sources"] = [
            {k: v for k, v in (("title", s.title), ("summary", s.summary)) if v}
            for s in page.sources
        ]
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    body = "\n\n".join(p.text for p in page.body)
    return f"---\n{front}---\n{body}\n"
