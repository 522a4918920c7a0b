"""Parse the notes site's page text, in both variants, into `Page` values.

Every line of a page ends up with a role: the field it was read into, or the reason
it was skipped ('blank', 'interface' for the site's own furniture, 'skipped' with a
diagnostic for anything unrecognised). Nothing read is dropped silently.

>>> page = parse_page("Why X?\\nThis explores X.\\nBody cites Can models do the thing?.", "x.txt")
>>> page.kind.value, page.title, page.description
('line', 'Why X?', 'This explores X.')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from kg.model import (
    Card,
    ConceptMap,
    Counts,
    Diagnostic,
    NoteKind,
    Page,
    Paragraph,
    RelatedEntry,
    Severity,
    SourceEntry,
    TitledRef,
)
from kg.parse.relations import split_relation
from kg.parse.vocabulary import CategoryVocabulary, TagVocabulary
from kg.text import question_mentions

BANNERS = {
    "SYNTHESIS NOTE": NoteKind.SYNTHESIS,
    "INQUIRING LINE": NoteKind.LINE,
    "TOPIC": NoteKind.TOPIC,
    "← All notes": NoteKind.HUB,
}

# The site's own interface text: never a title, a description or a body line.
INTERFACE_TEXT = (
    "This note is a source for these synthesized inquiries. Follow a line forward into its "
    "question, or open it to trace back to all of its sources.",
    "This note in its neighbourhood — explore the map, then jump to a related concept in the "
    "list below.",
    "Concept map",
    "Click a node to walk · click center to open · click Open in graph to see this note in the "
    "full knowledge graph",
    "your link semantically near linked from elsewhere",
    "Papers most semantically related to this note, ranked by cosine similarity in the "
    "embedding space.",
    "View as",
    "Explore related Read →",
    "Open in graph ↗",
)
_INTERFACE_SET = frozenset(INTERFACE_TEXT)
# Interface lines that may carry more text after them on the same line.
_INTERFACE_OPENINGS = ("Click a node to walk", "This note in its neighbourhood")
CARD_END = "Explore related Read →"

USES_HEADER = re.compile(r"^Inquiring lines that use this note as a source(?:\s+(\d+))?$")
RELATED_HEADER = re.compile(r"^Related concepts in this collection(?:\s+(\d+))?$")
PAPERS_HEADER = re.compile(r"^Related papers in this collection(?:\s+(\d+))?$")
CLAIM_HEADER = re.compile(r"^Original note title$")
SOURCES_HEADER = re.compile(r"^Sources\s+(\d+)\s+notes?$")
NEXT_HEADER = re.compile(r"^Next inquiring lines$")
# "Synthesis note · DATE" on the current deployment, "Note · DATE" on the older one.
META = re.compile(r"^(?:Synthesis note|Note) · (\d{4}-\d{2}-\d{2})(?: · sourced from (.+?))?$")
SOURCE_LINE = re.compile(r"^Source:\s*(.+)$")  # the older deployment's collection line
CONNECTIONS = re.compile(r"^Connections:\s*(.*)$")  # the older deployment's cited titles
# Headers as their words run, for telling a header cut short on the last line ("Related").
HEADER_WORDS = (
    "Inquiring lines that use this note as a source",
    "Related concepts in this collection",
    "Related papers in this collection",
    "Original note title",
    "Next inquiring lines",
    "Sources",
    "Topic Hub",
)
_SOURCES_CUT = re.compile(r"^Sources\s+(\d+)(?:\s+(n(?:o(?:t(?:es?)?)?)?))?$")
# The older deployment's concept-map hint, which names a "force-directed map".
_OLDER_HINT = "Open full network"
FIGURES = re.compile(
    r"^(\d+) direct connections? · (\d+) in 2-hop network ·\s*(.*?)\s*(?:Open in graph.*)?$"
)
TOPIC_COUNTS = re.compile(r"^(\d+) synthesis notes? · (\d+) source papers?$")
HUB_COUNTS = re.compile(r"^Topic Hub · (\d+) linked notes? · (\d+) sections?$")
SECTION_COUNT = re.compile(r"^(\d+) notes?$")
PAPER_META = re.compile(r"^Paper · arXiv (\S+) · Published (.+)$")
LIST_ITEM = re.compile(r"^(?:-\s+|\s*\d+\.\s+)(.+)$")
_ANY_HEADER = re.compile(
    r"^(Sources(?=\s+\d+\s+notes?$)|Next inquiring lines(?=$)|Inquiring lines that use this note"
    r"|Related concepts in this collection|Related papers in this collection"
    r"|Original note title(?=$))"
)
_HEADER_INITIALS = frozenset("SNIRO")
_TERMINAL = re.compile(r"[.?!\"'”’)*\]…]$")


@dataclass(slots=True)
class _Line:
    number: int  # 1-based line number in the file
    text: str


@dataclass
class _Reader:
    """Collects the roles and diagnostics of one page while it is parsed."""

    path: str
    roles: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    last: int = 0  # the line number of the page's last non-blank line
    size: int = 0  # the page's length in characters
    tags: TagVocabulary | None = None

    def is_last(self, line: _Line) -> bool:
        return line.number == self.last

    def role(self, line: _Line, role: str) -> None:
        self.roles[line.number - 1] = role

    def warn(
        self,
        line: _Line | None,
        message: str,
        severity: Severity = Severity.WARNING,
        code: str = "",
    ) -> None:
        self.diagnostics.append(
            Diagnostic(self.path, line.number if line else None, severity, message, code)
        )

    def cut(self, line: _Line) -> None:
        """Mark the unfinished last line of a cut-off copy: evidence, never an item."""
        self.role(line, "cut")

    def skip(self, line: _Line, why: str) -> None:
        self.role(line, "skipped")
        self.warn(line, f"skipped: {why}: {line.text[:80]!r}")


def is_interface(text: str, last: bool = False) -> bool:
    """True for the site's interface text, including a cut-off tail of it on the last line."""
    if text in _INTERFACE_SET or (text[0] in "CT" and text.startswith(_INTERFACE_OPENINGS)):
        return True
    return last and len(text) >= 6 and any(s.startswith(text) for s in INTERFACE_TEXT)


def detect_kind(lines: list[str]) -> tuple[NoteKind, bool]:
    """The page type from its banner, or from its structure when it has none.

    Returns the kind and whether the page carried a banner.
    """
    return _detect_kind([stripped for line in lines if (stripped := line.strip())])


def _detect_kind(content: list[str]) -> tuple[NoteKind, bool]:
    """`detect_kind` for the page's non-blank lines, already stripped."""
    if not content:
        return NoteKind.SYNTHESIS, False
    if content[0] in BANNERS:
        return BANNERS[content[0]], True
    if any(HUB_COUNTS.match(line) for line in content[:6]):
        return NoteKind.HUB, False
    if len(content) > 1 and PAPER_META.match(content[1]):
        return NoteKind.PAPER, False
    if any(TOPIC_COUNTS.match(line) for line in content[:4]):
        return NoteKind.TOPIC, False
    headers = {
        match.group(1)
        for line in content
        if line[0] in _HEADER_INITIALS and (match := _ANY_HEADER.match(line))
    }
    if any(line[0] == "N" and META.match(line) for line in content[:8]):
        return NoteKind.SYNTHESIS, False  # the older deployment: no banner, a "Note ·" line
    if headers & {"Sources", "Next inquiring lines"}:
        return NoteKind.LINE, False
    if headers:
        return NoteKind.SYNTHESIS, False
    if len(content) > 1 and content[1].startswith("This explores"):
        return NoteKind.LINE, False
    return NoteKind.SYNTHESIS, False


def parse_page(
    text: str,
    path: str,
    vocabulary: CategoryVocabulary | None = None,
    tags: TagVocabulary | None = None,
) -> Page:
    """Parse one page of the site (either variant, either deployment) into a `Page`.

    Parameters
    ----------
    text : str
        The page's text, line ends already normalised to ``\\n``.
    path : str
        The path shown in diagnostics and kept as the page's provenance.
    vocabulary : CategoryVocabulary, optional
        Category names to split a run-together category line with (the defaults if None).
    tags : TagVocabulary, optional
        Paper tags to split a paper's run-together tag line with (the defaults if None).

    Returns
    -------
    Page
        The parsed page; `Page.roles` says what every line was read as.

    Examples
    --------
    >>> page = parse_page("Does X hold?\\nA note about X.\\nX holds when", "x.txt")
    >>> page.truncated, page.roles
    (True, ('title', 'description', 'body'))
    """
    vocabulary = vocabulary or CategoryVocabulary.default()
    raw_lines = text.split("\n")
    roles = [""] * len(raw_lines)
    reader = _Reader(path, roles, size=len(text), tags=tags)
    content: list[_Line] = []
    for number, raw in enumerate(raw_lines, start=1):
        stripped = raw.strip()
        if stripped:
            content.append(_Line(number, stripped))
        else:
            roles[number - 1] = "blank"
    kind, has_banner = _detect_kind([line.text for line in content])
    if not content:
        reader.warn(None, "empty page: nothing to read", Severity.ERROR)
        return Page(
            path=path,
            kind=kind,
            variant="main",
            title="",
            roles=tuple(reader.roles),
            diagnostics=tuple(reader.diagnostics),
            truncated=True,
        )
    if has_banner:
        reader.role(content[0], "banner")
        content = content[1:]
    variant = "banner" if has_banner else "main"
    deployment = _deployment(content)
    if deployment == "older" and any(META.match(line.text) for line in content[:8]):
        variant = "banner"  # blank lines, a category line and a date line, without the banner
    reader.last = content[-1].number if content else 0
    for line in content:
        # is_interface() inlined for every line but the last: this loop sees every line.
        text = line.text
        if text in _INTERFACE_SET or (text[0] in "CT" and text.startswith(_INTERFACE_OPENINGS)):
            roles[line.number - 1] = "interface"
    if content and is_interface(content[-1].text, last=True):
        roles[content[-1].number - 1] = "interface"
    fields = _PARSERS[kind](content, reader, vocabulary, has_banner)
    title = fields.pop("title", "")
    if title and fields.get("title_line") == reader.last and kind is not NoteKind.PAPER:
        # The copy ends inside or right after its title: whatever else the note said is
        # gone, and a title cut mid-word would be a note of its own that does not exist.
        fields["truncated"] = True
        if not title.endswith(("?", ".", "!")):
            reader.warn(
                content[-1],
                f"the copy is cut inside its title ({title!r}); no note is made from it",
                code="truncated",
            )
            roles[fields["title_line"] - 1] = "cut"
            title = ""
    elif not title:
        reader.warn(None, "page has no title line", Severity.ERROR)
    if fields.get("truncated") and title:
        reader.warn(
            content[-1] if content else None,
            "the page ends early (a cut-off copy); what it holds was loaded",
            Severity.INFO,
            code="truncated",
        )
    for line in content:
        if not roles[line.number - 1]:
            reader.skip(line, "line not recognised here")
    return Page(
        path=path,
        kind=kind,
        variant=variant,
        title=title,
        roles=tuple(reader.roles),
        diagnostics=tuple(reader.diagnostics),
        deployment=deployment,
        **fields,
    )


def _deployment(content: list[_Line]) -> str:
    """'older' for a page of the site's earlier deployment, else 'current'.

    Its notes carry a "Note ·" date line, its own concept-map hint, and often "Source:"
    and "Connections:" lines; its main-text variant keeps only the last of these.
    """
    for line in content:
        text = line.text
        first = text[0]
        if first == "N" and text.startswith("Note · ") and META.match(text):
            return "older"
        if first == "C":
            if text.startswith("Click a node to walk") and _OLDER_HINT in text:
                return "older"
            if text.startswith("Connections:"):
                return "older"
        if first == "S" and text.startswith("Source:") and SOURCE_LINE.match(text):
            return "older"
    return "current"


def header_prefix(text: str) -> bool:
    """True when `text` is the start of a section header, as a cut-off copy leaves it.

    >>> header_prefix("Related"), header_prefix("Sources 4"), header_prefix("Related work")
    (True, True, False)
    """
    return any(header.startswith(text) for header in HEADER_WORDS) or bool(_SOURCES_CUT.match(text))


def _cut_claim(claim: str, reader: _Reader, content: list[_Line]) -> bool:
    """Whether the claim on a page's last line looks cut mid-word.

    Only a copy of about the size the site's copies are cut at (2 KB) can end inside its
    claim; then a last word that appears nowhere else on the page, while a longer word
    starting with it does, was cut.
    """
    if not 1700 <= reader.size <= 2400:
        return False
    words = claim.split()
    last = words[-1].lower() if words else ""
    if not last.isalpha():
        return False
    page = " ".join(line.text for line in content[:-1]).lower()
    whole = re.search(rf"\b{re.escape(last)}\b", page)
    longer = re.search(rf"\b{re.escape(last)}[a-z]", page)
    return whole is None and longer is not None


# ---------------------------------------------------------------- shared pieces


def _head(content: list[_Line], reader: _Reader, first_roles: tuple[str, ...]) -> tuple[dict, int]:
    """Read the leading title and description lines; returns fields and the next index."""
    fields: dict = {}
    index = 0
    for role in first_roles:
        while index < len(content) and reader.roles[content[index].number - 1] == "interface":
            index += 1
        if index >= len(content) or _is_header(content[index].text):
            break
        line = content[index]
        if role == "description" and line.text[0] in "NS" and META.match(line.text):
            break
        reader.role(line, role)
        if role == "title":
            fields["title"] = line.text
            fields["title_line"] = line.number
        else:
            fields[role] = line.text
        index += 1
    return fields, index


def _is_header(text: str) -> bool:
    return any(
        pattern.match(text)
        for pattern in (
            USES_HEADER,
            RELATED_HEADER,
            PAPERS_HEADER,
            CLAIM_HEADER,
            SOURCES_HEADER,
            NEXT_HEADER,
        )
    )


def _list_item(text: str) -> str | None:
    """The text of a list item ('- Title' or '1. Title'), else None (text is stripped)."""
    if text[0] == "-" and len(text) > 2 and text[1] in " \t":
        return text[2:].strip() or None
    match = LIST_ITEM.match(text)
    return match.group(1).strip() if match else None


def _count(match: re.Match[str]) -> int | None:
    return int(match.group(1)) if match.lastindex and match.group(1) else None


def _hub_questions(text: str, cut: bool = False) -> list[str] | None:
    """The parent hub questions of a line made only of questions, else None.

    With `cut` (the line is the unfinished end of a cut-off copy) the unfinished last
    question is dropped and the complete ones before it are kept.

    >>> _hub_questions("What is X? How does Y work?")
    ['What is X?', 'How does Y work?']
    >>> _hub_questions("What is X? How does Y wo", cut=True)
    ['What is X?']
    """
    if not text.endswith("?"):
        if not cut or "? " not in text:
            return None
        text, _, unfinished = text.rpartition("? ")
        if not unfinished[:1].isupper() or len(unfinished.split()) > 30:
            return None
        text += "?"
    parts = [p.strip() + "?" for p in text[:-1].split("?")]
    if all(p[:1].isupper() and 2 <= len(p.split()) <= 30 for p in parts):
        return parts
    return None


def _listed_titles(text: str) -> list[str]:
    """The titles of a "Connections:" line: questions, or comma-separated names.

    >>> _listed_titles("Does X, or Y, hold? Why does Z fail?, Can W help?")
    ['Does X, or Y, hold?', 'Why does Z fail?', 'Can W help?']
    """
    text = text.strip().rstrip(".;")
    parts = re.split(r"(?<=\?)[\s,;]+", text) if "?" in text else text.split(",")
    return [part.strip() for part in parts if part.strip()]


def _category_lines(content: list[_Line], banner: bool) -> int:
    """How many lines before the title hold categories (0 or 1, rarely more).

    The banner variant and the older deployment print categories before the title. A
    date line ("Synthesis note ·" or "Note ·") fixes the title two lines above it; without
    one (the copy is cut before it), a first line with no end punctuation before a
    question is a category line, never a title.
    """
    head = content[:8]
    meta_at = next((i for i, line in enumerate(head) if META.match(line.text)), None)
    if meta_at is not None:
        before = [line for line in content[:meta_at] if not _is_header(line.text)]
        if len(before) >= 3:
            return len(before) - 2
        if len(before) == 2 and not before[0].text.endswith("?"):
            return 1 if banner or before[1].text.endswith("?") else 0
        return 0
    if not content or content[0].text.endswith(("?", ".", "!")) or _is_header(content[0].text):
        return 0
    if banner:
        return 1
    second = content[1].text if len(content) > 1 else ""
    if second.endswith("?") and not _is_header(second) and len(content[0].text) <= 200:
        return 1
    return 0


def _categories(line: _Line, reader: _Reader, vocabulary: CategoryVocabulary) -> list[str]:
    """The categories of a category line; unknown names are kept and reported."""
    pieces = vocabulary.pieces(line.text)
    unknown = [piece for piece, known in pieces if not known]
    if unknown and len(unknown) == len(pieces):
        reader.warn(
            line,
            f"no vocabulary splits the category line {line.text!r}; kept as one category; "
            "list its names under `categories:` in kg.yaml to split it",
            code="category-run",
        )
    elif unknown:
        reader.warn(
            line,
            f"unknown category {', '.join(map(repr, unknown))} kept beside known ones; "
            "list it under `categories:` in kg.yaml to make it known",
            Severity.INFO,
        )
    return [piece for piece, _ in pieces]


def _truncated_tail(content: list[_Line]) -> bool:
    return bool(content) and not _TERMINAL.search(content[-1].text)


# ---------------------------------------------------------------- synthesis notes


def _parse_synthesis(
    content: list[_Line], reader: _Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    fields: dict = {}
    index = _category_lines(content, banner)
    if index:
        categories: list[str] = []
        for line in content[:index]:
            reader.role(line, "categories")
            categories += _categories(line, reader, vocabulary)
        fields["categories"] = tuple(dict.fromkeys(categories))
    head, used = _head(content[index:], reader, ("title", "description"))
    fields.update(head)
    index += used
    body: list[Paragraph] = []
    hubs: list[TitledRef] = []
    uses: list[TitledRef] = []
    papers: list[TitledRef] = []
    related: list[RelatedEntry] = []
    connections: list[TitledRef] = []
    block: list[_Line] = []
    counts: dict[str, int | None] = {}
    uncertain: list[str] = []
    section = "body"
    claim_seen = False

    def close_block() -> None:
        if block:
            related.append(_related_entry(block, reader))
            block.clear()

    roles = reader.roles
    for line in content[index:]:
        text = line.text
        if roles[line.number - 1] == "interface":
            continue
        header = None
        for name, pattern in (
            (
                ("uses", USES_HEADER),
                ("related", RELATED_HEADER),
                ("papers", PAPERS_HEADER),
                ("claim", CLAIM_HEADER),
            )
            if text[0] in _HEADER_INITIALS
            else ()
        ):
            match = pattern.match(text)
            if match:
                header = name
                if name != "claim":
                    if name in counts:
                        reader.warn(line, f"section {text!r} repeated; its items are added")
                    counts[name] = _count(match)
                    if counts[name] is not None and reader.is_last(line):
                        uncertain.append(name)  # "... as a source 4" may have been "... 47"
                break
        if header:
            close_block()
            section = header
            reader.role(line, "header")
            continue
        # Without its claim, the page's last line is where the copy was cut off.
        last = reader.is_last(line) and not claim_seen
        if last and section not in ("body", "claim"):
            reader.cut(line)  # the page ends here unfinished: this line is no item
            continue
        if section == "body":
            meta = META.match(text) if text[0] in "NS" else None
            if meta and not body:
                reader.role(line, "meta")
                fields["date"] = meta.group(1)
                fields["collection"] = (meta.group(2) or "").strip()
                continue
            if last and (header_prefix(text) or is_interface(text, last=True)):
                reader.cut(line)
                continue
            if text[0] == "S" and (source := SOURCE_LINE.match(text)):
                reader.role(line, "meta")
                fields["collection"] = fields.get("collection") or source.group(1).strip()
                continue
            if text[0] == "C" and (cited := CONNECTIONS.match(text)):
                reader.role(line, "connections")
                connections += (TitledRef(t, line.number) for t in _listed_titles(cited.group(1)))
                continue
            questions = _hub_questions(text, cut=last) if not body else None
            if questions and not hubs and ("date" in fields or not banner):
                reader.role(line, "hubs")
                hubs.extend(TitledRef(q, line.number) for q in questions)
                continue
            reader.role(line, "body")
            body.append(Paragraph(text, line.number))
        elif section == "uses":
            item = _list_item(text)
            if item:
                roles[line.number - 1] = "uses"
                uses.append(TitledRef(item, line.number))
            else:
                reader.skip(line, "not a list item in 'Inquiring lines that use this note'")
        elif section == "related":
            figures = FIGURES.match(text)
            if figures:
                reader.role(line, "figures")
                fields["concept_map"] = ConceptMap(
                    int(figures.group(1)), int(figures.group(2)), figures.group(3).strip()
                )
            elif text == "-":
                close_block()
                reader.role(line, "related-marker")
            else:
                if len(block) == 3:  # a block without its '-' marker: title, description, note
                    close_block()
                block.append(line)
        elif section == "papers":
            item = _list_item(text)
            if item:
                roles[line.number - 1] = "papers"
                papers.append(TitledRef(item, line.number))
            else:
                reader.skip(line, "not a list item in 'Related papers'")
        elif section == "claim":
            if claim_seen:
                reader.skip(line, "more than one line under 'Original note title'")
            else:
                reader.role(line, "claim")
                fields["claim"] = text
                claim_seen = True
    close_block()
    # A page of only a question title and a sentence-like description is complete: a hub
    # of the main-text variant (the builder types it from what points at it).
    bare = (
        not banner
        and index == len(content)
        and bool(fields.get("description"))
        and bool(_TERMINAL.search(fields["description"]))
    )
    truncated = not claim_seen and not bare
    if claim_seen and _cut_claim(fields["claim"], reader, content):
        truncated = True
        reader.warn(
            content[-1],
            f"the claim {fields['claim']!r} looks cut mid-word (the copy ends there)",
            Severity.INFO,
        )
    fields.update(
        body=tuple(body),
        hubs=tuple(hubs),
        uses=tuple(uses),
        papers=tuple(papers),
        related=tuple(related),
        connections=tuple(connections),
        counts=Counts(
            uses=counts.get("uses"),
            related=counts.get("related"),
            papers=counts.get("papers"),
            uncertain=tuple(uncertain),
        ),
        truncated=truncated,
    )
    for name, listed in (("uses", uses), ("related", related), ("papers", papers)):
        declared = counts.get(name)
        if declared is not None and listed and len(listed) < declared and claim_seen:
            reader.warn(
                None,
                f"{name}: the page declares {declared} but lists {len(listed)}; "
                "the declared count is kept",
                Severity.INFO,
            )
    return fields


def _related_entry(block: list[_Line], reader: _Reader) -> RelatedEntry:
    lines = block
    roles = ("related-title", "related-description", "related-annotation")
    for line, role in zip(lines, roles, strict=False):
        reader.role(line, role)
    title = lines[0].text if lines else ""
    description = lines[1].text if len(lines) > 1 else ""
    annotation = lines[2].text if len(lines) > 2 else ""
    label, relation = split_relation(annotation)
    return RelatedEntry(title, description, label, annotation, relation, lines[0].number)


# ---------------------------------------------------------------- inquiring lines


def _parse_line(
    content: list[_Line], reader: _Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    fields, index = _head(content, reader, ("title", "description"))
    body: list[Paragraph] = []
    raw_sources: list[tuple[_Line | None, _Line | None]] = []
    next_lines: list[TitledRef] = []
    declared: int | None = None
    uncertain: tuple[str, ...] = ()
    section = "body"
    pending_title: _Line | None = None
    for line in content[index:]:
        text = line.text
        if reader.roles[line.number - 1] == "interface":
            continue
        if reader.is_last(line) and not _TERMINAL.search(text) and not _is_header(text):
            # The copy ends on this line, unfinished: it is no source, summary or next line.
            cut_sources = _SOURCES_CUT.match(text)
            if cut_sources and declared is None:
                declared, uncertain = int(cut_sources.group(1)), ("sources",)
                reader.role(line, "header")
                continue
            if section != "body" or header_prefix(text):
                reader.cut(line)
                continue
        sources = SOURCES_HEADER.match(text)
        if sources:
            if declared is not None:
                reader.warn(line, "a second 'Sources' header; its sources are added")
            declared = int(sources.group(1))
            section = "sources"
            reader.role(line, "header")
            continue
        if NEXT_HEADER.match(text):
            section = "next"
            reader.role(line, "header")
            continue
        if section == "body":
            reader.role(line, "body")
            body.append(Paragraph(text, line.number))
        elif section == "sources":
            looks_like_title = text.endswith("?") and len(text) <= 250 and len(text.split()) <= 30
            if looks_like_title:
                if pending_title is not None:
                    raw_sources.append((pending_title, None))
                pending_title = line
            else:
                raw_sources.append((pending_title, line))
                pending_title = None
        else:
            item = LIST_ITEM.match(text)
            if item:
                reader.role(line, "next")
                next_lines.append(TitledRef(item.group(1).strip(), line.number))
            else:
                reader.skip(line, "not a list item in 'Next inquiring lines'")
    if pending_title is not None:
        raw_sources.append((pending_title, None))
    for title_line, summary_line in raw_sources:
        if title_line:
            reader.role(title_line, "source-title")
        if summary_line:
            reader.role(summary_line, "source-summary")
    entries = _pair_sources(raw_sources, body, fields.get("title", ""), reader)
    if declared is not None and len(entries) != declared and reader.roles[reader.last - 1] != "cut":
        reader.warn(
            None,
            f"'Sources {declared} notes' lists {len(entries)}; all listed are kept "
            "and the declared count is recorded",
        )
    last = content[-1] if content else None
    last_role = reader.roles[last.number - 1] if last is not None else ""
    ends_cleanly = last is not None and (
        last_role in ("header", "next", "source-title", "interface")
        or (last_role != "cut" and not _truncated_tail(content))
    )
    truncated = declared is None or not ends_cleanly or bool(uncertain)
    fields.update(
        body=tuple(body),
        sources=tuple(entries),
        next_lines=tuple(next_lines),
        counts=Counts(sources=declared, uncertain=uncertain),
        truncated=truncated,
    )
    return fields


def _pair_sources(
    raw: list[tuple[_Line | None, _Line | None]],
    body: list[Paragraph],
    own_title: str,
    reader: _Reader,
) -> list[SourceEntry]:
    """Source entries; summaries listed without titles get the titles the body cites, in order.

    The main-text variant lists summaries only, in the order the body first cites the
    notes. When the counts differ, an order-preserving alignment by word overlap decides.
    """
    mentioned: list[tuple[str, str]] = []  # (title, sentence-ish context)
    seen = {own_title}
    for paragraph in body:
        for start, end in question_mentions(paragraph.text):
            title = paragraph.text[start:end]
            if title not in seen:
                seen.add(title)
                context = paragraph.text[max(0, start - 200) : end + 200]
                mentioned.append((title, context))
    listed = {t.text for t, _ in raw if t is not None}
    candidates = [(t, c) for t, c in mentioned if t not in listed]
    untitled = [i for i, (t, s) in enumerate(raw) if t is None and s is not None]
    assignment: dict[int, str] = {}
    if untitled and candidates:
        if len(untitled) == len(candidates):
            assignment = {i: candidates[k][0] for k, i in enumerate(untitled)}
        else:
            summaries = [raw[i][1].text for i in untitled]  # type: ignore[union-attr]
            pairs = _align(summaries, [f"{t} {c}" for t, c in candidates])
            assignment = {untitled[a]: candidates[b][0] for a, b in pairs}
            reader.warn(
                None,
                f"{len(untitled)} source summaries without titles but the body cites "
                f"{len(candidates)} notes; paired {len(pairs)} by word overlap",
                Severity.INFO,
            )
    entries = []
    for i, (title_line, summary_line) in enumerate(raw):
        source_title = title_line.text if title_line else assignment.get(i)
        summary = summary_line.text if summary_line else ""
        number = (title_line or summary_line).number  # type: ignore[union-attr]
        entries.append(SourceEntry(source_title, summary, number))
        if source_title is None:
            reader.warn(
                summary_line,
                "source summary with no title to pair it with; kept untitled",
                Severity.INFO,
            )
    return entries


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}


def _align(left: list[str], right: list[str]) -> list[tuple[int, int]]:
    """Order-preserving pairing of two lists maximizing word overlap (a small DP)."""
    lw = [_words(t) for t in left]
    rw = [_words(t) for t in right]
    n, m = len(left), len(right)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            overlap = len(lw[i] & rw[j]) / (1 + len(lw[i] | rw[j])) if lw[i] and rw[j] else 0.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], overlap + best[i + 1][j + 1])
    pairs = []
    i = j = 0
    while i < n and j < m:
        overlap = len(lw[i] & rw[j]) / (1 + len(lw[i] | rw[j])) if lw[i] and rw[j] else 0.0
        if overlap > 0 and abs(best[i][j] - (overlap + best[i + 1][j + 1])) < 1e-12:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


# ---------------------------------------------------------------- topics and hubs


def _parse_cards(
    content: list[_Line], reader: _Reader, start_section: str, hub: bool
) -> tuple[list[Card], dict[str, int]]:
    """Cards (title, description, 'Explore related Read →'), grouped in hub sections."""
    cards: list[Card] = []
    section_counts: dict[str, int] = {}
    section = start_section
    pending: list[_Line] = []

    def close() -> None:
        if pending:
            title = pending[0].text
            item = LIST_ITEM.match(title)
            title = item.group(1).strip() if item else title
            reader.role(pending[0], "card-title")
            for extra in pending[1:]:
                reader.role(extra, "card-description")
            description = " ".join(line.text for line in pending[1:])
            cards.append(Card(title, description, section, pending[0].number))
            pending.clear()

    for position, line in enumerate(content):
        if line.text == CARD_END:
            close()
            continue
        if reader.roles[line.number - 1] in ("interface", "cut"):
            continue
        following = content[position + 1] if position + 1 < len(content) else None
        if hub and not pending and following and SECTION_COUNT.match(following.text):
            section = line.text
            reader.role(line, "section")
            continue
        count = SECTION_COUNT.match(line.text)
        if hub and count and not pending and reader.roles[line.number - 1] == "":
            reader.role(line, "section-count")
            section_counts[section] = int(count.group(1))
            continue
        pending.append(line)
    close()
    return cards, section_counts


def _parse_topic(
    content: list[_Line], reader: _Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    fields, index = _head(content, reader, ("title",))
    counts = Counts()
    if index < len(content):
        match = TOPIC_COUNTS.match(content[index].text)
        if match:
            reader.role(content[index], "counts")
            counts = Counts(notes=int(match.group(1)), source_papers=int(match.group(2)))
            index += 1
    truncated = _cards_cut(content, index, reader)
    cards, _ = _parse_cards(content[index:], reader, "", hub=False)
    fields.update(cards=tuple(cards), counts=counts, truncated=truncated)
    return fields


def _cards_cut(content: list[_Line], cards_start: int, reader: _Reader) -> bool:
    """Whether a topic or hub page is a cut-off copy; if so its last line is marked cut.

    A page of cards ends with a card's closing line. A hub of only its title and
    description (the site's notes index is one) is complete when that description ends
    as a sentence does.
    """
    if not content or content[-1].text == CARD_END:
        return False
    last = content[-1]
    if cards_start >= len(content):
        return reader.roles[last.number - 1] == "title" or not _TERMINAL.search(last.text)
    if reader.roles[last.number - 1] != "interface":
        reader.cut(last)
    return True


def _parse_hub(
    content: list[_Line], reader: _Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    fields, index = _head(content, reader, ("title", "description"))
    counts = Counts()
    if index < len(content):
        match = HUB_COUNTS.match(content[index].text)
        if match:
            reader.role(content[index], "counts")
            counts = Counts(notes=int(match.group(1)), sections=int(match.group(2)))
            index += 1
        elif fields.get("description") and HUB_COUNTS.match(fields["description"]):
            pass
    truncated = _cards_cut(content, index, reader)
    cards, _ = _parse_cards(content[index:], reader, "", hub=True)
    fields.update(cards=tuple(cards), counts=counts, truncated=truncated)
    return fields


# ---------------------------------------------------------------- papers


def _parse_paper(
    content: list[_Line], reader: _Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    fields, index = _head(content, reader, ("title",))
    body: list[Paragraph] = []
    if index < len(content):
        meta = PAPER_META.match(content[index].text)
        if meta:
            reader.role(content[index], "meta")
            fields["arxiv"] = meta.group(1)
            fields["date"] = _iso_date(meta.group(2))
            index += 1
    if index < len(content):
        tags_line = content[index]
        if len(tags_line.text) < 200 and not _TERMINAL.search(tags_line.text):
            reader.role(tags_line, "tags")
            fields["tags"] = tuple((reader.tags or TagVocabulary.default()).split(tags_line.text))
            index += 1
    for line in content[index:]:
        if reader.roles[line.number - 1] != "interface":
            reader.role(line, "abstract")
            body.append(Paragraph(line.text, line.number))
    if body:
        fields["description"] = body[0].text
    fields.update(body=tuple(body), truncated=_truncated_tail(content))
    return fields


def _iso_date(text: str) -> str:
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    return text.strip()


_PARSERS = {
    NoteKind.SYNTHESIS: _parse_synthesis,
    NoteKind.LINE: _parse_line,
    NoteKind.TOPIC: _parse_topic,
    NoteKind.HUB: _parse_hub,
    NoteKind.PAPER: _parse_paper,
}
