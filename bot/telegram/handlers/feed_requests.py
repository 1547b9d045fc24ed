"""An operator's Approve or Refuse under a chat's feed request (``[access] chat_feeds =
"approval"``): the chat is told the answer in its language, and the request's message says
what was decided, for the other operators' copies too once they press."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.chat_settings import chat_settings
from bot.delivery.buttons import CallbackDataError, parse_callback
from bot.i18n import _, use
from bot.store import FeedRequest
from bot.telegram import chat_feeds, texts
from bot.telegram.access import is_bot_admin
from bot.telegram.chat_feeds import Brought
from bot.telegram.feed_approval import chat_name, requested
from bot.telegram.replies import NO_PREVIEW
from bot.telegram.services import HandlerDeps, services
from bot.telegram.updates import query_of

logger = logging.getLogger(__name__)


def is_feed_request_button(data: object) -> bool:
    """Whether callback data is an Approve or Refuse of a feed request (the handler's pattern)."""
    if not isinstance(data, str):
        return False
    try:
        return parse_callback(data).action in ("approve", "refuse")
    except CallbackDataError:
        return False


async def on_feed_request_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = query_of(update)
    svc = services(context)
    if not is_bot_admin(query.from_user.id, context):
        await query.answer(_(texts.BOT_ADMINS_ONLY))
        return
    callback = parse_callback(query.data or "")
    request = await svc.store.take_feed_request(callback.row_id)
    if request is None:
        await query.answer(_("This request was answered already."))
        return
    approved = callback.action == "approve"
    await _tell_chat(context, svc, request, approved)
    logger.info(
        "feed request %d (%s) of chat %s %s by user %s",
        request.id,
        request.url,
        request.chat_id,
        "approved" if approved else "refused",
        query.from_user.id,
    )
    chat = await svc.store.get_chat(request.chat_id)
    named = chat_name(request.chat_id, chat.title if chat else None)
    decided = (
        _("✅ Approved: {feed} for the chat {chat}.")
        if approved
        else _("✖ Refused: {feed} for the chat {chat}.")
    )
    if isinstance(query.message, Message):
        await query.edit_message_text(
            decided.format(feed=requested(request), chat=named),
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
        )
    await query.answer()


async def _tell_chat(
    context: ContextTypes.DEFAULT_TYPE, svc: HandlerDeps, request: FeedRequest, approved: bool
) -> None:
    """Add the feed when approved (within the chat's quota as it is now) and tell the chat."""
    chat = await svc.store.get_chat(request.chat_id)
    with use(chat_settings(chat, svc.config.delivery).language):
        if approved:
            brought, feed = await chat_feeds.bring(
                svc, request.chat_id, request.source, request.title
            )
            outcome = chat_feeds.brought_text(brought, feed, svc.config.access.feeds_per_chat)
            text = (
                outcome
                if brought is not Brought.ADDED
                else (
                    _("The operators approved {feed}.").format(feed=requested(request))
                    + "\n"
                    + outcome
                )
            )
        else:
            text = _("The operators refused to add {feed} to this chat's feeds.").format(
                feed=requested(request)
            )
    try:
        await context.bot.send_message(
            request.chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
    except TelegramError as exc:
        logger.warning("could not tell chat %s about its feed request: %s", request.chat_id, exc)
