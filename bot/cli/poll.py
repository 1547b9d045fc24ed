"""``topic-alert poll-once``: poll every feed once, as the daemon's scheduler would, and say
what came of it."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

from bot.cli.database import storage_faults
from bot.cli.progress import progress_bar
from bot.config import Config, load_config
from bot.ingest import PollResult
from bot.markup import counted
from bot.store import PollStatus
from bot.store.states import FAILED_POLLS
from bot.wiring import build


def poll_once(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    with storage_faults(config.storage.path):
        results = asyncio.run(_poll_feeds(config))
    _print_poll_summary(results)
    return 0


async def _poll_feeds(config: Config) -> list[PollResult]:
    async with build(config) as services:
        await services.store.sync_config_feeds(config.feeds)
        feeds = await services.store.list_feeds()
        with progress_bar(len(feeds)) as tick:
            return await services.pipeline.poll_all(feeds, progress=lambda _: tick())


def _print_poll_summary(results: list[PollResult]) -> None:
    counts = Counter(result.status for result in results)
    ok, not_modified = PollStatus.OK, PollStatus.NOT_MODIFIED
    failed = sum(counts[status] for status in FAILED_POLLS)
    print(
        f"polled {counted(len(results), 'feed')}: {counts[ok]} {ok.words}, "
        f"{counts[not_modified]} {not_modified.words}, {failed} {PollStatus.ERROR.words}"
    )
    new = sum(result.new_articles for result in results)
    alerts = sum(result.alerts for result in results)
    print(f"new articles: {new}, matches queued: {alerts}")
    for result in results:
        if result.status in FAILED_POLLS:
            disabled = " (disabled)" if result.status is PollStatus.GONE else ""
            # The error names the feed's URL; the name adds something only when it is not that.
            named = "" if (result.error or "").startswith(result.name) else f"{result.name}: "
            print(f"failed{disabled}: {named}{result.error}")
