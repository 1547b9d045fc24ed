"""/channel: manage a channel's topics from the private chat with the bot.

``/channel @name`` (or a post of the channel forwarded to the bot, the only way to name a
private channel) links the channel once Telegram confirms that the sender administers it and
that the bot is an administrator allowed to post there, and selects it: the topic commands
then act on it (``bot.telegram.acting``). ``/channel`` alone lists the linked channels and
which is selected, ``/channel off`` goes back to the private chat; ``/channel @name`` of a
linked channel selects it again, with the same checks.

``/channel remove @name`` (the selected channel when no name is given): the sender stops
managing it, without asking Telegram, since anyone may stop managing. When no one links the channel
any more, its topics pause and the alerts waiting for it are dropped (``Store.unlink_channel``)
so the bot posts nothing there that no one can stop; linking it again resumes them.
"""

from __future__ import annotations

import logging

from telegram import ChatFullInfo, Message, MessageOriginChannel, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes, filters

from bot.i18n import N_, _, format_number, ngettext
from bot.markup import esc
from bot.store import LinkedChannel, Unlinked
from bot.telegram.access import administers
from bot.telegram.acting import channel_name, note_administers, public_name
from bot.telegram.arguments import ArgumentError, command_argument, echo
from bot.telegram.channel_state import can_post, tell_resumed
from bot.telegram.chats import register_chat
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of, user_of

logger = logging.getLogger(__name__)

OFF = "off"
REMOVE = "remove"
BACK_HERE = N_("Back to this chat: commands act on it again.")
PRIVATE_ONLY = N_("Manage channels from your private chat with me: send /channel there.")
_MAX_ARGUMENT = 64


class _ForwardedFromChannel(filters.MessageFilter):
    """A message forwarded from a channel: ``forward_origin`` names the channel."""

    def filter(self, message: Message) -> bool:
        return isinstance(message.forward_origin, MessageOriginChannel)


FORWARDED_FROM_CHANNEL = _ForwardedFromChannel()


async def channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if chat_of(update).type != ChatType.PRIVATE:
        await reply(update, _(PRIVATE_ONLY))
        return
    argument = command_argument(message_of(update), limit=_MAX_ARGUMENT)
    verb, _sep, named = argument.partition(" ")
    if not argument:
        await _list(update, context)
    elif argument.casefold() == OFF:
        await services(context).store.select_channel(chat_of(update).id, None)
        await reply(update, _(BACK_HERE))
    elif verb.casefold() == REMOVE:
        await _unlink(update, context, named.strip())
    else:
        await _link(update, context, _chat_reference(argument))


async def forwarded_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A post forwarded from a channel to the private chat: link that channel."""
    origin = message_of(update).forward_origin
    assert isinstance(origin, MessageOriginChannel), "registered for channel forwards only"
    await _link(update, context, origin.chat.id)


def _chat_reference(argument: str) -> str | int:
    """What getChat takes: ``@name`` (also typed as ``name`` or ``t.me/name``) or an id."""
    name = argument.removeprefix("https://").removeprefix("t.me/").removeprefix("@")
    if name.lstrip("-").isdecimal() and name.isascii():
        return int(name)
    return f"@{name}"


async def _link(update: Update, context: ContextTypes.DEFAULT_TYPE, reference: str | int) -> None:
    svc, user = services(context), user_of(update)
    found = await _channel_to_link(update, context, reference)
    before = await svc.store.get_chat(found.id)
    row = await svc.store.upsert_chat(
        found.id, type=ChatType.CHANNEL, title=found.title, telegram_language=user.language_code
    )
    await register_chat(svc.store, update)
    linked = await svc.store.link_channel(
        row, private_chat_id=chat_of(update).id, linked_by=user.id, username=found.username
    )
    note_administers(context, found.id, user.id)
    logger.info("user %s linked channel %s", user.id, found.id)
    if before is not None and not before.active:  # the bot may post again: its topics resume
        await tell_resumed(context.bot, svc.store, svc.config.delivery, found.id)
    lines = [
        _(
            "Now managing the channel {channel}. /subscribe, /list, /unsubscribe, /pause, "
            "/resume, /frequency, /quiet, /language and /timezone act on it, and I post its "
            "alerts there, until you send /channel off."
        ).format(channel=channel_name(linked.channel))
    ]
    if linked.resumed:
        lines.append(
            ngettext(
                "Its {count} topic, paused when no one managed the channel, is on again.",
                "Its {count} topics, paused when no one managed the channel, are on again.",
                linked.resumed,
            ).format(count=format_number(linked.resumed))
        )
    await reply(update, "\n".join(lines))


async def _unlink(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    """``/channel remove name``: the sender stops managing the linked channel ``name`` (the
    selected one when empty)."""
    store, chat_id = services(context).store, chat_of(update).id
    found = _named(await store.linked_channels(chat_id), name)
    left = await store.unlink_channel(found.chat.id, chat_id)
    logger.info(
        "chat %s unlinked channel %s; %s",
        chat_id,
        found.chat.id,
        "others manage it" if left.managed else f"{left.paused} topic(s) paused",
    )
    lines = [_unlinked_text(channel_name(found), left)]
    if found.selected:
        lines.append(_(BACK_HERE))
    await reply(update, "\n".join(lines))


def _named(linked: list[LinkedChannel], name: str) -> LinkedChannel:
    """The channel of ``linked`` that ``name`` names as /channel lists it (its @name, title or
    id); the selected one when ``name`` is empty. Raises ArgumentError when there is none."""
    if not name:
        selected = next((c for c in linked if c.selected), None)
        if selected is None:
            raise ArgumentError(
                _("Name the channel to stop managing: <code>/channel remove @name</code>.")
            )
        return selected
    wanted = {name.casefold(), str(_chat_reference(name)).casefold()}
    for channel in linked:
        if wanted & _names(channel):
            return channel
    raise ArgumentError(
        _("You manage no channel {channel} here; /channel lists yours.").format(
            channel=esc(echo(name))
        )
    )


def _names(channel: LinkedChannel) -> set[str]:
    """What a person may call a linked channel: its id, @name and title, case-folded."""
    names = (str(channel.chat.id), channel.username and f"@{channel.username}", channel.chat.title)
    return {name.casefold() for name in names if name}


def _unlinked_text(channel: str, left: Unlinked) -> str:
    if left.managed:
        return _(
            "You no longer manage the channel {channel}. Another administrator still manages "
            "it, so its topics stay as they are."
        ).format(channel=channel)
    if not left.paused:
        return _("You no longer manage the channel {channel}; I post nothing there.").format(
            channel=channel
        )
    return ngettext(
        "You no longer manage the channel {channel}, and no one else does: I paused its "
        "{count} topic and dropped the alerts waiting for it, so I post nothing more there. "
        "Link it again with /channel to resume it.",
        "You no longer manage the channel {channel}, and no one else does: I paused its "
        "{count} topics and dropped the alerts waiting for it, so I post nothing more there. "
        "Link it again with /channel to resume them.",
        left.paused,
    ).format(channel=channel, count=format_number(left.paused))


async def _channel_to_link(
    update: Update, context: ContextTypes.DEFAULT_TYPE, reference: str | int
) -> ChatFullInfo:
    """The channel ``reference`` names, once Telegram confirms the sender administers it and
    the bot may post there; raises ArgumentError with the reason otherwise.

    The bot's own rights are asked first: Telegram shows a channel's members to its
    administrators only, so whether the sender is one can be asked only of a bot that is."""
    bot = context.bot
    shown = esc(echo(str(reference)))
    try:
        found = await bot.get_chat(reference)
    except TelegramError as exc:
        logger.info("getChat(%s) failed: %s", reference, exc)
        raise ArgumentError(
            _(
                "I cannot find the channel {channel}. Check its name; a private channel is "
                "linked by forwarding me one of its posts."
            ).format(channel=shown)
        ) from None
    if found.type != ChatType.CHANNEL:
        raise ArgumentError(_("{channel} is not a channel.").format(channel=shown))
    name = public_name(found.username, found.title, found.id)
    try:
        me = await bot.get_chat_member(found.id, bot.id)
    except TelegramError:
        me = None
    if me is None or me.status != me.ADMINISTRATOR:
        raise ArgumentError(
            _(
                "I am not an administrator of {channel}: add me to its administrators, "
                "allowed to post messages, then send this again."
            ).format(channel=name)
        )
    if not can_post(me):
        raise ArgumentError(
            _(
                "I am an administrator of {channel} but may not post messages there: allow "
                "me to, then send this again."
            ).format(channel=name)
        )
    if not await administers(bot, found.id, user_of(update).id):
        raise ArgumentError(_("You are not an administrator of {channel}.").format(channel=name))
    return found


async def _list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    linked = await services(context).store.linked_channels(chat_of(update).id)
    if not linked:
        await reply(
            update,
            _(
                "You manage no channel here yet. Add me to your channel as an administrator "
                "allowed to post messages, then send <code>/channel @name</code> (or forward me "
                "one of its posts)."
            ),
        )
        return
    selected = next((c for c in linked if c.selected), None)
    if selected is None:
        acting = _("Commands act on this chat.")
    else:
        acting = _(
            "Commands act on the channel {channel}; /channel off switches back to this chat."
        ).format(channel=channel_name(selected))
    lines = [_("<b>Your channels</b>"), *(_line(c) for c in linked), acting]
    lines.append(_("<code>/channel @name</code> selects one."))
    lines.append(_("<code>/channel remove @name</code> stops managing one."))
    await reply_lines(update, lines)


def _line(linked: LinkedChannel) -> str:
    name = channel_name(linked)
    if not linked.chat.active:
        # TRANSLATORS: a line of /channel's list: the bot may not post in that channel now.
        return _("{channel} — paused: I may not post there").format(channel=name)
    if linked.selected:
        # TRANSLATORS: a line of /channel's list: the channel the commands act on now.
        return _("{channel} — selected").format(channel=name)
    return name
