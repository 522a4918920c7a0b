"""Writing the planned pages as text: synthesis notes, inquiring lines, topics, hubs and
papers, each in the banner, main-text or Markdown variant."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from benchmarks.corpus.filler import Filler, PaperFiller
from benchmarks.corpus.plan import Hub, Line, Note, Paper, Plan, Topic, pick_distinct
from benchmarks.corpus.templates import (
    ALIASES,
    CITATIONS,
    CLUSTERS,
    LINE_OPENERS,
    PAPER_SENTENCES,
    SENTENCES,
)


def _plain(title: str) -> str:
    return title


class Renderer:
    """Each page of a `Plan` as text, drawing its prose from the same generator."""

    def __init__(self, rng: random.Random, plan: Plan) -> None:
        self.rng = rng
        self.f = Filler(rng)
        self.pf = PaperFiller(rng)
        self.plan = plan

    # -- prose ------------------------------------------------------------

    def _wikilink(self, title: str) -> str:
        if self.rng.random() < 0.2:
            return f"[[{title}|{self.rng.choice(ALIASES)}]]"
        return f"[[{title}]]"

    def _cite(self, title: str, link: Callable[[str], str]) -> str:
        tmpl = self.f.pick(CITATIONS)
        # {T} is not a vocabulary key: substitute it after filling
        return self.f.fill(tmpl.replace("{T}", "\x00")).replace("\x00", link(title))

    def paragraph(
        self, cites: list[str], link: Callable[[str], str], opener: str | None = None
    ) -> str:
        rng = self.rng
        fill = self.f.fill
        n = rng.randint(4, 8)
        pick = self.f.pick
        sents = [fill(pick(SENTENCES)) for _ in range(n)]
        for t in cites:
            sents.insert(rng.randint(0, len(sents)), self._cite(t, link))
        if opener is not None:
            sents.insert(0, opener)
        return " ".join(sents)

    def note_body(self, note: Note, link: Callable[[str], str]) -> list[str]:
        rng = self.rng
        plan = self.plan
        titles = plan.note_titles
        stubs = plan.stubs
        n_notes = len(titles)
        paras = []
        for _ in range(rng.randint(2, 6)):
            cites = []
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                if stubs and rng.random() < 0.05:
                    cites.append(rng.choice(stubs))
                elif n_notes > 1:
                    j = rng.randrange(n_notes)
                    if j == note.idx:
                        j = (j + 1) % n_notes
                    cites.append(titles[j])
            paras.append(self.paragraph(cites, link))
        return paras

    def line_body(self, line: Line, link: Callable[[str], str]) -> list[str]:
        rng = self.rng
        titles = self.plan.note_titles
        p = rng.randint(3, 6)
        slots = sorted(rng.randrange(p) for _ in line.sources)
        groups: list[list[str]] = [[] for _ in range(p)]
        for slot, src in zip(slots, line.sources, strict=True):
            groups[slot].append(titles[src])
        paras = []
        for i, g in enumerate(groups):
            opener = self.f.fill(rng.choice(LINE_OPENERS)) if i == 0 else None
            # keep the order of first mention equal to the source order
            sents = [self.f.fill(self.f.pick(SENTENCES)) for _ in range(rng.randint(3, 6))]
            pos = sorted(rng.randint(0, len(sents)) for _ in g)
            for k, (at, t) in enumerate(zip(pos, g, strict=True)):
                sents.insert(at + k, self._cite(t, link))
            if opener:
                sents.insert(0, opener)
            paras.append(" ".join(sents))
        return paras

    # -- synthesis notes ----------------------------------------------------

    def _related_blocks(self, note: Note) -> list[tuple[str, str, str, str]]:
        notes = self.plan.notes
        out = []
        for j, label, text in note.related:
            other = notes[j]
            out.append((other.title, other.description, label, text))
        return out

    @staticmethod
    def _annotation(label: str, text: str) -> str:
        if not label:
            return text
        if label == "extends":
            return f"extends {text}"
        return f"{label}: {text}"

    def _used_by_titles(self, note: Note) -> list[str]:
        plan = self.plan
        lines = plan.lines
        ghosts = plan.ghost_lines
        out = [lines[i].title for i in note.used_by]
        need = note.n_used - len(out)
        if need > 0:
            extra = pick_distinct(self.rng, len(lines), need, avoid=set(note.used_by))
            out.extend(lines[i].title for i in extra)
            k = 0
            while len(out) < note.n_used and k < len(ghosts):
                out.append(ghosts[k])
                k += 1
        return out[: note.n_used]

    def synthesis_txt(self, note: Note, banner: bool) -> str:
        rng = self.rng
        plan = self.plan
        paras = self.note_body(note, _plain)
        papers = [plan.papers[i].title for i in note.papers]
        n_rel = len(note.related)
        if banner:
            head = ["SYNTHESIS NOTE\n" + " ".join(note.categories), note.title, note.description]
            meta = f"Synthesis note · {note.date}"
            if note.collection:
                meta += f" · sourced from {note.collection}"
            if note.hubs:
                meta += "\n" + " ".join(plan.hubs[h].title for h in note.hubs)
            head.append(meta)
            d = n_rel + rng.randint(0, 24)
            h = d * rng.randint(4, 14) + rng.randint(0, 9)
            tail = [
                f"Inquiring lines that use this note as a source {note.n_used}",
                "This note is a source for these synthesized inquiries. Follow a line forward "
                "into its question, or open it to trace back to all of its sources.",
                f"Related concepts in this collection {n_rel}",
                "This note in its neighbourhood — explore the map, then jump to a related "
                "concept in the list below.",
                f"Concept map\n{d} direct connections · {h} in 2-hop network ·"
                f"{rng.choice(CLUSTERS)} cluster Open in graph ↗",
                "Click a node to walk · click center to open · click Open in graph to see "
                "this note in the full knowledge graph",
                "your link semantically near linked from elsewhere",
                f"Related papers in this collection {len(papers)}",
                "Papers most semantically related to this note, ranked by cosine similarity "
                "in the embedding space.",
                "Original note title",
                note.claim,
            ]
            return "\n\n".join(head + paras + tail)
        out = [note.title, note.description, *paras]
        out.append(f"Inquiring lines that use this note as a source {note.n_used}")
        out.append(
            "This note is a source for these synthesized inquiries. Follow a line forward "
            "into its question, or open it to trace back to all of its sources."
        )
        out.extend("- " + t for t in self._used_by_titles(note))
        out.append(f"Related concepts in this collection {n_rel}")
        out.append(
            "This note in its neighbourhood — explore the map, then jump to a related "
            "concept in the list below."
        )
        out.append(
            "Click a node to walk · click center to open · click Open in graph to see "
            "this note in the full knowledge graph"
        )
        for title, desc, label, text in self._related_blocks(note):
            out.extend(("-", title, desc, self._annotation(label, text)))
        out.append(f"Related papers in this collection {len(papers)}")
        out.append(
            "Papers most semantically related to this note, ranked by cosine similarity "
            "in the embedding space."
        )
        out.extend("- " + t for t in papers)
        out.append("Original note title")
        out.append(note.claim)
        return "\n".join(out)

    def synthesis_md(self, note: Note) -> str:
        q = _q
        plan = self.plan
        fm = [
            "---",
            "type: synthesis",
            f"title: {q(note.title)}",
            f"description: {q(note.description)}",
            f"claim: {q(note.claim)}",
            "categories: [" + ", ".join(q(c) for c in note.categories) + "]",
            f"date: {note.date}",
        ]
        blocks = self._related_blocks(note)
        if blocks:
            fm.append("related:")
            for title, _desc, label, text in blocks:
                fm.append(f"  - {{title: {q(title)}, label: {q(label)}, annotation: {q(text)}}}")
        else:
            fm.append("related: []")
        papers = [plan.papers[i].title for i in note.papers]
        fm.append("papers: [" + ", ".join(q(p) for p in papers) + "]")
        fm.append("---")
        body = self.note_body(note, self._wikilink)
        return "\n".join(fm) + "\n\n" + "\n\n".join(body) + "\n"

    # -- inquiring lines ----------------------------------------------------

    def line_txt(self, line: Line, banner: bool) -> str:
        rng = self.rng
        plan = self.plan
        notes = plan.notes
        lines = plan.lines
        paras = self.line_body(line, _plain)
        nxt = [lines[i].title for i in line.next]
        n = len(line.sources)
        if banner:
            parts = ["INQUIRING LINE", line.title, line.description + "\n"]
            parts.extend(paras)
            parts[-1] += "\n"
            parts.append(f"Sources {n} notes")
            for s in line.sources:
                parts.append(notes[s].title)
                parts.append(notes[s].summary)
            if nxt or rng.random() < 0.7:
                parts.append("Next inquiring lines")
                if nxt:
                    parts[-1] += "\n\n" + "\n".join(f"  {k}. {t}" for k, t in enumerate(nxt, 1))
            return "\n\n".join(parts)
        out = [line.title, line.description, *paras, f"Sources {n} notes"]
        out.extend(notes[s].summary for s in line.sources)
        if nxt:
            out.append("Next inquiring lines")
            out.extend("- " + t for t in nxt)
        return "\n".join(out)

    def line_md(self, line: Line) -> str:
        q = _q
        notes = self.plan.notes
        lines = self.plan.lines
        fm = [
            "---",
            "type: line",
            f"title: {q(line.title)}",
            f"description: {q(line.description)}",
            f"date: {line.date}",
            "sources:",
        ]
        for s in line.sources:
            fm.append(f"  - {{title: {q(notes[s].title)}, summary: {q(notes[s].summary)}}}")
        fm.append("next: [" + ", ".join(q(lines[i].title) for i in line.next) + "]")
        fm.append("---")
        body = self.line_body(line, self._wikilink)
        return "\n".join(fm) + "\n\n" + "\n\n".join(body) + "\n"

    # -- topics, hubs, papers ------------------------------------------------

    def topic_txt(self, topic: Topic, banner: bool) -> str:
        notes = self.plan.notes
        out = ["TOPIC"] if banner else []
        out.append(topic.name)
        out.append(f"{len(topic.notes)} synthesis notes · {topic.n_papers} source papers")
        out.append("View as")
        for j in topic.notes:
            out.extend((notes[j].title, notes[j].description, "Explore related Read →"))
        return ("\n\n" if banner else "\n").join(out)

    def hub_txt(self, hub: Hub, banner: bool) -> str:
        notes = self.plan.notes
        hubs = self.plan.hubs
        n_cards = sum(len(s[1]) for s in hub.sections) + len(hub.children)
        n_sections = len(hub.sections) + (1 if hub.children else 0)
        out = ["← All notes"] if banner else []
        out.extend((hub.title, hub.description))
        out.append(f"Topic Hub · {n_cards} linked notes · {n_sections} sections")
        out.append("View as")
        for name, members in hub.sections:
            out.extend((name, f"{len(members)} notes"))
            for j in members:
                out.extend((notes[j].title, notes[j].description, "Explore related Read →"))
        if hub.children:
            out.extend(("Sub-Maps", f"{len(hub.children)} notes"))
            for c in hub.children:
                out.extend((hubs[c].title, hubs[c].description, "Explore related Read →"))
        return ("\n\n" if banner else "\n").join(out)

    def paper_txt(self, paper: Paper, banner: bool) -> str:
        rng = self.rng
        self.pf.acr = paper.acr
        fill = self.pf.fill
        out = [
            paper.title,
            f"Paper · arXiv {paper.arxiv} · Published {paper.published}",
            "".join(paper.tags),
        ]
        for _ in range(rng.randint(3, 6)):
            n = rng.randint(4, 8)
            out.append(" ".join(fill(self.pf.pick(PAPER_SENTENCES)) for _ in range(n)))
        return ("\n\n" if banner else "\n").join(out)


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def truncate(rng: random.Random, text: str) -> str | None:
    """Cut ``text`` at about 2 KB, inside a word. None if the page is too short."""
    if len(text) < 2400:
        return None
    i = rng.randint(1850, 2150)
    end = min(len(text) - 1, i + 200)
    while i < end and not (text[i - 1].isalnum() and text[i].isalnum()):
        i += 1
    return text[:i]


# ---------------------------------------------------------------------------
# Main entry point
# ---------------------------------------------------------------------------
