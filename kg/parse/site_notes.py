"""Synthesis notes of the notes site: categories, title, date line, body, hub questions,
the sections of inquiring lines, related concepts and papers that use the note, and the
original claim.
"""

from __future__ import annotations

import re

from kg.model import (
    ConceptMap,
    Counts,
    Paragraph,
    RelatedEntry,
    Severity,
    TitledRef,
)
from kg.parse.relations import split_relation
from kg.parse.site_reader import (
    CLAIM_HEADER,
    CONNECTIONS,
    FIGURES,
    HEADER_INITIALS,
    META,
    PAPERS_HEADER,
    RELATED_HEADER,
    SOURCE_LINE,
    TERMINAL,
    USES_HEADER,
    Line,
    Reader,
    header_count,
    header_prefix,
    is_header,
    is_interface,
    list_item,
    read_head,
)
from kg.parse.vocabulary import CategoryVocabulary

# The section headers of a synthesis note, by the name of the list each opens.
_HEADERS = (
    ("uses", USES_HEADER),
    ("related", RELATED_HEADER),
    ("papers", PAPERS_HEADER),
    ("claim", CLAIM_HEADER),
)


def parse_synthesis(
    content: list[Line], reader: Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    """Read the fields of a synthesis note from its non-blank lines.

    Parameters
    ----------
    content : list of Line
        The page's non-blank lines after the banner; interface lines already have their role.
    reader : Reader
        Records each line's role and the page's diagnostics.
    vocabulary : CategoryVocabulary
        Category names to split a run-together category line with.
    banner : bool
        Whether the page carried a banner (the banner variant).

    Returns
    -------
    dict
        Keyword arguments of `Page` (and ``title_line``, the title's line number), read by
        `kg.parse.site.parse_page`.

    Examples
    --------
    >>> from kg.parse.site_reader import Line, Reader
    >>> from kg.parse.vocabulary import CategoryVocabulary
    >>> lines = [Line(1, "Why X?"), Line(2, "About X."), Line(3, "Original note title"),
    ...          Line(4, "X holds.")]
    >>> fields = parse_synthesis(lines, Reader("p", [""] * 4, last=4), CategoryVocabulary.default(), False)
    >>> fields["title"], fields["claim"], fields["truncated"]
    ('Why X?', 'X holds.', False)
    """
    fields: dict = {}
    index = _category_lines(content, banner)
    if index:
        categories: list[str] = []
        for line in content[:index]:
            reader.role(line, "categories")
            categories += _categories(line, reader, vocabulary)
        fields["categories"] = tuple(dict.fromkeys(categories))
    head, used = read_head(content[index:], reader, ("title", "description"))
    fields.update(head)
    index += used
    body: list[Paragraph] = []
    hubs: list[TitledRef] = []
    uses: list[TitledRef] = []
    papers: list[TitledRef] = []
    related: list[RelatedEntry] = []
    connections: list[TitledRef] = []
    block: list[Line] = []
    counts: dict[str, int | None] = {}
    uncertain: list[str] = []
    section = "body"
    claim_seen = False

    def close_block() -> None:
        if block:
            related.append(_related_entry(block, reader))
            block.clear()

    roles = reader.roles
    last_number = reader.last
    for line in content[index:]:
        text = line.text
        if roles[line.number - 1] == "interface":
            continue
        header = None
        for name, pattern in _HEADERS if text[0] in HEADER_INITIALS else ():
            match = pattern.match(text)
            if match:
                header = name
                if name != "claim":
                    if name in counts:
                        reader.warn(line, f"section {text!r} repeated; its items are added")
                    counts[name] = header_count(match)
                    if counts[name] is not None and line.number == last_number:
                        uncertain.append(name)  # "... as a source 4" may have been "... 47"
                break
        if header:
            close_block()
            section = header
            reader.role(line, "header")
            continue
        # Without its claim, the page's last line is where the copy was cut off.
        last = line.number == last_number and not claim_seen
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
            roles[line.number - 1] = "body"
            body.append(Paragraph(text, line.number))
        elif section == "uses":
            item = list_item(text)
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
            item = list_item(text)
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
        and bool(TERMINAL.search(fields["description"]))
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


def _related_entry(block: list[Line], reader: Reader) -> RelatedEntry:
    lines = block
    roles = ("related-title", "related-description", "related-annotation")
    for line, role in zip(lines, roles, strict=False):
        reader.role(line, role)
    title = lines[0].text if lines else ""
    description = lines[1].text if len(lines) > 1 else ""
    annotation = lines[2].text if len(lines) > 2 else ""
    label, relation = split_relation(annotation)
    return RelatedEntry(title, description, label, annotation, relation, lines[0].number)


def _cut_claim(claim: str, reader: Reader, content: list[Line]) -> bool:
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


def _category_lines(content: list[Line], banner: bool) -> int:
    """How many lines before the title hold categories (0 or 1, rarely more).

    The banner variant and the older deployment print categories before the title. A
    date line ("Synthesis note ·" or "Note ·") fixes the title two lines above it; without
    one (the copy is cut before it), a first line with no end punctuation before a
    question is a category line, never a title.
    """
    head = content[:8]
    meta_at = next((i for i, line in enumerate(head) if META.match(line.text)), None)
    if meta_at is not None:
        before = [line for line in content[:meta_at] if not is_header(line.text)]
        if len(before) >= 3:
            return len(before) - 2
        if len(before) == 2 and not before[0].text.endswith("?"):
            return 1 if banner or before[1].text.endswith("?") else 0
        return 0
    if not content or content[0].text.endswith(("?", ".", "!")) or is_header(content[0].text):
        return 0
    if banner:
        return 1
    second = content[1].text if len(content) > 1 else ""
    if second.endswith("?") and not is_header(second) and len(content[0].text) <= 200:
        return 1
    return 0


def _categories(line: Line, reader: Reader, vocabulary: CategoryVocabulary) -> list[str]:
    """The categories of a category line; unknown names are kept and reported.

    Text between known names (or a whole line of unknown ones) is split by the shape of
    the site's category names (`CategoryVocabulary.split_by_shape`): an info when the
    split is sure, a warning when kg had to guess, and a warning when it cannot split it.
    """
    pieces = vocabulary.pieces(line.text)
    names: list[str] = []
    for piece, known in pieces:
        if known:
            names.append(piece)
            continue
        split, sure = vocabulary.split_by_shape(piece)
        names += split
        shown = ", ".join(map(repr, split))
        if len(split) > 1 and sure:
            reader.warn(
                line,
                f"unknown categories {shown} split by the shape of category names; "
                "list them under `categories:` in kg.yaml to make them known",
                Severity.INFO,
            )
        elif len(split) > 1:
            reader.warn(
                line,
                f"the category run {piece!r} split as {shown}, but kg is not sure where each "
                "name ends; list the names under `categories:` in kg.yaml to split it surely",
                code="category-split",
            )
        elif not sure and len(pieces) == 1:
            reader.warn(
                line,
                f"no vocabulary splits the category line {line.text!r}; kept as one category; "
                "list its names under `categories:` in kg.yaml to split it",
                code="category-run",
            )
        else:
            reader.warn(
                line,
                f"unknown category {piece!r} kept"
                + (" beside known ones" if len(pieces) > 1 else "")
                + "; list it under `categories:` in kg.yaml to make it known",
                Severity.INFO,
            )
    return names
