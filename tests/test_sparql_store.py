"""kg's graph in a real SPARQL store: the `oxigraph` server started here on 127.0.0.1 on a
free port (no mocks), pushed to, edited, read back, and killed in the middle of a push."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from store_support import copy_notes, require_oxigraph, served

import kg
from kg.errors import StoreError
from kg.export.rdf_syntax import ntriples_bytes
from kg.store.endpoint import Endpoint
from kg.store.partition import graph_iri, meta_iri, partition, stored_subgraph
from kg.store.push import push, store_hashes
from kg.store.server import OxigraphServer
from kg.store.vectors import WORDS

NOTES = Path(__file__).parent.parent / "notes"

require_oxigraph()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_notes(tmp_path / "notes")


@pytest.fixture
def server(tmp_path: Path):
    with OxigraphServer(tmp_path / "store") as running:
        yield running


def load(path: Path) -> kg.KnowledgeGraph:
    return kg.load(path, embed="none", save=False)


def store_triples(endpoint: Endpoint) -> set[bytes]:
    """Every triple of every file graph (the metadata graphs left out)."""
    data = endpoint.query_graph(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(!STRSTARTS(STR(?g), 'urn:kg:meta:')) }"
    )
    return set(data.splitlines())


def graph_lines(endpoint: Endpoint, iri: str) -> set[bytes]:
    return set(endpoint.get_graph(iri).splitlines()) - {b""}


def test_push_puts_exactly_the_local_rdf_export_in_the_store(
    corpus: Path, server: OxigraphServer
) -> None:
    g = load(corpus)
    result = push(g, server.url)
    files = len(list(corpus.rglob("*.md"))) + len(list(corpus.rglob("*.txt"))) - 1  # not README
    assert result.sent == files + 1  # every file, and the graph of notes no file holds
    local = set(ntriples_bytes(stored_subgraph(g)).splitlines())
    assert store_triples(Endpoint(server.url)) == local
    assert push(g, server.url).sent == 0  # nothing changed: nothing sent


def test_each_file_is_one_named_graph_with_its_links(corpus: Path, server: OxigraphServer) -> None:
    g = load(corpus)
    push(g, server.url)
    store = Endpoint(server.url)
    rows = store.select(
        "SELECT DISTINCT ?g ?file WHERE { GRAPH ?g { ?l a kg:Link ; kg:file ?file } }"
    )
    assert rows and all(row["g"] == graph_iri(row["file"]) for row in rows)


def test_an_edit_resends_one_graph_and_a_deletion_removes_one(
    corpus: Path, server: OxigraphServer
) -> None:
    push(load(corpus), server.url)
    store = Endpoint(server.url)
    before = {iri: graph_lines(store, iri) for iri in store_hashes(store)}
    edited = corpus / "vault" / "reward-length-bias.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("length", "lengths", 1), encoding="utf-8"
    )
    result = push(load(corpus), server.url)
    assert (result.sent, result.removed) == (1, 0)
    after = {iri: graph_lines(store, iri) for iri in store_hashes(store)}
    changed = {iri for iri in before if before[iri] != after[iri]}
    assert changed == {graph_iri("vault/reward-length-bias.md")}
    assert after == {
        iri: set(f.data.splitlines())
        for iri, f in ((f.iri, f) for f in partition(load(corpus)).values())
    }

    (corpus / "vault" / "adaptive-stopping.md").unlink()
    result = push(load(corpus), server.url)
    assert result.removed == 1
    gone = graph_iri("vault/adaptive-stopping.md")
    assert gone not in store_hashes(store)
    assert not store.select(f"SELECT ?s WHERE {{ GRAPH <{gone}> {{ ?s ?p ?o }} }} LIMIT 1")
    assert store_triples(store) == set(ntriples_bytes(stored_subgraph(load(corpus))).splitlines())


def test_a_push_from_an_indexed_corpus_cuts_only_what_changed(
    corpus: Path, server: OxigraphServer
) -> None:
    first = push(kg.load(corpus, embed="none"), server.url)  # the index is kept: .kg/
    # every file, and the corpus's word counts (sent from an indexed corpus, for traces)
    assert first.cut == first.sent == len(partition(load(corpus))) + 1
    edited = corpus / "vault" / "reward-length-bias.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    again = push(kg.load(corpus, embed="none"), server.url)
    assert again.sent == 2 and again.cut < first.cut // 4  # the file, and the word counts
    store = Endpoint(server.url)
    assert {iri: graph_lines(store, iri) for iri in store_hashes(store)} == {
        f.iri: set(f.data.splitlines()) - {b""} for f in partition(load(corpus)).values()
    } | {graph_iri(WORDS): set()}
    # a store that lost a graph gets it back, though this corpus did not change it
    store.delete_graph(graph_iri("vault/adaptive-stopping.md"))
    store.update(f"DROP GRAPH <{meta_iri('vault/adaptive-stopping.md')}>")
    assert push(kg.load(corpus, embed="none"), server.url).sent == 1
    assert store_triples(store) == set(ntriples_bytes(stored_subgraph(load(corpus))).splitlines())


def test_a_bulk_first_push_puts_the_same_graphs_in_the_store(
    corpus: Path, server: OxigraphServer
) -> None:
    g = load(corpus)
    first = push(g, server.url, bulk=True)
    assert first.sent == len(partition(g))
    store = Endpoint(server.url)
    assert store_triples(store) == set(ntriples_bytes(stored_subgraph(g)).splitlines())
    assert store_hashes(store) == {f.iri: f.hash for f in partition(g).values()}
    assert push(g, server.url).sent == 0


def test_the_neighbourhood_query_finds_the_local_two_hop_neighbours(
    corpus: Path, server: OxigraphServer
) -> None:
    from kg.store.remote import neighbourhood_query

    g = load(corpus)
    push(g, server.url)
    store = Endpoint(server.url)
    for note in g.notes(stubs=False)[:12]:
        local = {n.note.id for n in g.neighbours(note.id, depth=2)} - {note.id}
        iri = "urn:kg:note:" + note.id
        rows = store.select(neighbourhood_query(iri))
        assert {row["n"].removeprefix("urn:kg:note:") for row in rows} == local
        assert int(store.select(neighbourhood_query(iri, count=True))[0]["count"]) == len(local)


def test_connect_gives_the_same_notes_and_links_as_the_local_load(
    corpus: Path, server: OxigraphServer, tmp_path: Path
) -> None:
    local = load(corpus)
    push(local, server.url)
    remote = kg.connect(server.url, cache=tmp_path / "mirror", embed="none")
    assert remote.notes() == local.notes()
    assert sorted(map(repr, remote.links)) == sorted(map(repr, local.links))
    note = local.notes()[0]
    assert remote.neighbours(note.id, depth=2) == local.neighbours(note.id, depth=2)
    # its SPARQL goes to the store, with the local prefixes
    rows = remote.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?n a kg:Note }")
    assert [int(row[0]) for row in rows] == [len(local.notes())]
    # opened again after an edit and a deletion: only what changed is fetched
    edited = corpus / "vault" / "reward-length-bias.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    (corpus / "vault" / "adaptive-stopping.md").unlink()
    local = load(corpus)
    push(local, server.url)
    again = kg.connect(server.url, cache=tmp_path / "mirror", embed="none")
    assert again.notes() == local.notes()
    assert sorted(map(repr, again.links)) == sorted(map(repr, local.links))
    assert not (tmp_path / "mirror" / "vault" / "adaptive-stopping.md").exists()


def held_lines(endpoint: Endpoint, iri: str) -> set[bytes]:
    """A graph's lines; none for a graph the store does not hold."""
    try:
        return graph_lines(endpoint, iri)
    except StoreError as error:
        assert "HTTP 404" in str(error)
        return set()


@pytest.mark.parametrize(
    "mode", ["update-batches", "graph-store-puts", "first-push-quads", "first-push-bulk"]
)
def test_a_server_killed_mid_push_leaves_every_graph_whole(
    corpus: Path, tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.store.push as push_module

    location = tmp_path / "store"
    old: dict[str, set[bytes]] = {}
    old_hashes: dict[str, str] = {}
    first_push = mode.startswith("first-push")
    if not first_push:
        with OxigraphServer(location) as first:
            push(load(corpus), first.url)
            store = Endpoint(first.url)
            old_hashes = store_hashes(store)
            old = {iri: graph_lines(store, iri) for iri in old_hashes}
        # change every file, then kill the server after a few graphs went through
        for path in [*corpus.rglob("*.md"), *corpus.rglob("*.txt")]:
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("the", "THE"), encoding="utf-8")
    new_graph = load(corpus)
    new = {f.iri: set(f.data.splitlines()) for f in partition(new_graph).values()}
    hashes = {f.iri: f.hash for f in partition(new_graph).values()}
    server = OxigraphServer(location).start()
    killed = threading.Event()

    def progress(done: int, total: int) -> None:
        if not killed.is_set():
            killed.set()
            server.kill()

    monkeypatch.setattr(push_module, "BATCH", 8)
    monkeypatch.setattr(push_module, "BULK_BATCH", 8)
    monkeypatch.setattr(push_module, "FRESH", 0)  # new files' graphs go as N-Quads
    target = Endpoint(server.url, retries=1)
    assert target.atomic_updates  # Oxigraph: a batch of files per request
    if mode == "graph-store-puts":
        target._server = ""  # as any other store: one Graph Store PUT per graph
    with pytest.raises(StoreError):
        push(new_graph, target, progress=progress, bulk=mode == "first-push-bulk")
    assert killed.is_set()
    with OxigraphServer(location) as again:
        store = Endpoint(again.url)
        kept = {iri: held_lines(store, iri) for iri in set(old) | set(new)}
        before = {iri: old.get(iri, set()) for iri in kept}
        assert any(kept[iri] == new[iri] != before[iri] for iri in kept)  # some went through
        assert any(kept[iri] == before[iri] != new[iri] for iri in kept)  # some did not
        hashed = store_hashes(store)
        if mode == "first-push-bulk":  # graphs may be part-written, but none has a hash yet
            assert hashed == {}
        else:
            assert all(kept[iri] in (before[iri], new.get(iri)) for iri in kept)
        if mode in ("update-batches", "first-push-quads"):  # data and hash in one request
            says = {(hashes[iri], frozenset(new[iri])) for iri in new} | {
                (old_hashes[iri], frozenset(old[iri])) for iri in old
            }
            assert all((h, frozenset(kept[iri])) in says for iri, h in hashed.items())
        # the next push finishes the job
        push(new_graph, again.url)
        assert {iri: held_lines(store, iri) for iri in new} == new


def test_cli_push_serve_and_sparql_endpoint(corpus: Path, tmp_path: Path) -> None:
    env_cmd = [sys.executable, "-m", "kg.cli"]
    with OxigraphServer(tmp_path / "store") as server:
        pushed = subprocess.run(
            [*env_cmd, "push", "--corpus", str(corpus), "--endpoint", server.url, "--bulk"],
            capture_output=True,
            text=True,
            check=True,
        )
        files = len(partition(load(corpus))) + 1  # and the word counts a trace weighs by
        assert pushed.stdout.startswith(f"{files} file graphs sent")
        csv = subprocess.run(
            [
                *env_cmd,
                "sparql",
                "--endpoint",
                server.url,
                "--csv",
                "SELECT (COUNT(*) AS ?n) WHERE { ?n a kg:Note }",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert csv.stdout.splitlines() == ["n", str(len(load(corpus).notes()))]
        title = "Can a verifier be trusted more than the generator it checks?"
        env = {**os.environ, "KG_STORE_CACHE": str(tmp_path / "cache")}
        local = subprocess.run(
            [*env_cmd, "neighbours", "--corpus", str(corpus), title],
            capture_output=True,
            text=True,
            check=True,
        )
        for command in ("show", "neighbours"):
            remote = subprocess.run(
                [*env_cmd, command, "--endpoint", server.url, title],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            assert title in remote.stdout
        assert remote.stdout == local.stdout


def test_kg_serve_serves_read_only_and_stops_cleanly(corpus: Path) -> None:
    import urllib.error
    import urllib.request

    with served(["--corpus", str(corpus), "--port", "0"]) as running:
        info = running.info
        assert info["endpoint"].startswith("http://127.0.0.1:") and not info["writable"]
        assert (corpus / ".kg" / "oxigraph").is_dir()
        store = Endpoint(running.url)
        rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?n a kg:Note }")
        assert int(rows[0]["n"]) == len(load(corpus).notes())
        with pytest.raises(StoreError):  # read-only: the store refuses a graph
            Endpoint(running.url, retries=0).put_graph("urn:x", b"<urn:a> <urn:b> <urn:c> .")
        assert running.stop() == 0  # SIGTERM, as Ctrl+C: a clean exit
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(running.url + "/query?query=ASK%7B%7D", timeout=2)


# ---------------------------------------------------------------- a second engine: Virtuoso

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@pytest.fixture
def virtuoso(tmp_path: Path):
    """Virtuoso (Debian's virtuoso-opensource) in a folder of its own, on free ports, its
    Graph Store endpoint opened to updates; skipped when it is not installed."""
    import re
    import time
    import urllib.request

    from kg.store.server import free_port

    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not (server and isql and VIRTUOSO_INI.exists()):
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    folder = tmp_path / "virtuoso"
    folder.mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8").replace(
        "/var/lib/virtuoso-opensource-7/db", str(folder)
    )
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111\s*$", f"ServerPort = {sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890\s*$", f"ServerPort = 127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    process = subprocess.Popen(
        [server, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("Virtuoso did not start")
                time.sleep(0.2)
        subprocess.run(
            [isql, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def parsed(data: bytes) -> set:
    import rdflib

    return set(rdflib.Graph().parse(data=data.decode("utf-8"), format="nt"))


def test_virtuoso_takes_the_same_push(corpus: Path, virtuoso: str) -> None:
    store = Endpoint(virtuoso)
    g = load(corpus)
    assert push(g, store).sent == len(partition(g))
    data = store.query_graph(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(STRSTARTS(STR(?g), 'urn:kg:file:') || ?g = <urn:kg:shared>) }"
    )
    assert parsed(data) == parsed(ntriples_bytes(stored_subgraph(g)))
    edited = corpus / "vault" / "reward-length-bias.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert push(load(corpus), store).sent == 1
    (corpus / "vault" / "adaptive-stopping.md").unlink()
    assert push(load(corpus), store).removed == 1
    assert graph_iri("vault/adaptive-stopping.md") not in store_hashes(store)
    data = store.query_graph(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(STRSTARTS(STR(?g), 'urn:kg:file:') || ?g = <urn:kg:shared>) }"
    )
    assert parsed(data) == parsed(ntriples_bytes(stored_subgraph(load(corpus))))
