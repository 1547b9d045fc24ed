"""/whoami: a person's Telegram user id, the chat's id, and whether they operate the bot.

Whoever runs the bot needs their own user id for ``[access] admins``, and Telegram's apps show
it nowhere; a group's id is how the log and the operators' notices name the group. The ids are
each in a code block, so a tap copies them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _, isolate
from bot.telegram.access import is_bot_admin
from bot.telegram.replies import reply
from bot.telegram.updates import chat_of, user_of


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, chat = user_of(update), chat_of(update)
    lines = [_("Your Telegram user id: {id}").format(id=_code(str(user.id)))]
    if chat.id != user.id:  # a private chat's id is its person's
        lines.append(_("This chat's id: {id}").format(id=_code(str(chat.id))))
    if is_bot_admin(user.id, context):
        lines.append(
            _(
                "You are an operator of this bot: /status, /addfeed and /removefeed are yours, "
                "and I tell you in our private chat when something needs you."
            )
        )
    else:
        lines.append(
            _(
                "You are not an operator of this bot. Whoever runs it makes you one by adding "
                "your id to <code>[access] admins</code> in its config file, e.g. {example}, "
                "and restarting it."
            ).format(example=_code(f"admins = [{user.id}]"))
        )
    await reply(update, "\n".join(lines))


def _code(text: str) -> str:
    """``text`` (digits, a config line: nothing to escape) as code, kept in order in a
    right-to-left sentence; the isolating marks stay outside, so a tap copies the text alone."""
    return isolate(f"<code>{text}</code>")
