"""Run a full build in a forked child process, so that the memory it takes goes back to the
system when the child ends.

Parsing and building a corpus allocate millions of small objects; a cold `kg.load` then
gives the graph read back from the index it saved (`kg.index.loader`), and the built
objects are freed, but the allocator keeps most of their pages: at 10,000 pages the
process stayed at about 30 KB a page where the graph it holds needs about 5. Built in a
child, the parent only ever holds the graph read back.

The child reports progress and its result through a pipe as JSON (nothing is unpickled).
Whenever it cannot run there (no `fork`, other threads running, whose locks a child could
inherit held) or fails there, `in_child` returns None and the caller builds in its own
process, as before: the result is the same either way.

>>> in_child(lambda progress: {"notes": 3}, None) in ({"notes": 3}, None)
True
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from kg.parse.share import die_with_parent

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def can_fork() -> bool:
    """Whether a build can run in a forked child here: a POSIX system with `fork`, only
    this thread running, and not in a daemon process (which may have no children)."""
    return (
        sys.platform != "win32"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
    )


def in_child(work: Callable[[Progress | None], Any], progress: Progress | None) -> Any:
    """`work(progress)` run in a forked child, its result (JSON-able) given back; None
    when it could not run there or did not finish (the caller then runs it itself)."""
    if not can_fork():
        return None
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    parent = os.getpid()

    def child() -> None:
        # Killed with the caller (`kg index` stopped, say): a build nobody waits for would
        # go on writing the index behind the back of whatever runs next.
        die_with_parent(parent)
        reader.close()
        # The collector stays off in the child: it ends when the work does, and a pass of
        # the collector over what a build made (millions of objects, none in cycles),
        # which re-enabling it would bring on at the next allocation, costs a second.
        gc.disable()

        def report(stage: str, done: int, total: int) -> None:
            writer.send_bytes(json.dumps(["progress", stage, done, total]).encode())

        try:
            result = work(report if progress is not None else None)
            writer.send_bytes(json.dumps(["done", result]).encode())
        except BaseException as problem:  # the parent builds again and sees it itself
            writer.send_bytes(json.dumps(["failed", repr(problem)]).encode())
        finally:
            writer.close()
        # Nothing to free: what the work made goes with the process, as it is.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    process = context.Process(target=child, name="kg-build", daemon=False)
    process.start()
    writer.close()
    finished = False
    try:
        while True:
            try:
                message = json.loads(reader.recv_bytes())
            except (EOFError, OSError, ValueError):
                return None  # the child died
            if message[0] == "progress" and progress is not None:
                progress(message[1], message[2], message[3])
            elif message[0] == "done":
                finished = True
                return message[1]
            elif message[0] == "failed":
                return None
    finally:
        reader.close()
        if not finished and process.is_alive():
            process.terminate()
        process.join()
