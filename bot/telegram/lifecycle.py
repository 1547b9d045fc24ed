"""Starting and stopping the Application on an event loop it shares with the scheduler.

``Application.run_polling()`` would own the loop and the process signals, leaving no room for
the feed scheduler; these two functions are the manual equivalent from PTB's docs: initialize,
post_init, start, then long polling or a webhook.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from telegram.ext import Application

from bot.config import TelegramConfig

logger = logging.getLogger(__name__)


async def start_receiving(
    application: Application, telegram: TelegramConfig, *, poll_timeout: int = 10
) -> None:
    """Begin handling updates: a webhook when ``webhook_url`` is set, else long polling.

    A webhook needs python-telegram-bot's ``webhooks`` extra (tornado). Its ``secret_token``
    makes the webhook server ignore requests that did not come from Telegram.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    if telegram.webhook_url:
        if not telegram.webhook_secret:
            logger.warning("webhook without webhook_secret: anyone who finds the URL can post")
        await application.updater.start_webhook(
            listen=telegram.webhook_listen,
            port=telegram.webhook_port,
            url_path=urlsplit(telegram.webhook_url).path.lstrip("/"),
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret or None,
        )
        logger.info("receiving updates by webhook at %s", telegram.webhook_url)
    else:
        await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
        logger.info("receiving updates by long polling")


async def stop_receiving(application: Application) -> None:
    """Stop in the reverse order; safe to call after a start that failed halfway."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
