"""Find and read the files of a corpus, turning every problem into a diagnostic.

A file that cannot be read is reported (path, what is wrong, what kg did) and the
rest of the corpus still loads.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, methodcaller, not_
from pathlib import Path
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from kg.config import Config
    from kg.parse.selection import Selection

from kg.model import Diagnostic, Page, Severity
from kg.parse.markdown import parse_markdown
from kg.parse.obsidian import ATTACHMENT_SUFFIXES
from kg.parse.site import parse_page

PAGE_SUFFIXES = (".txt",)
MARKDOWN_SUFFIXES = (".md", ".markdown")
SKIPPED_DIRS = {".kg", ".git", ".obsidian", ".trash", "__pycache__", ".venv", "node_modules"}


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What identifies a file's version cheaply: its size and modification time."""

    path: str
    size: int
    mtime_ns: int


def _skips_readme(root: Path | str) -> bool:
    """Whether the README.md at the corpus's root describes the corpus (skipped) rather
    than being a note: it is a note in an Obsidian vault (a folder with `.obsidian/`), as
    is a README.md in any subfolder."""
    return not os.path.isdir(os.path.join(root, ".obsidian"))


def holds_notes(root: Path) -> bool:
    """Whether `root` is, or holds, a page or Markdown file (the first one found answers,
    so a large corpus costs no more than an empty one); `kg index` writes no index for a
    folder without one.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "picture.png").write_bytes(b"")
    >>> holds_notes(folder)
    False
    >>> (folder / "deep").mkdir(); _ = (folder / "deep" / "a.md").write_text("A note.")
    >>> holds_notes(folder)
    True
    """
    if root.is_file():
        return True
    readme = "README.md" if _skips_readme(root) else ""
    for _folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        suffixes = PAGE_SUFFIXES + MARKDOWN_SUFFIXES
        if any(name.lower().endswith(suffixes) and name != readme for name in files):
            return True
        readme = ""  # only the root's
    return False


def discover(root: Path, selection: Selection | None = None) -> list[Path]:
    """Every page and Markdown file below `root` (or `root` itself), in a stable order;
    only those `selection` admits when it is given."""
    if root.is_file():
        return [root]
    found: list[Path] = []
    readme = "README.md" if _skips_readme(root) else ""
    base = str(root)
    chosen = selection if selection is not None and not selection.everything else None
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        prefix = _prefix(folder, base) if chosen else ""
        for name in sorted(files):
            if (
                name.lower().endswith(PAGE_SUFFIXES + MARKDOWN_SUFFIXES)
                and name != readme
                and (chosen is None or chosen.admits(prefix + name))
            ):
                found.append(Path(folder) / name)
        readme = ""  # only the root's
    return found


def _prefix(folder: str, base: str) -> str:
    """The folder's path relative to the corpus root, with `/` and a final `/` ('' at the
    root)."""
    relative = os.path.relpath(folder, base)
    return "" if relative == "." else relative.replace(os.sep, "/") + "/"


def scan(root: Path, selection: Selection | None = None) -> list[FileStamp]:
    """The stamps of every corpus file (those `selection` admits), in `discover` order.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "b.md").write_text("B"); (folder / "a").mkdir()
    >>> _ = (folder / "a" / "c.txt").write_text("Cc"); _ = (folder / "x.py").write_text("")
    >>> [(s.path, s.size) for s in scan(folder)]
    [('b.md', 1), ('a/c.txt', 2)]
    """
    return scan_files(root, selection).stamps()


@dataclass(frozen=True, slots=True)
class ScannedFiles(Sequence[FileStamp]):
    """The stamps of a corpus's files as three columns (`scan_files`): the paths shown
    (relative, with `/`), sizes and modification times, in `discover` order. A sequence of
    `FileStamp`, each made when asked for; `kg.index.stamps.stamps_text` reads the columns
    as they are, so an unchanged corpus reopens without a `FileStamp` a file."""

    paths: list[str]
    sizes: list[int]
    mtimes: list[int]

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, index: int) -> FileStamp: ...
    @overload
    def __getitem__(self, index: slice) -> list[FileStamp]: ...
    def __getitem__(self, index: int | slice) -> FileStamp | list[FileStamp]:
        if isinstance(index, slice):
            return self.stamps()[index]
        return FileStamp(self.paths[index], self.sizes[index], self.mtimes[index])

    def __iter__(self) -> Iterator[FileStamp]:
        return map(FileStamp, self.paths, self.sizes, self.mtimes)

    def stamps(self) -> list[FileStamp]:
        """Every stamp as a `FileStamp`, in order."""
        return list(self)


def scan_files(root: Path, selection: Selection | None = None) -> ScannedFiles:
    """The stamps of every corpus file (those `selection` admits), in `discover` order, as
    columns. Reopening a corpus starts here, so it is kept cheap: folders are listed with
    `os.scandir` (whose entries say which are folders without a `stat` call) and the files
    are `stat`-ed by a few threads at once (`os.stat` lets go of the interpreter lock),
    each through C loops (`map`), with no Path object nor `FileStamp` made."""
    if root.is_file():
        one = stamp(root, root)
        return ScannedFiles([one.path], [one.size], [one.mtime_ns])
    base = str(root)
    # Attachments count too: a new image turns a missing attachment into a found one.
    suffixes = PAGE_SUFFIXES + MARKDOWN_SUFFIXES + tuple(sorted(ATTACHMENT_SUFFIXES))
    readme = "README.md" if _skips_readme(base) else ""
    chosen = selection if selection is not None and not selection.everything else None
    shown: list[str] = []
    full: list[str] = []
    _gather(base, "", _Wanted(suffixes, readme, chosen), shown, full)
    sizes, mtimes = _stat_all(full)
    return ScannedFiles(shown, sizes, mtimes)


@dataclass(frozen=True, slots=True)
class _Wanted:
    """Which files `_gather` keeps: by suffix, not the root's README (when it describes the
    corpus), and those a selection admits."""

    suffixes: tuple[str, ...]
    readme: str
    chosen: Selection | None


def _gather(folder: str, prefix: str, wanted: _Wanted, shown: list[str], full: list[str]) -> None:
    """Add the wanted files below `folder` (shown as `prefix`) to `shown` (relative paths)
    and `full` (paths to stat), in the order `os.walk` with sorted names gives them: a
    folder's files, then each of its folders in turn (folders that are symbolic links, or
    skipped, are not entered; an unreadable folder is passed over, as `os.walk` does).
    Each step over a folder's entries is a C loop (`map`, `compress`): a folder of
    100,000 files costs no Python step a file."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    try:
        folders = list(map(_IS_DIR, entries))
    except OSError:  # an entry that cannot be stat-ed: not a folder, as `os.walk` says
        folders = [_is_dir(entry) for entry in entries]
    files = list(compress(map(_NAME, entries), map(not_, folders)))
    files.sort()
    kept = list(
        compress(files, map(methodcaller("endswith", wanted.suffixes), map(str.lower, files)))
    )
    if not prefix and wanted.readme in kept:
        kept.remove(wanted.readme)  # names in a folder differ: it is there once
    chosen = wanted.chosen
    if chosen is not None:
        kept = [name for name in kept if chosen.admits(prefix + name)]
    joined = folder if folder.endswith(os.sep) else folder + os.sep
    shown += map(prefix.__add__, kept) if prefix else kept
    full += map(joined.__add__, kept)
    dirs = [entry.name for entry in compress(entries, folders) if not _is_link(entry)]
    for name in sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")):
        _gather(joined + name, f"{prefix}{name}/", wanted, shown, full)


_IS_DIR = methodcaller("is_dir")
_NAME = attrgetter("name")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False  # as `os.path.islink` answers, which `os.walk` asks


_SIZE = attrgetter("st_size")
_MTIME = attrgetter("st_mtime_ns")
_CHUNK = 4096  # files a thread stats at a time


def _stat_all(paths: list[str]) -> tuple[list[int], list[int]]:
    """The sizes and modification times of these files (-1 and -1 for one that cannot be
    stat-ed), in order; a large corpus's in chunks on a few threads."""
    chunks = [paths[at : at + _CHUNK] for at in range(0, len(paths), _CHUNK)]
    workers = min(len(chunks), os.cpu_count() or 1, 4)
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            done = list(pool.map(_stat_chunk, chunks))
    else:
        done = [_stat_chunk(chunk) for chunk in chunks]
    sizes: list[int] = []
    mtimes: list[int] = []
    for chunk_sizes, chunk_mtimes in done:
        sizes += chunk_sizes
        mtimes += chunk_mtimes
    return sizes, mtimes


def _stat_chunk(paths: list[str]) -> tuple[list[int], list[int]]:
    try:
        infos = list(map(os.stat, paths))
    except OSError:  # one file at least went or cannot be read: each on its own
        sizes, mtimes = [], []
        for path in paths:
            try:
                info = os.stat(path)
                sizes.append(info.st_size)
                mtimes.append(info.st_mtime_ns)
            except OSError:
                sizes.append(-1)
                mtimes.append(-1)
        return sizes, mtimes
    return list(map(_SIZE, infos)), list(map(_MTIME, infos))


def stamp(path: Path, root: Path) -> FileStamp:
    try:
        info = path.stat()
        return FileStamp(display_path(path, root), info.st_size, info.st_mtime_ns)
    except OSError:
        return FileStamp(display_path(path, root), -1, -1)


def display_paths(paths: list[Path], root: Path) -> list[str]:
    """`display_path` for many paths below one root, without a stat call per path."""
    base = str(root if root.is_dir() else root.parent).rstrip(os.sep) + os.sep
    return [
        text[len(base) :].replace(os.sep, "/")
        if (text := str(path)).startswith(base)
        else display_path(path, root)
        for path in paths
    ]


def display_path(path: Path, root: Path) -> str:
    """The path shown in diagnostics and provenance: relative to the corpus when possible."""
    base = root if root.is_dir() else root.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, shown: str, config: Config) -> tuple[str | None, list[Diagnostic]]:
    """A file's text with line ends and encoding repaired, or None and why not. An empty
    Markdown file reads as "": a note with no text, as Obsidian keeps it."""
    problems: list[Diagnostic] = []

    def say(severity: Severity, message: str) -> None:
        problems.append(Diagnostic(shown, None, severity, message))

    try:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            if os.path.islink(path):
                say(Severity.ERROR, "dangling symbolic link; skipped")
                return None, problems
            raise
        if not stat.S_ISREG(info.st_mode):
            say(Severity.ERROR, "not a regular file (a pipe, socket or device); skipped")
            return None, problems
        size = info.st_size
        if size > config.max_file_bytes:
            say(
                Severity.ERROR,
                f"file is {size:,} bytes, over the limit of "
                f"{config.max_file_bytes:,} (max_file_bytes in kg.yaml); skipped",
            )
            return None, problems
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        say(Severity.ERROR, f"cannot read the file ({error.strerror or error}); skipped")
        return None, problems
    if not data.strip():
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            return "", problems  # an empty note is still a note, as in Obsidian
        say(Severity.WARNING, "empty file; skipped")
        return None, problems
    if b"\x00" in data[:8192]:
        say(Severity.ERROR, "binary file (it holds NUL bytes), not a page; skipped")
        return None, problems
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        say(Severity.INFO, "UTF-8 byte-order mark removed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Diagnostic(
                shown,
                line,
                Severity.WARNING,
                "bytes that are not UTF-8; read with U+FFFD in their place",
                "not-utf8",
            )
        )
        text = data.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


def parse_file(
    path: Path, root: Path, config: Config, shown: str | None = None
) -> tuple[Page | None, list[Diagnostic]]:
    """Read and parse one file; never raises for bad content. `shown` is the path to
    report, `display_path(path, root)` unless the caller has it already."""
    shown = shown if shown is not None else display_path(path, root)
    text, problems = read_text(path, shown, config)
    if text is None:
        return None, problems
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        page = parse_markdown(text, shown)
    else:
        page = parse_page(text, shown, config.categories, config.paper_tags)
    return page, problems + list(page.diagnostics)
