"""The Textual app behind `kg browse`: opens a corpus and walks it.

`KgApp(corpus=PATH)` loads the corpus in a worker thread, so the first screen paints
at once; `KgApp(graph=g)` shows an already loaded graph (tests, benchmarks).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kg import KnowledgeGraph
from kg.errors import KgError
from kg_tui.features import open_graph
from kg_tui.messages import GraphLoaded, LoadFailed, LoadProgress
from kg_tui.screens.help import HelpScreen
from kg_tui.screens.main import MainScreen


class KgApp(App[None]):
    """Browse a knowledge graph of research notes."""

    CSS_PATH = "app.tcss"
    TITLE = "kg"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?", tooltip="This list of keys"),
        Binding("q", "quit", "Quit", tooltip="Quit the browser"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
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
        root = graph.root if graph is not None and graph.root else self.corpus
        self.corpus_name = Path(root).resolve().name if root else "corpus"
        self.load_seconds = 0.0
        self._progress_to: MainScreen | None = None
        self._opening: Future[KnowledgeGraph] | None = None
        if graph is None:
            self._opening = Future()
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
        if self.graph is None:
            self._progress_to = self.main_screen
            self.call_after_refresh(self.wait_for_graph)

    def _open(self, done: Future[KnowledgeGraph]) -> None:
        """Open the corpus on a thread of its own, started before the first frame: reading
        the index (SQLite, file stats) overlaps with Textual starting up."""
        assert self.corpus is not None
        started = time.perf_counter()
        try:
            graph = open_graph(self.corpus, self.index, self.config_path, self._progress)
        except BaseException as error:  # handed to the waiting worker
            done.set_exception(error)
            return
        self.load_seconds = time.perf_counter() - started
        done.set_result(graph)

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self._progress_to is not None:
            self._progress_to.post_message(LoadProgress(stage, done, total))

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

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


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
