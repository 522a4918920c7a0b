"""Run the `oxigraph` server binary (the PyPI package `oxigraph`) as a child process.

>>> free_port() > 0
True
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from kg.errors import StoreError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    """The path of the `oxigraph` executable: beside this Python, else on PATH.

    Raises
    ------
    StoreError
        When it is not installed.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise StoreError("the oxigraph server is not installed: pip install 'oxigraph>=0.5'")
    return found


class OxigraphServer:
    """An Oxigraph SPARQL server on `location`, started by `start` and stopped by `stop`
    (or used as a context manager). Its endpoint is `url` (``/query``, ``/update``,
    ``/store`` below it).

    Parameters
    ----------
    location
        The folder the store lives in (created when missing).
    port
        The port to bind; a free one when None.
    bind
        The address to bind (loopback by default).
    writable
        Serve read-write (`oxigraph serve`) or read-only (`oxigraph serve-read-only`).
    """

    def __init__(
        self,
        location: str | Path,
        port: int | None = None,
        bind: str = "127.0.0.1",
        writable: bool = True,
    ) -> None:
        self.location = Path(location)
        self.bind = bind
        self.port = port or free_port(bind if bind not in ("0.0.0.0", "::") else "127.0.0.1")
        self.writable = writable
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.bind in ("0.0.0.0", "::") else self.bind
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 300.0) -> OxigraphServer:
        """Start the server and wait until it answers a query.

        Raises
        ------
        StoreError
            When the binary is missing or the server does not answer within `timeout` s.
        """
        self.location.mkdir(parents=True, exist_ok=True)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open while the server runs)
        command = "serve" if self.writable else "serve-read-only"
        self.process = subprocess.Popen(
            [
                oxigraph_binary(),
                command,
                "--location",
                str(self.location),
                "--bind",
                f"{self.bind}:{self.port}"
                if ":" not in self.bind
                else f"[{self.bind}]:{self.port}",
                # queries without GRAPH see every file's graph, as the local `kg sparql` does
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        probe = self.url + "/query?query=" + urllib.parse.quote("ASK {}")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                assert self._log is not None
                self._log.seek(0)
                error = self._log.read().decode("utf-8", "replace")
                self.process = None
                self._close_log()
                raise StoreError(f"oxigraph stopped at start: {error.strip()[-500:]}")
            try:
                # A large store on a loaded machine can take seconds to answer its first
                # query: a probe that waited only 1 s never saw it (10,000 pages, load 11).
                with urllib.request.urlopen(probe, timeout=10):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        self.stop()
        raise StoreError(f"oxigraph did not answer on {self.url} within {timeout:.0f} s")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after `timeout` s)."""
        process, self.process = self.process, None
        self._close_log()
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
