"""What the CLI shows while kg works for long: progress on stderr, and the question asked
before embedding a whole corpus with the slow model.

`Printer` is the ``progress(stage, done, total)`` callback `kg.load` takes. On a terminal
it redraws one line with a bar, the rate and the time left; elsewhere (a log, a pipe) it
writes plain lines, for long work only: embedding more than `PLAIN_MIN` texts (at the start,
about every tenth, and at the end) and distilling the static model.

>>> import io
>>> out = io.StringIO()
>>> show = Printer(out, tty=False, clock=iter(range(0, 100, 2)).__next__)
>>> show("embed", 0, 1000); show("embed", 500, 1000); show("embed", 1000, 1000)
>>> print(out.getvalue(), end="")
embed: 1,000 texts to embed
embed: 500/1,000 texts (50%, 250 texts/s, about 2 s left)
embed: 1,000/1,000 texts in 4 s
>>> show("embed", 0, 20); out.getvalue().count("\\n")  # a few texts: nothing said
3
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from kg.errors import KgError

if TYPE_CHECKING:
    from kg.embed.state import Progress
    from kg.graph.knowledge import KnowledgeGraph

PLAIN_MIN = 300  # texts: below this, embedding is quick and no plain lines are written
ASK_ABOVE_S = 20.0  # seconds: `kg near`/`kg search` ask before embedding for longer


class Printer:
    """A progress callback writing to `stream` (stderr by default).

    Parameters
    ----------
    stream : text stream, optional
        Where to write.
    tty : bool, optional
        Redraw one line (True) or write plain lines (False); by default whether `stream`
        is a terminal.
    clock : callable, optional
        Seconds now (for tests).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self._started: dict[str, tuple[float, int]] = {}
        self._next_plain = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if done == 0 or stage not in self._started:
            self._started[stage] = (now, done)
        begun, first = self._started[stage]
        elapsed = now - begun
        rate = (done - first) / elapsed if elapsed > 0 and done > first else 0.0
        left = (total - done) / rate if rate > 0 else None
        if stage == "distil":
            self._distil(done, elapsed)
        elif self.tty:
            self._redraw(stage, done, total, rate, left)
        elif stage == "embed" and total >= PLAIN_MIN:
            self._plain(done, total, rate, left, elapsed)

    def _distil(self, done: int, elapsed: float) -> None:
        from kg.embed.static import DISTIL_SECONDS

        if done == 0:
            line = (
                "distil: building the static embedding model from the transformer, once per "
                f"machine (about {DISTIL_SECONDS} s; kept in the cache folder)"
            )
        else:
            line = f"distil: done in {elapsed:.0f} s"
        self.stream.write(line + "\n")
        self.stream.flush()

    def _redraw(self, stage: str, done: int, total: int, rate: float, left: float | None) -> None:
        filled = int(20 * done / total) if total else 20
        bar = "#" * filled + "." * (20 - filled)
        eta = f", about {left:,.0f} s left" if left is not None else ""
        self.stream.write(f"\r{stage}: [{bar}] {done:,}/{total:,} ({rate:,.0f}/s{eta})   ")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

    def _plain(
        self, done: int, total: int, rate: float, left: float | None, elapsed: float
    ) -> None:
        if done == 0:
            self._next_plain = total // 10
            line = f"embed: {total:,} texts to embed"
        elif done >= total:
            line = f"embed: {done:,}/{total:,} texts in {elapsed:.0f} s"
        elif done >= self._next_plain:
            self._next_plain = done + total // 10
            eta = f", about {left:,.0f} s left" if left is not None else ""
            line = f"embed: {done:,}/{total:,} texts ({100 * done // total}%, {rate:,.0f} texts/s{eta})"
        else:
            return
        self.stream.write(line + "\n")
        self.stream.flush()


def embed_missing(graph: KnowledgeGraph, wait: bool, progress: Progress | None) -> None:
    """Give a graph opened with ``embed="stored"`` the vectors it lacks, as ``kg near`` and
    ``kg search`` need them, saying how long it takes; refuse (unless `wait`) when the
    configured embedder would take longer than `ASK_ABOVE_S`.

    Raises
    ------
    KgError
        Embedding would take long and `wait` is False; the message says how long and what
        the choices are.
    """
    from kg.embed.attach import attach
    from kg.embed.choose import embedder_identity, expected_rate
    from kg.embed.store import VectorStore

    config = graph.config
    folder = graph.index_folder
    if config is None or folder is None:
        return
    store = graph.embeddings
    if store is None:
        store = VectorStore.open(folder, *embedder_identity(config))
    elif store.complete:
        return
    texts = store.pending(graph)
    seconds = texts / expected_rate(config)
    if seconds > ASK_ABOVE_S and not wait:
        static = texts / expected_rate(config, "static")
        raise KgError(
            f"this index has no vectors for {texts:,} texts; embedding them with the "
            f"transformer takes about {seconds / 60:.0f} min here. Run again with --embed-now "
            "to wait (progress is shown), set `embedder: hybrid` in kg.yaml to embed with "
            f"the static model instead (about {max(1, round(static))} s), or run `kg index` "
            "once (kg search --lexical searches by words alone)"
        )
    attach(graph, folder, config, signature=graph.index_signature, progress=progress)
