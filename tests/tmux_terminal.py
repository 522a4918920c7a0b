"""A real terminal for tests: one tmux session on its own server socket, driven with keys
and read with capture-pane, as a person would use the program in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

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

    def wait_for(self, *texts: str, timeout: float = 60.0, absent: str | None = None) -> str:
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
