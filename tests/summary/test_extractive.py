"""Extractive summaries as an alert shows them: which sentences, how long, what is bold."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

import rules
from bot.article import Article
from bot.delivery import format_alert
from bot.summary import Summary, matched_line, split_sentences, summarize
from rules import Hit

SAMPLE_TITLE = "Israel's Herzog to visit Azerbaijan, key ally bordering on Iran"


def hits_for(words: list[str], *, title: str = "", text: str = "") -> list[Hit]:
    """Hits for every whole-word occurrence of ``words``, as a rule matching them reports."""
    found = []
    for field, value in (("title", title), ("text", text)):
        for word in words:
            for match in re.finditer(rf"\b{re.escape(word)}\b", value):
                found.append(Hit(word, field, match.start(), match.end()))
    return found


def bold(summary: Summary) -> list[str]:
    return [summary.text[a:b] for a, b in summary.highlights]


def assert_sample_summary(summary: Summary) -> None:
    assert "Herzog will travel to Azerbaijan on Tuesday" in summary.text
    assert "strengthen the strategic ties between Israel" in summary.text
    for furniture in ("Jerusalem Post", "photo credit", "By LAHAV HARKOV", "Published:"):
        assert furniture not in summary.text
    assert len(summary.text) <= 400
    assert 2 <= len(split_sentences(summary.text)) <= 3
    assert set(bold(summary)) == {"Israel", "Azerbaijan"}


def test_sample_article_summary_carries_the_matched_sentence(sample_article_text: str) -> None:
    hits = hits_for(["Israel", "Azerbaijan"], title=SAMPLE_TITLE, text=sample_article_text)
    assert_sample_summary(summarize(SAMPLE_TITLE, sample_article_text, hits))


def test_sample_article_with_the_rule_engine(sample_article_text: str) -> None:
    rule = rules.compile("Israel + Azerbaijan")
    hits = rule.explain(rules.Document(title=SAMPLE_TITLE, text=sample_article_text, source=""))
    assert hits
    assert_sample_summary(summarize(SAMPLE_TITLE, sample_article_text, hits))
    assert matched_line(hits) == "Matched: Israel, Azerbaijan (title, text)"


ARTICLE = (
    "The city opened its new harbour on Friday. "
    "Officials said the work took three years. "
    "Fishing boats from Porto were the first to dock. "
    "Traders from Porto and Vigo signed a grain deal at the quay. "
    "The weather stayed calm all day."
)


def test_prefers_the_sentence_with_more_matched_terms() -> None:
    summary = summarize("Harbour opens", ARTICLE, hits_for(["Porto", "Vigo"], text=ARTICLE))
    assert "Traders from Porto and Vigo signed a grain deal" in summary.text
    assert summary.text.startswith("The city opened its new harbour on Friday.")  # the lead fits


def test_keeps_the_article_order() -> None:
    summary = summarize("Harbour opens", ARTICLE, hits_for(["Vigo"], text=ARTICLE))
    sentences = split_sentences(summary.text)
    assert sentences == sorted(sentences, key=ARTICLE.index)


def test_without_hits_the_summary_is_the_lead() -> None:
    summary = summarize("Harbour opens", ARTICLE)
    assert summary == Summary(
        "The city opened its new harbour on Friday. Officials said the work took three years."
    )


def test_title_hits_give_the_lead_with_their_terms_in_bold() -> None:
    title = "Porto harbour opens"
    text = "Porto opened its harbour on Friday. The work took three years. Boats docked."
    summary = summarize(title, text, hits_for(["Porto"], title=title))
    assert summary.text == "Porto opened its harbour on Friday. The work took three years."
    assert bold(summary) == ["Porto"]


def test_never_longer_than_the_limit() -> None:
    summary = summarize("Harbour opens", ARTICLE, hits_for(["Vigo"], text=ARTICLE), max_chars=120)
    assert len(summary.text) <= 120
    assert "Vigo" in summary.text


def test_cuts_a_single_overlong_sentence_at_a_word() -> None:
    text = "Delegates " + "from many nations " * 40 + "met in Vigo."
    summary = summarize("Summit", text, max_chars=100)
    assert len(summary.text) <= 100
    assert summary.text.endswith(" many…")


def test_bolds_every_occurrence_ignoring_case_and_accents_but_whole_words_only() -> None:
    text = "Zürich voted yes. ZURICH will build the tram. Zurichers cheered in zurich."
    hit = Hit("zurich", "text", 0, 6)
    summary = summarize("Tram vote", text, [hit])
    assert bold(summary) == ["Zürich", "ZURICH", "zurich"]


def test_bolds_what_the_article_says_where_the_rule_matched_a_prefix() -> None:
    text = "Israeli officials arrived. The talks began at noon."
    summary = summarize("Talks", text, [Hit("israel*", "text", 0, 7)])
    assert bold(summary) == ["Israeli"]


def test_highlights_are_sorted_and_do_not_overlap() -> None:
    text = "New York City and York both voted. Results came late."
    summary = summarize("Vote", text, hits_for(["New York", "York"], text=text))
    assert bold(summary) == ["New York", "York"]
    ends = [end for _, end in summary.highlights]
    starts = [start for start, _ in summary.highlights]
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))


def test_empty_text_gives_an_empty_summary() -> None:
    assert summarize("Title only", "") == Summary("")


@pytest.mark.parametrize(
    "text",
    [
        "Herzog in Baku",
        "By LAHAV HARKOV\nPublished: MAY 28, 2023 15:05\nShare this article",
    ],
    ids=["the-title-again", "byline-dateline-share"],
)
def test_the_fallback_brings_back_no_title_and_no_furniture(text: str) -> None:
    """Only lines judged by their shape alone come back when the strict reading leaves
    nothing; a text that is the title again, or only a byline, still has no summary."""
    assert summarize("Herzog in Baku", text) == Summary("")


def test_matched_line_groups_terms_by_where_they_matched() -> None:
    hits = [
        Hit("Israel", "title", 0, 6),
        Hit("Azerbaijan", "title", 25, 35),
        Hit("israel", "text", 3, 9),
        Hit("Azerbaijan", "text", 40, 50),
        Hit("Baku", "text", 60, 64),
        Hit("Baku", "text", 90, 94),
        Hit("Reuters", "source", 0, 7),
    ]
    assert matched_line(hits) == (
        "Matched: Israel, Azerbaijan (title, text), Baku (text), Reuters (source)"
    )


def test_matched_line_for_title_only_hits() -> None:
    hits = [Hit("Israel", "title", 0, 6), Hit("Azerbaijan", "title", 25, 35)]
    assert matched_line(hits) == "Matched: Israel, Azerbaijan (title)"


def test_matched_line_is_empty_without_hits() -> None:
    assert matched_line([]) == ""


def test_a_repeated_sentence_is_shown_once() -> None:
    """Feeds often repeat a paragraph (teaser + body); the summary must not."""
    text = "Herzog landed in Baku. " * 3 + "Talks on energy followed."
    summary = summarize("Visit", text, [Hit("Baku", "text", 16, 20)])
    assert summary.text == "Herzog landed in Baku. Talks on energy followed."


@pytest.mark.parametrize(
    ("rule", "title", "text", "bolded"),
    [
        (
            "Azerbaycan",
            "Azerbaycan ile anlaşma",
            "Azərbaycan prezidenti Bakıda danışdı. Azərbaycan və İsrail saziş imzaladı.",
            ["<b>Azərbaycan</b> prezidenti", "<b>Azərbaycan</b> və"],
        ),
        (
            "Azerbaijan | Lodz",
            "Lodz and Azerbaijan sign deal",
            "Officials from Łódź met Azerbaijan's envoy. The ŁÓDŹ office opens in May.",
            ["from <b>Łódź</b> met <b>Azerbaijan</b>'s", "The <b>ŁÓDŹ</b> office"],
        ),
    ],
)
def test_the_alert_bolds_every_spelling_the_rule_matches(
    rule: str, title: str, text: str, bolded: list[str]
) -> None:
    """Words folded as the rule engine folds them (ə, ł, possessives) are bold in the alert."""
    compiled = rules.compile(rule)
    hits = compiled.explain(rules.Document(title=title, text=text, source=""))
    assert hits
    article = Article("1", "https://x.example/rss", None, title, text, None, "X")
    summary = summarize(title, text, hits)
    alert = format_alert(article, summary, topics=[rule], matched="", tz=ZoneInfo("UTC"))
    for shown in bolded:
        assert shown in alert.text
