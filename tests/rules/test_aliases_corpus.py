"""Place aliases on the multilingual feeds of ../shared/corpus/feeds (read in place): the
names are found in Ukrainian, German, French and Urdu news as those feeds print them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

import rules
from bot.feeds.parser import parse_feed
from bot.places import DEFAULT_LANGUAGES, alias_table

TABLE = alias_table(DEFAULT_LANGUAGES, {})
Matcher = Callable[[str, str], dict[str, list[str]]]


@pytest.fixture
def matched(corpus_dir: Path) -> Matcher:
    return partial(_matched, corpus_dir)


def _matched(corpus: Path, feed: str, rule_text: str) -> dict[str, list[str]]:
    """Title → the "Matched:" terms of each article of ``feed`` that the rule matches."""
    path = corpus / feed
    rule = rules.compile(rule_text, TABLE)
    found = {}
    for article in parse_feed(path.read_bytes(), url="https://corpus.example/feed").articles:
        hits = rule.explain(rules.Document(**article.rule_doc()))
        if hits is not None:
            found[article.title] = list(dict.fromkeys(hit.term for hit in hits))
    return found


def test_ukrainian_cases_of_russia_and_china(matched: Matcher) -> None:
    found = matched("Feeder__rss_ukrnet.xml", "Russia + China")

    [(title, terms)] = found.items()
    assert title.startswith("Торгівля між Росією та Китаєм")
    assert terms == ["Russia (Росія)", "China (Китай)"]


def test_ukrainian_genitive_of_ukraine(matched: Matcher) -> None:
    [title] = matched("Feeder__rss_ukrnet.xml", "Ukraine")

    assert "проти України" in title


def test_german_and_french_names(matched: Matcher) -> None:
    [german] = matched("kde-syndication__tagesschau.de.xml", "France").values()
    iran = matched("Feeder__rss_lemonde.xml", "Iran")

    assert german == ["France (Frankreich)"]
    assert any("l’Iran" in title for title in iran)


def test_urdu_news_spells_israel_as_persian_does(matched: Matcher) -> None:
    found = matched("miniflux__urdu_UTF8.xml", "Israel")

    assert list(found.values()) == [["Israel (اسرائیل)"]]
