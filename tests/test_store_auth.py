"""Credentials for a store that asks for them: a real `oxigraph` server behind a reverse
proxy that wants HTTP Basic auth (as a lab would put nginx in front of it). kg takes the
credentials from $KG_SPARQL_USER / $KG_SPARQL_PASSWORD or a ~/.netrc entry, says what to
do when it has none or the wrong ones, and never prints the password."""

from __future__ import annotations

import base64
import http.server
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import copy_notes, require_oxigraph

from kg.store.server import OxigraphServer

NOTES = Path(__file__).parent.parent / "notes"
USER, PASSWORD = "reader", "s3cret-Pa55word"
KG = [sys.executable, "-m", "kg.cli"]

require_oxigraph()


def auth_proxy(upstream: str) -> http.server.ThreadingHTTPServer:
    """A reverse proxy on 127.0.0.1 that forwards requests carrying the right Basic
    credentials to `upstream` and answers 401 to the rest; it counts what it saw."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep pytest's output clean
            pass

        def forward(self) -> None:
            server.seen.append(self.headers.get("Authorization"))  # type: ignore[attr-defined]
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="kg"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in {"host", "authorization", "connection", "content-length"}
            }
            request = urllib.request.Request(
                upstream + self.path, data=body, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, data = response.status, response.read()
                    kind = response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                status, data, kind = error.code, error.read(), ""
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.seen = []  # type: ignore[attr-defined]
    return server


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[str, http.server.ThreadingHTTPServer]]:
    with OxigraphServer(tmp_path / "store") as store:
        proxy = auth_proxy(store.url)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{proxy.server_address[1]}", proxy
        finally:
            proxy.shutdown()
            proxy.server_close()


def push(url: str, corpus: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KG, "push", "--corpus", str(corpus), "--endpoint", url],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_notes(tmp_path / "notes")


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """No credentials anywhere: no variables, and a home without a .netrc."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_SPARQL_")}
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir()
    return env


def test_without_credentials_the_store_refuses_and_kg_says_what_to_do(
    guarded: tuple[str, http.server.ThreadingHTTPServer], corpus: Path, clean_env: dict[str, str]
) -> None:
    url, proxy = guarded
    result = push(url, corpus, clean_env)
    assert result.returncode == 2
    assert "asks for credentials" in result.stderr
    assert "KG_SPARQL_USER" in result.stderr and "~/.netrc" in result.stderr
    assert "machine 127.0.0.1" in result.stderr
    assert proxy.seen == [None]  # refused once, not retried five times


def test_credentials_from_the_environment_push_and_are_never_printed(
    guarded: tuple[str, http.server.ThreadingHTTPServer], corpus: Path, clean_env: dict[str, str]
) -> None:
    url, proxy = guarded
    env = {**clean_env, "KG_SPARQL_USER": USER, "KG_SPARQL_PASSWORD": PASSWORD}
    result = push(url, corpus, env)
    assert result.returncode == 0, result.stderr
    assert "file graphs sent" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    assert proxy.seen and all(header and header.startswith("Basic ") for header in proxy.seen)

    wrong = push(url, corpus, {**env, "KG_SPARQL_PASSWORD": "not-it"})
    assert wrong.returncode == 2
    assert "refused the credentials" in wrong.stderr
    assert "not-it" not in wrong.stdout + wrong.stderr


def test_credentials_from_netrc(
    guarded: tuple[str, http.server.ThreadingHTTPServer],
    corpus: Path,
    clean_env: dict[str, str],
) -> None:
    url, _ = guarded
    netrc = Path(clean_env["HOME"]) / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    result = push(url, corpus, clean_env)
    assert result.returncode == 0, result.stderr
    query = subprocess.run(
        [
            *KG,
            "sparql",
            "--endpoint",
            url,
            "--csv",
            "SELECT (COUNT(*) AS ?n) WHERE { ?n a kg:Note }",
        ],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=120,
    )
    assert query.returncode == 0, query.stderr
    assert int(query.stdout.splitlines()[1]) > 10
    assert PASSWORD not in result.stdout + result.stderr + query.stdout + query.stderr
