"""What /frequency and /surge read first: which topic (its /list number, in the chat the
command acts on) and what is asked of it."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from bot.store import ChatRow, SubscriptionRow
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import ArgumentError, command_argument, select_subscriptions
from bot.telegram.services import services
from bot.telegram.updates import message_of


@dataclass(frozen=True)
class TopicSetting:
    """``/command N rest``: the chat acted on, its topic N, and the rest (stripped; '' when
    only the number was given, which asks what the setting is now)."""

    chat: ChatRow
    topic: SubscriptionRow
    asked: str


async def topic_setting(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, usage: str, limit: int
) -> TopicSetting:
    """Read ``/command N rest``; raises ArgumentError with ``usage`` when no number is given
    (and select_subscriptions' answer for a number the chat has no topic for)."""
    svc = services(context)
    acting = await acting_chat(update, context)
    number, _space, rest = command_argument(message_of(update), limit=limit).partition(" ")
    if not number:
        raise ArgumentError(usage)
    chat = await acting.row(svc, update)
    subs = await svc.store.list_subscriptions(chat.id)
    [sub] = select_subscriptions(subs, number, empty_means_all=False)
    return TopicSetting(chat, sub, rest.strip())
