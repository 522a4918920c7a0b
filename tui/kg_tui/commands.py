"""Ctrl+P: the command palette lists every action of the browser with its key.

The commands are read from the bindings themselves (the app's and the main screen's),
so a new key shows up here without a second list to keep; the name is the binding's
tooltip (or description), the help line its keys as they are now (after `keymap:`) and
the binding id a `keymap:` entry in kg.yaml names. Textual's own commands (theme, keys,
maximise, screenshot) come after kg's; its quit, which quits without asking, is left out
(kg's "Quit the browser" asks, as `q` does).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from kg_tui.screens.help import display_key

# Actions that quit without asking (Ctrl+C): not offered by name, where "Quit the
# browser" asks first while work runs.
QUIT_AT_ONCE = ("quit", "app.quit")


def _keys(binding: Binding) -> str:
    single = binding.key_display if "," not in binding.key else None
    shown = [display_key(k.strip(), single) for k in binding.key.split(",")]
    return " ".join(dict.fromkeys(shown))


class KeyCommands(Provider):
    """Every action with a description, on the main screen and the app."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from kg_tui.screens.main import MainScreen

        app = self.app
        main = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
        targets: list[DOMNode] = [app] + ([main] if main is not None else [])
        seen: set[tuple[int, str]] = set()
        # A key the app binds with priority never reaches a screen's own binding of it
        # (Ctrl+C quits; the screen's "Copy selected text" never runs): left out.
        taken = {
            key for key, items in app._bindings.key_to_bindings.items() for b in items if b.priority
        }
        for target in targets:
            bindings = target._bindings.key_to_bindings  # after the keymap is applied
            merged: dict[str, list[Binding]] = {}
            shadowed = (
                set()
                if target is app
                else {b.action for key, items in bindings.items() if key in taken for b in items}
            )
            for items in bindings.values():
                for binding in items:
                    if binding.action in shadowed or binding.action in QUIT_AT_ONCE:
                        continue
                    if target.check_action(binding.action.split("(")[0], ()) is False:
                        continue  # hidden where it cannot act (the note's keys on Home)
                    if binding.description and binding.action != "command_palette":
                        merged.setdefault(binding.action, []).append(binding)
            for action, group in merged.items():
                if (id(target), action) in seen:
                    continue
                seen.add((id(target), action))
                first = group[0]
                name = first.tooltip or first.description
                keys = " ".join(dict.fromkeys(_keys(b) for b in group))
                ids = [b.id for b in group if b.id]
                where = f" · id {ids[0]} (for keymap: in kg.yaml)" if ids else ""
                yield name, f"key: {keys}{where}", partial(self.app.run_action, action, target)

    def _textual_commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """Textual's own commands (the app leaves its quit out), by name."""
        found = self.app.get_system_commands(self.screen)
        for name, help_text, callback, discover in sorted(found, key=lambda c: c[0]):
            if discover:
                yield name, help_text, callback

    async def discover(self) -> Hits:
        for name, keys, run in sorted(self._commands()):
            yield DiscoveryHit(name, run, help=keys)
        for name, help_text, run in self._textual_commands():  # after kg's own
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for name, keys, run in self._commands():
            score = max(matcher.match(name), matcher.match(keys) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=keys)
        for name, help_text, run in self._textual_commands():
            score = matcher.match(name) * 0.9  # kg's command first where both match
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
