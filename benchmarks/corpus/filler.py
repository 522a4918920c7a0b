"""Filling templates: `Filler` draws each ``{slot}`` from the vocabulary with the one
shared random generator, `UniqueFactory` makes titles no page has taken yet."""

from __future__ import annotations

import random

from benchmarks.corpus.templates import FINDINGS, KEY_RE, SIZES, SMALL_WORDS, TITLE_TEMPLATES
from benchmarks.corpus.words import VOCAB


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def titlecase(s: str) -> str:
    out = []
    for i, word in enumerate(s.split(" ")):
        parts = word.split("-")
        parts = [
            p
            if (p.isupper() or (j > 0 and p in SMALL_WORDS) or (i > 0 and p in SMALL_WORDS))
            else cap(p)
            for j, p in enumerate(parts)
        ]
        out.append("-".join(parts))
    return " ".join(out)


class Filler:
    """A mapping for ``str.format_map`` that draws slot values from VOCAB.

    ``{method}`` draws from VOCAB["method"]; ``{method2}`` draws again, but
    never the value the last ``{method}`` got. A capitalised key (``{Method}``)
    capitalises the first letter; an all-caps key (``{ACR}``) is used as is;
    ``{Verbcap}`` gives Title Case. Generated keys: finding, pct, num,
    sizepair, x, acr, q (a random question title).
    """

    title_case = False  # PaperFiller: capitalised keys give Title Case

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random
        self.last: dict[str, str] = {}
        self.acr = ""
        self._parsed: dict[str, tuple[str, bool, int]] = {}

    def fill(self, template: str) -> str:
        return template.format_map(self)

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def __getitem__(self, key: str) -> str:
        parsed = self._parsed.get(key)
        if parsed is None:
            base = key.rstrip("0123456789")
            low = base.lower()
            if low.endswith("cap") and low != "cap":
                low, mode = low[:-3], 3
            elif base.isupper() and len(base) > 1:
                mode = 0
            elif base[0].isupper():
                mode = 3 if self.title_case else 1
            else:
                mode = 0
            parsed = self._parsed[key] = (low, base != key, mode)
        low, numbered, mode = parsed
        value = self._value(low, numbered)
        if mode == 1:
            return value[:1].upper() + value[1:]
        if mode == 3:
            return titlecase(value)
        return value

    def _value(self, low: str, numbered: bool) -> str:
        seq = VOCAB.get(low)
        if seq is not None:
            rand = self.random
            v = seq[int(rand() * len(seq))]
            if numbered:  # {method2} differs from the last {method}
                last = self.last.get(low)
                while v == last:
                    v = seq[int(rand() * len(seq))]
            else:
                self.last[low] = v
            return v
        if low == "finding":
            return self.fill(self.pick(FINDINGS))
        if low == "pct":
            return str(3 + int(self.random() * 93))
        if low == "num":
            return str(2 + int(self.random() * 11))
        if low == "sizepair":
            a, b = sorted(self.rng.sample(range(len(SIZES)), 2))
            return f"{SIZES[a]} to {SIZES[b]}"
        if low == "x":
            return f"{self.pick((2, 3, 4, 5, 6, 7, 10, 20))}x"
        if low == "acr":
            if self.acr:
                return self.acr
            n = self.rng.randint(3, 6)
            return "".join(self.pick("ABCDEFGHIKLMNOPRSTUVWXZ") for _ in range(n))
        if low == "q":
            return self.fill(self.pick(TITLE_TEMPLATES))
        raise KeyError(low)


class PaperFiller(Filler):
    """Title Case for capitalised keys (paper titles and abstracts)."""

    title_case = True


def template_weights(templates: tuple[str, ...]) -> list[float]:
    """Weight each template by how many distinct strings it can produce."""
    weights = []
    for t in templates:
        cap = 1
        for key in KEY_RE.findall(t):
            cap *= len(VOCAB.get(key.rstrip("0123456789").lower(), ("",) * 10))
        weights.append(float(cap))
    return weights


class UniqueFactory:
    def __init__(self, make, taken: set[str]) -> None:
        self.make = make
        self.taken = taken

    def new(self) -> str:
        for _ in range(1000):
            s = self.make()
            if s not in self.taken:
                self.taken.add(s)
                return s
        raise RuntimeError("vocabulary exhausted")


# ---------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------
