"""Starting and stopping the Application on an event loop it shares with the scheduler.

``Application.run_polling()`` would own the loop and the process signals, leaving no room for
the feed scheduler; these functions are the manual equivalent from PTB's docs: initialize,
post_init, start, then long polling or a webhook. :func:`connect` adds what a daemon needs at
boot: Telegram may be unreachable for a while (no network yet, an outage), and the bot should
wait for it rather than die, while its feeds go on being polled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.config import TelegramConfig

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
_UPDATER_LOGGER = "telegram.ext.Updater"


class _OneLineNetworkErrors(logging.Filter):
    """PTB's Updater logs a Bot API it cannot reach with the whole traceback (about 30 lines
    of httpx and httpcore frames), e.g. when a stop during an outage cannot mark the updates
    read; the frames tell an operator nothing, so the line keeps PTB's words and the error,
    as a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NetworkError):
            record.msg = f"{record.getMessage()} ({error.message})"
            record.args = None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_ONE_LINE_NETWORK_ERRORS = _OneLineNetworkErrors()


async def connect(
    application: Application,
    telegram: TelegramConfig,
    stop: asyncio.Event,
    *,
    poll_timeout: int = 10,
    first_retry: float = FIRST_RETRY_SECONDS,
) -> bool:
    """Start receiving updates, retrying with backoff while the Bot API cannot be reached.

    Returns False if ``stop`` was set before Telegram answered. The first failure is logged
    in one line and the retries quietly (DEBUG), so an outage of hours is two log lines, not
    a traceback a minute. A refused token (InvalidToken) is not retried: it is raised.
    """
    delay, down_since = first_retry, None
    while not stop.is_set():
        try:
            await start_receiving(application, telegram, poll_timeout=poll_timeout)
        except InvalidToken:
            await stop_receiving(application)
            raise
        except NetworkError as exc:
            await stop_receiving(application)  # undo the half start; the next try is fresh
            if down_since is None:
                down_since = time.monotonic()
                logger.warning(
                    "cannot reach the Telegram Bot API at %s (%s); feeds are polled and alerts "
                    "queued meanwhile, retrying with backoff up to every %.0f s",
                    bot_api_server(telegram.base_url),
                    exc.message,
                    MAX_RETRY_SECONDS,
                )
            else:
                logger.debug("Telegram still unreachable (%s); next try in %.0f s", exc, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        else:
            if down_since is not None:
                waited = time.monotonic() - down_since
                logger.info("reached the Telegram Bot API after %.0f s", waited)
            return True
    return False


def bot_api_server(base_url: str) -> str:
    """Scheme and host of the Bot API URL: enough to see which server, nothing secret."""
    parts = urlsplit(base_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


async def start_receiving(
    application: Application, telegram: TelegramConfig, *, poll_timeout: int = 10
) -> None:
    """Begin handling updates: a webhook when ``webhook_url`` is set, else long polling.

    A webhook needs python-telegram-bot's ``webhooks`` extra (tornado). Its ``secret_token``
    makes the webhook server ignore requests that did not come from Telegram.
    """
    updater = application.updater
    if updater is None:
        raise ValueError("the Application was built without an Updater: it cannot receive updates")
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    if telegram.webhook_url:
        if not telegram.webhook_secret:
            logger.warning("webhook without webhook_secret: anyone who finds the URL can post")
        await updater.start_webhook(
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
            url_path=urlsplit(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret or None,
        )
        logger.info("receiving updates by webhook at %s", telegram.webhook_url)
    else:
        logging.getLogger(_UPDATER_LOGGER).addFilter(_ONE_LINE_NETWORK_ERRORS)
        await updater.start_polling(
            poll_interval=0, timeout=poll_timeout, error_callback=_retrying_updates
        )
        logger.info("receiving updates by long polling")


def _retrying_updates(exc: TelegramError) -> None:
    """Instead of PTB's traceback at every failed getUpdates while it retries: the request
    says once when it fails and once when it works again (``bot.telegram.updates_request``)."""
    logger.debug("getUpdates failed; PTB retries with backoff: %s", exc)


async def stop_receiving(application: Application) -> None:
    """Stop in the reverse order; safe to call after a start that failed halfway."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
