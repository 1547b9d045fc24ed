"""The public surface other stages code against: Rule, Document, Hit."""

from __future__ import annotations

import pytest

import rules


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Israel + Azerbaijan", "azerbaijan  israel"),
        ("Israel + Azerbaijan", "Israel AND Azerbaijan"),
        ("Israel & Azerbaijan", "Azerbaijan+Israel"),
        ("Iran | Armenia", "Armenia OR Iran"),
        ("Iran, Armenia", "(armenia|IRAN)"),
        ("(Iran | Armenia) -football", "NOT football (Armenia OR Iran)"),
        ("Israel !football", "Israel NOT Football"),
        ('"Eli Cohen"', '"eli   COHEN"'),
        ("Nagorno-Karabakh", '"Nagorno Karabakh"'),
        ("Élysée", "elysee"),
        ("title:Herzog", "Title:herzog"),
        ("title:(Herzog | Baku)", "title:Baku | title:Herzog"),
        ("a + (b + c)", "(c b) a"),
        ("Israel + Israel", "Israel"),
        ("Israel -(-Iran)", "Iran Israel"),
    ],
)
def test_canonical_equal_for_same_meaning(a: str, b: str) -> None:
    assert rules.compile(a).canonical == rules.compile(b).canonical
    assert rules.compile(a) == rules.compile(b)
    assert len({rules.compile(a), rules.compile(b)}) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Israel + Azerbaijan", "Israel | Azerbaijan"),
        ("Israel -Iran", "Iran -Israel"),
        ('"Eli Cohen"', "Eli Cohen"),
        ("title:Herzog", "Herzog"),
        ("Israel*", "Israel"),
        ("a + b | c", "a + (b | c)"),
    ],
)
def test_canonical_differs_for_different_meaning(a: str, b: str) -> None:
    assert rules.compile(a).canonical != rules.compile(b).canonical


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Israel + Azerbaijan", "Israel + Azerbaijan"),
        ("Israel AND Azerbaijan", "Israel + Azerbaijan"),
        ("Israel   Azerbaijan", "Israel + Azerbaijan"),
        ("(Iran OR Armenia) NOT football", "(Iran | Armenia) -football"),
        ("NOT football Iran", "Iran -football"),
        ("Azerbaijan -(Armenia | drones)", "Azerbaijan -(Armenia | drones)"),
        ("title:“key ally”", 'title:"key ally"'),
        ("Nagorno-Karabakh   Azer*", "Nagorno-Karabakh + Azer*"),
        ("Iran | Israel Azerbaijan", "Iran | Israel + Azerbaijan"),
        ("title:(Herzog | Baku)", "title:Herzog | title:Baku"),
    ],
)
def test_str_is_the_normalized_form(text: str, shown: str) -> None:
    rule = rules.compile(text)
    assert str(rule) == shown
    assert rule.text == text
    assert rules.compile(str(rule)).canonical == rule.canonical


@pytest.mark.parametrize(
    ("text", "grouped", "other"),
    [
        ("Iran | Armenia -football", "Iran | (Armenia -football)", "(Iran | Armenia) -football"),
        ("Iran | Israel Azerbaijan", "Iran | (Israel + Azerbaijan)", None),
        ("(Iran | Armenia) -football", "(Iran | Armenia) -football", None),
        ("Iran | Armenia", "Iran | Armenia", None),
        ("Israel Baku -football", "Israel + Baku -football", None),
        ("x | a b -y", "x | (a + b -y)", "(x | (a + b)) -y"),
        ("a -x | b -y", "(a -x) | (b -y)", "((a -x) | b) -y"),
    ],
)
def test_grouped_shows_the_brackets_and_other_reading_the_likely_meant_one(
    text: str, grouped: str, other: str | None
) -> None:
    rule = rules.compile(text)
    assert rule.grouped == grouped
    assert rule.other_reading == other


@pytest.mark.parametrize(
    "text", ["'Eli Cohen'", "‘Eli Cohen’", '"Eli Cohen"', "“Eli Cohen”", "'Eli  COHEN'"]
)
def test_single_quotes_quote_phrases_like_double_ones(text: str) -> None:
    rule = rules.compile(text)
    assert rule.canonical == '"eli cohen"'
    assert rule.matches("Eli Cohen was here") and not rule.matches("Cohen, Eli")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Israel's army", "Israel's + army"),
        ("O'Brien", "O'Brien"),
        ("'90s music", "90s + music"),  # a lone leading apostrophe is no quote
        ("'Israel's army' | Baku", '"Israel\'s army" | Baku'),
        ("'say \"hi\" now'", "'say \"hi\" now'"),
    ],
)
def test_apostrophes_inside_and_before_words_stay_words(text: str, shown: str) -> None:
    rule = rules.compile(text)
    assert str(rule) == shown
    assert rules.compile(str(rule)).canonical == rule.canonical


def test_terms_are_the_positive_terms_as_written() -> None:
    rule = rules.compile('title:Herzog + ("Eli Cohen" | Azer*) -football -(Iran | Herzog)')
    assert rule.terms == ("Herzog", "Eli Cohen", "Azer*")


TITLE = "Israel's Herzog to visit Azerbaijan"
TEXT = "Azerbaijan’s ambassador met Eli Cohen. Eli  Cohen said Israel and Azerbaijan agree."


def _shown(doc: rules.Document, hits: list[rules.Hit]) -> list[tuple[str, str, str]]:
    return [(hit.term, hit.field, getattr(doc, hit.field)[hit.start : hit.end]) for hit in hits]


def test_explain_returns_every_occurrence_in_the_original_text() -> None:
    doc = rules.Document(title=TITLE, text=TEXT)
    hits = rules.compile("Israel + Azerbaijan").explain(doc)
    assert hits is not None
    assert _shown(doc, hits) == [
        ("Israel", "title", "Israel"),
        ("Azerbaijan", "title", "Azerbaijan"),
        ("Azerbaijan", "text", "Azerbaijan"),
        ("Israel", "text", "Israel"),
        ("Azerbaijan", "text", "Azerbaijan"),
    ]
    assert [(h.start, h.end) for h in hits[:2]] == [(0, 6), (25, 35)]


def test_explain_spans_phrases_and_prefixes() -> None:
    doc = rules.Document(title=TITLE, text=TEXT)
    hits = rules.compile('"Eli Cohen" + Azer*').explain(doc)
    assert hits is not None
    assert _shown(doc, hits) == [
        ("Azer*", "title", "Azerbaijan"),
        ("Azer*", "text", "Azerbaijan"),
        ("Eli Cohen", "text", "Eli Cohen"),
        ("Eli Cohen", "text", "Eli  Cohen"),
        ("Azer*", "text", "Azerbaijan"),
    ]


def test_explain_leaves_out_negated_terms_and_failed_branches() -> None:
    doc = rules.Document(title=TITLE, text=TEXT)
    hits = rules.compile("(Herzog + Brazil) | Cohen -Iran").explain(doc)
    assert hits is not None
    assert {hit.term for hit in hits} == {"Cohen"}


def test_explain_is_none_exactly_when_there_is_no_match() -> None:
    doc = rules.Document(title=TITLE, text=TEXT)
    assert rules.compile("Israel -Herzog").explain(doc) is None
    assert rules.compile("Israel + Iran").explain(doc) is None
    assert rules.compile("Israel -Iran").explain(doc) is not None


def test_hit_offsets_count_characters_not_bytes() -> None:
    text = "Визит в Азербайджан: Израиль и Азербайджан"
    hits = rules.compile("Азербайджан").explain(text)
    assert hits is not None
    assert [(h.field, h.start, h.end) for h in hits] == [("text", 8, 19), ("text", 31, 42)]


def test_hit_is_a_frozen_value() -> None:
    hit = rules.Hit(term="Israel", field="title", start=0, end=6)
    assert hit == rules.Hit("Israel", "title", 0, 6)
    with pytest.raises(AttributeError):
        hit.start = 1  # type: ignore[misc]


def test_document_of_accepts_mapping_text_or_document() -> None:
    doc = rules.Document(title="Herzog", text="Baku", source="jpost.com")
    assert rules.Document.of(doc) is doc
    from_text = rules.Document.of("Baku")
    assert (from_text.title, from_text.text, from_text.source) == ("", "Baku", "")
    from_mapping = rules.Document.of({"title": "Herzog", "text": None, "link": "x"})
    assert (from_mapping.title, from_mapping.text, from_mapping.source) == ("Herzog", "", "")
    with pytest.raises(TypeError, match=r"rules\.Document"):
        rules.Document.of(42)  # type: ignore[arg-type]


def test_rule_matches_every_accepted_document_form() -> None:
    rule = rules.compile("title:Herzog + Baku + source:jpost")
    fields = {"title": "Herzog", "text": "Baku", "source": "The Jerusalem Post jpost.com"}
    assert rule.matches(fields)
    assert rule.matches(rules.Document(**fields))
    assert not rule.matches("Herzog Baku jpost")


def test_one_document_serves_many_rules() -> None:
    doc = rules.Document(title=TITLE, text=TEXT)
    verdicts = [rules.compile(r).matches(doc) for r in ("Israel", "Iran", "Cohen", "Israel*")]
    assert verdicts == [True, False, True, True]
