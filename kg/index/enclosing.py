"""Which corpus a path opens: a file or folder inside a corpus that has an index is never
given a second index of its own.

An index lives in CORPUS/.kg/. Opening one file of an indexed corpus as a corpus would
write FOLDER/.kg/ for that file alone (replacing the corpus's graph, and dropping the
vectors of every other note when it embeds); opening a folder inside one would write a
second index that the corpus's own never sees. So `corpus_of` opens the corpus a file
belongs to, reads a file no corpus holds (a README.md kg skips, say) alone without writing
an index, and refuses a folder inside an indexed corpus unless told where its own index
goes (or to write none).

>>> import tempfile, pathlib
>>> corpus = pathlib.Path(tempfile.mkdtemp())
>>> (corpus / ".kg").mkdir(); _ = (corpus / ".kg" / "manifest.json").write_text("{}")
>>> (corpus / "sub").mkdir(); _ = (corpus / "sub" / "a.md").write_text("A.")
>>> corpus_of(corpus / "sub" / "a.md", None, True) == (corpus, True)
True
>>> corpus_of(corpus / "sub", None, False) == (corpus / "sub", False)
True
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import CorpusError
from kg.parse.corpus import MARKDOWN_SUFFIXES, PAGE_SUFFIXES, SKIPPED_DIRS, discover

INDEX_FOLDER = ".kg"
# The files whose presence says a folder holds an index: the graph's manifest
# (kg.index.stamps.MANIFEST) and the vectors' (kg.embed.files.MANIFEST).
_INDEX_FILES = ("manifest.json", "vectors.json")


def has_index(folder: Path) -> bool:
    """Whether `folder` keeps an index (a graph or vectors) in FOLDER/.kg/."""
    return any((folder / INDEX_FOLDER / name).is_file() for name in _INDEX_FILES)


def enclosing_corpus(path: Path) -> Path | None:
    """The nearest folder above `path` that keeps an index, when `path` lies inside its
    corpus (not in a hidden or skipped folder such as .git/ or .obsidian/)."""
    for folder in path.parents:
        if has_index(folder):
            inner = path.relative_to(folder).parts
            folders = inner[:-1] if path.is_file() else inner
            if any(part.startswith(".") or part in SKIPPED_DIRS for part in folders):
                return None
            return folder
    return None


def holds(corpus: Path, file: Path) -> bool:
    """Whether kg reads `file` as one of `corpus`'s files (a page or a Markdown note, not
    a README.md kg skips at the root)."""
    if not file.name.lower().endswith(PAGE_SUFFIXES + MARKDOWN_SUFFIXES):
        return False
    if file.parent == corpus and file.name == "README.md":
        return file in discover(corpus)  # a vault's README is a note, a corpus's is not
    return True


def corpus_of(root: Path, index: Path | str | None, save: bool) -> tuple[Path, bool]:
    """The corpus to open for `root` (resolved) and whether to write its index.

    With `index` given, `root` is opened as it is (its index goes where it says). Else a
    file opens the indexed corpus holding it; a file no indexed corpus holds is read
    alone, writing nothing; a folder inside an indexed corpus is refused while `save`
    asks to write its index.

    Raises
    ------
    CorpusError
        `root` is a folder inside a corpus that has an index; the message names the
        corpus and the ways to go on.
    """
    if index is not None:
        return root, save
    if root.is_file():
        owner = enclosing_corpus(root)
        if owner is not None and holds(owner, root):
            return owner, save
        return root, False
    if not save or has_index(root):
        return root, save
    owner = enclosing_corpus(root)
    if owner is None:
        return root, save
    raise CorpusError(
        f"{root} is a folder inside the corpus {owner}, which has an index "
        f"({owner / INDEX_FOLDER}); open that corpus (kg.load({str(owner)!r}) or "
        f"--corpus {owner}), or read this folder alone without writing an index "
        "(kg.load(..., save=False)) or with one of its own (index=PATH or --index PATH)"
    )
