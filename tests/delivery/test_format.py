"""Alert and digest texts as the chat would show them.

What a chat shows is checked with the fake Bot API's own Telegram-HTML parser, so "renders"
here means "Telegram would accept it and display this".
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.article import Article
from bot.delivery import (
    DigestItem,
    alert_buttons,
    callback_data,
    format_alert,
    format_digest,
    parse_callback,
    undo_buttons,
)
from bot.delivery.format import fit_also
from bot.markup import linkable
from bot.store import StoryCopy
from bot.summary import Summary
from tests.support.botapi import utf16_len, visible_text

UTC_ZONE = ZoneInfo("UTC")
PUBLISHED = datetime(2023, 5, 28, 15, 5, tzinfo=UTC)
SUMMARY_TEXT = "Israeli President Herzog landed in Baku. Israel and Azerbaijan signed deals."


def article(title: str = "Herzog visits Azerbaijan", url: str | None = None, **kw) -> Article:
    return Article(
        id="1",
        feed_url="https://www.jpost.com/rss",
        url=url or "https://www.jpost.com/israel-news/article-744123?a=1&b=2",
        title=title,
        text=SUMMARY_TEXT,
        published=kw.pop("published", PUBLISHED),
        source=kw.pop("source", "The Jerusalem Post"),
    )


def render(art: Article, summary: Summary | None = None, **kw):
    return format_alert(
        art,
        summary or Summary(SUMMARY_TEXT, ((41, 47), (52, 62))),
        topics=kw.pop("topics", ["Israel + Azerbaijan"]),
        matched=kw.pop("matched", "Matched: Israel (text), Azerbaijan (title, text)"),
        tz=kw.pop("tz", UTC_ZONE),
        **kw,
    )


def shown(html: str) -> str:
    return visible_text(html, "HTML")


def test_alert_shows_linked_title_source_date_summary_and_why() -> None:
    also = [
        StoryCopy(2, "Times of Israel", "https://www.timesofisrael.com/herzog?x=1&y=2"),
        StoryCopy(3, "Haaretz", "https://www.haaretz.com/herzog"),
    ]
    alert = render(article(), also=also, buttons=alert_buttons(7))

    assert alert.text.startswith(
        '<b><a href="https://www.jpost.com/israel-news/article-744123?a=1&amp;b=2">'
        "Herzog visits Azerbaijan</a></b>\n"
    )
    assert "<b>Israel</b> and <b>Azerbaijan</b> signed deals." in alert.text
    assert shown(alert.text).splitlines() == [
        "Herzog visits Azerbaijan",
        "The Jerusalem Post · 28 May 2023, 15:05 UTC",
        "",
        SUMMARY_TEXT,
        "",
        "Matched: Israel (text), Azerbaijan (title, text)",
        "Topic: Israel + Azerbaijan",
        "Also: Times of Israel, Haaretz",
    ]
    assert alert.text.endswith(
        'Also: <a href="https://www.timesofisrael.com/herzog?x=1&amp;y=2">Times of Israel</a>, '
        '<a href="https://www.haaretz.com/herzog">Haaretz</a>'
    )
    assert alert.buttons == alert_buttons(7)


def test_also_names_two_copies_of_one_source_by_their_own_links() -> None:
    """The same feed twice is two articles: each stays reachable from the alert."""
    also = [StoryCopy(n, "Wire", f"https://wire.example/{n}") for n in (2, 3)]
    alert = render(article(), also=also)

    assert shown(alert.text).splitlines()[-1] == "Also: Wire, Wire"
    assert alert.text.count('<a href="https://wire.example/') == 2


def test_also_line_takes_the_copies_that_fit_after_those_already_named() -> None:
    named = [StoryCopy(1, "Named", "https://named.example/1")]
    waiting = [StoryCopy(n, f"Source {n}", f"https://s{n}.example/{'x' * 80}") for n in range(40)]

    fits = fit_also(named, waiting)

    assert 0 < fits < 40
    alert = render(article(), also=[*named, *waiting[:fits]])
    assert utf16_len(alert.text) <= 4096
    assert shown(alert.text).splitlines()[-1].startswith("Also: Named, Source 0, Source 1")
    assert fit_also(named, waiting[fits:][:1]) == 1, "each of the rest fits on a later edit"


@pytest.mark.parametrize(
    ("copies", "line"),
    [
        (3, "Also: S0, S1, S2"),
        (4, "Also: S0, S1, S2 and 1 more outlet: [5]"),
        (6, "Also: S0, S1, S2 and 3 more outlets: [5] [6] [7]"),
    ],
)
def test_past_three_copies_the_rest_are_counted_and_linked_by_number(
    copies: int, line: str
) -> None:
    also = [StoryCopy(n, f"S{n}", f"https://s{n}.example/a") for n in range(copies)]

    alert = render(article(), also=also)

    assert shown(alert.text).splitlines()[-1] == line
    assert alert.text.count('<a href="https://s') == copies


def test_linkable_refuses_what_link_would_not_link() -> None:
    assert linkable("https://example.com/a?b=1")
    assert not linkable("http://[::1/broken")  # urlsplit raises on it
    assert not linkable("https://example.com/" + "&" * 300)  # 1,500 characters once escaped
    assert not linkable(None)


def test_date_is_in_the_chats_timezone() -> None:
    alert = render(article(), tz=ZoneInfo("Asia/Jerusalem"))

    assert "The Jerusalem Post · 28 May 2023, 18:05 IDT" in shown(alert.text)


def test_hostile_feed_text_arrives_literally() -> None:
    hostile = "<script>alert(1)</script> & Co <b>"
    alert = render(
        article(title=hostile, source="Evil &amp; <i>Sons</i>"),
        Summary("Click <a href='x'>here</a> & win", ((0, 5),)),
        topics=["<b>x</b>"],
        matched="Israel </b>",
    )

    lines = shown(alert.text).splitlines()
    assert lines[0] == hostile
    assert lines[1].startswith("Evil &amp; <i>Sons</i> · ")
    assert lines[3] == "Click <a href='x'>here</a> & win"
    assert "Topic: <b>x</b>" in lines
    assert "<script>" not in alert.text


def test_only_http_links_are_linked() -> None:
    for url in ("javascript:alert(1)", "data:text/html,hi", "ftp://example.com/x"):
        alert = render(article(url=url))
        assert "<a " not in alert.text
        assert shown(alert.text).startswith("Herzog visits Azerbaijan\n")


def test_undated_article_shows_source_alone() -> None:
    alert = render(article(published=None))

    assert shown(alert.text).splitlines()[1] == "The Jerusalem Post"


def test_very_long_summary_is_cut_at_a_word_to_fit_one_message() -> None:
    words = " ".join(f"Israel&Azerbaijan <w{i}>" for i in range(2000))
    spans = tuple((i, i + 6) for i in range(0, len(words), 25))
    alert = render(article(), Summary(words, spans))

    assert utf16_len(alert.text) <= 4096
    body = shown(alert.text).splitlines()[3]
    assert body.endswith("…")
    assert words.startswith(body.removesuffix("…"))
    assert words[len(body) - 1] == " "  # the cut fell between words


@given(
    title=st.text(max_size=600),
    text=st.text(min_size=1, max_size=6000),
    spans=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 6000)), max_size=20),
)
def test_any_feed_text_renders_as_valid_html_within_the_limit(title, text, spans) -> None:
    alert = render(article(title=title), Summary(text, tuple(spans)))

    assert utf16_len(alert.text) <= 4096
    shown(alert.text)  # raises like Telegram would for broken markup


def test_digest_lists_every_alert_with_its_topic() -> None:
    items = [
        DigestItem(f"Story {i} <&>", f"https://example.com/{i}", "Israel + Azerbaijan", PUBLISHED)
        for i in range(12)
    ]
    [page] = format_digest(items, UTC_ZONE)

    lines = shown(page.text).splitlines()
    assert page.count == 12
    assert lines[0] == "12 new alerts"
    assert lines[1] == "• Story 0 <&> — Israel + Azerbaijan · 28 May 2023, 15:05 UTC"
    assert len(lines) == 13
    assert page.text.count('<a href="https://example.com/') == 12


def test_digest_too_long_for_one_message_continues_in_the_next() -> None:
    items = [DigestItem("Long title " * 20, f"https://example.com/{i}", "T") for i in range(400)]
    pages = format_digest(items, UTC_ZONE)

    assert len(pages) > 1
    assert sum(page.count for page in pages) == 400
    headers = [shown(page.text).splitlines()[0] for page in pages]
    assert headers == [f"400 new alerts ({n}/{len(pages)})" for n in range(1, len(pages) + 1)]
    links = [link for page in pages for link in page.text.split('href="')[1:]]
    assert [link.split('"')[0] for link in links] == [item.url for item in items]
    assert all("more" not in shown(page.text) for page in pages)


digest_items = st.lists(
    st.builds(
        DigestItem,
        title=st.text(max_size=400),
        url=st.one_of(
            st.none(),
            st.text(max_size=1200).map(lambda tail: "https://example.com/" + tail),
        ),
        topic=st.text(max_size=600),
        published=st.none() | st.just(PUBLISHED),
    ),
    min_size=1,
    max_size=80,
)


@given(items=digest_items)
def test_any_digest_lists_each_item_once_in_valid_messages_within_the_limit(items) -> None:
    pages = format_digest(items, UTC_ZONE)

    assert sum(page.count for page in pages) == len(items)
    assert all(page.count > 0 for page in pages)
    for page in pages:
        assert utf16_len(page.text) <= 4096
        lines = shown(page.text).splitlines()  # raises like Telegram would for broken markup
        assert len(lines) == page.count + 1


def test_button_data_round_trips_and_fits_telegram() -> None:
    for action in ("mute", "unsub", "undo", "regroup", "pickmute", "pickunsub", "back"):
        data = callback_data(action, 2**63 - 1)
        assert len(data.encode()) < 64
        assert parse_callback(data).row_id == 2**63 - 1
    assert undo_buttons("undo", 3, None, []) == [[("↩ Undo", "undo:3")]]
    assert undo_buttons("restore", 3, 9, [4]) == [
        [("↩ Undo", "restore:3:9")],
        [("🔕 Mute", "mute:4:9"), ("✖ Unsubscribe", "unsub:4:9")],
    ]
