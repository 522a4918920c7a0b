"""`KnowledgeGraph`'s methods for the shape of the corpus: clusters and bridges
(`kg.graph.communities`), gaps between clusters (`kg.query.gaps`, imported on first use)
and, through `ContestMethods`, contested claims (`kg.graph.contested`).

>>> from kg.graph.knowledge import _demo
>>> g = _demo()
>>> [c.name for c in g.clusters()], g.bridges()
(['Does B hold?'], [])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.errors import InvalidArgument
from kg.graph.bridge_links import BridgeLink, bridge_links
from kg.graph.bridges import Bridge, bridge_scores, bridges, joining_count
from kg.graph.communities import Clustering, clusters
from kg.graph.contest_methods import ContestMethods
from kg.graph.weights import NoteWeights, weight_arrays

if TYPE_CHECKING:
    from kg.display import Results
    from kg.graph.knowledge import KnowledgeGraph
    from kg.query.gaps import Gap

__all__ = ["ShapeMethods"]


def _clustering(clustering: object) -> Clustering | None:
    """`clustering` when it is one (None for None), else `InvalidArgument`."""
    if clustering is None or isinstance(clustering, Clustering):
        return clustering
    raise InvalidArgument(
        f"clustering must be a Clustering (from g.clusters()) or None, not {clustering!r}"
    )


class ShapeMethods(ContestMethods):
    """Clusters of notes, the notes between them and the gaps between them (and contested
    claims: `ContestMethods`). A graph does not change once made,
    so the weighted graph of notes and each clustering asked for are kept on it; the
    communities found are also kept in the index folder while the links stay the same
    (`kg.graph.cluster_cache`)."""

    _shape_weights: NoteWeights | None = None
    _shape_clusterings: dict[tuple[Any, ...], Clustering] | None = None
    _links_signature: str | None = None  # kg.graph.cluster_cache.links_signature

    def _note_weights(self) -> NoteWeights:
        if self._shape_weights is None:
            graph: KnowledgeGraph = self  # type: ignore[assignment]
            self._shape_weights = weight_arrays(graph)
        return self._shape_weights

    def clusters(self, *, resolution: float = 1.0, seed: int = 0, min_size: int = 2) -> Clustering:
        """The notes grouped into communities over their weighted links (Leiden, or Louvain
        where igraph is missing).

        See `kg.graph.communities.clusters`: link kinds are weighted (`LINK_WEIGHTS`),
        categories, tags and stubs left out, hubs damped; clusters are numbered by their
        smallest note id and named by their most distinctive title words. They are kept
        in the index folder until the links change (an edit of text keeps them, ids
        and all); after a change of links each cluster keeps the id of the kept one it
        shares most notes with (`kg.graph.cluster_cache`).

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
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise InvalidArgument(f"seed must be a whole number, not {seed!r}")
        # Kept only for plain arguments (bad ones raise below; a random.Random seed moves).
        plain = all(type(v) in (int, float) for v in (resolution, seed, min_size))
        key = (resolution, seed, min_size)
        if self._shape_clusterings is None:
            self._shape_clusterings = {}
        found = self._shape_clusterings.get(key) if plain else None
        if found is None:
            from kg.graph import cluster_cache

            # The communities are kept in the index folder until the links change; after a
            # change Leiden starts from them, so that most notes stay in their clusters,
            # and each cluster keeps the id of the kept one it shares most notes with.
            name = f"{resolution!r}/{seed!r}/{min_size!r}"
            kept = cluster_cache.read(graph, name) if plain else None
            groups, ordered = kept, kept is not None
            if kept is None and plain and resolution > 0:
                before = cluster_cache.previous(graph, name, int(min_size))
                if before is not None:
                    from kg.graph.partition import communities

                    again = communities(
                        self._note_weights(),
                        resolution=resolution,
                        seed=seed,
                        initial=before.membership,
                    )
                    groups = cluster_cache.matched(again, before.clusters, int(min_size))
                    ordered = True
            found = clusters(
                graph,
                resolution=resolution,
                seed=seed,
                min_size=min_size,
                weights=self._note_weights(),
                found=groups,
                ordered=ordered,
            )
            if plain:
                self._shape_clusterings[key] = found
                if kept is None:
                    cluster_cache.keep(graph, name, self._groups(found))
        return found

    def _groups(self, clustering: Clustering) -> list[list[str]]:
        """The clustering's communities as note ids: each cluster, each unclustered note
        alone (what `clusters` with the same `min_size` makes of them again)."""
        return [list(c.note_ids) for c in clustering] + [[n] for n in clustering.unclustered]

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
        shape = _clustering(clustering) or self.clusters()
        return bridges(graph, shape, top=top, weights=self._note_weights())

    def bridge_links(
        self, clustering: Clustering | None = None, *, top: int = 20
    ) -> Results[BridgeLink]:
        """The links between notes of different clusters, ranked by their share of the
        link weight joining their two clusters (1.0: the only link between them).

        Parameters
        ----------
        clustering
            The clusters (default: ``self.clusters()``).
        top
            How many links.

        Returns
        -------
        Results of BridgeLink
            The two notes, their link kinds and clusters, the pair's weight and share.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().bridge_links()  # one cluster: no link across
        []
        """
        graph: KnowledgeGraph = self  # type: ignore[assignment]
        shape = _clustering(clustering) or self.clusters()
        return bridge_links(graph, shape, top=top, weights=self._note_weights())

    def joining_count(self, clustering: Clustering | None = None) -> int:
        """How many clustered notes link to another cluster: all the notes `bridges` can
        rank, of which it shows the strongest.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().joining_count()  # one cluster: no note joins two
        0
        """
        graph: KnowledgeGraph = self  # type: ignore[assignment]
        shape = _clustering(clustering) or self.clusters()
        return joining_count(graph, shape, weights=self._note_weights())

    def bridge_scores(self, clustering: Clustering | None = None) -> dict[str, float]:
        """Every clustered note's bridge score (`bridges` ranks the highest): 0.0 for a
        note whose links stay in its cluster; unclustered notes are left out.

        Examples
        --------
        >>> from kg.graph.knowledge import _demo
        >>> _demo().bridge_scores()["a"]
        0.0
        """
        graph: KnowledgeGraph = self  # type: ignore[assignment]
        shape = _clustering(clustering) or self.clusters()
        return bridge_scores(graph, shape, weights=self._note_weights())

    def gaps(
        self,
        clustering: Clustering | None = None,
        *,
        top: int = 10,
        suggestions: int = 20,
        bridges: int = 5,
        min_size: int = 3,
    ) -> Results[Gap]:
        """Pairs of clusters close in meaning but barely linked, each with the notes most
        likely to bridge them and suggested links with the sentences that make them near.

        Parameters
        ----------
        clustering
            The clusters (default: ``self.clusters()``).
        top, suggestions, bridges, min_size
            How many gaps, suggested links a gap, bridging notes a gap; clusters with
            fewer notes with vectors are left out (see `kg.query.gaps.gaps`).

        Returns
        -------
        Results of Gap
            Best gap first; ``.to_frame()`` gives a table.

        Examples
        --------
        >>> import tempfile, pathlib, kg
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> words = {"fold": "Proteins fold into shapes. Enzymes bind their substrates.",
        ...          "misfold": "Misfolded proteins clump. Enzymes lose their shape.",
        ...          "star": "Stars burn hydrogen. Galaxies spin slowly."}
        >>> for c, text in words.items():
        ...     for i in range(3):
        ...         _ = (d / f"{c} {i}.md").write_text(f"{text} [[{c} {(i + 1) % 3}]]")
        >>> g = kg.load(d)
        >>> [len(c.note_ids) for c in g.clusters()], [len(x.suggested) for x in g.gaps()]
        ([3, 3, 3], [9])
        >>> import shutil; shutil.rmtree(d)
        """
        from kg.query.gaps import gaps

        graph: KnowledgeGraph = self  # type: ignore[assignment]
        shape = _clustering(clustering) or self.clusters()
        return gaps(
            graph,
            shape.labels,
            top=top,
            suggestions=suggestions,
            bridges=bridges,
            min_size=min_size,
        )
