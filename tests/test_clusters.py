"""Clusters and bridges (`kg.graph.communities`): planted topics recovered, the same
clusters for the same corpus, ids that one edited sentence does not move, names from
distinctive words, bridges ranked with what comes apart, and the two commands."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from cli_helpers import run_kg

import kg
from benchmarks.corpus.planted import nmi
from kg.graph.communities import LINK_WEIGHTS, note_weights

TOPICS = {
    "glacier": ["ice", "melt", "moraine", "crevasse"],
    "violin": ["bow", "string", "rosin", "luthier"],
    "bread": ["yeast", "dough", "crust", "oven"],
    "comet": ["orbit", "nucleus", "coma", "perihelion"],
}
PER_TOPIC = 15
BRIDGE = "Glacier violin"  # the one note linking glacier notes to violin notes


def title(topic: str, i: int) -> str:
    return f"{topic.title()} {TOPICS[topic][i % 4]} note {i}"


def write_corpus(folder: Path, edited: bool = False) -> dict[str, str]:
    """k planted topics of notes: links mostly inside a topic, a few across; the topic of
    each note's title. `edited` changes one sentence of one note."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    planted = {}
    names = list(TOPICS)
    for topic in names:
        for i in range(PER_TOPIC):
            inside = rng.sample([j for j in range(PER_TOPIC) if j != i], 4)
            links = [f"[[{title(topic, j)}]]" for j in inside]
            if rng.random() < 0.1:  # a few links across topics (never to the glacier/violin pair)
                other = names[(names.index(topic) + 2) % len(names)]
                links.append(f"[[{title(other, rng.randrange(PER_TOPIC))}]]")
            words = " ".join(rng.sample(TOPICS[topic], 3))
            sentence = "An edited sentence." if edited and (topic, i) == ("bread", 3) else "Plain."
            text = f"# {title(topic, i)}\n\nAbout {words}. {sentence}\n\n" + " ".join(links) + "\n"
            (folder / f"{title(topic, i)}.md").write_text(text, encoding="utf-8")
            planted[title(topic, i)] = topic
    links = [f"[[{title('glacier', j)}]] [[{title('violin', j)}]]" for j in range(3)]
    (folder / f"{BRIDGE}.md").write_text(f"# {BRIDGE}\n\n" + " ".join(links) + "\n", "utf-8")
    return planted


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[kg.KnowledgeGraph, dict[str, str]]:
    folder = tmp_path_factory.mktemp("planted")
    topics = write_corpus(folder / "notes")
    return kg.load(folder / "notes", embed="none", index=folder / "index"), topics


def test_clusters_recover_the_planted_topics(planted):
    g, topics = planted
    shape = g.clusters()
    notes = [g.note(t).id for t in topics]
    assert all(shape.of(n) is not None for n in notes)
    score = nmi(list(topics.values()), [shape.of(n) for n in notes])
    assert score >= 0.9, score
    assert len(shape) == len(TOPICS)


def test_the_same_corpus_gives_the_same_clusters(planted, tmp_path):
    g, _ = planted
    again = kg.load(g.root, embed="none", index=tmp_path / "index")
    assert g.clusters() is g.clusters()  # kept on the graph, which does not change
    assert g.clusters(seed=1) == g.clusters(seed=1)
    assert dict(again.clusters().labels) == dict(g.clusters().labels)


def test_one_edited_sentence_keeps_the_cluster_ids(planted, tmp_path):
    g, _ = planted
    write_corpus(tmp_path / "notes", edited=True)
    edited = kg.load(tmp_path / "notes", embed="none", index=tmp_path / "index")
    assert dict(edited.clusters().labels) == dict(g.clusters().labels)
    assert [c.name for c in edited.clusters()] == [c.name for c in g.clusters()]


def test_one_added_link_across_moves_no_note(planted, tmp_path):
    g, _ = planted
    write_corpus(tmp_path / "notes")
    page = tmp_path / "notes" / f"{title('bread', 3)}.md"
    page.write_text(page.read_text("utf-8") + f" [[{title('comet', 4)}]]\n", "utf-8")
    linked = kg.load(tmp_path / "notes", embed="none", index=tmp_path / "index")
    assert dict(linked.clusters().labels) == dict(g.clusters().labels)


def test_clusters_are_named_by_their_distinctive_words(planted):
    g, topics = planted
    for cluster in g.clusters():
        topic = Counter(
            topics[g.note_table.title(n)]
            for n in cluster.note_ids
            if g.note_table.title(n) in topics
        ).most_common(1)[0][0]
        assert cluster.words[0] == topic, (cluster.words, topic)
        assert cluster.name.startswith(topic)
        assert cluster.size >= PER_TOPIC and 0.5 < cluster.inside <= 1
        assert all(topics.get(t) == topic for t in cluster.titles)
    frame_rows = g.clusters().to_records()
    assert [r["id"] for r in frame_rows] == list(range(len(TOPICS)))


def test_clusters_are_numbered_by_their_smallest_note_id(planted):
    shape = planted[0].clusters()
    firsts = [c.note_ids[0] for c in shape]
    assert firsts == sorted(firsts) and [c.id for c in shape] == list(range(len(shape)))


def test_bridges_are_ranked_and_say_what_comes_apart(planted):
    g, _ = planted
    shape = g.clusters()
    found = g.bridges(shape, top=5)
    assert found[0].title == BRIDGE
    # The count the command and the browser give is every note bridges can rank.
    assert g.joining_count(shape) == len(g.bridges(shape, top=10_000)) > 5
    assert [b.score for b in found] == sorted((b.score for b in found), reverse=True)
    top = found[0]
    glacier, violin = (
        shape.of(g.note(title("glacier", 0)).id),
        shape.of(g.note(title("violin", 0)).id),
    )
    assert {top.cluster, *top.joins} == {glacier, violin}
    # Only the bridge joins the glacier and violin topics, and no other topic links them.
    assert top.only_link == tuple(c for c in (glacier, violin) if c != top.cluster)
    # The bridge links both topics equally: on either side, what comes apart without it is
    # the other topic and whatever only that topic links to.
    assert set(top.only_link) <= set(top.apart) and top.cluster not in top.apart
    # Each cluster counts the links it shares with the others, the same from either side.
    linked = {(c.id, other): n for c in shape for other, n in c.linked}
    assert linked and all(linked[b, a] == n for (a, b), n in linked.items())
    assert (glacier, violin) in linked


def test_bridge_links_rank_the_pairs_holding_two_clusters_together(planted):
    g, _ = planted
    shape = g.clusters()
    found = g.bridge_links(shape, top=1000)
    assert found and [b.share for b in found] == sorted((b.share for b in found), reverse=True)
    assert all(b.source_cluster != b.target_cluster for b in found)
    # Every pair of clusters is held together by the whole of its links: shares sum to 1.
    totals: dict[tuple[int, int], float] = {}
    for b in found:
        key = (min(b.source_cluster, b.target_cluster), max(b.source_cluster, b.target_cluster))
        totals[key] = totals.get(key, 0.0) + b.share
    assert all(abs(total - 1.0) < 0.01 for total in totals.values())
    # Only the bridge note links glacier notes to violin notes: each of its pairs there
    # carries a third of what joins the two topics, and no other pair does.
    bridge = g.note(BRIDGE).id
    glacier, violin = (shape.of(g.note(title(t, 0)).id) for t in ("glacier", "violin"))
    between = [b for b in found if {b.source_cluster, b.target_cluster} == {glacier, violin}]
    assert len(between) == 3 and all(bridge in (b.source_id, b.target_id) for b in between)
    assert all(b.share == pytest.approx(1 / 3, abs=0.001) and not b.only for b in between)
    assert all(b.kinds == ("links",) for b in between)
    assert len(g.bridge_links(shape, top=2)) == 2


def test_link_kinds_are_weighted_and_categories_left_out():
    from kg.graph.knowledge import _demo

    assert LINK_WEIGHTS["category"] == 0 and LINK_WEIGHTS["mentions"] < LINK_WEIGHTS["links"]
    weights = note_weights(_demo())
    ids = weights.graph["ids"]
    edges = sorted((ids[a], ids[b], w) for a, b, w in weights.edges(data="weight"))
    assert edges == [("a", "b", 1.0), ("b", "c", 0.3)]  # no stub, no category node


def test_bad_arguments_are_refused(planted):
    with pytest.raises(kg.InvalidArgument):
        planted[0].clusters(resolution=0)
    with pytest.raises(kg.InvalidArgument):
        planted[0].bridges(top=-1)


def test_the_commands_print_text_and_json(planted):
    g, _ = planted
    where = ["--corpus", str(g.root), "--index", str(g.index_folder)]
    text = run_kg("clusters", *where)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(f"{len(TOPICS)} clusters of")
    assert all(len(line) <= 80 for line in text.stdout.splitlines())
    data = json.loads(run_kg("clusters", *where, "--json").stdout)
    assert data["count"] == len(TOPICS)
    assert {c["words"][0] for c in data["clusters"]} == set(TOPICS)
    text = run_kg("bridges", *where, "-n", "3")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[3].split() == ["score", "part.", "note"]  # after the count and the score
    assert BRIDGE in lines[5]  # the strongest bridge first
    assert all(len(line) <= 80 for line in text.stdout.splitlines())
    found = json.loads(run_kg("bridges", *where, "--json").stdout)
    assert found[0]["title"] == BRIDGE and found[0]["apart"]
    text = run_kg("bridges", *where, "--links", "-n", "4")
    assert text.returncode == 0, text.stderr
    every = len(g.bridge_links(top=1000))
    assert text.stdout.startswith(f"the first 4 of {every} linked pairs of notes across")
    assert all(len(line) <= 80 for line in text.stdout.splitlines())
    pairs = json.loads(run_kg("bridges", *where, "--links", "--json").stdout)
    assert [p["share"] for p in pairs] == sorted((p["share"] for p in pairs), reverse=True)
    assert {"source", "target", "kinds", "clusters", "weight", "share", "only"} <= set(pairs[0])
    assert run_kg("clusters", "--help").returncode == 0
