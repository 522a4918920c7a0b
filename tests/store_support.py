"""What the store's tests share: skipping plainly when the oxigraph server is missing, a
private copy of notes/ to push and edit, and a real `kg serve` in the background."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg.errors import StoreError
from kg.store.server import oxigraph_binary

NOTES = Path(__file__).resolve().parent.parent / "notes"


def require_oxigraph() -> None:
    """Skip the calling test module when the `oxigraph` server binary is not installed."""
    try:
        oxigraph_binary()
    except StoreError:  # pragma: no cover - the dependency is declared; say so plainly
        pytest.skip(
            "the oxigraph server is not installed (pip install oxigraph)", allow_module_level=True
        )


def copy_notes(target: Path) -> Path:
    """notes/ copied to `target` without its index folder; `target`."""
    shutil.copytree(NOTES, target, ignore=shutil.ignore_patterns(".kg"))
    return target


@dataclass
class Served:
    """A `kg serve` running in the background: what it printed (`--json`) and its process."""

    info: dict[str, Any]
    process: subprocess.Popen[str]

    @property
    def url(self) -> str:
        return str(self.info["endpoint"])

    def stop(self) -> int:
        """Stop it as Ctrl+C in a terminal would (SIGTERM); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


@contextmanager
def served(
    options: list[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Served]:
    """`kg serve OPTIONS --json` started as a user starts it (give `--port 0` for a free
    port) and stopped on leaving, however the test ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", *options, "--json"],
        cwd=cwd,
        env=dict(env) if env is not None else dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    running = Served({}, process)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # the JSON object, ended by its closing brace
            lines.append(line)
            if line.startswith("}"):
                break
        running.info = json.loads("".join(lines))
        yield running
    finally:
        running.stop()
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def kg_serve(
    options: list[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """`kg serve OPTIONS --json` in the background (`served`); its URL."""
    with served(options, cwd, env) as running:
        yield running.url
