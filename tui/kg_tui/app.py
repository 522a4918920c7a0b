"""The Textual app behind `kg browse`: opens a corpus and walks it.

`KgApp(corpus=PATH)` loads the corpus in a worker thread, so the first screen paints
at once: the overview kept beside the index (`kg_tui.first_screen`), search box ready,
until the graph is there; `KgApp(graph=g)` shows an already loaded graph (tests,
benchmarks).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen
from textual.worker import get_current_worker

import kg
from kg import KnowledgeGraph
from kg.errors import KgError
from kg_tui import first_screen
from kg_tui.commands import KeyCommands
from kg_tui.features import open_graph
from kg_tui.messages import FilesChanged, GraphLoaded, LoadFailed, LoadProgress
from kg_tui.screens.help import HelpScreen
from kg_tui.screens.main import MainScreen, Prepared
from kg_tui.screens.path import PathShown
from kg_tui.tools import ToolActions
from kg_tui.widgets.search import SearchInput

THEMES = {"light": "textual-light", "dark": "textual-dark"}
NOTE_VECTORS_AFTER = 5.0  # seconds after opening before the whole-note vectors are computed


class KgApp(ToolActions, App[None]):
    """Browse a knowledge graph of research notes.

    Keys have binding ids (`app.help`, `main.back`, ...): `keymap:` in kg.yaml maps ids to
    other keys, `theme: light` picks the light theme. With a corpus folder the browser
    follows edits to its files (`kg_tui.live`); `KG_NO_WATCH=1` turns that off, and the
    vectors the browser adds in the background to an index made without them.
    """

    CSS_PATH = "app.tcss"
    TITLE = "kg"
    COMMAND_PALETTE_BINDING = "ctrl+p"
    # One provider: kg's commands first, then Textual's (`KeyCommands`).
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {KeyCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f1",
            "help",
            "Help",
            key_display="F1",
            tooltip="This list of keys",
            priority=True,
            id="app.help",
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            tooltip="This list of keys",
            show=False,
            id="app.help_question",
        ),
        Binding("q", "quit_asking", "Quit", tooltip="Quit the browser", show=False, id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        *ToolActions.TOOL_BINDINGS,
    ]

    def __init__(
        self,
        corpus: str | Path | None = None,
        *,
        index: str | Path | None = None,
        config: str | Path | None = None,
        graph: KnowledgeGraph | None = None,
        start: str | None = None,
        export_dir: str | Path | None = None,
        embedder: kg.Embedder | None = None,
    ) -> None:
        super().__init__()
        if graph is None and corpus is None:
            raise ValueError("KgApp needs a corpus path or a loaded graph")
        self.corpus = Path(corpus) if corpus is not None else None
        self.index = index
        self.config_path = config
        self.graph = graph
        self.start = start
        self.export_dir = Path(export_dir) if export_dir is not None else Path.cwd()
        # What embeds the texts an edit changes (the configured model by default); a
        # re-index keeps every other vector.
        self.embedder = embedder
        root = graph.root if graph is not None and graph.root else self.corpus
        self.corpus_name = Path(root).resolve().name if root else "corpus"
        self.load_seconds = 0.0
        self.last_path: tuple[str, str] | None = None  # the last path found, for export
        self.reloads = 0  # graphs loaded again after edits (tests wait on it)
        self._note_vectors_running = False  # whole-note vectors being computed (one run)
        self._vectors_asked = False  # a first open without vectors asked for them once
        self._note_vectors_stop = threading.Event()  # set when the app closes
        self._watcher: object | None = None
        self._reloading = threading.Lock()  # one re-index at a time, each shown in turn
        self._progress_to: MainScreen | None = None
        self._last_progress: LoadProgress | None = None  # posted once the screen is there
        self._opening: Future[KnowledgeGraph] | None = None
        self._opening_started = time.perf_counter()
        self.queued_search: str | None = None  # Enter in the search box before the graph
        # The overview kept beside the index, drawn before the index is read.
        self.kept: kg.Overview | None = None
        self.index_state = "present"  # what opening starts from (`kg.index_state`)
        if graph is None:
            self._opening = Future()
            assert self.corpus is not None
            self.index_state = kg.index_state(self.corpus, index)
            if self.index_state == "present":
                self.kept = kg.kept_overview(self.corpus, index)
            if self.kept is None:
                # Nothing to draw before the graph: start reading it before the first frame.
                self._start_opening()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands for the palette, less its quit (which never asks)."""
        for command in super().get_system_commands(screen):
            if command.callback != self.action_quit:
                yield command

    def _start_opening(self) -> None:
        if self._opening is None or self._opening.running() or self._opening.done():
            return
        self._opening.set_running_or_notify_cancel()
        self._opening_started = time.perf_counter()
        threading.Thread(
            target=self._open, args=(self._opening,), name="kg-open", daemon=True
        ).start()

    def get_default_screen(self) -> Screen:
        return MainScreen()

    @property
    def main_screen(self) -> MainScreen:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        raise LookupError("the main screen is not open")

    def on_mount(self) -> None:
        self._apply_settings()
        if self.graph is None:
            self._progress_to = self.main_screen
            if self._last_progress is not None:  # reported before the screen was there
                self._progress_to.post_message(self._last_progress)
            # With the overview on screen first, the index is read after that frame.
            self.call_after_refresh(self._start_opening)
            self.call_after_refresh(self.wait_for_graph)

    # ------------------------------------------------------------ the first screen

    def draw_first_screen(self, screen: MainScreen) -> None:
        """Before the graph is there: the overview kept beside the index, if there is
        one, else what opening the corpus starts with (the main screen calls this as it
        mounts; the graph replaces it)."""
        from kg_tui.widgets.note_view import NoteView

        if self.graph is not None:
            return
        view = screen.query_one(NoteView)
        if self.kept is not None:
            kept = self.kept
            view.show_home(
                first_screen.stand_in(kept), self.corpus_name, first_screen.lists_of(kept)
            )
        elif self.index_state != "present":
            view.show_message(*first_screen.loading_words(self.index_state, "start", 0, 0, 0.0))

    def describe_progress(self, message: LoadProgress) -> tuple[str, str]:
        """The loading screen's heading and line for a step of opening the corpus."""
        seconds = time.perf_counter() - self._opening_started
        return first_screen.loading_words(
            self.index_state, message.stage, message.done, message.total, seconds
        )

    def remembered_lists(self, graph: KnowledgeGraph) -> first_screen.Lists | None:
        """The overview's lists of `graph`: worked out on the loading thread (or taken
        from the kept overview, when of the same files), so drawing them costs nothing;
        None for a graph handed in (worked out after the first paint)."""
        if self.corpus is None:
            return None
        return first_screen.lists_of(kg.overview(graph))

    def open_when_loaded(self, note_id: str) -> None:
        """A note picked on the first screen before the graph is there: open it then."""
        if self.graph is None:
            self.start = note_id
            self.notify("Opening the corpus: the note opens in a moment.", timeout=2)

    def search_when_loaded(self, query: str) -> None:
        """Enter in the search box before the graph is there: the search runs once it is
        (the box says so meanwhile)."""
        self.queued_search = query

    def _run_queued_search(self, screen: MainScreen) -> None:
        """The search asked for before the graph was there, now that it is shown; only
        if the box still holds that query (a query typed since waits for its own Enter)."""
        query, self.queued_search = self.queued_search, None
        if not query or screen.graph is None:
            return
        box = screen.query_one(SearchInput)
        if box.value.strip() == query:
            box.post_message(SearchInput.Submitted(box, box.value))

    def on_prepared(self, message: Prepared) -> None:
        self.remember(message)

    @work(thread=True, group="remember")
    def remember(self, message: Prepared) -> None:
        """Keep the overview beside the index for the next start, unless the one kept
        there is of the same files (on a thread: writing is a file's work)."""
        if self.corpus is not None:
            kg.keep_overview(message.graph)

    @property
    def root(self) -> Path | None:
        """The corpus folder, when there is one (the corpus a file given belongs to)."""
        if self.graph is not None and self.graph.root:
            return Path(self.graph.root).resolve()
        if self.corpus is not None:
            return self.corpus.resolve()
        return None

    def _apply_settings(self) -> None:
        """`theme` and `keymap` from kg.yaml (through kg's config API)."""
        root = self.root
        if root is None:
            return
        try:
            config = kg.load_config(root, Path(self.config_path) if self.config_path else None)
        except KgError as error:
            self.notify(str(error), title="kg.yaml", severity="error", timeout=10)
            return
        if config.theme:
            name = THEMES.get(config.theme, config.theme)
            if name in self.available_themes:
                self.theme = name
            else:
                self.notify(
                    f"No theme {config.theme!r}; use light, dark or one of "
                    + ", ".join(sorted(self.available_themes)),
                    title="kg.yaml",
                    severity="warning",
                )
        if config.keymap:
            self.set_keymap(config.keymap_dict())

    def _watch(self) -> None:
        from kg_tui.live import CorpusWatcher

        # Only an app that opened a corpus folder itself follows it: a graph handed in
        # (tests, notebooks) may come from an index elsewhere that a reload would miss.
        root = self.root if self.corpus is not None else None
        if root is None or os.environ.get("KG_NO_WATCH") or self._watcher is not None:
            return
        watcher = CorpusWatcher(root, lambda paths: self.post_message(FilesChanged(paths)))
        watcher.start()
        self._watcher = watcher

    def on_unmount(self) -> None:
        self._note_vectors_stop.set()
        if self._watcher is not None:
            self._watcher.stop()  # type: ignore[attr-defined]

    def on_files_changed(self, message: FilesChanged) -> None:
        self.reload(f"{len(message.paths)} file{'s' if len(message.paths) != 1 else ''} changed")

    def on_path_shown(self, message: PathShown) -> None:
        self.last_path = (message.source, message.target)

    @work(thread=True, group="reload")
    def reload(self, why: str, embed: str = "lazy") -> None:
        """Load the corpus again (only what changed is re-read, only the texts that changed
        are embedded; with ``embed="all"`` every text lacking a vector) and keep the
        person's place.

        Re-indexes run one at a time and every one is shown, in order: the notes a toast
        names and a retitle followed are what that re-index changed since the graph shown.
        """
        from kg_tui.live import keep_place, note_changes

        root = self.root if self.corpus is not None else None
        if root is None:
            return
        with self._reloading:
            started = time.perf_counter()
            try:
                graph = kg.load(
                    root,
                    index=self.index,
                    config=self.config_path,
                    embed=embed,
                    embedder=self.embedder,
                )
            except (KgError, OSError) as error:
                self.call_from_thread(
                    self.notify, str(error), title="Could not re-index", severity="error"
                )
                return
            seconds = time.perf_counter() - started
            graph.corpus_stats()  # counted here, off the screen's thread, for the header
            changes = note_changes(self.graph, graph)

            def show() -> None:
                self.graph = graph
                self.reloads += 1
                keep_place(self.main_screen, graph, changes)
                self.keep_note_vectors()
                if embed == "all":
                    self.main_screen.rank_near_again()
                    self.notify(
                        f"{why} in {seconds:.1f} s: near notes and search by meaning are ready.",
                        title="Vectors",
                        timeout=4,
                    )
                    return
                self.notify(
                    f"{why}: {changes.describe()} ({seconds:.1f} s)", title="Re-indexed", timeout=3
                )

            if not get_current_worker().is_cancelled:  # the app is closing otherwise
                self.call_from_thread(show)

    def keep_note_vectors(self) -> None:
        """Compute the model's whole-note vectors the shown graph lacks, on a thread (one run
        at a time; a run that ends while the graph shown lacks some, after an edit, is
        followed by another). Near and search use the static vectors until they are there,
        and say which they used."""
        graph = self.graph
        if graph is None or self._note_vectors_running:
            return
        if (
            graph.embeddings is None
            and self.corpus is not None
            and not self._vectors_asked
            and not os.environ.get("KG_NO_WATCH")  # the index left as it is
        ):
            # An index made without vectors (the browser's own first open of a folder reads
            # the files only, to be quick): the vectors near and search need, in the
            # background, once; the model's whole-note vectors follow when they are there.
            self._vectors_asked = True
            self.notify(
                "This index has no vectors yet: computing them in the background for near "
                "notes and search by meaning (search by words works meanwhile).",
                title="Vectors",
                timeout=5,
            )
            self.reload("Vectors computed", embed="all")
            return

        def progress(stage: str, done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the app may have closed meanwhile
                said(done, total)

        # After an edit (the index updated in place) only its notes are embedded, in a
        # second or so: the "Re-indexed" notice says enough, so the run says nothing.
        update = graph.index_update
        quiet = update is not None and update.mode == "updated"

        def said(done: int, total: int) -> None:
            if quiet:
                if done >= total:
                    self.call_from_thread(self._note_vectors_done, total, False)
            elif done == 0:
                self.call_from_thread(
                    self.notify,
                    f"Computing the model's vectors of {total:,} notes in the background; "
                    "near and search use the static vectors until then.",
                    title="Note vectors",
                    timeout=4,
                )
            elif done >= total:
                self.call_from_thread(self._note_vectors_done, total)

        self._note_vectors_running = True
        graph.embed_notes(background=True, progress=progress, stop=self._note_vectors_stop)
        if not graph.embedding_notes:  # nothing was missing
            self._note_vectors_running = False

    def _note_vectors_done(self, total: int, tell: bool = True) -> None:
        self._note_vectors_running = False
        if tell:
            self.notify(
                f"The model's vectors of {total:,} notes are ready: near and search use them now.",
                title="Note vectors",
                timeout=4,
            )
        self.main_screen.rank_near_again()
        self.keep_note_vectors()  # an edit during the run may have left notes without

    def _open(self, done: Future[KnowledgeGraph]) -> None:
        """Open the corpus on a thread of its own, started before the first frame: reading
        the index (SQLite, file stats) overlaps with Textual starting up."""
        assert self.corpus is not None
        started = time.perf_counter()
        try:
            graph = open_graph(
                self.corpus, self.index, self.config_path, self._progress, self.embedder
            )
            # The overview (figures, starting points) on this thread too: the screen draws
            # it at once (kept beside the index, its lists cost nothing).
            kg.overview(graph)
        except BaseException as error:  # handed to the waiting worker
            done.set_exception(error)
            return
        self.load_seconds = time.perf_counter() - started
        done.set_result(graph)

    def _progress(self, stage: str, done: int, total: int) -> None:
        self._last_progress = LoadProgress(stage, done, total)
        if self._progress_to is not None:
            self._progress_to.post_message(self._last_progress)

    @work(thread=True, exclusive=True, group="load")
    def wait_for_graph(self) -> None:
        screen = self.main_screen
        assert self._opening is not None
        try:
            graph = self._opening.result()
        except (KgError, OSError) as error:
            screen.post_message(LoadFailed(str(error)))
            return
        self.graph = graph
        screen.post_message(GraphLoaded(graph, self.load_seconds))
        # After the graph is shown (the screen's messages come in order): a search asked
        # for before it was there.
        screen.call_later(self._run_queued_search, screen)
        self.call_from_thread(self._watch)
        # The whole-note vectors after the first moments, so they never slow the first
        # search, walk or trace a person makes.
        self.call_from_thread(self.set_timer, NOTE_VECTORS_AFTER, self.keep_note_vectors)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
        else:
            self.screen.dismiss(None)


def run(
    corpus: str | Path,
    *,
    index: str | Path | None = None,
    config: str | Path | None = None,
    start: str | None = None,
    export_dir: str | Path | None = None,
) -> int:
    """Run the browser until the person quits; returns an exit status."""
    app = KgApp(corpus, index=index, config=config, start=start, export_dir=export_dir)
    app.run(mouse=os.environ.get("KG_NO_MOUSE") is None)
    return app.return_code or 0
