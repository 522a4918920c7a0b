"""Open a graph someone pushed to a SPARQL store: the files' texts the store holds are
mirrored into a local cache folder (only those that changed are rewritten) and read there
as any corpus is, so the notes and links are the same as the pusher's local load, and
vectors are computed locally and incrementally; SPARQL queries go to the store.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import InvalidArgument, StoreError, check_options
from kg.store.endpoint import Endpoint
from kg.store.partition import PATH, TEXT

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.index.loader import Progress

CACHE_VARIABLE = "KG_STORE_CACHE"
FILE_PREFIX = "urn:kg:file:"


def note_properties() -> list[str]:
    """The direct properties of links between notes (one triple per link kind and
    relation, `kg.export.mapping`), which a neighbourhood query follows.

    >>> any(p.endswith("references") for p in note_properties())
    True
    """
    from kg.export.mapping import DEFAULT_RELATION_PROPERTY, LINK_PROPERTIES, RELATION_PROPERTIES

    found = {m.property for m in LINK_PROPERTIES.values()}
    return sorted(found | set(RELATION_PROPERTIES.values()) | {DEFAULT_RELATION_PROPERTY})


def neighbourhood_query(note_iri: str, count: bool = False) -> str:
    """A SPARQL query for the notes within two links of the note `note_iri`, either way
    (the notes of `g.neighbours(note, depth=2)`, the note itself left out): each row one
    note ``?n``, or with `count` one row ``?count``.

    It is written for the store's indexes: the note's IRI bound, one triple pattern per hop
    over the direct note-to-note properties (bound by ``VALUES``; each link is one such
    triple, where its `kg:Link` node would take two patterns a hop), both directions by
    ``UNION``, the second hop ``OPTIONAL`` so notes with no further link still count, and
    the two hops merged by ``BIND`` rather than by a second pass over the first.

    >>> "VALUES ?p" in neighbourhood_query("urn:kg:note:a", count=True)
    True
    """
    values = " ".join(f"<{p}>" for p in note_properties())
    head = "SELECT (COUNT(DISTINCT ?n) AS ?count)" if count else "SELECT DISTINCT ?n"
    return f"""{head} WHERE {{
  VALUES ?p {{ {values} }}
  {{ <{note_iri}> ?p ?a }} UNION {{ ?a ?p <{note_iri}> }}
  OPTIONAL {{ VALUES ?q {{ {values} }} {{ ?a ?q ?b }} UNION {{ ?b ?q ?a }} }}
  VALUES ?hop {{ 1 2 }}
  BIND(IF(?hop = 1, ?a, ?b) AS ?n)
  FILTER(BOUND(?n) && ?n != <{note_iri}>)
}}"""


def is_endpoint(path: str | Path) -> bool:
    """Whether `path` names a store rather than a folder.

    >>> is_endpoint("http://127.0.0.1:7878"), is_endpoint("notes")
    (True, False)
    """
    return str(path).startswith(("http://", "https://"))


def cache_folder(endpoint: Endpoint) -> Path:
    """Where the store's files are mirrored: $KG_STORE_CACHE or ~/.cache/kg/stores, then a
    folder named by a hash of the store's URL."""
    base = os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "kg" / "stores"
    name = hashlib.sha256(endpoint.base.encode()).hexdigest()[:16]
    return Path(base) / name / "corpus"


MIRRORED = "mirrored.json"  # in the mirror's index folder: the hash of each graph mirrored
FETCH_ALL = 0.25  # more than this share of the files changed: fetch every text at once


def mirror(endpoint: Endpoint, folder: Path, progress: Progress | None = None) -> int:
    """Write the store's files into `folder`, rewriting only those whose text differs and
    removing those the store no longer holds; how many files the store holds.

    The hash of every file graph (one query) is compared with the hashes mirrored last
    time (kept in the folder's `.kg/`), and only the texts of graphs that changed are
    fetched; the first time, or when most changed, every text is. `progress` is called as
    ``progress("download", 0, 1)`` before the texts are fetched (the slow part for a large
    corpus), ``("download", 1, 1)`` after, then ``("mirror", done, total)`` while files are
    compared and written."""
    from kg.io import write_atomic
    from kg.store.push import store_hashes

    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    from kg.store.static_rows import ROWS

    rows_prefix = FILE_PREFIX + urllib.parse.quote(ROWS + "/")  # for traces only (`reach`)
    hashes = {
        iri: h
        for iri, h in store_hashes(endpoint).items()
        if iri.startswith(FILE_PREFIX) and not iri.startswith(rows_prefix)
    }
    record = folder / ".kg" / MIRRORED
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = None
    if not isinstance(known, dict):
        known = None
    changed = sorted(iri for iri, h in hashes.items() if known is None or known.get(iri) != h)
    if progress:
        progress("download", 0, 1)
    if known is None or len(changed) > FETCH_ALL * max(1, len(hashes)):
        rows = endpoint.select(
            f"SELECT ?p ?t WHERE {{ GRAPH ?m {{ ?g <{PATH}> ?p ; <{TEXT}> ?t }} "
            f'FILTER(!STRSTARTS(?p, "{ROWS}/")) }}'
        )
        if progress:
            progress("download", 1, 1)
        mirror_rows(folder, rows, progress)
    else:
        rows = []
        for start in range(0, len(changed), 200):
            values = " ".join(f"<{iri}>" for iri in changed[start : start + 200])
            rows += endpoint.select(
                f"SELECT ?p ?t WHERE {{ VALUES ?g {{ {values} }} "
                f"GRAPH ?m {{ ?g <{PATH}> ?p ; <{TEXT}> ?t }} }}"
            )
        if progress:
            progress("download", 1, 1)
        _write(folder, rows, progress)
        for iri in set(known) - set(hashes):
            gone = (folder / urllib.parse.unquote(iri.removeprefix(FILE_PREFIX))).resolve()
            if folder in gone.parents:
                gone.unlink(missing_ok=True)
    if hashes != known:  # a kept mirror of an unchanged store is not written at all
        record.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(record, json.dumps(hashes, sort_keys=True).encode("utf-8"))
    return len(hashes)


def mirror_rows(folder: Path, rows: list[dict[str, str]], progress: Progress | None = None) -> None:
    """Make `folder` hold exactly the files of `rows` (``?p`` path, ``?t`` text) beside its
    index folder: each written where its text differs, any other file removed."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    wanted = _write(folder, rows, progress)
    for path in list(folder.rglob("*")):
        inside = ".kg" not in path.relative_to(folder).parts
        if inside and path.is_file() and path not in wanted:
            path.unlink()


def _write(folder: Path, rows: list[dict[str, str]], progress: Progress | None) -> set[Path]:
    """Write each row's text (``?t``) to its path (``?p``) below `folder` where it differs;
    the paths written or kept."""
    wanted: set[Path] = set()
    for number, row in enumerate(rows):
        if progress and number % 500 == 0:
            progress("mirror", number, len(rows))
        target = (folder / row["p"]).resolve()
        if folder not in target.parents:
            raise StoreError(f"the store names a file outside its corpus: {row['p']!r}")
        wanted.add(target)
        data = row["t"].encode("utf-8")
        try:
            if target.read_bytes() == data:
                continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if progress and rows:
        progress("mirror", len(rows), len(rows))
    return wanted


def connect(url: str | Endpoint, cache: str | Path | None = None, **options: Any) -> KnowledgeGraph:
    """The `KnowledgeGraph` of the corpus pushed to the store at `url`.

    Parameters
    ----------
    url
        The store's base URL (``http://host:port``).
    cache
        The folder the files are mirrored into (see `cache_folder`).
    **options
        Passed on to `kg.load` (``embed``, ``index``, ``config``, ``progress``...).

    Returns
    -------
    KnowledgeGraph
        With `endpoint` set, so `sparql` queries the store.

    Raises
    ------
    StoreError
        When the store cannot be reached or holds no kg corpus.
    """
    from kg.index.loader import load

    if not isinstance(url, (str, Endpoint)):
        raise InvalidArgument(f"kg.connect takes a store's URL (http://host:port), not {url!r}")
    valid = [name for name in inspect.signature(load).parameters if name != "path"]
    check_options("kg.connect", options, valid)
    endpoint = url if isinstance(url, Endpoint) else Endpoint(url)
    folder = Path(cache) if cache is not None else cache_folder(endpoint)
    if mirror(endpoint, folder, options.get("progress")) == 0:
        raise StoreError(f"{endpoint.base} holds no kg corpus: publish one with `kg push`")
    from kg.index.stamps import index_dir
    from kg.store.vectors import restore_trace_vectors

    index = options.get("index")
    target = index_dir(folder.resolve(), Path(index) if index else None)
    target.mkdir(parents=True, exist_ok=True)
    restore_trace_vectors(folder.resolve(), target)
    graph = load(folder, **options)
    graph.endpoint = endpoint
    return graph
