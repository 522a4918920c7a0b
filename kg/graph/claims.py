"""`KnowledgeGraph`'s methods on claims and their evidence, served by `kg.query.trace`:
a note's claims, the evidence tree of one, the claims that rest on a note, and the claims
the corpus supports weakly. Each imports `kg.query.trace` on first use, so loading a
graph loads none of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from kg.display import Results
from kg.errors import InvalidArgument, check_count, check_number
from kg.graph.walks import NoteRef

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph
    from kg.query.trace import Claim, Evidence, Unsupported, Use


class ClaimMethods:
    """Claims, their evidence and their uses, on a `KnowledgeGraph`."""

    def claims(self, note: NoteRef) -> Results[Claim]:
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
        from kg.query.trace import Claim, claims

        return Results(claims(cast("KnowledgeGraph", self), note), Claim)

    def trace(self, note: NoteRef, claim: int | str | None = None, depth: int = 3) -> Evidence:
        """The evidence tree of a claim (by number or text; the note's claim when None).

        Parameters
        ----------
        note : str or Note
        claim : int or str, optional
            The claim's number in `g.claims(note)`, or its text (or a part of it that one
            of the note's claims contains); None traces the note's claim and every body
            sentence.
        depth : int, default 3
            How many links deep to follow sources (0 or more).

        Returns
        -------
        Evidence

        Raises
        ------
        NoteNotFound, InvalidArgument
            An unknown note; a negative depth; a claim the note does not make (a number it
            has no claim at, a text none of its claims contains), the message listing the
            note's claims.

        Examples
        --------
        Four notes written to a temporary folder (`kg.examples`), read without vectors (the
        evidence is then ranked by the words it shares with the claim):

        >>> import tempfile, kg
        >>> from kg.examples import write_example_corpus
        >>> folder = tempfile.TemporaryDirectory()
        >>> g = kg.load(write_example_corpus(folder.name), embed="none")
        >>> note = g.note("Why do majority votes beat single experts?")
        >>> [(claim.index, claim.kind) for claim in g.claims(note)]
        [(0, 'claim'), (1, 'sentence'), (2, 'sentence'), (3, 'sentence')]
        >>> tree = g.trace(note, claim=2)
        >>> tree.text
        'Can crowds beat experts in chess? showed a crowd of amateurs holding a world champion to a long game.'
        >>> [(depth, node.kind, node.note.title) for depth, node in tree.walk() if depth]
        [(1, 'cited', 'Can crowds beat experts in chess?'), (1, 'related', 'When do crowds fail?')]
        >>> tree.children[0].score  # the note the sentence names: cited, so fully
        1.0
        >>> g.trace(note, depth=-1)
        Traceback (most recent call last):
        ...
        kg.errors.InvalidArgument: depth must be a whole number of at least 0, not -1
        >>> folder.cleanup()

        A claim the note does not make lists those it does:

        >>> from kg.graph.knowledge import crowd_example
        >>> g, line = crowd_example()
        >>> g.trace(line, claim="zzqx typo")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kg.errors.InvalidArgument: 'Why do votes win?' makes no claim 'zzqx typo'; valid: 1 ...
        """
        from kg.query.trace import trace

        if claim is not None and (isinstance(claim, bool) or not isinstance(claim, (int, str))):
            raise InvalidArgument(
                f"claim must be a claim's number or its text (see g.claims(note)) or None, "
                f"not {claim!r}"
            )
        return trace(
            cast("KnowledgeGraph", self), note, claim=claim, depth=check_count("depth", depth)
        )

    def used_by(self, note: NoteRef, depth: int = 3) -> Results[Use]:
        """Claims across the corpus that rest on this note, nearest first.

        Parameters
        ----------
        note : str or Note
            Title, id, alias or file of the note.
        depth : int, default 3
            How many links back to follow (0 or more): 3, as `kg trace --used-by` and the
            browser's Used by.

        Returns
        -------
        list of Use

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> [(use.note.id, use.kind, use.depth) for use in _demo().used_by("c")]
        [('b', 'cited', 1), ('a', 'related', 2)]
        """
        from kg.query.trace import Use, used_by

        uses = used_by(cast("KnowledgeGraph", self), note, depth=check_count("depth", depth))
        return Results(uses, Use)

    def unsupported_claims(
        self, notes: NoteRef | Iterable[NoteRef] | None = None, threshold: float | None = None
    ) -> Results[Unsupported]:
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
        InvalidArgument
            A threshold that is no number, a note given as neither a string nor a Note.

        Examples
        --------
        >>> from kg.graph.knowledge import crowd_example
        >>> g, line = crowd_example()
        >>> [(u.note.id, u.claim.text) for u in g.unsupported_claims()]
        [('c', 'crowds cancel individual errors')]
        >>> g.unsupported_claims(notes=line)
        []
        """
        from kg.query.trace import Unsupported, unsupported_claims

        graph = cast("KnowledgeGraph", self)
        if threshold is not None:
            threshold = check_number("threshold", threshold)
        chosen: list[NoteRef] | None
        if notes is None:
            chosen = None
        elif isinstance(notes, str) or not isinstance(notes, Iterable):
            chosen = [notes]
        else:
            chosen = list(notes)
        return Results(unsupported_claims(graph, threshold=threshold, notes=chosen), Unsupported)
