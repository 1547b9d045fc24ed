"""The last resort: log what a handler raised and tell the person something went wrong.

A storage fault (disk full, database locked, read-only, damaged) is not a bug: the person is
told in plain words, and the log has it already, once per episode (``AsyncStore.health``).
Nor is a Bot API that cannot be reached (an outage, a timeout): one line, no traceback, and
no reply, which would not get through either.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.store.health import storage_fault
from bot.telegram import texts
from bot.telegram.replies import reply

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(context.error, NetworkError):  # Telegram not reached: no bug, no reply
        logger.warning(
            "update %s not answered: the Bot API was not reached (%s)",
            getattr(update, "update_id", update),
            context.error.message,
        )
        return
    fault = storage_fault(context.error) if context.error else None
    if fault is None:
        logger.error(
            "update %s failed", getattr(update, "update_id", update), exc_info=context.error
        )
    if not isinstance(update, Update):
        return
    answer = texts.cannot_save(fault.kind) if fault else _(texts.SOMETHING_WENT_WRONG)
    try:
        if update.callback_query:
            await update.callback_query.answer(answer)
        elif update.effective_message:
            await reply(update, answer)
    except TelegramError as exc:
        logger.warning("could not report the failure to the chat: %s", exc)
