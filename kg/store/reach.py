"""The part of a store's corpus one trace reads, mirrored on its own.

A trace of one note compares the claim with the note's sources, then follows the best
ranked of them to their own sources, to the trace's depth (`kg.query.tree`), weighing
words by counts over the whole corpus and ranking with vectors of the texts it compares.
So `kg trace TITLE --endpoint URL` need not mirror the whole corpus (for 10,000 pages:
80 MB of text fetched, indexed and embedded, about two minutes). `Reach` asks the store,
by SPARQL, for the note and the links a trace follows from it, fetches only those notes'
files (with the settings and what the pusher sent for traces: the corpus's word counts
and trace vectors, `kg.store.vectors`, and each fetched note's static vectors,
`kg.store.static_rows`, so nothing fetched is embedded) into a folder of its own beside
the full mirror, and reads that folder as a corpus; after each trace of it, the notes the
trace followed without their sources there are fetched with their sources, and the trace
is made again (ranking again only what the new notes changed, `kg.query.remembered`),
until it followed none: then every note it compared was there, read from the same files,
and the answer is the same as the same trace of the whole corpus (the same notes compared,
with the same word counts and the vectors of the same texts). Every note fetched is
checked against the store (id, title, kind), and any difference sends the trace to the
full mirror. The full mirror is never written here, and the trace folder is never read as
the corpus: `kg.connect` does not know it.

What a trace follows from a note (`kg.query.candidates`): its source, related and paper
links when it has any, else every link but those to hubs, categories and tags; papers are
not followed further.

>>> trace_links([("mentions", "urn:b"), ("source", "urn:c"), ("hub", "urn:d")])
['urn:c']
>>> trace_links([("mentions", "urn:b"), ("hub", "urn:d")])
['urn:b']
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.export.mapping import DEFAULT_BASE, LINK_FIELDS, NOTE_PROPERTIES, namespaces
from kg.model import NoteKind
from kg.store.endpoint import Endpoint
from kg.store.partition import PATH, TEXT
from kg.store.static_rows import SentRows, rows_path
from kg.store.vectors import SENT, WORDS

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.index.loader import Progress

FOLDER = "trace-corpus"  # beside the full mirror's "corpus" folder (`cache_folder`)
DECLARED = ("source", "related", "paper")  # `kg.query.candidates.SOURCE_KINDS`
SKIPPED = ("hub", "category", "tagged")  # never sources (`sources_of`): hubs, categories, tags
GROUP = 300  # IRIs or paths in one query's VALUES
REMEMBERED = "reach.json"  # in the trace folder's index: the notes recent traces followed
REMEMBER = 8  # how many notes' traces are remembered
PREFETCH = 120  # notes fetched before the first trace without being asked for


def trace_links(links: Iterable[tuple[str, str]]) -> list[str]:
    """The targets a trace follows among a note's outgoing links (kind, target): its
    declared ones (source, related, paper) when it has any, else all but those to hubs,
    categories and tags; in link order, each once."""
    links = list(links)
    declared = [t for k, t in links if k in DECLARED]
    chosen = declared or [t for k, t in links if k not in SKIPPED]
    return list(dict.fromkeys(chosen))


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a SPARQL string literal


def _values(name: str, items: Iterable[str], iris: bool = True) -> str:
    shown = " ".join(f"<{i}>" if iris else _literal(i) for i in items)
    return f"VALUES ?{name} {{ {shown} }}"


def find_note(endpoint: Endpoint, query: str, shared: Collection[str] | None = None) -> str | None:
    """The IRI of the one note the store knows by the id `query`, or by a title or alias
    equal to it in any case (`kg.text.normalize_title`); None when none or several are
    (the full mirror then finds it as `KnowledgeGraph.note` does, with its suggestions).

    `shared` (the keys several notes' titles or aliases make, as the pusher sent them)
    lets a title given exactly be looked up in the store's index; otherwise every title
    is compared."""
    from kg.text import normalize_title

    ident, title, alias = (NOTE_PROPERTIES[k] for k in ("id", "title", "aliases"))
    given = _literal(query)
    rows = endpoint.select(
        f"SELECT ?n ?p WHERE {{ VALUES ?p {{ <{ident}> <{title}> <{alias}> }} ?n ?p {given} }}"
    )
    exact = {row["n"] for row in rows if row["p"] == ident}
    if exact:
        return exact.pop() if len(exact) == 1 else None
    key = normalize_title(query)
    named = {row["n"] for row in rows}
    if shared is not None and key not in shared and len(named) == 1:
        return named.pop()
    rows = endpoint.select(
        f"SELECT ?n ?t WHERE {{ {{ ?n <{title}> ?t }} UNION {{ ?n <{alias}> ?t }} "
        f"FILTER(LCASE(STR(?t)) = {_literal(key)}) }}"
    )
    found = {row["n"] for row in rows if normalize_title(row["t"]) == key} | named
    return found.pop() if len(found) == 1 else None


def out_links(endpoint: Endpoint, iris: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Each note's outgoing links as (kind, target IRI, the file the link is written in)."""
    kind, source, target, file = (LINK_FIELDS[k] for k in ("kind", "from", "to", "file"))
    iris = sorted(iris)
    out: dict[str, list[tuple[str, str, str]]] = {iri: [] for iri in iris}
    for start in range(0, len(iris), GROUP):
        rows = endpoint.select(
            f"SELECT ?s ?k ?t ?f WHERE {{ {_values('s', iris[start : start + GROUP])} "
            f"?l <{source}> ?s ; <{kind}> ?k ; <{target}> ?t . OPTIONAL {{ ?l <{file}> ?f }} }}"
        )
        for row in sorted(rows, key=lambda r: (r["s"], r["k"], r["t"], r.get("f", ""))):
            out[row["s"]].append((row["k"], row["t"], row.get("f", "")))
    return out


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


def sent_for_traces(endpoint: Endpoint) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """What the pusher sent beside the files for traces: the word counts (with the names
    of the trace vector files and the title keys several notes share, see
    `kg.store.vectors.trace_word_extras`), or None when it sent none; and the files to
    mirror with the notes, as rows ``{"p", "t"}``: the counts, the trace vectors and the
    corpus's settings (``kg.yaml``). Each looked up by its path (two queries)."""
    from kg.config import CONFIG_NAME

    rows = texts_of(endpoint, [WORDS, CONFIG_NAME])
    text = next((row["t"] for row in rows if row["p"] == WORDS), None)
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None, rows
    names = data.get("vectors")
    if isinstance(names, list):
        rows += texts_of(endpoint, [name for name in names if isinstance(name, str)])
    else:
        rows += endpoint.select(
            f"SELECT ?p ?t WHERE {{ GRAPH ?m {{ ?g <{PATH}> ?p ; <{TEXT}> ?t }} "
            f'FILTER(STRSTARTS(?p, "{SENT}/")) }}'
        )
    return data, rows


def namesakes(iris: Iterable[str]) -> set[str]:
    """The notes that may have taken a name before the notes `iris`: a note whose title
    makes the id of another gets that id with ``-2``, ``-3``... added, in the order the
    corpus reads them (`kg.graph.build`), so those read first are fetched too.

    >>> sorted(namesakes(["urn:kg:note:a-3", "urn:kg:note:b"]))
    ['urn:kg:note:a', 'urn:kg:note:a-2']
    """
    out: set[str] = set()
    for iri in iris:
        found = re.search(r"-(\d+)$", iri)
        if found and int(found.group(1)) >= 2:
            base = iri[: found.start()]
            out.add(base)
            out.update(f"{base}-{n}" for n in range(2, int(found.group(1))))
    return out - set(iris)


def trace_folder(endpoint: Endpoint) -> Path:
    """Where the notes one trace reads are mirrored: beside the full mirror's folder."""
    from kg.store.remote import cache_folder

    return cache_folder(endpoint).parent / FOLDER


def note_iri(note_id: str) -> str:
    """The IRI a push gives the note `note_id` (`kg.export.triples`).

    >>> note_iri("a b")
    'urn:kg:note:a%20b'
    """
    from kg.export.triples import _iri_part

    return namespaces(DEFAULT_BASE)["note"] + _iri_part(note_id)


class Reach:
    """The notes of a store's corpus one trace reads, fetched as the trace shows it needs
    them, into a folder of their own.

    A trace ranks a note's sources, then follows only the best ranked (`kg.query.tree`):
    of the 883 notes within three links of a note of the 10,000-page generated corpus, it
    compares 69. So the folder starts with the note and the targets it links to
    (`trace_links`); after each trace of it, `wanted` names the notes the trace followed
    whose own sources were not there yet (their ranking was of absent notes), and `grow`
    fetches those; when a trace wants none, every note it compared was there, and it is
    the trace of the whole corpus.

    Use `start` to make one.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        note: str,
        depth: int,
        folder: Path,
        extras: list[dict[str, str]],
        counts: dict[str, Any],
        progress: Progress | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.note = note
        self.depth = depth
        self.folder = folder
        self.extras = extras
        self.counts = counts
        self.progress = progress
        self.complete: set[str] = set()  # notes whose trace links are in `self.notes`
        self.notes: set[str] = {note}  # notes whose files are fetched
        self.files: set[str] = set()  # the corpus paths fetched (notes' and links')
        self.rounds = 0  # how often the folder was read
        self.opened = False  # whether the last `open` gave a graph
        self.rows: SentRows | None = None  # the static vectors the store sent, round to round
        remembered = self._remembered()
        self.grow([note, *remembered])
        if not remembered:  # else the notes the last trace followed are all there
            self._prefetch()

    def _record(self) -> Path:
        return self.folder / ".kg" / REMEMBERED

    def _key(self) -> str:
        return f"{self.depth} {self.note}"

    def _remembered(self) -> list[str]:
        """The notes the last trace of this note to this depth followed (a kept folder):
        fetched in the first round, so a trace of an unchanged store takes one."""
        try:
            data = json.loads(self._record().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        found = data.get(self._key()) if isinstance(data, dict) else None
        if not isinstance(found, list):
            return []
        return [iri for iri in found if isinstance(iri, str) and iri.startswith(note_iri(""))]

    def remember(self) -> None:
        """Keep the notes this trace followed for the next trace of the note (only the
        last few notes traced are kept), and the static vectors the store sent; a failure
        to write is no error."""
        from contextlib import suppress

        from kg.io import write_atomic

        if self.rows is not None:
            self.rows.save()
        record = self._record()
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        if data.get(self._key()) == sorted(self.complete):
            return  # as the last trace of the note: nothing to write
        data.pop(self._key(), None)
        data[self._key()] = sorted(self.complete)
        data = dict(list(data.items())[-REMEMBER:])
        with suppress(OSError):
            record.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(record, json.dumps(data, sort_keys=False).encode("utf-8"))

    def grow(self, notes: Iterable[str]) -> None:
        """Add `notes` and the targets of their trace links (with the files those links
        are written in) to what the folder holds."""
        new = sorted(set(notes) - self.complete)
        self._add(new, out_links(self.endpoint, new))

    def _prefetch(self) -> None:
        """Follow the trace links of every note fetched, level by level, while that adds
        up to at most `PREFETCH` notes: a small neighbourhood (a note of notes/) is then
        traced in one round, where each round costs a trace."""
        for _ in range(max(0, self.depth - 1)):
            frontier = sorted(self.notes - self.complete)
            if not frontier:
                return
            links = out_links(self.endpoint, frontier)
            reached = {t for iri in frontier for t in trace_links((k, t) for k, t, _ in links[iri])}
            if len(self.notes | reached) > PREFETCH:
                return
            self._add(frontier, links)

    def _add(self, new: list[str], links: dict[str, list[tuple[str, str, str]]]) -> None:
        files: set[str] = set()
        for iri in new:
            followed = trace_links((k, t) for k, t, _ in links[iri])
            self.notes.update(followed)
            files.update(f for k, t, f in links[iri] if f and t in followed)
        self.complete.update(new)
        self.notes.update(new)
        self.files.update(files)
        self.files.update(files_of(self.endpoint, self.notes | namesakes(self.notes)))

    def open(self, **options: Any) -> KnowledgeGraph | None:
        """Mirror what is fetched into the folder and read it (`kg.load` `options`); None
        when the word counts cannot be used there (see `kg.store.vectors.use_word_counts`)."""
        from kg.store.remote import mirror_rows

        if self.progress:
            self.progress("download", 0, 1)
        rows = texts_of(self.endpoint, self.files | self._rows_paths()) + self.extras
        if self.progress:
            self.progress("download", 1, 1)
        mirror_rows(self.folder, rows, self.progress)
        self.rounds += 1
        graph, self.rows = _load(self.folder, self.endpoint, self.counts, options, self.rows)
        if graph is not None and not self._as_stored(graph):
            graph = None
        self.opened = graph is not None
        return graph

    def _rows_paths(self) -> set[str]:
        """The files of the fetched notes' static vectors, when the pusher sent them."""
        if not isinstance(self.counts.get("static"), dict):
            return set()
        prefix = note_iri("")
        return {rows_path(iri.removeprefix(prefix)) for iri in self.notes | namesakes(self.notes)}

    def _as_stored(self, graph: KnowledgeGraph) -> bool:
        """Whether every note fetched has, read from the folder, the IRI, title and kind
        the store gives it. A site's pages name notes by title, and some of what a note
        becomes depends on pages that are not fetched (an id made unique against a title
        seen first, a kind guessed from the pages that list it as a paper or a hub): when
        any of that differs, the folder is no image of the corpus, and the full mirror
        answers."""
        from kg.export.mapping import NOTE_CLASSES

        title = NOTE_PROPERTIES["title"]
        iris = sorted(self.notes)
        stored: dict[str, tuple[str, set[str]]] = {}
        for start in range(0, len(iris), GROUP):
            rows = self.endpoint.select(
                f"SELECT ?n ?t ?c WHERE {{ {_values('n', iris[start : start + GROUP])} "
                f"?n <{title}> ?t ; a ?c }}"
            )
            for row in rows:
                stored.setdefault(row["n"], (row["t"], set()))[1].add(row["c"])
        read = {note_iri(n.id): n for n in graph.notes()}
        for iri in iris:
            note = read.get(iri)
            if iri not in stored or note is None:
                return False
            stored_title, classes = stored[iri]
            if note.title != stored_title or NOTE_CLASSES[note.kind][0] not in classes:
                return False
        return True

    def wanted(self, tree: Any) -> set[str]:
        """The notes the trace `tree` followed (ranked its sources) without their sources
        fetched: empty when every note it compared was in the folder."""
        wanted: set[str] = set()

        def visit(node: Any, level: int) -> None:
            for child in node.children:
                note = child.note
                if child.kind in ("sentence", "paper") or note is None or level + 1 >= self.depth:
                    continue
                if note.kind is NoteKind.PAPER:
                    continue
                iri = note_iri(note.id)
                if iri in self.complete:
                    visit(child, level + 1)
                else:
                    wanted.add(iri)

        visit(tree, 0)
        return wanted


def start(
    url: str | Endpoint,
    query: str,
    depth: int,
    cache: str | Path | None = None,
    progress: Progress | None = None,
) -> Reach | None:
    """The `Reach` of a trace of `query` (a note's id or title, as `KnowledgeGraph.note`
    takes it) to `depth` in the store at `url`; None when the store does not name one note
    so, or holds no word counts (a push by an older kg): the full mirror (`kg.connect`)
    answers then.

    Parameters
    ----------
    url
        The store's base URL.
    query
        The note's id or title.
    depth
        The trace's depth.
    cache
        The folder to mirror into (default: `trace_folder`).
    progress
        Called as ``progress("download", done, total)`` while texts are fetched.
    """
    endpoint = url if isinstance(url, Endpoint) else Endpoint(url)
    counts, extras = sent_for_traces(endpoint)
    if counts is None:
        return None
    shared = counts.get("shared")
    note = find_note(endpoint, query, set(shared) if isinstance(shared, list) else None)
    if note is None:
        return None
    folder = Path(cache) if cache is not None else trace_folder(endpoint)
    return Reach(endpoint, note, depth, folder, extras, counts, progress)


def _load(
    folder: Path,
    endpoint: Endpoint,
    counts: dict[str, Any],
    options: dict[str, Any],
    rows: SentRows | None,
) -> tuple[KnowledgeGraph | None, SentRows | None]:
    """The folder read as a corpus (None when the corpus's word counts cannot be used
    there), and the static vectors the store sent, kept for the next round."""
    from kg.index.loader import load
    from kg.index.stamps import index_dir
    from kg.store.vectors import restore_trace_vectors, use_word_counts

    index = options.get("index")
    target = index_dir(folder.resolve(), Path(index) if index else None)
    target.mkdir(parents=True, exist_ok=True)
    restore_trace_vectors(folder.resolve(), target)
    store = None
    if options.get("embed") == "lazy":  # the rows the pusher sent, when its model is ours
        if rows is None or rows.index != target:
            sent = counts.get("static")
            rows = SentRows(folder.resolve(), target, sent, lambda p: texts_of(endpoint, p))
        store = rows.restore()
    if store is None:
        graph = load(folder, **options)
    else:
        # A round's few files are read again rather than indexed (each round would write
        # a new index); the folder's index keeps only what traces keep (the word counts,
        # the vectors)
        graph = load(folder, **{**options, "embed": "none", "save": False})
        graph.index_folder = target
    if not use_word_counts(graph, counts):
        return None, rows
    if store is not None and rows is not None:
        rows.attach(graph, store)
    graph.endpoint = endpoint
    return graph, rows
