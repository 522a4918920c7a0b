"""The model's vectors of an edit's notes, computed by a process of its own after `kg index`
has written the update, so an edit never waits for the model to start.

`kg index` after an edit updates the index in place, then `start`s this module as a
detached process (``python -m kg.index.pending``) and returns: the process opens the index
(an edit made since is brought in as `kg watch` would), computes the whole-note vectors of the edited
notes (`kg.embed.notevectors`) and, where the index keeps trace vectors, theirs too
(`kg.query.warm`), and saves them as every vector file is saved: whole, through a
temporary file and a rename under the index's lock, so a reader sees them all or none.
Until they are there `near`, search and traces rank with the static vectors and say so;
a process opening the index afterwards (or a graph already open, on its next look)
upgrades in place.

What it prints on error goes to ``note-vectors/pending.log`` (the notes then lack their
vectors until the next `kg index`, `kg watch` or the browser computes them). While it runs
it leaves a marker in the index folder (``note-vectors/pending-<pid>.json``,
the notes it computes), removed when it ends however it ends; `running` lists the
markers of processes still alive (a marker of a process that died is ignored).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MARKER_GLOB = "pending-*.json"
FOLDER = "note-vectors"
LOG = "pending.log"  # the process's error output (a traceback when it failed)


def start(
    corpus: Path, index: Path, note_ids: list[str], *, config: str | None, traces: bool
) -> int | None:
    """Start the process computing the vectors of `note_ids` (and their trace vectors with
    `traces`); returns its process id, or None when it could not start."""
    command = [sys.executable, "-m", "kg.index.pending", str(corpus), "--index", str(index)]
    if config:
        command += ["--config", str(config)]
    if traces:
        command.append("--traces")
    log = Path(index) / FOLDER / LOG
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as errors:  # what went wrong, if anything, for a bug report
            child = subprocess.Popen(
                [*command, *(f"--note={i}" for i in note_ids)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,  # it outlives `kg index` and a Ctrl-C of the terminal
                close_fds=True,
            )
    except OSError:
        return None
    _marker(index, child.pid).parent.mkdir(parents=True, exist_ok=True)
    _marker(index, child.pid).write_text(json.dumps({"notes": note_ids}), encoding="utf-8")
    return child.pid


def running(index: Path) -> list[int]:
    """The ids of the processes computing an edit's vectors for this index now."""
    alive = []
    for marker in (Path(index) / FOLDER).glob(MARKER_GLOB):
        try:
            pid = int(marker.stem.split("-", 1)[1])
            if os.name != "nt":  # signal 0 asks whether it lives (on Windows it would end it)
                os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            marker.unlink(missing_ok=True)  # its process is gone
            continue
        except PermissionError:
            pass  # alive, another user's
        alive.append(pid)
    return sorted(alive)


def _marker(index: Path, pid: int) -> Path:
    return Path(index) / FOLDER / f"pending-{pid}.json"


def compute(corpus: str, index: str, config: str | None, note_ids: list[str], traces: bool) -> int:
    """Open the index and compute the vectors the notes lack; how many were embedded."""
    from kg.index.loader import load
    from kg.query.warm import warm_traces

    # "lazy": should the corpus have changed again since `kg index` (another edit), this
    # process brings the index and its static vectors in line as `kg watch` would, so the
    # next `kg index` finds them current; the model is started only below.
    graph = load(corpus, index=index, config=config, embed="lazy")
    table = graph.note_table
    present = [i for i in note_ids if i in table]
    if traces:
        texts = [i for i in present if not table.is_stub(i)]
        if texts:
            warm_traces(graph, texts, traces=False)
    vectors = graph.note_vectors
    if vectors is None:
        return 0
    return int(vectors.compute([table[i] for i in present]))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kg.index.pending", description=__doc__)
    parser.add_argument("corpus")
    parser.add_argument("--index", required=True)
    parser.add_argument("--config", default=None)
    parser.add_argument("--traces", action="store_true")
    parser.add_argument("--note", action="append", default=[], dest="notes")
    args = parser.parse_args(argv)
    try:
        compute(args.corpus, args.index, args.config, args.notes, args.traces)
    finally:
        _marker(Path(args.index), os.getpid()).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
