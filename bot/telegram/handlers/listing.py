"""/list: the chat's topics with the numbers other commands take."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.markup import esc
from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.updates import chat_of


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    subs = await services(context).store.list_subscriptions(chat_of(update).id)
    if not subs:
        await reply(update, texts.NO_SUBSCRIPTIONS)
        return
    await reply_lines(update, ["<b>Topics followed here</b>", *map(describe, subs)])


def describe(sub: SubscriptionRow) -> str:
    state = "paused" if sub.paused else "active"
    alerts = "1 alert" if sub.alerts == 1 else f"{sub.alerts} alerts"
    return f"{sub.number}. <code>{esc(sub.rule)}</code> — {state}, {alerts}"
