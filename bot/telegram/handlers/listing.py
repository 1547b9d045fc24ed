"""/list: the chat's topics with the numbers other commands take."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.topics import rule_code, thread_name
from bot.telegram.updates import chat_of


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = chat_of(update)
    subs = await services(context).store.list_subscriptions(chat.id)
    if not subs:
        await reply(update, texts.NO_SUBSCRIPTIONS)
        return
    forum = bool(chat.is_forum) or any(sub.thread_id is not None for sub in subs)
    lines = [describe(sub, forum=forum) for sub in subs]
    await reply_lines(update, ["<b>Topics followed here</b>", *lines])


def describe(sub: SubscriptionRow, *, forum: bool = False) -> str:
    """A /list line: the number commands take, the rule with its grouping shown, its state
    and, in a forum, the thread its alerts go to."""
    state = "paused" if sub.paused else "active"
    alerts = "1 alert" if sub.alerts == 1 else f"{sub.alerts} alerts"
    where = f", posts in {thread_name(sub.thread_id)}" if forum else ""
    return f"{sub.number}. {rule_code(sub.rule)} — {state}, {alerts}{where}"
