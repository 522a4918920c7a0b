"""Which files of a corpus are read: `kg.load(..., include=[globs], exclude=[globs])`.

A glob is matched, case-sensitively, against a file's path relative to the corpus root
(with `/`) and against each folder above it, so a folder's name or path takes everything
below it (``"Archive"``, ``"site/drafts"``). `*` and `?` match any characters, `/` too,
so ``"*.txt"`` is every page at any depth; ``[abc]`` matches one of them; a leading
``**/`` also matches at the root. A file is read when it matches one `include` glob (any
file when there are none) and no `exclude` glob; attachments are chosen the same way.

>>> s = Selection.of(include=["vault", "site/*.txt"], exclude=["**/drafts", "*secret*"])
>>> [s.admits(p) for p in ("vault/a.md", "site/b.txt", "other/c.md", "drafts/d.md", "vault/x-secret.md")]
[True, True, False, False, False]
>>> Selection.of().admits("anything.md"), Selection.of(exclude="site").text()
(True, '{"exclude": ["site"], "include": []}')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from kg.errors import InvalidArgument

_WHAT = (
    "a glob or a list of globs, relative to the corpus root ('Archive', 'site/*.txt', '**/drafts')"
)


def check_globs(name: str, value: object) -> tuple[str, ...]:
    """`value` (None, one glob or an iterable of globs) as a tuple of tidy globs, else
    `InvalidArgument` naming what fits.

    >>> check_globs("include", ["./site/", "vault"])
    ('site', 'vault')
    >>> check_globs("exclude", "/etc")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: exclude must be a glob relative to the corpus root, not '/etc' (an absolute path or one with '..' names no file of the corpus)
    """
    if value is None:
        return ()
    items: list[object]
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        items = list(value)
    else:
        raise InvalidArgument(f"{name} must be {_WHAT}, or None, not {value!r}")
    globs: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidArgument(f"{name} must be {_WHAT}; {item!r} is no glob")
        glob = item.strip().replace("\\", "/")
        while glob.startswith("./"):
            glob = glob[2:]
        if glob.startswith("/") or ".." in glob.split("/") or glob[1:3] == ":/":
            raise InvalidArgument(
                f"{name} must be a glob relative to the corpus root, not {item!r} (an "
                "absolute path or one with '..' names no file of the corpus)"
            )
        glob = glob.rstrip("/")
        if not glob:
            raise InvalidArgument(f"{name} must be {_WHAT}; {item!r} is no glob")
        globs.append(glob)
    return tuple(globs)


def _matches(path: str, glob: str) -> bool:
    """Whether `glob` matches the file `path` or a folder above it."""
    candidates = [path]
    folder = path
    while "/" in folder:
        folder = folder.rpartition("/")[0]
        candidates.append(folder)
    bare = glob[3:] if glob.startswith("**/") else None
    return any(
        fnmatchcase(candidate, glob) or (bare is not None and fnmatchcase(candidate, bare))
        for candidate in candidates
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """The include and exclude globs of a corpus (`Selection.of` checks them)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def of(cls, include: object = None, exclude: object = None) -> Selection:
        return cls(check_globs("include", include), check_globs("exclude", exclude))

    @property
    def everything(self) -> bool:
        return not self.include and not self.exclude

    def admits(self, path: str) -> bool:
        """Whether the file at `path` (relative to the corpus root, with `/`) is read."""
        if self.include and not any(_matches(path, glob) for glob in self.include):
            return False
        return not any(_matches(path, glob) for glob in self.exclude)

    def text(self) -> str:
        """The globs as the index records them ('' for none): an index made with other
        globs is never used."""
        if self.everything:
            return ""
        return json.dumps(
            {"exclude": sorted(self.exclude), "include": sorted(self.include)}, sort_keys=True
        )
