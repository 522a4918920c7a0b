"""What the export dialog offers and how each choice becomes a `kg.SubGraph`.

"What is shown" means it: the open note and the neighbours the side panel lists, to the
depth shown, after the link-kind, category and tag filter, with the links of the
followed kinds among them. A path is the one last found in the path dialog, search
results the notes the last search listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg import KnowledgeGraph, SubGraph
from kg.errors import KgError
from kg_tui.features import Unavailable
from kg_tui.screens.export import ExportChoice, ExportRequest
from kg_tui.walk import group_neighbours, second_ring

if TYPE_CHECKING:
    from kg_tui.screens.main_base import MainBase


def export_choices(screen: MainBase) -> list[ExportChoice]:
    """The things the main screen can export now, the one on show first."""
    choices: list[ExportChoice] = []
    note = screen.current
    if note is not None:
        shown = "neighbourhood as shown" + (
            f" ({screen.filter.describe()})" if screen.filter.active else ""
        )
        choices.append(
            ExportChoice("shown", f"“{note.title}”: {shown}", f"{note.id}-depth{screen.depth}")
        )
    last_path = getattr(screen.app, "last_path", None)
    if last_path:
        source, target = last_path
        choices.append(ExportChoice("path", f"the path “{source}” → “{target}”", "path"))
    search = screen.query_one("#results").last_hits  # type: ignore[attr-defined]
    if search is not None and search[1]:
        query, ids = search
        choices.append(
            ExportChoice("search", f"the {len(ids)} notes found for “{query}”", "search")
        )
    return choices


def shown(screen: MainBase, graph: KnowledgeGraph) -> SubGraph:
    """The open note, its neighbours as the side panel lists them (depth, link kinds,
    categories and tags of the filter applied) and exactly the links that reach them:
    no link among the neighbours that the panel does not show."""
    note = screen.current
    if note is None:
        raise Unavailable("Open a note first: the neighbourhood export needs one")
    flt = screen.filter
    neighbours = graph.neighbours(note, depth=screen.depth, kinds=flt.kinds)
    groups = group_neighbours(neighbours, flt.categories, flt.tags)
    ids = {note.id} | {entry.note.id for group in groups for entry in group.entries}
    if screen.depth == 2:  # the second ring, as the panel shows it under each neighbour
        ring = second_ring(neighbours, note.id)
        ids |= {far.note.id for via, entries in ring.items() if via in ids for far in entries}
    links = list(
        dict.fromkeys(n.link for n in neighbours if n.link.source in ids and n.link.target in ids)
    )
    return SubGraph(
        (graph.note(i) for i in sorted(ids, key=lambda i: (i != note.id, i))),
        links,
        selection={"around": note.id, "depth": screen.depth, "filter": flt.describe()},
    )


def subgraph_for(screen: MainBase, graph: KnowledgeGraph, key: str) -> SubGraph:
    """The subgraph of one export choice."""
    if key == "shown":
        return shown(screen, graph)
    if key == "path":
        source, target = screen.app.last_path  # type: ignore[attr-defined]
        return graph.subgraph(path=(source, target))
    _query, ids = screen.query_one("#results").last_hits  # type: ignore[attr-defined]
    return graph.subgraph(notes=ids)


def write_export(
    screen: MainBase, graph: KnowledgeGraph, request: ExportRequest
) -> tuple[Path, str]:
    """Write one export; returns the file and what it holds ('12 notes, 14 links')."""
    try:
        sub = subgraph_for(screen, graph, request.choice.key)
        path = sub.write(request.path, request.format)
    except KgError as error:
        raise Unavailable(str(error)) from error
    except OSError as error:
        raise Unavailable(f"could not write {request.path}: {error.strerror or error}") from error
    return path, f"{len(sub)} notes, {len(sub.links)} links"
