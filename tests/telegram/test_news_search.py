"""A news search for each topic ([sources] news_search), through the chat: what /subscribe
answers, the alert a search brings, the caps, and what /feeds shows of other chats' searches.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from prometheus_client import generate_latest

from bot.article import Article
from bot.compiling import configured
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import InlineParser
from bot.ingest.pipeline import Pipeline, fetch_limits
from bot.matching import SubscriptionMatcher
from bot.ops.activity import Activity
from bot.store import FeedOrigin
from tests.support.local_hosts import LOCAL_FETCH
from tests.support.news_search import NewsSearchService, Result
from tests.support.outbox_env import drain, fast_sender
from tests.support.telegram_app import OPERATOR, USER, Bot, StartBot

OTHER = 2002
"""Another person's private chat."""
STORY = (
    "Israeli President Isaac Herzog landed in Baku, where Israel and Azerbaijan signed "
    "agreements on water, energy and security. " * 4
)
WATER = Result(
    "CBMiWater",
    "Israel and Azerbaijan sign a water deal",
    "Caspian Daily",
    "/2026/12/water-deal",
    STORY,
)


async def poll_searches(bot: Bot, activity: Activity | None = None) -> None:
    """Poll every news search once, as the scheduler would, and deliver what it queued."""
    config = replace(bot.config, fetch=LOCAL_FETCH)
    async with Fetcher(fetch_limits(config)) as fetcher:
        pipeline = Pipeline(
            bot.store,
            fetcher,
            config,
            SubscriptionMatcher(bot.store, configured(config)),
            parser=InlineParser(),
            activity=activity,
        )
        for feed in await bot.store.list_feeds():
            if feed.origin is FeedOrigin.SEARCH:
                await pipeline.poll_feed(feed)
    await drain(fast_sender(bot.application.bot, bot.store))


async def test_a_topic_s_search_brings_an_alert_linking_to_the_article_itself(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    news_search.answer("Azerbaijan Israel")
    bot = await start_bot(sources=news_search.sources())

    answer = await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await poll_searches(bot)  # a search's first answer is its backlog: it never alerts
    news_search.publish("Azerbaijan Israel", WATER)
    await poll_searches(bot)

    assert answer.plain.endswith("News search: Azerbaijan Israel")
    [alert] = bot.api.messages(USER)[1:]
    assert "Israel and Azerbaijan sign a water deal" in alert.plain
    assert news_search.page(WATER) in alert.text
    assert "/rss/articles/" not in alert.text
    assert "Caspian Daily" in alert.plain


async def test_a_result_another_feed_brought_is_not_alerted_twice(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    news_search.answer("Azerbaijan Israel")
    bot = await start_bot(sources=news_search.sources())
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await poll_searches(bot)
    outlet = await bot.store.add_feed("https://caspian.example/rss", name="Caspian Daily")
    article = Article(
        id="water",
        feed_url=outlet.url,
        url=news_search.page(WATER),
        title=WATER.title,
        text=STORY,
        published=datetime.now(UTC),
        source="Caspian Daily",
    )
    await bot.store.add_articles(outlet.id, [article], seen_at=datetime.now(UTC))
    news_search.publish("Azerbaijan Israel", WATER)

    await poll_searches(bot)

    assert bot.api.messages(USER)[1:] == []
    [search] = await bot.store.chat_searches(USER)
    assert search.articles == 0


async def test_a_link_that_does_not_redirect_is_kept_and_counted(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    news_search.redirects = False
    news_search.answer("Azerbaijan Israel")
    bot = await start_bot(sources=news_search.sources())
    activity = Activity()
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await poll_searches(bot, activity)
    news_search.publish("Azerbaijan Israel", WATER)

    await poll_searches(bot, activity)

    [alert] = bot.api.messages(USER)[1:]
    assert news_search.link(WATER).replace("?oc=5", "") in alert.text
    assert 'topic_alert_search_links_total{outcome="unresolved"} 1.0' in _metrics(activity)


async def test_topics_asking_the_same_search_share_one_feed(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources())

    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await bot.send(OTHER, "/subscribe azerbaijan & israel")

    [mine] = await bot.store.chat_searches(USER)
    [theirs] = await bot.store.chat_searches(OTHER)
    assert mine.id == theirs.id
    assert [f.origin for f in await bot.store.list_feeds()] == [FeedOrigin.SEARCH]


async def test_status_counts_the_searches_among_the_feeds(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources())
    await bot.send(USER, "/subscribe Baku")
    await bot.send(OTHER, "/subscribe Tbilisi")

    status = await bot.send(OPERATOR, "/status")

    assert "Feeds: 2 (0 failing)\nNews searches among them: 2\n" in status.plain


async def test_a_chat_past_its_share_is_told_and_still_follows_the_topic(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources(max_search_feeds_per_chat=1))
    await bot.send(USER, "/subscribe Baku")

    answer = await bot.send(USER, "/subscribe Tbilisi")

    assert answer.plain.startswith("Following #2: Tbilisi")
    assert answer.plain.endswith(
        "No news search for this topic: this chat's topics already use 1 news search, the "
        "most allowed. It still alerts from the sources."
    )
    assert len(await bot.store.chat_searches(USER)) == 1


async def test_the_bot_past_its_searches_says_so(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources(max_search_feeds=1))
    await bot.send(OTHER, "/subscribe Baku")

    answer = await bot.send(USER, "/subscribe Tbilisi")
    shared = await bot.send(USER, "/subscribe baku")

    assert answer.plain.endswith(
        "No news search for this topic: the bot already runs as many news searches as it "
        "may. It still alerts from the sources."
    )
    assert shared.plain.endswith("News search: Baku")


async def test_a_rule_with_a_field_says_it_cannot_be_searched(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources())

    answer = await bot.send(USER, "/subscribe title:Baku + Israel")

    assert answer.plain.splitlines()[-1] == (
        "No news search for this topic: a search cannot look only in the headline, the text "
        "or the source (title:Baku). It still alerts from the sources."
    )
    assert await bot.store.list_feeds() == []


async def test_help_says_topics_are_searched(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources())

    told = await bot.help(USER)

    assert "I also search the news for each topic" in told


async def test_without_news_search_a_topic_gets_none_and_nothing_is_said(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()

    answer = await bot.send(USER, "/subscribe title:Baku")
    told = await bot.help(USER)

    assert "search" not in answer.plain
    assert "news search" not in told
    assert await bot.store.list_feeds() == []


async def test_feeds_names_only_the_chat_s_own_searches(
    start_bot: StartBot, news_search: NewsSearchService
) -> None:
    bot = await start_bot(sources=news_search.sources())
    await bot.send(USER, "/subscribe Baku")
    await bot.send(OTHER, '/subscribe "Eli Cohen"')

    listing = await bot.send(USER, "/feeds")

    assert "Baku" in listing.plain
    assert "Eli Cohen" not in listing.plain
    assert "…and 1 news search of other chats' topics." in listing.plain


def _metrics(activity: Activity) -> str:
    return generate_latest(activity.registry).decode()
