"""Every check of ``topic-alert doctor``, in the order an operator fixes things.

The config comes first (nothing else can be checked without it), then Telegram (the token,
the webhook settings, what Telegram has registered), the admins, the database and its disk,
and last each feed, read once and concurrently. A check that needs an earlier one that failed
says "not checked" instead of failing again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from bot.config import ENV_PREFIX, Config, ConfigError, load_config
from bot.doctor.database import check_database, check_disk, stored_feeds
from bot.doctor.feeds import check_feed, feeds_to_check
from bot.doctor.report import Row, Status
from bot.doctor.telegram import (
    bot_api,
    check_admins,
    check_registered_webhook,
    check_token,
    check_webhook_settings,
    token_missing,
    webhook_not_checked,
)
from bot.logs import hide
from bot.markup import counted
from bot.wiring import build

Progress = Callable[[int], AbstractContextManager[Callable[[], object]]]
"""Given how many feeds will be read, a context whose value is called once per feed read
(the CLI's progress bar)."""


def _no_progress(total: int) -> AbstractContextManager[Callable[[], object]]:
    return contextlib.nullcontext(lambda: None)


async def diagnose(config_path: str, *, progress: Progress = _no_progress) -> list[Row]:
    """The doctor's rows for the setup ``config_path`` describes; stores and sends nothing."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        todo = "fix it: config.example.toml explains every key"
        return [Row("config", Status.FAILED, str(exc), todo)]
    hide(config.telegram.token)
    hide(config.telegram.webhook_secret)
    listed = counted(len(config.feeds), "feed")
    source = (
        config_path if Path(config_path).exists() else f"{ENV_PREFIX}* variables (no {config_path})"
    )
    rows = [Row("config", Status.OK, f"{source}, {listed} listed")]
    rows += await _telegram(config)
    rows += [
        check_admins(config.access),
        check_database(config.storage.path),
        check_disk(config.storage.path),
    ]
    rows += await _feeds(config, progress)
    return rows


async def _telegram(config: Config) -> list[Row]:
    """The token, the webhook settings, and what Telegram has registered."""
    settings = check_webhook_settings(config.telegram)
    try:
        token = config.bot_token()
    except ConfigError as exc:
        return [token_missing(str(exc)), settings, webhook_not_checked()]
    hide(token)
    async with bot_api(token, config.telegram.base_url) as bot:
        token_row = await check_token(bot, config.telegram)
        if token_row.status is Status.FAILED:
            return [token_row, settings, webhook_not_checked()]
        return [token_row, settings, await check_registered_webhook(bot, config.telegram)]


async def _feeds(config: Config, progress: Progress) -> list[Row]:
    """A row for each feed the daemon would poll, read concurrently within ``[polling]``'s
    limits."""
    feeds = feeds_to_check(config.feeds, stored_feeds(config.storage.path))
    if not feeds:
        return [
            Row(
                "feeds",
                Status.WARNING,
                "none in the config file or the database",
                "add [[feeds]] to the config file, /addfeed in the chat, or import-opml",
            )
        ]
    async with build(config) as services:
        with progress(len(feeds)) as tick:
            reads = [asyncio.ensure_future(check_feed(services, feed)) for feed in feeds]
            for read in reads:
                read.add_done_callback(lambda _: tick())
            return list(await asyncio.gather(*reads))
