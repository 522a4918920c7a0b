"""`KnowledgeGraph`'s methods served by the layers below the graph: claims and their
evidence (`kg.query.trace`), exports and SPARQL (`kg.export`), near notes and search
(`kg.query`). Each imports its module on first use, so loading a graph loads none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from kg.errors import check_count
from kg.graph.walks import LinkKinds, NoteKinds, NoteRef, check_direction, link_kinds, note_kinds
from kg.model import NearNote, SearchHit

if TYPE_CHECKING:
    from rdflib.query import Result

    from kg.export.subgraph import SubGraph
    from kg.graph.knowledge import KnowledgeGraph
    from kg.query.related import NearWeights
    from kg.query.trace import Claim, Evidence, Unsupported, Use


class ClientMethods:
    """Claims, exports, SPARQL, near notes and search, on a `KnowledgeGraph`."""

    _rdf_graph: Any
    endpoint: Any

    def claims(self, note: NoteRef) -> list[Claim]:
        """The note's claims: its one-line claim, each body sentence, each source summary.

        Returns
        -------
        list of Claim

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().claims("a")
        []
        """
        from kg.query.trace import claims

        return claims(cast("KnowledgeGraph", self), note)

    def trace(self, note: NoteRef, claim: int | str | None = None, depth: int = 3) -> Evidence:
        """The evidence tree of a claim (by number or text; the note's claim when None).

        Returns
        -------
        Evidence

        Raises
        ------
        NoteNotFound, InvalidArgument, KgError
            An unknown note, a negative depth, a claim the note does not make.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().trace("a", depth=-1)
        Traceback (most recent call last):
        ...
        kg.errors.InvalidArgument: depth must be a whole number of at least 0, not -1
        """
        from kg.query.trace import trace

        return trace(
            cast("KnowledgeGraph", self), note, claim=claim, depth=check_count("depth", depth)
        )

    def used_by(self, note: NoteRef, depth: int = 2) -> list[Use]:
        """Claims across the corpus that rest on this note, nearest first.

        Returns
        -------
        list of Use

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [(use.note.id, use.kind, use.depth) for use in _demo().used_by("c")]
        [('b', 'cited', 1), ('a', 'related', 2)]
        """
        from kg.query.trace import used_by

        return used_by(cast("KnowledgeGraph", self), note, depth=check_count("depth", depth))

    def unsupported_claims(
        self, notes: NoteRef | Iterable[NoteRef] | None = None, threshold: float | None = None
    ) -> list[Unsupported]:
        """Claims whose best evidence scores under the threshold (`kg trace --unsupported`).

        Parameters
        ----------
        notes : str, Note or iterable of them, optional
            Check only these notes; every note with a page if None.
        threshold : float, optional
            The score under which a claim counts as unsupported (the corpus's own
            threshold, `kg.query.tree.threshold_for`, if None).

        Returns
        -------
        list of Unsupported
            One per weak claim: the note, the claim, its best score and that evidence.

        Raises
        ------
        NoteNotFound
            One of `notes` is in no page.

        Examples
        --------
        >>> from kg.graph.knowledge import crowd_example
        >>> g, line = crowd_example()
        >>> [(u.note.id, u.claim.text) for u in g.unsupported_claims()]
        [('c', 'crowds cancel individual errors')]
        >>> g.unsupported_claims(notes=line)
        []
        """
        from kg.query.trace import unsupported_claims

        graph = cast("KnowledgeGraph", self)
        chosen: list[NoteRef] | None
        if notes is None:
            chosen = None
        elif isinstance(notes, str) or not isinstance(notes, Iterable):
            chosen = [notes]
        else:
            chosen = list(notes)
        return unsupported_claims(graph, threshold=threshold, notes=chosen)

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
            `stubs` (see `kg.export.subgraph.subgraph`). With no selector, the whole corpus.

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
        if "direction" in options:
            check_direction(options["direction"])
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
        weights: NearWeights | None = None,
    ) -> list[NearNote]:
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
        weights : kg.query.related.NearWeights, optional
            How meaning, words and the graph count (default: kg/data/near_weights.json).

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
        >>> from kg.graph.knowledge import _demo
        >>> _demo().near("a", node_kinds="papr")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.InvalidArgument: unknown node kind 'papr'; valid: ...
        """
        from kg.query.near import near

        return near(
            cast("KnowledgeGraph", self),
            note,
            k=k,
            node_kinds=node_kinds,
            unlinked=unlinked,
            kinds=kinds,
            weights=weights,
        )

    def search(self, text: str, k: int = 10, semantic: bool | None = None) -> list[SearchHit]:
        """Hybrid search: BM25 over titles, descriptions, claims and bodies fused with
        embedding similarity (reciprocal rank fusion), exact and near-exact titles first.

        Parameters
        ----------
        text : str
        k : int, default 10
        semantic : bool, optional
            None uses meaning when the corpus has vectors and the model loads; True
            insists; False searches by words only and never loads the model.

        Returns
        -------
        list of SearchHit
            The note, its score, the matched snippet and how it matched.

        Raises
        ------
        ModelUnavailable
            With `semantic=True` when no model or no vectors are there.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [hit.note.id for hit in _demo().search("why C", k=1, semantic=False)]
        ['c']
        """
        from kg.query.search import search

        return search(cast("KnowledgeGraph", self), text, k=k, semantic=semantic)
