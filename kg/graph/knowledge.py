"""The knowledge graph: notes as nodes, typed links as edges, and the queries on them.

`KnowledgeGraph` is what `kg.load` returns. Walks (links, neighbours, paths, figures) live
in `kg.graph.walks`, the networkx view and the table of notes in `kg.graph.nxview`; the
methods here validate nothing themselves but hand over to those functions.

>>> g = _demo()
>>> g
<KnowledgeGraph: 3 notes, 1 stubs, 4 links>
>>> [n.note.title for n in g.neighbours("Does B hold?")]
['Why C?', 'Can A happen?']
>>> g.path("Can A happen?", "Why C?").titles
('Can A happen?', 'Does B hold?', 'Why C?')
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.display import Results
from kg.errors import InvalidArgument, NoteNotFound, check_count, check_flag, check_text
from kg.graph import figures
from kg.graph.clients import ClientMethods
from kg.graph.figures import CorpusStats, is_note
from kg.graph.metadata import TableMethods
from kg.graph.nxview import NetworkxMethods
from kg.graph.shape import ShapeMethods
from kg.graph.tables import LinkTable, NoteTable
from kg.graph.walks import (
    NoteKinds,
    NotePath,
    NoteRef,
    WalkMethods,
    note_kinds,
)
from kg.model import (
    NOT_NOTES,
    Diagnostic,
    Link,
    LinkKind,
    LinkRow,
    Note,
    NoteKind,
    NoteStats,
)
from kg.text import carries_tag, normalize_title

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]


__all__ = ["CorpusStats", "KnowledgeGraph", "NotePath"]


def _demo() -> KnowledgeGraph:
    """A four-node graph for the examples: three notes in a chain, one stub, a category."""
    notes = [
        Note("a", "Can A happen?", NoteKind.SYNTHESIS, categories=("Basics",), tags=("ml",)),
        Note("b", "Does B hold?", NoteKind.SYNTHESIS, aliases=("B",)),
        Note("c", "Why C?", NoteKind.LINE),
        Note("s", "Some stub", NoteKind.SYNTHESIS, stub=True),
        Note("category-basics", "Basics", NoteKind.CATEGORY),
    ]
    links = [
        Link("a", "b", LinkKind.RELATED, "a.md", 3, label="extends", relation="extends"),
        Link("b", "c", LinkKind.MENTIONS, "b.md", 5),
        Link("c", "s", LinkKind.MENTIONS, "c.md", 2),
        Link("a", "category-basics", LinkKind.CATEGORY, "a.md", 1),
    ]
    return KnowledgeGraph({n.id: n for n in notes}, links)


class KnowledgeGraph(WalkMethods, NetworkxMethods, ClientMethods, TableMethods, ShapeMethods):
    """A corpus as a typed graph. Get one with `kg.load(path)`.

    Notes (`Note`) are nodes, typed links (`Link`) are edges. `len(g)` counts notes as
    `kg stats` does: nodes with a page of their own, not stubs (titles known only from a
    link), categories, #tags or attachments. Iterating `g`, like `g.notes()`, gives every
    node. `note in g` and `g[title]` look a note up by id, title, alias or file.

    Examples
    --------
    >>> g = _demo()
    >>> len(g), len(list(g)), "why c?" in g, g["B"].title
    (3, 5, True, 'Does B hold?')
    """

    def __init__(
        self,
        notes: Mapping[str, Note] | NoteTable,
        links: Iterable[Link | LinkRow] | LinkTable,
        diagnostics: Iterable[Diagnostic] = (),
        files: int = 0,
        root: Path | None = None,
        keys: dict[str, str] | Callable[[], dict[str, str] | None] | None = None,
    ) -> None:
        self.root = root
        self.files = files
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self._notes = notes if isinstance(notes, NoteTable) else NoteTable.from_notes(notes)
        # Normalized title or alias -> id; the index passes a reader of the ones it saved.
        self._keys = keys if keys is not None else self._title_keys()
        # Adjacency lists answer every query; the networkx graph is built on first use.
        self._links = links if isinstance(links, LinkTable) else LinkTable(list(links), self._notes)
        self._links_tuple: tuple[Link, ...] | None = None
        self._nx: nx.MultiDiGraph | None = None
        self._rdf_graph: Any = None
        # The SPARQL store the graph was opened from (`kg.store.remote.connect`), which
        # `sparql` then queries; None for a local corpus.
        self.endpoint: Any = None
        self._note_count: int | None = None
        self.embeddings: Any = None  # set by kg.load when vectors are loaded
        # Vectors embedded when a trace asks, where none are stored (kg.load(embed="lazy")).
        self.lazy_vectors: Any = None
        # The model's whole-note vectors, computed after the static index
        # (kg.embed.notevectors.NoteVectors); near and search use them once complete.
        self.note_vectors: Any = None
        self.config: Any = None  # the kg.Config the corpus was opened with
        # True when this load reused (or updated) a saved index rather than building the
        # graph; a graph just built is read back from the index it saved all the same.
        self.from_index = False
        self.index_folder: Path | None = None  # where kg.load keeps its index (if it saves)
        # What kg.load did to the index (kg.index.update.IndexUpdate): reused, updated, rebuilt.
        self.index_update: Any = None
        # After an in-place update: the notes it made again or removed, as they were
        # before (what is counted from their texts is updated from them).
        self.replaced_notes: dict[str, Note] = {}
        self.index_signature = ""  # a hash of the corpus files it was read from (kg.load)
        self._stats: tuple[tuple[Any, ...], CorpusStats] | None = None  # counted once

    @property
    def links(self) -> tuple[Link, ...]:
        """Every link of the corpus, in the order they were read (a tuple: read-only)."""
        if self._links_tuple is None:
            self._links_tuple = tuple(self._links.all())
        return self._links_tuple

    @property
    def link_table(self) -> LinkTable:
        """The links' storage (`kg.graph.tables.LinkTable`): rows, adjacency lists and columns
        for bulk work such as saving the index; everyday queries have methods here."""
        return self._links

    @property
    def note_table(self) -> NoteTable:
        """The notes' storage (`kg.graph.tables.NoteTable`), by id, decoded on first use."""
        return self._notes

    # ------------------------------------------------------------ notes

    def _title_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for note_id, header in self._notes.headers():
            keys.setdefault(normalize_title(header[0]), note_id)
        for note_id, header in self._notes.headers():
            for alias in header[4]:
                keys.setdefault(normalize_title(alias), note_id)
        return keys

    @property
    def title_keys(self) -> dict[str, str]:
        """Normalized title or alias -> note id: how `note()` finds a note by its title."""
        if callable(self._keys):  # read from the index when first needed (None: not saved)
            self._keys = self._keys() or self._title_keys()
        return self._keys

    def __len__(self) -> int:
        if self._note_count is None:
            self._note_count = sum(1 for _, h in self._notes.headers() if is_note(h[1], h[2]))
        return self._note_count

    def __contains__(self, query: object) -> bool:
        return isinstance(query, (str, Note)) and self.find(query) is not None

    def __iter__(self) -> Iterator[Note]:
        return iter(self._notes.values())

    def __getitem__(self, query: str | Note) -> Note:
        return self.note(query)

    def __repr__(self) -> str:
        if self.endpoint is not None:  # opened from a store: its URL, not the mirror's folder
            where = f" {self.endpoint.base}"
        else:
            where = f" {self.root.name}/" if self.root is not None else ""
        stubs = sum(1 for _, h in self._notes.headers() if h[2] and h[1] is not NoteKind.ATTACHMENT)
        return (
            f"<KnowledgeGraph{where}: {len(self)} notes, {stubs} stubs, {len(self._links)} links>"
        )

    def notes(
        self,
        kind: NoteKinds = None,
        stubs: bool = True,
        tag: str | None = None,
        category: str | None = None,
    ) -> Results[Note]:
        """Every node (notes, stubs, categories, tags, attachments), or those asked for.

        Parameters
        ----------
        kind : NoteKind or str or iterable of them, optional
            Only nodes of this kind (or these kinds).
        stubs : bool
            False leaves stubs out.
        tag : str, optional
            Only notes carrying this #tag (`#a` or `a`, any case; `a` also finds `#a/b`).
        category : str, optional
            Only notes in this category (any case).

        Returns
        -------
        list of Note

        Raises
        ------
        InvalidArgument
            For an unknown kind, or a value of the wrong type (the message says what fits).

        Examples
        --------
        >>> g = _demo()
        >>> [n.id for n in g.notes("synthesis", stubs=False)], [n.id for n in g.notes(tag="#ML")]
        (['a', 'b'], ['a'])
        >>> [n.id for n in g.notes(category="basics")]
        ['a']
        """
        wanted = note_kinds(kind)
        check_flag("stubs", stubs)
        check_text("tag", tag, "a tag such as '#ml' or 'ml/vision'", optional=True)
        check_text("category", category, "a category's name", optional=True)
        found = [
            n
            for n in self._notes.values()
            if (wanted is None or n.kind in wanted) and (stubs or not n.stub)
        ]
        if tag is not None:
            found = [n for n in found if carries_tag(n.tags, tag)]
        if category is not None:
            name = normalize_title(category)
            found = [n for n in found if any(normalize_title(c) == name for c in n.categories)]
        return Results(found, Note)

    def tags(self) -> dict[str, int]:
        """Every tag of the corpus, most used first: Markdown notes' #tags and paper pages'
        tags alike, counted as `notes(tag=...)` finds them.

        Returns
        -------
        dict of str to int
            The tag (`#a/b`) and how many notes carry it or a tag nested under it:
            `g.tags()[t] == len(g.notes(tag=t))` for every `t`.

        Examples
        --------
        >>> notes = {"n": Note("n", "N", NoteKind.SYNTHESIS, tags=("a/b",)),
        ...          "p": Note("p", "P", NoteKind.PAPER, tags=("A", "Verifiers")),
        ...          "t": Note("t", "#a", NoteKind.TAG), "u": Note("u", "#a/b", NoteKind.TAG)}
        >>> g = KnowledgeGraph(notes, [Link("n", "u", LinkKind.TAGGED), Link("u", "t", LinkKind.TAGGED)])
        >>> g.tags(), len(g.notes(tag="a"))
        ({'#a': 2, '#a/b': 1, '#Verifiers': 1}, 2)
        """
        return figures.tag_counts(self)

    def find(self, query: str | Note) -> Note | None:
        """The note with this id, title (any case, quotes folded) or alias, else None; a
        query that looks like a file path (`Projects/Ideas.md`) also finds the note read
        from that file (how to pick one of two notes that share a name).

        Parameters
        ----------
        query : str or Note

        Returns
        -------
        Note or None

        Examples
        --------
        >>> from kg.model import Note, NoteKind
        >>> g = KnowledgeGraph({i: Note(i, "Ideas", NoteKind.SYNTHESIS, files=(f"{i}/Ideas.md",))
        ...                     for i in ("a", "b")}, [])
        >>> g.find("Ideas").id, g.find("b/ideas.md").id
        ('a', 'b')

        A path is matched exactly first, and in another case only when one file fits:

        >>> g = KnowledgeGraph({i: Note(i, t, NoteKind.SYNTHESIS, files=(f"N/{t}.md",))
        ...                     for i, t in (("u", "MAAS"), ("m", "MaaS"))}, [])
        >>> g.find("N/MaaS.md").id, g.find("N/MAAS").id, g.find("n/maas.md")
        ('m', 'u', None)
        """
        if isinstance(query, Note):
            return self._notes.get(query.id)
        if not isinstance(query, str):
            raise InvalidArgument(
                "a note is given by its title, id, alias or file (a string) or as a Note, "
                f"not {query!r}"
            )
        if query in self._notes:
            return self._notes[query]
        note_id = self.title_keys.get(normalize_title(query))
        if note_id is not None:
            return self._notes[note_id]
        if "/" in query or query.casefold().endswith(".md"):
            return self._by_file(query) or (None if "/" in query else self._by_file_name(query))
        return self._by_file_name(query)  # Obsidian's name of a note: its file's

    def _by_file(self, query: str) -> Note | None:
        """The note read from the file `query` (relative to the corpus, `.md` optional):
        the file of exactly that name first, else the one file equal to it in any case;
        None when several files differ from it only in case (`MAAS.md`, `MaaS.md`)."""
        matches = self._files_like(query)
        return matches[0] if len(matches) == 1 else None

    def _files_like(self, query: str) -> list[Note]:
        """The notes whose file is `query` exactly, else those whose file is `query` in
        some case (several when file names differ only in case)."""
        wanted = query.strip()
        while wanted.startswith("./"):
            wanted = wanted[2:]
        wanted = wanted.lstrip("/")
        variants = (wanted, wanted + ".md")
        notes = list(self._notes.values())
        for variant in variants:
            exact = [n for n in notes if variant in n.files]
            if exact:
                return exact
        folded = {v.casefold() for v in variants}
        return [n for n in notes if any(f.casefold() in folded for f in n.files)]

    def note(self, query: str | Note) -> Note:
        """The note with this id, title, alias or file (as `find`); `g[query]` too.

        Parameters
        ----------
        query : str or Note

        Returns
        -------
        Note

        Raises
        ------
        NoteNotFound
            When none matches; its `suggestions` are the closest titles.

        Examples
        --------
        >>> _demo().note("CAN A HAPPEN?").id
        'a'
        >>> _demo().note("can a happen")
        Traceback (most recent call last):
        ...
        kg.errors.NoteNotFound: no note titled 'can a happen'; did you mean: 'Can A happen?'
        """
        found = self.find(query)
        if found is None:
            text = str(query)
            if "/" in text or text.casefold().endswith(".md"):
                # Files that differ from the query only in case: name each exactly.
                alike = [n.files[0] for n in self._files_like(text) if n.files]
                if alike:
                    raise NoteNotFound(text, sorted(alike))
            raise NoteNotFound(text, self.suggest(text))
        return found

    def suggest(self, query: str, n: int = 5) -> list[str]:
        """The titles closest to `query`: containing its words first, then by spelling.

        Parameters
        ----------
        query : str
        n : int, default 5
            How many titles at most.

        Returns
        -------
        list of str

        Examples
        --------
        >>> _demo().suggest("why c")
        ['Why C?']
        """
        check_text("query", query, "a title or part of one (a string)")
        check_count("n", n, minimum=1)
        key = normalize_title(query)
        words = [w for w in key.replace("?", " ").split() if len(w) > 2]
        # A note is found by any of its titles: the older deployment's ones are aliases.
        titles = [
            title
            for _, h in self._notes.headers()
            if h[1] not in NOT_NOTES
            for title in (h[0], *h[4])
        ]
        if words:
            scored = Counter({t: sum(w in normalize_title(t) for w in words) for t in titles})
            contained = [t for t, s in scored.most_common(n) if s >= max(1, len(words) // 2 + 1)]
        else:
            contained = []
        close = difflib.get_close_matches(query, titles, n=n, cutoff=0.45)
        return list(dict.fromkeys(contained + close))[:n]

    # ------------------------------------------------------------ figures

    def stats(self, note: NoteRef) -> NoteStats:
        """Concept-map figures: direct connections, 2-hop network size and how densely the
        direct neighbours link among themselves (category and tag nodes left out).

        Parameters
        ----------
        note : str or Note

        Returns
        -------
        NoteStats

        Raises
        ------
        NoteNotFound

        Examples
        --------
        >>> _demo().stats("b")
        NoteStats(direct=2, two_hop=3, density=0.0, cluster='sparse cluster', stubs=0)
        """
        return figures.note_stats(self, note)

    def degrees(self) -> dict[str, int]:
        """Links touching each node (in and out), by id, without decoding any link.

        Returns
        -------
        dict of str to int

        Examples
        --------
        >>> _demo().degrees()["a"]
        2
        """
        out, into = self._links.out, self._links.into
        return {note_id: len(out[note_id]) + len(into[note_id]) for note_id in out}

    def corpus_stats(self) -> CorpusStats:
        """Counts for the whole corpus, as `kg stats` prints them: notes (`len(g)`) and
        links by kind, stubs, problems.

        Returns
        -------
        CorpusStats

        Examples
        --------
        >>> s = _demo().corpus_stats()
        >>> s.notes, s.stubs, s.links, s.notes_by_kind
        (3, 1, 4, {'line': 1, 'synthesis': 2})
        """
        # Counted once per graph (0.4 s at 40,000 notes), again only when what it counts
        # grew: diagnostics added or vectors attached (an edit gives a new graph).
        key = figures.stats_key(self)
        if self._stats is None or self._stats[0] != key:
            self._stats = (key, figures.corpus_stats(self))
        return self._stats[1]


def crowd_example() -> tuple[KnowledgeGraph, Note]:
    """A two-note graph the tracing examples share: an inquiring line that cites one note
    as its source and in its body. Returns the graph and the line.

    >>> g, line = crowd_example()
    >>> [n.note.title for n in g.neighbours(line, kinds="source")]
    ['Can crowds beat experts in chess?']
    """
    from kg.model import Link, LinkKind, Paragraph, SourceEntry

    line = Note(
        id="l",
        title="Why do votes win?",
        kind=NoteKind.LINE,
        body=(Paragraph("In Can crowds beat experts in chess?, errors cancel out.", 1),),
        sources=(SourceEntry("Can crowds beat experts in chess?", "errors cancel", 2),),
    )
    crowd = Note(
        id="c",
        title="Can crowds beat experts in chess?",
        kind=NoteKind.SYNTHESIS,
        claim="crowds cancel individual errors",
    )
    links = [
        Link("l", "c", LinkKind.SOURCE, order=1, summary="errors cancel"),
        Link("l", "c", LinkKind.MENTIONS, sentence=line.body[0].text),
    ]
    return KnowledgeGraph({"l": line, "c": crowd}, links), line
