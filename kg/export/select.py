"""How `subgraph()` chooses notes: the walk out from centre notes, search hits, near pairs
by meaning, and the arguments they take.

>>> from kg.graph.knowledge import KnowledgeGraph
>>> from kg.model import Link, LinkKind, Note, NoteKind
>>> notes = {i: Note(id=i, title=t, kind=NoteKind.SYNTHESIS) for i, t in
...          [("a", "Can A happen?"), ("b", "Does B hold?"), ("c", "Why C?")]}
>>> g = KnowledgeGraph(notes, [Link("a", "b", LinkKind.RELATED), Link("b", "c", LinkKind.MENTIONS)])
>>> list(walk(g, ["a"], 2, link_kinds("related"), lambda note: True, "both"))
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from kg.errors import KgError
from kg.model import NOT_NOTES, Link, LinkKind, Note, NoteKind

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

NoteRef = str | Note
KindsArg = Iterable[LinkKind | str] | LinkKind | str | None
NearTriple = tuple[str, str, float]  # two note ids and how alike they read


class Choice(NamedTuple):
    """The parts of a subgraph: notes in selection order, the links among them, near pairs,
    category name -> node id, and how they were chosen."""

    notes: list[Note]
    links: list[Link]
    near: list[NearTriple]
    categories: dict[str, str]
    selection: dict[str, Any]


def link_kinds(kinds: KindsArg) -> frozenset[LinkKind] | None:
    if kinds is None:
        return None
    if isinstance(kinds, (str, LinkKind)):
        kinds = [kinds]
    chosen = frozenset(LinkKind(k) for k in kinds)
    return chosen or None


def note_refs(refs: NoteRef | Iterable[NoteRef] | None) -> list[NoteRef]:
    if refs is None:
        return []
    if isinstance(refs, (str, Note)):
        return [refs]
    return list(refs)


def hit_id(g: KnowledgeGraph, item: Any) -> str:
    """The id of a search or near hit, whatever shape it has (Note, id, hit with .note)."""
    if isinstance(item, (tuple, list)) and item:
        item = item[0]
    if isinstance(item, Note):
        return item.id
    if isinstance(item, str):
        return g.note(item).id
    inner = getattr(item, "note", None)
    if isinstance(inner, (Note, str)):
        return hit_id(g, inner)
    note_id = getattr(item, "id", None)
    if isinstance(note_id, str):
        return g.note(note_id).id
    raise KgError(f"cannot tell which note {item!r} is")


def _score(item: Any) -> float:
    if isinstance(item, (tuple, list)) and len(item) > 1:
        return float(item[1])
    for name in ("score", "similarity", "cosine"):
        value = getattr(item, name, None)
        if isinstance(value, (int, float)):
            return float(value)
    raise KgError(f"no similarity score on near result {item!r}")


def search_ids(g: KnowledgeGraph, text: str, k: int) -> list[str]:
    """The ids of the top `k` hits of `g.search(text, k)`."""
    search = getattr(g, "search", None)
    if search is None:
        raise KgError("this kg has no search (KnowledgeGraph.search is missing); use --around")
    return list(dict.fromkeys(hit_id(g, hit) for hit in search(text, k)))


def near_pairs_for(g: KnowledgeGraph, ids: Sequence[str], k: int) -> list[NearTriple]:
    """For each note of `ids`, its `k` nearest notes in meaning among `ids` (by `g.near`),
    as one (id, id, score) per unordered couple. Notes without a vector (and
    category nodes) get none; a graph without embeddings is an error."""
    near = getattr(g, "near", None)
    if near is None:
        raise KgError("this kg has no semantic neighbours (KnowledgeGraph.near is missing)")
    if getattr(g, "embeddings", None) is None:
        raise KgError(
            "near pairs need the notes' embeddings: load the corpus with embeddings "
            "(kg.load(..., embed=True), the default) after `kg index` with the model installed"
        )
    inside = set(ids)
    pairs: dict[frozenset[str], NearTriple] = {}
    for note_id in ids:
        note = g.note(note_id)
        if note.kind in NOT_NOTES:
            continue
        found: list[tuple[str, float]] = []
        asked = max(k, 1)
        while True:
            try:
                hits = near(note, asked)
            except KgError:  # this note has no vector
                hits = []
            found = [
                (other, _score(hit))
                for hit in hits
                if (other := hit_id(g, hit)) in inside and other != note_id
            ][:k]
            if len(found) >= k or len(hits) < asked or asked >= len(g):
                break
            asked = min(asked * 4, len(g))
        for other, score in found:
            key = frozenset((note_id, other))
            if key not in pairs:
                pairs[key] = (note_id, other, round(score, 6))
    return list(pairs.values())


def walk(
    g: KnowledgeGraph,
    centres: list[str],
    depth: int,
    wanted: frozenset[LinkKind] | None,
    keep: Callable[[Note], bool],
    direction: str,
) -> dict[str, None]:
    """Breadth-first from the centres. Category and tag nodes are reached but not walked
    through (they join everything) unless `wanted` names category or tagged links."""
    through_categories = wanted is not None and bool({LinkKind.CATEGORY, LinkKind.TAGGED} & wanted)
    named = set(centres)
    seen: dict[str, None] = dict.fromkeys(centres)
    frontier = list(seen)
    for _ in range(depth):
        reached: list[str] = []
        for node in frontier:
            if (
                not through_categories
                and node not in named
                and g.note(node).kind in (NoteKind.CATEGORY, NoteKind.TAG)
            ):
                continue
            for link in g.links_of(node, direction, wanted):
                other = link.target if link.source == node else link.source
                if other in seen or not keep(g.note(other)):
                    continue
                seen[other] = None
                reached.append(other)
        frontier = reached
    return seen


def choose(
    g: KnowledgeGraph,
    around: NoteRef | Iterable[NoteRef] | None,
    depth: int,
    kinds: KindsArg,
    node_kinds: Iterable[NoteKind | str] | NoteKind | str | None,
    path: tuple[NoteRef, NoteRef] | Sequence[NoteRef] | None,
    notes: Iterable[NoteRef] | None,
    near_pairs: Iterable[NearTriple],
    *,
    direction: str,
    search: str | None,
    k: int,
    near: int | None,
    stubs: bool,
) -> Choice:
    """What `kg.export.subgraph.subgraph` chooses (the arguments are the same; the near
    pairs given are resolved to note ids). Raises `KgError` as it does."""
    if depth < 0:
        raise KgError(f"depth must be 0 or more, not {depth}")
    if direction not in ("out", "in", "both"):
        raise KgError("direction is 'out', 'in' or 'both'")
    wanted = link_kinds(kinds)
    if isinstance(node_kinds, (str, NoteKind)):
        node_kinds = [node_kinds]
    wanted_nodes = frozenset(NoteKind(x) for x in node_kinds) if node_kinds else None
    selection: dict[str, Any] = {}
    if wanted is not None:
        selection["kinds"] = sorted(kind.value for kind in wanted)
    if wanted_nodes is not None:
        selection["node_kinds"] = sorted(kind.value for kind in wanted_nodes)

    def keep(note: Note) -> bool:
        return (wanted_nodes is None or note.kind in wanted_nodes) and (stubs or not note.stub)

    centres = [g.note(ref).id for ref in note_refs(around)]
    listed = [g.note(ref).id for ref in note_refs(notes)]
    if search is not None:
        listed += search_ids(g, search, k)
        selection["search"] = search
    chain: list[Link] = []
    if path is not None:
        ends = list(path)
        if len(ends) != 2:
            raise KgError("a path needs exactly two notes")
        chain = g.path(ends[0], ends[1], kinds=wanted)
        selection["path"] = [g.note(e).id for e in ends]

    chosen: dict[str, None] = {}
    induced = bool(centres or listed or search is not None)
    if centres:
        chosen.update(walk(g, centres, depth, wanted, keep, direction))
        selection.update(around=centres, depth=depth, direction=direction)
    if listed:
        chosen.update((i, None) for i in listed if i in centres or keep(g.note(i)))
        selection["notes"] = listed
    if not induced and path is None:
        chosen.update((n.id, None) for n in g if keep(n))
        selection["whole"] = True

    links: list[Link] = []
    if path is None or induced:
        whole = selection.get("whole", False)
        if whole:
            links = [
                lk
                for lk in g.links
                if (wanted is None or lk.kind in wanted)
                and lk.source in chosen
                and lk.target in chosen
            ]
        else:
            for node in chosen:
                links += [lk for lk in g.links_of(node, "out", wanted) if lk.target in chosen]
    if path is not None:
        ends_ids = selection["path"]
        for end in ends_ids:
            chosen.setdefault(end, None)
        present = set(map(id, links))
        for link in chain:
            chosen.setdefault(link.source, None)
            chosen.setdefault(link.target, None)
            if id(link) not in present:
                links.append(link)

    pairs = list(near_pairs)
    if near is not None and near > 0:
        pairs += near_pairs_for(g, list(chosen), near)
        selection["near"] = near
    for source, target, _ in pairs:
        chosen.setdefault(source, None)
        chosen.setdefault(target, None)

    notes_out = [g.note(i) for i in chosen]
    names = {c for n in notes_out for c in n.categories}
    categories: dict[str, str] = {}
    for name in sorted(names):
        found = g.find(name)
        if found is not None and found.kind is NoteKind.CATEGORY:
            categories[name] = found.id
    return Choice(notes_out, links, pairs, categories, selection)
