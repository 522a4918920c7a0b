"""Parse the notes site's page text, in both variants, into `Page` values.

Every line of a page ends up with a role: the field it was read into, or the reason
it was skipped ('blank', 'interface' for the site's own furniture, 'skipped' with a
diagnostic for anything unrecognised). Nothing read is dropped silently.

>>> page = parse_page("Why X?\\nThis explores X.\\nBody cites Can models do the thing?.", "x.txt")
>>> page.kind.value, page.title, page.description
('line', 'Why X?', 'This explores X.')
"""

from __future__ import annotations

from kg.model import NoteKind, Page, Severity
from kg.parse.site_cards import parse_hub, parse_paper, parse_topic
from kg.parse.site_lines import parse_line
from kg.parse.site_notes import parse_synthesis
from kg.parse.site_reader import (
    ANY_HEADER,
    BANNERS,
    HEADER_INITIALS,
    HUB_COUNTS,
    INTERFACE_OPENINGS,
    INTERFACE_SET,
    INTERFACE_TEXT,
    META,
    OLDER_HINT,
    PAPER_META,
    SOURCE_LINE,
    TOPIC_COUNTS,
    Line,
    Reader,
    header_prefix,
    is_interface,
    truncated_tail,
)
from kg.parse.vocabulary import CategoryVocabulary, TagVocabulary

__all__ = ["INTERFACE_TEXT", "detect_kind", "header_prefix", "is_interface", "parse_page"]


def detect_kind(lines: list[str]) -> tuple[NoteKind, bool]:
    """The page type from its banner, or from its structure when it has none.

    Parameters
    ----------
    lines : list of str
        The page's lines, as in the file.

    Returns
    -------
    (NoteKind, bool)
        The kind and whether the page carried a banner.

    Examples
    --------
    >>> detect_kind(["INQUIRING LINE", "Why X?"])
    (<NoteKind.LINE: 'line'>, True)
    >>> detect_kind(["Why X?", "This explores X."])[0].value
    'line'
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
        if line[0] in HEADER_INITIALS and (match := ANY_HEADER.match(line))
    }
    if any(line[0] == "N" and META.match(line) for line in content[:8]):
        return NoteKind.SYNTHESIS, False  # the older deployment: no banner, a "Note ·" line
    if headers & {"Sources", "Next inquiring lines"}:
        return NoteKind.LINE, False
    if headers:
        return NoteKind.SYNTHESIS, False
    if len(content) > 1 and content[1].startswith("This explores"):
        return NoteKind.LINE, False
    if _older_paper(content):
        return NoteKind.PAPER, False
    return NoteKind.SYNTHESIS, False


# A title is a short line: a longer one is a sentence of running text (or a snippet).
MAX_TITLE_WORDS = 25
MAX_QUESTION_WORDS = 30  # questions run longer; hub questions are read up to this length
# An abstract is a paragraph of running text, well past a description's few words.
MIN_ABSTRACT_WORDS = 20


def not_a_title(text: str) -> str:
    """Why a first line cannot be a title ('' when it can): a snippet cut with "…", or a
    sentence too long for a title.

    >>> not_a_title("Does X hold?"), not_a_title("In this work, we study the …")[:14]
    ('', 'it ends in "…"')
    """
    if text.endswith(("…", "...")):
        return 'it ends in "…": a snippet cut short'
    words = len(text.split())
    if words > (MAX_QUESTION_WORDS if text.endswith("?") else MAX_TITLE_WORDS):
        return f"it is a sentence of {words} words: too long for a title"
    return ""


def _older_paper(content: list[str]) -> bool:
    """The older deployment's paper page: no banner, no "Paper · arXiv" line, no tags; a
    title that is no question, then an abstract (a paragraph of running text)."""
    if len(content) < 2:
        return False
    title, abstract = content[0], content[1]
    return (
        not title.endswith(("?", ".", "!", ":", "…"))
        and not not_a_title(title)
        and len(abstract.split()) >= MIN_ABSTRACT_WORDS
        and not abstract.endswith("?")
        and not any(line[0] in "NS" and META.match(line) for line in content[:8])
    )


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
    reader = Reader(path, roles, size=len(text), tags=tags)
    content: list[Line] = []
    for number, raw in enumerate(raw_lines, start=1):
        stripped = raw.strip()
        if stripped:
            content.append(Line(number, stripped))
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
        if text in INTERFACE_SET or (text[0] in "CT" and text.startswith(INTERFACE_OPENINGS)):
            roles[line.number - 1] = "interface"
    if content and is_interface(content[-1].text, last=True):
        roles[content[-1].number - 1] = "interface"
    fields = _PARSERS[kind](content, reader, vocabulary, has_banner)
    title = fields.pop("title", "")
    why_not = not_a_title(title) if title else ""
    if why_not:
        # A page of snippets (the older deployment's topic pages) has no title at all:
        # no note is made of a line that is none, and the page is reported as untyped.
        roles[fields["title_line"] - 1] = "skipped"
        reader.warn(
            None,
            f"kg cannot tell what this page is: its first line {title[:70]!r} is no title "
            f"({why_not}); no note is made from it",
            code="untyped",
        )
        title = ""
        fields["truncated"] = truncated_tail(content)
    elif title and fields.get("title_line") == reader.last and kind is not NoteKind.PAPER:
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
    elif not title and not why_not:
        reader.warn(None, "page has no title line", Severity.ERROR)
    if fields.get("truncated") and title:
        reader.warn(
            content[-1] if content else None,
            "the page ends early (a cut-off copy); what it holds was loaded",
            Severity.INFO,
            code="truncated",
        )
    if "" in roles:  # most pages have none: every line was read as something
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


def _deployment(content: list[Line]) -> str:
    """'older' for a page of the site's earlier deployment, else 'current'.

    The page's own marks tell: its date line ("Synthesis note · DATE" on the newer site,
    "Note · DATE" on the older), else the older site's concept-map hint or its "Source:"
    line. A "Connections:" line tells nothing: both deployments show one.
    """
    hinted = False
    for line in content:
        text = line.text
        first = text[0]
        if first in "NS" and META.match(text):
            return "older" if first == "N" else "current"
        if (first == "C" and text.startswith("Click a node to walk") and OLDER_HINT in text) or (
            first == "S" and text.startswith("Source:") and SOURCE_LINE.match(text)
        ):
            hinted = True
    return "older" if hinted else "current"


_PARSERS = {
    NoteKind.SYNTHESIS: parse_synthesis,
    NoteKind.LINE: parse_line,
    NoteKind.TOPIC: parse_topic,
    NoteKind.HUB: parse_hub,
    NoteKind.PAPER: parse_paper,
}
