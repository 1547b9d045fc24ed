"""/alias end to end: a chat gives a term other names, its topics match them (the matcher
picks the change up like a new subscription), the alert says which name matched, and
removing the alias stops that."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from functools import partial

from botapi import SentMessage
from outbox_env import drain, fast_sender
from test_telegram_harness import USER, Bot, StartBot, add_articles, start_bot_fixture  # noqa: F401

from bot.article import Article
from bot.delivery import render_outbox_row
from bot.matching import SubscriptionMatcher

FEED = "https://news.example.org/feed.xml"
_ids = itertools.count()


async def publish(bot: Bot, matcher: SubscriptionMatcher, title: str) -> None:
    """One article polled, matched by ``matcher`` (refreshed first, as every poll does) and
    delivered with its explanations."""
    feed = await bot.store.feed_by_url(FEED) or await bot.store.add_feed(FEED, name="Example")
    n = next(_ids)
    article = Article(
        id=f"a{n}",
        feed_url=FEED,
        url=f"https://news.example.org/{n}",
        title=title,
        text="",
        published=datetime.now(UTC).replace(microsecond=0),
        source="Example News",
    )
    await matcher.refresh()
    await bot.store.store_poll(
        feed.id,
        [article],
        seen_at=datetime.now(UTC),
        matches=matcher.match([article]),
        thread_ids=matcher.thread_ids,
    )
    render = partial(render_outbox_row, explain=matcher.explain)
    await drain(fast_sender(bot.application.bot, bot.store, render=render))


def alerts(bot: Bot) -> list[SentMessage]:
    return [m for m in bot.api.messages(USER) if "news.example.org/" in m.text]


async def test_an_alias_applies_to_every_topic_and_is_named_in_the_alert(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    matcher = SubscriptionMatcher(bot.store)
    empty = await bot.send(USER, "/alias")
    await bot.send(USER, '/subscribe "Eli Cohen"')
    await publish(bot, matcher, "Фильм об Эли Коэне вышел в прокат")

    added = await bot.send(USER, "/alias Eli Cohen = אלי כהן, Эли Коэн")
    listed = await bot.send(USER, "/alias")
    await publish(bot, matcher, "Фильм об Эли Коэне вышел в прокат снова")
    await publish(bot, matcher, "סרט חדש על אלי כהן")
    confirmation = await bot.send(USER, '/subscribe "Eli Cohen" + Damascus')

    removed = await bot.send(USER, "/alias -eli cohen")
    await publish(bot, matcher, "Ещё один фильм об Эли Коэне")

    assert empty.plain.startswith("No aliases here.")
    assert added.plain == "Eli Cohen now also matches אלי כהן, Эли Коэн in every topic here."
    assert listed.plain.splitlines()[:2] == [
        "Other names in every topic here:",
        "Eli Cohen = אלי כהן, Эли Коэн",
    ]
    assert "Eli Cohen also matches אלי כהן, Эли Коэн." in confirmation.plain
    assert removed.plain == "eli cohen has no other names here any more."
    sent = alerts(bot)
    assert [m.plain.splitlines()[0] for m in sent] == [
        "Фильм об Эли Коэне вышел в прокат снова",
        "סרט חדש על אלי כהן",
    ]
    assert "Matched: Eli Cohen (Эли Коэн) (title)" in sent[0].plain
    assert "Matched: Eli Cohen (אלי כהן) (title)" in sent[1].plain


async def test_a_malformed_alias_says_how_to_write_one(start_bot: StartBot) -> None:
    bot = await start_bot()

    no_equals = await bot.send(USER, "/alias Eli Cohen")
    no_names = await bot.send(USER, "/alias Eli Cohen = , ")
    no_term = await bot.send(USER, "/alias = אלי כהן")

    assert no_equals.plain.startswith("Write the term, = and its other names")
    assert no_names.plain.startswith("Name at least one other spelling after =")
    assert no_term.plain.startswith("The term needs letters or digits")
    assert await bot.store.list_aliases(USER) == {}


async def test_preview_and_the_count_find_other_languages_and_the_chats_aliases(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await add_articles(
        bot.store,
        "Израиль и Азербайджан подписали соглашение",
        "ישראל ואזרבייג׳ן חתמו על הסכם",
        "Израильский стартап открыл офис в Баку",
        "Эли Коэн: фильм вышел в прокат",
    )
    await bot.send(USER, "/alias Eli Cohen = Эли Коэн")

    preview = await bot.send(USER, "/preview Israel + Azerbaijan")
    literal = await bot.send(USER, "/preview =Israel + Azerbaijan")
    own = await bot.send(USER, '/subscribe "Eli Cohen"')

    assert "Израиль и Азербайджан подписали соглашение" in preview.plain
    assert "ישראל ואזרבייג׳ן חתמו על הסכם" in preview.plain
    assert "Израильский" not in preview.plain
    assert literal.plain.startswith("No stored article of the last 7 days matches")
    assert "It would have matched 1 stored article in the last 7 days." in own.plain
