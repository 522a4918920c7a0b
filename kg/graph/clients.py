"""`KnowledgeGraph`'s methods served by the layers below the graph: exports and SPARQL
(`kg.export`), near notes and search (`kg.query`), and through `ClaimMethods` claims and
their evidence (`kg.query.trace`, in `kg.graph.claims`). Each imports its module on first
use, so loading a graph loads none of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from kg.display import Results
from kg.errors import (
    InvalidArgument,
    check_callable,
    check_count,
    check_flag,
    check_options,
    check_text,
)
from kg.graph.claims import ClaimMethods
from kg.graph.walks import LinkKinds, NoteKinds, NoteRef, check_direction, link_kinds, note_kinds
from kg.model import NearNote, Note, SearchHit

if TYPE_CHECKING:
    from rdflib.query import Result

    from kg.export.subgraph import SubGraph
    from kg.graph.knowledge import KnowledgeGraph
    from kg.query.related import NearWeights


def _check_refs(name: str, refs: object) -> None:
    """Nothing when `refs` is None, one note (a string or a Note) or an iterable of them
    (each is looked up later, which checks it), else `InvalidArgument`."""
    if refs is None or isinstance(refs, (str, Note, Iterable)):
        return
    raise InvalidArgument(
        f"{name} must be a note (its title, id, alias or file, or a Note), several of them, "
        f"or None, not {refs!r}"
    )


# What `g.subgraph` takes beside `around`, `depth`, `kinds` and `node_kinds`
# (the keywords of `kg.export.subgraph.subgraph`).
SUBGRAPH_OPTIONS = (
    "path",
    "notes",
    "near_pairs",
    "direction",
    "search",
    "k",
    "near",
    "stubs",
    "shape",
)


class ClientMethods(ClaimMethods):
    """Exports, SPARQL, near notes and search (and claims: `ClaimMethods`), on a
    `KnowledgeGraph`."""

    _rdf_graph: Any
    endpoint: Any

    # ------------------------------------------------------------ export (kg.export)

    def subgraph(
        self,
        around: NoteRef | Iterable[NoteRef] | None = None,
        depth: int = 1,
        kinds: LinkKinds = None,
        node_kinds: NoteKinds = None,
        **options: Any,
    ) -> SubGraph:
        """Part of the graph to export (`.to_graphml`, `.to_rdf`, `.to_json`, `.to_networkx`).

        Parameters
        ----------
        around : note or notes, optional
            The neighbourhood of these notes, `depth` links deep.
        kinds, node_kinds : optional
            Link kinds walked and note kinds kept, as in `neighbours`.
        **options
            `path=(a, b)`, `notes=[...]`, `search=TEXT`, `k`, `near`, `direction`,
            `stubs`, `shape` (False: no clusters or bridge scores on the notes; see
            `kg.export.subgraph.subgraph`). With no selector, the whole corpus.

        Returns
        -------
        SubGraph

        Raises
        ------
        NoteNotFound, InvalidArgument

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().subgraph(around="a", kinds="related")
        <SubGraph 2 notes, 1 links>
        """
        from kg.export.subgraph import subgraph

        check_count("depth", depth)
        check_options("g.subgraph", options, SUBGRAPH_OPTIONS)
        if "direction" in options:
            check_direction(options["direction"])
        for flag in ("stubs", "shape"):
            if flag in options:
                check_flag(flag, options[flag])
        if "k" in options:
            check_count("k", options["k"])
        if options.get("near") is not None:
            check_count("near", options["near"])
        check_text("search", options.get("search"), "the words to search for", optional=True)
        _check_refs("around", around)
        _check_refs("notes", options.get("notes"))
        ends = options.get("path")
        if ends is not None:
            pair = () if isinstance(ends, (str, Note)) or not isinstance(ends, Iterable) else ends
            options["path"] = tuple(pair)  # read once, so a generator is not used up here
            if len(options["path"]) != 2:
                raise InvalidArgument(f"path must be two notes (a, b), not {ends!r}")
        return subgraph(
            cast("KnowledgeGraph", self),
            around,
            depth,
            link_kinds(kinds),
            note_kinds(node_kinds),
            **options,
        )

    def sparql(self, query: str) -> Result:
        """Run SPARQL over the whole corpus as RDF (`kg.export.rdf`); the rdflib graph is
        built on the first query and kept for the next ones.

        Returns
        -------
        rdflib.query.Result

        Raises
        ------
        KgError
            For a malformed query.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> rows = _demo().sparql("SELECT ?t WHERE { ?n kg:title ?t }")  # doctest: +SKIP
        """
        from kg.export.rdf import sparql, to_rdflib
        from kg.export.subgraph import subgraph

        check_text("query", query, "a SPARQL query (a string)")
        if self.endpoint is not None:  # opened from a store: the store answers
            result: Result = self.endpoint.result(query)
            return result
        if self._rdf_graph is None:
            self._rdf_graph = to_rdflib(subgraph(cast("KnowledgeGraph", self)))
        return sparql(self._rdf_graph, query)

    # ------------------------------------------------------------ meaning (kg.query)

    def near(
        self,
        note: NoteRef,
        k: int = 10,
        node_kinds: NoteKinds = None,
        unlinked: bool = False,
        *,
        kinds: NoteKinds = None,
        weights: NearWeights | Mapping[str, float] | None = None,
    ) -> Results[NearNote]:
        """The `k` notes nearest the note, best first: the cosine of the whole notes'
        vectors, fused with the words they share and their shared neighbours.

        Parameters
        ----------
        note : str or Note
        k : int, default 10
        node_kinds : NoteKind or str or iterable of them, optional
            The note kinds listed (default: all but categories, tags and attachments).
        unlinked : bool
            Keep only notes no link joins to this one yet.
        kinds : optional
            The older name of `node_kinds` (note kinds here, not link kinds).
        weights : kg.NearWeights or mapping, optional
            How meaning, words and the graph count, e.g. ``{"meaning": 1}`` for the
            vectors alone (default: kg/data/near_weights.json).

        Returns
        -------
        list of NearNote
            The note, its fused 0-1 score, whether a link already joins them, and the
            vectors that ranked it (`NearNote.vectors`).

        Raises
        ------
        KgError
            When the graph has no embeddings (`kg.load(path)` embeds by default).
        NoteNotFound, InvalidArgument

        Examples
        --------
        Four notes written to a temporary folder (`kg.examples`); `kg.load` embeds them:

        >>> import tempfile, kg
        >>> from kg.examples import write_example_corpus
        >>> folder = tempfile.TemporaryDirectory()
        >>> g = kg.load(write_example_corpus(folder.name))
        >>> votes = g.note("Why do majority votes beat single experts?")
        >>> hits = g.near(votes, k=3)
        >>> sorted(hit.note.title for hit in hits[:2])  # the two notes on crowds
        ['Can crowds beat experts in chess?', 'When do crowds fail?']
        >>> hits[-1].note.title, hits[-1].linked, hits[0].score > hits[-1].score
        ('How is sourdough bread made?', False, True)
        >>> [hit.note.title for hit in g.near(votes, unlinked=True)]  # no link joins them yet
        ['How is sourdough bread made?']
        >>> g.near(votes, node_kinds="papr")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.InvalidArgument: unknown node kind 'papr'; valid: ...
        >>> folder.cleanup()
        """
        from kg.query.near import near
        from kg.query.related import NearWeights

        check_flag("unlinked", unlinked)
        weights = NearWeights.check(weights)
        graph = cast("KnowledgeGraph", self)
        found = near(
            graph,
            graph.note(note),  # a note that is none is said before vectors are looked for
            k=k,
            node_kinds=node_kinds,
            unlinked=unlinked,
            kinds=kinds,
            weights=weights,
        )
        return Results(found, NearNote)

    def embed_notes(
        self,
        *,
        background: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Compute the shipped model's whole-note vectors the index lacks, which `near` and
        meaning search then use instead of the static vectors (`kg index` computes them
        for up to 300 notes; the browser and `kg watch` in the background).

        Only notes whose texts changed since their vector was kept are embedded (after an
        edit, also the edited notes' trace vectors where the index keeps them: `kg.load`
        never starts the model for an edit; this does, on a thread with `background`). Until
        every note has one, `near` and `search` rank with the static vectors and say so
        (`NearNote.vectors`, `SearchHit.vectors`); they use the new ones as soon as the
        last note has its vector, in this graph and in every graph opened later.

        Parameters
        ----------
        background : bool
            Embed on a daemon thread and return at once (0).
        progress : callable, optional
            Called as ``progress("note vectors", done, total)`` after each chunk of notes.
        stop : threading.Event, optional
            Set it to end the run after the chunk under way (what was done is kept).

        Returns
        -------
        int
            How many notes were embedded (0 in the background, or when the corpus was not
            opened with the default ``embedder: hybrid`` and vectors).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().embed_notes()  # no vectors to upgrade: nothing to do
        0
        """
        check_flag("background", background)
        check_callable("progress", progress, "called as progress(stage, done, total)")
        if stop is not None and not isinstance(stop, threading.Event):
            raise InvalidArgument(f"stop must be a threading.Event or None, not {stop!r}")
        from kg.query.warm import edit_pending, keep_current

        graph = cast("KnowledgeGraph", self)
        # An edit's trace vectors too (the index was updated in place), on the same thread.
        traces = edit_pending(graph)
        vectors = getattr(self, "note_vectors", None)
        if background:
            started = (
                vectors.start(
                    progress, stop, before=(lambda: keep_current(graph)) if traces else None
                )
                if vectors is not None
                else None
            )
            if started is None and traces:
                threading.Thread(
                    target=keep_current, args=(graph,), name="kg-trace-vectors", daemon=True
                ).start()
            return 0
        if traces:
            keep_current(graph)
        return 0 if vectors is None else int(vectors.compute(progress=progress, stop=stop))

    @property
    def embedding_notes(self) -> bool:
        """Whether `embed_notes(background=True)` is still computing whole-note vectors.

        >>> from kg.graph.knowledge import _demo
        >>> _demo().embedding_notes
        False
        """
        vectors = getattr(self, "note_vectors", None)
        return bool(vectors is not None and vectors.running)

    def search(
        self, text: str, k: int = 10, semantic: bool | None = None, min_score: float = 0.0
    ) -> Results[SearchHit]:
        """Search as a search engine does: titles, then words, then meaning
        (`kg.query.search` says how each is found and scored).

        Only notes that match are returned, so a query nothing matches gives ``[]``. A
        note matches by title (the exact title ranks first, then the titles containing
        the query, as the browser's list as you type shows them, then near-exact ones;
        notes with text come before stubs, here as in that list),
        by words (the query's words or other forms of them, either spelling: the same
        word above another form, above a near relative; a query word the notes lack
        stands for the words it begins, so "sycophan" finds "sycophancy"), or by meaning
        only (listed after the word matches): a cosine of at least 0.25 with one
        of its texts, counted only when some word of the query is known to the corpus or
        whole to the model's vocabulary. Word pieces of unknown words ("zxqv") give
        vectors close to everything, so a query of such words matches nothing by meaning.

        Parameters
        ----------
        text : str
        k : int, default 10
            How many hits at most.
        semantic : bool, optional
            None uses meaning when the corpus has vectors and the model loads; True
            insists; False searches by words only and never loads the model.
        min_score : float, default 0.0
            Leave out hits scoring below this. Scores are 0 to 1: 1 the exact title, 0.9
            and more a title containing the query, 0.2 to 0.9 a match by words, at most
            0.7 by meaning alone; the notes with text, then the stubs, come in score
            order.

        Returns
        -------
        list of SearchHit
            The note, its score, the matched snippet, how it matched ('exact title',
            'title', 'words', 'meaning'; never empty), the best of those as
            `match_kind` ('title', 'words' or 'meaning') and the snippet's matched words
            (`marks`).

        Raises
        ------
        InvalidArgument
            A text that is no string, a negative `k`, a `semantic` not True, False or
            None, a `min_score` that is not a finite number of at least 0.
        ModelUnavailable
            With `semantic=True` when no model or no vectors are there.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> g = _demo()
        >>> [hit.note.id for hit in g.search("why C", k=1, semantic=False)]
        ['c']
        >>> g.search("zxqv flibbertigibbet", semantic=False)  # nothing matches: no hits
        []
        >>> [hit.note.title for hit in g.search("does", semantic=False, min_score=0.9)]
        ['Does B hold?']
        """
        from kg.query.search import search

        check_text("text", text, "the words to search for (a string)")
        check_count("k", k)
        check_flag("semantic", semantic, optional=True)
        hits = search(
            cast("KnowledgeGraph", self), text, k=k, semantic=semantic, min_score=min_score
        )
        return Results(hits, SearchHit)
