"""Which chat a command acts on: the chat it was sent in, or the channel selected there.

A person manages a channel they administer from their private chat with the bot
(``/channel``): while a channel is selected there, the commands that change what a chat
follows and how (``/subscribe``, ``/list``, ``/unsubscribe``, ``/pause``, ``/resume``,
``/frequency``, ``/surge``, ``/quiet``, ``/language``, ``/timezone``) act on the channel, and their
replies begin with a line naming it (``bot.telegram.replies.head_replies``). This module is
the one place that decides it; a command asks :func:`acting_chat` instead of reading the
update's chat.

Whether the person still administers the channel is asked of Telegram again when they act
(an administrator demoted since linking must not go on changing what it posts), and the answer
kept for :data:`RECHECK_AFTER`, so a burst of commands costs one request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import _, isolate
from bot.markup import esc
from bot.store import ChatRow, LinkedChannel
from bot.telegram.access import administers
from bot.telegram.arguments import ArgumentError
from bot.telegram.chats import register_chat
from bot.telegram.replies import head_replies
from bot.telegram.services import HandlerDeps, services
from bot.telegram.updates import chat_of, user_of

RECHECK_AFTER = timedelta(minutes=1)
"""How long Telegram's word that a person administers a channel is taken as still true."""
_CHECKED = "channel_admins_checked"
"""bot_data key: (channel id, user id) → when Telegram last said they administer it."""


@dataclass(frozen=True)
class ActingChat:
    """The chat a command acts on."""

    id: int
    channel: LinkedChannel | None = None
    """The channel selected in the private chat the command came from; None: that chat."""

    @property
    def name(self) -> str | None:
        """How a reply names the chat acted on, as HTML ("@baku_news"); None for the chat
        the command was sent in, which a reply there need not name."""
        return None if self.channel is None else channel_name(self.channel)

    async def row(self, svc: HandlerDeps, update: Update) -> ChatRow:
        """Its stored row: the channel's, as read with its link; the command's own chat is
        registered (or brought back) as every command that changes it does."""
        if self.channel is not None:
            return self.channel.chat
        row, _returning = await register_chat(svc.store, update)
        return row


async def acting_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ActingChat:
    """The chat the command of ``update`` acts on; with a channel selected, the replies to it
    are headed with the channel's name from here on.

    Raises ArgumentError (the reply) when the person no longer administers the selected
    channel: the private chat goes back to acting on itself, and they are told so rather
    than have the command act on a chat they did not mean.
    """
    chat = chat_of(update)
    if chat.type != ChatType.PRIVATE:
        return ActingChat(chat.id)
    svc = services(context)
    linked = await svc.store.selected_channel(chat.id)
    if linked is None:
        head_replies(None)
        return ActingChat(chat.id)
    # Telegram shows a channel's administrators only to a bot that is one: while the bot may
    # not post there (the channel paused), the person who linked it is taken at their word.
    paused = not linked.chat.active
    if not paused and not await _still_administers(context, linked.chat.id, user_of(update).id):
        await svc.store.select_channel(chat.id, None)
        raise ArgumentError(
            _(
                "You are no longer an administrator of {channel}, so I switched back to this "
                "chat. Send the command again to act on it here."
            ).format(channel=channel_name(linked))
        )
    acting = ActingChat(linked.chat.id, linked)
    head_replies(_("Channel {channel}:").format(channel=f"<b>{acting.name}</b>"))
    return acting


def channel_name(linked: LinkedChannel) -> str:
    """The linked channel as its readers know it, as HTML (:func:`public_name`)."""
    return public_name(linked.username, linked.chat.title, linked.chat.id)


def public_name(username: str | None, title: str | None, chat_id: int) -> str:
    """A channel as its readers know it, as HTML: its @name, else its title (its id when
    Telegram gave neither)."""
    if username:
        return f"@{esc(username)}"
    return isolate(esc(title or str(chat_id)))


async def _still_administers(
    context: ContextTypes.DEFAULT_TYPE, channel_id: int, user_id: int
) -> bool:
    svc = services(context)
    checked: dict[tuple[int, int], datetime] = context.bot_data.setdefault(_CHECKED, {})
    now = svc.now()
    last = checked.get((channel_id, user_id))
    if last is not None and now - last < RECHECK_AFTER:
        return True
    if not await administers(context.bot, channel_id, user_id):
        checked.pop((channel_id, user_id), None)
        return False
    checked[(channel_id, user_id)] = now
    return True


def note_administers(context: ContextTypes.DEFAULT_TYPE, channel_id: int, user_id: int) -> None:
    """Telegram has just said ``user_id`` administers ``channel_id`` (linking checked it)."""
    checked: dict[tuple[int, int], datetime] = context.bot_data.setdefault(_CHECKED, {})
    checked[(channel_id, user_id)] = services(context).now()
