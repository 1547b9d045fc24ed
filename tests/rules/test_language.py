"""Every form of the rule language, as a table of rule × text → match or not."""

from __future__ import annotations

import pytest

import rules

ARTICLE = {
    "title": "Israel's Herzog to visit Azerbaijan, key ally bordering on Iran",
    "text": (
        "Israeli President Isaac Herzog's visit comes amid Baku-Tehran tensions; Foreign "
        "Minister Eli Cohen will visit Central Europe. Azerbaijan’s arms imports came from "
        "Israel and Turkey. The war over Nagorno-Karabakh ended. Le président visite l'Élysée."
    ),
    "source": "The Jerusalem Post jpost.com",
}

MATCHING = [
    "Azerbaijan",
    "azerbaijan",
    "AZERBAIJAN",
    "Israel + Azerbaijan",
    "Israel & Azerbaijan",
    "Israel AND Azerbaijan",
    "Israel Azerbaijan",
    "Iran | Armenia",
    "Iran OR Armenia",
    "Iran, Armenia",
    "Armenia | Israel + Azerbaijan",  # AND binds tighter than OR
    "Israel + (Croatia | Baku)",
    "Israel -football",
    "Israel !football",
    "Israel NOT football",
    "Azerbaijan -(Armenia | drones)",
    '"Eli Cohen"',
    "“Eli Cohen”",
    "'Eli Cohen'",  # single quotes quote phrases too
    "‘Eli Cohen’",
    "'Israel's Herzog'",  # an apostrophe inside a word does not close the phrase
    "Nagorno-Karabakh",
    '"Nagorno Karabakh"',
    "Baku-Tehran",
    "Azer*",
    "Israel*",
    "title:Herzog",
    'title:"key ally"',
    "title:(Herzog + Iran)",
    "source:jpost",
    "source:jpost.com",
    'source:"Jerusalem Post"',
    "text:Cohen",
    "Elysee",  # accents folded
    "ELYSÉE",
    "Herzog + visit and",  # lower-case "and" is a word, and it occurs
    "Herzog | and",
]

NOT_MATCHING = [
    "Armenia",
    "Israel + Armenia",
    "Israel AND Armenia",
    "Croatia | Slovakia",
    "Israel + (Croatia | Slovakia)",
    "Israel -Iran",
    "Israel NOT Iran",
    "Azerbaijan -(Armenia | Baku)",
    '"Cohen Eli"',  # phrase words in order
    "'Cohen Eli'",
    '"Eli Minister"',  # phrase words adjacent
    "Karabakh-Nagorno",
    "Azer",  # whole words only
    "Israe",
    "title:Cohen",
    "text:ally",
    "source:Israel",
    "jpost",  # source is searched only with source:
    "Herzog AND or",  # lower-case "or" is a word, absent here
]


@pytest.mark.parametrize("rule", MATCHING)
def test_rule_matches_article(rule: str) -> None:
    assert rules.compile(rule).matches(ARTICLE)


@pytest.mark.parametrize("rule", NOT_MATCHING)
def test_rule_does_not_match_article(rule: str) -> None:
    assert not rules.compile(rule).matches(ARTICLE)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("Iran", "Talks in Tehran resumed."),
        ("Israel", "Israeli officials said."),
        ("Israel", "Israelis voted."),
        ("Azerbaijan", "Azerbaijani oil."),
        ("war", "warfare and wars"),
        ('"Eli Cohen"', "Eli met Cohen"),
    ],
)
def test_whole_words_only(rule: str, text: str) -> None:
    assert not rules.compile(rule).matches(text)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("Israel", "Israel's president"),
        ("Israel", "ISRAEL’S PRESIDENT"),
        ("Azerbaijan", "Azerbaijan’s arms"),
        ("Israel*", "Israeli officials"),
        ("Élysée", "a meeting at the elysee"),
        ("elysee", "Palais de l'Élysée"),
        ("Azərbaycan", "Azerbaycan Respublikası"),
        ("Azerbaycan", "Azərbaycan Respublikası"),
        ("Diyarbakır", "DIYARBAKIR"),
        ("İstanbul", "istanbul"),
        ("Straße", "STRASSE"),
        ("Москва", "В Москве и МОСКВА"),
        ("ёлка", "елка"),
        ("Αθήνα", "ΑΘΗΝΑ"),
        ("ירושלים", "בירושלים ירושלים"),
        ("שלום", "שָׁלוֹם"),
        ("طهران", "في طهران اليوم"),
        ("Nagorno-Karabakh", "the Nagorno Karabakh region"),
        ("COVID-19", "covid 19 cases"),
        ("北京", "今天北京天气"),  # CJK: one token per character, so a phrase of characters
        ("Eli Cohen", "Cohen said Eli"),  # bare words AND, order free
    ],
)
def test_folding_and_tokenizing(rule: str, text: str) -> None:
    assert rules.compile(rule).matches(text)


def test_sample_article(sample_article_text: str) -> None:
    title, _, body = sample_article_text.partition("\n")
    doc = rules.Document(title=title, text=body)
    for rule in ["Israel + Azerbaijan", '"Eli Cohen"', "Herzog + Baku", "Israel*"]:
        assert rules.compile(rule).matches(doc), rule
    for rule in ["Iran + Brazil", "Israel + football", '"Cohen Eli"', "Azer", "Azerbaijan -Baku"]:
        assert not rules.compile(rule).matches(doc), rule
