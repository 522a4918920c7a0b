"""A trace's evidence tree, short: the claim, then each evidence with its kind, score and
note, indented by depth and cut with '… N more'; in Jupyter a table with a depth column;
and as records or a DataFrame, one row per node with its depth and parent.

What a tree node offers (`kg.query.claims.Evidence` does): `kind`, `text`, `score`,
`note` (with a `title`, or None), `link`, `label`, `unsupported`, `cosine`, `rank` and
`walk()`, giving (depth, node) pairs with parents before children.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from kg.display.lines import clip
from kg.display.results import require_pandas

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

# How many evidence nodes a printed tree shows (in text, in HTML) under its claim.
TEXT_NODES = 12
HTML_NODES = 200

# The columns of a tree's records.
TREE_COLUMNS = (
    "node",
    "parent",
    "depth",
    "kind",
    "note_id",
    "note_title",
    "note_kind",
    "score",
    "cosine",
    "rank",
    "unsupported",
    "label",
    "link_kind",
    "link_file",
    "link_line",
    "text",
)


def _title(node: Any) -> str:
    note = node.note
    return "" if note is None else str(note.title)


def _said(node: Any) -> str:
    """What a node shows after its score: the claim or sentence it states, else the
    title of the note it cites, with the relation label of a related concept."""
    if node.kind in ("claim", "sentence"):
        return repr(clip(node.text, 90))
    title = repr(clip(_title(node), 70))
    return f"{title} ({node.label})" if node.label else title


def score_text(score: float | None, rank: int) -> str:
    """A node's score with three decimals, or its rank where it has no score (a share of
    the fused ranking deeper down: see `kg.query.claims.Evidence.score`).

    >>> score_text(0.25, 1), score_text(None, 2)
    ('0.250', '#2')
    """
    return f"#{rank}" if score is None else f"{score:.3f}"


def tree_text(root: Any, limit: int = TEXT_NODES) -> str:
    """The tree as text: the root's line, then up to `limit` nodes, then '… N more'."""
    nodes = list(root.walk())
    flag = ", unsupported" if root.unsupported else ""
    lines = [f"{root.kind} of {_title(root)!r} (best {root.score:.3f}{flag}): {_said(root)}"]
    for depth, node in nodes[1 : limit + 1]:
        mark = " (unsupported)" if node.unsupported else ""
        shown = score_text(node.score, node.rank)
        lines.append(f"{'  ' * depth}{node.kind} {shown} {_said(node)}{mark}")
    if len(nodes) - 1 > limit:
        lines.append(f"… {len(nodes) - 1 - limit} more")
    return "\n".join(lines)


def tree_records(root: Any) -> list[dict[str, Any]]:
    """One dict per node, parents first: `node` is its row, `parent` its parent's row
    (None at the root), then the node's fields as plain values."""
    rows: list[dict[str, Any]] = []
    parents: list[int] = []  # the row of the last node seen at each depth
    for depth, node in root.walk():
        del parents[depth:]
        note, link = node.note, node.link
        rows.append(
            {
                "node": len(rows),
                "parent": parents[-1] if parents else None,
                "depth": depth,
                "kind": node.kind,
                "note_id": None if note is None else note.id,
                "note_title": None if note is None else note.title,
                "note_kind": None if note is None else note.kind.value,
                "score": node.score,
                "cosine": node.cosine,
                "rank": node.rank,
                "unsupported": node.unsupported,
                "label": node.label,
                "link_kind": None if link is None else link.kind.value,
                "link_file": None if link is None else link.file,
                "link_line": None if link is None else link.line,
                "text": node.text,
            }
        )
        parents.append(len(rows) - 1)
    return rows


def tree_html(root: Any, limit: int = HTML_NODES) -> str:
    """The tree as an HTML table, each node indented by its depth, every text escaped."""
    rows = tree_records(root)
    cells = []
    for row in rows[: limit + 1]:
        said = row["text"] if row["kind"] in ("claim", "sentence") else row["note_title"] or ""
        cells.append(
            f"<tr><td>{row['depth']}</td><td>{html.escape(row['kind'])}</td>"
            f"<td>{score_text(row['score'], row['rank'])}</td>"
            f"<td style='text-align:left;padding-left:{1.5 * row['depth']:.1f}em'>"
            f"{html.escape(clip(said, 200))}</td></tr>"
        )
    if len(rows) - 1 > limit:
        cells.append(f"<tr><td colspan='4'>… {len(rows) - 1 - limit} more</td></tr>")
    caption = f"{root.kind} of {_title(root)}" + (" (unsupported)" if root.unsupported else "")
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr><th>depth</th>"
        f"<th>kind</th><th>score</th><th>evidence</th></tr></thead>"
        f"<tbody>{''.join(cells)}</tbody></table>"
    )


class TreeDisplay:
    """What a trace's root inherits: a short tree as its repr, an HTML table in Jupyter,
    and its nodes as records or a DataFrame. A dataclass inheriting it passes
    ``repr=False``.

    Examples
    --------
    >>> from kg.graph.knowledge import crowd_example
    >>> g, line = crowd_example()
    >>> g.trace(line, claim=1)
    claim of 'Why do votes win?' (best 1.000): 'In Can crowds beat experts in chess?, errors cancel out.'
      cited 1.000 'Can crowds beat experts in chess?'
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return tree_text(self)

    def _repr_html_(self) -> str:
        return tree_html(self)

    def to_records(self) -> list[dict[str, Any]]:
        """Every node of the tree, parents first, as a dict of plain values.

        Returns
        -------
        list of dict
            Keys `kg.display.tree.TREE_COLUMNS`: `node` (the row), `parent` (the parent's
            row, None for the claim), `depth`, `kind`, `note_id`, `note_title`,
            `note_kind`, `score`, `cosine`, `rank`, `unsupported`, `label`, `link_kind`,
            `link_file`, `link_line`, `text`.

        Examples
        --------
        >>> from kg.graph.knowledge import crowd_example
        >>> g, line = crowd_example()
        >>> [(r["node"], r["parent"], r["depth"], r["kind"]) for r in g.trace(line, 1).to_records()]
        [(0, None, 0, 'claim'), (1, 0, 1, 'cited')]
        """
        return tree_records(self)

    def to_frame(self) -> pd.DataFrame:
        """`to_records` as a pandas DataFrame (`MissingPackage` without pandas).

        Examples
        --------
        >>> from kg.graph.knowledge import crowd_example
        >>> g, line = crowd_example()
        >>> frame = g.trace(line, 1).to_frame()
        >>> frame.shape, frame["note_title"].tolist()
        ((2, 16), ['Why do votes win?', 'Can crowds beat experts in chess?'])
        """
        pandas = require_pandas(".to_frame()")
        return pandas.DataFrame(self.to_records(), columns=list(TREE_COLUMNS))
