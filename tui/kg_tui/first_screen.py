"""The browser's first screen: the overview kept beside the index, drawn before the index
is read, and what the loading screen says while there is nothing to draw.

`kg index` keeps the corpus's overview (its figures and the notes to start from) beside
the index, and the browser keeps it for the files it read when none is kept
(`kg.keep_overview`). The next start draws it in its first frame (`kg.kept_overview`: only
the overview of the index the folder holds now) while the index is opened on a thread;
the graph then takes over, with the same lists when its files are those the overview was
worked out from. A note picked, or a search asked for, before the graph is there runs
once it is.

>>> import tempfile
>>> from pathlib import Path
>>> import kg
>>> corpus = Path(tempfile.mkdtemp())
>>> _ = (corpus / "a.md").write_text("Links to [[b]].")
>>> kg.keep_overview(kg.load(corpus, embed="none"))
True
>>> view = kg.kept_overview(corpus)
>>> [n.title for n in lists_of(view)[0][1]], stand_in(view).corpus_stats().notes
(['a'], 1)
"""

from __future__ import annotations

from kg import CorpusStats, KnowledgeGraph, Overview
from kg.model import Note

Lists = list[tuple[str, list[Note]]]

# What each stage of opening a corpus does, and what it counts, as the loading screen says.
STAGES = {
    "start": ("Finding the files", "files"),
    "parse": ("Reading", "files"),
    "embed": ("Computing vectors", "texts"),
    "distil": ("Preparing the static model (once on this machine)", "steps"),
    "wait": ("Waiting for another kg process writing this index", "steps"),
}


class _OverviewGraph(KnowledgeGraph):
    """The kept overview's notes as a small graph whose figures are the corpus's."""

    def __init__(self, notes: dict[str, Note], stats: CorpusStats) -> None:
        super().__init__(notes, [])
        self._kept_stats = stats

    def corpus_stats(self) -> CorpusStats:
        return self._kept_stats


def stand_in(view: Overview) -> KnowledgeGraph:
    """A stand-in graph of just the overview's notes, whose `corpus_stats` are the
    corpus's: enough to draw the overview before the real graph is there."""
    notes = {n.id: n for _, listed in view.lists for n in listed}
    return _OverviewGraph(notes, view.stats)


def lists_of(view: Overview) -> Lists:
    """The overview's lists as the reading view takes them."""
    return [(heading, list(notes)) for heading, notes in view.lists]


def loading_words(state: str, stage: str, done: int, total: int, seconds: float) -> tuple[str, str]:
    """The loading screen's heading and line while a corpus is opened: what is happening
    (`state` from `kg.index_state`: the first index of this folder, a rebuild for
    another version of kg, or an update after files changed), how far it is and how long
    it has taken.

    >>> loading_words("none", "parse", 200, 800, 3.2)[0]
    'Indexing this folder for the first time…'
    >>> print(loading_words("none", "parse", 200, 800, 3.2)[1])
    Reading: 200 of 800 files (25%), 3 s so far. Only this first time: later starts reuse the index and open in about a second.
    >>> loading_words("present", "embed", 5, 10, 0.4)[0]
    'Updating the index: files changed since it was made…'
    """
    doing, unit = STAGES.get(stage, (stage.capitalize(), "steps"))
    count = f": {done:,} of {total:,} {unit} ({100 * done // total}%)" if total > 1 else ""
    line = f"{doing}{count}, {seconds:.0f} s so far. "
    if state == "present":
        return (
            "Updating the index: files changed since it was made…",
            line + "Only what changed is read again; the overview follows.",
        )
    if state == "outdated":
        return (
            "Rebuilding the index: it was made by another version of kg…",
            line + "Once rebuilt, later starts reuse it and open in about a second.",
        )
    return (
        "Indexing this folder for the first time…",
        line + "Only this first time: later starts reuse the index and open in about a second.",
    )
