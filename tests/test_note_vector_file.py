"""The file of whole-note vectors: an edit writes a small side file beside the base, never
the whole base; reading gives the base with every side file applied in order; many side
files are merged back into the base; a damaged or another model's file is never used."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kg.embed.notefile import FOLDER, MAX_SIDES, NoteVectorFile


def _key(n: int) -> bytes:
    return n.to_bytes(16, "big")


def _row(n: int) -> np.ndarray:
    row = np.zeros(8, dtype=np.float32)
    row[n % 8] = 1.0
    return row


def _filled(folder: Path, count: int) -> NoteVectorFile:
    kept = NoteVectorFile(folder, "toy|1")
    for n in range(count):
        kept.put(_key(n), _row(n), _row(n + 1) if n % 2 else None)
    assert kept.save() == count
    return kept


def test_an_edit_writes_a_side_file_and_leaves_the_base_as_it_was(tmp_path):
    kept = _filled(tmp_path, 100)
    base = kept.path.read_bytes()
    # An edit: note 7's text changed, so its vector is under a new key; the old one goes.
    kept.put(_key(1000), _row(3), None)
    assert kept.save(keep={_key(n) for n in range(100) if n != 7} | {_key(1000)}) == 1
    assert kept.path.read_bytes() == base
    (side,) = kept.sides()
    assert side[1].stat().st_size < len(base) / 4

    again = NoteVectorFile(tmp_path, "toy|1")
    assert len(again) == 100 and not again.has(_key(7)) and again.has(_key(1000))
    plain, head = again.get(_key(1000))
    np.testing.assert_array_equal(plain, _row(3))
    assert not head.any()  # no headline: zeros
    plain, head = again.get(_key(5))
    np.testing.assert_array_equal(head.astype(np.float32), _row(6))


def test_side_files_are_merged_into_the_base_once_many_gather(tmp_path):
    kept = _filled(tmp_path, 200)
    keys = {_key(n) for n in range(200)}
    for n in range(MAX_SIDES + 1):
        kept.put(_key(5000 + n), _row(n), None)
        keys.add(_key(5000 + n))
        kept.save(keep=keys)
    assert len(kept.sides()) < MAX_SIDES  # merged, and the merged ones removed
    assert len(NoteVectorFile(tmp_path, "toy|1")) == 200 + MAX_SIDES + 1


def test_a_damaged_side_file_or_a_half_written_one_is_never_used(tmp_path):
    kept = _filled(tmp_path, 100)
    kept.put(_key(500), _row(2), None)
    kept.save()
    ((_, side),) = kept.sides()
    side.write_bytes(side.read_bytes()[:40])  # cut short
    # A temporary file left by a writer that died: not a side file's name.
    (tmp_path / FOLDER / f".{kept.path.stem}-side-000009.npz.x.tmp").write_bytes(b"junk")
    again = NoteVectorFile(tmp_path, "toy|1")
    assert len(again) == 100 and not again.has(_key(500))


def test_another_models_files_are_never_read(tmp_path):
    _filled(tmp_path, 10)
    other = NoteVectorFile(tmp_path, "other|2")
    assert len(other) == 0
    # Its file beside the first model's, read under the first's name: refused.
    _filled(tmp_path, 10).path.rename(other.path)
    assert len(NoteVectorFile(tmp_path, "other|2")) == 0
