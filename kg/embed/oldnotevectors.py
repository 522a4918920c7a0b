"""Whole-note vectors an older kg kept, converted instead of embedded again.

An older kg kept one vector per note: the whole note's blended with its headline's at
`LEGACY_SHARE` (`kg.embed.notevectors` keeps both apart now, so `near` ranks with the
whole note's alone). Such a vector is never thrown away: once the headline is embedded (a
short text), the whole note's vector is worked out of the blend (`unblend`), exactly up to
rounding; a note without a headline kept its whole note's vector as it is.

>>> from kg.embed.models import normalize
>>> p, h = np.array([[0.6, 0.8]]), np.array([[1.0, 0.0]])
>>> blended = normalize(0.8 * p + 0.2 * h)
>>> [round(float(x), 6) for x in unblend(blended, h)[0]]
[0.6, 0.8]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kg.embed.models import normalize
from kg.embed.textcache import TextVectorCache, _read, text_key

LEGACY_RECIPE, LEGACY_SHARE = "whole-note-1", 0.2  # what an older kg's vectors were
FOLDER = "note-vectors"


def unblend(blended: np.ndarray, heads: np.ndarray, share: float = LEGACY_SHARE) -> np.ndarray:
    """The unit rows `p` whose blend with the unit rows `heads`, normalize((1 - s) p + s h),
    is `blended`: the blend's length c is the positive root of
    ``c² - 2s(b·h)c + s² - (1-s)² = 0``."""
    b, h = np.asarray(blended, dtype=np.float64), np.asarray(heads, dtype=np.float64)
    dot = np.sum(b * h, axis=1, keepdims=True)
    length = share * dot + np.sqrt((share * dot) ** 2 + (1 - share) ** 2 - share**2)
    return normalize((length * b - share * h).astype(np.float32))


class OlderVectors:
    """The blended vectors an older kg kept for a model in an index folder (one file keyed
    by the notes' hashes, an older one by their texts); read when first asked.

    Parameters
    ----------
    folder : pathlib.Path or None
        The index folder (None: nothing kept).
    name, stamp : str
        The model's name and fingerprint.
    """

    def __init__(self, folder: Path | None, name: str, stamp: str) -> None:
        self.paths: list[tuple[Path, str]] = []
        if folder is not None:
            for model in (
                f"{name}|{stamp}|{LEGACY_RECIPE}|note-hash",
                f"{name}|{stamp}|{LEGACY_RECIPE}",
            ):
                named = TextVectorCache(folder, model).path.name
                self.paths.append((Path(folder) / FOLDER / named, model))
        self._vectors: dict[bytes, np.ndarray] | None = None

    def vectors(self) -> dict[bytes, np.ndarray]:
        """Every blended vector kept, by key."""
        if self._vectors is None:
            self._vectors = {}
            for path, model in self.paths:
                self._vectors.update(_read(path, model))
        return self._vectors

    def find(self, digest: bytes, whole: str, headline: str) -> np.ndarray | None:
        """The blended vector kept for a note (its hash, its whole text and headline), or
        None."""
        kept = self.vectors()
        if not kept:
            return None
        found = kept.get(
            text_key(f"{LEGACY_RECIPE}\x1f{LEGACY_SHARE}\x1fnote-hash\x1f{digest.hex()}")
        )
        if found is None:
            found = kept.get(
                text_key(f"{LEGACY_RECIPE}\x1f{LEGACY_SHARE}\x1f{whole}\x1f{headline}")
            )
        return found

    def remove(self) -> None:
        """Remove the older files (every note they served has its vectors now)."""
        for path, _ in self.paths:
            path.unlink(missing_ok=True)
        self._vectors = {}
