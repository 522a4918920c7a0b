"""Parse a corpus's files in several processes at once, with results in file order.

Parsing is most of what reading a corpus costs, and every file parses alone, so on a
machine of several cores the files are shared out: the calling process forks helpers
(where the system can fork), and it and they take chunks of files in turn from a shared
counter until none is left. A helper sends each chunk back as plain tuples
(`kg.parse.transfer`) through a pipe; the caller rebuilds the pages and puts every chunk
in its place, so the result is the list a single process makes, in the same order.

A small corpus (fewer than `PARALLEL_MIN_FILES` files) is parsed in the calling process
alone: starting a process costs more than it saves. ``KG_PARSE_WORKERS=1`` in the
environment does the same for any corpus (``KG_PARSE_WORKERS=N`` asks for N processes).
A helper that fails leaves its chunks to the caller, who parses them itself.

>>> parse_workers(50), parse_workers(10_000, wanted=1)
(1, 1)
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, cast

from kg.model import Diagnostic, Page
from kg.parse.corpus import parse_file
from kg.parse.transfer import decode_parsed, encode_parsed

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    from kg.config import Config

# Below this many files a corpus is parsed in one process.
PARALLEL_MIN_FILES = 200
# The environment variable that sets how many processes parse (1: the calling one alone).
WORKERS_VARIABLE = "KG_PARSE_WORKERS"

Parsed = tuple[Page | None, list[Diagnostic]]
Progress = Callable[[int], None]  # called with the number of files parsed so far


def available_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_workers(files: int, wanted: int | None = None, least: int = PARALLEL_MIN_FILES) -> int:
    """How many processes (the caller included) parse `files` files: `wanted`, else
    ``$KG_PARSE_WORKERS``, else one per core; one below `least` files, or where processes
    cannot be forked (no fork on this system, or the caller is a daemon process)."""
    if wanted is None:
        setting = os.environ.get(WORKERS_VARIABLE, "").strip()
        wanted = int(setting) if setting.isdigit() else available_cores()
    if files < max(least, 2) or wanted <= 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:  # a daemon may start no process
        return 1
    return min(wanted, files)


def _chunk_size(files: int, workers: int) -> int:
    """Files per chunk: small enough that the processes finish together, large enough
    that a chunk's message is worth sending."""
    return max(16, min(400, files // (workers * 24) or 1))


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
    size = chunk or _chunk_size(len(items), count)
    chunks = [items[at : at + size] for at in range(0, len(items), size)]
    if count == 1:
        return _parse_alone(chunks, root, config, progress)
    return _parse_forked(chunks, root, config, progress, count - 1)


def _parse_chunk(chunk: Sequence[tuple[Path, str]], root: Path, config: Config) -> list[Parsed]:
    return [parse_file(path, root, config, shown) for path, shown in chunk]


def _parse_alone(
    chunks: list[Sequence[tuple[Path, str]]],
    root: Path,
    config: Config,
    progress: Progress | None,
) -> list[Parsed]:
    results: list[Parsed] = []
    for chunk in chunks:
        results += _parse_chunk(chunk, root, config)
        if progress:
            progress(len(results))
    return results


def _claim(counter: Synchronized[int], total: int) -> int | None:
    """The next chunk nobody has taken yet, or None when all are taken."""
    with counter.get_lock():
        number = counter.value
        if number >= total:
            return None
        counter.value = number + 1
    return number


def _helper(
    chunks: list[Sequence[tuple[Path, str]]],
    root: Path,
    config: Config,
    counter: Synchronized[int],
    sender: Connection,
) -> None:
    """A forked helper's work: take chunks until none is left, sending each one parsed."""
    while (number := _claim(counter, len(chunks))) is not None:
        parsed = [encode_parsed(*result) for result in _parse_chunk(chunks[number], root, config)]
        sender.send_bytes(marshal.dumps((number, parsed)))
    sender.close()


def _parse_forked(
    chunks: list[Sequence[tuple[Path, str]]],
    root: Path,
    config: Config,
    progress: Progress | None,
    helpers: int,
) -> list[Parsed]:
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    results: list[list[Parsed] | None] = [None] * len(chunks)
    done = 0
    processes: list[multiprocessing.process.BaseProcess] = []
    receivers: list[Connection] = []
    for _ in range(helpers):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_helper, args=(chunks, root, config, counter, sender), daemon=True
        )
        process.start()
        sender.close()  # the helper's end: the pipe ends when the helper closes its copy
        processes.append(process)
        receivers.append(receiver)

    def take(receiver: Connection) -> None:
        nonlocal done
        try:
            data = receiver.recv_bytes()
        except (EOFError, OSError):  # the helper is done (or died: its chunks are redone)
            receivers.remove(receiver)
            receiver.close()
            return
        number, parsed = marshal.loads(data)
        results[number] = [decode_parsed(item) for item in parsed]
        done += len(parsed)
        if progress:
            progress(done)

    try:
        while (number := _claim(counter, len(chunks))) is not None:
            results[number] = _parse_chunk(chunks[number], root, config)
            done += len(chunks[number])
            if progress:
                progress(done)
            for ready in wait(receivers, timeout=0) if receivers else ():
                take(cast(Connection, ready))
        while receivers:
            for ready in wait(receivers):
                take(cast(Connection, ready))
    finally:
        for receiver in receivers:
            receiver.close()
        for helper in processes:
            helper.join(timeout=5)
            if helper.is_alive():
                helper.kill()
                helper.join()
    ordered: list[Parsed] = []
    for number, chunk in enumerate(chunks):
        found = results[number]
        # A chunk a failed helper took and never sent is parsed here.
        ordered += found if found is not None else _parse_chunk(chunk, root, config)
    return ordered
