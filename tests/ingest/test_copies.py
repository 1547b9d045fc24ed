"""The parts a copy is recognised by: lead, opening, datelines, figures and names.

Whole-pair decisions are scored on the labelled sets (``test_summary_story_pairs.py``); these
pin the pieces those decisions rest on, and check the fast paths against the plain definition.
Words are the rule engine's (``rules.folded_words``), so a copy and a rule agree on them.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import rules
from bot.ingest import copies
from bot.ingest.copies import copy_score, facts_disagree, opening_similarity, profile
from bot.summary import strip_boilerplate


def parts(title: str, text: str) -> copies.Profile:
    result = profile(title, text)
    assert result is not None
    return result


_LONG_TEXT = st.lists(
    st.text(st.sampled_from("aé ½™\u00a0\u0301\n-ßİ한'sـ"), max_size=14), max_size=140
).map(" ".join)
"""Texts on both sides of the lead's length, with characters that fold to several or none."""


@given(_LONG_TEXT)
@example("word " * 130)
@example(("x" * 50 + " ") * 13)  # too few words before the cut: the whole text is folded
def test_the_lead_is_the_first_words_of_the_folded_text(text: str) -> None:
    lead_text, words = copies._lead(text)
    assert words == rules.folded_words(text)[: copies.LEAD_WORDS]
    assert text.startswith(lead_text)


_STORY = (
    "BAKU, May 15 (Caspian Wire) - Azerbaijan and Israel signed a water agreement on Monday"
    " in Baku, the two foreign ministers said after talks that lasted most of the day."
)
_PAGE_BODY = "\n".join(f"Paragraph {n} of the page goes on about the talks." for n in range(600))
_MENU = "\n".join(["Home | World | Business | Sport | Culture"] * 120)


def test_a_page_s_length_does_not_change_its_lead() -> None:
    """Only the head of a long text is stripped of furniture: the lead is the same whether
    the page runs on for tens of kilobytes or ends after it."""
    short = parts("Water deal", _STORY)
    long = parts("Water deal", "By Jane Roe\n" + _STORY + "\n" + _PAGE_BODY)
    assert long.lead_words[: len(short.lead_words)] == short.lead_words
    assert long.names == short.names and long.opening == short.opening
    page = "\n".join(["Water deal", "By Jane Roe", _STORY, _PAGE_BODY])
    whole = copies._lead(copies._without_dateline(strip_boilerplate(page, "Water deal")))
    assert copies._story_lead("Water deal", page) == whole


def test_a_lead_below_more_furniture_than_the_head_holds_is_found() -> None:
    """Kilobytes of menus above the story: the whole text is stripped when the head's story
    holds less than a lead."""
    assert len(_MENU) > copies._HEAD_CHARS
    found = parts("Water deal", _MENU + "\n" + _STORY + "\n" + _PAGE_BODY)
    assert found.lead_words[:4] == ("azerbaijan", "and", "israel", "signed")
    assert len(found.lead_words) == copies.LEAD_WORDS


def test_words_fold_as_a_rule_folds_them() -> None:
    """A copy spelled with ə, ł or a possessive is the same words as one spelled without."""
    written = parts("Azərbaycan opens Łódź office", "Azərbaycan's envoy opened it on Monday.")
    plain = parts("Azerbaycan opens Lodz office", "Azerbaycan envoy opened it on Monday.")
    assert written.words == plain.words
    assert written.names == plain.names == {"monday"}  # not the word a sentence starts with


@given(st.lists(st.text(alphabet="ab", min_size=1), max_size=6))
def test_runs_are_every_window_of_shingle_words(words: list[str]) -> None:
    n = copies.SHINGLE_WORDS
    plain = {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))} - {""}
    assert copies._runs(words) == plain


@pytest.mark.parametrize(
    "text",
    [
        "BAKU, May 15 (Caspian Wire) - Azerbaijan opened a trade office.",
        "AZERTAC. Azerbaijan opened a trade office.",
        "JERUSALEM — Azerbaijan opened a trade office.",
        "TEL AVIV, March 4 (Med Wire) - Azerbaijan opened a trade office.",
        "BAKI, 12 iyul. Azerbaijan opened a trade office.",
        "БАКУ, 14 мая — Каспий Вести. Azerbaijan opened a trade office.",
    ],
)
def test_datelines_are_set_aside(text: str) -> None:
    assert copies._without_dateline(text) == "Azerbaijan opened a trade office."


@pytest.mark.parametrize(
    "text",
    [
        "Azerbaijan opened a trade office - its first - in Tel Aviv.",
        "Israel and Azerbaijan signed four agreements on Wednesday in Baku.",
        "Rain fell. Azerbaijan opened a trade office.",
    ],
)
def test_a_sentence_with_a_dash_keeps_its_words(text: str) -> None:
    assert copies._without_dateline(text) == text


def test_the_opening_is_the_first_sentence_of_at_least_ten_words() -> None:
    lead = "Breaking. Israel and Azerbaijan signed a water pact in Baku on Wednesday. More soon."
    words, starts, sentences = copies._opening(lead)
    assert words[:3] == ["Breaking", "Israel", "and"]
    assert words[-3:] == ["Baku", "on", "Wednesday"]
    assert starts[:2] == [0, 1]
    assert sentences == 3


def test_an_article_of_two_sentences_is_short_and_of_three_is_not() -> None:
    assert parts("T", "The first sentence is here. And a second one.").short
    assert not parts("T", "The first sentence is here. A second one. And a third.").short
    assert parts("T", "A single line without a full stop").short


def test_a_copy_that_runs_two_lines_together_begins_like_the_original() -> None:
    original = parts("Storm", "Rain is driving a surge in floods\nThe storm hit the coast at dawn.")
    copy = parts("Storm", "Rain is driving a surge in floods The storm hit the coast at dawn.")
    assert opening_similarity(original, copy) == 1.0


def test_figures_that_differ_on_both_sides_disagree() -> None:
    monday = parts("Stocks close higher", "The TA-35 index rose 0.8% to 1,954.2 points.")
    tuesday = parts("Stocks close higher", "The TA-35 index rose 1.3% to 1,979.6 points.")
    assert facts_disagree(monday, tuesday)


def test_one_sided_figures_and_names_do_not_disagree() -> None:
    original = parts(
        "Deal signed",
        "Israel and Azerbaijan signed the deal on Tuesday. Relations date back to 1992.",
    )
    copy = parts(
        "Deal signed",
        "Israel and Azerbaijan signed the deal on Tuesday, Caspian Wire reported.",
    )
    assert not facts_disagree(original, copy)


def test_names_that_differ_on_both_sides_disagree() -> None:
    haifa = parts("Bag scare", "Police evacuated the bus station in Haifa after a bag was found.")
    beersheba = parts(
        "Bag scare", "Police evacuated the bus station in Beersheba after a bag was found."
    )
    assert facts_disagree(haifa, beersheba)
    assert copy_score(haifa, beersheba, same_feed=False) is None


def test_a_kept_opening_with_a_new_headline_is_a_copy_across_feeds_but_not_within_one() -> None:
    text = (
        "Azerbaijan Airlines will fly between Baku and Tel Aviv three times a week from June, "
        "the carrier said. Tickets go on sale on Monday."
    )
    original = parts("Azerbaijan Airlines to fly Baku-Tel Aviv", text)
    copy = parts("Direct flights to Baku from June", text + " Fares start at 150 manats.")
    assert copy_score(original, copy, same_feed=False) is not None
    assert copy_score(original, copy, same_feed=True) is None
