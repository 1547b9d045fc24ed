"""``lang:`` end to end: the rule language, the article's language (declared, else detected
when the classifier is sure), and the matcher asking for it only when a rule needs it."""

from __future__ import annotations

from dataclasses import replace

import pytest

import rules
from bot.article import Article
from bot.language_tags import normalized_tag, primary_subtag
from bot.languages import article_language, detect
from bot.matching import SubscriptionMatcher

RUSSIAN = (
    "Израиль и Азербайджан подписали соглашение о поставках газа. Переговоры в Баку шли два "
    "дня, и стороны договорились продолжить их в следующем месяце."
)
HEBREW = "ישראל ואזרבייג׳ן חתמו השבוע על הסכם גז חדש. המשלחת תבקר בבאקו ותחזור ביום חמישי."
ENGLISH = (
    "Israel and Azerbaijan signed a new gas agreement on Tuesday. Talks in Baku lasted two "
    "days, and both sides agreed to meet again next month."
)


def article(text: str, guid: str, language: str | None = None) -> Article:
    return Article(
        id=guid,
        feed_url="https://wire.example/feed",
        url=f"https://wire.example/{guid}",
        title="",
        text=text,
        published=None,
        source="Wire",
        language=language,
    )


def test_lang_terms_test_the_documents_language() -> None:
    russian_only = rules.compile("Israel + lang:ru")
    not_english = rules.compile("Israel -lang:en")

    assert russian_only.matches(rules.Document(text="Israel", language="ru"))
    assert not russian_only.matches(rules.Document(text="Israel", language="en"))
    assert not russian_only.matches(rules.Document(text="Israel"))  # unknown: not Russian
    assert not_english.matches(rules.Document(text="Israel"))  # unknown: not excluded
    assert not not_english.matches(rules.Document(text="Israel", language="en"))
    assert russian_only.explain(rules.Document(text="Israel", language="ru")) == [
        rules.Hit("Israel", "text", 0, 6)
    ]


def test_lang_in_the_index_and_with_groups() -> None:
    index: rules.RuleIndex[str] = rules.RuleIndex()
    index.add("ru-uk", rules.compile("lang:(ru | uk) + Iran"))
    index.add("not-en", rules.compile("Iran -lang:en"))
    index.add("any-he", rules.compile("lang:he"))

    assert index.match(rules.Document(text="Iran", language="uk")) == {"ru-uk", "not-en"}
    assert index.match(rules.Document(text="Iran", language="en")) == set()
    assert index.match(rules.Document(text="anything", language="he")) == {"any-he"}


def test_lang_shows_and_compares_as_written() -> None:
    rule = rules.compile("Israel  LANG:RU -lang:en")

    assert str(rule) == "Israel + lang:ru -lang:en"
    assert rule.canonical == "-lang:en + israel + lang:ru"
    assert rules.compile(str(rule)) == rule
    assert rule.languages == {"ru", "en"}
    assert rule.terms == ("Israel", "lang:ru")


@pytest.mark.parametrize("code", ["russian", "r", "ру", "r1"])
def test_a_language_must_be_a_code(code: str) -> None:
    with pytest.raises(rules.RuleSyntaxError, match="needs a language code such as lang:ru"):
        rules.compile(f"Israel lang:{code}")


def test_declared_tags_reduce_to_their_language() -> None:
    assert [primary_subtag(tag) for tag in ("ru-RU", "he_IL", "EN", "", None, "x-?")] == [
        "ru",
        "he",
        "en",
        None,
        None,
        "x",
    ]
    assert [normalized_tag(tag) for tag in ("en_US ", "pt-BR", " ", None)] == [
        "en-us",
        "pt-br",
        None,
        None,
    ]


def test_detection_names_a_paragraph_and_doubts_a_headline() -> None:
    assert (detect(RUSSIAN), detect(HEBREW), detect(ENGLISH)) == ("ru", "he", "en")
    assert detect("Israel and Azerbaijan sign deal") is None  # too short to be sure
    assert detect("   ") is None


def test_a_declared_language_wins_over_detection() -> None:
    assert article_language(article(ENGLISH, "a", language="ru-RU")) == "ru"
    assert article_language(article(RUSSIAN, "b")) == "ru"


async def test_the_matcher_filters_by_language(astore) -> None:
    store = astore.sync
    russian = store.add_subscription(1, rules.compile("Israel + lang:ru")).id
    others = store.add_subscription(2, rules.compile("Israel -lang:ru")).id
    matcher = SubscriptionMatcher(astore)
    await matcher.refresh()
    declared_en = replace(article(RUSSIAN.replace("Израиль", "Israel"), "c"), language="en")

    matches = matcher.match(
        [
            article(RUSSIAN.replace("Израиль", "Israel"), "ru"),
            article(ENGLISH, "en"),
            declared_en,
        ]
    )

    assert matches == {(1, "ru"): [russian], (2, "en"): [others], (2, "c"): [others]}
