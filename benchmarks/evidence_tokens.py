"""Late interaction from the shipped MiniLM's token vectors, as kg could keep them at index
time: the token max-sim of benchmarks/evidence_cases.py (`TokenMaxSim`) recomputed from the
kept texts, its variants, and the same from token vectors reduced by PCA and int8.

    HF_HUB_OFFLINE=1 python benchmarks/evidence_tokens.py --cases /tmp/tune24/cases.json

reports how close each reduced max-sim is to the full one (rank correlation per case,
recall@1 alone) and how far the recomputed one is from the kept row;
benchmarks/evidence_ltr.py ``--tokens NAME ...`` adds any of `VARIANTS` as reranker
columns. Every variant reads texts only (never a label, never a candidate's place):

- ``max-sim``: per claim token the best cosine to a token of a candidate's text, averaged
  over the claim's tokens; the best text of the candidate counts (the kept row);
- ``IDF-weighted``: the claim tokens' average weighted by their word piece's IDF over the
  task's distinct candidate texts (log((N + 1) / (df + 0.5)), at least 0);
- ``reverse``: per candidate token the best cosine to a claim token, averaged over the
  candidate's tokens (the best text counts);
- ``pooled texts``: per claim token the best cosine over the tokens of all of a
  candidate's texts together, not text by text;
- ``no stop words``: stop-word pieces (kg's list) and punctuation left out on both sides;
- ``PCA D`` / ``PCA D int8``: the candidates' token vectors projected on the first D
  principal directions of the candidate texts' token vectors (their mean kept; no claim,
  no label), the coordinates kept as float or as int8 with one scale per vector, read back
  and brought to length 1; the claim's tokens stay whole (a trace encodes its claim);
  ``VARIANT @ PCA D int8`` reads any variant from the reduced vectors.

>>> a = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> max_sim(a, np.array([[1.0, 0.0]]))
0.5
>>> codes, scale = quantise(np.array([[0.5, -1.0]]))
>>> codes.tolist(), [round(float(x), 3) for x in dequantise(codes, scale)[0]]
([[64, -127]], [0.504, -1.0])
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.evidence_cases import TASKS, TOKEN_MAX_SIM, Case, load_cases, top_hit

PREFIX = "MiniLM tokens: "
PLAIN = ("max-sim", "IDF-weighted", "reverse", "pooled texts", "no stop words")
REDUCED = ("PCA 64", "PCA 64 int8", "PCA 128", "PCA 128 int8", "PCA 384 int8")
VARIANTS = PLAIN + REDUCED


@dataclass(frozen=True)
class Tokens:
    """One text's token vectors (its [CLS] and [SEP] left out, each of length 1) and their
    word-piece ids."""

    vectors: np.ndarray
    pieces: np.ndarray


def max_sim(query: np.ndarray, rows: np.ndarray, weight: np.ndarray | None = None) -> float:
    """The mean (or `weight`ed sum) over `query`'s rows of each one's best dot product with
    a row of `rows`; 0 when either has none."""
    if not len(query) or not len(rows):
        return 0.0
    best = (query @ rows.T).max(axis=1)
    return float(best @ weight) if weight is not None else float(best.mean())


def quantise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes of each row and its scale (its largest magnitude / 127)."""
    scale = np.abs(rows).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0)
    codes = np.clip(np.rint(rows / scale[:, None]), -127, 127).astype(np.int8)
    return codes, scale.astype(np.float32)


def dequantise(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * scale[:, None]


def unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-9)


@dataclass(frozen=True)
class Reduction:
    """Token vectors kept as `dims` PCA coordinates around `mean` (optionally int8 with a
    scale per vector) and read back as unit vectors of the model's size.

    >>> rng = np.random.default_rng(0)
    >>> rows = unit(rng.normal(size=(50, 8)))
    >>> whole = fit_reduction(rows, 8)
    >>> bool(np.allclose(whole.read(whole.keep(rows)), rows))
    True
    """

    mean: np.ndarray
    basis: np.ndarray  # model size x dims, orthonormal columns
    int8: bool = False

    def keep(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """What an index would store per token: coordinates (int8 codes and scales)."""
        coords = (rows - self.mean) @ self.basis
        if self.int8:
            return quantise(coords)
        return coords.astype(np.float32), None

    def read(self, kept: tuple[np.ndarray, np.ndarray | None]) -> np.ndarray:
        coords, scale = kept
        values = dequantise(coords, scale) if scale is not None else coords
        return unit(self.mean + values @ self.basis.T)


def fit_reduction(rows: np.ndarray, dims: int, int8: bool = False) -> Reduction:
    """The first `dims` principal directions of `rows` (centred), and their mean."""
    mean = rows.mean(axis=0)
    centred = rows - mean
    values, vectors = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(values)[::-1][:dims]
    return Reduction(mean, vectors[:, order], int8)


def reduction_of(name: str, rows: np.ndarray) -> Reduction:
    """`Reduction` for a name "PCA D" or "PCA D int8"."""
    words = name.split()
    return fit_reduction(rows, int(words[1]), words[-1] == "int8")


# ---------------------------------------------------------------- the model's tokens


class Encoder:
    """The shipped MiniLM's token vectors per text, each text encoded once (kept on disk
    in `cache`, an .npz, when given)."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache
        self.kept: dict[str, Tokens] = {}
        self.model: Any = None
        if cache is not None and cache.exists():
            with np.load(cache) as data:  # each key read once (a read per text is costly)
                names = json.loads(str(data["texts"]))
                lengths, vectors, pieces = data["lengths"], data["vectors"], data["pieces"]
            ends = np.cumsum(lengths)
            for text, start, end in zip(names, ends - lengths, ends, strict=True):
                self.kept[text] = Tokens(vectors[start:end].copy(), pieces[start:end].copy())

    def _load(self) -> Any:
        if self.model is None:
            from sentence_transformers import SentenceTransformer

            from kg.embed.models import DEFAULT_MODEL, find_model_folder

            self.model = SentenceTransformer(str(find_model_folder(DEFAULT_MODEL)), device="cpu")
        return self.model

    def encode(self, texts: list[str]) -> list[Tokens]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.kept]
        if missing:
            model = self._load()
            rows = model.encode(
                missing, output_value="token_embeddings", batch_size=32, show_progress_bar=False
            )
            for text, matrix in zip(missing, rows, strict=True):
                ids = model.tokenizer(text, truncation=True, max_length=model.max_seq_length)
                matrix = np.asarray(matrix, dtype=np.float32)
                pieces = np.asarray(ids["input_ids"][: len(matrix)])[1:-1]
                matrix = matrix[1:-1]
                if not len(matrix):
                    matrix, pieces = np.zeros((1, 384), dtype=np.float32), np.array([-1])
                self.kept[text] = Tokens(unit(matrix), pieces)
            if self.cache is not None:
                self.save()
        return [self.kept[t] for t in texts]

    def save(self) -> None:
        assert self.cache is not None
        names = list(self.kept)
        np.savez(
            self.cache,
            texts=json.dumps(names),
            lengths=np.array([len(self.kept[t].pieces) for t in names]),
            vectors=np.vstack([self.kept[t].vectors for t in names]),
            pieces=np.concatenate([self.kept[t].pieces for t in names]),
        )

    def stop_pieces(self) -> frozenset[int]:
        """Word pieces that are kg's stop words (whole words) or punctuation."""
        from kg.text import stopwords

        vocab = self._load().tokenizer.get_vocab()
        stop = stopwords()
        return frozenset(
            i
            for piece, i in vocab.items()
            if (not piece.startswith("##") and piece in stop)
            or not any(ch.isalnum() for ch in piece)
        )


# ---------------------------------------------------------------- the scores


@dataclass(frozen=True)
class Setting:
    """How one variant reads a claim and its candidates."""

    weights: dict[int, float] | None = None  # IDF per piece (None: the plain mean)
    unseen: float = 0.0  # the weight of a piece no candidate text holds
    reverse: bool = False
    pooled: bool = False
    stop: frozenset[int] = frozenset()


def _kept(tokens: Tokens, stop: frozenset[int]) -> Tokens:
    if not stop:
        return tokens
    keep = ~np.isin(tokens.pieces, list(stop))
    return Tokens(tokens.vectors[keep], tokens.pieces[keep]) if keep.any() else tokens


def variant_scores(claim: Tokens, candidates: list[list[Tokens]], setting: Setting) -> np.ndarray:
    """One score per candidate (see the module's list).

    >>> e = np.eye(3)
    >>> claim = Tokens(e[:2], np.array([1, 2]))
    >>> one, two = Tokens(e[:1], np.array([1])), Tokens(e[1:2], np.array([2]))
    >>> variant_scores(claim, [[one, two]], Setting()).tolist()
    [0.5]
    >>> variant_scores(claim, [[one, two]], Setting(pooled=True)).tolist()
    [1.0]
    """
    query = _kept(claim, setting.stop)
    weight = None
    if setting.weights is not None:
        weight = np.array([setting.weights.get(int(p), setting.unseen) for p in query.pieces])
        total = weight.sum()
        weight = weight / total if total > 0 else np.full(len(weight), 1 / len(weight))
    out = np.zeros(len(candidates))
    for i, texts in enumerate(candidates):
        each = [_kept(t, setting.stop).vectors for t in texts]
        if setting.pooled:
            each = [np.vstack(each)] if each else []
        for rows in each:
            if setting.reverse:
                score = max_sim(rows, query.vectors)
            else:
                score = max_sim(query.vectors, rows, weight)
            out[i] = max(out[i], score)
    return out


def idf_weights(documents: list[Tokens]) -> tuple[dict[int, float], float]:
    """Each word piece's IDF over `documents` (distinct texts), at least 0, and the weight
    of a piece none of them holds (as the rarest).

    >>> one, two = Tokens(np.eye(2), np.array([1, 2])), Tokens(np.eye(2), np.array([1, 3]))
    >>> weights, unseen = idf_weights([one, two])
    >>> weights[1] < weights[2] == weights[3] < unseen
    True
    """
    frequency: dict[int, int] = {}
    for doc in documents:
        for piece in set(doc.pieces.tolist()):
            frequency[piece] = frequency.get(piece, 0) + 1
    total = len(documents)
    weights = {p: max(math.log((total + 1) / (f + 0.5)), 0.0) for p, f in frequency.items()}
    return weights, math.log((total + 1) / 0.5)


def split_name(name: str) -> tuple[str, str | None]:
    """A variant's name as (variant, reduction): "PCA D..." alone is the max-sim read from
    reduced vectors, "VARIANT @ PCA D..." any variant so.

    >>> split_name("reverse @ PCA 64 int8"), split_name("PCA 128"), split_name("reverse")
    (('reverse', 'PCA 64 int8'), ('max-sim', 'PCA 128'), ('reverse', None))
    """
    base, _, reduced = name.partition(" @ ")
    if base in REDUCED:
        return "max-sim", base
    return base, reduced or None


def add_token_scores(
    cases: list[Case],
    texts: list[dict],
    names: list[str],
    cache: Path | None = None,
    basis: list[str] | None = None,
) -> None:
    """Add `PREFIX + name` to every case's scores for each of `names` (of `VARIANTS`, or
    "VARIANT @ REDUCTION" with a reduction of `REDUCED`); the PCA fitted on the token
    vectors of `basis` (texts of another corpus) when given, else of every candidate text."""
    unknown = [
        n
        for n in names
        if split_name(n)[0] not in PLAIN or split_name(n)[1] not in (None, *REDUCED)
    ]
    if unknown:
        raise SystemExit(f"unknown token variants {unknown}; known: {list(VARIANTS)}")
    encoder = Encoder(cache)
    claims = encoder.encode([t["claim"] for t in texts])
    distinct = sorted({x for t in texts for each in t["candidates"] for x in each})
    candidate_tokens = dict(zip(distinct, encoder.encode(distinct), strict=True))
    fitted = encoder.encode(sorted(set(basis))) if basis else list(candidate_tokens.values())
    every_row = np.vstack([t.vectors for t in fitted])
    stop = encoder.stop_pieces() if any("no stop words" in n for n in names) else frozenset()
    read: dict[str | None, dict[str, Tokens]] = {None: candidate_tokens}
    for name in names:
        variant, reduced = split_name(name)
        if reduced not in read:
            assert reduced is not None
            # fitted on the candidate texts' token vectors only: no claim, no label
            reduction = reduction_of(reduced, every_row)
            read[reduced] = {
                x: Tokens(reduction.read(reduction.keep(t.vectors)), t.pieces)
                for x, t in candidate_tokens.items()
            }
        lookup = read[reduced]
        settings: dict[str, Setting] = {}
        for task in TASKS:
            if variant == "IDF-weighted":
                own = {x for c, t in zip(cases, texts, strict=True) if c.task == task
                       for each in t["candidates"] for x in each}  # fmt: skip
                weights, unseen = idf_weights([candidate_tokens[x] for x in own])
                settings[task] = Setting(weights=weights, unseen=unseen)
            else:
                settings[task] = Setting(
                    reverse=variant == "reverse",
                    pooled=variant == "pooled texts",
                    stop=stop if variant == "no stop words" else frozenset(),
                )
        for case, text, claim in zip(cases, texts, claims, strict=True):
            rows = [[lookup[x] for x in each] for each in text["candidates"]]
            case.scores[PREFIX + name] = variant_scores(claim, rows, settings[case.task])


# ---------------------------------------------------------------- closeness report


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Rank correlation (ties by average rank); 1 when either is level."""
    from scipy.stats import spearmanr

    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 1.0
    return float(spearmanr(a, b).statistic)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--cache", type=Path, help="keep the token vectors here (.npz)")
    parser.add_argument("--basis", type=Path, help="fit the PCA on these texts (JSON list)")
    args = parser.parse_args()
    basis = json.loads(args.basis.read_text()) if args.basis else None
    cases = load_cases(args.cases)
    texts = json.loads(args.cases.with_suffix(".texts.json").read_text(encoding="utf-8"))
    add_token_scores(cases, texts, list(VARIANTS), args.cache, basis)
    full = PREFIX + "max-sim"
    gap = max(float(np.abs(c.scores[full] - c.scores[TOKEN_MAX_SIM]).max()) for c in cases)
    same = sum(
        top_hit(c.scores[full], c.truth)[0] == top_hit(c.scores[TOKEN_MAX_SIM], c.truth)[0]
        for c in cases
    )
    print(f"recomputed max-sim vs the kept row: largest difference {gap:.2e}; ")
    print(f"the same hit on {same} of {len(cases)} cases\n")
    print("| variant | task | recall@1 alone | rank corr. with full: mean | min | same first |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name in (TOKEN_MAX_SIM, *(PREFIX + v for v in VARIANTS)):
        for task in TASKS:
            own = [c for c in cases if c.task == task]
            hit = np.mean([top_hit(c.scores[name], c.truth)[0] for c in own])
            rho = [spearman(c.scores[name], c.scores[full]) for c in own]
            first = np.mean([np.argmax(c.scores[name]) == np.argmax(c.scores[full]) for c in own])
            print(
                f"| {name.removeprefix(PREFIX)} | {task} ({len(own)}) | {hit:.3f} | "
                f"{np.mean(rho):.3f} | {np.min(rho):.3f} | {first:.3f} |"
            )


if __name__ == "__main__":
    main()
