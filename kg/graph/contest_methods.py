"""`KnowledgeGraph`'s methods for contested claims (`kg.graph.contested`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from kg.display import Results
from kg.graph import contested as _contested

if TYPE_CHECKING:
    from kg.graph.contested import Contest, ContestedClaim
    from kg.graph.knowledge import KnowledgeGraph
    from kg.graph.walks import NoteRef


class ContestMethods:
    """Disagreements between notes: `contested`, `contested_claims`, `disagreements`.
    The counts are worked out once per graph (a graph does not change once made)."""

    _disagreement_counts: dict[str, int] | None = None

    def contested(self) -> Results[Contest]:
        """Every pair of notes joined by a relation whose label means disagreement
        ("contradicts", "partially contradicted", "challenges", "qualified", …), with both
        sides' sentences and files (see `kg.graph.contested`).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> len(_demo().contested())
        0
        """
        return _contested.contested(cast("KnowledgeGraph", self))

    def contested_claims(self) -> Results[ContestedClaim]:
        """The notes whose claims have both supporting and disagreeing related notes.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().contested_claims().to_records()
        []
        """
        return _contested.contested_claims(cast("KnowledgeGraph", self))

    def disagreement_counts(self) -> dict[str, int]:
        """How many disagreeing relations touch each note, by id (notes in none left out).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().disagreement_counts()
        {}
        """
        if self._disagreement_counts is None:
            self._disagreement_counts = _contested.disagreement_counts(cast("KnowledgeGraph", self))
        return dict(self._disagreement_counts)

    def disagreements(self, note: NoteRef) -> int:
        """How many disagreeing relations touch this note (its title, id, alias or file).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().disagreements("Can A happen?")
        0
        """
        graph = cast("KnowledgeGraph", self)
        if self._disagreement_counts is None:
            self.disagreement_counts()
        assert self._disagreement_counts is not None
        return self._disagreement_counts.get(graph.note(note).id, 0)
