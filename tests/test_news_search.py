"""News searches following the topics (bot.news_search.reconcile): the search each active
topic should have, in its chat's language, and none for topics that are gone, paused or
cannot be searched, or when news search is off."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.compiling import RuleNames, configured
from bot.config import Config, SourcesConfig
from bot.news_search import reconcile, search_region
from bot.store import AsyncStore, FeedRow

ON = Config(sources=SourcesConfig(news_search=True))


async def follow(astore: AsyncStore, chat_id: int, rule: str, language: str | None = None) -> int:
    """The chat (reading ``language``) follows ``rule``; returns the topic's id."""
    await astore.upsert_chat(chat_id, telegram_language=language)
    names = RuleNames(configured(ON))
    return (await astore.add_subscription(chat_id, names.compile(rule))).id


async def polled(astore: AsyncStore) -> list[FeedRow]:
    return await astore.list_feeds()


def asked(feed: FeedRow) -> dict[str, str]:
    """The parameters a search feed's address sends."""
    return {key: values[0] for key, values in parse_qs(urlsplit(feed.url).query).items()}


async def test_existing_topics_get_their_searches_in_their_chat_s_language(
    astore: AsyncStore,
) -> None:
    await follow(astore, 1, "Israel + Azerbaijan", "ru")
    await follow(astore, 2, "Israel + Azerbaijan", "he")
    await follow(astore, 3, "Israel + Azerbaijan")

    await reconcile(astore, ON)

    searches = {asked(feed)["q"]: asked(feed) for feed in await polled(astore)}
    assert searches == {
        "Азербайджан Израиль": {
            "q": "Азербайджан Израиль",
            "hl": "ru",
            "gl": "RU",
            "ceid": "RU:ru",
        },
        "אזרבייג׳ן ישראל": {"q": "אזרבייג׳ן ישראל", "hl": "he", "gl": "IL", "ceid": "IL:he"},
        "Azerbaijan Israel": {"q": "Azerbaijan Israel", "hl": "en", "gl": "US", "ceid": "US:en"},
    }


async def test_a_configured_alias_is_searched_by_its_name_in_the_chat_s_language(
    astore: AsyncStore,
) -> None:
    config = replace(ON, aliases={"Eli Cohen": ["אלי כהן", "Эли Коэн"]})
    await astore.upsert_chat(1, telegram_language="ru")
    names = RuleNames(configured(config))
    await astore.add_subscription(1, names.compile('"Eli Cohen" + Mossad'))

    await reconcile(astore, config)

    assert [asked(feed)["q"] for feed in await polled(astore)] == ['"Эли Коэн" Mossad']


async def test_a_search_no_active_topic_uses_stops_and_comes_back(astore: AsyncStore) -> None:
    first = await follow(astore, 1, "Baku")
    second = await follow(astore, 2, "baku")
    await reconcile(astore, ON)
    [search] = await polled(astore)

    await astore.remove_subscription(first)
    await reconcile(astore, ON)
    still = await polled(astore)
    await astore.set_paused(second, True)
    await reconcile(astore, ON)
    paused = await polled(astore)
    await astore.set_paused(second, False)
    await reconcile(astore, ON)

    assert [feed.id for feed in still] == [search.id]
    assert paused == []
    assert [feed.id for feed in await polled(astore)] == [search.id]


async def test_a_changed_rule_gets_its_new_search(astore: AsyncStore) -> None:
    topic = await follow(astore, 1, "Baku | Tbilisi")
    await reconcile(astore, ON)

    await astore.change_rule(topic, RuleNames(configured(ON)).compile("Baku"))
    await reconcile(astore, ON)

    assert [asked(feed)["q"] for feed in await polled(astore)] == ["Baku"]


async def test_rules_that_cannot_be_searched_get_none(astore: AsyncStore) -> None:
    await follow(astore, 1, "source:reuters + Baku")
    await follow(astore, 1, "Azer*")

    await reconcile(astore, ON)

    assert await polled(astore) == []


async def test_news_search_switched_off_stops_every_search(astore: AsyncStore) -> None:
    await follow(astore, 1, "Baku")
    await reconcile(astore, ON)

    await reconcile(astore, Config())

    assert await polled(astore) == []
    assert await astore.search_links() == {}


@pytest.mark.parametrize(
    ("configured_region", "language", "region"),
    [("", "az", "AZ"), ("", "uk", "UA"), ("IL", "ru", "IL"), ("", "xx", "US")],
)
def test_the_region_is_configured_or_the_language_s_likeliest(
    configured_region: str, language: str, region: str
) -> None:
    assert search_region(SourcesConfig(search_region=configured_region), language) == region
