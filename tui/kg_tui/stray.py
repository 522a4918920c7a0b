"""Stray typing on the main screen: letters that are no key do nothing, and say so.

A person who starts typing a title without pressing `/` first would otherwise fire one
single-letter action after another (`p` opens the path dialog, `t` a trace, ...). The
rule: a printable key no binding claims is ignored, with a hint, and starts a burst; while
the burst lasts (keys less than `BURST` seconds apart), bound letters are ignored too, as
they are part of the same word. The first letter of a word can still be a key: that is
what a key is.

>>> keys = StrayKeys()
>>> keys.swallow("k", bound=False, now=0.0), keys.swallow("p", bound=True, now=0.3)
(True, True)
>>> keys.swallow("p", bound=True, now=5.0)
False
"""

from __future__ import annotations

BURST = 1.0  # seconds between two keys of one typed word


class StrayKeys:
    """Decides which printable keys the main screen swallows."""

    def __init__(self) -> None:
        self._last = float("-inf")
        self.hinted_at = float("-inf")

    def swallow(self, character: str, bound: bool, now: float) -> bool:
        """True when the key is stray typing: not bound, or bound but inside a burst."""
        if not character or not character.isprintable():
            return False
        in_burst = now - self._last < BURST
        if bound and not in_burst:
            return False
        self._last = now
        return True

    def should_hint(self, now: float) -> bool:
        """One hint per burst, not one per key."""
        if now - self.hinted_at < 4 * BURST:
            return False
        self.hinted_at = now
        return True
