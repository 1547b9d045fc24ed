"""The boilerplate filter: each kind of page furniture goes, the story stays."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.summary import boilerplate, strip_boilerplate

STORY = "The council approved the new budget on Monday after a long debate."
LATER = "Spending on schools will rise by a fifth next year, officials said."

FURNITURE = {
    "navigation line": "Home News World Politics Business Technology Science Health Sport Opinion",
    "navigation with separators": "Home | World | Europe | Politics",
    "published line": "Published: MAY 28, 2023 15:05",
    "updated line": "Last updated on 3 June 2024, 09:12 CET",
    "date-only line": "Tuesday, March 5, 2024 10:45 am",
    "byline": "By JANE ROE",
    "byline with agency": "By Maria Lopez and Tom Green, Reuters",
    "credit line": "(photo credit: ANNA COHEN/STATE PRESS OFFICE)",
    "image credit line": "Image: Getty Images",
    "read more": "Read more: Council chiefs warn of cuts",
    "continue reading": "Continue reading...",
    "share prompt": "Share this article",
    "share on": "Share on Facebook",
    "subscribe prompt": "Subscribe to our newsletter for the latest updates",
    "sign up prompt": "Sign up for our morning briefing",
    "follow prompt": "Follow us on Twitter",
}


@pytest.mark.parametrize("line", FURNITURE.values(), ids=FURNITURE.keys())
def test_drops_each_furniture_line_and_keeps_the_story(line: str) -> None:
    text = f"{line}\n{STORY}\n\n{LATER}"
    assert strip_boilerplate(text) == f"{STORY}\n{LATER}"


@pytest.mark.parametrize(
    "credit",
    ["(photo credit: ANNA COHEN/GPO)", "(credit: REUTERS)", "(Photo: AP)", "(Image credit: X)"],
)
def test_removes_inline_credits_but_keeps_their_sentence(credit: str) -> None:
    text = f"Crowds gathered in the square {credit} as the results came in."
    assert strip_boilerplate(text) == "Crowds gathered in the square as the results came in."


def test_drops_a_caption_printed_with_and_without_its_credit() -> None:
    caption = "The mayor greets visitors at the town hall on March 3, 2024."
    text = f"{caption} (photo credit: TOWN HALL)\n{caption}\n(photo credit: TOWN HALL)\n{STORY}"
    assert strip_boilerplate(text) == STORY


def test_drops_a_caption_run_together_with_itself() -> None:
    text = f"{STORY}\nFlag of Portugal (credit: REUTERS)Flag of Portugal (credit: REUTERS)\n{LATER}"
    assert strip_boilerplate(text) == f"{STORY}\n{LATER}"


def test_drops_a_pull_quote_and_the_lone_name_under_it() -> None:
    quote = "“We will keep every school open and every teacher in work this year.”"
    said = "“We will keep every school open and every teacher in work this year,” Lopez said."
    text = f"{STORY}\n{quote}\n\nMaria Lopez\n\n{LATER}\n{said}"
    assert strip_boilerplate(text) == f"{STORY}\n{LATER}\n{said}"


def test_keeps_a_short_name_line_that_follows_no_quote() -> None:
    text = f"Maria Lopez\n{STORY}"
    assert strip_boilerplate(text) == text


def test_drops_the_wordpress_footer_and_teaser_endings() -> None:
    text = (
        f"{STORY} The post Council approves budget appeared first on Town News.\n"
        f"{LATER} […]\n"
        "Roads will be repaired before winter. Read more »"
    )
    assert strip_boilerplate(text) == (f"{STORY}\n{LATER}\nRoads will be repaired before winter.")


def test_drops_wire_reporting_credits() -> None:
    text = f"{STORY} (Reporting by Jane Roe; Editing by John Doe)"
    assert strip_boilerplate(text) == STORY


def test_drops_a_line_repeating_the_title() -> None:
    title = "Council approves budget after long debate"
    assert strip_boilerplate(f"{title}\n{STORY}", title=title) == STORY


def test_keeps_sentences_that_merely_look_like_furniture() -> None:
    text = (
        "By Tuesday, the army had left the town.\n"
        "Share prices fell sharply after the announcement.\n"
        "Published reports say the deal is close."
    )
    assert strip_boilerplate(text) == text


def test_sample_article_loses_its_furniture_and_keeps_its_story(sample_article_text: str) -> None:
    cleaned = strip_boilerplate(sample_article_text)
    for furniture in ("The Jerusalem Post - Israel News", "photo credit", "(credit:", "By LAHAV"):
        assert furniture not in cleaned
    assert "Published:" not in cleaned
    assert "Flag of Azerbaijan" not in cleaned
    assert "\nEli Cohen\n" not in f"\n{cleaned}\n"
    assert "presents his credentials" not in cleaned  # the caption, printed twice
    assert "Herzog will travel to Azerbaijan on Tuesday" in cleaned
    assert "first Israeli foreign minister to visit Slovakia" in cleaned


# --- properties -------------------------------------------------------------------------------

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)


@st.composite
def story_lines(draw: st.DrawFn) -> list[str]:
    """Ordinary sentences, each unique (a numbered item) so that none repeats another."""
    count = draw(st.integers(min_value=1, max_value=8))
    lines = []
    for number in range(count):
        words = draw(st.lists(_word, min_size=3, max_size=14))
        lines.append(f"Item {number} says {' '.join(words)}.")
    return lines


@given(st.text(max_size=600), st.text(max_size=80))
def test_never_raises_and_only_removes(text: str, title: str) -> None:
    cleaned = strip_boilerplate(text, title)
    assert len(cleaned) <= len(text)


@given(story_lines(), st.lists(st.sampled_from(sorted(FURNITURE.values())), max_size=6), st.data())
def test_keeps_every_story_line_and_drops_every_furniture_line(
    story: list[str], furniture: list[str], data: st.DataObject
) -> None:
    lines = list(story)
    for line in furniture:
        lines.insert(data.draw(st.integers(0, len(lines))), line)
    assert strip_boilerplate("\n".join(lines)).splitlines() == story


_pieces = st.sampled_from(
    [*FURNITURE.values(), STORY, LATER, STORY[:-1], "“", "”", "(photo: X)", "A", " ", "\n", "."]
)


@given(st.lists(_pieces, max_size=30).map("".join))
def test_is_idempotent(text: str) -> None:
    once = strip_boilerplate(text)
    assert strip_boilerplate(once) == once


# --- the fast paths give exactly what the plain definitions give ------------------------------

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from("ßſKİıﬀ\u0301\u0308 \t\n\u00a0\u2028AaÉé한"),
    )
)
_LINE = st.one_of(
    _TEXT,
    st.lists(
        st.sampled_from(
            [
                "Read more",
                "read MORE »",
                "Continue reading...",
                "read the full ſtory",
                "[…]",
                "[...]",
                " ",
                "(Photo: AP)",
                "(photo credit: GPO)",
                "(Reporting by Jane Roe)",
                "The post X appeared first on Y.",
                "APPEARED FIRST ON",
                "story",
                "2024",
                ")",
                "(",
                "\u00a0",
                "word",
            ]
        ),
        max_size=6,
    ).map("".join),
)


def _reference_strip_inline(line: str) -> str:
    patterns = (
        boilerplate._CREDIT,
        boilerplate._REPORTING_CREDIT,
        boilerplate._WORDPRESS_FOOTER,
        boilerplate._TRAILING_MORE,
    )
    for pattern in patterns:
        line = pattern.sub("", line)
    return line.strip()


@example("Storm hits. Read more")
@example("Text read the full ſtory ")
@example("Continue reading...")
@example("Quake kills 3 […]")
@example("Quake kills 3.")  # a full stop ends most lines: no teaser there
@example("Storm. Read more...  ")
@example("Quake (Photo: AP)")
@example("Talks end (Reporting by Jane Roe)")
@example("The post Quake appeared first on Site.")
@example("Quake. Read more »\xa0")
@example("Storm. READ THE FULL ARTICLE:")
@given(_LINE)
def test_inline_furniture_prefilters_change_nothing(line: str) -> None:
    assert boilerplate._strip_inline(line) == _reference_strip_inline(line)
    expected = boilerplate._TRAILING_CREDIT.search(line) is not None
    assert boilerplate._ends_with_credit(line) == expected


_DATE_ONLY_REFERENCE = re.compile(
    rf"^(?:\d+|{boilerplate._MONTHS_AND_DAYS}|[\s,.:/|+\-–—()])+$", re.IGNORECASE
)


@given(st.text(alphabet=st.sampled_from("0123456789 -,.:/()元aAmMpPjanuesty"), max_size=14))
def test_date_only_lines_are_the_same_as_with_digit_runs(line: str) -> None:
    assert bool(boilerplate._DATE_ONLY.match(line)) == bool(_DATE_ONLY_REFERENCE.match(line))


def test_date_only_does_not_backtrack_on_digit_runs() -> None:
    line = "444991--444999--445000---380元" * 3
    assert boilerplate._DATE_ONLY.match(line) is None  # exponential in the digits with ``\d+``


_SENTENCE_END_REFERENCE = re.compile(r"[.!?…。！？;:,\"”’»)]\s*$")


@given(st.text(alphabet=st.sampled_from('ab .!?…;:,"”’»)\t\n\u00a0\u2003\x1c\u3002'), max_size=12))
def test_a_sentence_end_is_found_where_the_plain_pattern_finds_it(line: str) -> None:
    assert boilerplate._ends_sentence(line) == bool(_SENTENCE_END_REFERENCE.search(line))
