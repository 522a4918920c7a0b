"""Parse a corpus's files in several processes at once, with results in file order.

Parsing is most of what reading a corpus costs, and every file parses alone, so on a
machine of several cores the files are shared out (`kg.parse.share.share_out`): the
calling process forks helpers (where the system can fork), and it and they take chunks of
files in turn from a shared counter until none is left. A helper sends each chunk back
as plain tuples (`kg.parse.transfer`) through a pipe as soon as it is parsed; between
its own chunks the caller rebuilds the pages of those that came and puts every chunk in
its place, so the result is the list a single process makes, in the same order.

A small corpus (fewer than `PARALLEL_MIN_FILES` files) is parsed in the calling process
alone: starting a process costs more than it saves. ``KG_PARSE_WORKERS=1`` in the
environment does the same for any corpus (``KG_PARSE_WORKERS=N`` asks for N processes).
A helper that fails leaves its chunks to the caller, who parses them itself.

>>> parse_workers(50), parse_workers(10_000, wanted=1)
(1, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model import Diagnostic, Page
from kg.parse.corpus import parse_file
from kg.parse.share import SHARE_MIN_ITEMS, WORKERS_VARIABLE, chunk_size, share_out, share_workers
from kg.parse.transfer import decode_parsed, encode_parsed

if TYPE_CHECKING:
    from kg.config import Config

__all__ = ["PARALLEL_MIN_FILES", "WORKERS_VARIABLE", "parse_all", "parse_workers"]

# Below this many files a corpus is parsed in one process.
PARALLEL_MIN_FILES = SHARE_MIN_ITEMS

Parsed = tuple[Page | None, list[Diagnostic]]
Progress = Callable[[int], None]  # called with the number of files parsed so far


def parse_workers(files: int, wanted: int | None = None, least: int = PARALLEL_MIN_FILES) -> int:
    """How many processes (the caller included) parse `files` files: `wanted`, else
    ``$KG_PARSE_WORKERS``, else one per core; one below `least` files, or where processes
    cannot be forked (`kg.parse.share.share_workers`)."""
    return share_workers(files, wanted, least)


def parse_all(
    items: Sequence[tuple[Path, str]],
    root: Path,
    config: Config,
    progress: Progress | None = None,
    workers: int | None = None,
    least: int = PARALLEL_MIN_FILES,
    chunk: int | None = None,
) -> list[Parsed]:
    """`parse_file` of every (path, shown path) of `items`, in order: in `parse_workers`
    processes (see the module's text).

    Parameters
    ----------
    items : sequence of (Path, str)
        The files, each with the path its diagnostics show.
    root : Path
        The corpus root.
    config : Config
        The corpus's settings.
    progress : callable, optional
        Called with the number of files parsed so far, after each chunk.
    workers : int, optional
        How many processes; ``$KG_PARSE_WORKERS`` or one per core when None.
    least : int
        Fewer files than this are parsed in the calling process alone.
    chunk : int, optional
        Files per chunk (one message from a helper); chosen from the counts when None.

    Returns
    -------
    list of (Page or None, list of Diagnostic)
        What `parse_file` returns for each file, in the order of `items`.
    """
    count = parse_workers(len(items), workers, least)
    return share_out(
        lambda start, stop: _parse_chunk(items[start:stop], root, config),
        len(items),
        workers=count,
        least=least,
        # Small chunks (some 400 KB of text): each fits in the pipe (`kg.parse.share`),
        # and the caller rebuilds a helper's pages soon after they are parsed.
        chunk=chunk or chunk_size(len(items), count, most=64),
        progress=progress,
        encode=_encode,
        decode=_decode,
        stream=True,  # pages take a while to rebuild: the caller does it as they come
    )


def _parse_chunk(chunk: Sequence[tuple[Path, str]], root: Path, config: Config) -> list[Parsed]:
    return [parse_file(path, root, config, shown) for path, shown in chunk]


def _encode(parsed: list[Parsed]) -> list[Any]:
    return [encode_parsed(*result) for result in parsed]


def _decode(sent: list[Any]) -> list[Parsed]:
    return [decode_parsed(item) for item in sent]
