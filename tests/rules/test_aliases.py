"""Place names across languages: a term naming a country matches its CLDR names and their
inflected or prefixed forms, in the rule, in the index, and in the explanation.

The articles are short news sentences written for these tests; the table is the one the bot
builds from babel's installed CLDR data for the default ``[rules] languages``.
"""

from __future__ import annotations

import pytest

import rules
from bot.places import DEFAULT_LANGUAGES, alias_table, forms

TABLE = alias_table(DEFAULT_LANGUAGES, {"Eli Cohen": ["אלי כהן", "Эли Коэн"]})
RULE = "Israel + Azerbaijan"

SAME_STORY = {
    "ru": "Израиль и Азербайджан подписали соглашение о поставках газа через Баку.",
    "ru-cases": "Премьер Израиля прилетел в Баку: переговоры с Азербайджаном продлятся два дня.",
    "uk": "Ізраїль та Азербайджан домовилися про спільні навчання; делегація Ізраїлю вже в Баку.",
    "he": "ישראל ואזרבייג׳ן חתמו על הסכם גז; המשלחת מבקרת בבאקו השבוע.",
    "he-apostrophe": "שר החוץ נחת בישראל אחרי ביקור באזרבייג'ן.",
    "ar": "وقعت إسرائيل وأذربيجان اتفاقية جديدة للطاقة في باكو.",
    "fa": "اسرائیل و آذربایجان قرارداد تازه‌ای در زمینه انرژی امضا کردند.",
    "tr": "İsrail ile Azerbaycan'ın enerji anlaşması Bakü'de imzalandı.",
    "az": "İsrail və Azərbaycan arasında yeni enerji sazişi imzalandı.",
    "az-cases": "Azərbaycanın prezidenti İsraillə əməkdaşlığı Bakıda müzakirə etdi.",
    "de": "Israels Außenminister reist nach Aserbaidschan, um über Gas zu sprechen.",
    "fr": "L'Azerbaïdjan et Israël signent un accord gazier à Bakou.",
    "es": "Israel y Azerbaiyán firman un acuerdo de gas en Bakú.",
}


@pytest.mark.parametrize("language", SAME_STORY)
def test_the_same_story_matches_in_every_language(language: str) -> None:
    rule = rules.compile(RULE, TABLE)

    assert rule.matches(SAME_STORY[language])


@pytest.mark.parametrize("language", SAME_STORY)
def test_the_index_finds_it_too(language: str) -> None:
    index: rules.RuleIndex[str] = rules.RuleIndex(TABLE)
    index.add("both", rules.compile(RULE, TABLE))
    index.add("literal", rules.compile("=Israel + =Azerbaijan", TABLE))
    index.add("other", rules.compile("Armenia", TABLE))

    assert index.match(SAME_STORY[language]) == {"both"}


def test_the_explanation_names_the_alias_that_matched() -> None:
    rule = rules.compile(RULE, TABLE)

    hits = rule.explain({"title": "Израиль и Азербайджан", "text": "Israel welcomes the deal."})

    assert [(hit.term, hit.field) for hit in hits or ()] == [
        ("Israel (Израиль)", "title"),
        ("Azerbaijan (Азербайджан)", "title"),
        ("Israel", "text"),
    ]


def test_hebrew_prefixes_and_geresh_spellings_are_one_name() -> None:
    rule = rules.compile("Azerbaijan", TABLE)
    text = "ולאזרבייג׳ן ומאזרבייג'ן ובאזרבייג’ן"

    hits = rule.explain(text) or []

    assert [text[hit.start : hit.end] for hit in hits] == [
        "ולאזרבייג׳ן",
        "ומאזרבייג'ן",
        "ובאזרבייג’ן",
    ]
    assert {hit.term for hit in hits} == {"Azerbaijan (אזרבייג׳ן)"}


@pytest.mark.parametrize(
    "text",
    [
        "Israeli officials met Azerbaijani diplomats.",  # English adjectives are other words
        "израильский и азербайджанский бизнес",  # so are Russian ones (see docs/rules.md)
        "ізраїльські та азербайджанські компанії",
        "Die israelische Delegation flog nach Baku.",
        "Azerbaijan signs a deal with Armenia.",  # one of the two only
    ],
)
def test_derived_words_do_not_count(text: str) -> None:
    assert not rules.compile(RULE, TABLE).matches(text)


def test_a_prefix_asks_for_the_derived_words_explicitly() -> None:
    rule = rules.compile("Азербайджан* + Израил*", TABLE)

    assert rule.matches("израильский и азербайджанский бизнес")
    assert rule.also_matches() == {}  # a prefix is the author's own spelling: no aliases


def test_equals_sign_keeps_a_term_to_its_own_words() -> None:
    literal = rules.compile("=Israel + Azerbaijan", TABLE)

    assert literal.matches("Israel and Азербайджан")
    assert not literal.matches(SAME_STORY["ru"])
    assert list(literal.also_matches()) == ["Azerbaijan"]
    assert str(literal) == "=Israel + Azerbaijan"
    assert literal.canonical == "=israel + azerbaijan"
    assert rules.compile(str(literal), TABLE) == literal


def test_expansion_leaves_the_canonical_form_as_it_was() -> None:
    assert rules.compile(RULE, TABLE).canonical == rules.compile(RULE).canonical


def test_a_rule_typed_in_another_language_expands_the_same_way() -> None:
    rule = rules.compile("Азербайджан", TABLE)

    assert rule.matches("Azerbaijan")
    assert rule.matches("ולאזרבייג׳ן")
    assert [hit.term for hit in rule.explain("Azerbaijan") or ()] == ["Азербайджан (Azerbaijan)"]


def test_configured_aliases_apply_with_their_forms() -> None:
    rule = rules.compile('"Eli Cohen"', TABLE)

    assert rule.also_matches() == {"Eli Cohen": ("אלי כהן", "Эли Коэн")}
    assert rule.matches("Фильм об Эли Коэне вышел в прокат")
    assert rule.matches("סרט על אלי כהן יצא לאקרנים")
    assert not rule.matches("Eli and Cohen met")


def test_the_confirmation_lists_a_few_names_and_counts_the_rest() -> None:
    names = rules.compile("Azerbaijan", TABLE).also_matches()["Azerbaijan"]

    assert names[:3] == ("Азербайджан", "אזרבייג׳ן", "أذربيجان")
    assert "Azerbaycan" in names and "Aserbaidschan" in names  # Azərbaycan folds alike
    assert "Azerbaïdjan" in names and "Azerbaiyán" in names


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        ("Израиль", "ru", {"Израиля", "Израилю", "Израилем", "Израиле"}),
        ("Азербайджан", "ru", {"Азербайджана", "Азербайджану", "Азербайджаном"}),
        ("Турция", "ru", {"Турции", "Турцию", "Турцией"}),
        ("Ізраїль", "uk", {"Ізраїлю", "Ізраїлем", "Ізраїлі"}),
        ("Israel", "de", {"Israels"}),
        ("Azərbaycan", "az", {"Azərbaycanın", "Azərbaycana", "Azərbaycanda", "Azərbaycandan"}),
        ("Türkiyə", "az", {"Türkiyənin", "Türkiyəyə", "Türkiyədə", "Türkiyədən"}),
        ("ישראל", "he", {"בישראל", "וישראל", "ובישראל", "שבישראל"}),
        ("العراق", "ar", {"والعراق", "بالعراق", "للعراق"}),
    ],
)
def test_forms_per_language(name: str, language: str, expected: set[str]) -> None:
    assert expected <= set(forms(name, language))


def test_english_and_persian_names_keep_whole_words() -> None:
    assert forms("Israel", "en") == ()
    assert forms("ایران", "fa") == ()


def test_no_aliases_means_no_change() -> None:
    rule = rules.compile(RULE)

    assert not rule.matches(SAME_STORY["ru"])
    assert rule.also_matches() == {}


def test_an_index_refuses_a_rule_compiled_with_another_table() -> None:
    index: rules.RuleIndex[int] = rules.RuleIndex()

    with pytest.raises(ValueError, match="another alias table"):
        index.add(1, rules.compile(RULE, TABLE))


def test_an_excluded_place_is_excluded_in_every_language() -> None:
    rule = rules.compile("Baku -Israel", TABLE)

    assert rule.matches("Baku: газ для Европы")  # cities are not in the table: Baku as written
    assert not rule.matches("Baku: газ для Израиля")  # a fresh document, no index involved
