"""Gaps between clusters (`kg.query.gaps`) on a corpus with planted topics."""

from __future__ import annotations

import json
from typing import Any

import pytest

import kg
from benchmarks.corpus.planted import generate, nmi
from kg.cli import main
from kg.errors import InvalidArgument
from kg.query.gaps import Gap, SuggestedLink, gaps


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    """6 groups of 30 notes; 0 and 1 near in meaning and linked a little, 20 % of their
    links removed; 2-3 and 4-5 linked more, far in meaning."""
    folder = tmp_path_factory.mktemp("planted") / "corpus"
    truth = generate(
        folder, groups=6, per_group=30, near=[(0, 1)], linked=[(2, 3), (4, 5)],
        remove=(0, 1, 0.2), seed=7,
    )  # fmt: skip
    return kg.load(folder), truth


def _ids(graph: Any) -> dict[str, str]:
    return {n.title: n.id for n in graph.notes()}


def test_the_clusters_recover_the_planted_groups(planted: Any) -> None:
    graph, truth = planted
    clusters, ids = graph.clusters().labels, _ids(graph)
    titles = sorted(truth["groups"])
    score = nmi([truth["groups"][t] for t in titles], [clusters[ids[t]] for t in titles])
    assert score >= 0.9


def test_the_gap_between_the_thinned_groups_comes_first(planted: Any) -> None:
    graph, truth = planted
    clusters, ids = graph.clusters().labels, _ids(graph)
    thinned = {clusters[ids[t]] for t, g in truth["groups"].items() if g in (0, 1)}
    found = gaps(graph, clusters)
    assert isinstance(found[0], Gap) and {found[0].first, found[0].second} == thinned
    assert found[0].score == max(g.score for g in found)
    removed = {frozenset((ids[a], ids[b])) for a, b in truth["removed"]}
    suggested = {frozenset((s.source, s.target)) for s in found[0].suggested}
    assert len(found[0].suggested) == 20 and len(removed) == 4
    assert len(removed & suggested) >= len(removed) / 2


def test_suggestions_are_unlinked_pairs_across_with_their_own_sentences(planted: Any) -> None:
    graph, _ = planted
    clusters = graph.clusters().labels
    linked = {frozenset((lk.source, lk.target)) for lk in graph.links}
    for gap in gaps(graph, clusters, top=3, suggestions=10):
        assert gap.first < gap.second and gap.links >= 0 and gap.expected > 0
        assert {clusters[i] for i in gap.bridging} <= {gap.first, gap.second}
        for s in gap.suggested:
            assert isinstance(s, SuggestedLink)
            assert frozenset((s.source, s.target)) not in linked
            assert {clusters[s.source], clusters[s.target]} == {gap.first, gap.second}
            for note_id, sentence, file, line in (
                (s.source, s.source_sentence, s.source_file, s.source_line),
                (s.target, s.target_sentence, s.target_file, s.target_line),
            ):
                note = graph.note(note_id)
                assert file == note.files[0]
                written = (graph.root / file).read_text().splitlines()[line - 1]
                assert sentence in written.replace("[[", "").replace("]]", "")


def test_counts_are_checked_and_few_clusters_give_no_gaps(planted: Any) -> None:
    graph, _ = planted
    with pytest.raises(InvalidArgument):
        gaps(graph, {}, top=-1)
    with pytest.raises(InvalidArgument):
        gaps(graph, {}, min_size=0)
    assert gaps(graph, {}) == []
    assert gaps(graph, dict.fromkeys(_ids(graph).values(), 0)) == []


def test_kg_gaps_prints_text_and_json(planted: Any, capsys: pytest.CaptureFixture[str]) -> None:
    graph, _ = planted
    corpus = str(graph.root)
    assert main(["gaps", "--corpus", corpus, "-k", "2", "-s", "2"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("2 gaps") and all(len(line) <= 80 for line in text.splitlines())
    assert main(["gaps", "--corpus", corpus, "-k", "1", "-s", "3", "--json"]) == 0
    (gap,) = json.loads(capsys.readouterr().out)
    assert len(gap["suggested"]) == 3 and {"first", "second", "score"} <= set(gap)


def test_only_pairs_alike_and_linked_less_than_predicted_are_gaps(planted: Any) -> None:
    """Of the 15 pairs of planted groups, the far ones linked by design (2-3, 4-5) and most
    far ones are no gaps; the thinned pair, near in meaning, is far ahead of any other;
    a gap always has fewer links than predicted."""
    graph, truth = planted
    clusters, ids = graph.clusters().labels, _ids(graph)
    thinned = {clusters[ids[t]] for t, g in truth["groups"].items() if g in (0, 1)}
    linked = [
        {clusters[ids[t]] for t, g in truth["groups"].items() if g in pair}
        for pair in ((2, 3), (4, 5))
    ]
    found = gaps(graph, clusters, top=100, suggestions=1)
    pairs = [{g.first, g.second} for g in found]
    assert pairs[0] == thinned and not any(pair in pairs for pair in linked)
    assert len(found) <= 5 and all(g.links < g.expected for g in found)
    assert all(found[0].score > 2 * g.score for g in found[1:])
