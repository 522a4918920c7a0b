"""Sentences and question-shaped mentions in running text.

A note's title is often a question ("Can models vote on it?"), and a sentence that cites
one goes on past its question mark; the splitter keeps such a sentence whole.

>>> text = "In Can models vote on it?, errors cancel. See Why is this so hard? Now it ends."
>>> [s for _, _, s in split_sentences(text)]
['In Can models vote on it?, errors cancel.', 'See Why is this so hard?', 'Now it ends.']
>>> [text[a:b] for a, b in question_mentions(text)]
['Can models vote on it?', 'Why is this so hard?']
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

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
