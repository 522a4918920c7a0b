"""A deterministic hashing embedder for tests that are not about the model.

Each word (and each pair of neighbouring words) adds +1 or -1 to a few of `dim`
coordinates chosen by its hash, so texts that share words get similar vectors. It
counts what it embeds, so tests can assert that nothing was embedded again.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Implements `kg.embed.models.Embedder` without torch: fast, deterministic, no files."""

    def __init__(self, dim: int = 64, name: str = "fake-hashing-embedder") -> None:
        self._dim = dim
        self._name = name
        self.calls = 0
        self.texts_embedded = 0
        self.seen: list[str] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _features(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        self.seen += texts
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text) or ["<empty>"]:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=16).digest()
                for j in range(0, 6, 2):
                    column = int.from_bytes(digest[j : j + 2], "little") % self._dim
                    out[row, column] += 1.0 if digest[8 + j // 2] & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def reset(self) -> None:
        self.calls = 0
        self.texts_embedded = 0
        self.seen = []
