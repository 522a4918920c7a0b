"""Pages that show one note, made one: which pages are the same note, which is the best
copy, and the note their fields make together.

The site shows a note in two text variants and on two deployments, the older often under
an earlier title; a note is one node however many pages show it. `join_by_claim` finds the
titles that name one note, `merge_pages` makes the note (every copy's figures kept in
`Note.copies`), and `once_per_note` keeps each of its links once.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

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
    (`_deployment_of`); it counts for neither.
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
    joined: dict[str, list[str]] = defaultdict(list)
    for key in sorted(groups):
        joined[root(key)].append(key)
    return [joined[key] for key in sorted(joined)]


def _first(values: Iterable[str]) -> str:
    return next((v for v in values if v), "")


def merge_pages(pages: list[Page], note_id: str) -> Note:
    """One note from the pages that carry its title, best page first."""
    best = pages[0]
    if len(pages) == 1:  # the usual case, read straight off the page
        return Note(
            id=note_id,
            title=clean_title(best.title),
            kind=best.kind,
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
            truncated=best.truncated,
            files=(best.path,),
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
    kind = best.kind
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
        truncated=all(p.truncated for p in pages),
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
            )
            for p in pages
        ),
    )


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
