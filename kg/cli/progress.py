"""What the CLI shows while kg works for long: progress on stderr, and the question asked
before embedding a whole corpus with the slow model.

`Printer` is the ``progress(stage, done, total)`` callback `kg.load` takes. On a terminal
it redraws one line with a bar, the rate and the time left; elsewhere (a log, a pipe) it
writes plain lines, for long work only: embedding more than `PLAIN_MIN` texts (at the start,
about every tenth, and at the end) and distilling the static model (about every tenth of
the vocabulary's tokens; its start and end, and any wait for another process, are logged:
`log_to_stderr` shows kg's log on stderr). The time left counts each stage's own time since
another stage last ran, so a distillation or a wait inside embedding never skews it.

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

import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from kg.errors import KgError

if TYPE_CHECKING:
    from kg.embed.state import Progress
    from kg.graph.knowledge import KnowledgeGraph

RATE_WINDOW = 20.0  # seconds of recent progress the time left is reckoned from
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
        self._started: dict[str, float] = {}
        # Per stage, what its rate is counted from: (time, done, total).
        self._rate_from: dict[str, tuple[float, int, int]] = {}
        self._last: str | None = None
        self._next_plain: dict[str, int] = {}
        self._bar_open = False  # a terminal bar is drawn and its line not ended
        self._within: dict[str, list[str]] = {}  # stages that ran while one was under way
        self._recent: dict[str, list[tuple[float, int]]] = {}  # (time, done) lately

    def _rate(self, stage: str, now: float, done: int) -> float:
        """Units per second over the last `RATE_WINDOW` seconds of this stage's own time
        (all of it while shorter): a busy machine's pace changes, and the time left
        follows the pace of late rather than the average since the start."""
        since, first, _ = self._rate_from[stage]
        recent = self._recent[stage]
        recent.append((now, done))
        while len(recent) > 2 and now - recent[1][0] >= RATE_WINDOW:
            recent.pop(0)
        then, before = recent[0] if now - since > RATE_WINDOW else (since, first)
        span = now - then
        return (done - before) / span if span > 0 and done > before else 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if done == 0 or stage not in self._started:
            self._started[stage] = now
            self._rate_from[stage] = (now, done, total)
            self._recent[stage] = []
        elif self._last != stage or self._rate_from[stage][2] != total:
            # Another stage ran in between (a distillation, a wait for another process),
            # or the work was sized anew: the rate counts this stage's own time from here.
            self._rate_from[stage] = (now, done, total)
            self._recent[stage] = []
        if done == 0:
            self._within[stage] = []
        for other, during in self._within.items():
            if other != stage and stage not in during:
                during.append(stage)
        self._last = stage
        rate = self._rate(stage, now, done)
        left = (total - done) / rate if rate > 0 else None
        elapsed = now - self._started[stage]
        if stage == "wait":
            return  # kg logs what it waits for, and for how long
        if stage == "distil":
            if 0 < done < total:  # the vocabulary's tokens; the start and end are logged
                self._show("distil", done, total, rate, left, "tokens encoded")
            elif done >= total and self._bar_open:
                self._line("")  # end the bar's line before the log says it is done
        elif self.tty:
            self._redraw(stage, done, total, rate, left)
        elif stage == "embed" and total >= PLAIN_MIN:
            if done >= total:
                during = self._within.pop(stage, [])
                besides = f" ({' and '.join(during)} included)" if during else ""
                self._line(f"embed: {done:,}/{total:,} texts in {elapsed:.0f} s{besides}")
            elif done == 0:
                self._next_plain[stage] = total // 10
                self._line(f"embed: {total:,} texts to embed")
            else:
                self._show("embed", done, total, rate, left, "texts")

    def _show(
        self, stage: str, done: int, total: int, rate: float, left: float | None, unit: str
    ) -> None:
        """A bar on a terminal; elsewhere a line about every tenth of the work."""
        if self.tty:
            self._redraw(stage, done, total, rate, left)
            return
        if done < self._next_plain.get(stage, 0) or left is None:
            return  # a line says how long is left, so none before the rate is known
        self._next_plain[stage] = done + total // 10
        eta = f", about {left:,.0f} s left" if left is not None else ""
        per = unit.split()[0]
        self._line(
            f"{stage}: {done:,}/{total:,} {unit} ({100 * done // total}%, {rate:,.0f} {per}/s{eta})"
        )

    def _line(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()
        self._bar_open = False

    def _redraw(self, stage: str, done: int, total: int, rate: float, left: float | None) -> None:
        filled = int(20 * done / total) if total else 20
        bar = "#" * filled + "." * (20 - filled)
        eta = f", about {left:,.0f} s left" if left is not None else ""
        self.stream.write(f"\r{stage}: [{bar}] {done:,}/{total:,} ({rate:,.0f}/s{eta})   ")
        self._bar_open = done < total
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class _StderrHandler(logging.Handler):
    """Writes each record to the `sys.stderr` of the moment (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def log_to_stderr(level: int = logging.INFO) -> None:
    """Show what kg logs (logger ``kg``: waits for other processes, loading the model,
    distilling the static model) on stderr as ``kg: …`` lines; once per process."""
    logger = logging.getLogger("kg")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("kg: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)


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
