"""``/metrics`` counts the enabled feeds of each kind beside their states, so a dashboard shows
how many channels and pages the bot reads as well as feeds."""

from __future__ import annotations

from bot.ops.activity import Activity
from bot.ops.metrics import Metrics
from bot.sources import FeedKind, PageSelectors
from bot.store import AsyncStore
from tests.support.ops_http import samples, value


async def test_a_scrape_counts_enabled_feeds_by_kind(astore: AsyncStore) -> None:
    await astore.add_feed("https://a.example/rss")
    await astore.add_feed("https://t.me/s/caspian_wire", kind=FeedKind.TELEGRAM)
    removed = await astore.add_feed("https://t.me/s/old_wire", kind=FeedKind.TELEGRAM)
    await astore.remove_feed(removed.id)
    await astore.add_feed(
        "https://courier.example/news", kind=FeedKind.PAGE, selectors=PageSelectors("article")
    )

    scraped = samples((await Metrics(Activity(), astore).exposition()).decode())

    counts = {kind: value(scraped, "topic_alert_feeds_by_kind", kind=kind) for kind in FeedKind}
    assert counts == {FeedKind.FEED: 1, FeedKind.TELEGRAM: 1, FeedKind.PAGE: 1}
