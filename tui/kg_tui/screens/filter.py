"""Filter the walk by link kind, by category and by #tag."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList
from textual.widgets.selection_list import Selection

from kg.model import LinkKind
from kg_tui.walk import KIND_COLOURS, Filter
from kg_tui.widgets.footer import FittingFooter
from kg_tui.widgets.ticks import TickList


class FilterScreen(ModalScreen[Filter | None]):
    """Choose the link kinds to follow and the categories to keep."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filter.apply"),
        Binding("c", "clear", "Clear filter", id="filter.clear"),
    ]

    def __init__(
        self,
        present: list[LinkKind],
        categories: list[str],
        current: Filter,
        tags: list[str] | None = None,
        offered: list[LinkKind] | None = None,
    ) -> None:
        super().__init__()
        self.present = set(present)
        self.offered = offered if offered is not None else list(LinkKind)  # kinds listed
        self.categories = categories
        self.current = current
        self.tags = tags or []

    def compose(self) -> ComposeResult:
        with Vertical(id="filter", classes="dialog"):
            yield Label("Filter the walk", classes="dialog-title")
            yield Label(
                "Space ticks (✓), Tab moves between lists, Ctrl+S or Apply keeps the choice. "
                "While a category is ticked, notes without one (stubs) are hidden.",
                classes="dialog-hint",
            )
            with Horizontal(id="filter-lists"):
                with Vertical(id="kinds-column"):
                    yield Label("Link kinds followed", classes="list-label")
                    kinds = self.current.kinds
                    yield TickList[str](
                        *(
                            Selection(
                                Content.assemble(
                                    ("● ", f"{KIND_COLOURS[kind]}"),
                                    kind.value,
                                    ("" if kind in self.present else "  (none here)", "dim"),
                                ),
                                kind.value,
                                kinds is None or kind in kinds,
                            )
                            for kind in self.offered
                        ),
                        id="filter-kinds",
                    )
                if self.categories or not self.tags:  # a vault has tags, seldom categories
                    with Vertical():
                        yield Label("Categories (none: all)", classes="list-label")
                        if self.categories:
                            chosen = self.current.categories or frozenset()
                            yield TickList[str](
                                *(Selection(c, c, c in chosen) for c in self.categories),
                                id="filter-categories",
                            )
                        else:
                            yield Label("This corpus has no categories.", classes="dialog-hint")
                if self.tags:
                    with Vertical():
                        yield Label("Tags (none: all)", classes="list-label")
                        picked = self.current.tags or frozenset()
                        yield TickList[str](
                            *(Selection(t, t, t in picked) for t in self.tags),
                            id="filter-tags",
                        )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="apply", compact=True)
                yield Button("Clear", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.on_resize()
        self.query_one("#filter-kinds").focus()

    def on_resize(self, event: object = None) -> None:
        # Under 80 columns the dialog takes the whole width and drops its hint line
        # (the footer names the same keys), and its lists stand one above the other,
        # each the dialog's width: every row and button stays on screen whole.
        self.set_class(self.size.width < 80, "-narrow")
        # Side by side, each list as wide as its longest row needs, when they all fit;
        # else one above the other.
        columns = list(self.query_one("#filter-lists").query_children(Vertical))
        needs = [self._need(column) for column in columns]
        inner = self.size.width if self.size.width < 80 else min(self.size.width * 9 // 10, 110)
        side_by_side = sum(needs) <= inner - 4  # the dialog's border and padding
        self.set_class(not side_by_side, "-stacked")
        for column, need in zip(columns, needs, strict=True):
            column.styles.width = f"{need}fr" if side_by_side else None

    @staticmethod
    def _need(column: Vertical) -> int:
        """Cells a column needs for its longest row whole: the row, its box, its gaps and
        a scrollbar (a column without a list: its label's width)."""
        lists = column.query(SelectionList)
        if not lists:
            return 24
        found = lists.first()
        rows = (found.get_option_at_index(i).prompt for i in range(found.option_count))
        return max((Content(str(row)).cell_length for row in rows), default=0) + 8

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"apply": self.action_apply, "clear": self.action_clear, "cancel": self.action_cancel}[
            event.button.id or "cancel"
        ]()

    def action_apply(self) -> None:
        kinds = set(self.query_one("#filter-kinds", SelectionList).selected)
        chosen_kinds = (
            None if len(kinds) == len(self.offered) else frozenset(LinkKind(k) for k in kinds)
        )
        categories: frozenset[str] | None = None
        lists = self.query("#filter-categories")
        if lists:
            picked = set(lists.first(SelectionList).selected)
            categories = frozenset(picked) if picked else None
        tags: frozenset[str] | None = None
        tag_lists = self.query("#filter-tags")
        if tag_lists:
            ticked = set(tag_lists.first(SelectionList).selected)
            tags = frozenset(ticked) if ticked else None
        self.dismiss(Filter(chosen_kinds, categories, tags))

    def action_clear(self) -> None:
        self.dismiss(Filter())

    def action_cancel(self) -> None:
        self.dismiss(None)
