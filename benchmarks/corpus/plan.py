"""How the pages are planned before any is written: records for each page (its title,
links and facts), and the random draws that place them."""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from benchmarks.corpus.filler import (
    Filler,
    PaperFiller,
    UniqueFactory,
    cap,
    template_weights,
    titlecase,
)
from benchmarks.corpus.templates import (
    CATEGORIES,
    COLLECTIONS,
    DESCRIPTIONS,
    HUB_DESCRIPTIONS,
    LINE_DESCRIPTIONS,
    MONTHS,
    PAPER_TAGS,
    PAPER_TITLES,
    RELATION_LABELS,
    SUMMARIES,
    TITLE_TEMPLATES,
    TYPE_SHARES,
)
from benchmarks.corpus.words import VOCAB


class Note:
    __slots__ = (
        "categories",
        "claim",
        "collection",
        "date",
        "description",
        "hubs",
        "idx",
        "n_used",
        "papers",
        "related",
        "summary",
        "title",
        "used_by",
        "variant",
    )
    categories: list[str]
    claim: str
    collection: str
    date: str
    description: str
    hubs: list[int]
    idx: int
    n_used: int
    papers: list[int]
    related: list[tuple[int, str, str]]  # (note index, label, annotation text)
    summary: str
    title: str
    used_by: list[int]  # lines that list this note as a source
    variant: str


class Line:
    __slots__ = ("date", "description", "idx", "next", "sources", "title", "variant")
    date: str
    description: str
    idx: int
    next: list[int]
    sources: list[int]
    title: str
    variant: str


class Hub:
    __slots__ = ("children", "description", "idx", "notes", "sections", "title", "variant")
    children: list[int]  # child hubs (the Sub-Maps section)
    description: str
    idx: int
    notes: list[int]
    sections: list[tuple[str, list[int]]]
    title: str
    variant: str


class Topic:
    __slots__ = ("idx", "n_papers", "name", "notes", "variant")
    idx: int
    n_papers: int
    name: str
    notes: list[int]
    variant: str


class Paper:
    __slots__ = ("acr", "arxiv", "idx", "published", "tags", "title", "variant")
    acr: str
    arxiv: str
    idx: int
    published: str
    tags: list[str]
    title: str
    variant: str


def split_counts(pages: int) -> dict[str, int]:
    counts = {t: int(pages * share) for t, share in TYPE_SHARES}
    rest = pages - sum(counts.values())
    # hand the rounding remainder out by largest fractional part (ties: listed order)
    fracs = sorted(TYPE_SHARES, key=lambda ts: -(pages * ts[1] - int(pages * ts[1])))
    for t, _ in fracs[:rest]:
        counts[t] += 1
    return counts


def variants(rng: random.Random, n: int, md_share: float) -> list[str]:
    v = ["banner" if i % 2 == 0 else "main" for i in range(n)]
    rng.shuffle(v)
    if md_share > 0:
        k = round(n * md_share)
        for i in rng.sample(range(n), k):
            v[i] = "markdown"
    return v


def heavy_count(rng: random.Random) -> int:
    """Heavy-tailed count, median ~10, a few up to ~300."""
    return min(320, int(math.exp(rng.gauss(math.log(10.5), 1.05))))


def pick_distinct(
    rng: random.Random, pool_size: int, k: int, exclude: int = -1, avoid: set[int] | None = None
) -> list[int]:
    """k distinct ints from range(pool_size), none equal to exclude or in avoid."""
    seen = set(avoid) if avoid else set()
    if 0 <= exclude < pool_size:
        seen.add(exclude)
    k = min(k, pool_size - len(seen))
    if k <= 0:
        return []
    if k > pool_size // 2:
        rest = [i for i in range(pool_size) if i not in seen]
        return rng.sample(rest, k)
    out: list[int] = []
    while len(out) < k:
        i = rng.randrange(pool_size)
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def draw_date(rng: random.Random, start_ord: int, end_ord: int) -> str:
    return _dt.date.fromordinal(rng.randint(start_ord, end_ord)).isoformat()


# ---------------------------------------------------------------------------
# Rendering helpers


@dataclass
class Plan:
    """Every page to write, in the order of `kinds` (one page type per file)."""

    counts: dict[str, int]
    kinds: list[str]
    notes: list[Note]
    lines: list[Line]
    hubs: list[Hub]
    papers: list[Paper]
    topics: list[Topic]
    note_titles: list[str]
    stubs: list[str]  # question titles cited but given no page
    ghost_lines: list[str]  # line titles listed by notes but given no page


def make_plan(rng: random.Random, pages: int, markdown_share: float) -> Plan:
    """Draw every page's facts from `rng`, in a fixed order (the output depends on it)."""
    fill = Filler(rng).fill
    counts = split_counts(pages)
    kinds = [t for t, _ in TYPE_SHARES for _ in range(counts[t])]
    rng.shuffle(kinds)

    taken: set[str] = set()
    cum = list(itertools.accumulate(template_weights(TITLE_TEMPLATES)))

    def make_question() -> str:
        return fill(rng.choices(TITLE_TEMPLATES, cum_weights=cum)[0])

    questions = UniqueFactory(make_question, taken)
    n_syn, n_line = counts["synthesis"], counts["line"]
    note_titles = [questions.new() for _ in range(n_syn)]
    line_titles = [questions.new() for _ in range(n_line)]
    hub_titles = [questions.new() for _ in range(counts["hub"])]
    stubs = [questions.new() for _ in range(max(5, n_syn // 30))]
    ghost_lines = [questions.new() for _ in range(max(0, 330 - n_line))]

    notes = _plan_notes(rng, fill, note_titles, markdown_share)
    hubs = _plan_hubs(rng, fill, hub_titles, notes)
    papers = _plan_papers(rng, counts["paper"], taken)
    _link_notes(rng, fill, notes, papers)
    lines = _plan_lines(rng, fill, line_titles, notes, markdown_share)
    topics = _plan_topics(rng, counts["topic"], len(notes), taken)
    return Plan(counts, kinds, notes, lines, hubs, papers, topics, note_titles, stubs, ghost_lines)


FIRST_DAY = _dt.date(2025, 1, 1).toordinal()
LAST_DAY = _dt.date(2026, 3, 31).toordinal()


def _plan_notes(
    rng: random.Random, fill: Any, titles: list[str], markdown_share: float
) -> list[Note]:
    syn_variants = variants(rng, len(titles), markdown_share)
    notes: list[Note] = []
    seen_claims: set[str] = set()
    for i, title in enumerate(titles):
        n = Note()
        n.idx = i
        n.title = title
        n.variant = syn_variants[i]
        n.description = fill(rng.choice(DESCRIPTIONS))
        n.summary = fill(rng.choice(SUMMARIES))
        n.claim = fill("{finding}").lower()
        if n.claim in seen_claims:
            # On the site a claim names one note (its address is made from it); templated
            # findings repeat, so a repeat gets the note's number, drawing nothing from rng.
            n.claim = f"{n.claim} (note {i})"
        seen_claims.add(n.claim)
        k = rng.choice((1, 1, 2, 2, 3))
        n.categories = [CATEGORIES[c] for c in sorted(rng.sample(range(5), k))]
        n.date = draw_date(rng, FIRST_DAY, LAST_DAY)
        n.collection = rng.choice(COLLECTIONS) if rng.random() < 0.8 else ""
        n.n_used = heavy_count(rng)
        n.used_by = []
        n.hubs = []
        n.papers = []
        n.related = []
        notes.append(n)
    return notes


_SECTION_NAMES = (
    "{capability} and {mechanism}",
    "{method} in {setting}",
    "{mechanism}",
    "evidence on {capability}",
    "{models} and {capability}",
)


def _plan_hubs(rng: random.Random, fill: Any, titles: list[str], notes: list[Note]) -> list[Hub]:
    n_hub = len(titles)
    hub_variants = variants(rng, n_hub, 0.0)
    hubs: list[Hub] = []
    n_top = max(1, n_hub // 5) if n_hub else 0
    for i, title in enumerate(titles):
        h = Hub()
        h.idx = i
        h.title = title
        h.variant = hub_variants[i]
        h.description = fill(rng.choice(HUB_DESCRIPTIONS))
        h.children = []
        h.notes = []
        h.sections = []
        hubs.append(h)
    for i in range(n_top, n_hub):
        if rng.random() < 0.6:
            hubs[rng.randrange(n_top)].children.append(i)
    if not n_hub:
        return hubs
    hub_cum = list(itertools.accumulate(rng.uniform(0.5, 2.0) for _ in range(n_hub)))
    for n in notes:
        picks = rng.choices(range(n_hub), cum_weights=hub_cum, k=rng.choice((1, 2, 2, 3)))
        seen: list[int] = []
        for p in picks:
            if p not in seen:
                seen.append(p)
        n.hubs = seen
        for p in seen:
            hubs[p].notes.append(n.idx)
    for h in hubs:
        members = h.notes[:150]
        if not members and notes:
            members = pick_distinct(rng, len(notes), rng.randint(3, 8))
        k = max(1, min(len(members), rng.randint(2, 6)))
        cuts = sorted(rng.sample(range(1, len(members)), k - 1)) if k > 1 else []
        bounds = [0, *cuts, len(members)]
        names_seen: set[str] = set()
        for a, b in itertools.pairwise(bounds):
            name = ""
            for _ in range(20):
                name = cap(fill(rng.choice(_SECTION_NAMES)))
                if name not in names_seen and name != "Sub-Maps":
                    break
            names_seen.add(name)
            h.sections.append((name, members[a:b]))
    return hubs


def _plan_papers(rng: random.Random, count: int, taken: set[str]) -> list[Paper]:
    pf = PaperFiller(rng)
    cur_acr = [""]

    def make_paper_title() -> str:
        pf.acr = ""
        cur_acr[0] = pf.fill("{ACR}")
        pf.acr = cur_acr[0]
        return pf.fill(rng.choice(PAPER_TITLES))

    paper_factory = UniqueFactory(make_paper_title, taken)
    paper_variants = variants(rng, count, 0.0)
    papers: list[Paper] = []
    arxiv_taken: set[str] = set()
    for i in range(count):
        pp = Paper()
        pp.idx = i
        pp.title = paper_factory.new()
        pp.acr = cur_acr[0]
        pp.variant = paper_variants[i]
        while True:
            y = rng.randint(2023, 2026)
            m = rng.randint(1, 3 if y == 2026 else 12)
            ax = f"{y % 100:02d}{m:02d}.{rng.randint(0, 29999):05d}"
            if ax not in arxiv_taken:
                arxiv_taken.add(ax)
                break
        pp.arxiv = ax
        pp.published = f"{MONTHS[m - 1]} {rng.randint(1, 28)}, {y}"
        pp.tags = [PAPER_TAGS[t] for t in rng.sample(range(len(PAPER_TAGS)), rng.randint(2, 5))]
        papers.append(pp)
    return papers


_RELATED_TEXTS = (
    "{finding}",
    "{mechanism} explains the gap",
    "{finding}; this is what {method} activates",
    "{capability} depends on {mechanism}, not {mechanism2}",
)


def _link_notes(rng: random.Random, fill: Any, notes: list[Note], papers: list[Paper]) -> None:
    """Each note's related concepts and papers."""
    n_syn, n_paper = len(notes), len(papers)
    for n in notes:
        if n_syn > 1:
            k = 0 if rng.random() < 0.03 else min(16, 1 + int(rng.expovariate(1 / 6.0)))
            for j in pick_distinct(rng, n_syn, k, exclude=n.idx):
                label = rng.choice(RELATION_LABELS)
                text = fill(rng.choice(_RELATED_TEXTS))
                n.related.append((j, label, text))
        if papers:
            k = 8 if rng.random() < 0.7 else rng.randint(0, 7)
            n.papers = pick_distinct(rng, n_paper, k)


def _plan_lines(
    rng: random.Random, fill: Any, titles: list[str], notes: list[Note], markdown_share: float
) -> list[Line]:
    n_line, n_syn = len(titles), len(notes)
    line_variants = variants(rng, n_line, markdown_share)
    lines: list[Line] = []
    note_cum = list(itertools.accumulate(float(n.n_used + 1) for n in notes))
    for i, title in enumerate(titles):
        ln = Line()
        ln.idx = i
        ln.title = title
        ln.variant = line_variants[i]
        ln.description = fill(rng.choice(LINE_DESCRIPTIONS))
        ln.date = draw_date(rng, FIRST_DAY, LAST_DAY)
        want = rng.randint(3, 12)
        srcs: list[int] = []
        if notes:
            for s in rng.choices(range(n_syn), cum_weights=note_cum, k=want * 2):
                if s not in srcs:
                    srcs.append(s)
                    if len(srcs) == want:
                        break
        ln.sources = srcs
        for s in srcs:
            notes[s].used_by.append(i)
        k = rng.choice((0, 2, 3, 3, 4, 5))
        ln.next = pick_distinct(rng, n_line, k, exclude=i)
        lines.append(ln)
    for n in notes:
        n.n_used = max(n.n_used, len(n.used_by))
    return lines


_TOPIC_SOURCES = ("method", "capability", "mechanism", "setting")


def _plan_topics(rng: random.Random, count: int, n_syn: int, taken: set[str]) -> list[Topic]:
    def make_topic() -> str:
        r = rng.random()
        a = rng.choice(VOCAB[rng.choice(_TOPIC_SOURCES)])
        if r < 0.5:
            return titlecase(a)
        return titlecase(f"{a} and {rng.choice(VOCAB[rng.choice(_TOPIC_SOURCES)])}")

    topic_factory = UniqueFactory(make_topic, taken)
    topic_variants = variants(rng, count, 0.0)
    topics: list[Topic] = []
    for i in range(count):
        t = Topic()
        t.idx = i
        t.name = topic_factory.new()
        t.variant = topic_variants[i]
        t.notes = pick_distinct(rng, n_syn, min(80, 3 + int(rng.expovariate(1 / 14.0))))
        t.n_papers = rng.randint(len(t.notes), 3 * len(t.notes) + 5)
        topics.append(t)
    return topics
