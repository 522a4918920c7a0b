"""Follow a corpus as its files change: reopen it (updating the index in place) after each
saved edit, addition or removal, and hand the new graph to the caller.

`watch` is what `kg watch` and the terminal app use. It waits on the operating system's
file events (watchfiles), never polls the files itself, and keeps one embedder for all
updates so the model loads once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.index.loader import load, resolve_corpus
from kg.parse.corpus import MARKDOWN_SUFFIXES, PAGE_SUFFIXES, SKIPPED_DIRS
from kg.parse.obsidian import ATTACHMENT_SUFFIXES

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

_WATCHED = frozenset(PAGE_SUFFIXES + MARKDOWN_SUFFIXES) | frozenset(ATTACHMENT_SUFFIXES)


def is_corpus_file(path: str | Path, root: Path) -> bool:
    """Whether a change to `path` can change the corpus below `root`: a page, a Markdown
    note or an attachment, outside the index folder and other hidden or skipped folders.

    >>> from pathlib import Path
    >>> root = Path("/notes")
    >>> is_corpus_file("/notes/a.md", root), is_corpus_file("/notes/.kg/graph.sqlite", root)
    (True, False)
    >>> is_corpus_file("/notes/sub/x.txt", root), is_corpus_file("/notes/a.md.swp", root)
    (True, False)
    """
    candidate = Path(path)
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return False
    if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
        return False
    return candidate.suffix.lower() in _WATCHED and not candidate.name.startswith(".")


def watch(
    path: str | Path = "notes",
    *,
    stop: threading.Event | None = None,
    debounce_ms: int = 200,
    **load_options: Any,
) -> Iterator[KnowledgeGraph]:
    """Yield the corpus's graph now, then again after every change to its files.

    Each graph comes from `kg.load`, which updates the index in place for the files that
    changed (`graph.index_update` says what it did). Changes that arrive while one is being
    read are taken together in the next.

    Parameters
    ----------
    path : str or Path
        The corpus folder.
    stop : threading.Event, optional
        Set it to end the iteration (from another thread); Ctrl+C ends it too.
    debounce_ms : int
        Changes this close together are read as one (an editor saving in several steps).
    **load_options
        Passed to `kg.load` (``embed``, ``index``, ``config``, ``embedder``, ...). With
        ``embed="all"`` one embedder serves every update, so the model loads only once.

    Yields
    ------
    KnowledgeGraph
        The graph as the files are now.

    Examples
    --------
    >>> import tempfile, threading, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "A note.md").write_text("Some text.")
    >>> stop = threading.Event()
    >>> for graph in watch(folder, stop=stop, embed="none"):
    ...     stop.set()  # a real caller waits for the next change instead
    >>> graph.note("A note").title
    'A note'
    """
    import watchfiles

    root = resolve_corpus(path)
    options = dict(load_options)
    if options.get("embed", "all") in ("all", True) and options.get("embedder") is None:
        from kg.config import load_config
        from kg.embed.lazy import DeferredEmbedder

        config = options.get("config")
        settings = load_config(root, Path(config) if config else None)
        options["embedder"] = DeferredEmbedder(settings)
    yield load(root, **options)
    if stop is not None and stop.is_set():
        return
    # The watcher starts only when first iterated: files saved before it did are caught by
    # one look at the stamps once it runs (its first quiet tick); an unchanged corpus
    # yields nothing.
    looked = False
    for changes in watchfiles.watch(
        root,
        watch_filter=lambda _change, changed: is_corpus_file(changed, root),
        debounce=debounce_ms,
        stop_event=stop,
        raise_interrupt=False,
        yield_on_timeout=True,
        rust_timeout=1000,
    ):
        if changes or not looked:
            looked = True
            graph = load(root, **options)
            if graph.index_update is None or graph.index_update.mode != "reused":
                yield graph
