"""Parse Markdown notes with YAML front matter and [[wikilinks]] (an Obsidian-style vault).

The front matter is read with `yaml.safe_load` only: a language tag such as
`!!python/object/apply:os.system` is an error to report, never code to run.

>>> page = parse_markdown("---\\ntitle: Why X?\\nclaim: x holds\\n---\\nSee [[Can Y happen?|Y]].", "x.md")
>>> page.title, page.claim, [w.title for w in page.wikilinks], page.body[0].text
('Why X?', 'x holds', ['Can Y happen?'], 'See Y.')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import yaml

from kg.codec import properties_to_json
from kg.model import (
    Counts,
    Page,
    Paragraph,
    TitledRef,
    WrittenLink,
)
from kg.parse.front_matter import (
    Problems,
    load_meta,
    meta_cards,
    meta_date,
    meta_kind,
    meta_refs,
    meta_related,
    meta_sources,
    meta_text,
    meta_titles,
    split_front_matter,
)
from kg.parse.obsidian import (
    fence_marker,
    in_container,
    raw_html_end,
    read_line,
    strip_comments,
)
from kg.text import clean_title, tag_key

WIKILINK = re.compile(r"\[\[([^\[\]|#]+)(?:#[^\[\]|]*)?(?:\|([^\[\]]*))?\]\]")
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
        "tag",
        "truncated",
    }
)


def parse_markdown(text: str, path: str) -> Page:
    """Parse one Markdown note into a `Page` (variant 'markdown').

    Parameters
    ----------
    text : str
        The note's text, line ends already normalised to ``\\n``.
    path : str
        The path shown in diagnostics; its stem is the title when the front matter has none.

    Returns
    -------
    Page
        The parsed page; problems with the front matter are in `Page.diagnostics`, never
        raised.

    Examples
    --------
    >>> page = parse_markdown("---\\ntype: paper\\n---\\nText with #tag.", "notes/A paper.md")
    >>> page.kind.value, page.title, page.tags
    ('paper', 'A paper', ('tag',))
    """
    problems = Problems(path)
    lines = text.split("\n")
    roles = ["blank" if not line.strip() else "" for line in lines]
    front, front_line, body_start = split_front_matter(text)
    meta: dict[str, Any] = {}
    if front is None and lines and lines[0].strip() == "---":
        problems.add(1, "front matter opened with '---' but never closed; read as body text")
    if front is not None:
        for index in range(0, body_start):
            roles[index] = "front-matter"
        problems.key_lines = {
            line.partition(":")[0].strip(): number
            for number, line in enumerate(lines[1 : body_start - 1], start=2)
            if line[:1] not in (" ", "\t", "-", "#") and ":" in line
        }
        meta = load_meta(front, front_line, problems)
    stem = PurePath(path).stem
    title = clean_title(meta_text(meta.get("title"), "title", problems)) or clean_title(stem)
    own, linked = _property_links(meta, lines, body_start) if meta else (meta, [])
    kind = meta_kind(own.get("type"), problems)
    body, written, inline_tags = _body(lines, body_start, roles, problems)
    written = linked + written
    front_tags = [
        t.lstrip("#") for t in meta_titles(_either(meta, "tags", "tag"), "tags", problems)
    ]
    tag_refs = [TitledRef(t, front_line) for t in front_tags if t] + inline_tags

    def at(key: str) -> Callable[[str], int]:
        return item_lines(lines, body_start, key, front_line)

    fields: dict[str, Any] = dict(
        path=path,
        kind=kind,
        variant="markdown",
        title=title,
        title_line=front_line if "title" in meta else 1,
        description=meta_text(own.get("description"), "description", problems),
        claim=meta_text(own.get("claim"), "claim", problems),
        categories=tuple(meta_titles(own.get("categories"), "categories", problems)),
        date=meta_date(own.get("date"), problems),
        collection=meta_text(own.get("collection"), "collection", problems),
        hubs=meta_refs(own.get("hubs"), "hubs", at("hubs"), problems),
        body=tuple(body),
        uses=meta_refs(own.get("uses"), "uses", at("uses"), problems),
        related=meta_related(own.get("related"), at("related"), problems),
        papers=meta_refs(own.get("papers"), "papers", at("papers"), problems),
        sources=meta_sources(own.get("sources"), at("sources"), problems),
        next_lines=meta_refs(own.get("next"), "next", at("next"), problems),
        cards=meta_cards(own, at("notes"), problems, at("sections")),
        wikilinks=tuple(TitledRef(w.target, w.line) for w in written if not w.markdown),
        arxiv=meta_text(own.get("arxiv"), "arxiv", problems),
        tags=_distinct_tags(tag_refs),
        aliases=tuple(meta_titles(_either(meta, "aliases", "alias"), "aliases", problems)),
        truncated=bool(own.get("truncated", False)),
        counts=Counts(
            sources=len(own["sources"]) if isinstance(own.get("sources"), list) else None
        ),
        links=tuple(written),
        tag_refs=tuple(tag_refs),
        properties_json=properties_to_json(meta) if meta else "",
    )
    return Page(roles=tuple(roles), diagnostics=tuple(problems.items), **fields)


def _either(meta: dict[str, Any], *names: str) -> Any:
    """The value of the first of `names` the front matter has, in any case (Obsidian reads
    `Tags:` or the older `tag:` as `tags:`).

    >>> _either({"Tag": "x"}, "tags", "tag"), _either({"alias": "a", "aliases": "b"}, "aliases", "alias")
    ('x', 'b')
    """
    for name in names:
        if name in meta:
            return meta[name]
    folded = {str(key).casefold(): key for key in meta}
    for name in names:
        if name in folded:
            return meta[folded[name]]
    return None


# kg's own keys that hold titles: a `[[link]]` written there is an Obsidian link instead
_TITLE_LISTS = frozenset(
    {"related", "sources", "categories", "hubs", "uses", "papers", "next", "notes"}
)
_NOT_LINKED = frozenset({"tags", "tag", "aliases", "alias", "title"})


def _property_links(
    meta: dict[str, Any], lines: list[str], end: int
) -> tuple[dict[str, Any], list[WrittenLink]]:
    """Links written in the text of front-matter properties, as Obsidian reads them
    (`up: "[[Home]]"`, `categories: ["[[Books]]"]`, `date: "[[2024-01-05]]"`), each on the
    line of its key; and the properties for kg's own fields with those links taken out
    (a list item that is a link) or unwrapped (a text that holds one).

    >>> text = '---\\nup: "[[Home|home]]"\\nrating: 3\\nrelated: ["[[A]]", B]\\n---\\n'
    >>> page = parse_markdown(text, "n.md")
    >>> [(w.target, w.line) for w in page.links], [r.title for r in page.related]
    ([('Home', 2), ('A', 4)], ['B'])
    """
    found: list[WrittenLink] = []
    own = dict(meta)
    for key, value in meta.items():
        if str(key).casefold() in _NOT_LINKED:
            continue
        items = value if isinstance(value, list) else [value]
        texts = [v for v in items if isinstance(v, str) and "[[" in v]
        if not texts:
            continue
        number = next((i + 1 for i in range(1, end) if lines[i].startswith(f"{key}:")), 2)
        for text in texts:
            found += read_line(text, number)[1]
        if key in _TITLE_LISTS:
            kept = [v for v in items if not (isinstance(v, str) and "[[" in v)]
            own[key] = kept if isinstance(value, list) else None
        elif key in _OWN_KEYS and isinstance(value, str):
            own[key] = None if key == "type" else read_line(value, number)[0]
    return own, found


def item_lines(lines: list[str], end: int, key: str, default: int) -> Callable[[str], int]:
    """What gives the line of each title a front-matter property lists: the first line of
    the property's block (its key's line and the indented lines under it), after the one
    found before, that holds the title as written; the key's line when none does (a
    title written with escapes), `default` when the front matter has no such key.

    >>> text = "---\\nrelated:\\n  - title: A\\n    label: x\\n  - B\\npapers: [C, D]\\n---\\n"
    >>> lines = text.split("\\n")
    >>> related, papers = item_lines(lines, 7, "related", 1), item_lines(lines, 7, "papers", 1)
    >>> related("A"), related("B"), related("Z"), papers("D"), item_lines(lines, 7, "next", 1)("A")
    (3, 5, 2, 6, 1)
    """
    first = next((i for i in range(1, end) if lines[i].startswith(f"{key}:")), None)
    if first is None:
        return lambda _title: default
    last = first + 1
    while last < end and (not lines[last].strip() or lines[last][:1] in (" ", "\t", "-", "#")):
        last += 1
    if last == end and lines[last - 1].strip() == "---":
        last -= 1  # the closing line
    cursor = first

    def line_of(title: str) -> int:
        nonlocal cursor
        if title:  # an item's own line first (`- B`, `- title: B`), else any of the block
            for starts in (True, False):
                for index in range(cursor, last):
                    written = lines[index]
                    if title in written and (not starts or _item_start(written, index == first)):
                        cursor = index + 1 if index > first else first
                        return index + 1
        return first + 1

    return line_of


def _item_start(line: str, key_line: bool) -> bool:
    """Whether a front-matter line starts a list item or its title (or is the key's line,
    where a list written inline puts every item)."""
    bare = line.lstrip()
    return key_line or bare.startswith(("-", "title:"))


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


def _body(
    lines: list[str], start: int, roles: list[str], problems: Problems
) -> tuple[list[Paragraph], list[WrittenLink], list[TitledRef]]:
    """Paragraphs of running text, the links written and the inline tags; fenced code
    and HTML comments hold none of them (their lines get the roles 'code', 'comment')."""
    paragraphs: list[Paragraph] = []
    written: list[WrittenLink] = []
    tags: list[TitledRef] = []
    pending: list[str] = []
    pending_line = 0
    fence = ""
    fence_depth = 0  # the callout depth (`>` markers) the open fence sits in
    raw_end = ""  # the closing tag of a raw HTML block (`</pre>`) while inside one
    in_comment = ""  # the marker closing the comment the line is in (`-->`, `%%`)
    quote_depth = 0  # the quote (callout) depth of the paragraph pending

    def close() -> None:
        if pending:
            paragraphs.append(Paragraph(" ".join(pending), pending_line))
            pending.clear()

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if fence:
            depth, inner = in_container(line) if line[:1] in (" ", "\t", ">") else (0, line)
            if depth >= fence_depth:  # else the callout holding the fence has ended
                roles[index] = "code"
                marker = fence_marker(inner)
                if (
                    marker
                    and marker[0] == fence[0]
                    and len(marker) >= len(fence)
                    and not inner.strip()[len(marker) :].strip()
                ):
                    fence = ""
                continue
            fence = ""
        if raw_end:
            roles[index] = "code"
            if raw_end in line.casefold():
                raw_end = ""
            continue
        if not in_comment and line[:1] in (" ", "<") and (end := raw_html_end(line)):
            close()
            roles[index] = "code"
            if end not in line.casefold()[line.index("<") + 1 :]:
                raw_end = end
            continue
        if not in_comment and ("```" in line or "~~~" in line):
            # a fence at any indentation (in a list item) or inside a callout (`> ````)
            depth, inner = in_container(line)
            marker = fence_marker(inner)
            if marker:
                close()
                fence, fence_depth = marker, depth
                roles[index] = "code"
                continue
        if in_comment or "<!--" in line or "%%" in line:
            line, in_comment = strip_comments(line, in_comment)
            if not line.strip():
                roles[index] = "comment"
                close()
                continue
        raw = line.strip()
        if not raw:
            close()
            continue
        if raw[0] in "-*_=" and _RULE.match(raw) and (raw[0] != "=" or pending):
            roles[index] = "rule"  # a thematic break (`---`) or a heading's underline
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
        depth = 0
        if shown[:1] == ">":  # a quote or callout, `>text` and nested `>>` or `> >` alike
            depth, shown = in_container(shown)
            if shown[:2] == "[!":  # a callout's type (`> [!note]-`) is not text; its title is
                close()  # and a callout starts a block of its own
                shown = _CALLOUT.sub("", shown)
            elif shown[:1] == "#" and _HEADING.match(shown):
                roles[index] = "heading"
                close()
                continue
        lazy = not depth and pending and shown[:2] not in _BULLETS  # continues a quote
        if depth != quote_depth and not lazy:  # a quote begins, ends or nests: new paragraph
            close()
            quote_depth = depth
        roles[index] = "body"
        if not shown:
            if depth:
                close()  # a bare `>` parts a quote's paragraphs, as a blank line does
            continue
        if not pending:
            pending_line = number
        if shown[:2] in _BULLETS:
            shown = shown.lstrip("-*+ ").strip()
            if _TASK_BOX.match(shown):  # `- [ ] task`, `- [x] done`: a checkbox, not text
                shown = shown[3:].strip()
                if not shown:
                    continue
        pending.append(shown)
    close()
    if fence:
        problems.add(None, f"a code fence ({fence}) is never closed; read as code to the end")
    return paragraphs, written, tags


_BULLETS = ("- ", "* ", "+ ")
_RULE = re.compile(r"(?:([-*_])(?:[ \t]*\1){2,}|=+)[ \t]*$")
_TASK_BOX = re.compile(r"\[[ xX]\](?:\s|$)")
_CALLOUT = re.compile(r"^\[![^\]\s]+\][+-]?\s*")
_BLOCK_ID = re.compile(r"(?:^|\s+)\^[A-Za-z0-9-]+$")
_HEADING = re.compile(r"#{1,6}(?:\s|$)")


def to_markdown(page: Page) -> str:
    """Write a page back as a Markdown note in the project's own format.

    Parameters
    ----------
    page : Page
        The page (from any parser).

    Returns
    -------
    str
        Front matter with the page's fields, then its body paragraphs; `parse_markdown`
        reads it back to the same fields.

    Examples
    --------
    >>> print(to_markdown(parse_markdown("---\\ntitle: Why X?\\n---\\nX holds.", "x.md")))
    ---
    type: synthesis
    title: Why X?
    ---
    X holds.
    <BLANKLINE>
    """
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
