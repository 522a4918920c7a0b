"""`KnowledgeGraph`'s methods for the shape of the corpus: clusters and bridges
(`kg.graph.communities`).

>>> from kg.graph.knowledge import _demo
>>> g = _demo()
>>> [c.name for c in g.clusters()], g.bridges()
(['Does B hold?'], [])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.graph.communities import Bridge, Clustering, bridges, clusters

if TYPE_CHECKING:
    from kg.display import Results
    from kg.graph.knowledge import KnowledgeGraph

__all__ = ["ShapeMethods"]


class ShapeMethods:
    """Clusters of notes and the notes between them."""

    def clusters(self, *, resolution: float = 1.0, seed: int = 0, min_size: int = 2) -> Clustering:
        """The notes grouped into communities over their weighted links (Louvain).

        See `kg.graph.communities.clusters`: link kinds are weighted (`LINK_WEIGHTS`),
        categories, tags and stubs left out, hubs damped; clusters are numbered by their
        smallest note id and named by their most distinctive title words.

        Parameters
        ----------
        resolution
            Above 1: more, smaller clusters; below 1: fewer, larger.
        seed
            The random seed: the same corpus and seed give the same clusters.
        min_size
            Smaller communities are left unclustered.

        Returns
        -------
        Clustering
            Iterate it for `Cluster`s; ``.of(note_id)`` gives a note's cluster id,
            ``.labels`` every clustered note's, ``.to_frame()`` a table.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().clusters().of("a")
        0
        """
        graph: KnowledgeGraph = self  # type: ignore[assignment]
        return clusters(graph, resolution=resolution, seed=seed, min_size=min_size)

    def bridges(self, clustering: Clustering | None = None, *, top: int = 20) -> Results[Bridge]:
        """The notes that join clusters, ranked, each with what comes apart without it.

        Parameters
        ----------
        clustering
            The clusters to bridge (default: ``self.clusters()``).
        top
            How many bridges.

        Returns
        -------
        Results of Bridge
            Note, score, participation (0-1), its cluster, the clusters it joins, and
            those cut off from its cluster when it is removed (`apart`, `only_link`).

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> len(_demo().bridges(top=5))
        0
        """
        graph: KnowledgeGraph = self  # type: ignore[assignment]
        return bridges(graph, clustering, top=top)
