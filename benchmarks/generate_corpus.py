#!/usr/bin/env python3
"""Deterministic synthetic corpus generator for ``kg`` benchmarks.

Writes pages that follow the line structures of the real notes site (see
``../shared/PAGE-FORMATS.md`` and the seed pages in ``../shared/seeds/``):
synthesis notes, inquiring lines, paper pages, topic pages and topic hubs, each
in the *banner* or the *main-text* variant, plus a share of synthesis notes and
inquiring lines written as Markdown with YAML front matter and ``[[wikilinks]]``.

Usage::

    python benchmarks/generate_corpus.py OUT_DIR --pages 10000 --seed 7 \\
        [--markdown-share 0.1] [--truncated-share 0.01]

or from Python::

    from benchmarks.generate_corpus import generate
    counts = generate(Path("/tmp/corpus"), pages=1000, seed=7)

Files are written flat into OUT_DIR as ``NNNNN_<type>_<variant>.txt`` (or
``.md``), with type in {synthesis, line, paper, topic, hub} and variant in
{banner, main, markdown}. Files from an earlier run that match this naming
pattern are removed first; nothing else in OUT_DIR is touched.

The output depends only on the arguments (one ``random.Random(seed)``, no
clock, no iteration over sets), so the same seed gives byte-identical pages.
Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import itertools
import json
import math
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

CATEGORIES = (
    "Model Architecture and Internals",
    "Training, RL, and Test-Time Scaling",
    "Reasoning, Retrieval, and Evaluation",
    "Agentic Systems and Tool Use",
    "Psychology, Society, and Alignment",
)

COLLECTIONS = (
    "Training Fine Tuning",
    "Reasoning Evaluation",
    "Agents Tool Use",
    "Interpretability Internals",
    "Alignment Society",
    "Retrieval Memory",
    "Scaling Inference",
    "Reward Modeling",
    "Multimodal Perception",
    "Human AI Interaction",
    "Data Curation",
    "Safety Red Teaming",
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

RELATION_LABELS = (
    "mechanism",
    "partially contradicted",
    "qualified",
    "strongest evidence",
    "extends",
    "contradicts",
    "supports",
    "example",
    "",
)

CLUSTERS = ("dense", "dense", "sparse", "moderate")

PAPER_TAGS = (
    "Reasoning",
    "Critiques",
    "Flaws",
    "Reinforcement Learning",
    "Agents",
    "Tool Use",
    "Interpretability",
    "Alignment",
    "Evaluation",
    "Benchmarks",
    "Retrieval",
    "RAG",
    "Memory",
    "Chain of Thought",
    "Scaling Laws",
    "Fine-Tuning",
    "Distillation",
    "Reward Modeling",
    "Safety",
    "Multimodal",
    "Long Context",
    "Synthetic Data",
    "Self-Improvement",
    "Hallucination",
    "Calibration",
    "Planning",
    "Theory of Mind",
    "Persona",
    "Social Simulation",
    "Code Generation",
    "Mathematics",
    "Efficiency",
    "Mixture of Experts",
    "Attention",
    "Tokenization",
    "Pretraining",
    "Data Curation",
    "Human-AI Interaction",
    "Education",
    "Creativity",
)

ALIASES = (
    "this note",
    "the earlier result",
    "prior work",
    "the elicitation view",
    "that finding",
    "the counter-evidence",
    "a related note",
    "the baseline story",
)

VOCAB: dict[str, tuple[str, ...]] = {
    "method": (
        "chain-of-thought prompting",
        "process reward modeling",
        "self-consistency decoding",
        "RLVR",
        "DPO",
        "supervised fine-tuning",
        "activation steering",
        "sparse autoencoder probing",
        "retrieval augmentation",
        "tool-use scaffolding",
        "majority voting",
        "best-of-n sampling",
        "curriculum learning",
        "distillation from reasoning traces",
        "reflection prompting",
        "tree search at inference",
        "critique fine-tuning",
        "constitutional training",
        "mixture-of-experts routing",
        "long-context pretraining",
        "speculative decoding",
        "self-play",
        "preference optimization",
        "reward-model ensembling",
        "verifier-guided search",
        "synthetic data generation",
        "instruction tuning",
        "in-context learning",
        "agent memory",
        "latent reasoning",
        "entropy regularization",
        "KL-constrained RL",
        "GRPO",
        "rejection sampling fine-tuning",
        "model merging",
        "LoRA adaptation",
        "persona prompting",
        "debate between models",
        "LLM-as-a-judge",
        "multi-agent collaboration",
        "prompt optimization",
        "test-time training",
        "length penalization",
        "budget forcing",
        "early exiting",
        "quantization",
        "knowledge editing",
        "contrastive decoding",
        "representation engineering",
        "step-level verification",
        "outcome reward modeling",
        "hint injection",
        "iterative self-refinement",
        "plan-then-execute prompting",
        "graph-based retrieval",
        "query rewriting",
        "reranking",
        "continual pretraining",
        "data deduplication",
        "RLHF",
    ),
    "capability": (
        "multi-step reasoning",
        "calibration",
        "factual recall",
        "planning",
        "tool selection",
        "self-correction",
        "theory of mind",
        "long-horizon agency",
        "code generation",
        "mathematical reasoning",
        "abstention",
        "instruction following",
        "compositional generalization",
        "faithful explanation",
        "uncertainty estimation",
        "persona consistency",
        "retrieval precision",
        "causal inference",
        "analogical reasoning",
        "error detection",
        "commonsense inference",
        "counterfactual reasoning",
        "long-context recall",
        "arithmetic accuracy",
        "strategic deception detection",
        "goal tracking",
        "state tracking",
        "spatial reasoning",
        "temporal reasoning",
        "answer verification",
        "clarification seeking",
        "knowledge integration",
        "exploration",
        "memory consolidation",
        "summarization fidelity",
        "argument evaluation",
        "moral judgment",
        "social reasoning",
        "creative writing",
        "proof search",
        "hypothesis generation",
        "task decomposition",
        "reward estimation",
        "belief revision",
        "sycophancy resistance",
        "refusal accuracy",
        "cross-lingual transfer",
        "domain adaptation",
        "concept abstraction",
        "self-knowledge",
    ),
    "setting": (
        "low-resource domains",
        "multi-turn dialogue",
        "open-ended tasks",
        "agentic benchmarks",
        "long-context retrieval",
        "small models",
        "multilingual settings",
        "adversarial prompts",
        "out-of-distribution problems",
        "medical question answering",
        "web navigation",
        "scientific discovery",
        "negotiation games",
        "code repositories",
        "legal analysis",
        "math olympiad problems",
        "customer support",
        "education",
        "embodied tasks",
        "spreadsheet manipulation",
        "theorem proving",
        "chemistry planning",
        "financial forecasting",
        "social simulations",
        "puzzle games",
        "survey research",
        "peer review",
        "software engineering",
        "data analysis",
        "travel planning",
        "clinical notes",
        "creative collaboration",
        "policy writing",
        "translation",
        "search engines",
        "robotics instructions",
        "game playing",
        "fact checking",
        "tutoring dialogues",
        "enterprise workflows",
    ),
    "models": (
        "reasoning models",
        "base models",
        "small language models",
        "instruction-tuned models",
        "LLM agents",
        "multimodal models",
        "distilled students",
        "reward models",
        "judge models",
        "chat models",
        "mixture-of-experts models",
        "retrieval-augmented models",
        "frontier models",
        "open-weight models",
        "code models",
        "thinking models",
        "long-context models",
        "persona agents",
        "tool-using agents",
        "multi-agent systems",
        "aligned models",
        "pretrained transformers",
        "state-space models",
        "diffusion language models",
    ),
    "verb": (
        "overthink",
        "hallucinate",
        "collapse into one strategy",
        "ignore retrieved context",
        "abandon correct answers",
        "over-trust their own outputs",
        "lose calibration",
        "drift from their persona",
        "fail to abstain",
        "underthink",
        "reward-hack",
        "forget prior skills",
        "contradict themselves",
        "copy surface patterns",
        "degrade",
        "loop on failed plans",
        "give up early",
        "agree with the user",
        "invent tool results",
        "stop exploring",
        "skip verification",
        "misread instructions",
        "confuse correlation with cause",
        "repeat the prompt",
        "lose track of state",
        "answer too quickly",
        "refuse harmless requests",
        "leak their reasoning",
        "overfit to format",
        "misjudge difficulty",
    ),
    "condition": (
        "the reward signal is sparse",
        "context grows beyond a few thousand tokens",
        "trained on synthetic data",
        "the prompt contains irrelevant details",
        "the task is underspecified",
        "feedback comes only from themselves",
        "difficulty exceeds their training distribution",
        "scaled past 70B parameters",
        "tools return noisy results",
        "evaluated with continuous metrics",
        "the answer format changes",
        "the user pushes back",
        "several agents share memory",
        "demonstrations contain errors",
        "the verifier is weak",
        "reasoning chains get long",
        "retrieval returns conflicting documents",
        "the domain is unfamiliar",
        "instructions conflict",
        "the budget is fixed",
        "labels are noisy",
        "the persona is adversarial",
        "the environment changes mid-task",
        "examples are ordered by difficulty",
        "the judge is the same model",
        "prompts are paraphrased",
        "the horizon exceeds ten steps",
        "training data is deduplicated",
        "temperature is low",
        "the question is ambiguous",
    ),
    "resource": (
        "human labels",
        "external rewards",
        "a verifier",
        "explicit chain-of-thought",
        "ground-truth answers",
        "reward models",
        "demonstrations",
        "tool access",
        "fine-tuning",
        "retrieval",
        "human feedback",
        "curated exemplars",
        "a teacher model",
        "labelled preferences",
        "process supervision",
    ),
    "factor": (
        "pretraining data frequency",
        "model scale",
        "context length",
        "reasoning length",
        "prompt format",
        "tokenizer choice",
        "data diversity",
        "sampling temperature",
        "reward sparsity",
        "training compute",
        "the number of demonstrations",
        "task difficulty",
        "attention sparsity",
        "layer depth",
        "embedding geometry",
        "instruction complexity",
        "retrieval depth",
        "feedback latency",
        "dataset contamination",
        "vocabulary size",
    ),
    "quality": (
        "learned or elicited",
        "real or a measurement artifact",
        "robust or brittle",
        "general or domain-specific",
        "causal or merely correlational",
        "transferable or task-bound",
        "stable or emergent",
        "genuine or performative",
    ),
    "mechanism": (
        "implicit majority voting",
        "entropy collapse",
        "latent feature steering",
        "routing of a small subset of tokens",
        "a shift in output format",
        "distribution sharpening",
        "reward hacking",
        "attention sink formation",
        "shortcut learning",
        "consensus denoising",
        "sparse parameter updates",
        "calibration drift",
        "position bias",
        "self-preference bias",
        "memorization of surface templates",
        "error compounding over long horizons",
        "mode collapse",
        "gradient starvation on hard examples",
        "over-reliance on parametric memory",
        "goal misgeneralization",
        "procedural knowledge reuse",
        "induction head formation",
        "superposition of features",
        "early answer commitment",
        "format priming",
        "latent capability elicitation",
        "a generation-verification gap",
        "diversity collapse",
        "spurious correlation",
        "feature competition across layers",
    ),
    "adverb": (
        "consistently",
        "mostly",
        "only partially",
        "reliably",
        "surprisingly often",
        "rarely",
        "sharply",
        "quietly",
    ),
    "approach": (
        "a training recipe",
        "a decoding strategy",
        "a benchmark",
        "a reward formulation",
        "an agent framework",
        "a probing method",
        "a data pipeline",
        "an evaluation protocol",
        "a retrieval architecture",
        "a self-play loop",
    ),
}

TITLE_TEMPLATES = (
    "Does {method} improve {capability} in {setting}?",
    "Why do {models} {verb} when {condition}?",
    "Can {models} learn {capability} without {resource}?",
    "How does {method} change {capability} in {models}?",
    "When does {method} fail to help {capability} in {setting}?",
    "Is {capability} in {models} {quality}?",
    "Do {models} {verb} more after {method}?",
    "What limits {method} when {condition}?",
    "Should {method} replace {method2} for {capability}?",
    "How much does {factor} predict {capability} in {setting}?",
    "Where do {models} and {models2} diverge on {capability}?",
    "What makes {mechanism} drive {capability} in {setting}?",
    "Does {factor} explain why {models} {verb}?",
)

FINDINGS = (
    "{method} raises {capability} by {pct}% on {setting} but not beyond it",
    "{models} {verb} whenever {condition}",
    "the gains from {method} come mostly from {mechanism}",
    "{capability} is already present before {method} and only its deployment changes",
    "{mechanism} explains most of the variance in {capability}",
    "scaling from {sizepair} parameters does not close the gap in {capability}",
    "{method} and {method2} converge on the same failure mode, {mechanism}",
    "the effect disappears when {condition}",
    "{models} trained with {method} keep their accuracy but lose {capability}",
    "{pct}% of the improvement survives when {method} is removed",
    "{factor} predicts {capability} better than {factor2} does",
    "{models} {adverb} {verb} once {condition}",
    "the bottleneck for {capability} is elicitation rather than acquisition",
    "{method} narrows the range of strategies {models} use in {setting}",
    "a {x} reduction in compute leaves {capability} almost unchanged",
    "the apparent gain in {capability} is {mechanism} rather than new skill",
    "{capability} transfers from {setting} to {setting2} only when {condition}",
    "{models} recover {pct}% of the gap using {method} alone",
)

SENTENCES = (
    "{Method} improves {capability} mostly through {mechanism}.",
    "The pattern holds across {num} model families, but it weakens sharply when {condition}.",
    "What looks like {capability} is often {mechanism} in disguise.",
    "The practical lesson is that {finding}.",
    "This matters because {finding}.",
    "One way to read this is that {finding}.",
    "The numbers are striking: {method} moves {capability} from {pct}% to {pct2}% in {setting}.",
    "Without {resource}, {models} {verb}.",
    "The distinction matters for research direction: if {finding}, "
    "then effort spent on {method} is better spent on {method2}.",
    "Put differently, {finding}.",
    "The mechanism is {mechanism}, not {mechanism2}.",
    "{Models} in {setting} show the same signature, and {finding}.",
    "None of this requires {resource}; {finding}.",
    "The caveat is that {finding}.",
    "Evidence from {setting} complicates the picture, since {finding}.",
    "A second line of evidence points the same way: {finding}.",
    "The implication is provocative: {finding}, provided {condition} does not hold.",
    "Measured with continuous metrics, {capability} improves smoothly rather than jumping.",
    "This reframes {capability} as a question of {mechanism} rather than of scale.",
    "Ablations show that {finding}.",
)

CITATIONS = (
    "In {T}, {finding}.",
    "This partially contradicts {T} — {finding}.",
    "{Finding}, as {T} shows.",
    "See {T}.",
    "{T} argues that {finding}.",
    "A related result appears in {T}: {finding}.",
    "This connects to but is distinct from {T}. That note describes {mechanism}, "
    "while this one concerns {mechanism2}.",
    "The implication for {T}: {finding}.",
    "{Finding} {T}.",
    "Read alongside {T}, this reframes {capability} as {mechanism}.",
    "{Finding} — {T} makes the same point from the side of {setting}.",
)

SUMMARIES = (
    "{Method} improves {capability} in {setting} through {mechanism}. {Finding}.",
    "Across {num} benchmarks, {models} trained with {method} gain {pct}% on {capability}. "
    "{Finding}.",
    "{Models} {verb} when {condition}. The failure traces back to {mechanism}, and {finding}.",
    "Analysis of {num} {models} shows that {finding}. {Finding2}.",
    "{Method} matches {method2} on {capability} while using a fraction of the compute. {Finding}.",
)

DESCRIPTIONS = (
    "Explores whether {finding}.",
    "Explores whether {finding}, and what that means for {capability} in {setting}.",
    "{Q} This explores whether {finding}.",
    "{Q} This matters because {finding}.",
    "{Q} This challenges assumptions about {capability} in {setting}.",
    "When {condition}, do {models} still benefit from {method}? This matters for {setting}.",
)

LINE_DESCRIPTIONS = (
    "This explores whether {finding} — and what that implies for {capability}.",
    "This explores how {method} shapes {capability} when {condition} — "
    "the question being where the gain actually comes from.",
    "This explores why {models} {verb} when {condition}, and what the corpus says about fixing it.",
    "This explores what {mechanism} does to {capability} in {setting} — "
    "and whether {method} can undo it.",
)

LINE_OPENERS = (
    "This explores whether {finding} — which sounds simple until you look at {setting}.",
    "This explores how {method} shapes {capability} — and the corpus has a surprisingly "
    "coherent story here, told from several angles.",
    "This explores why {models} {verb} — so start with the catch.",
)

HUB_DESCRIPTIONS = (
    "{Q} This map gathers notes on {capability} and {mechanism}.",
    "A map of what the collection knows about {capability}, from {method} to {mechanism}.",
    "Notes on how {models} handle {capability}, grouped by mechanism and evidence.",
)

PAPER_TITLES = (
    "{ACR}: {Method} for {Capability} in {Setting}",
    "{Models} Know How to {Verbcap}, {Models2} Learn When",
    "On the Interplay of {Factor}, {Method}, and {Capability}",
    "Beyond {Method}: {Mechanism} in {Models}",
    "Does {Method} Really Incentivize {Capability} in {Models}?",
    "{ACR}: Scaling {Capability} with {Method}",
    "When {Models} {Verbcap}: A Study of {Mechanism}",
    "Understanding {Mechanism} Through the Lens of {Factor}",
    "{Capability} Is Not All You Need: {Method} in {Setting}",
    "{ACR}: A Benchmark for {Capability} in {Setting}",
)

PAPER_SENTENCES = (
    "We introduce {ACR}, {approach} that targets {capability} in {setting}.",
    "Across {num} benchmarks in {setting}, {ACR} improves {capability} by {pct}% over {method}.",
    "Our analysis shows that {finding}.",
    "We further find that {finding}.",
    "These results suggest that {finding}.",
    "Existing work on {method} assumes {resource}, which is rarely available in {setting}.",
    "We study {models} ranging from {sizepair} parameters.",
    "Surprisingly, {finding}.",
    "Code and data are released to support future work on {capability}.",
    "Ablations attribute most of the gain to {mechanism}.",
)

SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "vs",
        "via",
        "with",
        "without",
    ]
)
SIZES = ("1B", "3B", "7B", "8B", "13B", "14B", "32B", "70B", "405B")

_NAME_RE = re.compile(r"^\d{5,}_(synthesis|line|paper|topic|hub)_(banner|main|markdown)\.(txt|md)$")
_KEY_RE = re.compile(r"\{(\w+)\}")

TYPE_SHARES = (("synthesis", 0.70), ("line", 0.20), ("paper", 0.04), ("topic", 0.03), ("hub", 0.03))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _titlecase(s: str) -> str:
    out = []
    for i, word in enumerate(s.split(" ")):
        parts = word.split("-")
        parts = [
            p
            if (p.isupper() or (j > 0 and p in SMALL_WORDS) or (i > 0 and p in SMALL_WORDS))
            else _cap(p)
            for j, p in enumerate(parts)
        ]
        out.append("-".join(parts))
    return " ".join(out)


class Filler:
    """A mapping for ``str.format_map`` that draws slot values from VOCAB.

    ``{method}`` draws from VOCAB["method"]; ``{method2}`` draws again, but
    never the value the last ``{method}`` got. A capitalised key (``{Method}``)
    capitalises the first letter; an all-caps key (``{ACR}``) is used as is;
    ``{Verbcap}`` gives Title Case. Generated keys: finding, pct, num,
    sizepair, x, acr, q (a random question title).
    """

    title_case = False  # PaperFiller: capitalised keys give Title Case

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random
        self.last: dict[str, str] = {}
        self.acr = ""
        self._parsed: dict[str, tuple[str, bool, int]] = {}

    def fill(self, template: str) -> str:
        return template.format_map(self)

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def __getitem__(self, key: str) -> str:
        parsed = self._parsed.get(key)
        if parsed is None:
            base = key.rstrip("0123456789")
            low = base.lower()
            if low.endswith("cap") and low != "cap":
                low, mode = low[:-3], 3
            elif base.isupper() and len(base) > 1:
                mode = 0
            elif base[0].isupper():
                mode = 3 if self.title_case else 1
            else:
                mode = 0
            parsed = self._parsed[key] = (low, base != key, mode)
        low, numbered, mode = parsed
        value = self._value(low, numbered)
        if mode == 1:
            return value[:1].upper() + value[1:]
        if mode == 3:
            return _titlecase(value)
        return value

    def _value(self, low: str, numbered: bool) -> str:
        seq = VOCAB.get(low)
        if seq is not None:
            rand = self.random
            v = seq[int(rand() * len(seq))]
            if numbered:  # {method2} differs from the last {method}
                last = self.last.get(low)
                while v == last:
                    v = seq[int(rand() * len(seq))]
            else:
                self.last[low] = v
            return v
        if low == "finding":
            return self.fill(self.pick(FINDINGS))
        if low == "pct":
            return str(3 + int(self.random() * 93))
        if low == "num":
            return str(2 + int(self.random() * 11))
        if low == "sizepair":
            a, b = sorted(self.rng.sample(range(len(SIZES)), 2))
            return f"{SIZES[a]} to {SIZES[b]}"
        if low == "x":
            return f"{self.pick((2, 3, 4, 5, 6, 7, 10, 20))}x"
        if low == "acr":
            if self.acr:
                return self.acr
            n = self.rng.randint(3, 6)
            return "".join(self.pick("ABCDEFGHIKLMNOPRSTUVWXZ") for _ in range(n))
        if low == "q":
            return self.fill(self.pick(TITLE_TEMPLATES))
        raise KeyError(low)


class PaperFiller(Filler):
    """Title Case for capitalised keys (paper titles and abstracts)."""

    title_case = True


def _template_weights(templates: tuple[str, ...]) -> list[float]:
    """Weight each template by how many distinct strings it can produce."""
    weights = []
    for t in templates:
        cap = 1
        for key in _KEY_RE.findall(t):
            cap *= len(VOCAB.get(key.rstrip("0123456789").lower(), ("",) * 10))
        weights.append(float(cap))
    return weights


class UniqueFactory:
    def __init__(self, make, taken: set[str]) -> None:
        self.make = make
        self.taken = taken

    def new(self) -> str:
        for _ in range(1000):
            s = self.make()
            if s not in self.taken:
                self.taken.add(s)
                return s
        raise RuntimeError("vocabulary exhausted")


# ---------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------


class Note:
    __slots__ = (
        "categories",
        "claim",
        "collection",
        "date",
        "description",
        "hubs",
        "idx",
        "n_used",
        "papers",
        "related",
        "summary",
        "title",
        "used_by",
        "variant",
    )
    categories: list[str]
    claim: str
    collection: str
    date: str
    description: str
    hubs: list[int]
    idx: int
    n_used: int
    papers: list[int]
    related: list[tuple[int, str, str]]  # (note index, label, annotation text)
    summary: str
    title: str
    used_by: list[int]  # lines that list this note as a source
    variant: str


class Line:
    __slots__ = ("date", "description", "idx", "next", "sources", "title", "variant")
    date: str
    description: str
    idx: int
    next: list[int]
    sources: list[int]
    title: str
    variant: str


class Hub:
    __slots__ = ("children", "description", "idx", "notes", "sections", "title", "variant")
    children: list[int]  # child hubs (the Sub-Maps section)
    description: str
    idx: int
    notes: list[int]
    sections: list[tuple[str, list[int]]]
    title: str
    variant: str


class Topic:
    __slots__ = ("idx", "n_papers", "name", "notes", "variant")
    idx: int
    n_papers: int
    name: str
    notes: list[int]
    variant: str


class Paper:
    __slots__ = ("acr", "arxiv", "idx", "published", "tags", "title", "variant")
    acr: str
    arxiv: str
    idx: int
    published: str
    tags: list[str]
    title: str
    variant: str


def _split_counts(pages: int) -> dict[str, int]:
    counts = {t: int(pages * share) for t, share in TYPE_SHARES}
    rest = pages - sum(counts.values())
    # hand the rounding remainder out by largest fractional part (ties: listed order)
    fracs = sorted(TYPE_SHARES, key=lambda ts: -(pages * ts[1] - int(pages * ts[1])))
    for t, _ in fracs[:rest]:
        counts[t] += 1
    return counts


def _variants(rng: random.Random, n: int, md_share: float) -> list[str]:
    v = ["banner" if i % 2 == 0 else "main" for i in range(n)]
    rng.shuffle(v)
    if md_share > 0:
        k = round(n * md_share)
        for i in rng.sample(range(n), k):
            v[i] = "markdown"
    return v


def _heavy_count(rng: random.Random) -> int:
    """Heavy-tailed count, median ~10, a few up to ~300."""
    return min(320, int(math.exp(rng.gauss(math.log(10.5), 1.05))))


def _pick_distinct(
    rng: random.Random, pool_size: int, k: int, exclude: int = -1, avoid: set[int] | None = None
) -> list[int]:
    """k distinct ints from range(pool_size), none equal to exclude or in avoid."""
    seen = set(avoid) if avoid else set()
    if 0 <= exclude < pool_size:
        seen.add(exclude)
    k = min(k, pool_size - len(seen))
    if k <= 0:
        return []
    if k > pool_size // 2:
        rest = [i for i in range(pool_size) if i not in seen]
        return rng.sample(rest, k)
    out: list[int] = []
    while len(out) < k:
        i = rng.randrange(pool_size)
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def _date(rng: random.Random, start_ord: int, end_ord: int) -> str:
    return _dt.date.fromordinal(rng.randint(start_ord, end_ord)).isoformat()


# ---------------------------------------------------------------------------
# Rendering helpers
# ---------------------------------------------------------------------------


def _plain(title: str) -> str:
    return title


class Renderer:
    def __init__(self, rng: random.Random, plan: dict) -> None:
        self.rng = rng
        self.f = Filler(rng)
        self.pf = PaperFiller(rng)
        self.plan = plan

    # -- prose ------------------------------------------------------------

    def _wikilink(self, title: str) -> str:
        if self.rng.random() < 0.2:
            return f"[[{title}|{self.rng.choice(ALIASES)}]]"
        return f"[[{title}]]"

    def _cite(self, title: str, link) -> str:
        tmpl = self.f.pick(CITATIONS)
        # {T} is not a vocabulary key: substitute it after filling
        return self.f.fill(tmpl.replace("{T}", "\x00")).replace("\x00", link(title))

    def paragraph(self, cites: list[str], link, opener: str | None = None) -> str:
        rng = self.rng
        fill = self.f.fill
        n = rng.randint(4, 8)
        pick = self.f.pick
        sents = [fill(pick(SENTENCES)) for _ in range(n)]
        for t in cites:
            sents.insert(rng.randint(0, len(sents)), self._cite(t, link))
        if opener is not None:
            sents.insert(0, opener)
        return " ".join(sents)

    def note_body(self, note: Note, link) -> list[str]:
        rng = self.rng
        plan = self.plan
        titles = plan["note_titles"]
        stubs = plan["stubs"]
        n_notes = len(titles)
        paras = []
        for _ in range(rng.randint(2, 6)):
            cites = []
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                if stubs and rng.random() < 0.05:
                    cites.append(rng.choice(stubs))
                elif n_notes > 1:
                    j = rng.randrange(n_notes)
                    if j == note.idx:
                        j = (j + 1) % n_notes
                    cites.append(titles[j])
            paras.append(self.paragraph(cites, link))
        return paras

    def line_body(self, line: Line, link) -> list[str]:
        rng = self.rng
        titles = self.plan["note_titles"]
        p = rng.randint(3, 6)
        slots = sorted(rng.randrange(p) for _ in line.sources)
        groups: list[list[str]] = [[] for _ in range(p)]
        for slot, src in zip(slots, line.sources, strict=True):
            groups[slot].append(titles[src])
        paras = []
        for i, g in enumerate(groups):
            opener = self.f.fill(rng.choice(LINE_OPENERS)) if i == 0 else None
            # keep the order of first mention equal to the source order
            sents = [self.f.fill(self.f.pick(SENTENCES)) for _ in range(rng.randint(3, 6))]
            pos = sorted(rng.randint(0, len(sents)) for _ in g)
            for k, (at, t) in enumerate(zip(pos, g, strict=True)):
                sents.insert(at + k, self._cite(t, link))
            if opener:
                sents.insert(0, opener)
            paras.append(" ".join(sents))
        return paras

    # -- synthesis notes ----------------------------------------------------

    def _related_blocks(self, note: Note) -> list[tuple[str, str, str, str]]:
        notes = self.plan["notes"]
        out = []
        for j, label, text in note.related:
            other = notes[j]
            out.append((other.title, other.description, label, text))
        return out

    @staticmethod
    def _annotation(label: str, text: str) -> str:
        if not label:
            return text
        if label == "extends":
            return f"extends {text}"
        return f"{label}: {text}"

    def _used_by_titles(self, note: Note) -> list[str]:
        plan = self.plan
        lines = plan["lines"]
        ghosts = plan["ghost_lines"]
        out = [lines[i].title for i in note.used_by]
        need = note.n_used - len(out)
        if need > 0:
            extra = _pick_distinct(self.rng, len(lines), need, avoid=set(note.used_by))
            out.extend(lines[i].title for i in extra)
            k = 0
            while len(out) < note.n_used and k < len(ghosts):
                out.append(ghosts[k])
                k += 1
        return out[: note.n_used]

    def synthesis_txt(self, note: Note, banner: bool) -> str:
        rng = self.rng
        plan = self.plan
        paras = self.note_body(note, _plain)
        papers = [plan["papers"][i].title for i in note.papers]
        n_rel = len(note.related)
        if banner:
            head = ["SYNTHESIS NOTE\n" + " ".join(note.categories), note.title, note.description]
            meta = f"Synthesis note · {note.date}"
            if note.collection:
                meta += f" · sourced from {note.collection}"
            if note.hubs:
                meta += "\n" + " ".join(plan["hubs"][h].title for h in note.hubs)
            head.append(meta)
            d = n_rel + rng.randint(0, 24)
            h = d * rng.randint(4, 14) + rng.randint(0, 9)
            tail = [
                f"Inquiring lines that use this note as a source {note.n_used}",
                "This note is a source for these synthesized inquiries. Follow a line forward "
                "into its question, or open it to trace back to all of its sources.",
                f"Related concepts in this collection {n_rel}",
                "This note in its neighbourhood — explore the map, then jump to a related "
                "concept in the list below.",
                f"Concept map\n{d} direct connections · {h} in 2-hop network ·"
                f"{rng.choice(CLUSTERS)} cluster Open in graph ↗",
                "Click a node to walk · click center to open · click Open in graph to see "
                "this note in the full knowledge graph",
                "your link semantically near linked from elsewhere",
                f"Related papers in this collection {len(papers)}",
                "Papers most semantically related to this note, ranked by cosine similarity "
                "in the embedding space.",
                "Original note title",
                note.claim,
            ]
            return "\n\n".join(head + paras + tail)
        out = [note.title, note.description, *paras]
        out.append(f"Inquiring lines that use this note as a source {note.n_used}")
        out.append(
            "This note is a source for these synthesized inquiries. Follow a line forward "
            "into its question, or open it to trace back to all of its sources."
        )
        out.extend("- " + t for t in self._used_by_titles(note))
        out.append(f"Related concepts in this collection {n_rel}")
        out.append(
            "This note in its neighbourhood — explore the map, then jump to a related "
            "concept in the list below."
        )
        out.append(
            "Click a node to walk · click center to open · click Open in graph to see "
            "this note in the full knowledge graph"
        )
        for title, desc, label, text in self._related_blocks(note):
            out.extend(("-", title, desc, self._annotation(label, text)))
        out.append(f"Related papers in this collection {len(papers)}")
        out.append(
            "Papers most semantically related to this note, ranked by cosine similarity "
            "in the embedding space."
        )
        out.extend("- " + t for t in papers)
        out.append("Original note title")
        out.append(note.claim)
        return "\n".join(out)

    def synthesis_md(self, note: Note) -> str:
        q = _q
        plan = self.plan
        fm = [
            "---",
            "type: synthesis",
            f"title: {q(note.title)}",
            f"description: {q(note.description)}",
            f"claim: {q(note.claim)}",
            "categories: [" + ", ".join(q(c) for c in note.categories) + "]",
            f"date: {note.date}",
        ]
        blocks = self._related_blocks(note)
        if blocks:
            fm.append("related:")
            for title, _desc, label, text in blocks:
                fm.append(f"  - {{title: {q(title)}, label: {q(label)}, annotation: {q(text)}}}")
        else:
            fm.append("related: []")
        papers = [plan["papers"][i].title for i in note.papers]
        fm.append("papers: [" + ", ".join(q(p) for p in papers) + "]")
        fm.append("---")
        body = self.note_body(note, self._wikilink)
        return "\n".join(fm) + "\n\n" + "\n\n".join(body) + "\n"

    # -- inquiring lines ----------------------------------------------------

    def line_txt(self, line: Line, banner: bool) -> str:
        rng = self.rng
        plan = self.plan
        notes = plan["notes"]
        lines = plan["lines"]
        paras = self.line_body(line, _plain)
        nxt = [lines[i].title for i in line.next]
        n = len(line.sources)
        if banner:
            parts = ["INQUIRING LINE", line.title, line.description + "\n"]
            parts.extend(paras)
            parts[-1] += "\n"
            parts.append(f"Sources {n} notes")
            for s in line.sources:
                parts.append(notes[s].title)
                parts.append(notes[s].summary)
            if nxt or rng.random() < 0.7:
                parts.append("Next inquiring lines")
                if nxt:
                    parts[-1] += "\n\n" + "\n".join(f"  {k}. {t}" for k, t in enumerate(nxt, 1))
            return "\n\n".join(parts)
        out = [line.title, line.description, *paras, f"Sources {n} notes"]
        out.extend(notes[s].summary for s in line.sources)
        if nxt:
            out.append("Next inquiring lines")
            out.extend("- " + t for t in nxt)
        return "\n".join(out)

    def line_md(self, line: Line) -> str:
        q = _q
        notes = self.plan["notes"]
        lines = self.plan["lines"]
        fm = [
            "---",
            "type: line",
            f"title: {q(line.title)}",
            f"description: {q(line.description)}",
            f"date: {line.date}",
            "sources:",
        ]
        for s in line.sources:
            fm.append(f"  - {{title: {q(notes[s].title)}, summary: {q(notes[s].summary)}}}")
        fm.append("next: [" + ", ".join(q(lines[i].title) for i in line.next) + "]")
        fm.append("---")
        body = self.line_body(line, self._wikilink)
        return "\n".join(fm) + "\n\n" + "\n\n".join(body) + "\n"

    # -- topics, hubs, papers ------------------------------------------------

    def topic_txt(self, topic: Topic, banner: bool) -> str:
        notes = self.plan["notes"]
        out = ["TOPIC"] if banner else []
        out.append(topic.name)
        out.append(f"{len(topic.notes)} synthesis notes · {topic.n_papers} source papers")
        out.append("View as")
        for j in topic.notes:
            out.extend((notes[j].title, notes[j].description, "Explore related Read →"))
        return ("\n\n" if banner else "\n").join(out)

    def hub_txt(self, hub: Hub, banner: bool) -> str:
        notes = self.plan["notes"]
        hubs = self.plan["hubs"]
        n_cards = sum(len(s[1]) for s in hub.sections) + len(hub.children)
        n_sections = len(hub.sections) + (1 if hub.children else 0)
        out = ["← All notes"] if banner else []
        out.extend((hub.title, hub.description))
        out.append(f"Topic Hub · {n_cards} linked notes · {n_sections} sections")
        out.append("View as")
        for name, members in hub.sections:
            out.extend((name, f"{len(members)} notes"))
            for j in members:
                out.extend((notes[j].title, notes[j].description, "Explore related Read →"))
        if hub.children:
            out.extend(("Sub-Maps", f"{len(hub.children)} notes"))
            for c in hub.children:
                out.extend((hubs[c].title, hubs[c].description, "Explore related Read →"))
        return ("\n\n" if banner else "\n").join(out)

    def paper_txt(self, paper: Paper, banner: bool) -> str:
        rng = self.rng
        self.pf.acr = paper.acr
        fill = self.pf.fill
        out = [
            paper.title,
            f"Paper · arXiv {paper.arxiv} · Published {paper.published}",
            "".join(paper.tags),
        ]
        for _ in range(rng.randint(3, 6)):
            n = rng.randint(4, 8)
            out.append(" ".join(fill(self.pf.pick(PAPER_SENTENCES)) for _ in range(n)))
        return ("\n\n" if banner else "\n").join(out)


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _truncate(rng: random.Random, text: str) -> str | None:
    """Cut ``text`` at about 2 KB, inside a word. None if the page is too short."""
    if len(text) < 2400:
        return None
    i = rng.randint(1850, 2150)
    end = min(len(text) - 1, i + 200)
    while i < end and not (text[i - 1].isalnum() and text[i].isalnum()):
        i += 1
    return text[:i]


# ---------------------------------------------------------------------------
# Main entry point
# ---------------------------------------------------------------------------


def generate(
    out_dir: Path,
    pages: int,
    seed: int = 7,
    markdown_share: float = 0.1,
    truncated_share: float = 0.01,
) -> dict:
    """Write ``pages`` synthetic pages into ``out_dir``; return counts.

    Returned keys: pages, bytes, titles (distinct titles of all pages),
    stub_titles (question titles mentioned in notes that have no page),
    truncated, by_type, by_variant, by_type_variant ("<type>/<variant>").
    """
    if pages < 0:
        raise ValueError("pages must be >= 0")
    if not 0.0 <= markdown_share <= 1.0 or not 0.0 <= truncated_share <= 1.0:
        raise ValueError("shares must be within [0, 1]")
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    fill = Filler(rng).fill

    counts = _split_counts(pages)
    n_syn, n_line = counts["synthesis"], counts["line"]
    n_paper, n_topic, n_hub = counts["paper"], counts["topic"], counts["hub"]

    kinds = [t for t, _ in TYPE_SHARES for _ in range(counts[t])]
    rng.shuffle(kinds)

    # ---- titles ---------------------------------------------------------
    taken: set[str] = set()
    weights = _template_weights(TITLE_TEMPLATES)
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)

    def make_question() -> str:
        return fill(rng.choices(TITLE_TEMPLATES, cum_weights=cum)[0])

    questions = UniqueFactory(make_question, taken)
    note_titles = [questions.new() for _ in range(n_syn)]
    line_titles = [questions.new() for _ in range(n_line)]
    hub_titles = [questions.new() for _ in range(n_hub)]
    stubs = [questions.new() for _ in range(max(5, n_syn // 30))]
    n_ghost = max(0, 330 - n_line)
    ghost_lines = [questions.new() for _ in range(n_ghost)]

    pf = PaperFiller(rng)
    cur_acr = [""]

    def make_paper_title() -> str:
        pf.acr = ""
        cur_acr[0] = pf.fill("{ACR}")
        pf.acr = cur_acr[0]
        return pf.fill(rng.choice(PAPER_TITLES))

    paper_factory = UniqueFactory(make_paper_title, taken)
    topic_sources = ("method", "capability", "mechanism", "setting")

    def make_topic() -> str:
        r = rng.random()
        a = rng.choice(VOCAB[rng.choice(topic_sources)])
        if r < 0.5:
            return _titlecase(a)
        return _titlecase(f"{a} and {rng.choice(VOCAB[rng.choice(topic_sources)])}")

    topic_factory = UniqueFactory(make_topic, taken)

    d0 = _dt.date(2025, 1, 1).toordinal()
    d1 = _dt.date(2026, 3, 31).toordinal()

    # ---- synthesis notes ------------------------------------------------
    syn_variants = _variants(rng, n_syn, markdown_share)
    notes: list[Note] = []
    seen_claims: set[str] = set()
    for i, title in enumerate(note_titles):
        n = Note()
        n.idx = i
        n.title = title
        n.variant = syn_variants[i]
        n.description = fill(rng.choice(DESCRIPTIONS))
        n.summary = fill(rng.choice(SUMMARIES))
        n.claim = fill("{finding}").lower()
        if n.claim in seen_claims:
            # On the site a claim names one note (its address is made from it); templated
            # findings repeat, so a repeat gets the note's number, drawing nothing from rng.
            n.claim = f"{n.claim} (note {i})"
        seen_claims.add(n.claim)
        k = rng.choice((1, 1, 2, 2, 3))
        n.categories = [CATEGORIES[c] for c in sorted(rng.sample(range(5), k))]
        n.date = _date(rng, d0, d1)
        n.collection = rng.choice(COLLECTIONS) if rng.random() < 0.8 else ""
        n.n_used = _heavy_count(rng)
        n.used_by = []
        n.hubs = []
        n.papers = []
        n.related = []
        notes.append(n)

    # ---- hubs -------------------------------------------------------------
    hub_variants = _variants(rng, n_hub, 0.0)
    hubs: list[Hub] = []
    n_top = max(1, n_hub // 5) if n_hub else 0
    for i, title in enumerate(hub_titles):
        h = Hub()
        h.idx = i
        h.title = title
        h.variant = hub_variants[i]
        h.description = fill(rng.choice(HUB_DESCRIPTIONS))
        h.children = []
        h.notes = []
        h.sections = []
        hubs.append(h)
    for i in range(n_top, n_hub):
        if rng.random() < 0.6:
            hubs[rng.randrange(n_top)].children.append(i)
    if n_hub:
        hub_w = [rng.uniform(0.5, 2.0) for _ in range(n_hub)]
        hub_cum = []
        acc = 0.0
        for w in hub_w:
            acc += w
            hub_cum.append(acc)
        for n in notes:
            picks = rng.choices(range(n_hub), cum_weights=hub_cum, k=rng.choice((1, 2, 2, 3)))
            seen: list[int] = []
            for p in picks:
                if p not in seen:
                    seen.append(p)
            n.hubs = seen
            for p in seen:
                hubs[p].notes.append(n.idx)
        for h in hubs:
            members = h.notes[:150]
            if not members and notes:
                members = _pick_distinct(rng, len(notes), rng.randint(3, 8))
            k = max(1, min(len(members), rng.randint(2, 6)))
            cuts = sorted(rng.sample(range(1, len(members)), k - 1)) if k > 1 else []
            bounds = [0, *cuts, len(members)]
            names_seen: set[str] = set()
            for a, b in itertools.pairwise(bounds):
                name = ""
                for _ in range(20):
                    name = _cap(
                        fill(
                            rng.choice(
                                (
                                    "{capability} and {mechanism}",
                                    "{method} in {setting}",
                                    "{mechanism}",
                                    "evidence on {capability}",
                                    "{models} and {capability}",
                                )
                            )
                        )
                    )
                    if name not in names_seen and name != "Sub-Maps":
                        break
                names_seen.add(name)
                h.sections.append((name, members[a:b]))

    # ---- papers ---------------------------------------------------------
    paper_variants = _variants(rng, n_paper, 0.0)
    papers: list[Paper] = []
    arxiv_taken: set[str] = set()
    for i in range(n_paper):
        pp = Paper()
        pp.idx = i
        pp.title = paper_factory.new()
        pp.acr = cur_acr[0]
        pp.variant = paper_variants[i]
        while True:
            y = rng.randint(2023, 2026)
            m = rng.randint(1, 3 if y == 2026 else 12)
            ax = f"{y % 100:02d}{m:02d}.{rng.randint(0, 29999):05d}"
            if ax not in arxiv_taken:
                arxiv_taken.add(ax)
                break
        pp.arxiv = ax
        pp.published = f"{MONTHS[m - 1]} {rng.randint(1, 28)}, {y}"
        pp.tags = [PAPER_TAGS[t] for t in rng.sample(range(len(PAPER_TAGS)), rng.randint(2, 5))]
        papers.append(pp)

    # ---- note links (related concepts, papers) ---------------------------
    for n in notes:
        if n_syn > 1:
            k = 0 if rng.random() < 0.03 else min(16, 1 + int(rng.expovariate(1 / 6.0)))
            for j in _pick_distinct(rng, n_syn, k, exclude=n.idx):
                label = rng.choice(RELATION_LABELS)
                text = fill(
                    rng.choice(
                        (
                            "{finding}",
                            "{mechanism} explains the gap",
                            "{finding}; this is what {method} activates",
                            "{capability} depends on {mechanism}, not {mechanism2}",
                        )
                    )
                )
                n.related.append((j, label, text))
        if papers:
            k = 8 if rng.random() < 0.7 else rng.randint(0, 7)
            n.papers = _pick_distinct(rng, n_paper, k)

    # ---- inquiring lines -------------------------------------------------
    line_variants = _variants(rng, n_line, markdown_share)
    lines: list[Line] = []
    note_cum = []
    acc = 0.0
    for n in notes:
        acc += n.n_used + 1
        note_cum.append(acc)
    for i, title in enumerate(line_titles):
        ln = Line()
        ln.idx = i
        ln.title = title
        ln.variant = line_variants[i]
        ln.description = fill(rng.choice(LINE_DESCRIPTIONS))
        ln.date = _date(rng, d0, d1)
        want = rng.randint(3, 12)
        srcs: list[int] = []
        if notes:
            for s in rng.choices(range(n_syn), cum_weights=note_cum, k=want * 2):
                if s not in srcs:
                    srcs.append(s)
                    if len(srcs) == want:
                        break
        ln.sources = srcs
        for s in srcs:
            notes[s].used_by.append(i)
        k = rng.choice((0, 2, 3, 3, 4, 5))
        ln.next = _pick_distinct(rng, n_line, k, exclude=i)
        lines.append(ln)
    for n in notes:
        n.n_used = max(n.n_used, len(n.used_by))

    # ---- topics -----------------------------------------------------------
    topic_variants = _variants(rng, n_topic, 0.0)
    topics: list[Topic] = []
    for i in range(n_topic):
        t = Topic()
        t.idx = i
        t.name = topic_factory.new()
        t.variant = topic_variants[i]
        t.notes = _pick_distinct(rng, n_syn, min(80, 3 + int(rng.expovariate(1 / 14.0))))
        t.n_papers = rng.randint(len(t.notes), 3 * len(t.notes) + 5)
        topics.append(t)

    plan = {
        "notes": notes,
        "lines": lines,
        "hubs": hubs,
        "papers": papers,
        "note_titles": note_titles,
        "stubs": stubs,
        "ghost_lines": ghost_lines,
    }

    # ---- file order, truncation ------------------------------------------
    queues: dict[str, list[Any]] = {
        "synthesis": notes,
        "line": lines,
        "paper": papers,
        "topic": topics,
        "hub": hubs,
    }
    pos = dict.fromkeys(queues, 0)
    order = []
    for kind in kinds:
        obj = queues[kind][pos[kind]]
        pos[kind] += 1
        order.append((kind, obj))
    txt_idx = [i for i, (_, o) in enumerate(order) if o.variant != "markdown"]
    n_trunc = min(len(txt_idx), round(pages * truncated_share))
    to_truncate = set(rng.sample(txt_idx, n_trunc))

    # ---- write -----------------------------------------------------------
    width = max(5, len(str(max(pages - 1, 0))))
    names = [
        f"{i:0{width}d}_{kind}_{o.variant}.{'md' if o.variant == 'markdown' else 'txt'}"
        for i, (kind, o) in enumerate(order)
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    keep = set(names)
    for old in sorted(out_dir.iterdir()):
        if old.name not in keep and _NAME_RE.match(old.name) and old.is_file():
            old.unlink()  # stale page of an earlier run
    r = Renderer(rng, plan)
    total = 0
    truncated = 0
    owed = 0
    by_tv: dict[str, int] = {}
    for i, (kind, obj) in enumerate(order):
        v = obj.variant
        banner = v == "banner"
        if kind == "synthesis":
            text = r.synthesis_md(obj) if v == "markdown" else r.synthesis_txt(obj, banner)
        elif kind == "line":
            text = r.line_md(obj) if v == "markdown" else r.line_txt(obj, banner)
        elif kind == "paper":
            text = r.paper_txt(obj, banner)
        elif kind == "topic":
            text = r.topic_txt(obj, banner)
        else:
            text = r.hub_txt(obj, banner)
        if (i in to_truncate or owed) and v != "markdown":
            cut = _truncate(rng, text)
            if cut is not None:
                text = cut
                truncated += 1
                if i not in to_truncate:
                    owed -= 1
            elif i in to_truncate:
                owed += 1  # too short: cut the next long enough page instead
        data = text.encode("utf-8")
        (out_dir / names[i]).write_bytes(data)
        total += len(data)
        key = f"{kind}/{v}"
        by_tv[key] = by_tv.get(key, 0) + 1

    by_variant: dict[str, int] = {}
    for key, c in by_tv.items():
        v = key.split("/")[1]
        by_variant[v] = by_variant.get(v, 0) + c
    return {
        "pages": pages,
        "bytes": total,
        "titles": n_syn + n_line + n_hub + n_paper + n_topic,
        "stub_titles": len(stubs),
        "truncated": truncated,
        "by_type": {t: counts[t] for t, _ in TYPE_SHARES},
        "by_variant": dict(sorted(by_variant.items())),
        "by_type_variant": dict(sorted(by_tv.items())),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path, help="directory to write pages into (flat)")
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--markdown-share",
        type=float,
        default=0.1,
        help="share of synthesis notes and inquiring lines written as Markdown",
    )
    ap.add_argument(
        "--truncated-share",
        type=float,
        default=0.01,
        help="share of pages cut off at about 2 KB mid-word",
    )
    ap.add_argument("--json", action="store_true", help="also print the counts as JSON")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(
        args.out_dir, args.pages, args.seed, args.markdown_share, args.truncated_share
    )
    dt = time.perf_counter() - t0
    if args.json:
        print(json.dumps(counts, indent=2))
    pages = counts["pages"]
    avg = counts["bytes"] / pages if pages else 0
    print(
        f"generated {pages} pages, {counts['bytes']} bytes (avg {avg:.0f} B/page), "
        f"{counts['titles']} titles, {counts['truncated']} truncated, "
        f"in {dt:.2f} s -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
