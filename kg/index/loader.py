"""Open a corpus (`load`): one straight path, each step owned by one module.

1. Find the files: the corpus a path opens (`kg.index.enclosing`), its settings
   (`kg.config`), its index folder (`kg.index.stamps.index_dir`) and the stamps of the
   files it reads (`kg.parse.corpus.scan_files`).
2. Compare the stamps with the index's (`kg.index.compare.examine`): reuse the index,
   update it in place, or rebuild it.
3. Open, update or build: reuse reads the saved graph (`kg.index.read`); an update
   replays the changed files and writes them into the graph file (`kg.index.update`,
   which uses `kg.index.replay` and `kg.index.patch`); a build parses and builds here
   (`parse_corpus`, `build_graph_with_state`) and saves the index (`kg.index.write`),
   in a child process where it can (`kg.index.forked`), then reads it back
   (`kg.index.read`): a cold load gives the same lazy, index-backed graph a warm open
   does, and the memory the build took goes back to the system.
4. Attach the vectors (`kg.embed.onload.attach_vectors`), then, after a build, keep the
   overview a first screen draws (`kg.index.overview`).

No step calls back into an earlier one. Steps 2 and 3 run again under the index lock
when the index is to be written, so that of two processes opening a changed corpus one
builds and the other reuses what it built.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.md").write_text("---\\ntitle: Can A happen at all?\\n---\\nSee [[Why does B hold?]].")
>>> g = load(folder, embed=False)
>>> g.note("can a happen at all?").title, [n.note.title for n in g.neighbours("Can A happen at all?")]
('Can A happen at all?', ['Why does B hold?'])
>>> g.note("Why does B hold?").stub
True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kg.collector import collector_paused
from kg.config import Config, load_config
from kg.errors import CorpusError, check_callable, check_choice, check_flag, check_path
from kg.graph.build import BuildState, build_with_state
from kg.graph.knowledge import KnowledgeGraph
from kg.index.compare import SELECTION_KEY, Verdict, examine
from kg.index.enclosing import corpus_of
from kg.index.forked import in_child
from kg.index.read import open_index
from kg.index.stamps import corpus_signature, index_dir, stamps_text, tidy
from kg.index.write import save_graph
from kg.io import index_lock
from kg.model import Diagnostic, Page
from kg.parse.corpus import FileStamp, discover, display_paths, scan_files
from kg.parse.obsidian import find_attachments
from kg.parse.parallel import parse_all
from kg.parse.selection import Selection

if TYPE_CHECKING:
    from kg.embed.models import Embedder
    from kg.index.update import IndexUpdate

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def resolve_corpus(path: str | Path) -> Path:
    root = Path(path).expanduser()
    if not root.exists():
        raise CorpusError(
            f"{root}: no such corpus folder or file; pass a folder of notes "
            "(--corpus PATH or $KG_CORPUS)"
        )
    return root.resolve()


def parse_corpus(
    root: Path,
    config: Config,
    progress: Progress | None = None,
    selection: Selection | None = None,
) -> tuple[list[Page], list[Diagnostic], int]:
    """Parse every file of a corpus (those `selection` admits); returns pages, diagnostics
    and the number of files."""
    paths = discover(root, selection)

    def parsed(done: int) -> None:
        if progress:
            progress("parse", done, len(paths))

    pages: list[Page] = []
    diagnostics: list[Diagnostic] = []
    with collector_paused():
        items = list(zip(paths, display_paths(paths, root), strict=True))
        for page, problems in parse_all(items, root, config, parsed if progress else None):
            if page is not None:
                pages.append(page)
            diagnostics += problems
    return pages, diagnostics, len(paths)


def build_graph(
    root: Path,
    config: Config,
    progress: Progress | None = None,
    selection: Selection | None = None,
) -> KnowledgeGraph:
    """Parse and build, ignoring any saved index."""
    return build_graph_with_state(root, config, progress, selection)[0]


def build_graph_with_state(
    root: Path,
    config: Config,
    progress: Progress | None = None,
    selection: Selection | None = None,
) -> tuple[KnowledgeGraph, BuildState, int]:
    """Parse and build; also what a later in-place update needs, and how many of the
    graph's diagnostics came from reading the files."""
    with collector_paused():
        pages, diagnostics, files = parse_corpus(root, config, progress, selection)
        attachments = find_attachments(root, selection)
        notes, links, build_problems, state = build_with_state(pages, attachments)
        graph = KnowledgeGraph(notes, links, diagnostics + build_problems, files=files, root=root)
        return graph, state, len(diagnostics)


# How `kg.load` gives notes their vectors (`embed=`): "all" embeds every text that has no
# stored vector (the model loads when there is any); "stored" uses the vectors already
# stored (those of texts changed since lack one) and never loads the model; "lazy" uses
# them too, embeds the texts changed since they were stored (an edit: a few texts), and
# where none are stored the texts a trace compares are embedded when it asks
# (`graph.lazy_vectors`); "none" reads no vectors at all. No policy drops the vectors of
# texts that did not change; only vectors of another model are embedded again.
EMBED_POLICIES = ("all", "stored", "lazy", "none")


def embed_policy(embed: bool | str) -> str:
    """The policy an `embed=` argument names: True is "all", False "none".

    >>> embed_policy(True), embed_policy("lazy")
    ('all', 'lazy')
    """
    if embed is True or embed is False:
        return "all" if embed else "none"
    return check_choice("embed policy", embed, EMBED_POLICIES)


def load(
    path: str | Path = "notes",
    *,
    index: str | Path | None = None,
    config: str | Path | Config | None = None,
    rebuild: bool = False,
    save: bool = True,
    progress: Progress | None = None,
    embed: bool | str = "all",
    embedder: Embedder | None = None,
    include: str | Iterable[str] | None = None,
    exclude: str | Iterable[str] | None = None,
) -> KnowledgeGraph:
    """Open the corpus at `path` as a `KnowledgeGraph`.

    The index folder (PATH/.kg/ unless `index` names another) is reused when the corpus's
    files are unchanged, and rewritten otherwise (unless `save` is False).

    What it costs: the first time, every file is parsed and the graph built (about 4-8 s
    for 10,000 pages on a 2-core machine), and with ``embed="all"`` every text is embedded
    by the configured embedder (the default, ``hybrid``, stores static vectors at several
    thousand texts a second: about 25 s for 10,000 pages; a progress stage "embed" reports
    it). After that an unchanged corpus reopens from its index in about 0.2-0.3 s, and when
    files changed only they are parsed and the index is updated in place
    (`graph.index_update` says what was done); only texts not embedded before are embedded.

    Parameters
    ----------
    path : str or Path
        A folder of site pages (.txt) and Markdown notes (.md), or one file; `kg.load`
        also takes the URL of a SPARQL store a `kg push` published to (see `kg.connect`).
        A file of a corpus that has an index opens that corpus; a file no indexed corpus
        reads is read alone and no index is written for it. A folder inside a corpus that
        has an index is refused unless `index` is given or `save` is False: its index
        would stand beside the corpus's own.
    index : str or Path, optional
        Where the index lives; PATH/.kg/ by default.
    config : str, Path or Config, optional
        Settings (kg.yaml beside the corpus by default).
    rebuild : bool
        Parse and build again even when the index matches the files.
    save : bool
        Write the index (and new vectors); False leaves the disk untouched.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` while parsing and embedding.
    embed : {"all", "stored", "lazy", "none"} or bool
        How notes get vectors: "all" embeds every text without a stored vector; "stored"
        uses only stored vectors and never loads the model; "lazy" uses them too and
        embeds just the texts changed since they were stored (after an edit), and where
        none are stored a trace embeds just the texts it compares; "none" reads no
        vectors. True means "all", False "none". Vectors of texts that did not change are
        always kept.
    embedder : Embedder, optional
        Embed with this instead of the configured model.
    include, exclude : str or list of str, optional
        Read only the files (notes, pages, attachments) that match an `include` glob
        and no `exclude` glob. Globs are relative to the corpus root and match a
        file's path or any folder above it: ``"Archive"`` or ``"site/drafts"`` take a
        whole folder, ``"*.txt"`` every page, ``"**/drafts"`` a folder of that name at
        any depth (`*` crosses `/`; case counts; see `kg.parse.selection`). The index
        records the globs: one made with other globs is rebuilt, never reused.

    Returns
    -------
    KnowledgeGraph

    Raises
    ------
    CorpusError
        When `path` does not exist, is a folder inside an indexed corpus (see `path`), or
        kg.yaml is unusable (the message says which setting).
    InvalidArgument
        When `embed` names no policy (the message lists them), or a glob of `include`
        or `exclude` is no text or not relative to the corpus.
    IndexLocked
        When another process keeps writing the index for more than a minute.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.md").write_text("See [[Why does B hold?]].")
    >>> load(folder, embed="none").note("a").title
    'a'
    >>> load(folder, embed="some")
    Traceback (most recent call last):
    ...
    kg.errors.InvalidArgument: unknown embed policy 'some'; valid: all, stored, lazy, none
    """
    policy = embed_policy(embed)
    selection = Selection.of(include, exclude)
    check_flag("rebuild", rebuild)
    check_flag("save", save)
    check_path("index", index, "an index folder", optional=True)
    if not isinstance(config, Config):
        check_path("config", config, "a kg.yaml file or a Config", optional=True)
    check_callable("progress", progress, "called as progress(stage, done, total)")
    # 1. Find the files (and the settings beside them).
    root, save = corpus_of(resolve_corpus(path), index, save)
    settings = (
        config
        if isinstance(config, Config)
        else load_config(root if root.is_dir() else root.parent, Path(config) if config else None)
    )
    folder = index_dir(root, Path(index) if index else None)
    stamps = scan_files(root, selection)
    chosen = selection.text()

    # 2. Compare the stamps: reuse the index, update it in place, or rebuild it. Reusing
    # takes no lock; a writer takes it, then looks again (a second `kg index` waits here,
    # then finds the index the first one wrote and uses it instead of building it again).
    started = time.perf_counter()
    verdict = examine(folder, stamps, chosen, rebuild)
    # 3. Open, update or build.
    graph = _reuse(verdict, root, save) if verdict.action == "reuse" else None
    if graph is None:
        verdict.close()
        if not save:
            graph = build_graph(root, settings, progress, selection)
        else:
            with index_lock(folder):
                verdict = examine(folder, stamps, chosen, rebuild)
                graph = _open_or_build(
                    verdict, folder, root, settings, stamps.stamps(), progress, selection
                )
            graph.index_update = replace(graph.index_update, seconds=time.perf_counter() - started)
    graph.config = settings
    # 4. Attach the vectors (and say where the index is, and which files it read).
    from kg.embed.onload import attach_vectors  # here: it needs numpy, `import kg` does not

    graph.index_folder = folder if save else None
    graph.index_signature = corpus_signature(stamps_text(stamps))
    attach_vectors(graph, folder, settings, policy, embedder=embedder, save=save, progress=progress)
    if save and graph.index_update.mode == "rebuilt":
        # A new index keeps the overview a first screen draws (as `kg index` does), so a
        # corpus first opened from Python browses at once too; an edit taken in place
        # leaves that to `kg index`, `kg watch` and the browser, off the edit's path.
        from kg.index.overview import keep_overview

        keep_overview(graph)
    return graph


def _reuse(verdict: Verdict, root: Path, save: bool) -> KnowledgeGraph | None:
    """The saved graph as it is (None when damaged: then the index is rebuilt)."""
    from kg.index.update import IndexUpdate

    saved = verdict.saved
    assert saved is not None
    graph = saved.graph(root)
    if graph is None:
        return None
    graph.index_update = IndexUpdate("reused")
    if save:
        tidy(saved.path.parent)
    return graph


def _open_or_build(
    verdict: Verdict,
    folder: Path,
    root: Path,
    settings: Config,
    stamps: list[FileStamp],
    progress: Progress | None,
    selection: Selection,
) -> KnowledgeGraph:
    """Under the index lock: the saved graph as it is, updated in place, or built and
    saved anew."""
    from kg.index.update import IndexUpdate, update_in_place

    update = IndexUpdate("rebuilt", reason=verdict.reason)
    if verdict.action == "reuse":
        graph = _reuse(verdict, root, save=False)
        if graph is not None:
            return graph
    elif verdict.action == "update":
        assert verdict.saved is not None
        graph, update = update_in_place(verdict.saved, root, settings, stamps)
        if graph is not None:
            graph.index_update = update
            return graph
    verdict.close()
    return _build_and_save(folder, root, settings, stamps, progress, selection, update)


def _build_and_save(
    folder: Path,
    root: Path,
    settings: Config,
    stamps: list[FileStamp],
    progress: Progress | None,
    selection: Selection,
    update: IndexUpdate,
) -> KnowledgeGraph:
    """Parse and build and save the index in a child process where it can
    (`kg.index.forked`), and give the graph as the index gives it back (as a warm open
    does: notes and links read when asked for), so that the memory the build took goes
    back to the system; else, or when that fails, here, giving the graph built."""
    from kg.index.update import IndexUpdate

    def build_and_save(report: Progress | None) -> KnowledgeGraph:
        built, state, parsed = build_graph_with_state(root, settings, report, selection)
        chosen = selection.text()
        save_graph(
            folder,
            built,
            stamps,
            extra={SELECTION_KEY: chosen} if chosen else None,
            state=state,
            parse_diagnostics=parsed,
        )
        return built

    def counted(report: Progress | None) -> tuple[int, int]:
        built = build_and_save(report)
        return built.files, len(built)

    counts = in_child(counted, progress)
    graph = _read_back(folder, root) if counts is not None else None
    if graph is None:
        # Built here (other threads run, say): freed here, the build's memory would stay
        # with the allocator, so the graph built is kept and nothing is read back.
        graph = build_and_save(progress)
        counts = graph.files, len(graph)
    # Built by this load, though read from the index: `from_index` says an index was there.
    graph.from_index = False
    files, notes = counts
    graph.index_update = IndexUpdate(
        "rebuilt",
        update.changed,
        update.added,
        update.removed,
        files_read=files,
        notes=notes,
        reason=update.reason,
    )
    return graph


def _read_back(folder: Path, root: Path) -> KnowledgeGraph | None:
    """The graph in the index just written (None when it cannot be read)."""
    saved = open_index(folder)
    graph = saved.graph(root) if saved is not None else None
    if graph is None and saved is not None:
        saved.close()
    return graph
