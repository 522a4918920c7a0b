"""The note being read: title, description, categories, date, figures, claim and body.

Titles of other notes that appear in the running text are links: click one, or move the
link cursor with ← → and press Enter, to re-centre the walk on it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive

from kg import KnowledgeGraph
from kg.model import LinkKind, Note, NoteKind, NoteStats
from kg_tui.details import plural
from kg_tui.emphasis import emphasis
from kg_tui.labels import KIND_LABELS as KIND_LABELS  # the header's words for each kind
from kg_tui.labels import is_plain_note, kind_label, shown_title
from kg_tui.messages import OpenNote
from kg_tui.shape import disagreements
from kg_tui.widgets.hanging import Parts
from kg_tui.widgets.markdown_note import markdown_source, render_markdown
from kg_tui.widgets.note_blocks import card_list, places, render_block, same_heading
from kg_tui.widgets.note_links import LinkTargets, Span
from kg_tui.widgets.note_parts import (
    Block,
    NoteText,
    bullets,
    figures_text,
    find_mentions,
    one_per_target,
    repeats_description,
    stub_text,
)
from kg_tui.widgets.note_parts import home_lists as home_lists  # the overview's lists


class NoteView(VerticalScroll, can_focus=True):
    """Shows one note, or the corpus overview, with followable links."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "next_link", "Link", key_display="←→", tooltip="Next link in the text"),
        Binding(
            "left",
            "previous_link",
            "Previous link",
            show=False,
            tooltip="Previous link in the text",
        ),
        Binding("enter", "follow", "Open", tooltip="Walk to the highlighted link"),
        Binding(
            "space",
            "expand",
            "Unfold embed",
            show=False,
            tooltip="Show or hide the text of the embedded note the link cursor is on",
        ),
        # The footer names what w does to the note: fold the side panel away, or bring
        # it back (under 80 columns the note has the whole width already: no key).
        Binding(
            "w",
            "widen",
            "Widen",
            tooltip="Widen the note, folding the side panel away",
            id="note.widen",
        ),
        Binding(
            "w",
            "unwiden",
            "Side panel",
            tooltip="Bring the folded side panel back (also Esc)",
            id="note.unwiden",
        ),
    ]

    link_cursor: reactive[int] = reactive(-1, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._blocks: list[Block] = []
        self._links: list[tuple[int, int]] = []  # (block index, span index)
        self._pool: list[NoteText] = []  # widgets reused from note to note
        self._figures_block: Block | None = None
        self.note_id: str | None = None
        self._hits: list[int] = []  # block index of each place the find text occurs
        self._hit = -1
        self._expanded: set[str] = set()  # embedded notes shown unfolded
        self._embeds: set[str] = set()  # notes this note embeds (that can unfold)
        self._shown: tuple[KnowledgeGraph, Note, NoteStats | None] | None = None

    # ------------------------------------------------------------ building blocks

    def _plain(self, content: Content | str, classes: str) -> Block:
        block = Block(classes, content=Content(content) if isinstance(content, str) else content)
        self._blocks.append(block)
        return block

    def _linked(self, text: str, spans: list[Span], classes: str, style: str = "") -> Block:
        index = len(self._blocks)
        block = Block(classes, text=text, spans=spans, style=style)
        self._blocks.append(block)
        self._links += [(index, i) for i in range(len(spans))]
        return block

    # ------------------------------------------------------------ find

    def find(self, text: str) -> int:
        """Mark every place `text` occurs in the note's running text (any case) and
        scroll to the first; returns how many places there are."""
        self._hits = []
        for index, block in enumerate(self._blocks):
            if block.content is not None:
                continue
            found = places(block.text, text)
            self._hits += [index] * len(found)
            if found or block.found:
                block.found = found
                if block.widget is not None:
                    block.widget.update(render_block(block, None))
        self._hit = -1
        if self._hits:
            self.find_next()
        return len(self._hits)

    def statement_here(self) -> tuple[int | None, str]:
        """The file line of the paragraph under the cursor (-1 for the claim, None when the
        cursor is on no statement) and the text of the link the cursor is on, if any: the
        link cursor's block, else the first statement at the top of the view."""
        if 0 <= self.link_cursor < len(self._links):
            index, span_index = self._links[self.link_cursor]
            block = self._blocks[index]
            span = block.spans[span_index]
            return block.line, block.text[span.start : span.end]
        top = self.scroll_y
        for block in self._blocks:
            widget = block.widget
            if block.line is None or widget is None:
                continue
            if widget.virtual_region.bottom > top:
                return block.line, ""
        return None, ""

    @property
    def found_count(self) -> int:
        """How many places the find text occurs in."""
        return len(self._hits)

    def find_next(self) -> int:
        """Scroll to the next place found; returns its number (1-based), 0 if none."""
        if not self._hits:
            return 0
        self._hit = (self._hit + 1) % len(self._hits)
        widget = self._blocks[self._hits[self._hit]].widget
        if widget is not None:
            self.scroll_to_widget(widget, animate=False, top=True)
        return self._hit + 1

    def _prose(self, text: str, titles: dict[str, str], classes: str) -> Block:
        """Running text: Markdown emphasis shown as italic or bold, titles as links."""
        plain, marks = emphasis(text)
        block = self._linked(plain, find_mentions(plain, titles), classes)
        block.marks = marks
        return block

    def _show(self) -> None:
        """Put the blocks on screen, reusing the widgets of the previous note: updating a
        widget costs far less than mounting a new one."""
        fresh: list[NoteText] = []
        for index, block in enumerate(self._blocks):
            if index < len(self._pool):
                widget = self._pool[index]
                widget.set_classes(block.classes)
                widget.display = True
            else:
                widget = NoteText(classes=block.classes, markup=False)
                self._pool.append(widget)
                fresh.append(widget)
            block.widget = widget
            widget.update(render_block(block, None))
        for widget in self._pool[len(self._blocks) :]:
            widget.display = False
        if fresh:
            self.mount_all(fresh)
        self.scroll_home(animate=False)

    def _reset(self, note_id: str | None) -> None:
        if note_id != self.note_id:
            self._expanded = set()
        self._embeds = set()
        self._shown = None
        self._blocks = []
        self._links = []
        self._figures_block = None
        self.note_id = note_id
        self._hits = []
        self._hit = -1
        self.set_reactive(NoteView.link_cursor, -1)

    # ------------------------------------------------------------ public

    def show_message(self, title: str, text: str) -> None:
        self._reset(None)
        self._plain(Content(title), "nv-title")
        self._plain(Content(text), "nv-para")
        self._show()

    def show_note(self, graph: KnowledgeGraph, note: Note, stats: NoteStats | None) -> None:
        """Render `note`; `stats` are its concept-map figures computed from the graph
        (None while a worker counts them: `show_figures` fills them in)."""
        self._reset(note.id)
        self._shown = (graph, note, stats)
        titles = self._link_targets(graph, note)
        meta = [kind_label(note)]
        if note.arxiv:
            meta.append(f"arXiv {note.arxiv}")
        if note.date:
            meta.append(note.date)
        if note.collection:
            meta.append(f"sourced from {note.collection}")
        if note.stub:
            meta.append("stub")
        disagreeing = disagreements(graph, note.id)
        if disagreeing:  # s lists the contested claims
            meta.append(plural(disagreeing, "disagreement"))
        self._plain(Parts(meta), "nv-meta")  # "2 disagreements" kept on one line
        self._plain(Content(shown_title(graph, note)), "nv-title")
        if note.aliases:
            self._plain(Content("also titled: " + "; ".join(note.aliases)), "nv-meta")
        if note.description:
            plain, marks = emphasis(note.description)
            content = Content(plain)
            for start, end, style_name in marks:
                content = content.stylize(style_name, start, end)
            self._plain(content, "nv-desc")
        described = {c.description: c.file for c in note.copies if c.description}
        described.pop(note.description, None)
        for words, file in described.items():
            self._plain(Content(f"As {file} describes it: {words}"), "nv-meta")
        if note.tags:
            self._plain(Content("  ".join(f"#{t.lstrip('#')}" for t in note.tags)), "nv-cats")
        if note.categories:
            cats = [(c, graph.find(c)) for c in note.categories]
            spans: list[Span] = []
            text = ""
            for name, found in cats:
                if text:
                    text += "  "
                if found is not None:
                    spans.append(Span(len(text), len(text) + len(name), found.id))
                text += name
            self._linked(text, spans, "nv-cats")
        self._figures_block = self._plain(figures_text(note, stats), "nv-figures")
        for phrase in note.incomplete():  # declared lists the cut copies hold only in part
            self._plain(Content(f"Incomplete: {phrase}."), "nv-meta")
        if note.stub:
            self._plain(stub_text(graph, note), "nv-empty")
        if note.claim:
            self._plain(Content("Claim"), "nv-heading")
            self._prose(note.claim, titles, "nv-claim").line = -1
        # A paper's abstract is its description: the body does not repeat it.
        source = markdown_source(graph, note)
        if source is not None:
            self._markdown(graph, note, source, titles)
        else:
            body = [p for p in note.body if not repeats_description(p.text, note.description)]
            if body:
                self._plain(Content("Body"), "nv-heading")
                for paragraph in body:
                    self._prose(paragraph.text, titles, "nv-para").line = paragraph.line
        self._sections(graph, note)
        if note.kind is NoteKind.TAG:  # a tag's page: the notes that carry it
            tagged = graph.notes(tag=note.title)
            self._plain(Content(f"Notes tagged {note.title} · {len(tagged)}"), "nv-heading")
            self._linked(*bullets(graph, list(tagged)), "nv-list")
        sources = one_per_target(graph.links_of(note, "out", LinkKind.SOURCE))
        if sources:
            sources.sort(key=lambda lk: (lk.order or 0, lk.line))
            self._plain(Content(f"Sources · {len(sources)}"), "nv-heading")
            for i, link in enumerate(sources, start=1):
                target = graph.note(link.target)
                head = f"{i}. {target.title}"
                start = len(head) - len(target.title)
                spans = [Span(start, len(head), target.id)]
                text = head + (f"\n{link.summary}" if link.summary else "")
                self._linked(text, spans, "nv-source")
        if note.truncated:
            self._plain(
                Content("This page was cut short in the corpus; the rest is missing."), "nv-empty"
            )
        self._show()

    def show_home(
        self,
        graph: KnowledgeGraph,
        corpus: str,
        lists: list[tuple[str, list[Note]]] | None = None,
    ) -> None:
        """The corpus overview shown before any note is open; `lists` are the notes to
        start from (None while they are still being worked out)."""
        self._reset(None)
        stats = graph.corpus_stats()
        figures = (
            f"{plural(stats.notes, 'note')} with pages · {plural(stats.stubs, 'stub')} "
            f"· {plural(stats.links, 'link')}"
        )
        figures += (
            f" · {plural(stats.embedded, 'note or stub', 'notes and stubs')} with vectors"
            if stats.embedded
            else " · no vectors (search by words only)"
        )
        self._plain(Content("CORPUS"), "nv-meta")
        self._plain(Content(corpus), "nv-title")
        self._plain(Content(figures), "nv-figures")
        self._plain(
            Content.from_markup(
                "Press [b]/[/] to search titles, words and meaning, or open one of the notes "
                "below ([b]←→[/] pick a link, [b]Enter[/] opens it). [b]?[/] lists every key."
            ),
            "nv-desc",
        )
        if lists is None:
            self._plain(Content("Finding the most connected notes…"), "nv-desc")
        for heading, notes in lists or []:
            if not notes:
                continue
            self._plain(Content(heading), "nv-heading")
            self._linked(*bullets(graph, notes), "nv-list")
        self._show()

    # ------------------------------------------------------------ pieces

    def _markdown(
        self, graph: KnowledgeGraph, note: Note, source: str, titles: dict[str, str]
    ) -> None:
        """The note's text rendered from its Markdown, links walkable; a note embed
        opened with `space` shows the embedded note's text under it."""
        if not is_plain_note(note) and note.body:
            self._plain(Content("Body"), "nv-heading")
        targets = LinkTargets(graph, note)
        for rendered in render_markdown(source, targets, lambda text: find_mentions(text, titles)):
            rich = rendered.rich
            block = self._linked(rich.text, rich.spans, rendered.classes)
            block.marks = rich.marks
            block.line = rendered.line
            self._embeds.update(rendered.embeds)
            for embedded in rendered.embeds:
                if embedded in self._expanded and embedded != note.id:
                    self._expand(graph, embedded)

    def _expand(self, graph: KnowledgeGraph, note_id: str) -> None:
        """The text of an embedded note, framed, under the block that embeds it."""
        inner = graph.find(note_id)
        source = markdown_source(graph, inner) if inner is not None else None
        if inner is None or source is None:
            return
        self._plain(
            Content.styled(f"{inner.title} (embedded; space folds it)", "dim italic"), "nv-embedded"
        )
        targets = LinkTargets(graph, inner)
        for rendered in render_markdown(source, targets):
            block = self._linked(
                rendered.rich.text, rendered.rich.spans, rendered.classes + " nv-embedded"
            )
            block.marks = rendered.rich.marks

    def _sections(self, graph: KnowledgeGraph, note: Note) -> None:
        """A hub's sections and their cards, its sub-maps; a topic's notes: as links."""
        listed = [
            ("Sections", LinkKind.SECTION),
            ("Sub-maps", LinkKind.SUBMAP),
            ("Notes of this topic", LinkKind.TOPIC),
        ]
        for heading, kind in listed:
            links = one_per_target(graph.links_of(note, "out", kind))
            if not links:
                continue
            links.sort(key=lambda lk: (lk.line, lk.order or 0))
            by_section: dict[str, list[Note]] = {}
            for link in links:
                by_section.setdefault(link.section, []).append(graph.note(link.target))
            count = len(by_section) if kind is LinkKind.SECTION else len(links)
            self._plain(Content(f"{heading} · {count}"), "nv-heading")
            for named, cards in by_section.items():
                section = "" if same_heading(named, heading) else named
                block = self._linked(*card_list(section, cards), "nv-list")
                if section:
                    block.marks = [(0, len(section), "bold")]

    def _link_targets(self, graph: KnowledgeGraph, note: Note) -> dict[str, str]:
        kinds = [LinkKind.MENTIONS, LinkKind.RELATED, LinkKind.SOURCE, LinkKind.PAPER]
        titles: dict[str, str] = {}
        for link in graph.links_of(note, "out", kinds):
            target = graph.note(link.target)
            titles.setdefault(target.title, target.id)
        return titles

    def show_figures(self, note: Note, stats: NoteStats) -> None:
        """Fill in the concept-map figures once they are counted."""
        block = self._figures_block
        if block is None or note.id != self.note_id:
            return
        block.content = figures_text(note, stats)
        if block.widget is not None:
            block.widget.update(block.content)

    # ------------------------------------------------------------ link cursor

    @property
    def link_count(self) -> int:
        return len(self._links)

    def current_link(self) -> str | None:
        if not 0 <= self.link_cursor < len(self._links):
            return None
        block, span = self._links[self.link_cursor]
        return self._blocks[block].spans[span].note_id

    def watch_link_cursor(self, old: int, new: int) -> None:
        for index in {old, new}:
            if 0 <= index < len(self._links):
                block_index, _ = self._links[index]
                block = self._blocks[block_index]
                cursor = (
                    self._links[new][1] if new >= 0 and self._links[new][0] == block_index else None
                )
                if block.widget is not None:
                    block.widget.update(render_block(block, cursor))
        if 0 <= new < len(self._links):
            widget = self._blocks[self._links[new][0]].widget
            if widget is not None:
                self.scroll_to_widget(widget, animate=False)

    def action_next_link(self) -> None:
        if self._links:
            self.link_cursor = (self.link_cursor + 1) % len(self._links)

    def action_previous_link(self) -> None:
        if self._links:
            self.link_cursor = (self.link_cursor - 1) % len(self._links)

    def action_expand(self) -> None:
        """Unfold (or fold again) the embedded note under the link cursor."""
        target = self.current_link()
        if target is None or target not in self._embeds or self._shown is None:
            self.notify("Put the link cursor (→) on an embedded note to unfold it", timeout=3)
            return
        self._expanded ^= {target}
        cursor = self.link_cursor
        graph, note, stats = self._shown
        self.show_note(graph, note, stats)
        self.link_cursor = cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        screen = self.screen if self.is_attached else None
        if screen is None or action not in ("widen", "unwiden"):
            return True
        widened = screen.has_class("-widened")
        if action == "unwiden":
            return widened
        return not widened and not screen.has_class("-narrow")

    async def action_widen(self) -> None:
        await self.run_action("screen.maximize")  # the main screen folds the side panel

    async def action_unwiden(self) -> None:
        await self.run_action("screen.maximize")

    def action_follow(self) -> None:
        target = self.current_link()
        if target is not None:
            self.post_message(OpenNote(target))
        elif self._links:
            self.notify("Pick a link first with → and ←", timeout=3)
