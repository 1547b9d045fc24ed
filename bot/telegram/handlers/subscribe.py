"""/subscribe RULE (also /sub, /add), and /subscribe alone followed by the rule as a message.

The "alone" form remembers, per person, the chats where they owe a rule; their next plain text
message there is the rule. Any other command, or /cancel, forgets it, so a stray later message
is never taken for a rule.
"""

from __future__ import annotations

from telegram import Chat, ForceReply, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.telegram import texts
from bot.telegram.access import managers_only
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import answers_argument_errors, command_argument
from bot.telegram.following import follow
from bot.telegram.replies import reply
from bot.telegram.updates import chat_of, message_of, text_of, user_data_of

_AWAITING = "awaiting_rule_in"
"""user_data key: the chat ids where this person was asked for a rule."""


@managers_only
async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = command_argument(message_of(update))
    if text:
        await follow(update, context, text)
        return
    await acting_chat(update, context)  # the question names the channel it is for
    chat = chat_of(update)
    _awaiting(context).add(chat.id)
    await reply(update, _(texts.ASK_FOR_RULE), markup=_answer_by_reply(chat))


async def rule_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain text message: the rule asked for, else (in private) a pointer to /subscribe."""
    chat = chat_of(update)
    awaiting = _awaiting(context)
    if chat.id in awaiting:
        awaiting.discard(chat.id)
        await _subscribe_from_message(update, context)
    elif chat.type == ChatType.PRIVATE:
        await reply(update, _(texts.PRIVATE_TEXT_HINT))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: :func:`forget_question` has already dropped the pending question, if any."""
    await reply(update, _(texts.CANCELLED))


async def forget_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs on every command before its handler: a new command ends any pending question."""
    _awaiting(context).discard(chat_of(update).id)


def _answer_by_reply(chat: Chat) -> ForceReply | None:
    """In groups, privacy mode shows the bot only replies to it, so the answer must be one."""
    if chat.type == ChatType.PRIVATE:
        return None
    return ForceReply(selective=True, input_field_placeholder="Israel + Azerbaijan")


def _awaiting(context: ContextTypes.DEFAULT_TYPE) -> set[int]:
    return user_data_of(context).setdefault(_AWAITING, set())


@managers_only
@answers_argument_errors
async def _subscribe_from_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await follow(update, context, text_of(update).strip())
