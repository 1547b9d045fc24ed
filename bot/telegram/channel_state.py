"""Telling the people who linked a channel that the bot lost, or got back, its right to post.

The channel's topics pause and resume as any chat's do (``Store.set_chat_active``, which says
whether the chat changed); whoever saw the change first (the bot's own ``my_chat_member``
update, or a send refused with 403) tells the channel's linkers, in their private chats and
languages, so each loss and each return is told once however many reports of it arrive.
Alerts queued for the channel meanwhile stay in the outbox (the sender reads only active
chats) and are posted when it resumes; only an alert whose post Telegram refused is marked
failed, with Telegram's reason.

The notices are sent as replies are, paced by the shared Pacer (``fairuse.paced_as_reply``),
whoever tells: the refused post is seen by the delivery task, whose own sends are not paced
again, and a notice sent from there unpaced could draw a 429 and be lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, ChatMember, ChatMemberAdministrator
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.chat_settings import chat_settings
from bot.config import DeliveryConfig
from bot.i18n import _, use
from bot.store import AsyncStore, LinkedChannel
from bot.telegram.acting import channel_name
from bot.telegram.fairuse import paced_as_reply
from bot.telegram.replies import NO_PREVIEW

logger = logging.getLogger(__name__)


def can_post(member: ChatMember) -> bool:
    """Whether the bot, as ``member`` of a channel, may post in it."""
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


async def tell_paused(bot: Bot, store: AsyncStore, delivery: DeliveryConfig, chat_id: int) -> None:
    """Chat ``chat_id`` has just gone inactive: if it is a linked channel, tell its linkers."""
    await _tell(bot, store, delivery, chat_id, _paused_text)


async def tell_resumed(bot: Bot, store: AsyncStore, delivery: DeliveryConfig, chat_id: int) -> None:
    """Chat ``chat_id`` is active again: if it is a linked channel, tell its linkers."""
    await _tell(bot, store, delivery, chat_id, _resumed_text)


async def _tell(
    bot: Bot,
    store: AsyncStore,
    delivery: DeliveryConfig,
    chat_id: int,
    text: Callable[[LinkedChannel], str],
) -> None:
    for link in await store.channel_links(chat_id):
        private = await store.get_chat(link.private_chat_id)
        with use(chat_settings(private, delivery).language):
            body = text(link)
        try:
            with paced_as_reply():
                await bot.send_message(
                    link.private_chat_id,
                    body,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                )
        except TelegramError as exc:
            logger.warning(
                "could not tell chat %s about channel %s: %s",
                link.private_chat_id,
                chat_id,
                exc.message,
            )
        else:
            logger.info("told chat %s about channel %s", link.private_chat_id, chat_id)


def _paused_text(link: LinkedChannel) -> str:
    return _(
        "⚠️ I can no longer post in the channel {channel}: I was removed, or may no longer "
        "post messages there. Its topics are paused; alerts already waiting for it are kept. "
        "Make me an administrator allowed to post there again, and they resume."
    ).format(channel=channel_name(link))


def _resumed_text(link: LinkedChannel) -> str:
    return _(
        "✅ I can post in the channel {channel} again: its topics are on again, and the alerts "
        "that waited are posted."
    ).format(channel=channel_name(link))
