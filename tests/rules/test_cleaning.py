"""Invisible characters out of rule text: what goes, what stays, and what the person is told."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rules


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("Isr\u200bael", "Israel"),  # zero-width space
        ("\u202eBaku", "Baku"),  # right-to-left override
        ("\u2066Baku\u2069 + Iran", "Baku + Iran"),  # isolates
        ("\ufeffIsrael", "Israel"),  # byte order mark
        ("Israel\x00", "Israel"),  # NUL
        ("Is\u00adrael", "Israel"),  # soft hyphen
        ("A\u2060B", "AB"),  # word joiner
        ("Baku\u200d", "Baku"),  # a joiner at the end joins nothing
        ("\u200cBaku", "Baku"),
        ("a\u200d-b", "a-b"),  # next to punctuation it is no spelling either
        ("\U000e0041Baku", "Baku"),  # a tag character
    ],
)
def test_invisible_characters_are_removed(typed: str, clean: str) -> None:
    assert rules.remove_invisible(typed).text == clean


@pytest.mark.parametrize(
    "typed",
    [
        "می\u200cخواهم",  # Persian: the non-joiner is part of the word
        "क्\u200dष",  # Devanagari: a joiner selects the half form
        "Israel + Azerbaijan",
        "line one\nline two\ttab",  # whitespace controls are not invisible junk
    ],
)
def test_spelling_and_whitespace_stay(typed: str) -> None:
    cleaned = rules.remove_invisible(typed)
    assert cleaned.text == typed
    assert cleaned.removed == ()
    assert cleaned.summary() == ""


def test_the_summary_names_each_kind_once() -> None:
    cleaned = rules.remove_invisible("\u200bA\u200bB\x00C\u202eD\ufeff")

    assert cleaned.removed == ("\u200b", "\u200b", "\x00", "\u202e", "\ufeff")
    assert cleaned.summary() == (
        "5 invisible characters (U+200B ZERO WIDTH SPACE, U+0000, U+202E RIGHT-TO-LEFT OVERRIDE, …)"
    )


def test_compile_itself_parses_what_it_is_given() -> None:
    """The documented split: cleaning is the caller's step; compile keeps its semantics."""
    assert str(rules.compile("Isr\u200bael")) != str(rules.compile("Israel"))
    assert str(rules.compile(rules.remove_invisible("Isr\u200bael").text)) == "Israel"


@given(st.text())
def test_what_is_left_has_nothing_invisible_and_nothing_else_is_lost(text: str) -> None:
    cleaned = rules.remove_invisible(text)

    for i, char in enumerate(cleaned.text):
        category = unicodedata.category(char)
        if category in ("Cf", "Cs") or (category == "Cc" and not char.isspace()):
            assert char in "\u200c\u200d" and 0 < i < len(cleaned.text) - 1
    assert len(cleaned.text) + len(cleaned.removed) == len(text)
    assert rules.remove_invisible(cleaned.text).text == cleaned.text
