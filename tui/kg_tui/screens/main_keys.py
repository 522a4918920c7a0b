"""The main screen's keys. Every binding has an id, so `keymap:` in kg.yaml can give it
other keys; the footer shows the short description, the help and the command palette the
tooltip."""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_BINDINGS: list[BindingType] = [
    Binding(
        "slash",
        "search",
        "Search",
        tooltip="Search titles as you type; Enter searches by meaning",
        id="main.search",
        # Taken before the focused panel sees it, so the letters typed right after it
        # (one burst while the corpus opens) land in the search box.
        priority=True,
    ),
    Binding(
        "left_square_bracket,backspace",
        "back",
        "Back",
        key_display="[",
        tooltip="Back to the previous note (also Backspace, and Esc with nothing open)",
        id="main.back",
    ),
    Binding(
        "right_square_bracket",
        "forward",
        "Fwd",
        key_display="]",
        tooltip="Forward again after going back",
        show=False,
        id="main.forward",
    ),
    Binding(
        "h",
        "history",
        "History",
        tooltip="The walk's history as a list (back and forward): pick a step to return to",
        show=False,
        id="main.history",
    ),
    Binding("alt+left", "back", "Back", show=False, id="main.back_alt"),
    Binding("alt+right", "forward", "Forward", show=False, id="main.forward_alt"),
    Binding(
        "f",
        "filter",
        "Filter",
        tooltip="Filter by link kind, category or tag",
        id="main.filter",
    ),
    Binding("d", "depth", "Depth", tooltip="Depth 2 on or off", show=False, id="main.depth"),
    Binding(
        "t",
        "trace",
        "Trace",
        tooltip="Trace a statement of this note to its evidence",
        id="main.trace",
    ),
    Binding(
        "p",
        "path",
        "Path",
        tooltip="Shortest typed path between two notes",
        show=False,
        id="main.path",
    ),
    Binding(
        "x",
        "export",
        "Export",
        tooltip="Export what is shown (neighbourhood, path or search) in a format you pick",
        id="main.export",
    ),
    Binding("l", "tab('links')", "Links", tooltip="Links tab", show=False, id="main.links"),
    Binding(
        "n",
        "tab('near')",
        "Near",
        tooltip="Near tab: notes close in meaning",
        show=False,
        id="main.near",
    ),
    Binding("m", "tab('map')", "Map", tooltip="Map tab / panel", show=False, id="main.map"),
    Binding(
        "z",
        "zoom",
        "Zoom",
        tooltip="Zoom the map over the whole body",
        show=False,
        id="main.zoom",
    ),
    Binding(
        "r",
        "read",
        "Read",
        tooltip="Read the note (focus the reading view)",
        show=False,
        id="main.read",
    ),
    Binding("g", "home", "Home", tooltip="Corpus overview", show=False, id="main.home"),
    Binding(
        "escape",
        "unfocus_search",
        "Close search, else back",
        show=False,
        id="main.escape",
    ),
    Binding(
        "ctrl+f",
        "find",
        "Find",
        tooltip="Type to filter the links or near list by title, or find words in the note",
        show=False,
        id="main.find",
    ),
    Binding(
        "w",
        "maximize",
        "Widen",
        tooltip="Widen the focused panel to the whole screen, and back (also Esc)",
        show=False,
        id="main.maximize",
    ),
    Binding(
        "tab",
        "cycle(1)",
        "Next panel",
        show=False,
        id="panel.next",
        tooltip="Move the focus to the next panel: the note, the side panel, the map",
    ),
    Binding(
        "shift+tab",
        "cycle(-1)",
        "Previous panel",
        show=False,
        id="panel.previous",
        tooltip="Move the focus to the previous panel",
    ),
]
