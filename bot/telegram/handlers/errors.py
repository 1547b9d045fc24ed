"""The last resort: log what a handler raised and tell the person something went wrong."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.telegram import texts
from bot.telegram.replies import reply

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    logger.error("update %s failed", getattr(update, "update_id", update), exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG)
        elif update.effective_message:
            await reply(update, texts.SOMETHING_WENT_WRONG)
    except TelegramError as exc:
        logger.warning("could not report the failure to the chat: %s", exc)
