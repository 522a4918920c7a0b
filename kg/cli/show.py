"""`kg show`: one note, its fields and its links in and out."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kg.cli.common import (
    Subparsers,
    emit_json,
    note_json,
    open_graph,
    wrap,
)
from kg.codec import link_to_json
from kg.display.lines import clip
from kg.graph.figures import hops_words
from kg.model import LinkKind, Note, NoteKind

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph


def add_parser(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add `kg show` and its options to the `kg` parser."""
    p = sub.add_parser(
        "show",
        parents=[common],
        help="show one note",
        description="Show a note: its fields and its links in and out.",
    )
    p.add_argument("title", help="the note's title or id")


def run(args: argparse.Namespace) -> int:
    """Print one note: its fields, the figures the page declares and kg computes, its links.

    Parameters
    ----------
    args
        The parsed arguments of `kg show`.

    Returns
    -------
    int
        The exit status: 0. `kg.cli.main` turns a `KgError` into status 2.
    """
    graph = open_graph(args, embed="none")
    note = graph.note(args.title)
    out_links = graph.links_of(note, "out")
    in_links = graph.links_of(note, "in")
    if args.json:
        emit_json(
            {
                **note_json(note, graph),
                "disagreements": graph.disagreements(note),
                "corpus_cluster": cluster_json(graph, note),
                "links_out": [link_to_json(lk) for lk in out_links],
                "links_in": [link_to_json(lk) for lk in in_links],
                "backlinks": {
                    "linked": [link_to_json(lk) for lk in graph.linked_mentions(note)],
                    "unlinked": [link_to_json(lk) for lk in graph.unlinked_mentions(note)],
                },
            }
        )
        return 0
    stats = graph.stats(note)
    print(note.title + ("  [stub]" if note.stub else ""))
    print(
        f"{note.kind.value} · {note.id}"
        + (f" · {note.date}" if note.date else "")
        + (f" · {', '.join(note.categories)}" if note.categories else "")
    )
    for label, value in (
        ("also titled", "; ".join(note.aliases)),
        ("collection", note.collection),
        ("arXiv", note.arxiv),
        (
            "tags",
            ", ".join(note.tags)
            if note.kind is NoteKind.PAPER  # a paper's subject tags, not #tags
            else " ".join("#" + t.lstrip("#") for t in note.tags),
        ),
        ("files", ", ".join(note.files) + ("  (cut-off copy)" if note.truncated else "")),
    ):
        if value:
            print(f"{label}: {value}")
    if note.properties:
        print("properties:")
        for line in property_lines(note.properties):
            print(line)
    for phrase in note.incomplete():
        print(f"incomplete: {phrase}")
    body = [paragraph.text for paragraph in note.body]
    if note.description and note.description not in body[:1]:
        print("\n" + wrap(note.description))
    others = {c.description: c.file for c in note.copies if c.description}
    others.pop(note.description, None)
    for description, file in others.items():
        print("\n" + wrap(f"As {file} describes it: {description}"))
    if note.claim:
        print("\n" + wrap(f"Claim: {note.claim}"))
    for text in body:
        print("\n" + wrap(text))
    declared = declared_lines(note)
    if declared:
        print("\nAs the page says:" if len(declared) == 1 else "\nAs the pages say:")
        for line in declared:
            print(wrap(line, "  ", "    "))
    corpus = graph.corpus_stats()
    print(
        "\n"
        + wrap(
            f"Computed by kg on the loaded corpus ({corpus.notes} notes, {corpus.stubs} stubs): "
            f"{hops_words(stats)} · {stats.cluster}"
        )
    )
    disagreements = graph.disagreements(note)
    print(
        wrap(
            f"disagreements: {disagreements} (relations that contradict or qualify; "
            "see kg contested)"
        )
        if disagreements
        else "disagreements: 0"
    )
    print(wrap(cluster_line(graph, note), "", "  "))
    written = {LinkKind.LINKS, LinkKind.EMBEDS}
    for heading, links, far in (
        ("Links out", out_links, "target"),
        ("Backlinks, linked", [lk for lk in in_links if lk.kind in written], "source"),
        (
            "Backlinks, unlinked mentions",
            [lk for lk in in_links if lk.kind is LinkKind.MENTIONS],
            "source",
        ),
        (
            "Links in",
            [lk for lk in in_links if lk.kind not in written and lk.kind is not LinkKind.MENTIONS],
            "source",
        ),
    ):
        if links:
            print(f"\n{heading} ({len(links)}):")
            for link in links:
                other = graph.note(getattr(link, far))
                label = clip(link.describe(), LABEL)
                print(wrap(f"{label:<{LABEL}} {other.title}", "  ", " " * (LABEL + 3)))
                if link.summary and link.kind in _CARDS and far == "target":
                    # what the card says of the note it leads to (of a link in: of this
                    # note, whose description is above)
                    print(wrap(link.summary, " " * (LABEL + 5)))
    return 0


LABEL = 28  # the width of the link column: a longer label is clipped (…)

# Links made by a card of a hub or topic page, which carry the card's description.
_CARDS = frozenset({LinkKind.SECTION, LinkKind.SUBMAP, LinkKind.TOPIC})


def declared_lines(note: Note) -> list[str]:
    """The figures each page of the note declares, newer deployment first, one per line."""
    copies = note.copies or ()
    sources = (
        [(c.file, c.counts, c.concept_map) for c in copies]
        if copies
        else [(note.files[0] if note.files else "", note.counts, note.concept_map)]
    )
    names = {
        "uses": "inquiring lines using it",
        "related": "related concepts",
        "papers": "related papers",
        "sources": "sources",
        "notes": "notes",
        "source_papers": "source papers",
        "sections": "sections",
    }
    lines = []
    for file, counts, concept_map in sources:
        parts = [
            f"{names[name]} {value}" + ("+ (read from the cut-off last line)" if unsure else "")
            for name, value, unsure in counts.declared()
        ]
        if concept_map:
            parts.insert(
                0,
                f"{concept_map.direct} direct connections · {concept_map.two_hop} in 2-hop "
                f"network · {concept_map.cluster}",
            )
        if parts:
            lines.append(" · ".join(parts) + (f"  ({file})" if len(sources) > 1 else ""))
    return lines


def property_lines(
    properties: Mapping[str, Any] | Iterable[tuple[str, Any]], indent: str = "  "
) -> list[str]:
    """Front-matter properties as `kg show` prints them: one ``key: value`` line each, a
    list of plain values joined by commas, nested mappings and lists of them indented as
    YAML writes them. Takes a mapping, or the (key, value) pairs a nested mapping is kept
    as (`kg.model.json_safe`).

    Examples
    --------
    >>> properties = {"rating": 4, "done": False, "tags": ("a", "b"), "author": {"name": "Ada"}}
    >>> print("\\n".join(property_lines(properties)))
      rating: 4
      done: false
      tags: a, b
      author:
        name: Ada
    >>> related = (("related", ((("title", "Why?"), ("label", "mechanism")),)),)
    >>> print("\\n".join(property_lines(related)))
      related:
        - title: Why?
          label: mechanism
    """
    items = properties.items() if isinstance(properties, Mapping) else properties
    return [line for key, value in items for line in _value_lines(f"{key}:", value, indent)]


def _as_mapping(value: Any) -> Mapping[str, Any] | None:
    """`value` as a mapping when it is one, or the (key, value) pairs of one; else None."""
    if isinstance(value, Mapping):
        return value
    if (
        isinstance(value, tuple)
        and value
        and all(isinstance(item, tuple) and len(item) == 2 for item in value)
        and all(isinstance(item[0], str) for item in value)
    ):
        return dict(value)
    return None


def _scalar(value: Any) -> str:
    """A plain value as YAML shows it (true, false, nothing for null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_lines(head: str, value: Any, indent: str) -> list[str]:
    """`head` (``key:`` or ``-``) and `value`, nested values on indented lines."""
    mapping = _as_mapping(value)
    if mapping is not None:
        return [f"{indent}{head}"] + [
            line
            for key, item in mapping.items()
            for line in _value_lines(f"{key}:", item, indent + "  ")
        ]
    if isinstance(value, (list, tuple)):
        if all(_as_mapping(v) is None and not isinstance(v, (list, tuple)) for v in value):
            return [f"{indent}{head} {', '.join(_scalar(v) for v in value)}".rstrip()]
        return [f"{indent}{head}"] + [
            line for item in value for line in _item_lines(item, indent + "  ")
        ]
    return [f"{indent}{head} {_scalar(value)}".rstrip()]


def _item_lines(value: Any, indent: str) -> list[str]:
    """One item of a list: ``- value``, or a mapping's lines with ``- `` before the first."""
    mapping = _as_mapping(value)
    if not mapping:
        return _value_lines("-", value, indent)
    lines = _value_lines("", mapping, indent)[1:]  # its keys, two spaces in
    first = lines[0]
    return [f"{indent}- {first[len(indent) + 2 :]}", *lines[1:]]


def cluster_json(graph: KnowledgeGraph, note: Note) -> dict[str, Any] | None:
    """The note's cluster as `kg clusters` finds it (id, name, size), None when it is in
    none (a stub, or a group of fewer than two linked notes).

    >>> from kg.graph.knowledge import _demo
    >>> g = _demo()
    >>> cluster_json(g, g.note("a"))
    {'id': 0, 'name': 'Does B hold?', 'size': 3, 'bridge_score': 0.0}
    """
    clustering = graph.clusters()
    found = clustering.of(note.id)
    if found is None:
        return None
    cluster = clustering[found]
    score = graph.bridge_scores(clustering).get(note.id, 0.0)
    return {"id": cluster.id, "name": cluster.name, "size": cluster.size, "bridge_score": score}


def cluster_line(graph: KnowledgeGraph, note: Note) -> str:
    """`kg show`'s line naming the note's cluster, and its bridge score when it has one.

    >>> from kg.graph.knowledge import _demo
    >>> g = _demo()
    >>> cluster_line(g, g.note("a"))
    'cluster: #0 Does B hold? (3 notes; see kg clusters)'
    """
    found = cluster_json(graph, note)
    if found is None:
        if note.stub:
            why = "only notes with pages of their own are clustered, not stubs"
        elif note.kind in (NoteKind.CATEGORY, NoteKind.TAG):
            why = "categories and tags group notes and are not clustered"
        else:
            why = "in no group of two or more linked notes"
        return f"cluster: none, {why} (see kg clusters)"
    bridge = found["bridge_score"]
    joins = f"; bridge score {bridge:.2f}, see kg bridges" if bridge else "; see kg clusters"
    return f"cluster: #{found['id']} {found['name']} ({found['size']} notes{joins})"
