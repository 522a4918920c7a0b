"""The vector store: one embedding per text of every note, kept in the index folder.

Vectors are L2-normalized float32, one row per distinct text (identical texts share a
row), named by a hash of the text (`kg.embed.texts`). A note's own vector is the whole
note's, the normalized weighted mean of all its texts' vectors; these sit in one
contiguous matrix so "nearest notes" is one matrix-vector product.

The class is assembled from its parts: the state and embedder (`kg.embed.state`), reading
(`kg.embed.reading`), updating (`kg.embed.update`) and the files in the index folder
(`kg.embed.files`).

>>> import numpy as np
>>> store = VectorStore.from_note_vectors(["a", "b"], np.array([[1.0, 0.0], [0.6, 0.8]]))
>>> store
VectorStore(model='given', dim=2, notes=2, texts=2, rows=2)
>>> [(note, round(score, 2)) for note, score in store.nearest(np.array([1.0, 0.0]), k=2)]
[('a', 1.0), ('b', 0.6)]
"""

from __future__ import annotations

from kg.embed.files import Files
from kg.embed.update import Updates


class VectorStore(Files, Updates):
    """Vectors of every note's texts, and the note matrix behind `near`.

    Get one from `kg.load(path)` as `graph.embeddings`, or open the saved one with
    `VectorStore.open`. `count` is the number of notes with a vector, `texts` the number
    of keyed texts, `embedded` how many texts the last update had to embed.

    Parameters
    ----------
    model : str
        The name of the model the vectors are from.
    dim : int
        Their dimension (0 until the first texts are embedded).
    embedder : Embedder or callable, optional
        The embedder for new texts, or a factory that makes it on first use.

    Examples
    --------
    >>> VectorStore(model="m", dim=3)
    VectorStore(model='m', dim=3, notes=0, texts=0, rows=0)
    """


__all__ = ["VectorStore"]
