"""``topic-alert run``: the bot, the feed scheduler and the outbox sender on one event loop.

Start-up order makes the outbox the single source of truth: delivery starts with whatever
was pending when the process last stopped (a crash included), while new polls add to it.
Feeds are polled from the start; updates and delivery begin once Telegram answers, which at
boot may take a while (``bot.telegram.connect`` retries with backoff), so an outage then
delays alerts but never stops polling or loses them. The health and metrics port
(``[metrics] listen``) opens before that, so an outage at boot shows in ``/healthz``.
Shutdown runs the other way round: stop taking updates and polling, give in-flight sends and
the polls being stored a bounded time to finish, then close the database. An alert that was
not marked sent stays pending and goes out on the next start; a poll cancelled or rolled back
stored nothing, so its articles are fetched and alerted at the next start. The last line of
the log says whether any poll was cut short.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from functools import partial

from telegram.error import InvalidToken
from telegram.ext import Application

from bot.config import TOKEN_ENV, Config, ConfigError, load_config
from bot.logs import hide
from bot.ops.metrics import Metrics
from bot.ops.notices import notifying
from bot.ops.server import serving
from bot.runtime import settle_heap
from bot.store import FeedRow
from bot.telegram import build_application, connect, stop_receiving
from bot.telegram.channel_state import tell_paused
from bot.telegram.fairuse import paced_by_caller
from bot.wiring import Services, build

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0
"""How long in-flight sends, the recording of what was sent and poll transactions may take
after a stop signal before they are cancelled or rolled back."""
_SENDER_OVERRUN_SECONDS = 2.0
"""The sender ends itself at the grace period (saying what it left unrecorded); it is
cancelled only if a send still hangs this much later."""


def run(args: argparse.Namespace) -> int:
    """Load the config, then serve until SIGTERM or SIGINT; exit status 0 on a clean stop."""
    config = load_config(args.config)
    token = config.bot_token()
    hide(token)
    hide(config.telegram.webhook_secret)
    try:
        asyncio.run(serve(config, token))
    except InvalidToken:
        # PTB's message quotes the token, so it is not repeated here.
        raise ConfigError(
            f"Telegram refused the bot token; check {TOKEN_ENV} or [telegram] token"
        ) from None
    return 0


async def serve(config: Config, token: str, *, stop: asyncio.Event | None = None) -> None:
    """Run everything until ``stop`` is set (by a signal when not given)."""
    stop = stop or _stop_on_signals()
    async with contextlib.AsyncExitStack() as resources:
        services = await resources.enter_async_context(build(config))
        pipeline, scheduler = services.pipeline, services.scheduler
        await services.matcher.refresh()
        settle_heap()
        application = _application(token, services)
        told = partial(tell_paused, application.bot, services.store, config.delivery)
        sender = services.sender(application.bot, chat_gone=told)
        resources.push_async_callback(stop_receiving, application)
        resources.push_async_callback(scheduler.shutdown)  # also when connect() raises
        await scheduler.start()
        if config.metrics.listen:
            metrics = Metrics(services.activity, services.store)
            await resources.enter_async_context(serving(config.metrics, services.health, metrics))
        delivery = None
        if await connect(application, config.telegram, stop):
            services.health.connected(application.bot)
            # The sender waits for its own slots; its sends must not wait for a reply's too.
            delivery = asyncio.create_task(
                sender.run_forever(stop, grace=SHUTDOWN_GRACE_SECONDS),
                name="delivery",
                context=paced_by_caller(),
            )
            await resources.enter_async_context(notifying(services, application.bot))
            logger.info("topic-alert is running")
        await stop.wait()
        logger.info("stopping: no new updates or polls; finishing sends and stores in flight")
        await scheduler.shutdown()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        rolled_back, _ = await asyncio.gather(
            pipeline.commits.finish(SHUTDOWN_GRACE_SECONDS), _finish(delivery)
        )
    _log_stopped(len(pipeline.commits.cancelled), rolled_back)


def _application(token: str, services: Services) -> Application:
    """The Telegram side, told how to check a new feed and to keep the schedule in step."""
    scheduler = services.scheduler

    async def feed_added(feed: FeedRow) -> None:
        scheduler.add_feed(feed)

    async def feed_removed(feed: FeedRow) -> None:
        scheduler.remove_feed(feed.id)

    return build_application(
        token=token,
        base_url=services.config.telegram.base_url,
        store=services.store,
        config=services.config,
        validate_feed=services.validate_feed,
        on_feed_added=feed_added,
        on_feed_removed=feed_removed,
        pacer=services.pacer,
        activity=services.activity,
        now=services.now,
    )


async def _finish(delivery: asyncio.Task[None] | None) -> None:
    """Let the sender finish its sends in flight and record them (if it ever started); cancel
    it if that takes too long."""
    if delivery is None:
        return
    patience = SHUTDOWN_GRACE_SECONDS + _SENDER_OVERRUN_SECONDS
    try:
        await asyncio.wait_for(asyncio.shield(delivery), patience)
    except TimeoutError:
        logger.warning("sends still in flight after %.0f s; they stay pending", patience)
        delivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivery


def _log_stopped(cancelled: int, rolled_back: int) -> None:
    """The last line: "stopped cleanly" only when no poll was cut short."""
    if not cancelled and not rolled_back:
        logger.info("stopped cleanly")
        return
    logger.warning(
        "stopped; %d polls were cancelled before they stored anything and %d were rolled back: "
        "their feeds' new articles are fetched and alerted at the next start",
        cancelled,
        rolled_back,
    )


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
