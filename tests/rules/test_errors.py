"""Rules that cannot compile: the error names the problem and the position to fix (counted
from 1 in the message, as a person counts; `position` stays the 0-based offset)."""

from __future__ import annotations

import pytest

import rules


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("", 0, "the rule is empty"),
        ("   \t ", 0, "the rule is empty"),
        ("Israel +", 7, '"+" at position 8 needs a term after it'),
        ("Israel AND", 7, '"AND" at position 8 needs a term after it'),
        ("+ Israel", 0, '"+" at position 1 needs a term before it'),
        ("Israel | | Iran", 7, '"|" at position 8 needs a term after it'),
        ("Israel -", 7, '"-" at position 8 needs a term after it'),
        ("NOT", 0, '"NOT" at position 1 needs a term after it'),
        ("Israel + (Croatia | Slovakia", 9, 'unclosed "(" opened at position 10'),
        ("Israel (", 7, 'unclosed "(" opened at position 8'),
        ("Israel)", 6, '")" at position 7 has no matching "("'),
        ("(Israel))", 8, '")" at position 9 has no matching "("'),
        ('"Eli Cohen', 0, "unclosed quote"),
        ("Israel ()", 7, 'empty group "()" at position 8'),
        ("Israel + ( )", 9, 'empty group "()" at position 10'),
        ("-football", 0, "only excludes"),
        ("NOT football !soccer", 0, "only excludes"),
        ("Iran | -football", 0, "every alternative"),
        ("author:Cohen", 0, 'unknown field "author:"'),
        ("*", 0, 'a bare "*"'),
        ("Israel + *", 9, 'a bare "*"'),
        ("Is*rael", 0, '"*" can only end a word'),
        ('""', 0, "has no letters or digits"),
        ("...", 0, "has no letters or digits"),
        ("title:", 0, '"title:" at position 1 needs a term after it'),
        ("x" * 501, 500, "the limit is 500"),
        ("(" * 17 + "a" + ")" * 17, 16, "more than 16 deep"),
    ],
)
def test_error_message_and_position(text: str, position: int, message: str) -> None:
    with pytest.raises(rules.RuleSyntaxError) as caught:
        rules.compile(text)
    assert message in str(caught.value)
    assert caught.value.message == str(caught.value)
    assert caught.value.position == position


def test_too_many_terms_points_at_the_first_one_over() -> None:
    text = " ".join(f"w{i}" for i in range(33))
    with pytest.raises(rules.RuleSyntaxError, match="more than 32 terms") as caught:
        rules.compile(text)
    assert caught.value.position == text.index("w32")


def test_unknown_field_names_the_known_ones() -> None:
    with pytest.raises(rules.RuleSyntaxError, match="title:, text:, source:"):
        rules.compile("tag:Israel")


def test_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        rules.compile("(")


@pytest.mark.parametrize(
    "text",
    [
        "x" * 500,
        " ".join(f"w{i}" for i in range(32)),
        "(" * 16 + "a" + ")" * 16,
        "10:30",  # a colon after digits is punctuation, not a field
        "Israel and",  # lower-case operator words are words
        "Israel -(-Iran)",  # a double negation cancels: the rule is Israel + Iran
    ],
)
def test_limits_and_edge_cases_that_compile(text: str) -> None:
    assert isinstance(rules.compile(text), rules.Rule)


@pytest.mark.parametrize("char", list("()\"“”„«»'‘’+&|,!-*:"))
def test_every_special_character_alone_is_an_error_not_a_hang(char: str) -> None:
    with pytest.raises(rules.RuleSyntaxError):
        rules.compile(char)


@pytest.mark.parametrize(
    ("text", "line", "caret"),
    [
        ("Israel +", "Israel +", "       ^"),
        ("Israel\n+ (Baku", "+ (Baku", "  ^"),  # the bracket left open
        ("Israel + (Baku\nAND Tbilisi", "Israel + (Baku", "         ^"),
    ],
)
def test_the_excerpt_shows_the_line_with_a_caret_under_the_problem(
    text: str, line: str, caret: str
) -> None:
    with pytest.raises(rules.RuleSyntaxError) as error:
        rules.compile(text)
    excerpt = error.value.excerpt(text)
    assert (excerpt.line, excerpt.caret()) == (line, caret)
    assert excerpt.spot == line[len(caret) - 1]


@pytest.mark.parametrize(
    ("text", "before", "spot", "after"),
    [
        ("ישראל + (אזרבייג׳ן", "ישראל + ", "(", "אזרבייג׳ן"),
        ("ישראל + + אזרבייג׳ן", "ישראל ", "+", " + אזרבייג׳ן"),
        ("سوريا + (لبنان", "سوريا + ", "(", "لبنان"),
        ("Baku + ב\u05bc*ית", "Baku + ", "ב\u05bc", "*ית"),  # a letter keeps its dagesh
    ],
)
def test_the_excerpt_splits_the_line_around_the_offending_character(
    text: str, before: str, spot: str, after: str
) -> None:
    with pytest.raises(rules.RuleSyntaxError) as error:
        rules.compile(text)
    excerpt = error.value.excerpt(text)
    assert (excerpt.before, excerpt.spot, excerpt.after) == (before, spot, after)
