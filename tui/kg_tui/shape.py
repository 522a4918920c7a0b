"""The corpus's shape, read once for the Shape screen: clusters, bridges, gaps and
contested claims as rows to walk, and a colour per cluster the map shares.

Everything here is worked out from kg's public API (`g.clusters()`, `g.bridges()`,
`g.gaps()`, `g.contested()`); `read_shape` runs on a worker thread, as clusters of a big
corpus take seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kg import Clustering, KnowledgeGraph
from kg.errors import KgError
from kg_tui.details import plural

# Colours told apart on dark and light themes alike; a cluster keeps its colour for as
# long as its id stays (an edit of links keeps most ids: `kg.graph.cluster_cache`).
PALETTE = (
    "#e07b39",
    "#4f9fd8",
    "#6bbf59",
    "#c967c9",
    "#d6b43c",
    "#45b5aa",
    "#e0606e",
    "#8f8fe0",
)
SUGGESTED = 3  # suggested links listed under each gap
BRIDGES = 8  # bridges listed
CENTRAL = 3  # central titles listed under a cluster


def disagreements(graph: KnowledgeGraph, note_id: str) -> int:
    """How many disagreeing relations touch the note (the graph counts them once)."""
    return graph.disagreement_counts().get(note_id, 0)


def cluster_colour(cluster_id: int | None) -> str:
    """The colour of a cluster (a note in none: empty, the theme's own).

    >>> cluster_colour(0), cluster_colour(8) == cluster_colour(0), cluster_colour(None)
    ('#e07b39', True, '')
    """
    return "" if cluster_id is None else PALETTE[cluster_id % len(PALETTE)]


@dataclass(frozen=True)
class ClusterColours:
    """Each clustered note's cluster in `graph`, and the clusters' names: what the map
    colours its nodes and writes its legend with when coloured by cluster."""

    graph: KnowledgeGraph
    labels: dict[str, int]
    names: dict[int, str]

    @classmethod
    def of(cls, graph: KnowledgeGraph) -> ClusterColours:
        clustering = graph.clusters()
        return cls(graph, dict(clustering.labels), {c.id: c.name for c in clustering})

    def colour(self, note_id: str) -> str:
        return cluster_colour(self.labels.get(note_id))

    def legend(self, note_ids: list[str], width: int, rows: int) -> list[list[tuple[str, str]]]:
        """The clusters of `note_ids` as legend entries (colour, '#id name'), most notes
        first, on up to `rows` lines of `width` cells.

        >>> shown = ClusterColours(None, {"a": 0, "b": 1, "c": 1}, {0: "x · y", 1: "z"})  # type: ignore[arg-type]
        >>> shown.legend(["a", "b", "c", "d"], 40, 2)
        [[('#4f9fd8', '#1 z'), ('#e07b39', '#0 x · y')]]
        >>> shown.legend(["a", "b"], 10, 2)
        [[('#e07b39', '#0 x · y')], [('#4f9fd8', '#1 z')]]
        """
        counts: dict[int, int] = {}
        for note_id in note_ids:
            found = self.labels.get(note_id)
            if found is not None:
                counts[found] = counts.get(found, 0) + 1
        lines: list[list[tuple[str, str]]] = [[]]
        used = 0
        for cluster in sorted(counts, key=lambda c: (-counts[c], c)):
            text = f"#{cluster} {self.names.get(cluster, '')}"[: max(1, width - 2)]
            if lines[-1] and used + len(text) + 4 > width:
                if len(lines) == rows:
                    break
                lines.append([])
                used = 0
            lines[-1].append((cluster_colour(cluster), text))
            used += len(text) + 4
        return [line for line in lines if line]


@dataclass(frozen=True)
class Row:
    """One line (or a few) of the Shape screen.

    `kind` is 'heading', 'note', 'cluster', 'member', 'bridge', 'gap', 'bridging', 'link',
    'contest', 'claim' or 'side'; `note_id` what Enter (or o) opens (none on a heading),
    `other` the second note of a pair (a suggested link, a contested pair), `cluster` the
    cluster it is coloured by, `text` the row, `detail` what the details line says of it,
    `key` a row's own id (clusters 'c<id>', gaps 'g<id>-<id>': the rows that open and
    close to list notes under them).
    """

    kind: str
    text: str
    note_id: str = ""
    cluster: int | None = None
    detail: str = ""
    key: str = ""
    other: str = ""


@dataclass(frozen=True)
class Shape:
    """The rows of each section, and what could not be read (gaps need vectors).

    `members` lists each cluster's notes and `bridging` each gap's bridging notes (by the
    row's key), shown when its row is opened; `joining` counts every note that joins
    clusters, of which `bridges` lists the strongest.
    """

    notes: int
    clusters: tuple[Row, ...]
    members: dict[int, tuple[Row, ...]]
    bridges: tuple[Row, ...]
    gaps: tuple[Row, ...]
    contests: tuple[Row, ...]
    labels: dict[str, int]
    missing: str = ""
    joining: int = 0
    bridging: dict[str, tuple[Row, ...]] = field(default_factory=dict)
    claims: tuple[Row, ...] = ()


STEPS = ("clusters", "bridges", "gaps", "contested claims")


def _percent(share: float) -> str:
    return f"{round(100 * share)}%"


def _title(graph: KnowledgeGraph, note_id: str) -> str:
    note = graph.find(note_id)
    return note.title if note is not None else note_id


NBSP = "\u00a0"  # kept whole by the list's wrapping (`kg_tui.widgets.hanging`)


def with_count(graph: KnowledgeGraph, text: str, note_id: str) -> str:
    """`text` with the note's count of disagreements after it, when it has any.

    >>> class Corpus:  # a stand-in for a graph: only its counts are asked for
    ...     def disagreement_counts(self):
    ...         return {"a": 2, "b": 1}
    >>> corpus = Corpus()
    >>> [with_count(corpus, t, i) for t, i in (("A", "a"), ("B", "b"), ("C", "c"))]  # type: ignore[arg-type]
    ['A · 2\xa0disagreements', 'B · 1\xa0disagreement', 'C']
    """
    count = disagreements(graph, note_id)
    # A no-break space: the figure never ends a line without its word (`hanging._wrap`).
    return f"{text} · {plural(count, 'disagreement').replace(' ', NBSP)}" if count else text


def _cluster_rows(
    graph: KnowledgeGraph, clustering: Clustering
) -> tuple[list[Row], dict[int, tuple[Row, ...]]]:
    clusters: list[Row] = []
    members: dict[int, tuple[Row, ...]] = {}
    for cluster in clustering.largest(len(clustering)):
        central = " · ".join(cluster.titles[:CENTRAL])
        clusters.append(
            Row(
                "cluster",
                f"#{cluster.id} {cluster.name} — {cluster.size} notes, "
                f"{_percent(cluster.inside)} of links inside",
                cluster.central[0] if cluster.central else "",
                cluster.id,
                f"central: {central}" if central else "",
                key=f"c{cluster.id}",
            )
        )
        first = [i for i in cluster.central if i in cluster.note_ids]
        rest = [i for i in cluster.note_ids if i not in first]
        rows = []
        for note_id in first + rest:
            title = _title(graph, note_id)
            rows.append(
                Row("member", with_count(graph, title, note_id), note_id, cluster.id, title)
            )
        members[cluster.id] = tuple(rows)
    return clusters, members


def _bridge_rows(graph: KnowledgeGraph, clustering: Clustering) -> tuple[list[Row], int]:
    rows = []
    for bridge in graph.bridges(clustering, top=BRIDGES):
        joins = ", ".join(f"#{j}" for j in bridge.joins)
        apart = f"; without it #{bridge.cluster} loses {len(bridge.apart)}" if bridge.apart else ""
        text = f"{bridge.title} — #{bridge.cluster} to {joins} · score {bridge.score:.2f}"
        rows.append(
            Row(
                "bridge",
                with_count(graph, text, bridge.note_id),
                bridge.note_id,
                bridge.cluster,
                f"score {bridge.score:.2f}: participation {bridge.participation:.2f} (0-1, "
                f"1 = links spread evenly over clusters) × weight of links across{apart}",
            )
        )
    return rows, graph.joining_count(clustering)


def _gap_rows(
    graph: KnowledgeGraph, clustering: Clustering, names: dict[int, str]
) -> tuple[list[Row], dict[str, tuple[Row, ...]], str]:
    rows: list[Row] = []
    bridging: dict[str, tuple[Row, ...]] = {}
    try:
        found = list(graph.gaps(clustering, suggestions=SUGGESTED))
    except KgError as error:
        return [], {}, str(error)
    for gap in found:
        a, b = gap.first, gap.second
        key = f"g{a}-{b}"
        near = ", ".join(_title(graph, i) for i in gap.bridging[:CENTRAL])
        rows.append(
            Row(
                "gap",
                f"#{a} {names.get(a, '')} ↔ #{b} {names.get(b, '')} — score {gap.score:.2f}, "
                f"{plural(gap.links, 'note pair')} linked ({gap.expected:.1f} expected)",
                gap.bridging[0] if gap.bridging else "",
                a,
                f"similarity {gap.similarity:.2f}; sizes {gap.sizes[0]} and {gap.sizes[1]}"
                + (f"; bridging: {near}" if near else ""),
                key=key,
            )
        )
        bridging[key] = tuple(
            Row(
                "bridging",
                with_count(graph, f"bridging: {_title(graph, i)}", i),
                i,
                clustering.of(i),
                f"one of the notes nearest in meaning to both #{a} and #{b}, most likely "
                "to bridge them",
            )
            for i in gap.bridging
        )
        for link in gap.suggested[:SUGGESTED]:
            rows.append(
                Row(
                    "link",
                    f"{link.similarity:.2f} {_title(graph, link.source)} ↔ "
                    f"{_title(graph, link.target)}",
                    link.source,
                    a,
                    f"{link.source_sentence} ↔ {link.target_sentence}",
                    other=link.target,
                )
            )
    return rows, bridging, ""


def _contest_rows(graph: KnowledgeGraph, clustering: Clustering) -> tuple[list[Row], list[Row]]:
    contests = []
    for contest in graph.contested():
        said = contest.said or contest.sentence
        other = f"other side: {contest.target_claim}" if contest.target_claim else ""
        contests.append(
            Row(
                "contest",
                f"{contest.source_title} — {contest.label} → {contest.target_title}",
                contest.source,
                clustering.of(contest.source),
                " · ".join(p for p in (said, other) if p),
                other=contest.target,
            )
        )
    claims = []
    for claim in graph.contested_claims():
        claims.append(
            Row(
                "claim",
                f"Claim of {claim.title} — {len(claim.supporting)} for, "
                f"{len(claim.contradicting)} against",
                claim.note,
                clustering.of(claim.note),
                f"claim: {claim.claim}" if claim.claim else "",
            )
        )
        for mark, sides in (("+", claim.supporting), ("−", claim.contradicting)):
            for side in sides:
                claims.append(
                    Row(
                        "side",
                        f"{mark} {side.label}: {side.title}",
                        side.note,
                        clustering.of(side.note),
                        side.said,
                    )
                )
    return contests, claims


def read_shape(graph: KnowledgeGraph, step: Callable[[str], object] | None = None) -> Shape:
    """Everything the Shape screen lists, from the graph's public API; `step` is told the
    name of each part (`STEPS`) as its work starts."""
    say = step or (lambda name: None)
    say(STEPS[0])
    clustering = graph.clusters()
    names = {c.id: c.name for c in clustering}
    clusters, members = _cluster_rows(graph, clustering)
    say(STEPS[1])
    bridges, joining = _bridge_rows(graph, clustering)
    say(STEPS[2])
    gaps, bridging, missing = _gap_rows(graph, clustering, names)
    say(STEPS[3])
    contests, claims = _contest_rows(graph, clustering)
    return Shape(
        notes=len(clustering.labels) + len(clustering.unclustered),
        clusters=tuple(clusters),
        members=members,
        bridges=tuple(bridges),
        gaps=tuple(gaps),
        contests=tuple(contests),
        labels=dict(clustering.labels),
        missing=missing,
        joining=joining,
        bridging=bridging,
        claims=tuple(claims),
    )
