#!/usr/bin/env python3
"""Deterministic synthetic corpus generator for ``kg`` benchmarks.

Writes pages that follow the line structures of the real notes site (see
``../shared/PAGE-FORMATS.md`` and the seed pages in ``../shared/seeds/``):
synthesis notes, inquiring lines, paper pages, topic pages and topic hubs, each
in the *banner* or the *main-text* variant, plus a share of synthesis notes and
inquiring lines written as Markdown with YAML front matter and ``[[wikilinks]]``.

Usage::

    python benchmarks/generate_corpus.py OUT_DIR --pages 10000 --seed 7 \\
        [--markdown-share 0.1] [--truncated-share 0.01]

or from Python::

    from benchmarks.generate_corpus import generate
    counts = generate(Path("/tmp/corpus"), pages=1000, seed=7)

Files are written flat into OUT_DIR as ``NNNNN_<type>_<variant>.txt`` (or
``.md``), with type in {synthesis, line, paper, topic, hub} and variant in
{banner, main, markdown}. Files from an earlier run that match this naming
pattern are removed first; nothing else in OUT_DIR is touched.

The output depends only on the arguments (one ``random.Random(seed)``, no
clock, no iteration over sets), so the same seed gives byte-identical pages.
Standard library only. The parts live in ``benchmarks/corpus/``: the words and
templates, the filler, the plan of every page, and the rendering of each page type;
this module orders, truncates and writes the pages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, the repository's root makes `benchmarks` importable.
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus.plan import make_plan
from benchmarks.corpus.render import Renderer, truncate
from benchmarks.corpus.templates import NAME_RE, TYPE_SHARES

__all__ = ["generate", "main"]


def generate(
    out_dir: Path,
    pages: int,
    seed: int = 7,
    markdown_share: float = 0.1,
    truncated_share: float = 0.01,
) -> dict:
    """Write ``pages`` synthetic pages into ``out_dir``; return counts.

    Returned keys: pages, bytes, titles (distinct titles of all pages),
    stub_titles (question titles mentioned in notes that have no page),
    truncated, by_type, by_variant, by_type_variant ("<type>/<variant>").
    """
    if pages < 0:
        raise ValueError("pages must be >= 0")
    if not 0.0 <= markdown_share <= 1.0 or not 0.0 <= truncated_share <= 1.0:
        raise ValueError("shares must be within [0, 1]")
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    plan = make_plan(rng, pages, markdown_share)
    counts = plan.counts

    # ---- file order, truncation ------------------------------------------
    queues: dict[str, list[Any]] = {
        "synthesis": plan.notes,
        "line": plan.lines,
        "paper": plan.papers,
        "topic": plan.topics,
        "hub": plan.hubs,
    }
    pos = dict.fromkeys(queues, 0)
    order = []
    for kind in plan.kinds:
        obj = queues[kind][pos[kind]]
        pos[kind] += 1
        order.append((kind, obj))
    txt_idx = [i for i, (_, o) in enumerate(order) if o.variant != "markdown"]
    n_trunc = min(len(txt_idx), round(pages * truncated_share))
    to_truncate = set(rng.sample(txt_idx, n_trunc))

    # ---- write -----------------------------------------------------------
    width = max(5, len(str(max(pages - 1, 0))))
    names = [
        f"{i:0{width}d}_{kind}_{o.variant}.{'md' if o.variant == 'markdown' else 'txt'}"
        for i, (kind, o) in enumerate(order)
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    keep = set(names)
    for old in sorted(out_dir.iterdir()):
        if old.name not in keep and NAME_RE.match(old.name) and old.is_file():
            old.unlink()  # stale page of an earlier run
    r = Renderer(rng, plan)
    total = 0
    truncated = 0
    owed = 0
    by_tv: dict[str, int] = {}
    for i, (kind, obj) in enumerate(order):
        v = obj.variant
        banner = v == "banner"
        if kind == "synthesis":
            text = r.synthesis_md(obj) if v == "markdown" else r.synthesis_txt(obj, banner)
        elif kind == "line":
            text = r.line_md(obj) if v == "markdown" else r.line_txt(obj, banner)
        elif kind == "paper":
            text = r.paper_txt(obj, banner)
        elif kind == "topic":
            text = r.topic_txt(obj, banner)
        else:
            text = r.hub_txt(obj, banner)
        if (i in to_truncate or owed) and v != "markdown":
            cut = truncate(rng, text)
            if cut is not None:
                text = cut
                truncated += 1
                if i not in to_truncate:
                    owed -= 1
            elif i in to_truncate:
                owed += 1  # too short: cut the next long enough page instead
        data = text.encode("utf-8")
        (out_dir / names[i]).write_bytes(data)
        total += len(data)
        key = f"{kind}/{v}"
        by_tv[key] = by_tv.get(key, 0) + 1

    by_variant: dict[str, int] = {}
    for key, c in by_tv.items():
        v = key.split("/")[1]
        by_variant[v] = by_variant.get(v, 0) + c
    return {
        "pages": pages,
        "bytes": total,
        "titles": sum(counts.values()),
        "stub_titles": len(plan.stubs),
        "truncated": truncated,
        "by_type": {t: counts[t] for t, _ in TYPE_SHARES},
        "by_variant": dict(sorted(by_variant.items())),
        "by_type_variant": dict(sorted(by_tv.items())),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path, help="directory to write pages into (flat)")
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--markdown-share",
        type=float,
        default=0.1,
        help="share of synthesis notes and inquiring lines written as Markdown",
    )
    ap.add_argument(
        "--truncated-share",
        type=float,
        default=0.01,
        help="share of pages cut off at about 2 KB mid-word",
    )
    ap.add_argument("--json", action="store_true", help="also print the counts as JSON")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(
        args.out_dir, args.pages, args.seed, args.markdown_share, args.truncated_share
    )
    dt = time.perf_counter() - t0
    if args.json:
        print(json.dumps(counts, indent=2))
    pages = counts["pages"]
    avg = counts["bytes"] / pages if pages else 0
    print(
        f"generated {pages} pages, {counts['bytes']} bytes (avg {avg:.0f} B/page), "
        f"{counts['titles']} titles, {counts['truncated']} truncated, "
        f"in {dt:.2f} s -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
