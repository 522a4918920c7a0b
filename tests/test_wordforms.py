"""Search's word forms: British and American spellings meet, Snowball stems join the forms
of a word, near relatives are told apart from the same word and from other words."""

from __future__ import annotations

import pytest

from kg.query.wordforms import (
    EXACT,
    RELATIVE,
    SAME_STEM,
    american,
    closeness,
    related,
    stem,
    terms,
)


@pytest.mark.parametrize(
    ("british", "us"),
    [
        ("memorise", "memorize"),
        ("memorised", "memorized"),
        ("memorisation", "memorization"),
        ("organisations", "organizations"),
        ("generalising", "generalizing"),
        ("analyse", "analyze"),
        ("paralysed", "paralyzed"),
        ("behaviour", "behavior"),
        ("behavioural", "behavioral"),
        ("favourite", "favorite"),
        ("honourable", "honorable"),
        ("centre", "center"),
        ("defence", "defense"),
        ("programme", "program"),
    ],
)
def test_british_spellings_become_american(british, us):
    assert american(british) == us and american(us) == us
    assert stem(british) == stem(us)


@pytest.mark.parametrize(
    "word",
    [
        "promise",
        "exercised",
        "otherwise",
        "surprising",
        "raise",
        "four",
        "hour",
        "tour",
        "your",
        "devour",
        "crisis",
        "basis",
        "analysis",
        "noise",
        "expertise",
    ],
)
def test_words_without_another_spelling_are_kept(word):
    assert american(word) == word


def test_the_forms_of_memorization_meet():
    forms = ["memorization", "memorisation", "memorised", "memorise", "memorize", "memorizing"]
    assert len({stem(form) for form in forms}) == 1
    assert related(stem("memories"), stem("memorization"))
    assert not related(stem("memory"), stem("model"))


def test_closeness_orders_same_word_form_and_relative():
    assert closeness("memorization", "memorization") == EXACT
    assert closeness("memorization", "memorisation") == EXACT  # spelling aside
    assert closeness("memorization", "memorised") == SAME_STEM
    assert closeness("memorization", "memories") == RELATIVE
    assert closeness("memorization", "mechanism") == 0.0
    assert EXACT > SAME_STEM > RELATIVE > 0


def test_acronym_plurals_and_stop_words():
    assert terms("The LLMs and an LLM") == ["llm", "llm"]
    assert terms("of the a") == []
