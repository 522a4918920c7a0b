"""Finding a note by its file: the exact path first, a path in another case only when one
file fits it, and a clear error naming the files when several do."""

from __future__ import annotations

import pytest

import kg


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    root = tmp_path_factory.mktemp("case-vault")
    (root / "Notes").mkdir()
    (root / "Notes" / "MAAS.md").write_text("# MAAS\nThe upper-case file.\n", encoding="utf-8")
    (root / "Notes" / "MaaS.md").write_text("# MaaS\nThe mixed-case file.\n", encoding="utf-8")
    (root / "Home.md").write_text("Start here.\n", encoding="utf-8")
    if len(list((root / "Notes").iterdir())) != 2:
        pytest.skip("this file system folds the case of file names")
    return kg.load(root, index=tmp_path_factory.mktemp("case-index"), embed="none")


@pytest.mark.parametrize("name", ["MAAS", "MaaS"])
def test_a_path_finds_its_own_file_whatever_the_other_is_called(vault, name: str):
    for query in (f"Notes/{name}.md", f"Notes/{name}", f"./Notes/{name}.md"):
        assert vault.note(query).files == (f"Notes/{name}.md",), query
        assert vault[query].files == (f"Notes/{name}.md",), query


def test_a_path_in_another_case_is_found_when_one_file_fits(vault):
    assert vault.note("home.md").files == ("Home.md",)
    assert vault.note("HOME").title == "Home"


def test_a_path_two_files_fit_in_other_cases_names_both(vault):
    assert vault.find("notes/maas.md") is None
    with pytest.raises(kg.NoteNotFound) as raised:
        vault.note("notes/maas.md")
    assert raised.value.suggestions == ["Notes/MAAS.md", "Notes/MaaS.md"]
    assert "Notes/MaaS.md" in str(raised.value)


def test_lookups_agree_after_reopening_the_index(vault):
    again = kg.load(vault.root, index=vault.index_folder, embed="none")
    assert again.from_index
    assert again.note("Notes/MaaS.md").files == ("Notes/MaaS.md",)
    assert again.note("Notes/MAAS.md").files == ("Notes/MAAS.md",)
