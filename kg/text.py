"""Text helpers: title normalization, slugs, sentences and question-shaped mentions.

>>> normalize_title("  Do models  know what they don’t know? ")
"do models know what they don't know?"
>>> slugify("Do models know what they don't know?")
'do-models-know-what-they-dont-know'
>>> text = "In Can models vote on it?, errors cancel. See Why is this so hard? Now it ends."
>>> [s for _, _, s in split_sentences(text)]
['In Can models vote on it?, errors cancel.', 'See Why is this so hard?', 'Now it ends.']
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
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


QUESTION_WORDS = frozenset(
    [
        "Can",
        "Could",
        "Does",
        "Do",
        "Did",
        "Is",
        "Are",
        "Was",
        "Were",
        "Why",
        "What",
        "How",
        "When",
        "Where",
        "Which",
        "Who",
        "Whom",
        "Whose",
        "Should",
        "Would",
        "Will",
        "Has",
        "Have",
        "Had",
        "May",
        "Might",
        "Must",
        "Shall",
    ]
)


def _question_word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    # One branch per initial letter, each opening with that letter: the regex engine then
    # skips ahead to candidate capitals instead of trying every position (about 3x faster
    # than a leading look-behind). Longest first within a branch; `\b` ends each word.
    by_initial: dict[str, list[str]] = {}
    for word in words:
        by_initial.setdefault(word[0], []).append(word[1:])
    branches = (
        f"{initial}(?<!\\w{initial})(?:{'|'.join(sorted(rests, key=len, reverse=True))})"
        for initial, rests in sorted(by_initial.items())
    )
    return re.compile(r"(?:" + "|".join(branches) + r")\b")


_QUESTION_WORD = _question_word_pattern(QUESTION_WORDS)
_STOP = re.compile(r"[.!?\n]")
_CONTINUES = re.compile(r"(?:[,.;:)\]]|\s+[a-z—–-]|\s*$)")
_SENTENCE_END = re.compile(r"[.!?](?:[\"'’”)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def question_mentions(text: str) -> list[tuple[int, int]]:
    """Spans of question titles cited in running text (no link markers around them).

    A question counts as a citation when it sits inside a sentence ("In Can X?, ...")
    or when the sentence goes on after it in lower case ("Does X? argues ...");
    a rhetorical question that opens a sentence and is followed by a new sentence does not.

    >>> t = "In Can models vote on answers?, errors cancel. Why does it work? Because they do."
    >>> [t[a:b] for a, b in question_mentions(t)]
    ['Can models vote on answers?']
    >>> t = "Does RL create reasoning at all? argues that it does not."
    >>> [t[a:b] for a, b in question_mentions(t)]
    ['Does RL create reasoning at all?']
    >>> t = "Three ways: Is it worth it at all? How does it scale up? Does it pay off?. So."
    >>> [t[a:b] for a, b in question_mentions(t)]
    ['Is it worth it at all?', 'How does it scale up?', 'Does it pay off?']
    """
    spans: list[tuple[int, int]] = []
    if "?" not in text:
        return spans
    # Openers after the last '?' open no question: the search stops there.
    openers = [m.start() for m in _QUESTION_WORD.finditer(text, 0, text.rfind("?"))]
    if not openers:
        return spans
    previous_end = 0
    found: list[tuple[int, int, bool]] = []  # (start, end, cited) of each question seen
    mark = text.find("?")
    while mark >= 0:
        q = mark + 1
        mark = text.find("?", q)
        # The rightmost question word that opens a question of four or more words,
        # looked for only in the 300 characters before the '?'.
        window_start = max(previous_end, q - 300)
        previous_end = q
        start = None
        for i in range(bisect_left(openers, q) - 1, -1, -1):
            s = openers[i]
            if s < window_start:
                break
            # A sentence end between the question word and the '?' rules it out.
            if _STOP.search(text, s, q - 1):
                break
            if text.count(" ", s, q) >= 3:
                start = s
                break
        if start is None:
            continue
        before = text[max(0, start - 8) : start].rstrip()
        opens_sentence = not before or before[-1] in ".!?:\"'”’" or before.endswith("—")
        continues = bool(_CONTINUES.match(text, q))
        found.append((start, q, not opens_sentence or continues))
    # Titles cited back to back ("A? B? C?.") form one citation: where the last of a run
    # is cited, so is every question right before it.
    for i in range(len(found) - 2, -1, -1):
        start, end, cited = found[i]
        if not cited and found[i + 1][2] and not text[end : found[i + 1][0]].strip():
            found[i] = (start, end, True)
    spans.extend((start, end) for start, end, cited in found if cited)
    return spans


def split_sentences(
    text: str,
    protected: Sequence[tuple[int, int]] = (),
    questions: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[int, int, str]]:
    """Split running text into (start, end, sentence), never inside a protected span.

    Protected spans are the cited titles found in the text; question-shaped citations
    (`questions`, found here when not given) are protected too, so 'Can X?' inside a
    sentence never ends it.
    """
    if not protected and questions is None:  # the common call: the same texts, again
        return list(_plain_sentences(text))
    return list(_sentences(text, protected, questions))


@lru_cache(maxsize=1 << 14)
def _plain_sentences(text: str) -> tuple[tuple[int, int, str], ...]:
    # A trace splits each candidate's paragraphs for every claim it ranks them for: once.
    return tuple(_sentences(text, (), None))


def sentences_at(
    text: str,
    positions: Sequence[int],
    protected: Sequence[tuple[int, int]] = (),
    questions: Sequence[tuple[int, int]] | None = None,
) -> list[str | None]:
    """The sentence (as `split_sentences` cuts them) holding each of `positions`, which
    must be ascending; None for a position between sentences. Stops reading the text
    after the last position, which is what makes it cheaper than a full split.

    >>> text = "In Can models vote on it?, errors cancel. See Why is this so hard? Now it ends."
    >>> sentences_at(text, [3, 46])
    ['In Can models vote on it?, errors cancel.', 'See Why is this so hard?']
    """
    found: list[str | None] = []
    if not positions:
        return found
    if questions is None:
        questions = question_mentions(text)
    # Every place a sentence may end (cut) and where the next may start (after); a cut
    # inside a guarded span (a title or question it must not be cut in) is no end: the
    # cuts each span blocks are found by bisecting, once.
    spans = [match.span() for match in _SENTENCE_END.finditer(text)]
    cuts = [start + 1 for start, _ in spans]
    afters = [after for _, after in spans]
    blocked: set[int] = set()
    for a, b in (*protected, *questions):
        first, stop = bisect_right(cuts, a), bisect_left(cuts, b)
        blocked.update(range(first, stop))
        if stop < len(cuts) and cuts[stop] == b and stop >= first and _continues(text, b):
            blocked.add(stop)

    def ends(index: int) -> bool:
        return index not in blocked

    start = stop = reach = -1  # the sentence of the position before, while it lasts
    sentence: str | None = None
    for position in positions:
        if not start <= position < stop:
            at = bisect_right(afters, position)
            before = at - 1
            while before >= 0 and not ends(before):
                before -= 1
            start = afters[before] if before >= 0 else 0
            while at < len(cuts) and not ends(at):
                at += 1
            stop = afters[at] if at < len(cuts) else len(text)
            piece = text[start:stop].strip()
            sentence = piece or None
            # As `split_sentences` counts a sentence: from where the text after the last
            # cut begins, for the length of the sentence once stripped (at least one).
            reach = max(start + len(piece), start + 1) if piece else start
        found.append(sentence if position < reach else None)
    return found


def _sentences(
    text: str,
    protected: Sequence[tuple[int, int]],
    questions: Sequence[tuple[int, int]] | None,
) -> Iterator[tuple[int, int, str]]:
    if questions is None:
        questions = question_mentions(text)
    guarded = sorted([*protected, *questions])
    count = len(guarded)
    start = 0
    first = 0  # guarded spans before this one end before any later cut
    for match in _SENTENCE_END.finditer(text):
        cut = match.start() + 1
        while first < count and guarded[first][1] < cut:
            first += 1
        blocked = False
        for a, b in guarded[first:]:
            if a >= cut:
                break
            if cut < b or (cut == b and _continues(text, b)):
                blocked = True
                break
        if blocked:
            continue
        piece = text[start : match.end()].strip()
        if piece:
            yield start, start + len(piece), piece
        start = match.end()
    tail = text[start:].strip()
    if tail:
        yield start, start + len(tail), tail


def _continues(text: str, end: int) -> bool:
    """True when the text right after a cited title goes on in the same sentence."""
    return bool(re.match(r"\s+[a-z]", text[end : end + 2]))


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


def plain_words(text: str) -> list[str]:
    """The words `tokens` stems: folded, lower-cased, stop words dropped.

    >>> plain_words("The models' reasoning abilities")
    ['models', 'reasoning', 'abilities']
    """
    stop = stopwords()
    return [
        w
        for w in TOKEN.findall(fold(text).lower().replace("'s", ""))
        if len(w) > 1 and w not in stop
    ]


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
