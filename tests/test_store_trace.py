"""A trace from a store (`kg trace TITLE --endpoint URL`) reads only the notes it compares
(`kg.store.reach`): a real store started on 127.0.0.1, traced as a user traces it, and
the answer held against the same trace of the corpus on disk, word for word."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import copy_notes, kg_serve, require_oxigraph

import kg
from kg.store.endpoint import Endpoint
from kg.store.partition import PATH, file_graph, graph_iri
from kg.store.push import push, replace_graphs, store_hashes
from kg.store.reach import note_iri, texts_of
from kg.store.server import OxigraphServer
from kg.store.static_rows import ROWS, rows_path, static_row_extras
from kg.store.vectors import WORDS

require_oxigraph()

KG = (sys.executable, "-m", "kg.cli")
STATIC_ONLY = ("--trace-vectors", "none", "--note-vectors", "none")
TITLE = "Can a verifier be trusted more than the generator it checks?"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """notes/ copied and indexed with its static vectors only (traces rank with them, as
    at 10,000 pages): (corpus, index)."""
    return indexed_copy(tmp_path_factory.mktemp("store-trace"))


def indexed_copy(work: Path) -> tuple[Path, Path]:
    corpus = copy_notes(work / "notes")
    index = work / "index"
    subprocess.run(
        [*KG, "index", "--corpus", str(corpus), "--index", str(index), *STATIC_ONLY],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return corpus, index


def run_json(*args: str, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [*KG, *args, "--json"], capture_output=True, text=True, timeout=300, env=env, check=True
    )
    return json.loads(out.stdout)


def local_trace(corpus: Path, index: Path, title: str, *options: str) -> dict:
    return run_json("trace", title, "--corpus", str(corpus), "--index", str(index), *options)


def store_folder(cache: Path, url: str) -> Path:
    """The folder a store's files are kept in below $KG_STORE_CACHE (`cache_folder`)."""
    return cache / hashlib.sha256(Endpoint(url).base.encode()).hexdigest()[:16]


def note_files(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def titles(corpus: Path, index: Path) -> list[str]:
    """A line, a synthesis note and a vault note, each with declared sources or links."""
    g = kg.load(corpus, index=index, embed="none")
    chosen = [TITLE]
    for kind in ("line", "synthesis"):
        found = [n for n in g.notes(stubs=False) if n.kind.value == kind and n.title != TITLE]
        found.sort(key=lambda n: (-len(g.links_of(n, "out")), n.title))
        chosen.append(found[0].title)
    vault = [n for n in g.notes(stubs=False) if n.files and n.files[0].endswith(".md")]
    vault.sort(key=lambda n: (-len(g.links_of(n, "out")), n.title))
    return [*chosen, vault[0].title]


def test_a_trace_from_a_store_reads_only_its_notes_and_answers_as_the_local_trace(
    indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, index = indexed
    env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
    with kg_serve(["--corpus", str(corpus), "--index", str(index), "--port", "0"]) as url:
        for title in titles(corpus, index):
            remote = run_json("trace", title, "--endpoint", url, env=env)
            assert remote == local_trace(corpus, index, title), title
            assert remote["trace"]["vectors"] == "static"
        # a claim of its own, and a shallower trace, answer alike too
        options = ("--claim", "2", "--depth", "2")
        remote = run_json("trace", TITLE, "--endpoint", url, *options, env=env)
        assert remote == local_trace(corpus, index, TITLE, *options)
        kept = run_json("trace", TITLE, "--endpoint", url, env=env)  # the folder kept
        assert kept == local_trace(corpus, index, TITLE)
    folder = store_folder(tmp_path / "cache", url)
    # the whole corpus was never mirrored: only the notes the traces compared
    assert not (folder / "corpus").exists()
    assert 0 < len(note_files(folder / "trace-corpus")) < len(note_files(corpus))


def test_a_store_without_word_counts_is_traced_through_the_full_mirror(
    indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, index = indexed
    env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
    with OxigraphServer(tmp_path / "store", bind="127.0.0.1", writable=True) as server:
        push(kg.load(corpus, index=index, embed="none"), server.url)
        store = Endpoint(server.url)
        store.update(replace_graphs([], [graph_iri(WORDS)]))  # as an older kg pushed it
        remote = run_json("trace", TITLE, "--endpoint", server.url, env=env)
        sent_rows = int(
            store.select(
                f"SELECT (COUNT(?p) AS ?n) WHERE {{ GRAPH ?m {{ ?g <{PATH}> ?p }} "
                f'FILTER(STRSTARTS(?p, "{ROWS}/")) }}'
            )[0]["n"]
        )
    assert remote == local_trace(corpus, index, TITLE)
    folder = store_folder(tmp_path / "cache", server.url)
    assert (folder / "corpus").is_dir() and not (folder / "trace-corpus").exists()
    # the static vectors sent for traces are not mirrored with the corpus's files
    assert sent_rows > 0 and not (folder / "corpus" / ROWS).exists()


def test_a_kept_trace_folder_follows_an_edit_the_store_received(tmp_path: Path) -> None:
    corpus, index = indexed_copy(tmp_path)
    env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
    with OxigraphServer(tmp_path / "store", bind="127.0.0.1", writable=True) as server:
        push(kg.load(corpus, index=index, embed="none"), server.url)
        first = run_json("trace", TITLE, "--endpoint", server.url, env=env)
        assert first == local_trace(corpus, index, TITLE)
        # the best ranked source is deleted: the trace ranks without it
        g = kg.load(corpus, index=index, embed="none")
        best = next(c for c in first["trace"]["children"] if c.get("rank") == 1)
        (corpus / g.note(best["note"]["id"]).files[0]).unlink()
        push(kg.load(corpus, index=index, embed="none"), server.url)
        second = run_json("trace", TITLE, "--endpoint", server.url, env=env)
    assert second == local_trace(corpus, index, TITLE)
    assert second != first


def trace_stderr(url: str, env: dict[str, str]) -> str:
    """What `kg trace TITLE --endpoint URL` says while it works (its progress)."""
    out = subprocess.run(
        [*KG, "trace", TITLE, "--endpoint", url],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    return out.stderr


def test_a_first_trace_from_a_store_embeds_none_of_the_notes_it_fetched(
    indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, index = indexed
    env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
    with kg_serve(["--corpus", str(corpus), "--index", str(index), "--port", "0"]) as url:
        said = trace_stderr(url, env)
        remote = run_json("trace", TITLE, "--endpoint", url, env=env)
    # the static vectors of each note fetched came with it: nothing to embed ("embed: N
    # texts to embed" is what a mirror that embeds its notes reports)
    assert "to embed" not in said, said
    folder = store_folder(tmp_path / "cache", url) / "trace-corpus"
    assert len(list((folder / ROWS).rglob("*.b64"))) >= len(note_files(folder)) // 2
    assert remote == local_trace(corpus, index, TITLE)


def test_static_vectors_of_another_model_are_not_used(
    indexed: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, index = indexed
    env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
    with OxigraphServer(tmp_path / "store", bind="127.0.0.1", writable=True) as server:
        push(kg.load(corpus, index=index, embed="none"), server.url)
        store = Endpoint(server.url)
        words = json.loads(texts_of(store, [WORDS])[0]["t"])
        words["static"]["fingerprint"] = "another model"  # as a pusher with other weights
        text = json.dumps(words, ensure_ascii=False)
        store.update(replace_graphs([file_graph(WORDS, "", text)]))
        said = trace_stderr(server.url, env)
        env["KG_STORE_CACHE"] = str(tmp_path / "another-cache")
        remote = run_json("trace", TITLE, "--endpoint", server.url, env=env)
    assert "to embed" in said  # the mirror embedded its notes with its own model
    assert remote == local_trace(corpus, index, TITLE)


def test_a_push_after_an_edit_encodes_the_static_vectors_of_the_edited_note_only(
    tmp_path: Path,
) -> None:
    corpus, index = indexed_copy(tmp_path)
    with OxigraphServer(tmp_path / "store", bind="127.0.0.1", writable=True) as server:
        store = Endpoint(server.url)
        push(kg.load(corpus, index=index, embed="none"), server.url)
        g = kg.load(corpus, index=index, embed="none")
        path = corpus / g.note(TITLE).files[0]
        claim = g.note(TITLE).claim  # the page's last line
        text = path.read_text(encoding="utf-8")
        assert claim in text
        path.write_text(text.replace(claim, claim + ", edited since"), encoding="utf-8")
        subprocess.run(
            [*KG, "index", "--corpus", str(corpus), "--index", str(index), *STATIC_ONLY],
            capture_output=True,
            timeout=600,
            check=True,
        )
        g = kg.load(corpus, index=index, embed="none")
        rows, _ = static_row_extras(g, store_hashes(store))
        encoded = sorted(p for p, f in rows.items() if f.text is not None)
        assert encoded == [rows_path(note_iri(g.note(TITLE).id).rsplit(":", 1)[-1])]
        push(g, server.url)
        remote = run_json("trace", TITLE, "--endpoint", server.url, env=cache_env(tmp_path))
    assert remote == local_trace(corpus, index, TITLE)
    assert remote["claims"][0]["text"].endswith(", edited since")


def cache_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
