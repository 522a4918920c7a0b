"""The arithmetic of the fused trace ranking, apart from what it ranks: its `Weights`
(which parts count how much, which text around the claim is read), `fuse` (the parts
brought to one scale and summed, the words trusted as far as `word_trust` says), the
softmax shares shown, and the context of a sentence in its paragraph.
`kg.query.fusion.FusedScorer` computes the parts.

>>> softmax_shares([0.0, 0.0])
[0.5, 0.5]
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

CONTEXTS = ("previous", "next", "paragraph")
PARTS = (
    "best match",
    "BM25 quote",
    "BM25 note",
    "BM25 sentence",
    "mean match",
    "word coverage",
)


@dataclass(frozen=True, slots=True)
class Weights:
    """How the fused ranking weighs its parts, and which text around the claim it reads.

    Attributes
    ----------
    best_match : float
        Weight of the best cosine between the claim and any text of the candidate note.
    bm25_quote : float
        Weight of BM25 of the claim in the candidate's quoted text.
    bm25_note : float
        Weight of BM25 in the quoted text and the whole candidate note.
    context : float
        Weight of the same parts computed for the context (0: no context).
    context_kind : str
        The context: the sentence before the claim in its paragraph ('previous'), the
        sentence after it ('next') or the paragraph's other sentences ('paragraph').
    bm25_k1, bm25_b : float
        BM25's constants: how fast repeats of a word stop counting, and how much a long
        text's score is scaled down for its length (1: in full proportion).
    bm25_sentence : float
        Weight of the best BM25 of the claim in any one text of the candidate note (its
        quoted text, description, claim, each body sentence): the words of the sentence
        that supports the claim, not those of the note's title.
    mean_match : float
        Weight of the cosine between the claim and the mean of the candidate note's text
        vectors (what the note says as a whole).
    bm25_scale : float
        How the BM25 parts are brought to the cosines' scale: 0 standardises them over the
        candidates like the cosines; above 0 divides them by it instead, so that how much
        the words match counts, not only which candidate matches most. (Standardised, one
        common word shared with a single candidate makes it stand out as far as a sentence
        that says the claim's rare words would, and outvotes what the meaning parts know.)
    word_coverage : float
        Weight of the share of the claim's word weight a candidate holds (0 in what kg
        ships: the share gates the BM25 parts instead, see `word_trust`).
    trust_words_from, trust_words_at : float
        The BM25 parts count not at all for a claim when no candidate holds more than
        `trust_words_from` of its word weight, in full from `trust_words_at`, in
        proportion between (`word_trust`); `trust_words_at` 0 counts them always.
    ranks : tuple of (str, float)
        Weights of parts' places among the candidates (`reciprocal_ranks`: 1 for the
        candidate a part puts first, 1/2 for the second, ...), added to the parts'
        values: which candidate a part prefers counts, whatever the margin.
    token_rank : float
        Above 0, the fused order is combined by reciprocal rank, with this constant k,
        with the order of the claim's word pieces matched one by one over the static
        token table (`kg.query.tokenmatch`), for a note's one-line claim
        (`kg.query.fusion.token_ranked`); 0 leaves the fused order as it is.

    Examples
    --------
    >>> Weights().parts()
    (('best match', 0.5), ('BM25 quote', 1.0))
    """

    best_match: float = 0.5
    bm25_quote: float = 1.0
    bm25_note: float = 0.0
    context: float = 0.5
    context_kind: str = "next"
    bm25_k1: float = 1.2
    bm25_b: float = 1.0
    bm25_sentence: float = 0.0
    mean_match: float = 0.0
    bm25_scale: float = 0.0
    word_coverage: float = 0.0
    trust_words_from: float = 0.0
    trust_words_at: float = 0.0
    ranks: tuple[tuple[str, float], ...] = ()
    token_rank: float = 0.0

    def __post_init__(self) -> None:
        if self.context_kind not in CONTEXTS:
            raise ValueError(
                f"unknown context {self.context_kind!r}; contexts are {', '.join(CONTEXTS)}"
            )
        unknown = [name for name, _ in self.ranks if name not in PARTS]
        if unknown:
            raise ValueError(
                f"unknown ranked parts {', '.join(map(repr, unknown))}; parts are {', '.join(PARTS)}"
            )

    def parts(self) -> tuple[tuple[str, float], ...]:
        """The parts fused and their weights (parts weighted 0 left out)."""
        weights = (
            self.best_match,
            self.bm25_quote,
            self.bm25_note,
            self.bm25_sentence,
            self.mean_match,
            self.word_coverage,
        )
        return tuple((n, w) for n, w in zip(PARTS, weights, strict=True) if w)


WEIGHTS_FILE = "trace_weights.json"
# A weights file's entry of the parts' places' weights (`Weights.ranks`), by part name.
RANKS = "ranks"
# The names of a weights file's entries beside the parts' (`PARTS`).
_SETTINGS = (
    "context",
    "context kind",
    "BM25 k1",
    "BM25 b",
    "BM25 scale",
    "trust words from",
    "trust words at",
    "token rank",
)
_FIELDS = dict(
    zip(
        (*PARTS, *_SETTINGS),
        (
            "best_match",
            "bm25_quote",
            "bm25_note",
            "bm25_sentence",
            "mean_match",
            "word_coverage",
            "context",
            "context_kind",
            "bm25_k1",
            "bm25_b",
            "bm25_scale",
            "trust_words_from",
            "trust_words_at",
            "token_rank",
        ),
        strict=True,
    )
)


def weights_from_mapping(data: Mapping[str, object]) -> Weights:
    """Weights from a mapping of part names (`PARTS`) and settings ('context',
    'context kind', 'BM25 k1', 'BM25 b', ...) to their values, and of 'ranks' to a
    mapping of part names to the weights of their places; a name left out takes the
    `Weights` default, an unknown one is refused.

    >>> weights_from_mapping({"best match": 1, "BM25 quote": 0}).parts()
    (('best match', 1.0),)
    >>> weights_from_mapping({"title": 1})
    Traceback (most recent call last):
    ...
    ValueError: unknown trace weights 'title'; known: best match, BM25 quote, BM25 note, BM25 sentence, mean match, word coverage, context, context kind, BM25 k1, BM25 b, BM25 scale, trust words from, trust words at, token rank, ranks
    """
    unknown = [name for name in data if name not in _FIELDS and name != RANKS]
    if unknown:
        raise ValueError(
            f"unknown trace weights {', '.join(map(repr, unknown))}; "
            f"known: {', '.join([*_FIELDS, RANKS])}"
        )
    values: dict[str, object] = {}
    for name, value in data.items():
        if name == RANKS:
            if not isinstance(value, Mapping):
                raise ValueError(f"trace weights {RANKS!r} must map part names to weights")
            values["ranks"] = tuple((str(k), float(v)) for k, v in value.items())
            continue
        field = _FIELDS[name]
        values[field] = str(value) if field == "context_kind" else float(value)  # type: ignore[arg-type]
    return Weights(**values)  # type: ignore[arg-type]


def weights_to_mapping(weights: Weights) -> dict[str, object]:
    """The mapping `weights_from_mapping` reads back (every part and setting).

    >>> weights_from_mapping(weights_to_mapping(Weights(best_match=2.0))) == Weights(best_match=2.0)
    True
    >>> with_ranks = Weights(ranks=(("best match", 0.5),))
    >>> weights_from_mapping(weights_to_mapping(with_ranks)) == with_ranks
    True
    """
    data: dict[str, object] = {name: getattr(weights, field) for name, field in _FIELDS.items()}
    data[RANKS] = dict(weights.ranks)
    return data


def shipped_weights() -> Weights:
    """The weights kg ships: kg/data/trace_weights.json, written by
    benchmarks/bench_evidence.py --write-weights with the weights every case of its
    held-out protocol chooses together (its figures are those of weights chosen on the
    other half of the cases; BENCHMARKS.md, "Evidence ranking")."""
    text = resources.files("kg").joinpath("data", WEIGHTS_FILE).read_text("utf-8")
    return weights_from_mapping(json.loads(text)["weights"])


DEFAULT_WEIGHTS = shipped_weights()


def fuse(
    claim_parts: dict[str, list[float]],
    context_parts: dict[str, list[float]] | None,
    weights: Weights,
) -> np.ndarray:
    """The fused score of each candidate: its parts brought to one scale (`normalised`)
    and summed with their weights, the context's at `weights.context` times theirs.

    Examples
    --------
    >>> parts = {"best match": [0.2, 0.4], "BM25 quote": [3.0, 1.0], "BM25 note": [0.0, 0.0]}
    >>> [round(float(x), 2) for x in fuse(parts, None, Weights())]
    [0.5, -0.5]
    >>> [round(float(x), 2) for x in fuse(parts, None, Weights(ranks=(("best match", 2.0),)))]
    [1.5, 1.5]
    """
    size = len(next(iter(claim_parts.values()), []))
    fused = np.zeros(size)
    for parts, scale in ((claim_parts, 1.0), (context_parts, weights.context)):
        if parts is None or not scale:
            continue
        trust = word_trust(parts, weights.trust_words_from, weights.trust_words_at)
        for name, weight in weights.parts():
            if name.startswith("BM25"):
                weight *= trust
            fused += scale * weight * normalised(name, parts[name], weights.bm25_scale)
        for name, weight in weights.ranks:
            if weight:
                fused += scale * weight * reciprocal_ranks(parts[name])
    return fused


def reciprocal_ranks(values: Sequence[float]) -> np.ndarray:
    """1 / (1 + the number of candidates a part scores higher) for each candidate: 1 for
    the best, 1/2 for the second; level values share a place, so a part that tells the
    candidates nothing (all level) favours none of them.

    >>> reciprocal_ranks([0.2, 0.9, 0.2, 0.5]).round(3).tolist()
    [0.333, 1.0, 0.333, 0.5]
    >>> reciprocal_ranks([0.0, 0.0]).tolist()
    [1.0, 1.0]
    """
    array = np.asarray(values, dtype=float)
    above = len(array) - np.searchsorted(np.sort(array), array, side="right")
    return 1.0 / (1.0 + above)


def word_trust(parts: Mapping[str, Sequence[float]], low: float, full: float) -> float:
    """How far the BM25 parts count for one claim (0 to 1), from how much of the claim's
    word weight the candidate that holds most of it holds (its "word coverage"): nothing
    at `low` or below, in full at `full` or above, in proportion between; always in full
    when `full` is 0 (the gate is off) or coverage was not computed. A claim that words its
    evidence differently (a few common words shared at most) is ranked by what it means,
    not by one candidate sharing a common word; a claim that shares its evidence's rare
    words is ranked by them too.

    >>> round(word_trust({"word coverage": [0.1, 0.3]}, 0.2, 0.4), 6)
    0.5
    >>> word_trust({"word coverage": [0.1, 0.15]}, 0.2, 0.4), word_trust({"word coverage": [0.9]}, 0.2, 0.4)
    (0.0, 1.0)
    >>> word_trust({}, 0.2, 0.4), word_trust({"word coverage": [0.0]}, 0.0, 0.0)
    (1.0, 1.0)
    """
    coverage = parts.get("word coverage")
    if full <= 0 or coverage is None or not len(coverage):
        return 1.0
    best = float(max(coverage))
    if best >= full:
        return 1.0
    return max(0.0, (best - low) / (full - low)) if full > low else 0.0


def normalised(name: str, values: Sequence[float], bm25_scale: float = 0.0) -> np.ndarray:
    """One part's values over the candidates, on the scale `fuse` sums: standardised (zero
    mean, unit spread), or for a BM25 part with `bm25_scale` above 0, divided by it.

    >>> normalised("BM25 sentence", [0.0, 0.5, 0.0]).round(2).tolist()
    [-0.71, 1.41, -0.71]
    >>> normalised("BM25 sentence", [0.0, 0.5, 0.0], 5.0).tolist()
    [0.0, 0.1, 0.0]
    """
    if bm25_scale > 0 and name.startswith("BM25"):
        return np.asarray(values, dtype=float) / bm25_scale
    return _standardised(values)


def context_text(sentences: Sequence[str], position: int, kind: str) -> str:
    """The context of the sentence at `position` of a paragraph's `sentences`.

    Examples
    --------
    >>> s = ["A.", "B.", "C."]
    >>> context_text(s, 1, "previous"), context_text(s, 1, "next"), context_text(s, 1, "paragraph")
    ('A.', 'C.', 'A. C.')
    >>> context_text(s, 2, "next")
    ''
    """
    if kind == "previous":
        return sentences[position - 1] if position > 0 else ""
    if kind == "next":
        return sentences[position + 1] if position + 1 < len(sentences) else ""
    return " ".join(s for k, s in enumerate(sentences) if k != position)


def _standardised(values: Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    spread = float(array.std())
    return (array - array.mean()) / spread if spread > 0 else np.zeros_like(array)


def softmax_shares(values: Sequence[float]) -> list[float]:
    """Each value's softmax share (they add up to 1; larger values get larger shares)."""
    if not values:
        return []
    top = max(values)
    weights = [math.exp(v - top) for v in values]
    total = sum(weights)
    return [w / total for w in weights]
