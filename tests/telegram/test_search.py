"""/search with its pages and buttons, and topics shared by deep link, through the fake Bot API."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

import rules
from bot.article import Article
from bot.compiling import configured
from bot.config import Config
from bot.delivery.buttons import Callback, CallbackDataError, callback_data, parse_callback
from bot.i18n import format_when, use
from bot.search import fts_query
from tests.support.botapi import SentMessage
from tests.support.telegram_app import USER, Bot, StartBot, add_articles

GROUP = -4003
ADMIN, MEMBER = 701, 702


def shown(bot: Bot, chat_id: int, message_id: int) -> SentMessage:
    return next(m for m in bot.api.messages(chat_id) if m.message_id == message_id)


def titles(message: SentMessage) -> list[str]:
    """The numbered lines of a search page, without source and date."""
    return [
        line.split(" — ")[0] for line in message.plain.splitlines() if re.match(r"\d+\. ", line)
    ]


async def test_search_pages_through_every_match_editing_one_message(start_bot: StartBot) -> None:
    bot = await start_bot()
    await add_articles(
        bot.store, *[f"Azerbaijan story {n}" for n in range(12)], "Unrelated & <odd> title"
    )

    first = await bot.send(USER, "/search azerbaijan")
    [[next_button], [subscribe]] = first.buttons
    await bot.press(USER, first.message_id, next_button[1])
    second = shown(bot, USER, first.message_id)
    await bot.press(USER, first.message_id, second.buttons[0][1][1])
    third = shown(bot, USER, first.message_id)
    await bot.press(USER, first.message_id, third.buttons[0][0][1])
    back = shown(bot, USER, first.message_id)

    lines = first.plain.splitlines()
    assert lines[0] == "Articles matching azerbaijan, latest first: 1–5"
    assert titles(first) == [f"{n + 1}. Azerbaijan story {11 - n}" for n in range(5)]
    assert re.fullmatch(
        r"Example News, \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", lines[1].split(" — ")[1]
    )
    assert lines[2].strip() == "Matched: azerbaijan (title)"
    assert re.fullmatch(
        r"Searched every stored article \(the oldest is from \d{1,2} [A-Z][a-z]{2} \d{4}, "
        r"\d\d:\d\d UTC; articles are kept 30 days\)\.",
        lines[-1],
    )
    assert '<a href="https://news.example.org/11?a=1&amp;b=2">Azerbaijan story 11</a>' in first.text
    assert next_button[0] == "Next ▶"
    assert subscribe[0] == "🔔 Subscribe"
    assert titles(second) == [f"{n + 6}. Azerbaijan story {6 - n}" for n in range(5)]
    assert [label for label, _ in second.buttons[0]] == ["◀ Previous", "Next ▶"]
    assert titles(third) == ["11. Azerbaijan story 1", "12. Azerbaijan story 0"]
    assert [label for label, _ in third.buttons[0]] == ["◀ Previous"]
    assert back.plain == second.plain
    assert len(bot.api.messages(USER)) == 1  # all pages in the one message
    assert await bot.store.list_subscriptions(USER) == []


async def test_subscribe_button_follows_the_searched_rule(start_bot: StartBot) -> None:
    bot = await start_bot()
    await add_articles(bot.store, "Baku and Tel Aviv sign a deal")

    page = await bot.send(USER, "/search Baku + deal")
    await bot.press(USER, page.message_id, page.buttons[-1][0][1])
    confirmation = await _next_message(bot, USER, 2)

    [sub] = await bot.store.list_subscriptions(USER)
    assert sub.rule == "Baku + deal"
    assert confirmation.plain.startswith("Following #1: Baku + deal")


async def test_search_since_limits_the_window_and_says_so(start_bot: StartBot) -> None:
    bot = await start_bot()
    feed = await bot.store.add_feed("https://news.example.org/feed.xml", name="Example News")
    for age in (10, 1):  # stored as they came: the older first
        seen = datetime.now(UTC) - timedelta(days=age)
        article = Article(
            id=f"a{age}",
            feed_url=feed.url,
            url=f"https://news.example.org/{age}",
            title=f"Herzog visit, {age} days ago",
            text="",
            published=seen,
            source="Example News",
        )
        await bot.store.add_articles(feed.id, [article], seen_at=seen)

    week = await bot.send(USER, "/search Herzog 7d")
    everything = await bot.send(USER, "/search Herzog")

    assert titles(week) == ["1. Herzog visit, 1 days ago"]
    assert week.plain.splitlines()[-1].startswith("Searched articles published since ")
    assert titles(everything) == ["1. Herzog visit, 1 days ago", "2. Herzog visit, 10 days ago"]


async def test_search_folds_words_as_alerts_do(start_bot: StartBot) -> None:
    """Any script, accents and letters such as ß fold as in rules; exclusions and fields
    (source: is the feed's name and the article's domain) apply."""
    bot = await start_bot()
    await add_articles(bot.store, "Визит в Баку", "Café talks in Straße", "Baku weather")

    cyrillic = await bot.send(USER, "/search баку")
    folded = await bot.send(USER, "/search cafe + strasse")
    excluded = await bot.send(USER, "/search (Baku | визит) -weather")
    sourced = await bot.send(USER, "/search Baku + source:example")

    assert titles(cyrillic) == ["1. Визит в Баку"]
    assert titles(folded) == ["1. Café talks in Straße"]
    assert titles(excluded) == ["1. Визит в Баку"]
    assert titles(sourced) == ["1. Baku weather"]


async def test_search_finds_places_in_other_languages_as_alerts_do(start_bot: StartBot) -> None:
    """A country's names in the configured languages, and their inflected forms, match as they
    do in subscriptions (the FTS prefilter looks for each form); =Israel keeps to the word;
    the chat's own /alias counts too, on the next pages as on the first."""
    bot = await start_bot()
    await add_articles(
        bot.store,
        "Израиль и Азербайджан подписали соглашение",
        "ישראל ואזרבייג'ן חתמו על הסכם",
        "Israeli firms in Baku",
        "אלי כהן בבאקו",
    )

    places = await bot.send(USER, "/search Israel + Azerbaijan")
    literal = await bot.send(USER, "/search =Israel")
    await bot.send(USER, "/alias Eli Cohen = אלי כהן")
    own = await bot.send(USER, '/search "Eli Cohen"')

    assert titles(places) == [
        "1. ישראל ואזרבייג'ן חתמו על הסכם",
        "2. Израиль и Азербайджан подписали соглашение",
    ]
    assert "Azerbaijan (Азербайджан)" in places.plain
    assert titles(literal) == []
    assert titles(own) == ["1. אלי כהן בבאקו"]


async def test_long_titles_are_cut_so_a_page_fits_one_message(start_bot: StartBot) -> None:
    bot = await start_bot()
    await add_articles(bot.store, *[f"Baku {n} " + "and a very long title " * 60 for n in range(6)])

    page = await bot.send(USER, "/search Baku")

    assert len(titles(page)) == 5
    assert all(title.endswith("…") and len(title) < 310 for title in titles(page))


async def test_search_without_matches_still_offers_to_subscribe(start_bot: StartBot) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/search Tbilisi")

    assert answer.plain.splitlines() == [
        "No stored article matches Tbilisi.",
        "Searched every stored article (articles are kept 30 days).",  # none stored yet
    ]
    assert [label for label, _ in answer.buttons[0]] == ["🔔 Subscribe"]


async def test_search_refuses_bad_input_clearly(start_bot: StartBot) -> None:
    bot = await start_bot()

    empty = await bot.send(USER, "/search")
    bad_since = await bot.send(USER, "/search Herzog 7x")
    zero = await bot.send(USER, "/search Herzog 0d")
    broken = await bot.send(USER, "/search Israel + (Baku")

    assert empty.plain.startswith("Give me a rule to search for")
    assert bad_since.plain == (
        "'7x' is not a time span: write hours, days or weeks, like 24h, 7d or 2w. "
        "To search for 7x itself, put it in quotes."
    )
    assert zero.plain.startswith("'0d' is out of range")
    assert broken.plain.startswith("That rule does not work:")
    assert "\nIsrael + <u><b>(</b></u>Baku\n" in broken.text  # the rule, its spot marked


async def test_search_buttons_of_another_chat_or_gone_search_are_refused(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await add_articles(bot.store, *[f"Baku story {n}" for n in range(7)])
    page = await bot.send(USER, "/search Baku")
    [[(_, next_data)], _] = page.buttons

    elsewhere = await bot.press(USER + 1, page.message_id, next_data, user_id=USER + 1)
    unknown = await bot.press(USER, page.message_id, "page:999:1")

    assert elsewhere == "These buttons belong to the chat that searched; run /search here."
    assert unknown == "This search has expired; run /search again."
    assert shown(bot, USER, page.message_id).edits == []


async def test_search_subscribe_button_in_a_group_is_for_administrators(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    page = await bot.send(GROUP, "/search Baku", user_id=MEMBER, chat_type="group")

    refused = await bot.press(GROUP, page.message_id, page.buttons[-1][0][1], user_id=MEMBER)

    assert refused == "Only this group's administrators can change what it follows."
    assert await bot.store.list_subscriptions(GROUP) == []


async def test_share_link_offers_the_topic_to_whoever_opens_it(start_bot: StartBot) -> None:
    bot = await start_bot()
    friend = USER + 5
    await bot.send(USER, "/subscribe Israel + Azerbaijan")

    shared = await bot.send(USER, "/share 1")
    link = re.search(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)", shared.plain)
    assert link is not None, shared.plain
    offer = await bot.send(friend, f"/start {link.group(2)}", user_id=friend)
    await bot.press(friend, offer.message_id, offer.buttons[0][0][1], user_id=friend)
    confirmation = await _next_message(bot, friend, 2)

    assert link.group(1) == bot.api.bot_username
    assert len(link.group(2)) <= 64
    assert shared.plain.startswith("Anyone who opens this link can follow Israel + Azerbaijan")
    assert offer.plain == "Subscribe to Israel + Azerbaijan?"
    assert offer.buttons[0][0][0] == "🔔 Subscribe"
    assert confirmation.plain.startswith("Following #1: Israel + Azerbaijan")
    assert [sub.rule for sub in await bot.store.list_subscriptions(friend)] == [
        "Israel + Azerbaijan"
    ]


async def test_unknown_share_links_and_topics_get_clear_replies(start_bot: StartBot) -> None:
    bot = await start_bot()

    unknown = await bot.send(USER, "/start abcdefghijk")
    mangled = await bot.send(USER, "/start not/a token")
    no_topic = await bot.send(USER, "/share 3")
    bare = await bot.send(USER, "/share")

    assert unknown.plain.startswith("This link names no topic I know")
    assert mangled.plain == unknown.plain
    assert no_topic.plain == "There is no topic #3; /list shows 0 topics."
    assert bare.plain == "Say which topic: a number from /list or the rule itself."


async def _next_message(bot: Bot, chat_id: int, count: int) -> SentMessage:
    """The ``count``-th message the chat got (waiting for it)."""

    received = await asyncio.to_thread(bot.api.wait_for_messages, chat_id, count)
    return received[count - 1]


async def test_inline_query_offers_the_latest_matches_to_send(start_bot: StartBot) -> None:
    bot = await start_bot()
    await add_articles(bot.store, "Herzog in Baku", "Weather", "Herzog & Aliyev meet")

    answers = []
    for typed in ("herzog", "herzog + (", ""):
        bot.api.user_inline_query(USER, typed)
        calls = await asyncio.to_thread(bot._wait_for_calls, "answerInlineQuery", len(answers) + 1)
        answers.append(calls[-1]["results"])
    found, unfinished, empty = answers

    assert [result["title"] for result in found] == ["Herzog & Aliyev meet", "Herzog in Baku"]
    assert found[0]["description"].endswith("· Matched: herzog (title)")
    sent = found[0]["input_message_content"]
    assert sent["parse_mode"] == "HTML"
    assert sent["message_text"].startswith(
        '<a href="https://news.example.org/2?a=1&amp;b=2">Herzog &amp; Aliyev meet</a>'
        " — Example News, "
    )
    assert unfinished == []
    assert empty == []


def test_search_buttons_round_trip_through_the_one_codec() -> None:
    page, follow = callback_data("page", 2**63 - 1, 123), callback_data("follow", 7)

    assert parse_callback(page) == Callback("page", 2**63 - 1, 123)
    assert parse_callback(follow) == Callback("follow", 7)
    assert len(page.encode()) <= 64
    for forged in ("page:7", "page:7:-1", "follow:7:1", "mute:7:0", "page:0:1", "page:7:²"):
        with pytest.raises(CallbackDataError):
            parse_callback(forged)


def test_a_place_term_narrows_the_search_to_any_of_its_names() -> None:
    """The prefilter looks for every form of every name of a place (at a million articles a
    rule the index cannot narrow would read the whole window), and an exclusion never narrows."""
    aliases = configured(Config())
    assert aliases is not None
    rule = rules.compile("Azerbaijan -Armenia", aliases)
    group = aliases.group_of(("azerbaijan",))
    assert group is not None

    query = fts_query(rule.match_node, rule.aliases)

    assert query is not None
    forms = aliases.forms(group)
    assert len(forms) > 20
    assert all(f'"{" ".join(words)}"' in query for words in forms)
    assert "armenia" not in query


async def test_a_german_user_searches_and_previews_in_german(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "de")
    await add_articles(bot.store, *[f"Azerbaijan story {n}" for n in range(7)])

    first = await bot.send(USER, "/search azerbaijan")
    [[(next_label, next_data)], [(subscribe_label, _)]] = first.buttons
    await bot.press(USER, first.message_id, next_data)
    second = shown(bot, USER, first.message_id)
    bad_since = await bot.send(USER, "/search Herzog 7x")
    nothing = await bot.send(USER, "/search Tbilisi 2w")
    preview = await bot.send(USER, "/preview azerbaijan")

    lines = first.plain.splitlines()
    assert lines[0] == "Artikel zu azerbaijan, neueste zuerst: 1–5"
    assert titles(first)[0] == "1. Azerbaijan story 6"
    assert lines[1].split(" — ")[1].startswith("Example News, ")
    assert re.fullmatch(
        r"Alle gespeicherten Artikel durchsucht \(der älteste ist vom .+ UTC; "
        r"Artikel werden 30 Tage aufbewahrt\)\.",
        lines[-1],
    )
    assert (next_label, subscribe_label) == ("Weiter ▶", "🔔 Abonnieren")
    assert second.plain.startswith("Artikel zu azerbaijan, neueste zuerst: 6–7")
    assert [label for label, _ in second.buttons[0]] == ["◀ Zurück"]
    assert bad_since.plain == (
        "'7x' ist keine Zeitspanne: schreib Stunden, Tage oder Wochen, etwa 24h, 7d oder 2w. "
        "Um nach 7x selbst zu suchen, setz es in Anführungszeichen."
    )
    assert nothing.plain.splitlines()[0] == "Kein gespeicherter Artikel passt zu Tbilisi."
    assert nothing.plain.splitlines()[1].startswith("Seit ")
    assert preview.plain.splitlines()[0] == "Neueste Artikel zu azerbaijan:"


async def test_a_spanish_user_shares_and_a_hebrew_friend_is_offered_the_topic(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    friend = USER + 5
    bot.api.set_user_language(USER, "es")
    bot.api.set_user_language(friend, "he")
    await bot.send(USER, "/subscribe Israel + Azerbaijan")

    shared = await bot.send(USER, "/share 1")
    link = re.search(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)", shared.plain)
    assert link is not None, shared.plain
    offer = await bot.send(friend, f"/start {link.group(1)}", user_id=friend)

    assert shared.plain.startswith(
        "Quien abra este enlace podrá seguir Israel + Azerbaijan con un toque:\n"
    )
    assert offer.plain == "לעקוב אחרי \u2068Israel + Azerbaijan\u2069?"
    assert offer.buttons[0][0][0] == "🔔 הרשמה"


@pytest.mark.parametrize(("language", "word"), [("ru", "Израиль"), ("he", "ישראל")])
async def test_a_search_window_counts_from_when_articles_were_published(
    start_bot: StartBot, language: str, word: str
) -> None:
    """A new install stores a week of a feed at once: ``24h`` finds the day's articles (and
    one without a date, by when it was stored), and the footer's oldest date is the one the
    last page shows."""
    bot = await start_bot()
    bot.api.set_user_language(USER, language)
    feed = await bot.store.add_feed("https://news.example.org/feed.xml", name="Example News")
    now = datetime.now(UTC).replace(microsecond=0)
    published = {"week-old": now - timedelta(days=7), "fresh": now - timedelta(hours=2)}
    articles = [
        Article(
            id=name,
            feed_url=feed.url,
            url=f"https://news.example.org/{name}",
            title=f"{word} {name}",
            text="",
            published=published.get(name),
            source="Example News",
        )
        for name in ("week-old", "fresh", "undated")
    ]
    await bot.store.add_articles(feed.id, articles, seen_at=now)

    day = await bot.send(USER, f"/search {word} 24h")
    everything = await bot.send(USER, f"/search {word}")

    with use(language):
        week_ago = format_when(now - timedelta(days=7), UTC)
    assert "undated" in day.plain and "fresh" in day.plain
    assert "week-old" not in day.plain
    assert week_ago in day.plain.splitlines()[-1]  # "the oldest is from" a week ago
    last_listed = [line for line in everything.plain.splitlines() if "week-old" in line]
    assert len(last_listed) == 1 and week_ago in last_listed[0]
    assert week_ago in everything.plain.splitlines()[-1]
