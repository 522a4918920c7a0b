"""The static vectors of each note travel with the corpus: `kg push` (and `kg serve`) send,
for every note, the stored static vectors of its texts with the hashes of those texts
(`kg.embed.texts.text_hash`), so a trace from the store (`kg.store.reach`) reads the
vectors of the notes it fetched instead of embedding their texts (at 10,000 pages, the
3,000-6,000 texts of the hundred-odd notes a trace compares: about a second).

Each note's rows go as ``.kg-store/static-vectors/<note>.b64`` (a file of their own: a
store holds texts), base64 of the hashes (16 bytes each, NUL-padded) then the float32
rows; which model made them (name, fingerprint, dimension) goes with the word counts
(`kg.store.vectors.trace_word_extras`). The reader takes them only when its own
configured model is the same (`kg.embed.choose.embedder_identity`), and only rows of
length 1: they are then the very vectors it would compute, and a trace answers as the
same trace of the corpus does.

>>> hashes, rows = unpack(pack([b"a", b"b"], [[1.0, 0.0], [0.0, 1.0]]), 2)
>>> hashes, rows.tolist()
([b'a', b'b'], [[1.0, 0.0], [0.0, 1.0]])
>>> unpack(b"abc", 2)
([], None)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.store.partition import FileGraph, file_graph, graph_iri

if TYPE_CHECKING:
    from kg.embed.store import VectorStore
    from kg.graph.knowledge import KnowledgeGraph

ROWS = ".kg-store/static-vectors"  # where the files go in the store's corpus
SENT = "store-rows.json"  # in the index folder: what the last push sent of each note's rows
HASH_BYTES = 16
EMBEDDERS = ("hybrid", "static")  # the settings whose stored vectors are the static ones


def rows_path(part: str) -> str:
    """The store path of a note's rows, from what its IRI adds to the notes' namespace
    (`kg.store.reach.note_iri`: the id, with what an IRI cannot hold escaped).

    >>> rows_path("a%20b")
    '.kg-store/static-vectors/a%20b.b64'
    """
    return f"{ROWS}/{part}.b64"


def pack(hashes: Sequence[bytes], rows: Any) -> bytes:
    """The hashes then the rows (little-endian float32), as one byte string."""
    head = np.array(list(hashes), dtype=f"S{HASH_BYTES}").tobytes()
    return head + np.ascontiguousarray(rows, dtype="<f4").tobytes()


def unpack(data: bytes, dim: int) -> tuple[list[bytes], np.ndarray | None]:
    """What `pack` wrote, for rows of `dim` numbers; ([], None) when `data` is not that."""
    width = HASH_BYTES + 4 * dim
    if dim <= 0 or not data or len(data) % width:
        return [], None
    count = len(data) // width
    hashes = np.frombuffer(data[: count * HASH_BYTES], dtype=f"S{HASH_BYTES}").tolist()
    rows = np.frombuffer(data[count * HASH_BYTES :], dtype="<f4").reshape(count, dim)
    return [bytes(h) for h in hashes], rows.astype(np.float32)


def static_row_extras(
    g: KnowledgeGraph, remote: Mapping[str, str] | None = None
) -> tuple[dict[str, FileGraph], dict[str, Any] | None]:
    """Each note's stored static vectors as file graphs to push, and which model made
    them (``{"model", "fingerprint", "dim"}``); none when the graph keeps no index, its
    settings embed with the transformer only, or the index holds no static vectors.

    A note whose texts are unchanged since the last push (the same note hash,
    `kg.embed.texts.note_hash`) and whose graph the store holds (`remote`: graph IRI to
    hash, as `kg.store.push.store_hashes` gives them) is not encoded again: its graph is
    given by its hash alone (at 10,000 pages, 450 MB of text is not made for an edit)."""
    from kg.embed.choose import embedder_identity
    from kg.embed.store import VectorStore
    from kg.export.triples import _iri_part

    folder, config = getattr(g, "index_folder", None), getattr(g, "config", None)
    if folder is None or config is None or config.embedder not in EMBEDDERS:
        return {}, None
    name, stamp = embedder_identity(config)
    if stamp is None:
        return {}, None
    store = VectorStore.open(Path(folder), name, stamp)
    if store.problems or not store.count or not store.dim:
        return {}, None
    made_by = {"model": name, "fingerprint": stamp, "dim": int(store.dim)}
    record = Path(folder) / SENT
    sent = _sent(record, made_by)
    now: dict[str, list[str]] = {}
    held = remote or {}
    note_ids, keys, key_start = store.key_arrays()
    extras: dict[str, FileGraph] = {}
    for position, note_id in enumerate(note_ids):
        if key_start[position] == key_start[position + 1]:
            continue  # no text of the note has a vector
        path = rows_path(_iri_part(note_id))  # the IRI's last part (`kg.store.reach.note_iri`)
        digest = (store.note_hash_of(note_id) or b"").hex()
        before = sent.get(path)
        if before is not None and before[0] == digest and held.get(graph_iri(path)) == before[1]:
            extras[path] = FileGraph(path, b"", None, before[1])  # held: nothing to send
            now[path] = before
            continue
        rows = np.unique(keys[key_start[position] : key_start[position + 1], 3])
        data = pack(store.row_hashes(rows), store.gather(rows))
        extras[path] = file_graph(path, "", base64.b64encode(data).decode("ascii"))
        now[path] = [digest, extras[path].hash]
    if now != sent:
        from contextlib import suppress

        from kg.io import write_atomic

        with suppress(OSError):
            text = json.dumps({**made_by, "notes": now}, separators=(",", ":"))
            write_atomic(record, text.encode("utf-8"))
    return extras, made_by


def _sent(record: Path, made_by: dict[str, Any]) -> dict[str, list[str]]:
    """What the last push sent of each note's rows (path: [note hash, graph hash]), when
    the same model made them; else nothing."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in made_by.items()):
        return {}
    notes = data.get("notes")
    if not isinstance(notes, dict):
        return {}
    return {
        path: entry
        for path, entry in notes.items()
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)
    }


class SentRows:
    """The static vectors a store sent with the notes a trace fetched (`mirror` holds
    their files; `sent` names the model that made them), with those the trace folder's
    index (`index`) kept from earlier traces: gathered from one round to the next in
    memory, and the new ones saved once, when the trace is done (`save`).

    Each round's graph gets a store of these rows alone (`restore`, then `attach`):
    which note a text belongs to is found again from the texts' hashes, never kept from
    a graph in which the note was only linked to (a note not fetched has no vectors,
    and a paper's page gives it no other text, so it would keep none once fetched)."""

    def __init__(
        self,
        mirror: Path,
        index: Path,
        sent: Any,
        fetch: Callable[[list[str]], list[dict[str, str]]] | None = None,
    ) -> None:
        self.mirror = mirror
        self.fetch = fetch  # the store's texts of these paths, as rows {"p", "t"}
        self.index = index
        self.sent = sent if isinstance(sent, dict) else {}
        self.identity: tuple[str, str] | None = None  # (model, fingerprint) once usable
        self.refused = False  # another model made them, or the kept vectors are unusable
        self.hashes: list[bytes] = []
        self.blocks: list[np.ndarray] = []
        self.new = 0  # rows not in the index folder yet
        self._read: set[Path] = set()

    def restore(self) -> VectorStore | None:
        """A store of every row gathered (those of the files fetched since the last
        round added), no note keyed yet; None when none were sent or the configured
        model is another (then the folder's load embeds what it reads, as without)."""
        from kg.embed.store import VectorStore

        if self.refused:
            return None
        files = [p for p in sorted((self.mirror / ROWS).rglob("*.b64")) if p not in self._read]
        if self.identity is None and (not files or not self._open()):
            return None
        assert self.identity is not None
        hashes, rows = _read_rows(files, int(self.sent["dim"]))
        self._read.update(files)
        self._gather(hashes, rows)
        store = VectorStore(model=self.identity[0])
        store.fingerprint = self.identity[1]
        store.reuse(self.hashes, np.concatenate(self.blocks))
        return store

    def _gather(self, hashes: list[bytes], rows: np.ndarray, new: bool = True) -> None:
        if hashes:
            self.hashes += hashes
            self.blocks.append(rows)
            self.new += len(hashes) if new else 0

    def _open(self) -> bool:
        """Whether the rows are of the configured model; the rows kept in the index
        folder gathered."""
        from kg.config import load_config
        from kg.embed.choose import embedder_identity
        from kg.embed.store import VectorStore
        from kg.io import index_lock

        config = load_config(self.mirror)
        name, stamp = embedder_identity(config)
        dim = self.sent.get("dim")
        self.refused = (
            config.embedder not in EMBEDDERS
            or stamp is None
            or (self.sent.get("model"), self.sent.get("fingerprint")) != (name, stamp)
            or not isinstance(dim, int)
        )
        if self.refused or stamp is None:
            return False
        with index_lock(self.index):
            kept = VectorStore.open(self.index, name, stamp)
        if kept.problems or (kept.dim and kept.dim != dim):
            self.refused = True
            return False
        if kept.rows:
            every = np.arange(kept.rows)
            self._gather(kept.row_hashes(every), kept.gather(every), new=False)
        self.identity = (name, stamp)
        return True

    def attach(self, graph: KnowledgeGraph, store: VectorStore) -> None:
        """Give `graph` (read from the folder with ``embed="none"``) the vectors of
        `store` (from `restore`) as `kg.load(embed="lazy")` gives a corpus its stored
        ones: each text of a note read from the folder's files has its row (the few the
        store sent none for are embedded now), the notes only linked to (not fetched)
        have none, a query is embedded by the configured model, and with ``embedder:
        hybrid`` the transformer's trace vectors are set up as for any load."""
        from kg.embed.attach import attach_trace_vectors, shared_embedder
        from kg.embed.texts import text_hash
        from kg.errors import ModelUnavailable

        config = graph.config
        if config is None or graph.index_folder is None:
            return
        embedder = shared_embedder(config)
        store.set_embedder(embedder)
        missing = self._missing(graph)
        if missing and self.fetch is not None:  # notes read with those fetched (hubs, tags)
            from kg.export.triples import _iri_part

            owners = {rows_path(_iri_part(note_id)) for note_id in missing.values()}
            texts = [row["t"] for row in self.fetch(sorted(owners))]
            hashes, found = _decode(texts, int(self.sent["dim"]))
            if hashes:
                self._gather(hashes, found)
                store.reuse(hashes, found)
                missing = self._missing(graph)
        if missing:  # the store sent none (a note pushed without vectors): embedded here
            try:
                embedded = np.array([store.text_vector(text) for text in missing])
            except ModelUnavailable:
                embedded = None
            hashes = [text_hash(text) for text in missing]
            if embedded is not None and store.reuse(hashes, embedded):
                self._gather(hashes, embedded)

        def refuse() -> Any:
            raise ModelUnavailable("only the rows the store sent are used")

        store.set_embedder(refuse)  # the notes not fetched keep no vectors
        store.update(graph, signature=graph.index_signature, trusted=False)
        store.problems.clear()
        store.set_embedder(embedder)
        graph.embeddings = store if store.count else None
        attach_trace_vectors(graph, config, "lazy")

    def _missing(self, graph: KnowledgeGraph) -> dict[str, str]:
        """The texts of the notes read from the folder's files that no row gathered is
        of, with the id of a note each is a text of."""
        from kg.embed.texts import note_texts, text_hash

        have = set(self.hashes)
        return {
            text: note.id
            for note in graph.notes(stubs=False)
            for _, _, text in note_texts(note)
            if text_hash(text) not in have
        }

    def save(self) -> None:
        """Keep the rows gathered for the next trace of the folder, in its index (a
        failure to write costs only speed)."""
        from contextlib import suppress

        from kg.embed.store import VectorStore
        from kg.errors import KgError
        from kg.io import index_lock

        if self.identity is None or not self.new:
            return
        with suppress(OSError, KgError), index_lock(self.index):
            kept = VectorStore.open(self.index, *self.identity)
            if not kept.problems and kept.reuse(self.hashes, np.concatenate(self.blocks)):
                kept.save(self.index)
            self.new = 0


def _read_rows(files: Iterable[Path], dim: int) -> tuple[list[bytes], np.ndarray]:
    texts = []
    for path in files:
        try:
            texts.append(path.read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
    return _decode(texts, dim)


def _decode(texts: Iterable[str], dim: int) -> tuple[list[bytes], np.ndarray]:
    """The hashes and rows of files written by `static_row_extras` (unreadable ones
    left out)."""
    hashes: list[bytes] = []
    blocks: list[np.ndarray] = []
    for text in texts:
        try:
            data = base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            continue
        found, rows = unpack(data, dim)
        if rows is not None:
            hashes += found
            blocks.append(rows)
    rows = np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
    return hashes, rows
