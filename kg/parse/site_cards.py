"""Topic pages, topic hubs (their cards, grouped in sections) and paper pages of the notes site."""

from __future__ import annotations

from datetime import datetime

from kg.model import Card, Counts, Paragraph
from kg.parse.site_reader import (
    CARD_END,
    HUB_COUNTS,
    LIST_ITEM,
    PAPER_META,
    SECTION_COUNT,
    TERMINAL,
    TOPIC_COUNTS,
    Line,
    Reader,
    read_head,
    truncated_tail,
)
from kg.parse.vocabulary import CategoryVocabulary, TagVocabulary


def _parse_cards(
    content: list[Line], reader: Reader, start_section: str, hub: bool
) -> tuple[list[Card], dict[str, int]]:
    """Cards (title, description, 'Explore related Read →'), grouped in hub sections."""
    cards: list[Card] = []
    section_counts: dict[str, int] = {}
    section = start_section
    pending: list[Line] = []

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


def parse_topic(
    content: list[Line], reader: Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    """Read the fields of a topic page from its non-blank lines.

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
    """
    fields, index = read_head(content, reader, ("title",))
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


def _cards_cut(content: list[Line], cards_start: int, reader: Reader) -> bool:
    """Whether a topic or hub page is a cut-off copy; if so its last line is marked cut.

    A page of cards ends with a card's closing line. A hub of only its title and
    description (the site's notes index is one) is complete when that description ends
    as a sentence does.
    """
    if not content or content[-1].text == CARD_END:
        return False
    last = content[-1]
    if cards_start >= len(content):
        return reader.roles[last.number - 1] == "title" or not TERMINAL.search(last.text)
    if reader.roles[last.number - 1] != "interface":
        reader.cut(last)
    return True


def parse_hub(
    content: list[Line], reader: Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    """Read the fields of a topic hub from its non-blank lines.

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
    """
    fields, index = read_head(content, reader, ("title", "description"))
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


def parse_paper(
    content: list[Line], reader: Reader, vocabulary: CategoryVocabulary, banner: bool
) -> dict:
    """Read the fields of a paper page from its non-blank lines.

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
    >>> lines = [Line(1, "A Paper"), Line(2, "Paper · arXiv 2401.00001 · Published January 2, 2024"),
    ...          Line(3, "We show X.")]
    >>> fields = parse_paper(lines, Reader("p", [""] * 3, last=3), CategoryVocabulary.default(), False)
    >>> fields["arxiv"], fields["date"], fields["description"]
    ('2401.00001', '2024-01-02', 'We show X.')
    """
    fields, index = read_head(content, reader, ("title",))
    body: list[Paragraph] = []
    if index < len(content):
        meta = PAPER_META.match(content[index].text)
        if meta:
            reader.role(content[index], "meta")
            fields["arxiv"] = meta.group(1)
            fields["date"] = _iso_date(meta.group(2))
            index += 1
    # The older deployment's paper pages have neither the "Paper · arXiv" line nor tags.
    if "arxiv" in fields and index < len(content):
        tags_line = content[index]
        if len(tags_line.text) < 200 and not TERMINAL.search(tags_line.text):
            reader.role(tags_line, "tags")
            fields["tags"] = tuple((reader.tags or TagVocabulary.default()).split(tags_line.text))
            index += 1
    for line in content[index:]:
        if reader.roles[line.number - 1] != "interface":
            reader.role(line, "abstract")
            body.append(Paragraph(line.text, line.number))
    if body:
        fields["description"] = body[0].text
    fields.update(body=tuple(body), truncated=truncated_tail(content))
    return fields


def _iso_date(text: str) -> str:
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    return text.strip()
