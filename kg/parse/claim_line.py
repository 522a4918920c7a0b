"""The line of a note's file that states its one-line claim (claim 0 of `g.claims`).

A note keeps the lines of its body sentences and source summaries, not of its claim;
`kg.query.claims.claims` gives claim 0 its line from here, in the file as it is on disk:
a Markdown note's ``claim:`` key, else the first line holding the claim's text.
"""

from __future__ import annotations

from pathlib import Path

from kg.model import Note

__all__ = ["claim_line"]

_PREFIX = 60  # the claim's first characters looked for (a long claim may be wrapped)


def claim_line(root: Path | None, note: Note) -> int:
    """The 1-based line of `note`'s first file that states its claim; 0 when it has no
    claim, no file, or the file (moved, unreadable) no longer holds it.

    Examples
    --------
    >>> import tempfile
    >>> from kg.model import NoteKind
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.md").write_text("---\\ntitle: A\\nclaim: errors cancel\\n---\\nText.\\n")
    >>> _ = (folder / "b.txt").write_text("B\\n\\nerrors cancel out\\n")
    >>> note = Note("a", "A", NoteKind.SYNTHESIS, claim="errors cancel", files=("a.md",))
    >>> claim_line(folder, note), claim_line(folder, Note("b", "B", NoteKind.SYNTHESIS,
    ...     claim="errors cancel out", files=("b.txt",))), claim_line(None, note)
    (3, 3, 0)
    """
    if root is None or not note.claim or not note.files:
        return 0
    base = root if root.is_dir() else root.parent
    try:
        lines = (base / note.files[0]).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    if note.files[0].endswith(".md") and lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=2):
            if line.strip() == "---":
                break
            if line.startswith("claim:"):
                return number
    wanted = " ".join(note.claim.split())[:_PREFIX]
    for number, line in enumerate(lines, start=1):
        if wanted in " ".join(line.split()):
            return number
    return 0
