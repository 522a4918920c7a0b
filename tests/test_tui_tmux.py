"""The real `kg browse` in a real terminal (tmux at 80×24), driven with keys like a person.

Search for "hidden reasoning", open it, walk to a related concept, go back, and open
the trace of a body sentence, reading the screen with capture-pane after each step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TMUX = shutil.which("tmux")


class Terminal:
    """One tmux session on its own server socket, so nothing else is touched."""

    def __init__(self, command: str, width: int = 80, height: int = 24) -> None:
        assert TMUX is not None
        self.socket = f"kg-test-{os.getpid()}-{time.monotonic_ns()}"
        self.session = "kg"
        self._tmux(
            "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), command
        )

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [TMUX or "tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", self.session, key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, *texts: str, timeout: float = 20.0, absent: str | None = None) -> str:
        """Poll the screen until every text shows (and `absent` does not), else fail."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(t in screen for t in texts) and (absent is None or absent not in screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"waited {timeout}s for {texts!r}; the screen shows:\n{screen}")

    def close(self) -> None:
        self._tmux("kill-server")


@pytest.fixture
def corpus(seeds_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(seeds_dir, copy)
    for path in copy.iterdir():
        path.chmod(0o644)
    copy.chmod(0o755)
    return copy


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_kg_browse_in_a_real_terminal(corpus: Path, tmp_path: Path):
    kg_bin = Path(sys.executable).parent / "kg"
    command = (
        f"{kg_bin} browse --corpus {corpus} --index {tmp_path / 'index'} "
        f"--export-dir {tmp_path / 'export'}"
    )
    term = Terminal(f"env TERM=xterm-256color {command}")
    try:
        # The overview: corpus name, figures and the footer's main keys.
        term.wait_for("seeds", "notes", "Search", "Help")

        # Search: titles complete as you type.
        term.keys("/")
        term.type("hidden reasoning")
        term.wait_for("Titles", "Do base models already contain hidden reasoning ability?")
        term.keys("Down", "Enter")
        screen = term.wait_for("SYNTHESIS NOTE", "Related", "Used by")
        assert "Do base models already contain hidden" in screen

        # Walk: down the neighbourhood to the first related concept and open it.
        term.keys("Down", "Down", "Down", "Down")
        term.wait_for("Can simple rewards alone")
        term.keys("Enter")
        screen = term.wait_for("› Can simple rewards alone teach complex domain", "stub")
        assert "no page of its own" in screen

        # Back: the note we came from, with the related concept ahead in history.
        term.keys("[")
        screen = term.wait_for("SYNTHESIS NOTE", "+1 ahead", absent="no page of its own")
        assert "Do base models already contain hidden" in screen

        # Trace a body sentence: the statements list, then the evidence tree.
        term.keys("t")
        term.wait_for("TRACE", "Statements", "claim")
        term.keys("Down", "Down", "Enter")  # past the claim line to the second body sentence
        screen = term.wait_for("Evidence · ¶2 s1", "CLAIM", "Finding 1 (Base Models paper)")
        assert "Back to the walk" in screen

        term.keys("Escape")
        term.wait_for("SYNTHESIS NOTE")
        term.keys("q")
    finally:
        term.close()
