"""The scheduler keeps the topics' news searches in step with the topics: existing topics get
theirs polled at start, and a search no topic uses any more stops being polled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.compiling import RuleNames, configured
from bot.ingest.scheduler import FeedScheduler
from bot.store import Store
from tests.support.news_search import NewsSearchService
from tests.support.pipeline_env import close_env, make_config, open_env
from tests.support.waiting import until


async def test_searches_start_with_their_topics_and_stop_without_them(
    tmp_path: Path, news_search: NewsSearchService
) -> None:
    news_search.answer("Azerbaijan Israel")
    config = make_config(tmp_path / "bot.db")
    config = replace(config, sources=news_search.sources())
    store = Store.open(config.storage.path)
    store.upsert_chat(1)
    topic = store.add_subscription(1, RuleNames(configured(config)).compile("Israel + Azerbaijan"))
    store.close()
    env, fetcher = await open_env(config)
    scheduler = FeedScheduler(env.pipeline, env.astore, config, resync_every=timedelta(seconds=0.2))
    try:
        await scheduler.start()
        [search] = env.store.list_feeds()
        await until(lambda: env.store.get_feed(search.id).polls > 0, "the search polled")
        answered = env.store.get_feed(search.id).last_status

        env.store.remove_subscription(topic.id)
        await until(lambda: scheduler.state().feeds == 0, "the search unscheduled")
        assert answered == "ok"  # the service answered the query the bot sent
        assert not env.store.get_feed(search.id).enabled
    finally:
        await scheduler.shutdown()
        await close_env(env, fetcher)
