"""`?`: every key of the browser, read from the bindings themselves so it never goes stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from kg_tui.widgets.footer import FittingFooter

MOUSE = [
    ("click a link", "follow it (in the note, the breadcrumb, the map)"),
    ("click a row", "open it (a neighbour, a near note, a search hit, a path step)"),
    ("click ▶ ▼", "open or close a group"),
    ("scroll wheel", "scroll the panel under the pointer"),
    ("click a tab", "switch between Links, Near and Map"),
]

# The signs the panels print beside titles, explained once.
SIGNS = [
    ("×2", "two links (or more) join this note to that neighbour"),
    ("#3", "its place in the note's ordered list of sources, papers or lines"),
    ("+12", "at depth 2: notes reached through this neighbour (its categories and tags too)"),
    (
        "● ○",
        "in the map, a note with text (●) or a stub known only from links (○); "
        "in the Near list, already linked (●) or not linked yet (○)",
    ),
    (
        "0.83 words",
        "in search results: the hit's score, 0 to 1 as `kg search` prints it (1 the exact "
        "title, 0.9+ a title, 0.2–0.9 words, at most 0.7 meaning alone), and how it "
        "matched: title, words or meaning",
    ),
    ("✓", "in the filter dialog: a ticked box (an empty box is unticked)"),
]

# Keys every list and tree shares (from Textual), listed once.
MOVING = [
    ("↑ ↓", "move the cursor"),
    ("PgUp PgDn Home End", "move by pages, to the ends"),
    ("Tab Shift+Tab", "move the focus between panels"),
]


def _bindings(source: Iterable[BindingType]) -> list[Binding]:
    out: list[Binding] = []
    for item in source:
        if isinstance(item, Binding):
            out.append(item)
        else:
            key, action, *rest = item
            out.append(Binding(key, action, rest[0] if rest else ""))
    return out


def sections(app_bindings: Sequence[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(keys, what they do)]) for every part of the browser; `app_bindings` are
    the app's own (passed in, as screens never import the app)."""
    from kg_tui.screens.filter import FilterScreen
    from kg_tui.screens.history import HistoryScreen
    from kg_tui.screens.main import MainScreen
    from kg_tui.screens.path import PathScreen
    from kg_tui.screens.shape import ShapeScreen
    from kg_tui.screens.trace import TraceScreen
    from kg_tui.widgets.concept_map import ConceptMap
    from kg_tui.widgets.find_bar import FindInput
    from kg_tui.widgets.near_list import NearList
    from kg_tui.widgets.neighbourhood import NeighbourhoodTree
    from kg_tui.widgets.note_view import NoteView
    from kg_tui.widgets.search import SearchInput

    def rows(source: Iterable[BindingType]) -> list[tuple[str, str]]:
        merged: dict[str, list[str]] = {}
        for binding in _bindings(source):
            if not binding.description:
                continue
            keys = merged.setdefault(binding.tooltip or binding.description, [])
            single = binding.key_display if "," not in binding.key else None
            for key in binding.key.split(","):
                shown = display_key(key.strip(), single)
                if shown not in keys:
                    keys.append(shown)
        return merge_keys([(" ".join(keys), description) for description, keys in merged.items()])

    listed = [
        ("Everywhere", rows(app_bindings)),
        ("Walking", rows(MainScreen.BINDINGS)),
        ("Neighbourhood (Links tab)", rows(NeighbourhoodTree.BINDINGS)),
        ("Reading the note", rows(NoteView.BINDINGS)),
        ("Near tab", rows(NearList.BINDINGS)),
        ("Concept map", rows(ConceptMap.BINDINGS)),
        ("Find bar (Ctrl+F)", [*rows(FindInput.BINDINGS), ("Enter", "Next place in the note")]),
        ("Search box", [("type", "Complete titles as you type"), *rows(SearchInput.BINDINGS)]),
        ("Trace screen", rows(TraceScreen.BINDINGS)),
        ("Path screen", rows(PathScreen.BINDINGS)),
        (
            "Shape screen",
            [
                *rows(ShapeScreen.BINDINGS),
                (
                    "Enter",
                    "List a cluster's notes or a gap's bridging notes, or open the row's note",
                ),
            ],
        ),
        ("Filter dialog", rows(FilterScreen.BINDINGS)),
        ("History list (h)", rows(HistoryScreen.BINDINGS)),
        ("Lists and trees", MOVING),
        ("Signs beside titles", SIGNS),
        ("Mouse", MOUSE),
    ]
    return [(heading, [(k, capitalised(w)) for k, w in entries]) for heading, entries in listed]


def merge_keys(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One row per key: a key that does one thing or another as the view changes (`w`
    widens the note or brings the side panel back) is listed once with both.

    >>> merge_keys([("w", "Widen the note"), ("q", "Quit"), ("w", "Bring the panel back")])
    [('w', 'Widen the note; bring the panel back'), ('q', 'Quit')]
    """
    merged: dict[str, str] = {}
    for keys, what in rows:
        if keys in merged:
            lower = what[:1].lower() + what[1:] if what[1:2].islower() else what
            merged[keys] += "; " + lower
        else:
            merged[keys] = what
    return list(merged.items())


def capitalised(text: str) -> str:
    """Every description in the help starts with a capital, as the keys' own do.

    >>> capitalised("move the cursor"), capitalised("$EDITOR")
    ('Move the cursor', '$EDITOR')
    """
    return text[:1].upper() + text[1:]


NAMES = {
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "tab": "Tab",
    "backspace": "Backspace",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
}


def display_key(key: str, shown: str | None = None) -> str:
    """'ctrl+s' -> 'Ctrl+S', 'left_square_bracket' -> '['."""
    if shown and "," not in key and key not in ("left", "right", "up", "down"):
        return shown
    *mods, name = key.split("+")
    name = NAMES.get(name, name if len(name) == 1 else name.replace("_", " ").title())
    if mods and len(name) == 1:
        name = name.upper()  # Ctrl+P, as people write it
    return "+".join([m.title() for m in mods] + [name])


class HelpScreen(ModalScreen[None]):
    """The list of keys; any of Esc, q, F1 or ? closes it.

    Each section is a two-column grid, so a description that wraps stays in its column.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
        Binding("f1", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            yield Label(
                "Esc closes this list · Ctrl+P finds any command by name · "
                "? types a ? in a text box; F1 opens this list from anywhere",
                classes="dialog-hint",
            )
            with VerticalScroll(id="help-keys"):
                for heading, entries in sections(type(self.app).BINDINGS):
                    if not entries:
                        continue
                    yield Static(Content.styled(heading, "bold $accent"), classes="help-heading")
                    with Grid(classes="help-rows"):
                        for keys, what in entries:
                            yield Static(Content.styled(keys, "bold"), classes="help-key")
                            yield Static(what, classes="help-what")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)
