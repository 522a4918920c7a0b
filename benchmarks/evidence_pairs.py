"""Training pairs a kg corpus holds without any hand label, and a contrastive fit of the
shipped MiniLM on them (benchmarks/evidence_tuned.py measures the fitted model held out).

A pair is a text that cites a note and the cited note's text:

- ``sentence``: a body sentence of a note that names another note of the corpus by its
  title (a declared source, a related concept, or any other note or stub named inside the
  sentence), the title cut out as the masked-citation task cuts it; the hard negatives are
  the note's other declared sources the sentence does not name;
- ``claim``: a note's one-line claim and each of its declared sources (no hard
  negatives: every declared source is one the claim rests on);
- ``summary``: the text a note quotes a declared source by (an inquiring line's summary of
  it, a related concept's annotation) when it is more than the title, and the source's
  own texts; the hard negatives are the note's other declared sources.

The cited note's text is what the plain model reads of a candidate in the benchmark: the
text it is quoted by, then its description, claim and body sentences.

Every pair keeps its note (``group``: "corpus/note id", as bench_evidence.py groups the
masked citations) and the sentence it came from unmasked (``sentence``), so a fit can leave
out the notes of an evaluated half and any sentence a held-out claim was written from.

>>> masked_sentence("In Alpha beta, errors cancel.", ["Alpha beta"])
'In , errors cancel.'
"""

from __future__ import annotations

import math
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from kg.query.candidates import declared_sources
from kg.sentences import split_sentences

# Titles shorter than this are not matched inside sentences (too many false mentions).
SHORTEST_TITLE = 12
# The fit: epochs over the pairs, learning rate, pairs per batch, hard negatives kept per
# pair, tokens read of each text, the softmax scale of the cosines (as sentence-transformers'
# MultipleNegativesRankingLoss).
EPOCHS = 3
LEARNING_RATE = 2e-5
BATCH = 16
HARD_NEGATIVES = 2
MAX_TOKENS = 128
SCALE = 20.0


@dataclass(frozen=True)
class Pair:
    """One citing text and the note it cites."""

    group: str  # the citing note, "corpus/note id"
    kind: str  # "sentence" or "claim"
    anchor: str  # the citing text, the cited title cut out
    sentence: str  # the citing sentence (or claim) as written
    cited: str  # "corpus/note id" of the cited note
    positive: tuple[str, ...]  # the cited note's texts (quoted text first)
    negatives: tuple[tuple[str, ...], ...] = ()  # other declared sources' texts
    not_negative: frozenset[str] = frozenset()  # notes the anchor also names or rests on


def masked_sentence(sentence: str, titles: list[str]) -> str:
    """The sentence with each title cut out (as bench_trace.py masks a citation)."""
    for title in titles:
        sentence = sentence.replace(title, " ")
    return re.sub(r"\s{2,}", " ", sentence).strip()


def note_texts(note: Any, quoted: str) -> tuple[str, ...]:
    """The quoted text, then the note's description, claim and body sentences."""
    texts = [quoted, note.description, note.claim]
    texts += [s for p in note.body for _, _, s in split_sentences(p.text)]
    return tuple(dict.fromkeys(t for t in texts if t and t.strip()))


def corpus_pairs(corpus: Path, work: Path) -> list[Pair]:
    """Every pair of one corpus (kg.load without vectors, the index kept in `work`)."""
    graph = kg.load(corpus, index=work / f"pairs-{corpus.name}", embed="none")
    notes = {n.id: n for n in graph.notes()}
    titled = {n.title: n for n in notes.values() if n.title and len(n.title) >= SHORTEST_TITLE}
    out: list[Pair] = []
    for note in graph.notes(stubs=False):
        group = f"{corpus.name}/{note.id}"
        declared = {c.note.id: c for c in declared_sources(graph, note)}
        texts = {key: note_texts(c.note, c.text) for key, c in declared.items()}
        if note.claim:
            for key in declared:
                out.append(
                    Pair(
                        group,
                        "claim",
                        note.claim,
                        note.claim,
                        f"{corpus.name}/{key}",
                        texts[key],
                        (),
                        frozenset(f"{corpus.name}/{k}" for k in declared),
                    )
                )
        for key, candidate in declared.items():
            own = note_texts(candidate.note, "")
            if candidate.note.stub or not own or candidate.text in (candidate.note.title, ""):
                continue
            others = tuple(texts[k] for k in declared if k != key)
            out.append(
                Pair(
                    group,
                    "summary",
                    candidate.text,
                    candidate.text,
                    f"{corpus.name}/{key}",
                    own,
                    others,
                )
            )
        for paragraph in note.body:
            for _, _, sentence in split_sentences(paragraph.text):
                named = [n for t, n in titled.items() if t in sentence and n.id != note.id]
                if not named:
                    continue
                masked = masked_sentence(sentence, [n.title for n in named])
                if len(masked.split()) < 3:
                    continue
                names = frozenset(f"{corpus.name}/{n.id}" for n in named)
                others = tuple(texts[k] for k in declared if k not in {n.id for n in named})
                for cited in named:
                    positive = texts.get(cited.id) or note_texts(cited, cited.title)
                    out.append(
                        Pair(
                            group,
                            "sentence",
                            masked,
                            sentence,
                            f"{corpus.name}/{cited.id}",
                            positive,
                            others,
                            names,
                        )
                    )
    return out


def allowed(pairs: list[Pair], groups: set[str], sentences: set[str]) -> list[Pair]:
    """The pairs a fit may see when `groups` (citing notes) and `sentences` (texts a held-out
    claim was written from) are evaluated: no pair of those notes, none whose citing text is
    one of those sentences, and those sentences cut out of every cited note's texts."""

    def keep(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t for t in texts if t not in sentences)

    out = []
    for pair in pairs:
        if pair.group in groups or pair.sentence in sentences:
            continue
        positive = keep(pair.positive)
        if not positive:
            continue
        negatives = tuple(n for n in (keep(x) for x in pair.negatives) if n)
        out.append(
            Pair(
                pair.group,
                pair.kind,
                pair.anchor,
                pair.sentence,
                pair.cited,
                positive,
                negatives,
                pair.not_negative,
            )
        )
    return out


def whole(texts: tuple[str, ...]) -> str:
    """A candidate's whole text, as the plain model reads it in the benchmark."""
    return " ".join(texts)


def fit(pairs: list[Pair], folder: Path, seed: int = 0, epochs: int = EPOCHS) -> Any:
    """A copy of the model in `folder` fitted on `pairs`: each anchor's cosine to its cited
    note against every other cited note and hard negative of the batch (softmax at `SCALE`,
    cross-entropy), AdamW at `LEARNING_RATE` with a linear warm-up over the first tenth of
    the steps; texts cut at `MAX_TOKENS` tokens. Returns the SentenceTransformer (eval mode)."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(folder), device="cpu")
    model.max_seq_length = MAX_TOKENS
    model.train()

    def embed(texts: list[str]) -> Any:
        return model(model.tokenize(texts))["sentence_embedding"]

    _loop(pairs, embed, list(model.parameters()), seed, epochs, LEARNING_RATE)
    model.eval()
    model.max_seq_length = 256
    return model


def _loop(
    pairs: list[Pair], embed: Any, parameters: list, seed: int, epochs: int, rate: float
) -> None:
    """The contrastive fit of `fit` and `fit_top`: `embed(texts)` gives unit vectors with
    gradients into `parameters`."""
    import torch

    rng = np.random.default_rng(seed)
    steps = epochs * math.ceil(len(pairs) / BATCH)
    optimiser = torch.optim.AdamW(parameters, lr=rate, weight_decay=0.01)
    warm = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )

    started = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(len(pairs))
        total = 0.0
        for at in range(0, len(order), BATCH):
            batch = [pairs[i] for i in order[at : at + BATCH]]
            columns: list[str] = []
            keys: list[str] = []
            for pair in batch:
                columns.append(whole(pair.positive))
                keys.append(pair.cited)
            for pair in batch:
                picks = rng.permutation(len(pair.negatives))[:HARD_NEGATIVES]
                for p in picks:
                    columns.append(whole(pair.negatives[p]))
                    keys.append("")  # a hard negative: another declared source
            anchors = embed([p.anchor for p in batch])
            candidates = embed(columns)
            anchors = torch.nn.functional.normalize(anchors, dim=-1)
            candidates = torch.nn.functional.normalize(candidates, dim=-1)
            logits = SCALE * anchors @ candidates.T
            mask = torch.zeros_like(logits, dtype=torch.bool)
            for i, pair in enumerate(batch):
                for j, key in enumerate(keys):
                    if j != i and key and (key == pair.cited or key in pair.not_negative):
                        mask[i, j] = True  # the same note, or one the anchor also cites
            logits = logits.masked_fill(mask, float("-inf"))
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
        print(
            f"  epoch {epoch + 1}: loss {total / max(1, len(pairs)):.3f} "
            f"({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )


# ---------------------------------------------------------------- the light alternative

# The adapter's penalty on its distance from the identity, tried within the training pairs
# (their notes split in two, fitted on one part, scored on the other: `fit_adapter`).
ADAPTER_PENALTIES = (0.01, 0.1, 1.0)
ADAPTER_STEPS = 300


@dataclass(frozen=True)
class Adapter:
    """A linear map on the frozen model's unit vectors, x -> (x + x D) scaled to length 1,
    applied alike to a claim and to a candidate's texts.

    >>> Adapter(np.zeros((2, 2))).apply(np.array([[3.0, 4.0]])).tolist()
    [[0.6, 0.8]]
    """

    delta: np.ndarray

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        moved = vectors + vectors @ self.delta
        return moved / np.maximum(np.linalg.norm(moved, axis=1, keepdims=True), 1e-9)


def _pair_tensors(pairs: list[Pair], vector: Any) -> tuple[Any, Any, Any]:
    """Anchors, candidate columns (every pair's cited note, then every hard negative) and
    the mask of columns that are not negatives for each anchor, as torch tensors."""
    import torch

    columns: list[tuple[str, str]] = [(whole(p.positive), p.cited) for p in pairs]
    for pair in pairs:
        columns += [(whole(n), "") for n in pair.negatives]
    anchors = torch.tensor(np.vstack([vector(p.anchor) for p in pairs]), dtype=torch.float32)
    candidates = torch.tensor(np.vstack([vector(t) for t, _ in columns]), dtype=torch.float32)
    mask = torch.zeros((len(pairs), len(columns)), dtype=torch.bool)
    for i, pair in enumerate(pairs):
        for j, (_, key) in enumerate(columns):
            if j != i and key and (key == pair.cited or key in pair.not_negative):
                mask[i, j] = True
    return anchors, candidates, mask


def _adapter_loss(delta: Any, anchors: Any, candidates: Any, mask: Any) -> Any:
    import torch

    def moved(x: Any) -> Any:
        return torch.nn.functional.normalize(x + x @ delta, dim=-1)

    logits = (SCALE * moved(anchors) @ moved(candidates).T).masked_fill(mask, float("-inf"))
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(anchors)))


def _adapter(pairs: list[Pair], vector: Any, penalty: float, seed: int) -> Adapter:
    import torch

    torch.manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small products: threads only wait on each other
    anchors, candidates, mask = _pair_tensors(pairs, vector)
    delta = torch.zeros((anchors.shape[1], anchors.shape[1]), requires_grad=True)
    optimiser = torch.optim.Adam([delta], lr=1e-3)
    for _ in range(ADAPTER_STEPS):
        loss = _adapter_loss(delta, anchors, candidates, mask) + penalty * (delta**2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    torch.set_num_threads(threads)
    return Adapter(delta.detach().numpy().astype(np.float32))


def own_recall(adapter: Adapter, pairs: list[Pair], vector: Any) -> float:
    """Recall@1 of each pair's cited note among it and its hard negatives (pairs without
    hard negatives: among every cited note of `pairs` it does not also name)."""
    cited = {p.cited: whole(p.positive) for p in pairs}
    hits = []
    for pair in pairs:
        texts = [whole(pair.positive)] + [whole(n) for n in pair.negatives]
        if not pair.negatives:
            texts += [t for k, t in cited.items() if k != pair.cited and k not in pair.not_negative]
        rows = adapter.apply(np.vstack([vector(t) for t in texts]))
        query = adapter.apply(vector(pair.anchor)[None, :])[0]
        scores = rows @ query
        hits.append(float(scores[0] >= scores[1:].max()) if len(scores) > 1 else 1.0)
    return float(np.mean(hits)) if hits else 0.0


def fit_adapter(
    pairs: list[Pair], vector: Any, seed: int = 0
) -> tuple[Adapter, float, dict[float, float]]:
    """The adapter fitted on every pair at the penalty that does best within them: their
    citing notes split in two (seeded), fitted on one part and scored on the other
    (`own_recall`), both ways round; ties go to the larger penalty (nearer the plain model).
    `vector(text)` is the frozen model's unit vector of a text. Returns the adapter, its
    penalty and each penalty's merit (0: the plain model, no adapter)."""
    groups = sorted({p.group for p in pairs})
    np.random.default_rng(seed).shuffle(groups)
    first = set(groups[: len(groups) // 2])
    parts = [[p for p in pairs if p.group in first], [p for p in pairs if p.group not in first]]
    merit = {}
    for penalty in ADAPTER_PENALTIES:
        scores = []
        for a, b in ((0, 1), (1, 0)):
            scores.append(own_recall(_adapter(parts[a], vector, penalty, seed), parts[b], vector))
        merit[penalty] = float(np.mean(scores))
    best = max(ADAPTER_PENALTIES, key=lambda p: (merit[p], p))
    identity = Adapter(np.zeros((len(vector(pairs[0].anchor)),) * 2, dtype=np.float32))
    merit[0.0] = float(np.mean([own_recall(identity, part, vector) for part in parts]))
    return _adapter(pairs, vector, best, seed), best, merit


# ---------------------------------------------------------------- the top layers only

# How many of the model's top transformer layers a fit changes (`fit_top`); the layers
# below are frozen and each text's hidden states under them computed once. With so few
# pairs (about 150 a half, some 40 steps) the top layer gets more epochs and a larger
# rate than `fit`'s; both set before any held-out figure was seen.
TOP_LAYERS = 1
TOP_EPOCHS = 4
TOP_LEARNING_RATE = 5e-5


class TopLayers:
    """The model's `layers` top layers run on kept hidden states from below them.

    `encode(texts)` gives the unit sentence vectors the whole model gives (mean of the
    token states, scaled to length 1), gradients flowing into the top layers only."""

    def __init__(self, model: Any, layers: int) -> None:
        self.model = model
        self.bert = model[0].auto_model
        self.top = list(self.bert.encoder.layer)[-layers:]
        self.below = len(self.bert.encoder.layer) - layers
        self.kept: dict[str, Any] = {}

    def keep(self, texts: list[str]) -> None:
        import torch

        missing = [t for t in dict.fromkeys(texts) if t not in self.kept]
        with torch.no_grad():
            for at in range(0, len(missing), 32):
                batch = missing[at : at + 32]
                features = self.model.tokenize(batch)
                out = self.bert(
                    input_ids=features["input_ids"],
                    attention_mask=features["attention_mask"],
                    token_type_ids=features.get("token_type_ids"),
                    output_hidden_states=True,
                )
                states = out.hidden_states[self.below]
                for i, text in enumerate(batch):
                    size = int(features["attention_mask"][i].sum())
                    self.kept[text] = states[i, :size].clone()

    def encode(self, texts: list[str]) -> Any:
        import torch

        self.keep(texts)
        rows = [self.kept[t] for t in texts]
        size = max(len(r) for r in rows)
        states = torch.zeros((len(rows), size, rows[0].shape[1]))
        mask = torch.zeros((len(rows), size), dtype=torch.long)
        for i, r in enumerate(rows):
            states[i, : len(r)] = r
            mask[i, : len(r)] = 1
        full, _ = self.bert._create_attention_masks(
            attention_mask=mask,
            encoder_attention_mask=None,
            embedding_output=states,
            encoder_hidden_states=None,
            cache_position=torch.arange(size),
            past_key_values=None,
        )
        hidden = states
        for layer in self.top:
            hidden = layer(hidden, attention_mask=full)
        weights = mask.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


def fit_top(
    pairs: list[Pair],
    folder: Path,
    seed: int = 0,
    epochs: int = TOP_EPOCHS,
    layers: int = TOP_LAYERS,
    rate: float = TOP_LEARNING_RATE,
) -> Any:
    """`fit` with only the top `layers` layers changed (the rest frozen, their outputs kept
    per text): the same loss and schedule, a fraction of the CPU time."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(folder), device="cpu")
    model.max_seq_length = MAX_TOKENS
    runner = TopLayers(model, layers)
    for parameter in model.parameters():
        parameter.requires_grad = False
    trained = [p for layer in runner.top for p in layer.parameters()]
    for parameter in trained:
        parameter.requires_grad = True
    for layer in runner.top:
        layer.train()
    _loop(pairs, runner.encode, trained, seed, epochs, rate)
    model.eval()
    model.max_seq_length = 256
    return model
