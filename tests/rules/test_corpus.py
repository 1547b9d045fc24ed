"""Rules on real feed articles from the shared corpus, in several languages and scripts."""

from __future__ import annotations

import html
import random
import re
from functools import cache
from pathlib import Path

import feedparser
import pytest

import rules

_TAG = re.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    """A crude HTML → text: enough for matching words, not the project's real normalizer."""
    return html.unescape(_TAG.sub(" ", markup))


@cache
def _documents(path: Path) -> list[rules.Document]:
    parsed = feedparser.parse(path.read_bytes())
    source = parsed.feed.get("title", "")
    return [
        rules.Document(
            title=_plain(entry.get("title", "")),
            text=_plain(entry.get("summary", "")),
            source=source,
        )
        for entry in parsed.entries
    ]


def _matching_titles(corpus_dir: Path, name: str, rule: str) -> list[str]:
    compiled = rules.compile(rule)
    return [doc.title for doc in _documents(corpus_dir / name) if compiled.matches(doc)]


@pytest.mark.parametrize(
    ("name", "rule", "titles"),
    [
        ("RSS-Parser__feed-test-greek.xml", "ΚΑΡΑΝΤΙΝΑΣ", ("«Πορτραίτα καραντίνας»",)),
        ("RSS-Parser__feed-test-greek.xml", "πορτραιτα + Φέλιου", ("«Πορτραίτα καραντίνας»",)),
        ("feedparser__windows1255.xml", '"אתר אינטרנט"', ("",)),
        ("rss2email__bbc-chinese_feed.atom", "北约", ("白宫提名艾伦为北约最高司令官",)),
        ("rss2email__bbc-chinese_feed.atom", "经济 -北约", ("国际货币基金组织称全球经济恢复放缓",)),
        ("RSS-Parser__feed-test-hindi-channel-image.xml", '"कोरोना वायरस"', ("कैसे फैला कोरोना",)),
        (
            "miniflux__encoding_WINDOWS-1251.xml",
            "жаба + программер",
            ("Цитата #17703", "Цитата #17715"),
        ),
        ("Feeder__rss_lemonde.xml", '"Martin Fourcade" + epreuve', ("JO d’hiver 2018",)),
        ("kde-syndication__tagesschau.de.xml", "Dusseldorf*", ("Entführte Mitarbeiter",)),
        ("kde-syndication__tagesschau.de.xml", "title:Frankreich", ("Aktionstag: Zehntausende",)),
    ],
)
def test_rule_finds_the_expected_articles(
    corpus_dir: Path, name: str, rule: str, titles: tuple[str, ...]
) -> None:
    found = _matching_titles(corpus_dir, name, rule)
    assert len(found) == len(titles)
    assert all(title.startswith(start) for title, start in zip(found, titles, strict=True))


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("RSS-Parser__feed-test-greek.xml", '"καραντίνας Πορτραίτα"'),
        ("RSS-Parser__feed-test-hindi-channel-image.xml", '"वायरस कोरोना"'),
        ("rss2email__bbc-chinese_feed.atom", "北约 + 经济"),
        ("kde-syndication__tagesschau.de.xml", "Dusseldorf"),  # only "Düsseldorfer" occurs
        ("Feeder__rss_lemonde.xml", "Fourcad"),
    ],
)
def test_rule_finds_nothing(corpus_dir: Path, name: str, rule: str) -> None:
    assert _matching_titles(corpus_dir, name, rule) == []


def test_arabic_script_words_with_and_and_not(corpus_dir: Path) -> None:
    name = "miniflux__urdu_UTF8.xml"
    both = _matching_titles(corpus_dir, name, "پاکستان + امریکہ")
    either = _matching_titles(corpus_dir, name, "پاکستان | امریکہ")
    only_one = _matching_titles(corpus_dir, name, "پاکستان -امریکہ")
    assert both
    assert set(both) < set(either)
    assert set(only_one) == set(_matching_titles(corpus_dir, name, "پاکستان")) - set(both)


def test_index_equals_rule_by_rule_on_the_corpus(corpus_dir: Path) -> None:
    docs = [doc for path in sorted(corpus_dir.glob("*.*")) for doc in _documents(path)]
    vocabulary = sorted({w for doc in docs[::7] for w in doc.vocabulary if len(w) > 2})
    shapes = ["{a}", "{a} + {b}", "{a} | {b}", "{a} -{b}", '"{a} {b}"', "{p}*", "title:{a}"]
    pick = random.Random(7)
    compiled = {}
    for key in range(400):
        a, b = pick.sample(vocabulary, 2)
        compiled[key] = rules.compile(pick.choice(shapes).format(a=a, b=b, p=a[:3]))
    index = rules.RuleIndex()
    for key, rule in compiled.items():
        index.add(key, rule)
    matched = 0
    for doc in docs:
        expected = {key for key, rule in compiled.items() if rule.matches(doc)}
        assert index.match(doc) == expected
        matched += bool(expected)
    assert matched > len(docs) // 4  # the comparison is not vacuous
