"""What kind of note a group of pages makes: the kind a page's own text shows, and when no
page shows one, what other pages list the title as (a parent hub, a related paper).

>>> from kg.model import Page
>>> bare = Page("a.txt", NoteKind.SYNTHESIS, "main", "What is A?", description="About A.")
>>> is_bare(bare), shows_kind(bare)
(True, False)
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from kg.model import NoteKind, Page
from kg.text import normalize_title


def is_bare(page: Page) -> bool:
    """A whole main-text page of only a question title and a description: a hub when
    notes list that question as their parent hub, else nothing tells what it is."""
    return (
        page.kind is NoteKind.SYNTHESIS
        and page.variant == "main"
        and not page.truncated
        and not (page.claim or page.body or page.related or page.uses or page.papers)
        and not (page.hubs or page.connections)
    )


def shows_kind(page: Page) -> bool:
    """Whether a page's own text tells what kind of note it is: a banner, a hub's or a
    topic's counts, a paper's or an inquiring line's shape, or a synthesis note's marks
    (date line, categories, claim, sections). A page of only a title, a description and
    running text (a bare page, or a copy cut early) tells nothing: its kind is a guess."""
    if page.variant == "markdown":
        return False
    if page.kind is not NoteKind.SYNTHESIS or page.variant == "banner":
        return True
    return bool(
        page.claim
        or page.date
        or page.categories
        or page.hubs
        or page.uses
        or page.related
        or page.papers
        or page.connections
        or page.concept_map
        or page.counts.declared()
    )


def has_synthesis_structure(page: Page) -> bool:
    """Whether a page is really a synthesis note's: more than a title and a description."""
    return page.kind is NoteKind.SYNTHESIS and page.variant != "markdown" and not is_bare(page)


def note_kind(
    group: list[Page], hub_keys: Collection[str], paper_keys: Collection[str] = ()
) -> NoteKind:
    """The kind of the note its pages show (best page first): the best page that shows
    its kind decides; when none does, a title notes list as their parent hub is a hub
    (if every page is bare), one they list as a related paper a paper; never a downgrade
    of what the pages or the corpus tell.

    >>> bare = Page("a.txt", NoteKind.SYNTHESIS, "main", "What is A?", description="About A.")
    >>> hub = Page("b.txt", NoteKind.HUB, "banner", "What is A?", description="A map.")
    >>> note_kind([bare, hub], set()).value, note_kind([bare], {"what is a?"}).value
    ('hub', 'hub')
    """
    shown = next((p for p in group if shows_kind(p)), None)
    if shown is not None:
        return shown.kind
    if not kind_is_guessed(group):
        return group[0].kind  # Markdown notes: a file is a note
    keys = {normalize_title(p.title) for p in group}
    if any(k in hub_keys for k in keys) and all(is_bare(p) for p in group):
        return NoteKind.HUB  # notes list it as their parent hub
    if any(k in paper_keys for k in keys):
        return NoteKind.PAPER  # notes list it as a related paper
    return group[0].kind


def kind_is_guessed(group: list[Page]) -> bool:
    """Whether what other pages list decides the note's kind: no site page of it shows
    its kind (a Markdown file is a note, whatever lists it)."""
    site = [p for p in group if p.variant != "markdown"]
    return bool(site) and len(site) == len(group) and not any(shows_kind(p) for p in site)


class PaperTitles(Collection[str]):
    """The normalized titles pages list as related papers, gathered on first use: only a
    note whose pages show no kind asks (`note_kind`)."""

    def __init__(self, pages: Sequence[Page]) -> None:
        self._pages = pages
        self._keys: set[str] | None = None

    def _gathered(self) -> set[str]:
        if self._keys is None:
            self._keys = {normalize_title(ref.title) for p in self._pages for ref in p.papers}
        return self._keys

    def __contains__(self, key: object) -> bool:
        return key in self._gathered()

    def __iter__(self) -> Iterator[str]:
        return iter(self._gathered())

    def __len__(self) -> int:
        return len(self._gathered())
