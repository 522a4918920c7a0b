"""The shipped model's whole-note vectors: computed after the static index, kept in the index
folder, used by `near` and search once every note has one (in place, in the same graph), said
on every result, and kept current by an edit that re-embeds only the edited note."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kg
from kg.embed.notevectors import FOLDER, NoteVectors, headline_text, note_text

pytestmark = pytest.mark.model

KG = (sys.executable, "-m", "kg.cli")


def index_json(folder, index) -> dict:
    """What `kg index FOLDER --index INDEX --json` reports, run in a process of its own."""
    done = subprocess.run(
        [*KG, "index", str(folder), "--index", str(index), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)


NOTES = {
    "Descaling the kettle": "Limescale builds up inside a kettle where the water is hard. "
    "Boil white vinegar with water, leave it for an hour, then rinse twice.",
    "Sunday routine": "Every few weeks I boil vinegar in the kettle to dissolve the scale.",
    "Tide tables": "Harbour times are printed each month. See [[Moon phases]].",
    "Moon phases": "The moon waxes and wanes over a month.",
    "Bread baking": "Flour, water, salt and yeast rest overnight before the oven.",
}


def _model() -> None:
    from kg.embed.models import DEFAULT_MODEL, find_model_folder
    from kg.errors import ModelUnavailable

    try:
        find_model_folder(DEFAULT_MODEL)
    except ModelUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, Path]:
    _model()
    folder = tmp_path / "vault"
    folder.mkdir()
    for title, body in NOTES.items():
        (folder / f"{title}.md").write_text(body + "\n", encoding="utf-8")
    return folder, tmp_path / "index"


def _cosines(graph: kg.KnowledgeGraph, centre: str) -> dict[str, float]:
    """The model's own cosine of each note's whole text with the centre's (the reference)."""
    vectors = graph.note_vectors
    notes = [n for n in vectors.notes() if not n.stub]
    matrix = vectors.embed(notes)
    at = [n.title for n in notes].index(centre)
    return {n.id: float(s) for n, s in zip(notes, matrix @ matrix[at], strict=True)}


def test_near_says_static_vectors_until_the_whole_note_vectors_arrive_then_upgrades_in_place(
    vault,
):
    folder, index = vault
    graph = kg.load(folder, index=index)
    meaning_only = {"meaning": 1.0}
    before = graph.near("Descaling the kettle", k=3, weights=meaning_only)
    assert {n.vectors for n in before} == {graph.embeddings.model}
    assert graph.embeddings.model.startswith("static:")
    assert graph.note_vectors is not None and not graph.note_vectors.ready

    assert graph.embed_notes(background=True) == 0  # a thread does the work
    assert graph.note_vectors.wait(timeout=300)
    assert graph.note_vectors.ready and graph.note_vectors.error == ""

    after = graph.near("Descaling the kettle", k=3, weights=meaning_only)  # the same graph
    assert {n.vectors for n in after} == {graph.note_vectors.label}
    assert "whole note" in after[0].vectors
    # Ranked by the model's cosine of the whole notes, score for score.
    reference = _cosines(graph, "Descaling the kettle")
    for found in after:
        assert found.score == pytest.approx(reference[found.note.id], abs=1e-4)
    assert after[0].note.title == "Sunday routine"


def test_search_says_which_vectors_scored_its_meaning_and_upgrades_too(vault):
    folder, index = vault
    graph = kg.load(folder, index=index)
    query = "getting rid of mineral deposits in a water boiler"
    first = [h for h in graph.search(query, k=5) if "meaning" in h.matched]
    assert first and {h.vectors for h in first} == {graph.embeddings.model}
    graph.embed_notes()
    again = [h for h in graph.search(query, k=5) if "meaning" in h.matched]
    assert again and {h.vectors for h in again} == {graph.note_vectors.label}
    assert again[0].note.title in ("Descaling the kettle", "Sunday routine")


def test_the_vectors_are_kept_in_the_index_and_a_new_process_uses_them(vault):
    folder, index = vault
    report = index_json(folder, index)["note_vectors"]
    assert report["embedded"] == len(NOTES)
    assert report["missing"] == 0
    assert any((index / FOLDER).glob("*.npz"))
    shown = subprocess.run(
        [*KG, "near", "Tide tables", "--corpus", str(folder), "--index", str(index), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = json.loads(shown.stdout)
    rows = rows["near"] if isinstance(rows, dict) else rows
    assert rows and all(r["vectors"] for r in rows)
    # Opened again, nothing is embedded: every note keeps its vector.
    graph = kg.load(folder, index=index)
    assert graph.note_vectors.ready and graph.embed_notes() == 0


def _rows(vectors: NoteVectors) -> dict[str, np.ndarray]:
    ids = vectors.ids()
    return {i: row.copy() for i, row in zip(ids, vectors.rows_for(ids), strict=True)}


def test_an_edit_keeps_the_model_off_the_load_then_upgrades_in_the_background(vault):
    from kg.embed.models import model_starts

    folder, index = vault
    graph = kg.load(folder, index=index)
    assert graph.embed_notes() == len(graph.note_vectors.ids())
    kept = _rows(graph.note_vectors)
    path = folder / "Bread baking.md"
    path.write_text(path.read_text(encoding="utf-8") + "Rye needs a starter.\n", "utf-8")

    # The update never starts the model (a new process: nothing was started before).
    script = (
        "import sys, kg\n"
        "from kg.embed.models import model_starts\n"
        "g = kg.load(sys.argv[1], index=sys.argv[2])\n"
        "print(g.index_update.mode, model_starts(), len(g.note_vectors.missing()))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(index)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert shown.stdout.split() == ["updated", "0", "1"]

    edited = kg.load(folder, index=index)  # as `kg index`, `kg watch` and the browser do
    started = model_starts()
    vectors = edited.note_vectors
    # The edited note waits on its static vector, and near and search say they ranked
    # with the static vectors.
    assert vectors.embedded == 0 and not vectors.ready
    assert [n.title for n in vectors.missing()] == ["Bread baking"]
    meaning_only = {"meaning": 1.0}
    before = edited.near("Bread baking", k=3, weights=meaning_only)
    assert {n.vectors for n in before} == {edited.embeddings.model}
    query = "getting rid of mineral deposits in a water boiler"
    hits = [h for h in edited.search(query, k=5) if "meaning" in h.matched]
    assert hits and {h.vectors for h in hits} == {edited.embeddings.model}
    assert model_starts() == started  # the first search did not start it either

    edited.embed_notes(background=True)  # as `kg watch` and the browser do after an edit
    assert vectors.wait(timeout=300) and vectors.ready
    assert vectors.embedded == 1  # the edited note only
    assert model_starts() <= started + 1  # one model per process, shared by every graph
    after = edited.near("Bread baking", k=3, weights=meaning_only)  # the same graph
    assert {n.vectors for n in after} == {vectors.label}
    hits = [h for h in edited.search(query, k=5) if "meaning" in h.matched]
    assert hits and {h.vectors for h in hits} == {vectors.label}
    rows = _rows(vectors)
    bread = edited.note("Bread baking").id
    for note_id, row in kept.items():
        if note_id == bread:
            assert not np.allclose(rows[note_id], row)
        else:
            np.testing.assert_array_equal(rows[note_id], row)


def _kept_vectors(index: Path) -> int:
    """How many whole-note vectors the index folder holds, read anew from its files."""
    from kg.embed.notefile import NoteVectorFile

    model = {p.name.split("-")[0].removesuffix(".npz") for p in (index / FOLDER).glob("*.npz")}
    assert len(model) == 1  # one model's files
    (base,) = (index / FOLDER).glob(f"{model.pop()}.npz")
    with np.load(base, allow_pickle=False) as data:
        name = str(data["model"])
    return len(NoteVectorFile(index, name))


def test_vectors_of_edited_and_removed_notes_are_pruned_when_the_index_is_written(vault):
    folder, index = vault
    kg.load(folder, index=index).embed_notes()
    notes = len(kg.load(folder, index=index).note_vectors.ids())
    assert _kept_vectors(index) == notes
    path = folder / "Bread baking.md"
    path.write_text(path.read_text(encoding="utf-8") + "Rye needs a starter.\n", "utf-8")
    edited = kg.load(folder, index=index)
    assert _kept_vectors(index) == notes  # the load writes no vectors
    assert edited.embed_notes() == 1
    # The edited note's earlier vector is gone with the run that embedded its new one.
    assert _kept_vectors(index) == notes and edited.note_vectors.pruned == 1

    (folder / "Moon phases.md").unlink()
    report = index_json(folder, index)["note_vectors"]
    # Computed now, or by a process of its own after an edit in place.
    assert report["missing"] == 0 or report["pending"] >= 1
    _wait_for_background(index)
    left = kg.load(folder, index=index).note_vectors
    assert left.ready
    # "Moon phases" is a stub now (Tide tables links to it): its text changed, so its
    # vector is embedded again; the vector of the note it was is dropped.
    assert _kept_vectors(index) == len(left.ids())


def _wait_for_background(index: Path, timeout: float = 300.0) -> None:
    """Wait for the processes computing an edit's vectors (`kg.index.pending`) to end."""
    import time

    from kg.index.pending import running

    waited = time.monotonic()
    while running(index):
        assert time.monotonic() - waited < timeout, "the background process never ended"
        time.sleep(0.2)


def test_kg_index_after_an_edit_leaves_the_model_to_a_process_that_upgrades_near(vault):
    folder, index = vault
    subprocess.run([*KG, "index", str(folder), "--index", str(index)], check=True, timeout=600)
    path = folder / "Bread baking.md"
    path.write_text(path.read_text(encoding="utf-8") + "Rye needs a starter.\n", "utf-8")
    report = index_json(folder, index)["note_vectors"]
    assert report["pending"] == 1 and report["embedded"] == 0
    assert f"process {report['background_process']}" in report["said"]

    def near_vectors() -> set[str]:
        shown = subprocess.run(
            [*KG, "near", "Bread baking", "--json", "--corpus", str(folder), "--index", str(index)],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        return {row["vectors"] for row in json.loads(shown.stdout)}

    # Until the vector arrives near says it used the static vectors (unless the process
    # was already done: it starts the model, seconds at best).
    first = near_vectors()
    _wait_for_background(index)
    graph = kg.load(folder, index=index, embed="stored")
    assert graph.note_vectors.ready and not graph.note_vectors.missing()
    after = near_vectors()
    assert all("whole note" in v for v in after), after
    assert first == after or not any("whole note" in v for v in first)
    assert not (index / FOLDER / "pending.log").read_text(encoding="utf-8")


def test_a_notes_text_is_the_whole_note_and_its_headline_only_where_it_has_one():
    from kg.model import Note, NoteKind, Paragraph

    line = Note("a", "Why A?", NoteKind.LINE, description="About A.", body=(Paragraph("B.", 2),))
    assert note_text(line) == "Why A?\nAbout A.\nB."
    assert headline_text(line) == "Why A?\nAbout A."
    vault_note = Note("b", "B", NoteKind.SYNTHESIS, body=(Paragraph("Text.", 1),))
    assert headline_text(vault_note) == ""


def test_vectors_of_another_model_are_never_used(vault):
    folder, index = vault
    graph = kg.load(folder, index=index)
    graph.embed_notes()

    class Other:
        name, dim, fingerprint = "other-model", 384, "x"

        def encode(self, texts):
            return np.ones((len(texts), 384), dtype=np.float32)

    again = kg.load(folder, index=index)
    other = NoteVectors(again, Other(), index)
    assert not other.ready and len(other.missing()) == len(other.notes())


@pytest.mark.asyncio
async def test_the_browser_computes_them_in_the_background_and_near_then_uses_them(
    vault, monkeypatch
):
    import kg_tui.app
    from kg_tui.app import KgApp
    from kg_tui.widgets.near_list import NearList

    monkeypatch.setattr(kg_tui.app, "NOTE_VECTORS_AFTER", 0.1)
    folder, index = vault
    assert not kg.load(folder, index=index).note_vectors.ready  # static vectors only
    app = KgApp(folder, index=index, start="Descaling the kettle")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(1200):  # the model embeds 5 notes: seconds, a minute under load
            await pilot.pause(0.1)
            graph = app.graph
            if graph is not None and graph.note_vectors.ready and not graph.embedding_notes:
                break
        assert app.graph.note_vectors.ready
        await pilot.pause(0.5)
        said = [n.message for n in app._notifications]
        assert any("in the background" in m for m in said), said
        assert any("ready" in m for m in said), said
        app.main_screen.rank_near_again()
        rows: list = []
        for _ in range(600):
            await pilot.pause(0.1)
            rows = list(app.query_one(NearList).rows.values())
            if rows and all("whole note" in row.vectors for row in rows):
                break
        assert rows and all("whole note" in row.vectors for row in rows), rows
        from kg_tui import features

        _, how = features.search(app.graph, "getting rid of mineral deposits in a water boiler")
        assert "whole-note vectors" in how


@pytest.fixture
def described(tmp_path: Path) -> tuple[Path, Path]:
    """A vault whose notes have descriptions (a headline of their own) in front matter."""
    _model()
    folder = tmp_path / "described"
    folder.mkdir()
    for title, body in NOTES.items():
        about = f"What {title.lower()} takes, in short."
        text = f"---\ndescription: {about}\n---\n{body}\n"
        (folder / f"{title}.md").write_text(text, encoding="utf-8")
    return folder, tmp_path / "index"


def test_near_ranks_by_the_whole_note_and_search_by_the_headline_blended_in(described):
    from kg.embed.models import normalize
    from kg.embed.notevectors import HEADLINE_SHARE, blend

    folder, index = described
    graph = kg.load(folder, index=index)
    graph.embed_notes()
    vectors = graph.note_vectors
    notes = [n for n in vectors.notes() if not n.stub]
    assert all(headline_text(n) for n in notes)
    # near: the plain model's cosine of the whole notes, score for score (overlap 1).
    plain = _cosines(graph, "Descaling the kettle")
    near = graph.near("Descaling the kettle", k=10, weights={"meaning": 1.0})
    assert {n.vectors for n in near} == {vectors.label}
    for found in near:
        assert found.score == pytest.approx(plain[found.note.id], abs=1e-4)
    # search: the headline's vector blended in at HEADLINE_SHARE, said so.
    whole = vectors.embed(notes)
    heads = normalize(np.asarray(vectors.embedder.encode([headline_text(n) for n in notes])))
    blended = blend(whole, heads, HEADLINE_SHARE)
    ids, matrix = vectors.search_matrix()
    at = {note_id: i for i, note_id in enumerate(ids)}
    for row, note in zip(blended, notes, strict=True):
        np.testing.assert_allclose(matrix[at[note.id]], row, atol=2e-3)  # float16 headlines
    query = "getting rid of mineral deposits in a water boiler"
    hits = [h for h in graph.search(query, k=5) if "meaning" in h.matched]
    assert hits and {h.vectors for h in hits} == {vectors.search_label}
    assert vectors.search_label != vectors.label and "headline" in vectors.search_label


def test_blended_vectors_an_older_kg_kept_are_converted_not_embedded_again(described):
    from kg.embed.models import normalize
    from kg.embed.notevectors import KEYS
    from kg.embed.oldnotevectors import LEGACY_RECIPE, LEGACY_SHARE
    from kg.embed.textcache import TextVectorCache, text_key

    folder, index = described
    graph = kg.load(folder, index=index)
    graph.embed_notes()
    vectors = graph.note_vectors
    rows = _rows(vectors)
    notes = vectors.notes()
    heads = normalize(np.asarray(vectors.embedder.encode([headline_text(n) for n in notes])))
    # The file an older kg wrote: one vector per note, whole note and headline blended,
    # keyed by the note's hash; one note's under its texts (a still older kg's file).
    name, stamp = vectors.embedder.name, vectors.embedder.fingerprint
    by_hash = TextVectorCache(index, f"{name}|{stamp}|{LEGACY_RECIPE}|{KEYS}")
    by_text = TextVectorCache(index, f"{name}|{stamp}|{LEGACY_RECIPE}")
    for i, note in enumerate(notes):
        old = normalize((1 - LEGACY_SHARE) * rows[note.id] + LEGACY_SHARE * heads[i])
        if i == 0:
            by_text.put(
                f"{LEGACY_RECIPE}\x1f{LEGACY_SHARE}\x1f{note_text(note)}\x1f{headline_text(note)}",
                old,
            )
        else:
            digest = vectors._digest(note.id).hex()
            key = text_key(f"{LEGACY_RECIPE}\x1f{LEGACY_SHARE}\x1fnote-hash\x1f{digest}")
            by_hash._load()
            by_hash._vectors[key] = by_hash._new[key] = old
    by_hash.save()
    by_text.save()
    older = [index / FOLDER / p.path.name for p in (by_hash, by_text)]
    for path in (by_hash.path, by_text.path):
        path.rename(index / FOLDER / path.name)
    for path in (index / FOLDER).glob("*"):
        if path not in older:
            path.unlink()

    again = kg.load(folder, index=index)
    assert not again.note_vectors.ready  # near and search use the static vectors meanwhile
    assert again.embed_notes() == len(notes)
    assert again.note_vectors.converted == len(notes)  # headlines embedded, not whole notes
    for note_id, row in _rows(again.note_vectors).items():
        np.testing.assert_allclose(row, rows[note_id], atol=1e-5)
    assert not any(path.exists() for path in older)
