"""The JSON export: node-link JSON with every field of every note and link.

Notes are in the index's form (`kg.codec.note_to_json`) with front-matter properties as an
object, links in `kg.codec.link_to_json`'s form, near pairs as `near` links with a weight.
`networkx.node_link_graph(data, edges="links")` reads it, and `SubGraph.from_json_data`
reads it back.

>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> from kg.export.subgraph import SubGraph
>>> sub = SubGraph([Note("a", "Can A happen?", NoteKind.SYNTHESIS), Note("b", "Why B?", NoteKind.LINE)],
...                [Link("a", "b", LinkKind.MENTIONS, "a.md", 2, sentence="Why B? is asked.")])
>>> data = node_link_data(sub)
>>> data["format"], [n["id"] for n in data["nodes"]], data["links"][0]["sentence"]
('kg-subgraph', ['a', 'b'], 'Why B? is asked.')
>>> json_bytes(sub).startswith(b'{"format":"kg-subgraph"')
True
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kg.codec import link_to_json, note_to_json
from kg.model import Note

if TYPE_CHECKING:
    from kg.export.subgraph import SubGraph

JSON_FORMAT = "kg-subgraph"  # the "format" key of the document
JSON_VERSION = 1


def node_json(note: Note) -> dict[str, Any]:
    """A note as the JSON export writes it: the index's form, with front-matter properties
    as an object rather than text."""
    out = note_to_json(note)
    if note.properties_json:
        out["properties"] = json.loads(note.properties_json)
    return out


def node_link_data(sub: SubGraph) -> dict[str, Any]:
    """The subgraph as node-link data.

    Parameters
    ----------
    sub
        The subgraph.

    Returns
    -------
    dict
        ``format``, ``version``, ``directed``, ``multigraph``, ``graph`` (the selection,
        the category ids and, for a subgraph chosen from a graph, each note's count of
        disagreeing relations and the corpus's ``shape``: ``clusters`` (note id ->
        cluster id), ``cluster_names`` (cluster id as text -> name) and ``bridges`` (note
        id -> bridge score), for the clustered notes only), ``nodes`` and ``links`` (near pairs last, kind ``near``).
    """
    links = [link_to_json(link) for link in sub.links]
    links += [
        {"source": p.source, "target": p.target, "kind": "near", "weight": p.score}
        for p in sub.near
    ]
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "directed": True,
        "multigraph": True,
        "graph": {
            "selection": sub.selection,
            "categories": sub.categories,
            **({"disagreements": sub.disagreements} if sub.disagreements else {}),
            **({"shape": sub.shape.to_json_data()} if sub.shape is not None else {}),
        },
        "nodes": [node_json(n) for n in sub.notes.values()],
        "links": links,
    }


def json_bytes(sub: SubGraph, base: str | None = None) -> bytes:
    """The JSON export as compact UTF-8 text (`base` is for RDF formats and is ignored)."""
    text = json.dumps(node_link_data(sub), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "ignore") + b"\n"
