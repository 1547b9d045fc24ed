"""A rule as a news-search query (rules.search_query): what a search engine can say, and a
named reason for what it cannot."""

from __future__ import annotations

import pytest
from hypothesis import given

import rules
from rules.search_query import Reason
from tests.rules.strategies import relaxed, rule_texts

PLACES = rules.Aliases(
    {
        "IL": [rules.Name("Israel"), rules.Name("Израиль")],
        "AZ": [rules.Name("Azerbaijan"), rules.Name("Азербайджан")],
        "US": [rules.Name("United States"), rules.Name("Соединенные Штаты")],
    }
)
RUSSIAN = {"IL": "Израиль", "AZ": "Азербайджан", "US": "Соединенные Штаты"}


def query(text: str, names: dict[str, str] | None = None) -> str:
    return rules.search_query(rules.compile(text, PLACES), (names or {}).get)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("Israel + Azerbaijan", "Azerbaijan Israel"),
        ("ISRAEL & azerbaijan", "azerbaijan ISRAEL"),
        ('"Eli Cohen" | Mossad', '"Eli Cohen" OR Mossad'),
        ("Azerbaijan -football", "Azerbaijan -football"),
        ("Iran | Armenia -football", "(Armenia -football) OR Iran"),
        ("(Iran | Armenia) -football", "(Armenia OR Iran) -football"),
        ("Baku -(football | chess)", "Baku -football -chess"),
        ('Baku -"Formula 1"', 'Baku -"Formula 1"'),
        ("=Israel", "Israel"),
    ],
)
def test_words_phrases_or_and_exclusions_in_the_search_s_syntax(rule: str, expected: str) -> None:
    assert query(rule) == expected


def test_place_names_are_written_in_the_reader_s_language() -> None:
    assert query("Israel + Azerbaijan", RUSSIAN) == "Азербайджан Израиль"
    assert query("Israel + USA | Baku", RUSSIAN) == "(USA Израиль) OR Baku"
    assert query('Israel + "United States"', RUSSIAN) == '"Соединенные Штаты" Израиль'


def test_a_literal_term_keeps_its_own_spelling() -> None:
    assert query("=Israel + Azerbaijan", RUSSIAN) == "Israel Азербайджан"


def test_a_place_with_no_name_in_the_language_is_searched_as_typed() -> None:
    assert query("Azerbaijan + Israel", {"IL": "ישראל"}) == "Azerbaijan ישראל"


@pytest.mark.parametrize(
    ("rule", "reason", "term"),
    [
        ("title:Baku", Reason.FIELD, "title:Baku"),
        ("Israel + source:reuters", Reason.FIELD, "source:reuters"),
        ("Azer*", Reason.PREFIX, "Azer*"),
        ("Baku + lang:ru", Reason.LANGUAGE, "lang:ru"),
        ("Baku -(Iran + Iraq)", Reason.EXCLUDED_COMBINATION, "Iran + Iraq"),
    ],
)
def test_what_a_search_cannot_say_is_named(rule: str, reason: Reason, term: str) -> None:
    with pytest.raises(rules.Unsearchable) as raised:
        query(rule)

    assert (raised.value.reason, raised.value.term) == (reason, term)


@relaxed
@given(rule_texts)
def test_any_rule_gives_a_query_or_a_reason(text: str) -> None:
    try:
        rule = rules.compile(text, PLACES)
    except rules.RuleSyntaxError:
        return
    try:
        written = rules.search_query(rule, RUSSIAN.get)
    except rules.Unsearchable as exc:
        assert exc.reason in Reason
        return
    assert written.strip()
