"""The hand-built evidence-ranking data set (benchmarks/data/evidence_claims.yaml): read,
checked, and resolved against the corpora its sources come from.

The file stores claims written by the team, the notes each claim's sources are, and which
sentences of those notes support it (by note and sentence index, with a hash); it stores
no sentence of a source. `resolve` reads the sentences from the corpora themselves.

>>> data = read_claims()
>>> len(data.claims) >= 100
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "evidence_claims.yaml"
# How a claim was written when not from its sentence's own words: "paraphrase" avoids the
# sentence's rare words (names, figures, distinctive terms); "reworded" keeps none of its
# content words at all.
WRITTEN = ("paraphrase", "reworded")


@dataclass(frozen=True)
class EvidenceClaim:
    """One claim: its text, its sources ("corpus:note id") and the supporting sentences
    ("corpus:note id#index") with their hashes."""

    id: str
    text: str
    sources: tuple[str, ...]
    relevant: dict[str, str]  # sentence reference -> sha256 of the sentence, 12 hex digits
    written: str = ""  # "", or how it was written away from its sentence's words (WRITTEN)


@dataclass(frozen=True)
class SourceRecord:
    """What the data set knows of a source without its text: its sentence count and digest."""

    sentences: int
    digest: str


@dataclass(frozen=True)
class EvidenceData:
    corpora: dict[str, str]  # corpus prefix -> folder, relative to the repository
    sources: dict[str, SourceRecord]
    claims: tuple[EvidenceClaim, ...]


class EvidenceDataError(ValueError):
    """The data set is malformed or no longer matches its corpora."""


def digest(text: str) -> str:
    """The hash the data set stores for a text: sha256, first 12 hex digits.

    >>> digest("abc")
    'ba7816bf8f01'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def split_reference(reference: str) -> tuple[str, int]:
    """("corpus:note id", sentence index) of a sentence reference.

    >>> split_reference("n:some-note#3")
    ('n:some-note', 3)
    """
    source, _, index = reference.rpartition("#")
    if not source or not index.isdigit():
        raise EvidenceDataError(f"{reference!r} is not a sentence reference (corpus:note#index)")
    return source, int(index)


def read_claims(path: Path = DATA) -> EvidenceData:
    """The data set, its structure checked (every label names a sentence of one of its
    claim's sources, within that source's sentence count).

    Raises
    ------
    EvidenceDataError
        Saying which claim and what is wrong.
    """
    raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != 1:
        raise EvidenceDataError(f"{path}: expected a mapping with format: 1")
    corpora = {str(k): str(v) for k, v in raw["corpora"].items()}
    sources = {
        str(name): SourceRecord(int(item["sentences"]), str(item["digest"]))
        for name, item in raw["sources"].items()
    }
    claims = []
    seen: set[str] = set()
    for item in raw["claims"]:
        claim_id = str(item["id"])
        if claim_id in seen:
            raise EvidenceDataError(f"{path}: claim id {claim_id} appears twice")
        seen.add(claim_id)
        text = str(item["claim"]).strip()
        own = tuple(str(s) for s in item["sources"])
        if not text or len(own) < 2:
            raise EvidenceDataError(f"{path}: claim {claim_id} needs a text and two sources")
        relevant: dict[str, str] = {}
        for label in item["relevant"]:
            reference, sha = str(label["sentence"]), str(label["sha"])
            source, index = split_reference(reference)
            if source not in own:
                raise EvidenceDataError(
                    f"{path}: claim {claim_id} labels {reference}, not a sentence of its sources"
                )
            record = sources.get(source)
            if record is None or the_corpus(source) not in corpora:
                raise EvidenceDataError(f"{path}: claim {claim_id}: unknown source {source}")
            if index >= record.sentences:
                raise EvidenceDataError(
                    f"{path}: claim {claim_id} labels {reference}; {source} has "
                    f"{record.sentences} sentences"
                )
            relevant[reference] = sha
        if not relevant:
            raise EvidenceDataError(f"{path}: claim {claim_id} has no relevant sentence")
        written = item.get("written", "")
        if written and written not in WRITTEN:
            raise EvidenceDataError(
                f"{path}: claim {claim_id}: written is {written!r}; values are {', '.join(WRITTEN)}"
            )
        claims.append(EvidenceClaim(claim_id, text, own, relevant, written))
    return EvidenceData(corpora, sources, tuple(claims))


def the_corpus(source: str) -> str:
    """The corpus prefix of a source reference ("n" of "n:note-id")."""
    return source.partition(":")[0]


def note_sentences(note: Any) -> list[str]:
    """A note's body sentences, as the data set counts them."""
    from kg.sentences import split_sentences

    return [s for p in note.body for _, _, s in split_sentences(p.text)]


@dataclass(frozen=True)
class ResolvedSource:
    title: str
    sentences: tuple[str, ...]


def resolve(data: EvidenceData, roots: dict[str, Path] | None = None) -> dict[str, ResolvedSource]:
    """Every source's title and sentences, read from its corpus, each checked against the
    data set (sentence count, digest, and the hash of every labelled sentence).

    Parameters
    ----------
    data : EvidenceData
        The data set.
    roots : dict of str to Path, optional
        Where each corpus is (default: the data set's folders, relative to the repository).

    Raises
    ------
    EvidenceDataError
        A corpus is missing, or a source no longer matches what was labelled.
    """
    import kg

    folders = {k: (roots or {}).get(k, ROOT / v) for k, v in data.corpora.items()}
    graphs = {}
    for prefix, folder in folders.items():
        if not folder.is_dir():
            raise EvidenceDataError(f"corpus {prefix!r} not found at {folder}; give its folder")
        graphs[prefix] = kg.load(folder, embed="none", save=False)  # never write beside the seeds
    out: dict[str, ResolvedSource] = {}
    for name, record in data.sources.items():
        prefix, _, note_id = name.partition(":")
        note = graphs[prefix].note(note_id)
        sentences = note_sentences(note)
        if len(sentences) != record.sentences or digest("\n".join(sentences)) != record.digest:
            raise EvidenceDataError(f"{name} changed since it was labelled; label it again")
        out[name] = ResolvedSource(note.title, tuple(sentences))
    for claim in data.claims:
        for reference, sha in claim.relevant.items():
            source, index = split_reference(reference)
            if digest(out[source].sentences[index]) != sha:
                raise EvidenceDataError(f"claim {claim.id}: {reference} is not the labelled one")
    return out
