"""A corpus with planted topics: Markdown notes in known groups, for clusters and gaps.

Every group writes about one topic with its own words (`TOPICS`), so the notes of a group
are near in meaning; each note writes about six of them (three name it), and links to
`inside` notes of its group. `near` pairs of groups also use a quarter of each other's
words (close in meaning; pick related topics, as 0 and 1) and get `near_links` links
across; `linked` pairs get `linked_links` links across without sharing words. Two notes
linked across groups both give the same account (one sentence, named by two surnames, with
words of each): the reason for their link. `remove` drops a share of the links between two
groups from the written notes, the sentence staying, and records them: the ground truth of
a gap. Notes go into ``out_dir`` (write into an empty folder); `truth` (a JSON file,
outside the corpus) gets every note's group and the removed links.

Usage::

    python -m benchmarks.corpus.planted OUT_DIR --groups 6 --per-group 30 \\
        --near 0 1 --remove 0 1 0.2 --truth truth.json

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     t = generate(pathlib.Path(d) / "c", groups=3, per_group=4, near=[(0, 1)], seed=1)
...     len(t["groups"]), sorted(set(t["groups"].values()))
(12, [0, 1, 2])
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


TOPICS: tuple[tuple[str, ...], ...] = (
    _split(
        "protein enzyme ribosome amino folding peptide catalysis substrate binding "
        "chaperone membrane receptor ligand kinase phosphate molecule residue helix"
    ),
    _split(
        "genome chromosome mutation allele heredity sequencing gene transcription dna "
        "rna promoter variant inheritance locus expression epigenetic splicing codon"
    ),
    _split(
        "galaxy star nebula telescope orbit planet comet asteroid supernova cosmic "
        "redshift quasar pulsar gravity eclipse satellite luminosity constellation"
    ),
    _split(
        "market stock bond investor dividend inflation interest bank loan credit "
        "portfolio equity currency exchange broker liquidity yield mortgage"
    ),
    _split(
        "poem verse rhyme stanza metaphor novel narrator chapter fiction author "
        "sonnet ballad prose plot character irony imagery literary"
    ),
    _split(
        "volcano earthquake tectonic magma basalt granite sediment erosion glacier "
        "fault crust mantle lava mineral fossil strata canyon geology"
    ),
    _split(
        "soccer goal striker referee stadium league tournament coach midfielder "
        "penalty defender keeper match season transfer trophy fans pitch"
    ),
    _split(
        "recipe flour butter oven bake dough yeast sugar pastry bread sauce garlic "
        "onion simmer roast kitchen spice vinegar"
    ),
    _split(
        "compiler parser syntax bytecode interpreter runtime variable function "
        "recursion pointer memory garbage thread kernel algorithm loop stack"
    ),
    _split(
        "violin orchestra symphony melody chord harmony tempo rhythm piano concerto "
        "composer opera sonata conductor tuning scale cello"
    ),
    _split(
        "forest tree leaf root soil seed moss fern oak pine canopy bark fungus "
        "pollen meadow shrub timber woodland"
    ),
    _split(
        "court judge lawyer verdict statute contract plaintiff defendant appeal "
        "jury tribunal testimony evidence lawsuit clause liability precedent"
    ),
)
# Surnames that name the account two notes linked across groups both give.
NAMES = _split(
    "Okafor Marchetti Halvorsen Nakamura Szabo Delacroix Abernathy Quispe Lindqvist "
    "Oyelaran Petrosyan Vasquez Kowalczyk Thorsen Mbeki Castellano Ishikawa Reinholt "
    "Fitzgerald Novak Adeyemi Bergstrom Caruso Dimitrov Esposito Haugen Janssen Kaur "
    "Lombardi Moreau"
)
GLUE = (
    "The {0} shapes how the {1} relates to the {2}.",
    "Every {0} depends on a {1} and some {2}.",
    "A {0} without {1} changes the {2}.",
    "We compare the {0} with the {1} and its {2}.",
    "Notes on {0}, {1} and {2} follow.",
    "The {0} and the {1} explain the {2}.",
    "Why would a {0} need the {1} at all, given the {2}?",
    "Measured against the {1}, the {0} looks small next to any {2}.",
    "Few sources mention {0} together with {1}; fewer with {2}.",
    "Start from the {2}: the {0} follows, and the {1} after it.",
    "In practice, {1} limits {0} more than {2} does.",
    "Our reading: {0} first, {2} second, {1} last.",
)


def _words(group: int, near: list[tuple[int, int]]) -> list[str]:
    """The words of a group: its topic's, and a quarter of each near group's topic words."""
    own = list(TOPICS[group % len(TOPICS)])
    for a, b in near:
        if group in (a, b):
            other = TOPICS[(b if a == group else a) % len(TOPICS)]
            own += other[: len(other) // 4]
    return own


def _sentence(rng: random.Random, words: list[str]) -> str:
    return rng.choice(GLUE).format(*rng.sample(words, 3))


def generate(
    out_dir: Path,
    groups: int = 6,
    per_group: int = 30,
    *,
    inside: int = 4,
    near: list[tuple[int, int]] | None = None,
    near_links: int = 20,
    linked: list[tuple[int, int]] | None = None,
    linked_links: int = 30,
    remove: tuple[int, int, float] | None = None,
    seed: int = 7,
    truth: Path | None = None,
) -> dict[str, Any]:
    """Write the planted corpus into `out_dir`; return (and write to `truth`) the truth.

    Parameters
    ----------
    out_dir : Path
        The corpus folder (made when missing).
    groups, per_group : int
        How many groups, and notes in each.
    inside : int
        Links each note writes to notes of its own group.
    near, linked : list of (int, int)
        Group pairs close in meaning (with `near_links` links across), and pairs only
        linked (`linked_links` links across).
    remove : (int, int, float), optional
        Drop this share of the links between these two groups (recorded in the truth).
    seed : int
        The random seed; the output depends only on the arguments.
    truth : Path, optional
        Where to write the truth as JSON.

    Returns
    -------
    dict
        ``groups``: note title -> group; ``removed``: [source, target] titles;
        ``links``: how many links were written.
    """
    rng = random.Random(seed)
    near, linked = list(near or []), list(linked or [])
    words = [_words(g, near) for g in range(groups)]
    # Each note writes about a few of its group's words, which name it too.
    focus: dict[str, list[str]] = {}
    titles: list[list[str]] = []
    for g in range(groups):
        row: list[str] = []
        while len(row) < per_group:
            chosen = rng.sample(words[g], 6)
            title = f"{chosen[0].title()} {chosen[1]} {chosen[2]}"
            if title not in focus:
                focus[title] = chosen
                row.append(title)
        titles.append(row)
    # Links across groups join notes that write about some of the same words.
    across: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for pairs, count in ((near, near_links), (linked, linked_links)):
        for a, b in pairs:
            found: list[tuple[str, str]] = []
            while len(found) < min(count, per_group * per_group):
                s, t = rng.choice(titles[a]), rng.choice(titles[b])
                if (s, t) not in found and (t, s) not in found:
                    found.append((s, t))
            across[(a, b)] = found
    body: dict[str, list[str]] = {t: [] for row in titles for t in row}
    out: dict[str, list[str]] = {t: [] for t in body}  # title -> titles it links to
    for row in titles:
        for t in row:
            body[t] += [_sentence(rng, focus[t]) for _ in range(4)]
            for other in rng.sample([o for o in row if o != t], min(inside, len(row) - 1)):
                out[t].append(other)
    names = [f"{x}-{y}" for x in NAMES for y in NAMES if x != y]
    rng.shuffle(names)
    made = 0
    for found in across.values():
        for s, t in found:  # the reason of the link: the same account in both notes
            made += 1
            name = names.pop() if names else f"{NAMES[made % len(NAMES)]}-{made}"
            ties = (*rng.sample(focus[s], 2), *rng.sample(focus[t], 2))
            line = "The {} account ties {} and {} to {} and {}.".format(name, *ties)
            body[s].append(line)
            body[t].append(line)
    removed: list[tuple[str, str]] = []
    if remove is not None:
        a, b, share = remove
        pair = across.get((a, b)) or across.get((b, a)) or []
        removed = rng.sample(pair, round(share * len(pair)))
    dropped = set(removed)
    for pair in across.values():
        for s, t in pair:
            if (s, t) not in dropped:
                out[s].append(t)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for t, sentences in body.items():
        links = " ".join(f"[[{o}]]" for o in out[t])
        written += len(out[t])
        text = f"# {t}\n\n" + "\n\n".join(sentences) + f"\n\nSee also {links}.\n"
        (out_dir / f"{t}.md").write_text(text, encoding="utf-8")
    result = {
        "groups": {t: g for g, row in enumerate(titles) for t in row},
        "removed": [list(p) for p in removed],
        "links": written,
    }
    if truth is not None:
        truth.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def nmi(truth: Sequence[Hashable], found: Sequence[Hashable]) -> float:
    """Normalized mutual information of two labellings of the same items (the arithmetic
    mean of their entropies): 1 when they group the items alike, near 0 when unrelated.

    >>> nmi([0, 0, 1, 1], ["b", "b", "a", "a"]), nmi([0, 0, 1, 1], [0, 1, 0, 1])
    (1.0, 0.0)
    """
    n = len(truth)
    a, b, both = Counter(truth), Counter(found), Counter(zip(truth, found, strict=True))
    mutual = sum(c / n * math.log(c * n / (a[x] * b[y])) for (x, y), c in both.items())
    h_a = -sum(c / n * math.log(c / n) for c in a.values())
    h_b = -sum(c / n * math.log(c / n) for c in b.values())
    return 2 * mutual / (h_a + h_b) if h_a + h_b else 1.0


def main(argv: list[str] | None = None) -> int:
    """The command line: see the module's docstring."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--groups", type=int, default=6)
    p.add_argument("--per-group", type=int, default=30)
    p.add_argument("--near", type=int, nargs=2, action="append", default=[])
    p.add_argument("--linked", type=int, nargs=2, action="append", default=[])
    p.add_argument("--remove", nargs=3, metavar=("A", "B", "SHARE"))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--truth", type=Path)
    a = p.parse_args(argv)
    remove = (int(a.remove[0]), int(a.remove[1]), float(a.remove[2])) if a.remove else None
    t = generate(
        a.out_dir,
        a.groups,
        a.per_group,
        near=[tuple(x) for x in a.near],
        linked=[tuple(x) for x in a.linked],
        remove=remove,
        seed=a.seed,
        truth=a.truth,
    )
    print(f"{len(t['groups'])} notes, {t['links']} links, {len(t['removed'])} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
