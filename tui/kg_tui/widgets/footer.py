"""A footer that shows only the keys that fit, whole.

Textual's footer lays every shown key out in a row and lets the command palette's key,
docked on the right, cover whatever does not fit, so a narrow terminal shows part of a
key ("x Exp▏^p palette"). This one works out each key's width and keeps, in order of
priority, the keys that fit beside the palette's key: F1 first (the way to every other
key), then the focused panel's own keys (what can be done here), then the screen's and
the app's in the order they are declared. The keys kept are shown in their usual
order, and the row is laid out again when the terminal is resized.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = ("help", "app.help")
GAP = 1  # cells between two keys in the compact footer


def key_width(key: str, description: str, compact: bool = True) -> int:
    """Cells one key takes in the footer, its margin included.

    >>> key_width("f", "Filter"), key_width("F1", "Help", compact=False)
    (9, 9)
    """
    if compact:
        return cell_len(key) + (1 + cell_len(description) if description else 0) + GAP
    return cell_len(key) + 2 + (cell_len(description) + 1 if description else 0)


def fitting(widths: Sequence[int], ranks: Sequence[int], room: int) -> list[int]:
    """Indices of the keys to show: taken by rank (lowest first) while they fit in
    `room` cells, returned in their own order.

    >>> fitting([9, 9, 9], [2, 0, 1], 19)
    [1, 2]
    """
    kept: set[int] = set()
    used = 0
    for index in sorted(range(len(widths)), key=lambda i: (ranks[i], i)):
        if used + widths[index] <= room:
            kept.add(index)
            used += widths[index]
    return sorted(kept)


class FittingFooter(Footer):
    """The compact footer, keeping only the keys that fit whole (see the module)."""

    def __init__(self, compact: bool = True) -> None:
        super().__init__(compact=compact)
        self._laid_for = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen = self.screen
        width = self.size.width or screen.size.width or self.app.size.width
        self._laid_for = width
        shown: dict[str, tuple[Binding, bool, str, int]] = {}
        for node, binding, enabled, tooltip in screen.active_bindings.values():
            if not binding.show or binding.action in shown:
                continue  # one key per action, as Textual's footer shows it
            if binding.action in HELP_ACTIONS:
                rank = 0
            elif node is screen or node is self.app:
                rank = 2
            else:
                rank = 1  # the focused panel's own
            shown[binding.action] = (binding, enabled, tooltip, rank)
        rows = list(shown.values())
        displays = [self.app.get_key_display(binding) for binding, *_ in rows]
        palette = self._palette()
        room = width
        if palette is not None:  # its divider, its key, its word and their padding
            room -= cell_len(palette.key_display) + cell_len(palette.description)
            room -= 3 if self.compact else 5
        widths = [
            key_width(display, binding.description, self.compact)
            for display, (binding, *_) in zip(displays, rows, strict=True)
        ]
        for index in fitting(widths, [rank for *_, rank in rows], room):
            binding, enabled, tooltip, _rank = rows[index]
            yield FooterKey(
                binding.key,
                displays[index],
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if palette is not None:
            yield palette

    def _palette(self) -> FooterKey | None:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _node, binding, enabled, _tooltip = found
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            classes="-command-palette",
            disabled=not enabled,
            tooltip=binding.tooltip or binding.description,
        )

    def on_resize(self) -> None:
        if self.size.width != self._laid_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)

    @property
    def shown_keys(self) -> list[str]:
        """The keys on show (their display), left to right: for tests and the help."""
        return [key.key_display for key in self._keys()]

    def _keys(self) -> Iterable[FooterKey]:
        return (k for k in self.query(FooterKey) if not k.has_class("-command-palette"))
