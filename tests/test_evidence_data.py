"""The hand-built evidence-ranking data set: at least 100 claims, every label naming a real
sentence of one of its claim's sources, and no source text stored in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.evidence_data import (
    DATA,
    EvidenceDataError,
    read_claims,
    resolve,
    split_reference,
    the_corpus,
)
from tests.conftest import SEEDS


def test_the_data_set_has_over_a_hundred_claims_each_with_labels_in_its_sources():
    data = read_claims()
    assert len(data.claims) >= 100
    assert len({c.text for c in data.claims}) == len(data.claims)
    for claim in data.claims:
        assert claim.relevant and len(claim.sources) >= 2
        for reference in claim.relevant:
            source, index = split_reference(reference)
            assert source in claim.sources
            assert 0 <= index < data.sources[source].sentences
    assert {the_corpus(s) for s in data.sources} == {"n", "s"}


def test_every_label_of_the_projects_notes_is_the_sentence_it_was_given_to():
    data = read_claims()
    notes_only = type(data)(
        {"n": data.corpora["n"]},
        {k: v for k, v in data.sources.items() if the_corpus(k) == "n"},
        tuple(c for c in data.claims if all(the_corpus(s) == "n" for s in c.sources)),
    )
    assert len(notes_only.claims) >= 80
    resolved = resolve(notes_only)
    assert all(r.sentences for r in resolved.values())


def test_every_label_of_the_seeds_is_the_sentence_it_was_given_to():
    if not SEEDS.is_dir():
        pytest.skip(f"seed pages not found at {SEEDS}")
    data = read_claims()
    resolved = resolve(data, {"s": SEEDS})
    assert set(resolved) == set(data.sources)


def test_no_sentence_of_a_seed_is_stored_in_the_data_set():
    if not SEEDS.is_dir():
        pytest.skip(f"seed pages not found at {SEEDS}")
    stored = DATA.read_text(encoding="utf-8")
    data = read_claims()
    resolved = resolve(data, {"s": SEEDS})
    for name, source in resolved.items():
        if the_corpus(name) == "s":
            assert not any(len(s) > 30 and s in stored for s in source.sentences), name


def test_a_label_outside_its_sources_is_refused_with_the_claim_named(tmp_path: Path):
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    first = raw["claims"][0]
    first["relevant"][0]["sentence"] = f"{first['sources'][0]}#999"
    broken = tmp_path / "claims.yaml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(EvidenceDataError, match=f"claim {first['id']} labels .*#999"):
        read_claims(broken)


def test_a_claim_written_some_other_way_is_refused_with_the_ways_known(tmp_path: Path):
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    first = raw["claims"][0]
    first["written"] = "translated"
    broken = tmp_path / "claims.yaml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(EvidenceDataError, match=f"claim {first['id']}: written is 'translated'"):
        read_claims(broken)


def test_claims_are_written_from_their_sentences_paraphrased_and_reworded():
    written = [c.written for c in read_claims().claims]
    assert written.count("paraphrase") >= 100 and written.count("reworded") >= 50
    assert written.count("") >= 100
