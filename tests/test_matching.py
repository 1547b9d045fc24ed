"""The subscription matcher: an index of every active rule, updated by difference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import rules
from bot.article import Article
from bot.matching import LOOKBACK_DAYS, SubscriptionMatcher, matching_articles


def new(title: str, text: str = "", guid: str = "g1", source: str = "Wire") -> Article:
    return Article(
        id=guid,
        feed_url="https://wire.example/feed",
        url=f"https://wire.example/{guid}",
        title=title,
        text=text,
        published=None,
        source=source,
    )


async def test_reloads_only_when_the_subscriptions_changed(astore) -> None:
    store = astore.sync
    first = store.add_subscription(1, rules.compile("Baku")).id
    matcher = SubscriptionMatcher(astore)
    index = matcher.index

    assert await matcher.refresh() is True
    assert await matcher.refresh() is False
    second = store.add_subscription(2, rules.compile("Azerbaijan")).id
    assert await matcher.refresh() is True

    assert matcher.index is index
    assert len(matcher) == 2
    assert matcher.match([new("Baku, Azerbaijan")]) == {(1, "g1"): [first], (2, "g1"): [second]}


async def test_paused_removed_and_inactive_subscriptions_leave_the_index(astore) -> None:
    store = astore.sync
    paused = store.add_subscription(1, rules.compile("Baku")).id
    removed = store.add_subscription(1, rules.compile("Azerbaijan")).id
    store.add_subscription(2, rules.compile("Baku"))
    kept = store.add_subscription(3, rules.compile("Baku")).id
    matcher = SubscriptionMatcher(astore)
    await matcher.refresh()

    store.set_paused(paused, True)
    store.remove_subscription(removed)
    store.set_chat_active(2, False)
    await matcher.refresh()

    assert len(matcher) == 1
    assert matcher.match([new("Baku, Azerbaijan")]) == {(3, "g1"): [kept]}


async def test_one_entry_per_chat_and_article_with_every_matching_rule(astore) -> None:
    store = astore.sync
    subs = [store.add_subscription(1, rules.compile(r)).id for r in ("Baku", "Israel", "Oslo")]
    matcher = SubscriptionMatcher(astore)
    await matcher.refresh()

    found = matcher.match(
        [new("Israel in Baku", guid="a"), new("Oslo", guid="b"), new("Paris", guid="c")]
    )

    assert found == {(1, "a"): subs[:2], (1, "b"): [subs[2]]}


async def test_matches_title_text_and_source_as_the_rule_engine_does(astore) -> None:
    store = astore.sync
    by_text = store.add_subscription(1, rules.compile("Caspian")).id
    by_source = store.add_subscription(2, rules.compile("source:wire.example")).id
    matcher = SubscriptionMatcher(astore)
    await matcher.refresh()

    found = matcher.match([new("Gas deal", text="Through the Caspian corridor")])

    assert found == {(1, "g1"): [by_text], (2, "g1"): [by_source]}


async def test_thread_ids_follow_the_subscriptions(astore) -> None:
    store = astore.sync
    sub = store.add_subscription(-100, rules.compile("Baku"), thread_id=42).id
    matcher = SubscriptionMatcher(astore)
    await matcher.refresh()

    assert matcher.thread_ids == {sub: 42}


async def test_the_week_subscribe_and_preview_look_back_on_ends_at_the_process_clock(
    astore,
) -> None:
    """The demo's clock is fixed in May 2023 and its polls store articles at that date: the
    evidence /subscribe and /preview show is the week before that "now", not the wall clock's."""
    past = datetime(2023, 5, 30, 12, 0, tzinfo=UTC)
    feed = astore.sync.add_feed("https://wire.example/feed")
    for guid, days in (("recent", 2), ("old", LOOKBACK_DAYS + 1)):
        article = new("Talks in Baku", guid=guid)
        astore.sync.store_poll(feed.id, [article], seen_at=past - timedelta(days=days))
    rule = rules.compile("Baku")

    found = await matching_articles(astore, rule, reader=1, now=lambda: past)

    assert [item.article.id for item in found] == ["recent"]
    assert await matching_articles(astore, rule, reader=1) == []  # by the wall clock, years ago
