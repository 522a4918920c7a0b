"""`kg.load(..., include=, exclude=)`: folder and file globs relative to the corpus root
choose the files read, attachments too; the index remembers them, so one built with
other globs is rebuilt rather than used."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg

FILES = {
    "Home.md": "Links [[Draft]], [[Kept]] and ![[pic.png]].",
    "Projects/Kept.md": "A kept note.",
    "Projects/drafts/Draft.md": "A draft.",
    "Archive/Old.md": "An old note.",
    "Archive/deep/Older.md": "An older note.",
    "img/pic.png": "",
    "site/page.txt": "SYNTHESIS NOTE\n\nWhy does a page count?\n\nBecause it is read.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / "c" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "c" / name).write_text(text, encoding="utf-8")
    return tmp_path / "c"


def files(graph: kg.KnowledgeGraph) -> set[str]:
    return {f for n in graph.notes() if not n.stub for f in n.files}


def test_exclude_leaves_out_folders_at_any_depth(corpus, tmp_path):
    g = kg.load(corpus, embed="none", index=tmp_path / "i", exclude=["Archive", "**/drafts"])
    assert files(g) == {"Home.md", "Projects/Kept.md", "img/pic.png", "site/page.txt"}
    assert g.note("Draft").stub  # still linked, no longer read


def test_include_reads_only_what_matches(corpus, tmp_path):
    g = kg.load(corpus, embed="none", index=tmp_path / "i", include=["Projects", "*.txt"])
    assert files(g) == {"Projects/Kept.md", "Projects/drafts/Draft.md", "site/page.txt"}
    g = kg.load(corpus, embed="none", index=tmp_path / "i", include="Projects", exclude="*/drafts")
    assert files(g) == {"Projects/Kept.md"}


def test_attachments_follow_the_globs(corpus, tmp_path):
    assert not kg.load(corpus, embed="none", save=False).note("pic.png").stub
    g = kg.load(corpus, embed="none", save=False, exclude="img")
    assert g.note("pic.png").stub  # the image is out of the corpus: a missing attachment


def test_the_index_is_rebuilt_when_the_globs_change(corpus, tmp_path):
    index = tmp_path / "i"
    whole = kg.load(corpus, embed="none", index=index)
    assert whole.index_update.mode == "rebuilt" and len(whole) == 6
    part = kg.load(corpus, embed="none", index=index, exclude="Archive")
    assert part.index_update.mode == "rebuilt" and len(part) == 4
    assert "globs changed" in part.index_update.reason
    again = kg.load(corpus, embed="none", index=index, exclude=["Archive/"])  # the same glob
    assert again.index_update.mode == "reused" and len(again) == 4
    back = kg.load(corpus, embed="none", index=index)
    assert back.index_update.mode == "rebuilt" and len(back) == 6
    assert kg.load(corpus, embed="none", index=index).index_update.mode == "reused"


def test_an_edit_updates_an_index_made_with_globs_in_place(corpus, tmp_path):
    index = tmp_path / "i"
    kg.load(corpus, embed="none", index=index, exclude="Archive")
    (corpus / "Projects" / "Kept.md").write_text("A kept note, edited.", encoding="utf-8")
    (corpus / "Archive" / "Old.md").write_text("Edited but excluded.", encoding="utf-8")
    g = kg.load(corpus, embed="none", index=index, exclude="Archive")
    assert g.index_update.mode == "updated"
    assert g.index_update.changed == ("Projects/Kept.md",)
    assert "Archive/Old.md" not in files(g)


def test_changing_the_globs_embeds_only_texts_that_come_back(corpus, tmp_path):
    from fake_embedder import FakeEmbedder

    index = tmp_path / "i"
    first = FakeEmbedder()
    kg.load(corpus, index=index, embedder=first)
    assert "A kept note." in first.seen and "An old note." in first.seen
    narrower = FakeEmbedder()
    g = kg.load(corpus, index=index, embedder=narrower, exclude="Archive")
    assert g.index_update.mode == "rebuilt" and g.embeddings is not None
    assert narrower.texts_embedded == 0  # every text still read has its vector
    wider = FakeEmbedder()
    kg.load(corpus, index=index, embedder=wider)
    # At most the texts of the files read again (as after deleting and restoring them).
    assert set(wider.seen) <= {"An old note.", "An older note.", "Old", "Older"}
