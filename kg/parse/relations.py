"""Relation labels of related concepts: the short label and its normalized relation.

The site writes a relation annotation under each related concept, often as
"<label>: <text>", sometimes as a sentence that starts with a verb ("extends …").

>>> split_relation('partially contradicted: "emergence" may be reliable expression')
('partially contradicted', 'contradicts')
>>> split_relation("extends to reasoning capability not just knowledge")
('extends', 'extends')
>>> split_relation("pass@k confirms RLVR selects from existing capability, does not create new")
('pass@k confirms RLVR selects from existing capability', 'supports')
"""

from __future__ import annotations

import re
from functools import lru_cache

# Leading verbs that are a label on their own when no colon marks one.
_LEADING_VERBS = (
    "partially contradicts",
    "partially contradicted",
    "contradicts",
    "contradicted",
    "extends",
    "extended",
    "qualifies",
    "qualified",
    "refines",
    "generalizes",
    "specializes",
    "supports",
    "supported",
    "strengthens",
    "confirms",
    "complements",
    "challenges",
    "applies",
    "implements",
    "grounds",
    "explains",
    "mirrors",
    "parallels",
    "tensions",
)

_LEADING_VERB = re.compile(
    "(" + "|".join(re.escape(v) for v in sorted(_LEADING_VERBS, key=len, reverse=True)) + ")(?: |$)"
)
_COLON_LABEL = re.compile(r"([^:]{1,90}):\s")
_CLAUSE_END = re.compile(r"[;,—]")

# Keyword -> normalized relation, checked in this order against the label.
RELATION_KEYWORDS = (
    ("contradict", "contradicts"),
    ("challeng", "contradicts"),
    ("tension", "contradicts"),
    ("counter", "contradicts"),
    ("qualif", "qualifies"),
    ("limit", "qualifies"),
    ("bound", "qualifies"),
    ("mechanis", "mechanism"),
    ("explain", "mechanism"),
    ("evidence", "supports"),
    ("confirm", "supports"),
    ("support", "supports"),
    ("strengthen", "supports"),
    ("signature", "supports"),
    ("extend", "extends"),
    ("generaliz", "extends"),
    ("implement", "implements"),
    ("appl", "implements"),
    ("example", "example"),
    ("instance", "example"),
    ("parallel", "parallels"),
    ("mirror", "parallels"),
    ("analog", "parallels"),
    ("foundation", "supports"),
)

RELATIONS = tuple(sorted({relation for _, relation in RELATION_KEYWORDS} | {"related"}))


def split_relation(annotation: str) -> tuple[str, str]:
    """The short label of an annotation and the relation it normalizes to."""
    text = annotation.strip()
    if not text:
        return "", "related"
    colon = _COLON_LABEL.match(text + " ")
    if colon and len(colon.group(1).split()) <= 12:
        label = colon.group(1).strip()
    else:
        verb = _LEADING_VERB.match(text.lower())
        if verb:
            label = text[: verb.end(1)]
        else:
            label = _CLAUSE_END.split(text, maxsplit=1)[0].strip()
            if len(label) > 80:
                label = label[:80].rsplit(" ", 1)[0]
    return label, normalize_relation(label)


@lru_cache(maxsize=50_000)
def normalize_relation(label: str) -> str:
    """The relation family of a label: contradicts, extends, mechanism, supports, …

    >>> normalize_relation("most direct mechanistic evidence")
    'mechanism'
    >>> normalize_relation("something new")
    'related'
    """
    lowered = label.lower()
    for keyword, relation in RELATION_KEYWORDS:
        if keyword in lowered:
            return relation
    return "related"
