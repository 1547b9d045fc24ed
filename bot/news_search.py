"""A news search for each topic (``[sources] news_search``): the feed of a search engine's
results for the topic's rule written as a query.

A search feed is an ordinary feed row of origin ``search`` (``bot.store.search_feeds``): the
scheduler polls it every ``search_interval``, and its articles are matched against every topic
as an operator's feeds are. Topics with the same query, language and region share one feed.
The query is :func:`rules.search_query` of the rule compiled with the chat's names, with place
names in the search's language (``bot.places.place_name``); the language is the chat's (or
``search_language``), the region CLDR's likeliest for it (or ``search_region``).

/subscribe gives a new topic its search at once, to answer what became of it
(:func:`give_search`); :func:`reconcile` brings every topic in line whenever the topics change
(a topic resumed, a rule regrouped, a chat's language changed, a topic gone, news search
switched off) and disables the searches no active topic uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote_plus

from babel.core import get_global

import rules
from bot.chat_settings import chat_settings
from bot.compiling import chat_names
from bot.config import Config, SourcesConfig
from bot.language_tags import primary_subtag
from bot.places import place_name
from bot.store import (
    AsyncStore,
    FeedRow,
    SearchLimitReached,
    SearchWanted,
    SubscriptionRow,
)

logger = logging.getLogger(__name__)

DEFAULT_REGION = "US"
"""The region of a language CLDR has no likely region for."""


@dataclass(frozen=True)
class Searching:
    """The topic has its search: ``feed``, shared or not, polled from now on (``started``:
    new, or used by no active topic until now) or already."""

    feed: FeedRow
    query: str
    """As the feed asks it: the first topic's spelling, when topics differ only in case."""
    started: bool


@dataclass(frozen=True)
class NotSearched:
    """The topic has no search: the rule cannot be one (``unsearchable``) or a cap is
    reached (``limit``)."""

    unsearchable: rules.Unsearchable | None = None
    limit: SearchLimitReached | None = None


SearchOutcome = Searching | NotSearched


def search_language(sources: SourcesConfig, chat_language: str) -> str:
    """The language searched and place names are written in for a chat reading
    ``chat_language``."""
    return sources.search_language or primary_subtag(chat_language) or chat_language


def search_region(sources: SourcesConfig, language: str) -> str:
    """The search edition's region: configured, else the likeliest for ``language``
    (``ru`` → ``RU``, ``he`` → ``IL``)."""
    if sources.search_region:
        return sources.search_region
    likely = get_global("likely_subtags").get(language, "")
    region = likely.rpartition("_")[2]
    return region if len(region) == 2 and region.isalpha() else DEFAULT_REGION


def wanted_search(config: Config, rule: rules.Rule, chat_language: str) -> SearchWanted:
    """The search a topic of ``rule`` in a chat reading ``chat_language`` should have;
    raises :class:`rules.Unsearchable` when its rule cannot be a query."""
    sources = config.sources
    language = search_language(sources, chat_language)
    table = rule.aliases
    query = rules.search_query(rule, lambda group: place_name(group, language, table))
    region = search_region(sources, language)
    url = sources.search_url.format(query=quote_plus(query), language=language, region=region)
    return SearchWanted(url, query, language, region, sources.search_interval)


async def give_search(
    store: AsyncStore, config: Config, sub: SubscriptionRow, rule: rules.Rule, chat_language: str
) -> SearchOutcome:
    """Link the new topic ``sub`` (its ``rule`` compiled with the chat's names) to its search,
    creating the feed unless another topic asks the same."""
    try:
        wanted = wanted_search(config, rule, chat_language)
    except rules.Unsearchable as exc:
        return NotSearched(unsearchable=exc)
    sources = config.sources
    try:
        feed, started = await store.link_search(
            sub,
            wanted,
            max_feeds=sources.max_search_feeds,
            max_per_chat=sources.max_search_feeds_per_chat,
        )
    except SearchLimitReached as exc:
        logger.info("topic %d gets no news search: %s", sub.id, exc)
        return NotSearched(limit=exc)
    if started:
        logger.info(
            "news search %r (%s, %s) for topic %d",
            wanted.query,
            wanted.language,
            wanted.region,
            sub.id,
        )
    return Searching(feed, feed.name or wanted.query, started)


async def reconcile(store: AsyncStore, config: Config) -> int:
    """Give each active topic the search it should have, take it from those that should have
    none, and poll exactly the searches active topics use; returns how many feeds were
    switched on or off. With news search off, no topic has one."""
    links = await store.search_links()
    if not config.sources.news_search:
        for subscription_id in links:
            await store.unlink_search(subscription_id)
        return await store.poll_used_searches()
    for sub in await store.active_subscriptions():
        link = links.get(sub.id)
        chat = await store.get_chat(sub.chat_id)
        if chat is None:
            continue
        reads = chat_settings(chat, config.delivery).language
        language = search_language(config.sources, reads)
        if link is not None and link.rule == sub.rule and link.language == language:
            continue
        names = await chat_names(store, config, sub.chat_id)
        outcome = await give_search(store, config, sub, names.compile(sub.rule), reads)
        if isinstance(outcome, NotSearched) and link is not None:
            await store.unlink_search(sub.id)
    return await store.poll_used_searches()
