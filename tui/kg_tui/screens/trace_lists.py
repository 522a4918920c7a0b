"""The trace screen's right-pane listings: the claims that rest on the note (u), every
weak claim of the corpus (L, with its progress) and the check of the note's own
statements (a). A base class of `TraceScreen`, kept apart so that module stays about
tracing one statement."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static
from textual.worker import get_current_worker

from kg import KnowledgeGraph
from kg.errors import KgError
from kg.model import Note
from kg_tui import features
from kg_tui.details import plural
from kg_tui.widgets.evidence import EvidenceTree


@dataclass
class Listed(Message):
    what: str  # 'used_by' or 'lint'
    nodes: list[features.EvidenceNode]
    error: str = ""
    run: int = 0  # which listing it answers (one the person left is not shown)


@dataclass
class LintProgress(Message):
    """How far the corpus check (L) is: claims checked of all the corpus's claims."""

    run: int
    done: int
    total: int


@dataclass
class Checked(Message):
    weak: dict[int, float]  # claim index -> best score, for the weak statements


class ListingMethods(Screen[str | None]):
    """Used by, the corpus check and the note check; `TraceScreen` supplies the rest."""

    graph: KnowledgeGraph
    note: Note
    claims: list[features.ClaimRow]
    weak: dict[int, float]
    traced: int | None
    depth: int  # the trace's depth, which Used by follows too
    _ticker: Timer | None
    # The right pane's listing (u, L): each has a run number; a result arrives for the
    # listing on show or is dropped (the person moved on), never replacing the pane.
    _run: int = 0
    _listing_now: str = ""  # 'used_by' or 'lint' while one is on show, else ''
    _lint_progress: tuple[int, int, float] = (0, 0, 0.0)  # checked, in all, when it began
    _lint_ticker: Timer | None = None
    _lint_done: Listed | None = None  # a corpus check finished after the person left

    if TYPE_CHECKING:

        def _note(self, text: str) -> None: ...

        def _fill(self) -> None: ...

        def start_trace(self, index: int) -> None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In a listing (Used by, the corpus check) the depth keys have no trace to act
        on: hidden; `u` lists Used by, or in it goes back to the evidence."""
        if action == "depth":
            return not self._listing_now
        if action == "used_by":
            return self._listing_now != "used_by"
        if action == "evidence":
            return self._listing_now == "used_by"
        return True

    def action_evidence(self) -> None:
        """Back to the evidence tree of the statement highlighted on the left."""
        options = self.query_one("#trace-claims", OptionList)
        picked = options.highlighted_option
        if picked is not None and picked.id is not None:
            self.start_trace(int(picked.id))
        elif self.claims:
            self.start_trace(self.traced if self.traced is not None else 0)

    def action_used_by(self) -> None:
        self._show_listing("used_by", "Used by · looking…", "")
        self._listing("used_by", self._run)

    def action_lint(self) -> None:
        done = self._lint_done
        if done is not None:  # checked already, after the person had moved on
            self._lint_done = None
            self._show_listing("lint", "Weak claims of the corpus", "")
            done.run = self._run
            self.on_listed(done)
            return
        self._show_listing(
            "lint",
            "Weak claims of the corpus · checking…",
            "Checking every claim of the corpus: this reads the whole corpus once.",
        )
        self._lint_progress = (0, 0, time.monotonic())
        if self._lint_ticker is None:
            self._lint_ticker = self.set_interval(0.5, self._lint_line)
        else:
            self._lint_ticker.resume()
        self._lint_line()
        self._corpus_check(self._run)

    def _show_listing(self, what: str, title: str, note: str) -> None:
        """Start a listing in the right pane: what was there goes at once, so nothing
        stale reads as its result."""
        self._leave_listing()
        self.traced = None
        if self._ticker is not None:
            self._ticker.pause()
        self._run += 1
        self._listing_now = what
        self.refresh_bindings()  # the depth keys hide, u says where it goes
        self.query_one(EvidenceTree).clear()
        self.query_one("#trace-quote", Static).update("")
        self.query_one("#trace-tree-title", Label).update(title)
        self._note(note)

    def _leave_listing(self) -> None:
        """The person moved on (a trace, another listing): the running listing's result
        will be dropped, a corpus check's kept for L and announced."""
        if self._listing_now == "lint" and self._lint_ticker is not None:
            self._lint_ticker.pause()
        if self._listing_now:
            self._listing_now = ""
            self.refresh_bindings()
        self._run += 1

    def _lint_line(self) -> None:
        done, total, began = self._lint_progress
        if self._listing_now != "lint":
            return
        counted = f"{done:,} of {total:,} claims" if total else "counting the claims"
        self.query_one("#trace-tree-title", Label).update(
            f"Weak claims of the corpus · checking… {counted} · {time.monotonic() - began:.0f} s"
        )

    def on_lint_progress(self, message: LintProgress) -> None:
        began = self._lint_progress[2]
        self._lint_progress = (message.done, message.total, began)
        if message.run == self._run:
            self._lint_line()

    def action_check(self) -> None:
        self._claims_title("Statements · checking their evidence…")
        self._listing("check", self._run)

    def _claims_title(self, text: str) -> None:
        self.query_one("#trace-claims-title", Label).update(text)

    @work(thread=True, exclusive=True, group="trace-list")
    def _listing(self, what: str, run: int) -> None:
        from kg_tui import uses

        try:
            if what == "check":
                self.post_message(Checked(uses.weak_statements(self.graph, self.note)))
                return
            nodes = uses.used_by(self.graph, self.note, depth=self.depth)
        except (features.Unavailable, KgError) as error:
            self.post_message(Listed(what, [], str(error), run))
            return
        self.post_message(Listed(what, nodes, run=run))

    @work(thread=True, exclusive=True, group="trace-lint")
    def _corpus_check(self, run: int) -> None:
        """Every claim of the corpus, note by note, saying how far it is (the check goes
        on when the person moves on; its result then waits for L)."""
        from kg_tui import uses

        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            self.post_message(LintProgress(run, done, total))

        try:
            nodes = uses.corpus_lint(self.graph, progress, stop=lambda: worker.is_cancelled)
        except (features.Unavailable, KgError) as error:
            self.post_message(Listed("lint", [], str(error), run))
            return
        if not worker.is_cancelled:
            self.post_message(Listed("lint", nodes, run=run))

    def on_listed(self, message: Listed) -> None:
        if message.what == "lint" and self._lint_ticker is not None:
            self._lint_ticker.pause()
        if message.run != self._run or self._listing_now != message.what:
            if message.what == "lint" and not message.error:
                self._lint_done = message  # shown at once on the next L
                self.notify(
                    f"The corpus check is done: {_lint_counts(message.nodes)}. "
                    "Press L to list them.",
                    title="Weak claims",
                    timeout=6,
                )
            return
        tree = self.query_one(EvidenceTree)
        count = tree.show_list(message.nodes)
        if message.what == "used_by":
            # As `kg trace --used-by --depth N` lists them: the trace's depth, 3 at first.
            head = f"Used by · {plural(count, 'claim')}, up to {self.depth} links away"
            empty = "No claim elsewhere rests on this note."
        else:
            head = f"Weak claims of the corpus · {_lint_counts(message.nodes)}"
            empty = "Every claim of the corpus has evidence above the threshold."
        self.query_one("#trace-tree-title", Label).update(head)
        self._note(message.error or ("" if count else empty))
        self.query_one("#trace-quote", Static).update("")

    def on_checked(self, message: Checked) -> None:
        self.weak = message.weak
        self._fill()
        weak = len(message.weak)
        self._claims_title(
            f"Statements · {weak} of {len(self.claims)} weak"
            if weak
            else f"Statements · all {len(self.claims)} supported"
        )


def _lint_counts(nodes: list[features.EvidenceNode]) -> str:
    """What the corpus check found, counted apart: weak claims, notes with no sources.

    >>> from kg_tui.features import EvidenceNode as Node
    >>> _lint_counts([Node("weak", "a", "A", 0.1, "q"), Node("no sources", "b", "B", None, "q")])
    '1 weak claim, 1 note with no sources'
    """
    from kg_tui.uses import NO_SOURCES

    sourceless = sum(node.kind == NO_SOURCES for node in nodes)
    text = plural(len(nodes) - sourceless, "weak claim")
    if sourceless:
        text += f", {sourceless} note{'s' if sourceless != 1 else ''} with no sources"
    return text
