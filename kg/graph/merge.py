"""Pages that show one note, made one: which pages are the same note, which is the best
copy, and the note their fields make together.

The site shows a note in two text variants and on two deployments, the older often under
an earlier title; a note is one node however many pages show it. `join_by_claim` finds the
titles that name one note (by their claim, or, when a newer copy is cut before it, by the
date, collection and paragraphs two deployments' copies share), `kg.graph.kinds` tells its kind
from the pages that show one, `merge_pages` makes the note (every copy's figures and words
kept in `Note.copies`), and `once_per_note` keeps each of its links once.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace

from kg.graph.kinds import is_bare, note_kind
from kg.model import (
    COUNT_NAMES,
    Counts,
    Diagnostic,
    LinkRow,
    Note,
    NoteKind,
    Page,
    PageCopy,
    Severity,
)
from kg.text import clean_title, normalize_title

_VARIANT_RANK = {"markdown": 0, "main": 1, "banner": 2}
# A claim cut off at the end of a copy still names its note when this long.
MIN_CUT_CLAIM_CHARS = 24


def page_order(page: Page) -> tuple[bool, bool, int, str]:
    """Best page of a note first: the current deployment, whole copies, then by variant."""
    return (page.deployment == "older", page.truncated, _VARIANT_RANK[page.variant], page.path)


def once_per_note(notes: dict[str, Note], links: list[LinkRow]) -> list[LinkRow]:
    """Links of a note shown by several pages, each once: where two of its pages give the
    same link (the same source, related concept, card in one section or mention), only the
    best page's is kept; links only one page gives are all kept."""
    rank = {
        file: position
        for note in notes.values()
        if len(note.files) > 1
        for position, file in enumerate(note.files)
    }
    if not rank:
        return links
    best: dict[tuple[str, str, str, str], int] = {}
    for row in links:
        position = rank.get(row[3])
        if position is not None:
            key = (row[0], row[1], row[2], row[11])
            if position < best.get(key, len(rank)):
                best[key] = position
    return [
        row
        for row in links
        if (position := rank.get(row[3])) is None
        or best[(row[0], row[1], row[2], row[11])] == position
    ]


UNKNOWN = "unknown"  # a page that does not show which deployment it is from


def _deployment_of(page: Page) -> str:
    """'older' or 'current' where the page shows it (the older deployment's own lines, or
    the current one's banner and date line), else `UNKNOWN` (a plain main-text copy)."""
    if page.deployment == "older" or page.variant == "banner":
        return page.deployment
    return UNKNOWN


def join_by_claim(groups: dict[str, list[Page]], diagnostics: list[Diagnostic]) -> list[list[str]]:
    """Title keys that name one note, in sorted order: keys whose site pages give the same
    claim (or a claim cut off at the end of one copy that another copy gives whole).

    Within one deployment of the site a note has one title, so two titles that one
    deployment certainly gives the same claim are two notes after all: they are kept apart,
    and a diagnostic says so. A main-text copy may not show which deployment it is from
    (`_deployment_of`); it counts for neither. Titles whose copies of the two deployments
    share date, collection and paragraphs are joined too (`_join_by_body`).
    """
    parent = {key: key for key in groups}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: str, b: str) -> None:
        a, b = root(a), root(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    by_claim: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    cut: list[tuple[str, str, str, bool]] = []
    first_page: dict[str, Page] = {}
    for key in sorted(groups):
        for page in groups[key]:
            if not page.claim or page.variant == "markdown":
                continue
            claim = normalize_title(page.claim)
            by_claim[claim][_deployment_of(page)].add(key)
            first_page.setdefault(claim, page)
            # A claim that runs on in another copy was cut off there (the copy may be too
            # short to tell by itself): cut mid-word, or on a page known to be cut.
            cut.append((claim, key, _deployment_of(page), page.truncated))
    clashing = set()
    for claim, deployments in by_claim.items():
        keys = sorted(set().union(*deployments.values()))
        if len(keys) < 2:
            continue
        if any(len(same) > 1 for name, same in deployments.items() if name != UNKNOWN):
            clashing.add(claim)
            page = first_page[claim]
            diagnostics.append(
                Diagnostic(
                    page.path,
                    page.title_line,
                    Severity.INFO,
                    f"{len(keys)} titles of one deployment give the same claim {page.claim!r}; "
                    "a note has one title per deployment, so they are kept as different notes",
                    "claim-clash",
                )
            )
            continue
        for key in keys[1:]:
            union(keys[0], key)
    if cut:
        claims = sorted(by_claim)
        for claim, key, deployment, truncated in cut:
            if len(claim) < MIN_CUT_CLAIM_CHARS:
                continue
            at = bisect.bisect_right(claims, claim)
            if at >= len(claims) or not claims[at].startswith(claim) or claims[at] in clashing:
                continue
            if not truncated and not claims[at][len(claim)].isalnum():
                continue  # a whole claim that another one merely extends: two notes
            whole = by_claim[claims[at]]
            alone = len(set().union(*whole.values())) == 1
            if alone and (deployment == UNKNOWN or deployment not in whole):
                union(next(iter(set().union(*whole.values()))), key)
    _join_by_body(groups, root, union)
    joined: dict[str, list[str]] = defaultdict(list)
    for key in sorted(groups):
        joined[root(key)].append(key)
    return [joined[key] for key in sorted(joined)]


# Paragraphs two copies must share word for word to be one note without a claim to tie them.
MIN_SHARED_PARAGRAPHS = 2


def join_stamp(page: Page) -> str:
    """What pages of the two deployments must share to be joined by their body: the
    date and collection (with the page's deployment), '' when the page shows none.

    >>> join_stamp(Page("a.txt", NoteKind.SYNTHESIS, "banner", "A?", date="2026-01-02",
    ...                 collection="Test Time Compute"))
    '2026-01-02|test time compute|current'
    """
    deployment = _deployment_of(page)
    if not (page.date and page.collection) or deployment == UNKNOWN or page.variant == "markdown":
        return ""
    return f"{page.date}|{page.collection.strip().casefold()}|{deployment}"


def _join_by_body(
    groups: dict[str, list[Page]], root: Callable[[str], str], union: Callable[[str, str], None]
) -> None:
    """Join titles the two deployments give one note when its claim cannot (a newer copy
    cut before it): pages of different deployments whose date and collection agree and
    whose bodies share `MIN_SHARED_PARAGRAPHS` paragraphs word for word. Pages of one
    deployment never join so; an older page joins only the one newer page it shares the
    most paragraphs with, and only when no other title of a deployment is joined already."""
    stamped: dict[str, dict[str, list[tuple[str, Page]]]] = defaultdict(lambda: defaultdict(list))
    for key in sorted(groups):
        for page in groups[key]:
            stamp = join_stamp(page)
            if stamp and page.body:
                date_collection, _, deployment = stamp.rpartition("|")
                stamped[date_collection][deployment].append((key, page))
    for by_deployment in stamped.values():
        newer, older = by_deployment.get("current", []), by_deployment.get("older", [])
        for old_key, old_page in older:
            paragraphs = {p.text for p in old_page.body}
            shared = sorted(
                (
                    (-len(paragraphs.intersection(p.text for p in page.body)), key)
                    for key, page in newer
                    if root(key) != root(old_key)
                ),
            )
            if not shared or -shared[0][0] < MIN_SHARED_PARAGRAPHS:
                continue
            if len(shared) > 1 and shared[1][0] == shared[0][0] and shared[1][1] != shared[0][1]:
                continue  # two newer titles share as much: nothing tells which it is
            new_key = shared[0][1]
            titles = {
                (_deployment_of(page), key)
                for key in groups
                if root(key) in (root(old_key), root(new_key))
                for page in groups[key]
            }
            deployments = [d for d, _ in titles if d != UNKNOWN]
            if len(deployments) != len(set(deployments)):
                continue  # it would give one deployment two titles of one note
            union(old_key, new_key)


def _first(values: Iterable[str]) -> str:
    return next((v for v in values if v), "")


def merge_pages(pages: list[Page], note_id: str, kind: NoteKind | None = None) -> Note:
    """One note from the pages that carry its title, best page first (of `kind`, when
    given; else the best page's kind)."""
    best = pages[0]
    kind = kind or best.kind
    if len(pages) == 1:  # the usual case, read straight off the page
        return Note(
            id=note_id,
            title=clean_title(best.title),
            kind=kind,
            description=best.description or "",
            claim=best.claim or "",
            categories=tuple(dict.fromkeys(best.categories)),
            date=best.date or "",
            collection=best.collection or "",
            body=best.body,
            sources=best.sources,
            concept_map=best.concept_map or None,
            counts=best.counts,
            arxiv=best.arxiv or "",
            tags=best.tags or (),
            aliases=tuple(dict.fromkeys(best.aliases)),
            truncated=best.truncated if kind is best.kind else _truncated(pages, kind),
            files=(best.path,),
            listed=_listed(pages),
        )
    categories: list[str] = []
    for page in pages:
        categories += [c for c in page.categories if c not in categories]
    aliases: list[str] = []
    for page in pages:
        aliases += [a for a in page.aliases if a not in aliases]
    body = max((p.body for p in pages), key=lambda b: sum(len(x.text) for x in b))
    sources = max((p.sources for p in pages), key=lambda s: (sum(1 for x in s if x.title), len(s)))
    counts = _merged_counts(pages)
    return Note(
        id=note_id,
        title=clean_title(best.title),
        kind=kind,
        description=max((p.description for p in pages), key=len),
        claim=_first(p.claim for p in pages),
        categories=tuple(categories),
        date=_first(p.date for p in pages),
        collection=_first(p.collection for p in pages),
        body=body,
        sources=sources,
        concept_map=next((p.concept_map for p in pages if p.concept_map), None),
        counts=counts,
        arxiv=_first(p.arxiv for p in pages),
        tags=next((p.tags for p in pages if p.tags), ()),
        aliases=tuple(aliases),
        truncated=_truncated(pages, kind),
        files=tuple(p.path for p in pages),
        copies=tuple(
            PageCopy(
                p.path,
                p.deployment,
                p.variant,
                clean_title(p.title),
                p.counts,
                p.concept_map,
                p.truncated,
                p.description,
            )
            for p in pages
        ),
        listed=_listed(pages),
    )


def _truncated(pages: list[Page], kind: NoteKind) -> bool:
    """Whether a note is cut off: its lists come from its copies of its own type, so it
    is unless one of those is whole (a whole bare page, of no type, holds none of them)."""
    if kind is NoteKind.PAPER and not any(p.kind is kind for p in pages):
        # Read as a note (no page showed it is a paper), where a missing claim meant a
        # cut: a paper's page is whole when its text ends as a sentence does.
        return not any(_ends_whole(p) for p in pages)
    typed = [p for p in pages if p.kind is kind and not is_bare(p)] or pages
    return all(p.truncated for p in typed)


_SENTENCE_END = re.compile(r"[.?!\"'”’)*\]]$")


def _ends_whole(page: Page) -> bool:
    """Whether a page's text ends as a sentence does (a copy cut mid-word does not)."""
    text = page.body[-1].text if page.body else page.description
    return bool(text) and bool(_SENTENCE_END.search(text))


def _listed(pages: list[Page]) -> Counts:
    """For each list a page of the note declares, the most items any page holds."""
    if len(pages) == 1:  # most notes: one page, read straight off it
        page = pages[0]
        counts = page.counts
        return Counts(
            uses=None if counts.uses is None else len(page.uses),
            related=None if counts.related is None else len(page.related),
            papers=None if counts.papers is None else len(page.papers),
            sources=None if counts.sources is None else len(page.sources),
            notes=None if counts.notes is None else len(page.cards),
        )
    declared = [
        (name, field)
        for name, field in _LIST_FIELDS
        if any(getattr(p.counts, name) is not None for p in pages)
    ]
    if not declared:
        return _NO_COUNTS
    most = {name: max(len(getattr(p, field)) for p in pages) for name, field in declared}
    return Counts(**most)  # type: ignore[arg-type]


# Each count that declares a list, and the field of `Page` that holds the list's items.
_LIST_FIELDS = (
    ("uses", "uses"),
    ("related", "related"),
    ("papers", "papers"),
    ("sources", "sources"),
    ("notes", "cards"),
)
_NO_COUNTS = Counts()


def _merged_counts(pages: list[Page]) -> Counts:
    """Each count from the best page that gives it for certain, else from the best that
    gives it at all (then still uncertain). Every page's own counts stay in `Note.copies`."""
    values: dict[str, int] = {}
    uncertain: list[str] = []
    for name in COUNT_NAMES:
        given = [
            (name in p.counts.uncertain, value)
            for p in pages
            if (value := getattr(p.counts, name)) is not None
        ]
        if given:
            unsure, values[name] = min(given, key=lambda pair: pair[0])
            if unsure:
                uncertain.append(name)
    return Counts(**values, uncertain=tuple(uncertain))


def paper_hash(page: Page) -> str:
    """A short hash of the titles a page lists as related papers ('' for none)."""
    if not page.papers:
        return ""
    text = "\n".join(normalize_title(ref.title) for ref in page.papers)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def group_note(
    group: Sequence[Page],
    note_id: str,
    hub_keys: Collection[str],
    paper_keys: Collection[str] = (),
) -> Note:
    """The note the pages of one group make (best page first, as `page_order` sorts).

    Parameters
    ----------
    group : sequence of Page
        The pages that show the note, best first.
    note_id : str
        Its id.
    hub_keys : collection of str
        The normalized titles that pages list as their parent hubs: a bare page titled so
        is a hub.
    paper_keys : collection of str
        The normalized titles that pages list as related papers: a page that does not
        show its kind, titled so, is a paper.

    Returns
    -------
    Note

    Examples
    --------
    >>> page = Page("a.txt", NoteKind.SYNTHESIS, "main", "What is A?", description="About A.")
    >>> group_note([page], "what-is-a", {"what is a?"}).kind.value
    'hub'
    """
    pages = list(group)
    note = merge_pages(pages, note_id, note_kind(pages, hub_keys, paper_keys))
    titles = {normalize_title(p.title) for p in pages}
    if len(titles) > 1:
        others = [clean_title(p.title) for p in pages]
        note = replace(
            note,
            aliases=tuple(dict.fromkeys(a for a in others + list(note.aliases) if a != note.title)),
        )
    if not note.properties_json:
        # A Markdown note (or one merged with a site page) keeps its front matter.
        properties = next((p.properties_json for p in pages if p.properties_json), "")
        if properties:
            note = replace(note, properties_json=properties)
    return note
