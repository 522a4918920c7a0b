"""The category vocabulary: known category names, split out of a run-together line.

The banner variant of a synthesis note prints its categories on one line with no
separator. Known names are found in it; whatever text is left between them is kept
as an unknown category rather than lost.

>>> vocab = CategoryVocabulary.default()
>>> vocab.split("Model Architecture and Internals Training, RL, and Test-Time Scaling")
['Model Architecture and Internals', 'Training, RL, and Test-Time Scaling']
>>> vocab.split("Agentic Systems and Tool Use Interpretability Methods")
['Agentic Systems and Tool Use', 'Interpretability Methods']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from kg.errors import CorpusError


@dataclass(frozen=True)
class CategoryVocabulary:
    names: tuple[str, ...]

    @classmethod
    def default(cls) -> CategoryVocabulary:
        """The names kg ships with (kg/data/categories.yaml), read once per process."""
        return cls(_default_names())

    @classmethod
    def from_file(cls, path: Path) -> CategoryVocabulary:
        """The default vocabulary extended by the `categories:` list of a YAML file."""
        extra = _names_from_yaml(path.read_text(encoding="utf-8"), str(path))
        return cls.default().extended(extra)

    def extended(self, names: Iterable[str]) -> CategoryVocabulary:
        merged = list(self.names)
        merged += [n for n in names if n not in merged]
        return CategoryVocabulary(tuple(merged))

    def split(self, line: str) -> list[str]:
        """The categories run together on `line`, known names first matched longest-first."""
        found: list[tuple[int, int, str]] = []
        taken = [False] * len(line)
        for name in sorted(self.names, key=len, reverse=True):
            start = line.find(name)
            while start != -1:
                end = start + len(name)
                if not any(taken[start:end]):
                    found.append((start, end, name))
                    for i in range(start, end):
                        taken[i] = True
                start = line.find(name, end)
        found.sort()
        result: list[str] = []
        cursor = 0
        for start, end, name in found:
            gap = line[cursor:start].strip(" ,;·")
            if gap:
                result.append(gap)
            result.append(name)
            cursor = end
        tail = line[cursor:].strip(" ,;·")
        if tail:
            result.append(tail)
        return result

    def is_known(self, name: str) -> bool:
        return name in self.names


@cache
def _default_names() -> tuple[str, ...]:
    text = resources.files("kg").joinpath("data/categories.yaml").read_text(encoding="utf-8")
    return tuple(_names_from_yaml(text, "kg/data/categories.yaml"))


def _names_from_yaml(text: str, where: str) -> list[str]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise CorpusError(f"{where}: the category file is not valid YAML ({error})") from error
    names = data.get("categories", []) if isinstance(data, dict) else data
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise CorpusError(f"{where}: `categories` must be a list of names")
    return [n.strip() for n in names if n.strip()]
