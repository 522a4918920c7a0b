"""The generator's fixed texts: categories, collections, tags and the sentence templates
(``{slot}`` keys are filled from `benchmarks.corpus.words.VOCAB`)."""

from __future__ import annotations

import re

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

NAME_RE = re.compile(r"^\d{5,}_(synthesis|line|paper|topic|hub)_(banner|main|markdown)\.(txt|md)$")
KEY_RE = re.compile(r"\{(\w+)\}")

TYPE_SHARES = (("synthesis", 0.70), ("line", 0.20), ("paper", 0.04), ("topic", 0.03), ("hub", 0.03))
