"""A tiny corpus of Markdown notes for the docstring examples (`g.near`, `g.trace`) and
for trying kg out: four notes, three about crowds and votes that link to and mention one
another, one about bread that nothing links to.

>>> import tempfile
>>> folder = write_example_corpus(tempfile.mkdtemp())
>>> sorted(path.name for path in folder.iterdir())
['Bread.md', 'Chess crowd.md', 'Herding.md', 'Majority votes.md']
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXAMPLE_NOTES", "write_example_corpus"]

# file name -> text; written for kg, to show what its queries do on something small.
EXAMPLE_NOTES = {
    "Majority votes.md": """---
title: Why do majority votes beat single experts?
claim: independent errors cancel out when many people vote
tags: [crowds]
related:
  - title: Can crowds beat experts in chess?
    label: example
    annotation: amateurs voting on each move cancelled out one another's errors
  - title: When do crowds fail?
    label: qualifies
    annotation: only while the voters decide independently
---
When voters err independently, their errors cancel out and the majority lands near the
truth. Can crowds beat experts in chess? showed a crowd of amateurs holding a world
champion to a long game.

It fails when voters copy each other: see [[Herding]].
""",
    "Chess crowd.md": """---
title: Can crowds beat experts in chess?
description: A crowd of amateurs voted on every move against a world champion.
tags: [crowds, games]
---
Thousands of amateurs voted on each move of one game against a world champion, and the
game lasted four months. The errors of single voters cancelled out in the vote.
""",
    "Herding.md": """---
title: When do crowds fail?
aliases: [Herding]
tags: [crowds]
---
Crowds fail when voters copy each other: herding makes their errors correlated, so the
errors stop cancelling out and the majority follows the loudest voice.
""",
    "Bread.md": """---
title: How is sourdough bread made?
---
Flour, water and a starter ferment overnight; the dough is shaped and baked hot.
""",
}


def write_example_corpus(folder: str | Path) -> Path:
    """Write the example notes into `folder` (made if missing); the folder, to `kg.load`.

    Parameters
    ----------
    folder
        Where to write them: a new or empty folder (a temporary one, say).

    Returns
    -------
    Path
        The folder.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in EXAMPLE_NOTES.items():
        (target / name).write_text(text, encoding="utf-8")
    return target
