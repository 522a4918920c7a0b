"""What every page type of the notes site shares: its fixed text, its headers, and the
line reader that records what each line was read as.

The page parsers (`kg.parse.site_notes`, `kg.parse.site_lines`, `kg.parse.site_cards`)
read a page's non-blank lines (`Line`) through a `Reader`, which keeps each line's role
and the page's diagnostics.

>>> list_item("- Why X?"), list_item("2. Why Y?"), list_item("Why Z?")
('Why X?', 'Why Y?', None)
>>> is_interface("Concept map"), is_interface("Open in gr", last=True)
(True, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.model import Diagnostic, NoteKind, Severity
from kg.parse.vocabulary import TagVocabulary

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
INTERFACE_SET = frozenset(INTERFACE_TEXT)
# Interface lines that may carry more text after them on the same line.
INTERFACE_OPENINGS = ("Click a node to walk", "This note in its neighbourhood")
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
SOURCES_CUT = re.compile(r"^Sources\s+(\d+)(?:\s+(n(?:o(?:t(?:es?)?)?)?))?$")
# The older deployment's concept-map hint, which names a "force-directed map".
OLDER_HINT = "Open full network"
FIGURES = re.compile(
    r"^(\d+) direct connections? · (\d+) in 2-hop network ·\s*(.*?)\s*(?:Open in graph.*)?$"
)
TOPIC_COUNTS = re.compile(r"^(\d+) synthesis notes? · (\d+) source papers?$")
HUB_COUNTS = re.compile(r"^Topic Hub · (\d+) linked notes? · (\d+) sections?$")
SECTION_COUNT = re.compile(r"^(\d+) notes?$")
PAPER_META = re.compile(r"^Paper · arXiv (\S+) · Published (.+)$")
LIST_ITEM = re.compile(r"^(?:-\s+|\s*\d+\.\s+)(.+)$")
ANY_HEADER = re.compile(
    r"^(Sources(?=\s+\d+\s+notes?$)|Next inquiring lines(?=$)|Inquiring lines that use this note"
    r"|Related concepts in this collection|Related papers in this collection"
    r"|Original note title(?=$))"
)
HEADER_INITIALS = frozenset("SNIRO")
TERMINAL = re.compile(r"[.?!\"'”’)*\]…]$")


@dataclass(slots=True)
class Line:
    """One non-blank line of a page: its 1-based line number in the file and its text, stripped."""

    number: int  # 1-based line number in the file
    text: str


@dataclass
class Reader:
    """Collects the roles and diagnostics of one page while it is parsed.

    Parameters
    ----------
    path : str
        The page's path, for diagnostics.
    roles : list of str
        One role per line of the file ('' until read); changed in place.
    diagnostics : list of Diagnostic
        What was found wrong, in order.
    last : int
        The line number of the page's last non-blank line.
    size : int
        The page's length in characters.
    tags : TagVocabulary, optional
        Paper tags to split a run-together tag line with.

    Examples
    --------
    >>> reader = Reader("p.txt", ["", ""], last=2)
    >>> reader.skip(Line(2, "odd"), "not here")
    >>> reader.roles, reader.diagnostics[0].message
    (['', 'skipped'], "skipped: not here: 'odd'")
    """

    path: str
    roles: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    last: int = 0  # the line number of the page's last non-blank line
    size: int = 0  # the page's length in characters
    tags: TagVocabulary | None = None

    def is_last(self, line: Line) -> bool:
        return line.number == self.last

    def role(self, line: Line, role: str) -> None:
        self.roles[line.number - 1] = role

    def warn(
        self,
        line: Line | None,
        message: str,
        severity: Severity = Severity.WARNING,
        code: str = "",
    ) -> None:
        self.diagnostics.append(
            Diagnostic(self.path, line.number if line else None, severity, message, code)
        )

    def cut(self, line: Line) -> None:
        """Mark the unfinished last line of a cut-off copy: evidence, never an item."""
        self.role(line, "cut")

    def skip(self, line: Line, why: str) -> None:
        self.role(line, "skipped")
        self.warn(line, f"skipped: {why}: {line.text[:80]!r}")


def is_interface(text: str, last: bool = False) -> bool:
    """Whether a line is the site's interface text (never a title, description or body line).

    Parameters
    ----------
    text : str
        The line, stripped and not empty.
    last : bool
        Whether it is the page's last line: then a cut-off start of interface text counts.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_interface("View as"), is_interface("View", last=True), is_interface("Concept mapping")
    (True, False, False)
    """
    if text in INTERFACE_SET or (text[0] in "CT" and text.startswith(INTERFACE_OPENINGS)):
        return True
    return last and len(text) >= 6 and any(s.startswith(text) for s in INTERFACE_TEXT)


def header_prefix(text: str) -> bool:
    """True when `text` is the start of a section header, as a cut-off copy leaves it.

    >>> header_prefix("Related"), header_prefix("Sources 4"), header_prefix("Related work")
    (True, True, False)
    """
    return any(header.startswith(text) for header in HEADER_WORDS) or bool(SOURCES_CUT.match(text))


def read_head(
    content: list[Line], reader: Reader, first_roles: tuple[str, ...]
) -> tuple[dict, int]:
    """Read the leading title and description lines, skipping interface lines.

    Stops at a section header or a date line.

    Parameters
    ----------
    content : list of Line
        The lines to read from.
    reader : Reader
        Records the roles.
    first_roles : tuple of str
        The roles to read in order, e.g. ``("title", "description")``.

    Returns
    -------
    (dict, int)
        The fields read (a title also gives ``title_line``) and the index of the next line.

    Examples
    --------
    >>> lines = [Line(1, "Why X?"), Line(2, "About X."), Line(3, "Body.")]
    >>> read_head(lines, Reader("p", [""] * 3), ("title", "description"))
    ({'title': 'Why X?', 'title_line': 1, 'description': 'About X.'}, 2)
    """
    fields: dict = {}
    index = 0
    for role in first_roles:
        while index < len(content) and reader.roles[content[index].number - 1] == "interface":
            index += 1
        if index >= len(content) or is_header(content[index].text):
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


def is_header(text: str) -> bool:
    """Whether a line is a section header of a synthesis note or an inquiring line.

    >>> is_header("Sources 3 notes"), is_header("Related concepts in this collection 4"), is_header("Sources")
    (True, True, False)
    """
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


def list_item(text: str) -> str | None:
    """The text of a list item ('- Title' or '1. Title'), else None.

    Parameters
    ----------
    text : str
        The line, stripped and not empty.

    Returns
    -------
    str or None
    """
    if text[0] == "-" and len(text) > 2 and text[1] in " \t":
        return text[2:].strip() or None
    match = LIST_ITEM.match(text)
    return match.group(1).strip() if match else None


def header_count(match: re.Match[str]) -> int | None:
    """The count a section header declares ("... in this collection 4"), else None.

    >>> header_count(RELATED_HEADER.match("Related concepts in this collection 4"))
    4
    """
    return int(match.group(1)) if match.lastindex and match.group(1) else None


def truncated_tail(content: list[Line]) -> bool:
    """Whether the page's last line ends without end punctuation (a cut-off copy).

    >>> truncated_tail([Line(1, "It holds.")]), truncated_tail([Line(1, "It hol")])
    (False, True)
    """
    return bool(content) and not TERMINAL.search(content[-1].text)
