"""The part of a store's corpus one trace reads, mirrored on its own.

A trace of one note compares the claim with the note's sources, their sources, and so on
to the trace's depth (`kg.query.tree`), weighing words by counts over the whole corpus
and ranking with vectors of the texts it compares. So `kg trace TITLE --endpoint URL`
need not mirror the whole corpus (for 10,000 pages: 80 MB of text fetched, indexed and
embedded, about two minutes): it asks the store, by SPARQL, for the note, then level by
level for the links a trace follows from the notes reached, fetches only those notes'
files (with the settings and what the pusher sent for traces: the corpus's word counts,
`kg.store.vectors`) into a folder of their own beside the full mirror, and reads that
folder as a corpus. The full mirror is never written here, and the partial folder is never
read as the corpus: `kg.connect` does not know it.

What a trace follows from a note (`kg.query.candidates`): its source, related and paper
links when it has any, else every link but those to hubs; papers are not followed further.
The answer is the same as the same trace of the whole corpus: the same notes are compared,
with the same word counts and the same vectors of the same texts.

>>> trace_links([("mentions", "urn:b"), ("source", "urn:c"), ("hub", "urn:d")])
['urn:c']
>>> trace_links([("mentions", "urn:b"), ("hub", "urn:d")])
['urn:b']
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.export.mapping import KG, LINK_FIELDS, NOTE_PROPERTIES
from kg.store.endpoint import Endpoint
from kg.store.partition import PATH, TEXT
from kg.store.vectors import WORDS

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.index.loader import Progress

FOLDER = "trace-corpus"  # beside the full mirror's "corpus" folder (`cache_folder`)
DECLARED = ("source", "related", "paper")  # `kg.query.candidates.SOURCE_KINDS`
SKIPPED = "hub"  # never a source when a note declares none
GROUP = 300  # IRIs or paths in one query's VALUES


def trace_links(links: Iterable[tuple[str, str]]) -> list[str]:
    """The targets a trace follows among a note's outgoing links (kind, target): its
    declared ones (source, related, paper) when it has any, else all but hub links; in
    link order, each once."""
    links = list(links)
    declared = [t for k, t in links if k in DECLARED]
    chosen = declared or [t for k, t in links if k != SKIPPED]
    return list(dict.fromkeys(chosen))


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a SPARQL string literal


def _values(name: str, items: Iterable[str], iris: bool = True) -> str:
    shown = " ".join(f"<{i}>" if iris else _literal(i) for i in items)
    return f"VALUES ?{name} {{ {shown} }}"


def find_note(endpoint: Endpoint, query: str) -> str | None:
    """The IRI of the one note the store knows by the id `query`, or by a title or alias
    equal to it in any case; None when none or several are (the full mirror then finds
    it as `KnowledgeGraph.note` does, with its suggestions)."""
    from kg.text import normalize_title

    ident, title, alias = (NOTE_PROPERTIES[k] for k in ("id", "title", "aliases"))
    exact = endpoint.select(f"SELECT ?n WHERE {{ ?n <{ident}> {_literal(query)} }}")
    if len(exact) == 1:
        return exact[0]["n"]
    if exact:
        return None
    key = normalize_title(query)
    rows = endpoint.select(
        f"SELECT ?n ?t WHERE {{ {{ ?n <{title}> ?t }} UNION {{ ?n <{alias}> ?t }} "
        f"FILTER(LCASE(STR(?t)) = {_literal(key)}) }}"
    )
    found = {row["n"] for row in rows if normalize_title(row["t"]) == key}
    return found.pop() if len(found) == 1 else None


def _out_links(endpoint: Endpoint, iris: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Each note's outgoing links as (kind, target IRI)."""
    kind, source, target = (LINK_FIELDS[k] for k in ("kind", "from", "to"))
    out: dict[str, list[tuple[str, str]]] = {iri: [] for iri in iris}
    for start in range(0, len(iris), GROUP):
        rows = endpoint.select(
            f"SELECT ?s ?k ?t WHERE {{ {_values('s', iris[start : start + GROUP])} "
            f"?l <{source}> ?s ; <{kind}> ?k ; <{target}> ?t }}"
        )
        for row in sorted(rows, key=lambda r: (r["s"], r["k"], r["t"])):
            out[row["s"]].append((row["k"], row["t"]))
    return out


def _papers(endpoint: Endpoint, iris: list[str]) -> set[str]:
    papers: set[str] = set()
    for start in range(0, len(iris), GROUP):
        rows = endpoint.select(
            f"SELECT ?n WHERE {{ {_values('n', iris[start : start + GROUP])} "
            f"?n a <{KG}Paper> }}"
        )
        papers.update(row["n"] for row in rows)
    return papers


def reach(endpoint: Endpoint, note: str, depth: int) -> set[str]:
    """The IRIs of the notes a trace of `note` to `depth` can compare: the note, then
    level by level the targets a trace follows (`trace_links`) from the notes of the
    level before (papers are leaves). One query a level for the links, one for which of
    the new notes are papers."""
    seen = {note}
    level = [note]
    for _ in range(max(0, depth)):
        links = _out_links(endpoint, level)
        found = [t for iri in level for t in trace_links(links[iri]) if t not in seen]
        found = list(dict.fromkeys(found))
        seen.update(found)
        papers = _papers(endpoint, found)
        level = [iri for iri in found if iri not in papers]
        if not level:
            break
    return seen


def files_of(endpoint: Endpoint, notes: Iterable[str]) -> list[str]:
    """The corpus paths of the files the notes are read from (stubs have none)."""
    files = NOTE_PROPERTIES["files"]
    notes = sorted(notes)
    paths: set[str] = set()
    for start in range(0, len(notes), GROUP):
        rows = endpoint.select(
            f"SELECT ?f WHERE {{ {_values('n', notes[start : start + GROUP])} ?n <{files}> ?f }}"
        )
        paths.update(row["f"] for row in rows)
    return sorted(paths)


def texts_of(endpoint: Endpoint, paths: Iterable[str]) -> list[dict[str, str]]:
    """The stored texts of the files at `paths`, as rows ``{"p": path, "t": text}``."""
    paths = sorted(paths)
    rows: list[dict[str, str]] = []
    for start in range(0, len(paths), GROUP):
        rows += endpoint.select(
            f"SELECT ?p ?t WHERE {{ {_values('p', paths[start : start + GROUP], iris=False)} "
            f"GRAPH ?m {{ ?g <{PATH}> ?p ; <{TEXT}> ?t }} }}"
        )
    return rows


def sent_for_traces(endpoint: Endpoint) -> list[dict[str, str]]:
    """What the pusher sent beside the files for traces (``.kg-store/``: word counts,
    trace vectors) and the corpus's settings (``kg.yaml``), as rows ``{"p", "t"}``."""
    from kg.config import CONFIG_NAME

    return endpoint.select(
        f"SELECT ?p ?t WHERE {{ GRAPH ?m {{ ?g <{PATH}> ?p ; <{TEXT}> ?t }} "
        f'FILTER(STRSTARTS(?p, ".kg-store/") || ?p = {_literal(CONFIG_NAME)}) }}'
    )


def trace_folder(endpoint: Endpoint) -> Path:
    """Where the notes one trace reads are mirrored: beside the full mirror's folder."""
    from kg.store.remote import cache_folder

    return cache_folder(endpoint).parent / FOLDER


def open_for_trace(
    url: str | Endpoint,
    query: str,
    depth: int,
    cache: str | Path | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> KnowledgeGraph | None:
    """The graph of the notes a trace of `query` to `depth` reads from the store at `url`,
    with the whole corpus's word counts and the trace vectors the pusher sent; None when
    the store does not name one note so or holds no word counts (a push by an older kg):
    then the full mirror (`kg.connect`) answers.

    Parameters
    ----------
    url
        The store's base URL.
    query
        The note's id or title (as `KnowledgeGraph.note` takes it).
    depth
        The trace's depth.
    cache
        The folder to mirror into (default: `trace_folder`).
    progress
        Called as ``progress("download", done, total)`` while the notes are fetched.
    **options
        Passed on to `kg.load` (``embed``).

    Returns
    -------
    KnowledgeGraph or None
        With `endpoint` set (SPARQL goes to the store).
    """
    from kg.store.remote import mirror_rows

    endpoint = url if isinstance(url, Endpoint) else Endpoint(url)
    note = find_note(endpoint, query)
    if note is None:
        return None
    extras = sent_for_traces(endpoint)
    counts = next((row["t"] for row in extras if row["p"] == WORDS), None)
    if counts is None:
        return None
    if progress:
        progress("download", 0, 1)
    notes = reach(endpoint, note, depth)
    rows = texts_of(endpoint, files_of(endpoint, notes)) + extras
    if progress:
        progress("download", 1, 1)
    folder = Path(cache) if cache is not None else trace_folder(endpoint)
    mirror_rows(folder, rows, progress)
    return _load(folder, endpoint, counts, options)


def _load(
    folder: Path, endpoint: Endpoint, counts: str, options: dict[str, Any]
) -> KnowledgeGraph | None:
    from kg.index.loader import load
    from kg.index.store import index_dir
    from kg.store.vectors import restore_trace_vectors, use_word_counts

    index = options.get("index")
    target = index_dir(folder.resolve(), Path(index) if index else None)
    target.mkdir(parents=True, exist_ok=True)
    restore_trace_vectors(folder.resolve(), target)
    graph = load(folder, **options)
    if not use_word_counts(graph, counts):
        return None
    graph.endpoint = endpoint
    return graph

