"""Vocabularies of names the site runs together on one line: categories and paper tags.

The banner variant of a synthesis note prints its categories on one line with no
separator, and a paper page does the same with its tags. Known names are found in the
line, longest first; whatever text is left between them is kept rather than lost (as
one category, or split where a lower-case letter meets a capital for tags).

>>> vocab = CategoryVocabulary.default()
>>> vocab.split("Model Architecture and Internals Training, RL, and Test-Time Scaling")
['Model Architecture and Internals', 'Training, RL, and Test-Time Scaling']
>>> vocab.split("Agentic Systems and Tool Use Interpretability Methods")
['Agentic Systems and Tool Use', 'Interpretability Methods']
>>> TagVocabulary.default().split("Linguistics, NLP, NLULLM ArchitectureNew ThingOther")
['Linguistics, NLP, NLU', 'LLM Architecture', 'New Thing', 'Other']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import ClassVar, Self

import yaml

from kg.errors import CorpusError

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9)])(?=[A-Z])")


@dataclass(frozen=True)
class Vocabulary:
    """Known names, found in a run-together line longest first."""

    names: tuple[str, ...]

    # The packaged file of defaults and the YAML key that lists the names.
    data_file: ClassVar[str] = ""
    key: ClassVar[str] = ""

    @classmethod
    def default(cls) -> Self:
        """The names kg ships with (kg/data/), read once per process."""
        return cls(_default_names(cls.data_file, cls.key))

    @classmethod
    def from_file(cls, path: Path) -> Self:
        """The default vocabulary extended by the list under `key` in a YAML file."""
        extra = _names_from_yaml(path.read_text(encoding="utf-8"), str(path), cls.key)
        return cls.default().extended(extra)

    def extended(self, names: Iterable[str]) -> Self:
        merged = list(self.names)
        merged += [n for n in names if n not in merged]
        return type(self)(tuple(merged))

    def split(self, line: str) -> list[str]:
        """The names run together on `line`: known ones first, the gaps between kept."""
        result: list[str] = []
        for piece, known in self.pieces(line):
            result += [piece] if known else self.split_unknown(piece)
        return result

    def split_unknown(self, gap: str) -> list[str]:
        """How text between known names is kept: whole, by default."""
        return [gap]

    def pieces(self, line: str) -> list[tuple[str, bool]]:
        """(text, known) for the known names on `line` and the gaps between them, in order."""
        found = _matches(self.names, line)
        result: list[tuple[str, bool]] = []
        cursor = 0
        for start, end, name in found:
            gap = line[cursor:start].strip(" ,;·")
            if gap:
                result.append((gap, False))
            result.append((name, True))
            cursor = end
        tail = line[cursor:].strip(" ,;·")
        if tail:
            result.append((tail, False))
        return result

    def is_known(self, name: str) -> bool:
        return name in self.names


def _matches(names: tuple[str, ...], line: str) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of `names` in `line`, longest names taking precedence."""
    found: list[tuple[int, int, str]] = []
    taken = [False] * len(line)
    for name in sorted(names, key=len, reverse=True):
        start = line.find(name)
        while start != -1:
            end = start + len(name)
            if not any(taken[start:end]):
                found.append((start, end, name))
                for i in range(start, end):
                    taken[i] = True
            start = line.find(name, end)
    found.sort()
    return found


@dataclass(frozen=True)
class CategoryVocabulary(Vocabulary):
    """Category names (kg/data/categories.yaml, extended by `categories:` in kg.yaml)."""

    data_file: ClassVar[str] = "data/categories.yaml"
    key: ClassVar[str] = "categories"

    def split_by_shape(self, run: str) -> tuple[list[str], bool]:
        """Names no vocabulary knows, split by the shape of the site's category names.

        A name is capitalised words with one "and" among them ("Reasoning and Learning
        Architectures", "Psychology, Society, and Alignment"); where a run holds several,
        each stretch of words between two "and"s ends one name and starts the next. Where
        it ends is sure when only one place is possible, or when only one place starts a
        word known names start with (or ends a word they end with).

        Returns
        -------
        (list of str, bool)
            The names, and whether kg is sure of the split; ``[run]`` when the run does
            not have the shape (then it is not sure either, unless it is one name).

        Examples
        --------
        >>> vocab = CategoryVocabulary.default()
        >>> vocab.split_by_shape("Reasoning and Learning Architectures Agentic Systems and "
        ...                      "Planning Reasoning and Knowledge")
        (['Reasoning and Learning Architectures', 'Agentic Systems and Planning', 'Reasoning and Knowledge'], True)
        >>> vocab.split_by_shape("Quantum Widget StudiesFrobnication Theory")
        (['Quantum Widget StudiesFrobnication Theory'], False)
        """
        words = run.split()
        if not words or not all(w == "and" or w[:1].isupper() or w[:1].isdigit() for w in words):
            return [run], False
        segments: list[list[str]] = [[]]
        for word in words:
            if word == "and":
                segments.append([])
            else:
                segments[-1].append(word)
        if len(segments) == 1 or any(not segment for segment in segments):
            return [run], False  # no "and" (one name or several: nothing tells), or "and and"
        if len(segments) == 2:
            return [run], True  # one name of the right shape
        heads, tails = _name_ends(self.names)
        names: list[list[str]] = [segments[0]]
        sure = True
        for middle in segments[1:-1]:
            # Where this stretch ends one name: never right after "Word," (a list goes on).
            places = [k for k in range(1, len(middle)) if not middle[k - 1].endswith(",")]
            if not places:
                return [run], False
            hinted = [
                k
                for k in places
                if middle[k].strip(",") in heads or middle[k - 1].strip(",") in tails
            ]
            if len(places) == 1:
                at = places[0]
            elif len(hinted) == 1:
                at = hinted[0]
            else:
                sure = False
                at = min(places, key=lambda k: (abs(2 * k - len(middle)), k))
            names[-1] += ["and", *middle[:at]]
            names.append(middle[at:])
        names[-1] += ["and", *segments[-1]]
        return [" ".join(name) for name in names], sure


def _name_ends(names: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The words known names start with and end with."""
    split = [name.split() for name in names if name.strip()]
    return (
        frozenset(words[0].strip(",") for words in split),
        frozenset(words[-1].strip(",") for words in split),
    )


@dataclass(frozen=True)
class TagVocabulary(Vocabulary):
    """Paper tags (kg/data/paper_tags.yaml, extended by `paper_tags:` in kg.yaml)."""

    data_file: ClassVar[str] = "data/paper_tags.yaml"
    key: ClassVar[str] = "tags"

    def split_unknown(self, gap: str) -> list[str]:
        return [t.strip() for t in _CAMEL_BOUNDARY.split(gap) if t.strip()]


@cache
def _default_names(data_file: str, key: str) -> tuple[str, ...]:
    text = resources.files("kg").joinpath(data_file).read_text(encoding="utf-8")
    return tuple(_names_from_yaml(text, f"kg/{data_file}", key))


def _names_from_yaml(text: str, where: str, key: str) -> list[str]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise CorpusError(f"{where}: the vocabulary file is not valid YAML ({error})") from error
    names = data.get(key, []) if isinstance(data, dict) else data
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise CorpusError(f"{where}: `{key}` must be a list of names")
    return [n.strip() for n in names if n.strip()]
