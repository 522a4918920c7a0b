"""The knowledge graph: notes as nodes, typed links as edges, and the queries on them.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> notes = {i: Note(id=i, title=t, kind=NoteKind.SYNTHESIS) for i, t in
...          [("a", "Can A happen?"), ("b", "Does B hold?"), ("c", "Why C?")]}
>>> g = KnowledgeGraph(notes, [Link("a", "b", LinkKind.RELATED, label="extends"),
...                            Link("b", "c", LinkKind.MENTIONS)])
>>> [n.note.title for n in g.neighbours("Does B hold?")]
['Why C?', 'Can A happen?']
>>> [link.kind.value for link in g.path("Can A happen?", "Why C?")]
['related', 'mentions']
>>> g.stats("b").direct
2
"""

from __future__ import annotations

import difflib
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.errors import NoteNotFound
from kg.graph.tables import LinkTable, NoteTable
from kg.model import (
    NOT_NOTES,
    Diagnostic,
    Link,
    LinkKind,
    LinkRow,
    NearNote,
    Neighbour,
    Note,
    NoteKind,
    NoteStats,
    SearchHit,
    Severity,
)

if TYPE_CHECKING:
    from kg.query.trace import Claim, Evidence
from kg.text import normalize_title, tag_key

Direction = str  # 'out', 'in' or 'both'
# Nodes that group notes rather than say something: not walked through by `path`, not
# counted as a note's neighbours by `stats`.
GROUPING_KINDS = frozenset({NoteKind.CATEGORY, NoteKind.TAG})
WRITTEN_LINKS = frozenset({LinkKind.LINKS, LinkKind.EMBEDS})


@dataclass(frozen=True)
class CorpusStats:
    """Figures of a whole corpus, as `kg stats` prints them."""

    files: int
    notes: int
    stubs: int
    links: int
    notes_by_kind: dict[str, int]
    links_by_kind: dict[str, int]
    warnings: int
    errors: int
    truncated: int
    embedded: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # What reading the pages found, counted from the diagnostics: pages that are cut-off
    # copies, notes merged from pages that differ (a hub and a note, two claims), notes
    # shown under more than one title, and category lines no vocabulary could split.
    truncated_pages: int = 0
    merged_distinct: int = 0
    merged_titles: int = 0
    category_runs: int = 0
    attachments: int = 0  # attachment files of a vault that are there
    missing_attachments: int = 0  # attachments linked or embedded but not in the vault
    tags: int = 0  # distinct #tags (nested ones count once each)
    unresolved: int = 0  # written links (links, embeds) to a stub or a missing attachment


def _kinds(kinds: Iterable[LinkKind | str] | LinkKind | str | None) -> frozenset[LinkKind] | None:
    if kinds is None:
        return None
    if isinstance(kinds, (str, LinkKind)):
        kinds = [kinds]
    return frozenset(LinkKind(k) for k in kinds)


class KnowledgeGraph:
    """A corpus as a typed graph. Get one with `kg.load(path)`.

    `g.nx` is the underlying `networkx.MultiDiGraph`: nodes are note ids with `kind`,
    `title` and `stub` attributes; every edge has `kind` and the full `link`.
    """

    def __init__(
        self,
        notes: Mapping[str, Note] | NoteTable,
        links: Iterable[Link | LinkRow] | LinkTable,
        diagnostics: Iterable[Diagnostic] = (),
        files: int = 0,
        root: Path | None = None,
    ) -> None:
        self.root = root
        self.files = files
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self._notes = notes if isinstance(notes, NoteTable) else NoteTable.from_notes(notes)
        self._keys: dict[str, str] = {}
        for note_id, header in self._notes.headers():
            self._keys.setdefault(normalize_title(header[0]), note_id)
        for note_id, header in self._notes.headers():
            for alias in header[4]:
                self._keys.setdefault(normalize_title(alias), note_id)
        # Adjacency lists answer every query; the networkx graph is built on first use.
        self._links = links if isinstance(links, LinkTable) else LinkTable(list(links), self._notes)
        self._nx: nx.MultiDiGraph | None = None
        self.embeddings: Any = None  # set by kg.load when vectors are loaded
        # Vectors embedded when a trace asks, where none are stored (kg.load(embed="lazy")).
        self.lazy_vectors: Any = None
        self.config: Any = None  # the kg.Config the corpus was opened with
        self.from_index = False  # True when read from a saved index rather than built
        self.index_folder: Path | None = None  # where kg.load keeps its index (if it saves)
        self.index_signature = ""  # a hash of the corpus files it was read from (kg.load)

    @property
    def links(self) -> list[Link]:
        """Every link of the corpus, in the order they were read."""
        return self._links.all()

    @property
    def link_table(self) -> LinkTable:
        """The links' storage (`kg.graph.tables.LinkTable`): rows, adjacency lists and columns
        for bulk work such as saving the index; everyday queries have methods here."""
        return self._links

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The graph as a `networkx.MultiDiGraph` (built on first use, then cached)."""
        if self._nx is None:
            graph = nx.MultiDiGraph()
            graph.add_nodes_from(
                (note_id, {"kind": h[1].value, "title": h[0], "stub": h[2]})
                for note_id, h in self._notes.headers()
            )
            graph.add_edges_from(
                (lk.source, lk.target, {"kind": lk.kind.value, "link": lk}) for lk in self.links
            )
            self._nx = graph
        return self._nx

    # ------------------------------------------------------------ notes

    def __len__(self) -> int:
        return len(self._notes)

    def __contains__(self, query: object) -> bool:
        return isinstance(query, str) and self.find(query) is not None

    def __iter__(self) -> Iterator[Note]:
        return iter(self._notes.values())

    def notes(
        self, kind: NoteKind | str | None = None, stubs: bool = True, tag: str | None = None
    ) -> list[Note]:
        """Every note, optionally of one kind, optionally without stubs, optionally only
        those carrying `tag` (`#a` or `a`, any case; `a` also finds notes tagged `#a/b`).

        >>> from kg.model import Note, NoteKind
        >>> g = KnowledgeGraph({"n": Note("n", "N", NoteKind.SYNTHESIS, tags=("ml/Vision",))}, [])
        >>> [n.id for n in g.notes(tag="#ML")], g.notes(tag="vision")
        (['n'], [])
        """
        wanted = NoteKind(kind) if kind is not None else None
        if tag is not None:
            key = tag_key(tag)
            return [
                n
                for n in self.notes(kind, stubs)
                if any(t == key or t.startswith(key + "/") for t in map(tag_key, n.tags))
            ]
        return [
            n
            for n in self._notes.values()
            if (wanted is None or n.kind is wanted) and (stubs or not n.stub)
        ]

    def tags(self) -> dict[str, int]:
        """Every #tag of the corpus's Markdown notes with the number of notes tagged
        with it or a tag nested under it, most used first.

        >>> from kg.model import Link, LinkKind, Note, NoteKind
        >>> notes = {"n": Note("n", "N", NoteKind.SYNTHESIS), "t": Note("t", "#a", NoteKind.TAG),
        ...          "u": Note("u", "#a/b", NoteKind.TAG)}
        >>> KnowledgeGraph(notes, [Link("n", "u", LinkKind.TAGGED), Link("u", "t", LinkKind.TAGGED)]).tags()
        {'#a': 1, '#a/b': 1}
        """
        counts: dict[str, int] = {}
        for note_id, header in self._notes.headers():
            if header[1] is not NoteKind.TAG:
                continue
            reached: set[str] = set()
            frontier = [note_id]
            while frontier:  # notes tagged here, and under the tags nested below it
                node = frontier.pop()
                for index in self._links.into[node]:
                    if self._links.kind(index) != LinkKind.TAGGED.value:
                        continue
                    source = self._links.ends(index)[0]
                    if self._notes.kind(source) is NoteKind.TAG:
                        frontier.append(source)
                    else:
                        reached.add(source)
            counts[header[0]] = len(reached)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold())))

    def find(self, query: str | Note) -> Note | None:
        """The note with this id, title (any case, quotes folded) or alias, else None; a
        query that looks like a file path (`Projects/Ideas.md`) also finds the note read
        from that file (how to pick one of two notes that share a name).

        >>> from kg.model import Note, NoteKind
        >>> g = KnowledgeGraph({i: Note(i, "Ideas", NoteKind.SYNTHESIS, files=(f"{i}/Ideas.md",))
        ...                     for i in ("a", "b")}, [])
        >>> g.find("Ideas").id, g.find("b/ideas.md").id
        ('a', 'b')
        """
        if isinstance(query, Note):
            return self._notes.get(query.id)
        if query in self._notes:
            return self._notes[query]
        note_id = self._keys.get(normalize_title(query))
        if note_id is not None:
            return self._notes[note_id]
        if "/" in query or query.casefold().endswith(".md"):
            return self._by_file(query)
        return None

    def _by_file(self, query: str) -> Note | None:
        """The note read from the file `query` (relative to the corpus, any case)."""
        wanted = query.strip().lstrip("./").casefold()
        for variant in (wanted, wanted + ".md"):
            for note in self._notes.values():
                if any(f.casefold() == variant for f in note.files):
                    return note
        return None

    def note(self, query: str | Note) -> Note:
        """The note with this id, title or alias; raises `NoteNotFound` with suggestions."""
        found = self.find(query)
        if found is None:
            raise NoteNotFound(str(query), self.suggest(str(query)))
        return found

    def suggest(self, query: str, n: int = 5) -> list[str]:
        """The titles closest to `query`: containing its words first, then by spelling."""
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

    # ------------------------------------------------------------ links

    def links_of(
        self,
        note: str | Note,
        direction: Direction = "both",
        kinds: Iterable[LinkKind | str] | LinkKind | str | None = None,
    ) -> list[Link]:
        """The links that leave (`out`), reach (`in`) or touch (`both`) a note."""
        node = self.note(note).id
        wanted = _kinds(kinds)
        found: list[Link] = []
        if direction in ("out", "both"):
            self._links.prefetch(self._links.out[node])
            found += [self._links.get(i) for i in self._links.out[node]]
        if direction in ("in", "both"):
            self._links.prefetch(self._links.into[node])
            found += [self._links.get(i) for i in self._links.into[node]]
        if direction not in ("out", "in", "both"):
            raise ValueError("direction is 'out', 'in' or 'both'")
        return [lk for lk in found if wanted is None or lk.kind in wanted]

    def backlinks(
        self, note: str | Note, kinds: Iterable[LinkKind | str] | LinkKind | str | None = None
    ) -> list[Link]:
        """Links from other notes into this one (who cites, mentions, uses or relates to it)."""
        return self.links_of(note, "in", kinds)

    def linked_mentions(self, note: str | Note) -> list[Link]:
        """Backlinks written as links or embeds (`[[Name]]`, `![[Name]]`, `[x](Name.md)`):
        Obsidian's "linked mentions"."""
        return self.links_of(note, "in", WRITTEN_LINKS)

    def unlinked_mentions(self, note: str | Note) -> list[Link]:
        """Backlinks found in running text, where the note's title appears without a link:
        Obsidian's "unlinked mentions"."""
        return self.links_of(note, "in", LinkKind.MENTIONS)

    def neighbours(
        self,
        note: str | Note,
        depth: int = 1,
        kinds: Iterable[LinkKind | str] | LinkKind | str | None = None,
        direction: Direction = "both",
        node_kinds: Iterable[NoteKind | str] | None = None,
    ) -> list[Neighbour]:
        """Notes within `depth` links, one entry per link that first reaches them at a depth.

        `kinds` limits the link kinds walked, `direction` whether links are followed
        forwards ('out'), backwards ('in') or both, `node_kinds` which notes are listed.
        """
        centre = self.note(note).id
        wanted = _kinds(kinds)
        wanted_nodes = frozenset(NoteKind(k) for k in node_kinds) if node_kinds else None
        depth_of = {centre: 0}
        frontier = [centre]
        result: list[Neighbour] = []
        for level in range(1, depth + 1):
            reached: list[str] = []
            for node in frontier:
                for link, other, way in self._steps(node, wanted, direction):
                    if depth_of.get(other, level) < level:
                        continue
                    if other not in depth_of:
                        depth_of[other] = level
                        reached.append(other)
                    target = self._notes[other]
                    if wanted_nodes is None or target.kind in wanted_nodes:
                        result.append(Neighbour(target, link, level, way))
            frontier = reached
        return result

    def _steps(
        self, node: str, wanted: frozenset[LinkKind] | None, direction: Direction
    ) -> Iterator[tuple[Link, str, str]]:
        if direction in ("out", "both"):
            self._links.prefetch(self._links.out[node])
            for index in self._links.out[node]:
                link = self._links.get(index)
                if wanted is None or link.kind in wanted:
                    yield link, link.target, "out"
        if direction in ("in", "both"):
            self._links.prefetch(self._links.into[node])
            for index in self._links.into[node]:
                link = self._links.get(index)
                if wanted is None or link.kind in wanted:
                    yield link, link.source, "in"

    def path(
        self,
        a: str | Note,
        b: str | Note,
        kinds: Iterable[LinkKind | str] | LinkKind | str | None = None,
        directed: bool = False,
    ) -> list[Link]:
        """The shortest chain of typed links from `a` to `b` (links may be walked backwards
        unless `directed`); empty when no path exists or `a` is `b`."""
        start, goal = self.note(a).id, self.note(b).id
        if start == goal:
            return []
        wanted = _kinds(kinds)
        came: dict[str, tuple[str, Link] | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for link, other, _ in self._steps(node, wanted, "out" if directed else "both"):
                if other in came or (self._notes.kind(other) in GROUPING_KINDS and other != goal):
                    continue
                came[other] = (node, link)
                if other == goal:
                    chain: list[Link] = []
                    step = came[goal]
                    while step is not None:
                        chain.append(step[1])
                        step = came[step[0]]
                    return chain[::-1]
                queue.append(other)
        return []

    # ------------------------------------------------------------ figures

    def stats(self, note: str | Note) -> NoteStats:
        """Concept-map figures from the graph: direct connections, 2-hop network size and
        how densely the direct neighbours link among themselves (category nodes excluded)."""
        centre = self.note(note).id
        direct = self._adjacent(centre)
        two_hop = set(direct)
        for other in direct:
            two_hop |= self._adjacent(other)
        two_hop.discard(centre)
        pairs = len(direct) * (len(direct) - 1) / 2
        joined = sum(1 for u in direct for v in self._adjacent(u) if v in direct and u < v)
        density = joined / pairs if pairs else 0.0
        if len(direct) < 2:
            label = "isolated" if not direct else "sparse cluster"
        elif density >= 0.25:
            label = "dense cluster"
        elif density >= 0.08:
            label = "moderate cluster"
        else:
            label = "sparse cluster"
        return NoteStats(len(direct), len(two_hop), round(density, 3), label)

    def _adjacent(self, node: str) -> set[str]:
        ends = self._links.ends
        others = {ends(i)[1] for i in self._links.out[node]}
        others |= {ends(i)[0] for i in self._links.into[node]}
        others.discard(node)
        return {o for o in others if self._notes.kind(o) not in GROUPING_KINDS}

    def degrees(self) -> dict[str, int]:
        """Links touching each note (in and out), by id, without decoding any link.

        >>> from kg.model import Link, LinkKind, Note, NoteKind
        >>> g = KnowledgeGraph({i: Note(id=i, title=i, kind=NoteKind.SYNTHESIS) for i in "ab"},
        ...                    [Link("a", "b", LinkKind.MENTIONS)])
        >>> g.degrees()
        {'a': 1, 'b': 1}
        """
        out, into = self._links.out, self._links.into
        return {note_id: len(out[note_id]) + len(into[note_id]) for note_id in out}

    def corpus_stats(self) -> CorpusStats:
        """Counts for the whole corpus: notes and links by kind, stubs, problems."""
        headers = [h for _, h in self._notes.headers()]
        by_kind = Counter(h[1].value for h in headers if not h[2] and h[1] not in NOT_NOTES)
        stubs = sum(1 for h in headers if h[2] and h[1] is not NoteKind.ATTACHMENT)
        attachments = Counter(h[2] for h in headers if h[1] is NoteKind.ATTACHMENT)
        table, written = self._links, {k.value for k in WRITTEN_LINKS}
        unresolved = sum(
            1
            for note_id, header in self._notes.headers()
            if header[2]
            for index in table.into[note_id]
            if table.kind(index) in written
        )
        codes = Counter(d.code for d in self.diagnostics if d.code)
        return CorpusStats(
            files=self.files,
            notes=sum(by_kind.values()),
            stubs=stubs,
            links=len(self._links),
            notes_by_kind=dict(sorted(by_kind.items())),
            links_by_kind=self._links.kind_counts(),
            warnings=sum(1 for d in self.diagnostics if d.severity is Severity.WARNING),
            errors=sum(1 for d in self.diagnostics if d.severity is Severity.ERROR),
            truncated=sum(1 for h in headers if h[3]),
            embedded=self.embeddings.count if self.embeddings is not None else 0,
            truncated_pages=codes["truncated"],
            merged_distinct=codes["merged"],
            merged_titles=codes["alias"],
            category_runs=codes["category-run"],
            attachments=attachments[False],
            missing_attachments=attachments[True],
            tags=sum(1 for h in headers if h[1] is NoteKind.TAG),
            unresolved=unresolved,
        )

    # ------------------------------------------------------------ claims (kg.query.trace)

    def claims(self, note: str | Note) -> list[Claim]:
        """The note's claims: its one-line claim, each body sentence, each source summary."""
        from kg.query.trace import claims

        return claims(self, note)

    def trace(self, note: str | Note, claim: int | str | None = None, depth: int = 3) -> Evidence:
        """The evidence tree of a claim (by number or text; the note's claim when None)."""
        from kg.query.trace import trace

        return trace(self, note, claim=claim, depth=depth)

    def used_by(self, note: str | Note, depth: int = 2) -> list[Any]:
        """Claims across the corpus that rest on this note, nearest first."""
        from kg.query.trace import used_by

        return used_by(self, note, depth=depth)

    # ------------------------------------------------------------ export (kg.export.subgraph, kg.export.rdf)

    def subgraph(
        self,
        around: Any = None,
        depth: int = 1,
        kinds: Iterable[LinkKind | str] | LinkKind | str | None = None,
        node_kinds: Iterable[NoteKind | str] | NoteKind | str | None = None,
        **options: Any,
    ) -> Any:
        """A `kg.export.subgraph.SubGraph` to export (`.to_graphml`, `.to_rdf`, `.to_json`): the
        neighbourhood of `around`, or `path=(a, b)`, `notes=[...]`, `search=TEXT`; the whole
        corpus when none is given."""
        from kg.export.subgraph import subgraph

        return subgraph(self, around, depth, kinds, node_kinds, **options)

    def sparql(self, query: str) -> Any:
        """Run SPARQL over the whole corpus as RDF (`kg.export.rdf`); the rdflib graph is built on
        the first query and kept for the next ones."""
        from kg.export.rdf import sparql, to_rdflib
        from kg.export.subgraph import subgraph

        cached = getattr(self, "_rdf_graph", None)
        if cached is None:
            cached = self._rdf_graph = to_rdflib(subgraph(self))
        return sparql(cached, query)

    # ------------------------------------------------------------ meaning (kg.query.search)

    def near(
        self,
        note: str | Note,
        k: int = 10,
        kinds: Iterable[NoteKind | str] | NoteKind | str | None = None,
        unlinked: bool = False,
    ) -> list[NearNote]:
        """The `k` notes nearest in meaning (cosine of note vectors) as `NearNote`s with
        their score and whether a link already joins them; `unlinked=True` keeps only the
        ones not linked yet. `kinds` limits the note kinds listed (default: all but
        categories). Needs `graph.embeddings` (kg.load embeds by default)."""
        from kg.query.search import near

        return near(self, note, k=k, kinds=kinds, unlinked=unlinked)

    def search(self, text: str, k: int = 10, semantic: bool | None = None) -> list[SearchHit]:
        """Hybrid search: BM25 over titles, descriptions, claims and bodies fused with
        embedding similarity (reciprocal rank fusion), exact and near-exact title
        matches first; `SearchHit`s with the matched snippet. `semantic=False` (or no
        model) searches by words only and never loads the model."""
        from kg.query.search import search

        return search(self, text, k=k, semantic=semantic)
