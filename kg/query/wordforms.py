"""Word forms as search compares them: one spelling (American), one stem (Snowball's
English stemmer), and how closely two forms of a word agree.

Search's words are `terms`: folded, lower-cased, stop words dropped, British spellings
turned American (`american`), then stemmed by the Snowball English ("Porter 2") stemmer of
the `snowballstemmer` package. So "memorisation", "memorised", "memorise", "memorize" and
"memorization" meet in one term, and "memories" is a near relative of it (`RELATIVE`).

>>> [american(w) for w in ("memorised", "behaviours", "analysing", "promise", "four")]
['memorized', 'behaviors', 'analyzing', 'promise', 'four']
>>> [stem(w) for w in ("memorisation", "memorised", "memorize", "memories")]
['memor', 'memor', 'memor', 'memori']
>>> [closeness(q, w) for q, w in (("memorization", "memorisation"),
...     ("memorization", "memorised"), ("memorization", "memories"), ("memory", "model"))]
[1.0, 0.8, 0.4, 0.0]
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.text import plain_words

# How well a word of a note matches a word of the query, as `closeness` gives it: the same
# word (spelling aside), the same stem, a near relative (one stem begins the other and is
# at most `RELATIVE_GAP` letters shorter, and at least `RELATIVE_MIN` long).
EXACT = 1.0
SAME_STEM = 0.8
RELATIVE = 0.4
RELATIVE_MIN = 4
RELATIVE_GAP = 2

# Verbs in -ise whose -ise is no suffix to spell -ize (and their -ised, -ising, ... forms).
_ISE_KEPT = frozenset(
    [
        "advertise",
        "advise",
        "apprise",
        "arise",
        "chastise",
        "circumcise",
        "comprise",
        "compromise",
        "concise",
        "demise",
        "despise",
        "devise",
        "disguise",
        "excise",
        "exercise",
        "expertise",
        "franchise",
        "improvise",
        "incise",
        "merchandise",
        "noise",
        "otherwise",
        "paradise",
        "poise",
        "praise",
        "precise",
        "premise",
        "promise",
        "raise",
        "reprise",
        "revise",
        "rise",
        "supervise",
        "surmise",
        "surprise",
        "televise",
        "treatise",
        "wise",
        "likewise",
        "clockwise",
        "enterprise",
        "guise",
        "anise",
        "cruise",
        "bruise",
    ]
)
_ISE = re.compile(r"^(\w{2,}?)is(e|es|ed|ing|er|ers|ation|ations|able)$")
_YSE = re.compile(r"^(\w*[^aeiou])ys(e|es|ed|ing|er|ers)$")
# British words in -our whose American form drops the u (four, hour, tour, ... are kept).
_OUR = [
    "ardour",
    "armour",
    "behaviour",
    "candour",
    "clamour",
    "colour",
    "demeanour",
    "endeavour",
    "favour",
    "fervour",
    "flavour",
    "glamour",
    "harbour",
    "honour",
    "humour",
    "labour",
    "neighbour",
    "odour",
    "parlour",
    "rigour",
    "rumour",
    "saviour",
    "savour",
    "splendour",
    "tumour",
    "valour",
    "vapour",
    "vigour",
]
# Other spellings that differ (British: American).
_WORDS = {
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "pretence": "pretense",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "analogue": "analog",
    "metre": "meter",
    "metres": "meters",
    "fibre": "fiber",
    "theatre": "theater",
    "grey": "gray",
}


@lru_cache(maxsize=200_000)
def american(word: str) -> str:
    """A lower-case word in American spelling: -ise, -isation → -ize, -ization; -yse →
    -yze; -our → -or in the words that drop the u; a few others (centre, defence,
    programme). A word already American, or with no other spelling, is returned as is.

    >>> american("organisations"), american("colourful"), american("centre"), american("rise")
    ('organizations', 'colorful', 'center', 'rise')
    """
    if word in _WORDS:
        return _WORDS[word]
    if "is" in word:
        found = _ISE.match(word)
        if found and found.group(1) + "ise" not in _ISE_KEPT:
            return found.group(1) + "iz" + found.group(2)
    if "ys" in word:
        found = _YSE.match(word)
        if found:
            return found.group(1) + "yz" + found.group(2)
    if "our" in word:
        for british in _OUR:
            if british in word:
                return word.replace(british, british[:-2] + "r")
    return word


_STEMMER = None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word's American spelling.

    >>> stem("llms"), stem("llm"), stem("behaviours"), stem("behavior")
    ('llm', 'llm', 'behavior', 'behavior')
    """
    global _STEMMER
    if _STEMMER is None:
        import snowballstemmer  # type: ignore[import-untyped, unused-ignore]

        _STEMMER = snowballstemmer.stemmer("english")
    if len(word) > 3 and word[-1] == "s" and not _VOWEL.search(word[:-1]):
        return word[:-1]  # an acronym's plural ("llms"), which Snowball keeps whole
    return str(_STEMMER.stemWord(american(word)))


_VOWEL = re.compile(r"[aeiouy]")


def terms(text: str) -> list[str]:
    """The terms of a text for search's word index: `kg.text.plain_words`, each stemmed.

    >>> terms("The models' memorised answers, memorisation and memorizing")
    ['model', 'memor', 'answer', 'memor', 'memor']
    """
    return [stem(w) for w in plain_words(text)]


def related(a: str, b: str) -> bool:
    """Whether two stems are near relatives: equal, or one begins the other, is at least
    `RELATIVE_MIN` letters long and at most `RELATIVE_GAP` shorter.

    >>> related("memor", "memori"), related("verif", "verifi"), related("form", "formula")
    (True, True, False)
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if short == long:
        return True
    return (
        len(short) >= RELATIVE_MIN
        and len(long) - len(short) <= RELATIVE_GAP
        and long.startswith(short)
    )


def closeness(query_word: str, word: str) -> float:
    """How well `word` (lower-case) matches `query_word`: `EXACT` for the same word in
    either spelling, `SAME_STEM` for another form of it, `RELATIVE` for a near relative
    (`related` stems), else 0.
    """
    if query_word == word or american(query_word) == american(word):
        return EXACT
    a, b = stem(query_word), stem(word)
    if a == b:
        return SAME_STEM
    return RELATIVE if related(a, b) else 0.0
