"""Text helpers: title normalization, slugs, titles found in text, tags, words.

Sentences and question-shaped mentions are in `kg.sentences`.

>>> normalize_title("  Do models  know what they don’t know? ")
"do models know what they don't know?"
>>> slugify("Do models know what they don't know?")
'do-models-know-what-they-dont-know'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import ahocorasick_rs

# Characters folded to one form, so a title typed with straight quotes finds the curly one.
_FOLDS = (
    ("\u2018", "'"),
    ("\u2019", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u00a0", " "),
)
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def fold(text: str) -> str:
    """Fold typographic quotes and dashes to ASCII, keeping the length unchanged.

    >>> fold("don’t — ok")
    "don't - ok"
    """
    if text.isascii():
        return text
    for typographic, plain in _FOLDS:
        if typographic in text:
            text = text.replace(typographic, plain)
    return text


def clean_title(title: str) -> str:
    """A title as shown: control characters removed, whitespace collapsed.

    >>> clean_title(" Why\tX  holds? "), clean_title("Already clean")
    ('Why X holds?', 'Already clean')
    """
    # Most titles are clean already: printable (no control characters, no whitespace
    # but plain spaces), no double space, nothing to strip. Those are returned as they are.
    if title.isprintable() and "  " not in title and title[:1] != " " and title[-1:] != " ":
        return title
    return _SPACES.sub(" ", _CONTROL.sub("", title)).strip()


@lru_cache(maxsize=200_000)
def normalize_title(title: str) -> str:
    """The key a note is known by: folded, case-folded, whitespace collapsed."""
    return _SPACES.sub(" ", fold(_CONTROL.sub("", title))).strip().casefold()


def slugify(text: str, limit: int = 80) -> str:
    """A URL- and file-safe slug, cut to `limit` characters at a word boundary.

    >>> slugify("../../etc/passwd")
    'etc-passwd'
    >>> slugify("???")
    'note'
    """
    ascii_text = unicodedata.normalize("NFKD", fold(text)).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.lower().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug or "note"


class TitleMatcher:
    """Every known title in a text at once: one Aho-Corasick automaton, leftmost-longest
    matches that do not overlap, kept only when they start and end at word boundaries."""

    def __init__(self, titles: dict[str, str]) -> None:
        self._ids = list(titles.values())
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                list(titles), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
            )
            if titles
            else None
        )

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, note id) of each title found in `text`, in order."""
        if self._automaton is None:
            return []
        ids, size = self._ids, len(text)
        return [
            (start, end, ids[index])
            for index, start, end in self._automaton.find_matches_as_indexes(text)
            if not (start > 0 and text[start - 1].isalnum())
            and not (end < size and text[end].isalnum())
        ]


def tag_key(tag: str) -> str:
    """The key tags are compared by: without `#`, case-folded (Obsidian ignores case).

    >>> tag_key("#ML/Vision")
    'ml/vision'
    """
    return tag.strip().lstrip("#").strip("/").casefold()


def tag_names(tag: str) -> list[str]:
    """The tag and every tag it is nested under, outermost first, as written (no `#`):
    the tags a note carrying `tag` is found by (`g.notes(tag=...)`) and counted under
    (`g.tags()`).

    >>> tag_names("#ML/Vision/Faces")
    ['ML', 'ML/Vision', 'ML/Vision/Faces']
    """
    parts = tag.strip().lstrip("#").strip("/").split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def carries_tag(tags: Iterable[str], wanted: str) -> bool:
    """Whether one of `tags` is the tag `wanted` or nested under it (any case, `#` or not):
    the one test every tag filter of kg makes.

    >>> carries_tag(["area/ML"], "#area"), carries_tag(["area/ml"], "ml")
    (True, False)
    """
    key = tag_key(wanted)
    return any(t == key or t.startswith(key + "/") for t in map(tag_key, tags))


TOKEN = re.compile(r"[a-z0-9]+")  # a word of `tokens` (and of search snippets)
_SUFFIXES = (
    "ational",
    "ization",
    "ations",
    "ation",
    "ities",
    "ments",
    "ness",
    "ment",
    "ings",
    "ity",
    "ing",
    "ies",
    "ied",
    "ers",
    "ed",
    "es",
    "er",
    "ly",
    "s",
    "e",
)


# ---------------------------------------------------------------- words


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light English stemmer: strips one common suffix, keeping three letters at least."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The English stop words `tokens` drops (bm25s's list)."""
    import importlib.util

    # Read from bm25s's own file of lists, without importing bm25s (which imports scipy:
    # seconds of a first trace on a busy machine, for a list of words).
    package = importlib.util.find_spec("bm25s")
    folders = list(package.submodule_search_locations or []) if package else []
    spec = importlib.util.spec_from_file_location(
        "kg_bm25s_stopwords", f"{folders[0]}/stopwords.py" if folders else ""
    )
    if spec is not None and spec.loader is not None and folders:
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            return frozenset(module.STOPWORDS_EN)
        except (OSError, ImportError, AttributeError):
            pass
    from bm25s.stopwords import STOPWORDS_EN  # type: ignore[import-untyped, unused-ignore]

    return frozenset(STOPWORDS_EN)


def written_words(text: str) -> list[str]:
    """Every word of a text, folded and lower-cased, stop words kept (`plain_words` drops
    them; a caller filtering each distinct word once starts here).

    >>> written_words("The model's 2 Reasons")
    ['the', 'model', '2', 'reasons']
    """
    return TOKEN.findall(fold(text).lower().replace("'s", ""))


def plain_words(text: str) -> list[str]:
    """The words `tokens` stems: folded, lower-cased, stop words dropped.

    >>> plain_words("The models' reasoning abilities")
    ['models', 'reasoning', 'abilities']
    """
    stop = stopwords()
    return [w for w in written_words(text) if len(w) > 1 and w not in stop]


def tokens(text: str) -> list[str]:
    """The words of a text as search and trace compare them: folded, lower-cased, stop
    words dropped, lightly stemmed (one tokenizer for both).

    >>> tokens("The models' reasoning abilities")
    ['model', 'reason', 'abil']
    """
    return list(_tokens(text))


@lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[str, ...]:
    # A trace tokenizes each candidate's texts for every claim it ranks them for: once.
    return tuple(stem(w) for w in plain_words(text))


def cut_around(
    text: str, spans: Sequence[tuple[int, int]], width: int
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """At most `width` characters of `text`, centred on the first of `spans` (start, end;
    in order) and never cut before its end, begun and ended at a word where it can be,
    with "…" where it was cut; and the spans that fall inside, moved to match.

    >>> cut_around("one two three four five six", [(14, 18)], 12)
    ('…four five…', ((1, 5),))
    >>> cut_around("short", [(0, 5)], 12)
    ('short', ((0, 5),))
    """
    if len(text) <= width:
        return text, tuple(spans)
    start, end = 0, width
    if spans:
        first_start, first_end = spans[0]
        start = first_start - (width - (first_end - first_start)) // 2
        start = max(0, min(start, len(text) - width, first_start))
        if start and text[start - 1] != " ":  # begin at a word
            space = text.find(" ", start)
            start = first_start if space == -1 or space + 1 > first_start else space + 1
        end = max(start + width, first_end)
    if end < len(text) and text[end] != " ":  # end at a word, not before the first span
        space = text.rfind(" ", start, end)
        least = spans[0][1] if spans else start + width // 2
        end = space if space >= least else end
    lead = "…" if start else ""
    inside = tuple(
        (a - start + len(lead), b - start + len(lead)) for a, b in spans if start <= a and b <= end
    )
    return lead + text[start:end] + ("…" if end < len(text) else ""), inside


def quoted(text: str) -> str:
    """`text` quoted for a message as `repr` quotes it, but with the joiners that emoji
    and some scripts are written with (U+200D, U+200C) kept as they are, not escaped:
    a folder named `👩‍🌾 Tips` reads as itself.

    >>> print(quoted("👩\\u200d🌾 Tips"), quoted("a\\nb"), quoted("it's"))
    '👩‍🌾 Tips' 'a\\nb' "it's"
    """
    return repr(text).replace("\\u200d", "\u200d").replace("\\u200c", "\u200c")
