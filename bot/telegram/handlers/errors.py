"""The last resort: log what a handler raised and tell the person something went wrong.

A storage fault (disk full, database locked, read-only, damaged) is not a bug: the person is
told in plain words, and the log has it already, once per episode (``AsyncStore.health``).
Nor is a Bot API that could not be reached (a timeout, a 502): one line, no traceback; the
apology is still tried, since such a failure is most often over by the next request.
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
    error = context.error
    unreached = isinstance(error, NetworkError)
    fault = storage_fault(error) if error else None
    if isinstance(error, NetworkError):  # Telegram not reached: no bug, one line
        logger.warning(
            "update %s not answered: the Bot API was not reached (%s)",
            getattr(update, "update_id", update),
            error.message,
        )
    elif fault is None:
        logger.error("update %s failed", getattr(update, "update_id", update), exc_info=error)
    if not isinstance(update, Update):
        return
    answer = texts.cannot_save(fault.kind) if fault else _(texts.SOMETHING_WENT_WRONG)
    try:
        if update.callback_query:
            await update.callback_query.answer(answer)
        elif update.effective_message:
            await reply(update, answer)
    except TelegramError as exc:  # while Telegram is not reached, the line above said it
        logger.log(
            logging.DEBUG if unreached else logging.WARNING,
            "could not report the failure to the chat: %s",
            exc,
        )
