"""Asking the operators to approve a chat's feed (``[access] chat_feeds = "approval"``).

Each operator gets the request in their private chat and language, with Approve and Refuse
buttons carrying the request's id (``bot/delivery/buttons.py``); the first answer takes the
request (``Store.take_feed_request``), so two operators cannot both answer it.
"""

from __future__ import annotations

import logging

from telegram import Bot, Chat
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.chat_settings import chat_settings
from bot.delivery.buttons import callback_data, to_markup
from bot.i18n import _, isolate, use
from bot.markup import esc, link
from bot.store import FeedRequest
from bot.telegram.replies import NO_PREVIEW
from bot.telegram.services import HandlerDeps

logger = logging.getLogger(__name__)


async def ask_operators(bot: Bot, svc: HandlerDeps, request: FeedRequest, chat: Chat) -> None:
    """Send the request to every operator; one Telegram does not let the bot write to (they
    never sent it /start) is logged and skipped."""
    for admin in svc.config.access.admins:
        with use(chat_settings(await svc.store.get_chat(admin), svc.config.delivery).language):
            text = _("The chat {chat} asks to add the feed {feed} as its own.").format(
                chat=chat_name(chat.id, chat.title), feed=requested(request)
            )
            buttons = [
                [
                    ("✅ " + _("Approve"), callback_data("approve", request.id)),
                    ("✖ " + _("Refuse"), callback_data("refuse", request.id)),
                ]
            ]
        try:
            await bot.send_message(
                admin,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=to_markup(buttons),
            )
        except TelegramError as exc:
            logger.warning(
                "could not ask operator %s about feed request %d: %s", admin, request.id, exc
            )


def requested(request: FeedRequest) -> str:
    """The requested feed, by its title linked to its address (the address when it has none)."""
    return isolate(link(request.title or request.url, request.url))


def chat_name(chat_id: int, title: str | None) -> str:
    """A group by its title and id, a private chat by its id."""
    return f"{isolate(esc(title))} ({chat_id})" if title else str(chat_id)
