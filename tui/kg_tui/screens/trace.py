"""Trace: pick a statement of the note and see the evidence tree behind it."""

from __future__ import annotations

import shlex
import textwrap
import time
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static, Tree
from textual.widgets.option_list import Option

from kg import KnowledgeGraph
from kg.errors import KgError
from kg.model import Note
from kg_tui import features
from kg_tui.messages import OpenNote
from kg_tui.screens.trace_lists import ListingMethods
from kg_tui.widgets.evidence import EvidenceRow, EvidenceTree
from kg_tui.widgets.find_bar import FindInput
from kg_tui.widgets.footer import FittingFooter


@dataclass
class Traced(Message):
    index: int
    tree: features.EvidenceNode | None
    error: str = ""


MAX_DEPTH = 5  # the deepest trace the screen asks for


class TraceScreen(ListingMethods):
    """Statements on the left, the evidence for the highlighted one on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "close", "Back to the walk", tooltip="Close the trace and return to the walk"
        ),
        Binding(
            "plus,equals_sign",
            "depth(1)",
            "Deeper",
            key_display="+",
            tooltip="Trace one level deeper",
        ),
        Binding(
            "minus", "depth(-1)", "Shallower", key_display="-", tooltip="Trace one level shallower"
        ),
        Binding("tab", "app.focus_next", "Switch panel", show=False),
        Binding(
            "u",
            "used_by",
            "Used by",
            tooltip="The claims elsewhere that rest on this note (kg trace --used-by)",
            id="trace.used_by",
        ),
        Binding(  # in the Used by view, in place of the key above
            "u",
            "evidence",
            "Evidence",
            tooltip="Back from Used by to the evidence of the highlighted statement",
            id="trace.evidence",
        ),
        Binding(
            "a",
            "check",
            "Check all",
            tooltip="Mark this note's statements whose best evidence is too weak",
            id="trace.check",
        ),
        Binding(
            "L",
            "lint",
            "Lint corpus",
            tooltip="Every weakly supported claim of the corpus (kg trace --unsupported)",
            show=False,
            id="trace.lint",
        ),
        Binding(
            "ctrl+f",
            "filter",
            "Filter",
            tooltip="Type to filter the statements",
            id="trace.filter",
        ),
        Binding(
            "w",
            "maximize",
            "Widen",
            tooltip="Widen the focused panel to the whole screen, and back (also Esc)",
            show=False,
            id="trace.maximize",
        ),
    ]

    def __init__(
        self,
        graph: KnowledgeGraph,
        note: Note,
        depth: int = 3,
        line: int | None = None,
        near: str = "",
    ) -> None:
        """`line`: start on the first statement read from that line of the note's file
        (-1: the claim), preferring one holding `near` (the paragraph and the link under
        the reading view's cursor)."""
        super().__init__()
        self.graph = graph
        self.note = note
        self.depth = depth
        self.line = line
        self.near = near
        self.weak: dict[int, float] = {}  # statements found too weakly supported
        self.text = ""  # the type-to-filter text of the statements
        self.claims: list[features.ClaimRow] = []
        self.traced: int | None = None
        self._started = 0.0  # when the running trace began (for its progress line)
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("TRACE ", "bold $accent"), self.note.title), id="trace-title"
        )
        with Horizontal(id="trace-body"):
            with Vertical(id="trace-claims-pane"):
                yield Label(STATEMENTS, classes="pane-title", id="trace-claims-title")
                yield FindInput(placeholder="part of a statement", compact=True, id="trace-filter")
                yield OptionList(id="trace-claims")
            with Vertical(id="trace-tree-pane"):
                yield Label("Evidence", classes="pane-title", id="trace-tree-title")
                yield Static("", id="trace-note")
                yield EvidenceTree(id="trace-tree")
                with VerticalScroll(id="trace-detail", can_focus=True):
                    yield Static("", id="trace-quote")
        yield FittingFooter(compact=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_claims_title)
        self.call_after_refresh(self._refill)

    def _refill(self) -> None:
        """The statements again, their lines hung for the list's new width (the one
        traced stays highlighted, and is not traced again)."""
        if self.claims:
            options = self.query_one("#trace-claims", OptionList)
            with options.prevent(OptionList.OptionHighlighted):
                self._fill()

    def _fit_claims_title(self) -> None:
        """The statements' title names `--claim N` where it fits on its line; where it
        would wrap (under about 75 columns) it is "Statements", the numbers still shown."""
        title = self.query_one("#trace-claims-title", Label)
        if str(title.render()) not in (STATEMENTS, STATEMENTS_SHORT):
            return  # a listing's own title ("Statements · 3 of 14 weak")
        width = title.content_region.width
        title.update(STATEMENTS if not width or width >= len(STATEMENTS) else STATEMENTS_SHORT)

    def on_mount(self) -> None:
        options = self.query_one("#trace-claims", OptionList)
        tree = self.query_one(EvidenceTree)
        try:
            self.claims = features.claims(self.graph, self.note)
        except features.Unavailable as error:
            self._note(str(error))
            options.focus()
            return
        if not self.claims:
            options.add_option(
                Option(
                    Content.styled(
                        "This note has no claim, body or sources to trace.", "dim italic"
                    ),
                    disabled=True,
                )
            )
            self._note("Nothing to trace.")
            tree.clear()
            options.focus()
            return
        self.query_one("#trace-filter").display = False
        self._fill()
        start = self._start()
        options.highlighted = start
        options.focus()
        self._note("Enter traces the highlighted statement.")

    def _start(self) -> int:
        """The statement to begin on: the one under the reading view's cursor, if given."""
        if self.line is None:
            return 0
        if self.line == -1:
            return next((i for i, c in enumerate(self.claims) if c.kind == "claim"), 0)
        here = [
            i
            for i, c in enumerate(self.claims)
            if c.kind == "body" and c.raw is not None and c.raw.line == self.line
        ]
        near = self.near.casefold()
        holding = [i for i in here if near and near in self.claims[i].text.casefold()]
        return (holding or here or [0])[0]

    def _fill(self) -> None:
        """List the statements holding the filter text, weak ones marked."""
        options = self.query_one("#trace-claims", OptionList)
        was = options.highlighted_option.id if options.highlighted_option is not None else None
        options.clear_options()
        key = self.text.casefold()
        # Numbers right-aligned, so the statements start in one column up to the tenth.
        wide = max((len(str(c.number)) for c in self.claims if c.number is not None), default=1)
        # The options' own padding (a cell each side), and the scrollbar the list will
        # show once filled when it does not yet.
        bar = 0 if options.show_vertical_scrollbar else options.styles.scrollbar_size_vertical
        width = options.scrollable_content_region.width - 2 - bar
        options.add_options(
            Option(
                Content.assemble(
                    (numbered(claim, wide), _where_style(claim.kind)),
                    "  ",
                    hung(claim.text, wide + 2, width, first=len(numbered(claim, wide)) + 2),
                    *(
                        [("  weak", "bold $error")]
                        if claim.raw is not None and claim.raw.index in self.weak
                        else []
                    ),
                ),
                id=str(i),
            )
            for i, claim in enumerate(self.claims)
            if key in claim.text.casefold() or key in claim.where.casefold()
        )
        if options.option_count:
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            options.highlighted = ids.index(was) if was in ids else 0

    # ------------------------------------------------------------ tracing

    @on(OptionList.OptionHighlighted, "#trace-claims")
    def _claim_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.start_trace(int(event.option.id))

    @on(OptionList.OptionSelected, "#trace-claims")
    def _claim_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            index = int(event.option.id)
            if self.traced != index:
                self.start_trace(index)
            self.query_one(EvidenceTree).focus()

    def start_trace(self, index: int) -> None:
        self._leave_listing()
        self.traced = index
        self._started = time.monotonic()
        self._progress()
        if self._ticker is None:
            self._ticker = self.set_interval(0.5, self._progress)
        else:
            self._ticker.resume()
        self.run_trace(index)

    def _progress(self) -> None:
        """The tracing line: after a moment, say the model is loading and how far it is."""
        if self.traced is None:
            return
        claim = self.claims[self.traced]
        title = f"Evidence · {called(claim)} · depth {self.depth} · tracing…"
        waited = time.monotonic() - self._started
        if waited >= 1.0:
            title += f" {waited:.0f} s"
            self._note(trace_progress(self.graph))
        self.query_one("#trace-tree-title", Label).update(title)

    @work(thread=True, exclusive=True, group="trace")
    def run_trace(self, index: int) -> None:
        claim = self.claims[index]
        try:
            tree = features.trace(self.graph, self.note, claim, depth=self.depth)
        except (features.Unavailable, KgError) as error:
            self.post_message(Traced(index, None, str(error)))
            return
        self.post_message(Traced(index, tree))

    def on_traced(self, message: Traced) -> None:
        if message.index != self.traced:
            return
        if self._ticker is not None:
            self._ticker.pause()
        self._note("")
        claim = self.claims[message.index]
        tree = self.query_one(EvidenceTree)
        title = self.query_one("#trace-tree-title", Label)
        quote = self.query_one("#trace-quote", Static)
        if message.tree is None:
            title.update(f"Evidence · {called(claim)}")
            tree.clear()
            self._note(message.error or "No evidence found.")
            quote.update("")
            return
        count = tree.show_tree(
            message.tree, "claim" if claim.kind == "claim" else claim.where, claim.number
        )
        title.update(f"Evidence · {called(claim)} · {count} found · depth {self.depth}")
        self._note(
            ""
            if count
            else "No note supports this statement: it cites nothing, and no source or "
            "related note says the same."
        )
        quote.update(describe_evidence(message.tree, tree.where, tree.number, self.note.title))
        self.query_one("#trace-detail").scroll_home(animate=False)

    @on(Tree.NodeHighlighted, "#trace-tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted[EvidenceRow]) -> None:
        row = event.node.data
        if row is None:
            return
        tree = self.query_one(EvidenceTree)
        self.query_one("#trace-quote", Static).update(
            describe_evidence(row.node, tree.where, tree.number, self.note.title)
        )
        self.query_one("#trace-detail").scroll_home(animate=False)

    def _note(self, text: str) -> None:
        note = self.query_one("#trace-note", Static)
        note.update(text)
        note.display = bool(text)

    def on_open_note(self, message: OpenNote) -> None:
        message.stop()
        self.dismiss(message.note_id)

    # ------------------------------------------------------------ filter, widen

    def action_filter(self) -> None:
        box = self.query_one("#trace-filter", FindInput)
        box.display = True
        box.focus()

    @on(FindInput.Changed, "#trace-filter")
    def _filter_typed(self, event: FindInput.Changed) -> None:
        self.text = event.value
        self._fill()

    @on(FindInput.Submitted, "#trace-filter")
    def _filter_done(self, event: FindInput.Submitted) -> None:
        self._close_filter(keep=True)

    def on_find_input_closed(self, message: FindInput.Closed) -> None:
        message.stop()
        self._close_filter(message.keep)

    def _close_filter(self, keep: bool) -> None:
        box = self.query_one("#trace-filter", FindInput)
        if not keep or not box.value:
            box.value = ""
            self.text = ""
            self._fill()
            box.display = False
        self.query_one("#trace-claims").focus()

    def action_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.focused is not None:
            self.maximize(self.focused, container=False)

    # ------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    def action_depth(self, delta: int) -> None:
        depth = min(MAX_DEPTH, max(1, self.depth + delta))
        if depth == self.depth:
            self.notify(
                f"Depth {depth} is the deepest trace: {MAX_DEPTH} links from the statement"
                if delta > 0
                else "Depth 1 is the shallowest trace: the statement's own evidence",
                timeout=3,
            )
            return
        if depth != self.depth:
            self.depth = depth
            if self.traced is not None:
                self.start_trace(self.traced)


def trace_progress(graph: KnowledgeGraph) -> str:
    """What a trace that takes a while is doing: loading the model, then embedding texts."""
    lazy = getattr(graph, "lazy_vectors", None)
    embedded = getattr(lazy, "embedded", 0) if lazy is not None else 0
    if embedded:
        return f"Comparing statements by meaning: {embedded:,} texts embedded so far."
    return (
        "Loading the language model: the first trace takes a few seconds "
        "(later ones are quick). Esc goes back meanwhile."
    )


def describe_evidence(
    node: features.EvidenceNode, where: str = "claim", number: int | None = None, title: str = ""
) -> Content:
    """The detail pane of one evidence node: each part on its own, labelled, never cut.
    `where` says which statement the tree traces ('claim', '2', '14 source'): the root
    of a body sentence's trace is headed as a statement, not as the note's claim. The
    root also says how `kg trace` traces the same statement (its `number`, of the note
    `title`)."""
    label = node.label if node.label and node.label not in node.quote else ""
    kind = node.kind.upper()
    if node.kind == "claim" and where != "claim":
        kind = f"STATEMENT · {where}" if where else "STATEMENT"
    head = kind + (f" · {label}" if label else "")
    if node.score is not None and node.kind != "claim" and node.rank:
        what = "share of the fused ranking" if node.parts else "score"
        head += f" · #{node.rank}, {what} {node.score:.2f}"
    elif node.score is not None and node.kind != "claim":
        head += f" · score {node.score:.2f}"
    parts: list[str | tuple[str, str]] = [(head, "bold $accent")]
    if node.parts or node.cosine is not None:
        fused = [f"{name} {value:.2f}" for name, value in node.parts]
        if node.cosine is not None:
            fused.append(f"best cosine (threshold) {node.cosine:.2f}")
        parts += ["\n", ("Ranked by  " + " · ".join(fused), "dim")]
    if node.title:
        parts += ["\n", (node.title, "bold")]
    if node.where:
        parts += ["\n", (node.where, "dim")]
    if node.kind == "claim" and number is not None and title:
        parts += ["\n", (f"kg trace {shlex.quote(title)} --claim {number}", "dim")]
    sections = [
        ("Quoted", node.quote or "(no quoted text)"),
        ("Why linked", node.why),
        ("About the note", node.about),
    ]
    for name, text in sections:
        if text:
            parts += ["\n\n", (f"{name}  ", "bold $text-muted"), (text, "italic")]
    return Content.assemble(*parts)


STATEMENTS = "Statements · --claim N"  # numbered as `kg trace --claims` lists them
STATEMENTS_SHORT = "Statements"


def numbered(claim: features.ClaimRow, wide: int) -> str:
    """A statement's label in the list: its number, right-aligned to `wide`, then what it
    is when it is not a body sentence.

    >>> from kg_tui.features import ClaimRow
    >>> numbered(ClaimRow("body", "A.", "2"), 2), numbered(ClaimRow("claim", "B.", "0 claim"), 2)
    (' 2', ' 0 claim')
    """
    number, _, kind = claim.where.partition(" ")
    return f"{number:>{wide}}" + (f" {kind}" if kind else "")


def hung(text: str, lead: int, width: int, first: int | None = None) -> str:
    """`text` wrapped to the `width` left after a label of `first` cells (default `lead`),
    each line after the first led by `lead` spaces, so the label's number stands alone at
    the left (a kind after the number, "0 claim", does not push the text under it to a
    word a line); unchanged when the width is unknown (0) or too narrow to hang.

    >>> print(hung("one two three four five six", 4, 20))
    one two three
        four five six
    >>> print(hung("one two three four five six seven eight", 4, 24, first=10))
    one two three
        four five six seven
        eight
    """
    first = lead if first is None else first
    if width <= 0 or width - max(lead, first) < 12:
        return text
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=" " * first,
        subsequent_indent=" " * lead,
        break_on_hyphens=False,
    )
    return "\n".join(lines)[first:]


def called(claim: features.ClaimRow) -> str:
    """The statement as `kg trace --claim N` calls it ("claim 2"), or its label without a
    number.

    >>> from kg_tui.features import ClaimRow
    >>> called(ClaimRow("body", "A sentence.", "2"))
    'claim 2'
    """
    number = claim.where.partition(" ")[0]
    return f"claim {number}" if number.isdigit() else claim.where


def _where_style(kind: str) -> str:
    return {"claim": "bold $accent", "source": "bold $secondary"}.get(kind, "bold $text-muted")
