"""Share a computation over numbered items out among forked processes, results in order.

Reading a corpus has several passes that treat each file alone (parsing it, finding the
titles its running text names, encoding the rows the index stores), and a machine of
several cores can run them side by side: `share_out(work, count)` forks helpers (where
the system can fork), and they and the calling process take chunks of the item numbers
in turn from a shared counter until none is left. A forked helper sees everything the
caller had when it was forked, so nothing is sent to it; it sends back what `work`
returned for its chunks, as plain values written with `marshal` (nothing is unpickled):
all at once when it has no chunk left, so that it never waits for the caller to read
while the caller works on a chunk of its own; or, with `stream`, each chunk as it is
done, which the caller reads (and decodes) between its own chunks. A helper that fails
leaves its chunks to the caller, who does them itself, so the result is always the one
a single process gives.

Below `least` items, with one worker asked for (``KG_PARSE_WORKERS=1``), or where no
process can be forked, the caller does everything alone.

>>> share_out(lambda start, stop: [n * n for n in range(start, stop)], 5, least=1, chunk=2)
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

# Below this many items the work is done in the calling process.
SHARE_MIN_ITEMS = 200
# The environment variable that sets how many processes share the work (1: the caller).
WORKERS_VARIABLE = "KG_PARSE_WORKERS"

# How much a helper's pipe holds, where the system allows: a streamed chunk or two.
PIPE_BYTES = 1 << 20

Work = Callable[[int, int], list[Any]]  # (start, stop) -> one result per item
Progress = Callable[[int], None]  # called with the number of items done so far


def available_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def share_workers(items: int, wanted: int | None = None, least: int = SHARE_MIN_ITEMS) -> int:
    """How many processes (the caller included) share `items` items: `wanted`, else
    ``$KG_PARSE_WORKERS``, else one per core while this is the process's only thread; one
    below `least` items, or where processes cannot be forked (no fork on this system, or
    the caller is a daemon process).

    Other threads (the browser's, `kg watch`'s) may hold locks at the moment of a fork that
    a helper would then wait for forever, so a process with other threads running shares
    out only when asked to in so many words (`wanted` or the variable).

    >>> share_workers(50), share_workers(10_000, wanted=1), share_workers(10, wanted=2, least=1)
    (1, 1, 2)
    """
    if wanted is None:
        setting = os.environ.get(WORKERS_VARIABLE, "").strip()
        if setting.isdigit():
            wanted = int(setting)
        else:
            wanted = available_cores() if threading.active_count() == 1 else 1
    if items < max(least, 2) or wanted <= 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:  # a daemon may start no process
        return 1
    return min(wanted, items)


def chunk_size(items: int, workers: int, most: int = 400) -> int:
    """Items per chunk: small enough that the processes finish together, large enough
    that a chunk is worth claiming.

    >>> chunk_size(10_000, 2), chunk_size(100, 2)
    (208, 16)
    """
    return max(16, min(most, items // (workers * 24) or 1))


def share_out(
    work: Work,
    count: int,
    *,
    workers: int | None = None,
    least: int = SHARE_MIN_ITEMS,
    chunk: int | None = None,
    progress: Progress | None = None,
    encode: Callable[[list[Any]], Any] | None = None,
    decode: Callable[[Any], list[Any]] | None = None,
    stream: bool = False,
) -> list[Any]:
    """`work(start, stop)` over the items 0 .. `count` - 1, chunk by chunk, in
    `share_workers` processes; the results of every chunk, concatenated in item order.

    Parameters
    ----------
    work : callable
        Called as ``work(start, stop)``; returns one result per item of that range. In a
        helper its results must be plain values `marshal` writes (text, numbers, None,
        tuples, lists, dicts); it must not change anything the caller reads later (a
        helper's changes stay in the helper).
    count : int
        How many items.
    workers : int, optional
        How many processes; ``$KG_PARSE_WORKERS`` or one per core when None.
    least : int
        Fewer items than this are done in the calling process alone.
    chunk : int, optional
        Items per chunk; chosen from the counts when None.
    progress : callable, optional
        Called with the number of items done so far, after each of the caller's chunks
        and when a helper's results arrive.
    encode, decode : callable, optional
        What a helper sends instead of a chunk's results (`encode(results)`, plain
        values), and how the caller reads them back (`decode(sent)`): for results that
        are objects `marshal` cannot write.
    stream : bool
        A helper sends each chunk as soon as it is done, and the caller reads what has
        come between its own chunks (decoding it as it goes): for results that take long
        to decode. Else a helper sends everything at the end, never waiting for the
        caller to read.

    Returns
    -------
    list
        One result per item, in item order.
    """
    processes = share_workers(count, workers, least)
    size = chunk or chunk_size(count, processes)
    bounds = [(at, min(at + size, count)) for at in range(0, count, size)]
    if processes == 1:
        out: list[Any] = []
        for start, stop in bounds:
            out += work(start, stop)
            if progress:
                progress(len(out))
        return out
    return _forked(work, bounds, processes - 1, progress, encode, decode, stream)


def die_with_parent(parent: int) -> None:
    """In a forked process: end when the process `parent` that forked it ends (killed,
    say), instead of working on unseen (Linux; elsewhere a helper ends when it next
    finds its pipe closed)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl here
        return
    if os.getppid() != parent:  # the parent ended before the call above
        os._exit(1)


def _widen(receiver: Connection) -> None:
    """Let the pipe hold a streamed chunk or two (1 MB where the system allows it, else its
    default 64 KB), so that a helper seldom waits for the caller to read."""
    try:
        import fcntl

        fcntl.fcntl(receiver.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or over the system's limit
        pass


def _claim(counter: Synchronized[int], total: int) -> int | None:
    """The next chunk nobody has taken yet, or None when all are taken."""
    with counter.get_lock():
        number = counter.value
        if number >= total:
            return None
        counter.value = number + 1
    return number


def _helper(
    work: Work,
    bounds: list[tuple[int, int]],
    counter: Synchronized[int],
    sender: Connection,
    encode: Callable[[list[Any]], Any] | None,
    report: bool,
    stream: bool,
    parent: int,
) -> None:
    """A forked helper: take chunks until none is left, sending each as it is done
    (`stream`) or all at once at the end (and then, when the caller reports progress, how
    many items each chunk had as it is done: a message small enough never to wait for
    the caller). The caller knows the helper is done when the pipe ends."""
    die_with_parent(parent)
    done: list[tuple[int, Any]] = []
    while (number := _claim(counter, len(bounds))) is not None:
        found = work(*bounds[number])
        done.append((number, encode(found) if encode else found))
        if stream:
            sender.send_bytes(marshal.dumps(done))
            done = []
        elif report:
            sender.send_bytes(marshal.dumps(len(found)))
    if done:
        sender.send_bytes(marshal.dumps(done))
    sender.close()
    os._exit(0)  # nothing to tidy: what the helper built goes with it, unfreed


def _forked(
    work: Work,
    bounds: list[tuple[int, int]],
    helpers: int,
    progress: Progress | None,
    encode: Callable[[list[Any]], Any] | None,
    decode: Callable[[Any], list[Any]] | None,
    stream: bool,
) -> list[Any]:
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    caller = os.getpid()
    results: list[list[Any] | None] = [None] * len(bounds)
    done = 0
    processes: list[multiprocessing.process.BaseProcess] = []
    receivers: list[Connection] = []
    for _ in range(helpers):
        receiver, sender = context.Pipe(duplex=False)
        _widen(receiver)
        process = context.Process(
            target=_helper,
            args=(work, bounds, counter, sender, encode, progress is not None, stream, caller),
            daemon=True,
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
        sent = marshal.loads(data)
        if isinstance(sent, int):  # a chunk done (its results come at the end)
            done += sent
        else:
            for number, found in sent:
                results[number] = decode(found) if decode else found
                if stream:
                    done += bounds[number][1] - bounds[number][0]
        if progress and (stream or isinstance(sent, int)):
            progress(done)

    try:
        while (number := _claim(counter, len(bounds))) is not None:
            found = work(*bounds[number])
            results[number] = found
            done += len(found)
            if progress:
                progress(done)
            if progress or stream:
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
    ordered: list[Any] = []
    for number, (start, stop) in enumerate(bounds):
        sent = results[number]
        # A chunk a failed helper took and never sent is done here.
        ordered += sent if sent is not None else work(start, stop)
    return ordered
