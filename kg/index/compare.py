"""Step 2 of opening a corpus (`kg.index.loader`): compare the index folder with the files.

`examine` opens the graph file the manifest names (`kg.index.read`) and says what to do
with it: reuse it as it is (it was built from exactly these files, with the same
include/exclude globs), update it in place (files changed since), or rebuild it (there is
none of this format, it was made with other globs, or a rebuild was asked for). It
decides only; the loader does what it says.

>>> import tempfile, pathlib
>>> examine(pathlib.Path(tempfile.mkdtemp()), [], "").action
'rebuild'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.index.read import SavedIndex, open_index
from kg.index.stamps import MANIFEST, read_manifest
from kg.parse.corpus import FileStamp

# The index's meta key recording the include/exclude globs it was built with (JSON text).
SELECTION_KEY = "selection"


@dataclass
class Verdict:
    """What to do with an index folder: `action` is "reuse", "update" or "rebuild";
    `saved` the open graph file to reuse or update (None to rebuild); `reason` why a
    rebuild."""

    action: str
    saved: SavedIndex | None = None
    reason: str = ""

    def close(self) -> None:
        """Let go of the graph file (when it is not used after all)."""
        if self.saved is not None:
            self.saved.close()
            self.saved = None


def examine(
    folder: Path, stamps: Sequence[FileStamp], selection: str, rebuild: bool = False
) -> Verdict:
    """Compare the index in `folder` with the corpus's files (`stamps`) and the globs
    they were chosen by (`selection`, as `Selection.text` writes them)."""
    if rebuild:
        return Verdict("rebuild", reason="asked to rebuild")
    saved = open_index(folder)
    if saved is None:
        return Verdict("rebuild", reason=why_unusable(folder))
    if selection_of(saved) != selection:
        # Files another include/exclude left out (or read) are not in it.
        saved.close()
        return Verdict("rebuild", reason="the include/exclude globs changed")
    return Verdict("reuse" if saved.matches(stamps) else "update", saved)


def why_unusable(folder: Path) -> str:
    """Why the index in `folder` cannot be opened, for a rebuild's reason: none there, one
    of another version of kg, or its graph file damaged or cut short.

    >>> import tempfile
    >>> why_unusable(Path(tempfile.mkdtemp()))
    'no index yet'
    """
    if not (folder / MANIFEST).is_file():
        return "no index yet"
    if read_manifest(folder) is None:
        return "no index of this version yet"
    return "the index file was damaged or cut short"


def selection_of(saved: SavedIndex) -> str:
    """The include/exclude globs an index was built with, as `Selection.text` writes
    them ('' for none)."""
    text = saved.meta.get(SELECTION_KEY)
    if not text:
        return ""
    try:
        value = json.loads(text)
    except ValueError:
        return "unreadable"  # matches no globs: the index is rebuilt
    return value if isinstance(value, str) else "unreadable"
