"""Edits followed live: the vectors survive every re-index (the open browser's, F5's,
`kg.load`'s after an edit), a stray `kg.load` of one file never replaces its corpus's
index, and a retitled or renamed note is followed in the open browser.

The vectors come from the deterministic fake embedder (tests/fake_embedder.py): what is
tested is which texts get embedded and which vectors are kept, not the model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder
from kg_tui.app import KgApp
from kg_tui.widgets.near_list import NearList
from kg_tui.widgets.neighbourhood import NeighbourhoodTree
from kg_tui.widgets.note_view import NoteView

import kg

NOTES = Path(__file__).resolve().parent.parent / "notes"
REWARD = "Can reward models be gamed by longer answers?"
SMALL = (100, 30)


def copy_notes(tmp_path: Path) -> Path:
    corpus = tmp_path / "notes"
    shutil.copytree(NOTES, corpus, ignore=shutil.ignore_patterns(".kg"))
    return corpus


def index_with_vectors(corpus: Path, index: Path | None = None) -> kg.KnowledgeGraph:
    graph = kg.load(corpus, index=index, embed="all", embedder=FakeEmbedder())
    assert graph.embeddings is not None and graph.embeddings.complete
    return graph


async def wait_for(pilot, condition, seconds: float = 15.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def wait_loaded(pilot) -> None:
    assert await wait_for(pilot, lambda: pilot.app.graph is not None)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def note_text(app: KgApp) -> str:
    return " ".join(str(w.render()) for w in app.query_one(NoteView).query("NoteText"))


def notices(app: KgApp) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


def near_rows(app: KgApp) -> int:
    return len(app.query_one(NearList).all_rows)


def near_status(app: KgApp) -> str:
    return str(app.query_one("#near-status").render())


# ---------------------------------------------------------------- vectors kept


@pytest.mark.asyncio
async def test_an_edit_in_the_open_browser_keeps_near_ranking_20_notes(tmp_path: Path):
    corpus = copy_notes(tmp_path)
    index = tmp_path / "index"
    before = index_with_vectors(corpus, index)
    embedder = FakeEmbedder()
    app = KgApp(corpus, index=index, start=REWARD, export_dir=tmp_path, embedder=embedder)
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        assert embedder.texts_embedded == 0  # opening embeds nothing: the index is whole
        app.query_one(NeighbourhoodTree).focus()
        await pilot.press("n")
        assert await wait_for(pilot, lambda: near_rows(app) == 20), near_status(app)
        note = app.main_screen.current
        path = corpus / note.files[0]
        text = path.read_text(encoding="utf-8")
        assert note.description in text
        path.write_text(
            text.replace(note.description, "Whether longer answers win reward by length alone."),
            encoding="utf-8",
        )
        assert await wait_for(pilot, lambda: app.reloads >= 1)
        await pilot.app.workers.wait_for_complete()
        assert await wait_for(pilot, lambda: "by length alone" in note_text(app))
        assert app.graph is not None and app.graph.embeddings is not None
        assert await wait_for(pilot, lambda: near_rows(app) == 20), near_status(app)
        assert "No vectors" not in near_status(app)
        # Only the changed text was embedded; every other vector was kept.
        assert 1 <= embedder.texts_embedded <= 2, embedder.seen
        assert app.graph.embeddings.count == before.embeddings.count
        # F5 re-indexes again without losing them either.
        await pilot.press("f5")
        assert await wait_for(pilot, lambda: app.reloads >= 2)
        await pilot.app.workers.wait_for_complete()
        assert app.graph.embeddings is not None
        assert app.graph.embeddings.count == before.embeddings.count
    # After a restart the vectors are there, for the edited files, with nothing to embed.
    fresh = FakeEmbedder()
    again = kg.load(corpus, index=index, embed="lazy", embedder=fresh)
    assert again.index_update.mode == "reused"
    assert again.embeddings is not None and again.embeddings.complete
    assert again.embeddings.count == before.embeddings.count
    assert fresh.texts_embedded == 0
    assert len(again.near(REWARD, k=20)) == 20


def test_every_reopen_after_an_edit_keeps_the_unchanged_vectors(tmp_path: Path):
    corpus = copy_notes(tmp_path)
    before = index_with_vectors(corpus)
    path = corpus / before.note(REWARD).files[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: " + REWARD, "title: Do reward models pay for length?"))
    # "stored" never loads the model: the changed note waits, the others keep their vectors.
    stored = kg.load(corpus, embed="stored", embedder=FakeEmbedder())
    assert stored.embeddings is not None and not stored.embeddings.complete
    assert stored.embeddings.count >= before.embeddings.count - 2
    # "lazy" (the browser) and "all" (kg index, kg watch) embed only what changed.
    for policy in ("lazy", "all"):
        path.write_text(text.replace(REWARD, f"Do reward models pay for length ({policy})?"))
        embedder = FakeEmbedder()
        graph = kg.load(corpus, embed=policy, embedder=embedder)
        assert graph.embeddings is not None and graph.embeddings.complete
        # As many notes have vectors as a full embed of the files as they are gives.
        full = kg.load(corpus, save=False, embed="all", embedder=FakeEmbedder()).embeddings
        assert full is not None and graph.embeddings.count == full.count
        assert 1 <= embedder.texts_embedded <= 3, embedder.seen


def test_kg_watch_embeds_only_what_an_edit_changed(tmp_path: Path):
    import threading

    corpus = copy_notes(tmp_path)
    before = index_with_vectors(corpus)
    path = corpus / before.note(REWARD).files[0]
    text = path.read_text(encoding="utf-8")
    embedder = FakeEmbedder()
    stop = threading.Event()
    give_up = threading.Timer(30, stop.set)  # an edit never seen fails below, not hangs
    give_up.start()
    graphs = []
    for graph in kg.watch(corpus, stop=stop, embedder=embedder, debounce_ms=50):
        graphs.append(graph)
        if len(graphs) == 1:
            assert embedder.texts_embedded == 0
            path.write_text(text.replace(before.note(REWARD).description, "Length, paid."))
        else:
            stop.set()
    give_up.cancel()
    assert len(graphs) == 2 and graphs[1].index_update.mode == "updated"
    assert graphs[1].embeddings is not None and graphs[1].embeddings.complete
    assert graphs[1].embeddings.count == before.embeddings.count
    assert embedder.seen == ["Length, paid."]


def test_a_stray_load_of_a_file_keeps_the_folders_index_and_vectors(tmp_path: Path):
    corpus = copy_notes(tmp_path)
    before = index_with_vectors(corpus)
    manifest = (corpus / ".kg" / "manifest.json").read_bytes()
    vectors = (corpus / ".kg" / "vectors.json").read_bytes()
    # A note's file opens the corpus it belongs to.
    one = kg.load(corpus / "vault" / "reward-length-bias.md", embedder=FakeEmbedder())
    assert Path(one.root) == corpus.resolve() and len(one) == len(before)
    assert one.note(REWARD).files == ("vault/reward-length-bias.md",)
    # A file the corpus does not read (its README) is read alone, and nothing is written.
    readme = kg.load(corpus / "README.md", embedder=FakeEmbedder())
    assert len(readme.notes(stubs=False)) == 1 and readme.index_folder is None
    assert (corpus / ".kg" / "manifest.json").read_bytes() == manifest
    assert (corpus / ".kg" / "vectors.json").read_bytes() == vectors
    # A folder inside the corpus is refused, naming the corpus, unless it writes nothing.
    with pytest.raises(kg.CorpusError, match="inside the corpus") as refused:
        kg.load(corpus / "vault", embedder=FakeEmbedder())
    assert str(corpus.resolve()) in str(refused.value)
    alone = kg.load(corpus / "vault", save=False, embed="none")
    assert 0 < len(alone.notes(stubs=False)) < len(before.notes(stubs=False))
    assert not (corpus / "vault" / ".kg").exists()
    # The folder then reopens as it was: nothing rebuilt, nothing embedded again.
    embedder = FakeEmbedder()
    again = kg.load(corpus, embedder=embedder)
    assert again.index_update.mode == "reused"
    assert embedder.texts_embedded == 0
    assert again.embeddings is not None and again.embeddings.count == before.embeddings.count


# ---------------------------------------------------------------- renames followed

A = "Can A happen at all?"
A_NEW = "Can A happen only sometimes?"
B = "Why does B hold?"


def small_vault(tmp_path: Path) -> Path:
    corpus = tmp_path / "vault"
    corpus.mkdir()
    pages = {
        "a.md": f"---\ntitle: {A}\n---\nA rests on [[{B}]] and on [[Is C real?]].\n",
        "b.md": f"---\ntitle: {B}\n---\nB follows from [[Is C real?]].\n",
        "c.md": "---\ntitle: Is C real?\n---\nC is observed directly.\n",
        "d.md": f"---\ntitle: What does D add?\ndescription: D in brief.\n---\nD extends [[{B}]].\n",
        "E notes.md": "Notes on E, which cites [[Is C real?]].\n",
    }
    for name, text in pages.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.mark.asyncio
async def test_a_retitle_is_followed_in_the_open_browser(tmp_path: Path):
    corpus = small_vault(tmp_path)
    index = tmp_path / "index"
    index_with_vectors(corpus, index)
    app = KgApp(corpus, index=index, start=B, export_dir=tmp_path, embedder=FakeEmbedder())
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        screen = app.main_screen
        screen.open_note(A)
        await pilot.pause()
        old_id = screen.current.id
        tree = app.query_one(NeighbourhoodTree)
        tree.focus()
        path = corpus / "a.md"
        path.write_text(path.read_text(encoding="utf-8").replace(A, A_NEW), encoding="utf-8")
        assert await wait_for(pilot, lambda: app.reloads >= 1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.current is not None and screen.current.title == A_NEW
        assert screen.current.id != old_id
        assert A_NEW in note_text(app) and "was deleted" not in note_text(app)
        # The side panel says what the tree shows.
        assert len(screen.groups) > 0 and tree.last_line > 0
        status = str(app.query_one("#links-status").render())
        assert status.startswith("2 notes linked directly"), status
        assert f"“{A}” is now “{A_NEW}”" in notices(app)
        # Nothing cites the old title: it is not left behind as a stub.
        assert app.graph.find(A) is None
        # History follows: Back to B, Forward to A under its new title.
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.current.title == B
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.current.title == A_NEW
        # A file renamed (a note titled by its file name) is followed too.
        screen.open_note("E notes")
        await pilot.pause()
        (corpus / "E notes.md").rename(corpus / "E findings.md")
        assert await wait_for(pilot, lambda: app.reloads >= 2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.current is not None and screen.current.title == "E findings"
        assert "was deleted" not in note_text(app)
        # Only a file really gone says so.
        (corpus / "E findings.md").unlink()
        assert await wait_for(pilot, lambda: app.reloads >= 3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "was deleted" in note_text(app)
        assert str(app.query_one("#links-status").render()).startswith("No links")
        assert "“E findings” deleted" in notices(app)


@pytest.mark.asyncio
async def test_a_toast_names_the_note_that_changed_not_the_one_on_screen(tmp_path: Path):
    corpus = small_vault(tmp_path)
    index = tmp_path / "index"
    index_with_vectors(corpus, index)
    app = KgApp(corpus, index=index, start=A, export_dir=tmp_path, embedder=FakeEmbedder())
    async with app.run_test(size=SMALL) as pilot:
        await wait_loaded(pilot)
        path = corpus / "d.md"
        path.write_text(path.read_text().replace("D in brief.", "D, briefly."))
        assert await wait_for(pilot, lambda: app.reloads >= 1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = notices(app)
        assert "“What does D add?” updated" in said and A not in said, said
        assert app.main_screen.current.title == A
        path.unlink()
        assert await wait_for(pilot, lambda: app.reloads >= 2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "“What does D add?” deleted" in notices(app)
        assert app.main_screen.current.title == A and "was deleted" not in note_text(app)
