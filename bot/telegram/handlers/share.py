"""/share N: a link that offers a topic to whoever opens it; ``/start <token>`` is its other end.

The link is Telegram's deep link ``https://t.me/<bot>?start=<token>``: opening it starts the
bot with the token, which names the rule kept server-side (``saved_rules``), so the link stays
short and says nothing of the rule itself.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.markup import esc
from bot.telegram.arguments import command_argument, select_subscriptions
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of


async def share(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    store = services(context).store
    chat = chat_of(update)
    argument = command_argument(message_of(update))
    subs = select_subscriptions(
        await store.list_subscriptions(chat.id), argument, empty_means_all=False
    )
    saved = await store.share_rule(chat.id, subs[0].rule)
    url = f"https://t.me/{context.bot.username}?start={saved.token}"
    await reply(
        update,
        _("Anyone who opens this link can follow <code>{rule}</code> in one tap:\n{url}").format(
            rule=esc(subs[0].rule), url=esc(url)
        ),
    )
