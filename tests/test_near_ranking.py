"""`near` ranks by whole notes (bodies included), shared words and shared neighbours, with
weights read from the file kg ships, and says which vectors it ranked with."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from fake_embedder import FakeEmbedder

import kg
from kg.embed.files import MANIFEST
from kg.query.related import NearWeights, graph_scores

NOTES = {
    # The note whose neighbours are asked for.
    "Descaling the kettle": "Limescale builds up inside a kettle where the water is hard. "
    "Boil white vinegar with water, leave it for an hour, then rinse twice.",
    # Its neighbour by body only: no word of the title is shared.
    "Sunday routine": "Every few weeks I boil white vinegar with water to dissolve the "
    "limescale, leave it for an hour and rinse twice.",
    # Titles that share a word with it, bodies that do not.
    "Kettle brands": "Brands differ in price, colour and warranty; some have a glass body.",
    "Kettle history": "The electric model was patented early and spread after the war.",
    "Descaling schedules": "Calendars, reminders and lists keep a household on time.",
    # Two notes joined only through what both link to.
    "Tide tables": "Harbour times are printed each month. See [[Moon phases]].",
    "Fishing trips": "Trips start before dawn on calm days. See [[Moon phases]].",
    "Moon phases": "The moon waxes and wanes over a month.",
    "Bread baking": "Flour, water, salt and yeast rest overnight before the oven.",
}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("vault")
    for title, body in NOTES.items():
        (folder / f"{title}.md").write_text(body + "\n", encoding="utf-8")
    return folder, tmp_path_factory.mktemp("index")


@pytest.fixture(scope="module")
def graph(vault: tuple[Path, Path]) -> kg.KnowledgeGraph:
    folder, index = vault
    return kg.load(folder, index=index, embedder=FakeEmbedder(), embed=True)


def test_near_finds_the_note_whose_body_matches_though_its_title_shares_nothing(graph):
    for weights in (None, NearWeights(1.0, 0.0, 0.0)):  # shipped, and meaning alone
        found = graph.near("Descaling the kettle", k=3, weights=weights)
        assert found[0].note.title == "Sunday routine", [n.note.title for n in found]


def test_a_notes_vector_is_its_whole_note_not_its_title(graph):
    store = graph.embeddings
    kettle = store.note_vector(graph.note("Descaling the kettle").id)
    routine = store.note_vector(graph.note("Sunday routine").id)
    brands = store.note_vector(graph.note("Kettle brands").id)
    assert float(kettle @ routine) > float(kettle @ brands)


def test_near_ranks_notes_that_share_neighbours_by_the_graph_signal(graph):
    found = graph.near("Tide tables", k=2, weights=NearWeights(0.0, 0.0, 1.0))
    assert found[0].note.title == "Fishing trips"
    assert found[0].score == pytest.approx(1.0)  # the graph signal is scaled to its best


def test_hidden_links_do_not_count_in_the_graph_signal(graph):
    tide, fishing = graph.note("Tide tables").id, graph.note("Fishing trips").id
    moon = graph.note("Moon phases").id
    assert graph_scores(graph, tide, [fishing])[0] > 0
    assert graph_scores(graph, tide, [fishing], hidden={moon})[0] == 0


def test_near_weights_are_read_from_the_file_kg_ships(graph):
    text = resources.files("kg").joinpath("data", "near_weights.json").read_text("utf-8")
    data = json.loads(text)["weights"]
    shipped = NearWeights.shipped()
    assert (shipped.meaning, shipped.words, shipped.graph) == (
        data["meaning"],
        data["words"],
        data["graph"],
    )
    assert sum(data.values()) == pytest.approx(1.0)
    default = graph.near("Tide tables", k=5)
    explicit = graph.near("Tide tables", k=5, weights=shipped)
    assert [(n.note.id, n.score) for n in default] == [(n.note.id, n.score) for n in explicit]


def test_near_says_which_vectors_ranked_it(graph):
    found = graph.near("Descaling the kettle", k=2)
    assert {n.vectors for n in found} == {"fake-hashing-embedder"}


def test_note_vectors_of_an_older_recipe_are_summed_again_without_embedding(vault, graph):
    folder, index = vault
    manifest = json.loads((index / MANIFEST).read_text())
    manifest["note_vectors"] = "title-description-claim"
    (index / MANIFEST).write_text(json.dumps(manifest))
    embedder = FakeEmbedder()
    again = kg.load(folder, index=index, embedder=embedder, embed=True)
    assert embedder.texts_embedded == 0
    np.testing.assert_allclose(again.embeddings.matrix, graph.embeddings.matrix, atol=1e-6)
