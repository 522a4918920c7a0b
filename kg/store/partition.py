"""The corpus's RDF cut into one named graph per source file, so a store's graph names
say where each triple comes from, and an edit to one file replaces one graph.

A note's own triples go to the graph of its first file, a link's (its direct triple and
its qualified node) to the graph of the file it is written in; notes no file holds (stubs,
categories) go to one shared graph. Every triple of the local export (`kg.export.triples`)
is in exactly one graph. Beside each data graph a small metadata graph holds its hash and
the text of its file, so any machine pushing to the store knows what the store has.

>>> graph_iri("vault/a b.md"), meta_iri("vault/a b.md")
('urn:kg:file:vault/a%20b.md', 'urn:kg:meta:vault/a%20b.md')
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.config import CONFIG_NAME
from kg.export.chars import encode_clean
from kg.export.mapping import KG, LINK_FIELDS, PROV, link_property, namespaces
from kg.export.rdf_syntax import _ntriples
from kg.export.subgraph import SubGraph, subgraph
from kg.export.triples import Term, _iri_part, blocks, link_key
from kg.model import LinkKind
from kg.parse.corpus import discover, display_paths
from kg.parse.obsidian import ATTACHMENT_SUFFIXES, find_attachments

if TYPE_CHECKING:
    from kg.graph.knowledge import KnowledgeGraph

SHARED = ""  # the key of the graph of notes no file holds
SHARED_GRAPH = "urn:kg:shared"
SHARED_META = "urn:kg:meta:-shared"
HASH = KG + "contentHash"
PATH = KG + "sourcePath"
TEXT = KG + "sourceText"
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def graph_iri(path: str) -> str:
    """The named graph of the corpus file `path` (relative, '/'-separated)."""
    return SHARED_GRAPH if path == SHARED else "urn:kg:file:" + urllib.parse.quote(path)


def meta_iri(path: str) -> str:
    """The metadata graph of the corpus file `path`."""
    return SHARED_META if path == SHARED else "urn:kg:meta:" + urllib.parse.quote(path)


@dataclass(frozen=True)
class FileGraph:
    """One file's named graph: its triples as N-Triples, the file's text, and a hash of
    both (what a push compares with the store's)."""

    path: str
    data: bytes
    text: str | None
    hash: str

    @property
    def iri(self) -> str:
        return graph_iri(self.path)

    @property
    def meta(self) -> str:
        return meta_iri(self.path)

    def meta_data(self) -> bytes:
        """The metadata graph as N-Triples."""
        g = f"<{self.iri}>"
        lines = [f'{g} <{HASH}> "{self.hash}" .\n', f'{g} <{PATH}> "{_literal(self.path)}" .\n']
        if self.text is not None:
            lines.append(f'{g} <{TEXT}> "{_literal(self.text)}" .\n')
        return encode_clean("".join(lines))


def _literal(value: str) -> str:
    for raw, escaped in _ECHAR.items():
        value = value.replace(raw, escaped)
    return value


def partition(g: KnowledgeGraph, root: Path | None = None) -> dict[str, FileGraph]:
    """The corpus as one `FileGraph` per file (key: the file's corpus path; `SHARED` for
    the notes no file holds).

    Parameters
    ----------
    g
        The graph.
    root
        The corpus folder, whose files' texts are kept too (default ``g.root``).

    Returns
    -------
    dict of str to FileGraph
        Every corpus file, with or without triples, and the shared graph.
    """
    return cut(stored_subgraph(g), corpus_texts(root or g.root)).graphs


def stored_subgraph(g: KnowledgeGraph) -> SubGraph:
    """The whole corpus as the store keeps it, file by file: without what the corpus as a
    whole decides for a note (its count of disagreements, its cluster and bridge score),
    which other files' links make (an edit of one file would change the graphs of others).

    >>> from kg.graph.knowledge import _demo
    >>> whole = stored_subgraph(_demo())
    >>> whole.disagreements, whole.shape is None
    ({}, True)
    """
    whole = subgraph(g, shape=False)
    whole.disagreements = {}
    return whole


@dataclass(frozen=True)
class Cut:
    """What `cut` made: the `graphs` by path, and for each path the `partners`: the other
    files one of whose links makes a triple one of its links makes too (the triple goes to
    the file of the first such link, so an edit to either can move it)."""

    graphs: dict[str, FileGraph]
    partners: dict[str, set[str]]


def cut(sub: SubGraph, texts: dict[str, str | None], only: Collection[str] | None = None) -> Cut:
    """Cut `sub`'s triples into file graphs, the texts of `texts` beside them.

    Parameters
    ----------
    sub
        The whole corpus (`subgraph(g)`), or, to build some files' graphs only
        (`kg.store.incremental`), the notes and links that decide them, in the corpus's
        order: the files' notes, the subjects of their links' triples with every link that
        makes a triple about one of those, and the notes at the links' ends.
    texts
        The files' texts by path (None where unreadable); a path with no triples gets an
        empty graph.
    only
        Make the graphs of these paths only (default: every path met).

    Returns
    -------
    Cut
    """
    note_ns, link_ns = namespaces()["note"], namespaces()["link"]
    home_of_iri: dict[str, str] = {}
    for note in sub.notes.values():
        home_of_iri[note_ns + _iri_part(note.id)] = note.files[0] if note.files else SHARED

    def home(iri: str) -> str:
        return home_of_iri.get(iri, SHARED)

    direct: dict[tuple[str, str, str], str] = {}
    partners: dict[str, set[str]] = {}

    def claim(key: tuple[str, str, str], where: str) -> None:
        first = direct.setdefault(key, where)
        if first != where:
            partners.setdefault(first, set()).add(where)
            partners.setdefault(where, set()).add(first)

    for link in sub.links:
        source, target = note_ns + _iri_part(link.source), note_ns + _iri_part(link.target)
        where = link.file or home(source)
        mapping = link_property(link)
        claim(
            (target, mapping.property, source)
            if mapping.inverse
            else (source, mapping.property, target),
            where,
        )
        if link.kind is LinkKind.SOURCE:
            claim((source, PROV + "qualifiedDerivation", link_ns + link_key(link)), where)

    wanted = None if only is None else set(only)
    file_field, from_field = LINK_FIELDS["file"], LINK_FIELDS["from"]
    chunks: dict[str, list[str]] = {}
    for subject, pairs in blocks(sub):
        if subject.startswith(link_ns):  # a link's node: the file it is written in
            where = ""
            start = ""
            for prop, obj in pairs:
                if prop == file_field:
                    where = obj[0]
                elif prop == from_field:
                    start = str(obj)
            where = where or home(start)
            if wanted is None or where in wanted:
                chunks.setdefault(where, []).append(_ntriples([(subject, pairs)]))
            continue
        own = home(subject)
        groups: dict[str, list[tuple[str, Term]]] = {}
        for prop, obj in pairs:
            where = direct.get((subject, prop, obj), own) if obj.__class__ is str else own
            groups.setdefault(where, []).append((prop, obj))
        for where, some in groups.items():
            if wanted is None or where in wanted:
                chunks.setdefault(where, []).append(_ntriples([(subject, some)]))

    paths = sorted(set(texts) | set(chunks)) if wanted is None else sorted(wanted)
    graphs = {
        path: file_graph(path, "".join(chunks.get(path, [])), texts.get(path)) for path in paths
    }
    return Cut(graphs, partners)


def file_graph(path: str, triples: str, text: str | None) -> FileGraph:
    """The `FileGraph` of `path`: its triples (N-Triples), its text, the hash of both."""
    data = encode_clean(triples)
    digest = hashlib.sha256(data)
    digest.update(b"\0" + (text or "").encode("utf-8", "replace"))
    return FileGraph(path, data, text, digest.hexdigest()[:32])


def read_text(path: Path) -> str | None:
    """A corpus file's text as stored (None when it cannot be read); an attachment's is
    empty: the store keeps its path (an embed resolves by the file being there), and its
    bytes stay with the pusher."""
    if path.suffix.lower() in ATTACHMENT_SUFFIXES:
        return "" if path.is_file() else None
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def corpus_texts(root: Path | None) -> dict[str, str | None]:
    """Every corpus file's text by its corpus path (attachments' empty, see `read_text`),
    and `SHARED` (no text)."""
    texts: dict[str, str | None] = {SHARED: None}
    if root is not None and Path(root).exists():
        found = discover(Path(root))
        for found_path, shown in zip(found, display_paths(found, Path(root)), strict=True):
            texts[shown] = read_text(found_path)
        for path in find_attachments(Path(root)):
            texts[path] = ""
    return texts


def corpus_extras(root: Path | None) -> dict[str, FileGraph]:
    """The corpus's settings (``kg.yaml``) as a graph without triples holding its text, so
    a store's corpus opens under the settings it was pushed with (the categories and tags
    they add change what pages give). A vault's attachments are file graphs of their own
    (`corpus_texts`).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "kg.yaml").write_text("categories: [Agents]\\n")
    >>> [(p, f.text, f.data) for p, f in corpus_extras(folder).items()]
    [('kg.yaml', 'categories: [Agents]\\n', b'')]
    """
    extras: dict[str, FileGraph] = {}
    if root is None or not Path(root).is_dir():
        return extras
    settings = read_text(Path(root) / CONFIG_NAME)
    if settings is not None:
        extras[CONFIG_NAME] = file_graph(CONFIG_NAME, "", settings)
    return extras
