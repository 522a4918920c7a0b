"""Every client on a graph someone else pushed: `kg trace`, `kg export`, `kg show` and
`kg neighbours --endpoint` print what they print on the local corpus, `kg.load(url)` opens
the store's corpus, and `kg browse --endpoint` walks it in a real terminal at 80×24. The
store is a real `oxigraph` server on 127.0.0.1, started here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import copy_notes, require_oxigraph
from tmux_terminal import TMUX, Terminal

import kg
from kg.store.push import push
from kg.store.server import OxigraphServer

pytestmark = pytest.mark.slow

NOTES = Path(__file__).parent.parent / "notes"
TITLE = "Can a verifier be trusted more than the generator it checks?"
KG = [sys.executable, "-m", "kg.cli"]

require_oxigraph()


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, dict[str, str]]]:
    """notes/ copied, pushed to a fresh store; the copy, the store's URL and an environment
    whose store cache is private to this module."""
    base = tmp_path_factory.mktemp("clients")
    corpus = copy_notes(base / "notes")
    env = {**os.environ, "KG_STORE_CACHE": str(base / "cache"), "HF_HUB_OFFLINE": "1"}
    with OxigraphServer(base / "store") as server:
        push(kg.load(corpus, embed="none", save=False), server.url)
        yield corpus, server.url, env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KG, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize(
    "command",
    [
        ["trace", "--lexical", "--json", TITLE],
        ["trace", "--lexical", TITLE],
        ["export", "-o", "-", "--format", "graphml", "--around", TITLE, "--depth", "2"],
        ["export", "-o", "-", "--format", "nt"],
        ["show", "--json", TITLE],
        ["neighbours", "--depth", "2", "--json", TITLE],
    ],
    ids=["trace-json", "trace", "export-graphml", "export-nt", "show", "neighbours"],
)
def test_a_command_on_the_store_prints_what_it_prints_locally(
    pushed: tuple[Path, str, dict[str, str]], command: list[str]
) -> None:
    corpus, url, env = pushed
    local = run([*command, "--corpus", str(corpus)], env)
    remote = run([*command, "--endpoint", url], env)
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert len(local.stdout) > 200  # something real was printed, not two empty outputs
    assert remote.stdout == local.stdout


def test_kg_load_opens_a_store_url(
    pushed: tuple[Path, str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, url, _ = pushed
    monkeypatch.setenv("KG_STORE_CACHE", str(tmp_path / "cache"))
    stages: list[tuple[str, int, int]] = []
    remote = kg.load(url, embed="none", progress=lambda *step: stages.append(step))
    files = sum(
        1 for p in corpus.rglob("*") if p.suffix in {".md", ".txt"} and p.name != "README.md"
    )
    assert stages[:2] == [("download", 0, 1), ("download", 1, 1)]  # said before the wait
    assert ("mirror", files, files) in stages
    local = kg.load(corpus, embed="none", save=False)
    assert remote.endpoint is not None
    # it prints as the store it came from, not as the cache folder it is mirrored in
    assert repr(remote).startswith(f"<KnowledgeGraph {url.rstrip('/')}: {len(local)} notes, ")
    assert repr(local).startswith("<KnowledgeGraph notes/: ")
    assert [n.id for n in remote.notes()] == [n.id for n in local.notes()]
    assert remote.note(TITLE).title == TITLE
    assert (tmp_path / "cache").is_dir()  # mirrored where the environment says

    def tree(evidence: kg.Evidence) -> list[tuple[str, str, str | None]]:
        found = [(evidence.kind, evidence.text, evidence.note.id if evidence.note else None)]
        for child in evidence.children:
            found += tree(child)
        return found

    assert tree(remote.trace(TITLE)) == tree(local.trace(TITLE))
    assert len(tree(local.trace(TITLE))) > 3


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")
def test_kg_browse_endpoint_in_a_real_terminal(
    pushed: tuple[Path, str, dict[str, str]], tmp_path: Path
) -> None:
    """`kg browse --endpoint URL` at 80×24: the overview names the store's corpus, a search
    finds a note of it, and opening it shows its related concepts."""
    _, url, env = pushed
    kg_bin = Path(sys.executable).parent / "kg"
    term = Terminal(
        f"env TERM=xterm-256color KG_STORE_CACHE={env['KG_STORE_CACHE']} HF_HUB_OFFLINE=1 "
        f"{kg_bin} browse --endpoint {url} --export-dir {tmp_path / 'export'}"
    )
    try:
        term.wait_for("notes", "Search", "Help", timeout=90)
        term.keys("/")
        term.type("verifier be trusted")
        term.wait_for("Titles", TITLE)
        term.keys("Down", "Enter")
        screen = term.wait_for("Related")
        assert TITLE[:40] in screen
        for line in screen.splitlines():
            assert len(line) <= 80
        term.keys("q")
    finally:
        term.close()


@pytest.mark.parametrize("indexed", [False, True], ids=["cut-whole", "cut-from-index"])
def test_a_vaults_settings_and_attachments_reach_the_store(tmp_path: Path, indexed: bool) -> None:
    """kg.yaml and a vault's attachments are pushed too, so the store's corpus opens as
    the pusher's does: the settings skip the same file, embeds find the same images. With
    an index the push cuts only what changed, attachments included."""
    corpus = tmp_path / "vault"
    shutil.copytree(Path(__file__).parent / "data" / "obsidian_vault", corpus)
    biggest = max(corpus.rglob("*.md"), key=lambda p: p.stat().st_size)
    (corpus / "kg.yaml").write_text(f"max_file_bytes: {biggest.stat().st_size - 1}\n")
    local = kg.load(corpus, embed="none", save=indexed)
    assert any(biggest.name in d.message or d.path == biggest.name for d in local.diagnostics)
    assert any(n.kind is kg.NoteKind.ATTACHMENT and not n.stub for n in local.notes())

    def same(remote: kg.KnowledgeGraph, local: kg.KnowledgeGraph) -> None:
        assert remote.notes() == local.notes()
        assert sorted(map(repr, remote.links)) == sorted(map(repr, local.links))
        assert [d.message for d in remote.diagnostics] == [d.message for d in local.diagnostics]

    mirror = tmp_path / "mirror"
    with OxigraphServer(tmp_path / "store") as server:
        first = push(local, server.url)
        assert first.unchanged == 0  # every graph sent once, none counted twice
        same(kg.connect(server.url, cache=mirror, embed="none"), local)
        assert (mirror / "kg.yaml").read_text() == (corpus / "kg.yaml").read_text()
        assert (mirror / "assets" / "diagram.png").is_file()

        (corpus / "assets" / "diagram.png").unlink()
        after = kg.load(corpus, embed="none", save=indexed)
        assert push(after, server.url).removed == 1
        same(kg.connect(server.url, cache=mirror, embed="none"), after)
        assert not (mirror / "assets" / "diagram.png").exists()
