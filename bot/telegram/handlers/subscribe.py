"""/subscribe RULE (also /sub, /add), and /subscribe alone followed by the rule as a message.

The "alone" form remembers, per person, the chats where they owe a rule; their next plain text
message there is the rule. Any other command, or /cancel, forgets it, so a stray later message
is never taken for a rule.
"""

from __future__ import annotations

import logging

from telegram import Chat, ForceReply, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.markup import esc
from bot.matching import LOOKBACK_DAYS, matching_articles
from bot.store import DuplicateSubscription, SubscriptionLimitReached
from bot.telegram import texts
from bot.telegram.access import managers_only
from bot.telegram.arguments import TypedRule, answers_argument_errors, command_argument, parse_rule
from bot.telegram.chats import register_chat, topic_thread
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import chat_of, message_of, text_of, user_data_of, user_of

logger = logging.getLogger(__name__)

_AWAITING = "awaiting_rule_in"
"""user_data key: the chat ids where this person was asked for a rule."""


@managers_only
async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = command_argument(message_of(update))
    if text:
        await _subscribe(update, context, text)
        return
    chat = chat_of(update)
    _awaiting(context).add(chat.id)
    await reply(update, texts.ASK_FOR_RULE, markup=_answer_by_reply(chat))


async def rule_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain text message: the rule asked for, else (in private) a pointer to /subscribe."""
    chat = chat_of(update)
    awaiting = _awaiting(context)
    if chat.id in awaiting:
        awaiting.discard(chat.id)
        await _subscribe_from_message(update, context)
    elif chat.type == ChatType.PRIVATE:
        await reply(update, texts.PRIVATE_TEXT_HINT)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: :func:`forget_question` has already dropped the pending question, if any."""
    await reply(update, texts.CANCELLED)


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
    await _subscribe(update, context, text_of(update).strip())


async def subscribe_rule(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Follow ``text`` in the update's chat, replying as /subscribe RULE does: for the Subscribe
    buttons of /search and of a shared topic (the caller checks who may press them)."""
    await _subscribe(update, context, text)


async def _subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    svc = services(context)
    typed = parse_rule(text)
    rule = typed.rule
    message, chat = message_of(update), chat_of(update)
    await register_chat(svc.store, chat)
    try:
        sub = await svc.store.add_subscription(
            chat.id,
            rule,
            thread_id=topic_thread(message),
            created_by=user_of(update).id,
            limit=svc.config.subscriptions.max_per_chat,
        )
    except DuplicateSubscription as exc:
        existing = exc.existing
        await reply(
            update,
            f"You already follow this topic as #{existing.number}: "
            f"<code>{esc(existing.rule)}</code>",
        )
        return
    except SubscriptionLimitReached as exc:
        await reply(update, _limit_text(exc.limit))
        return
    logger.info("chat %s subscribed to %r", chat.id, rule.canonical)
    await reply(update, await _confirmation(context, typed, sub.number, topic_thread(message)))


async def _confirmation(
    context: ContextTypes.DEFAULT_TYPE, typed: TypedRule, number: int, thread_id: int | None
) -> str:
    matched = await matching_articles(services(context).store, typed.rule)
    lines = [
        f"Following #{number}: <code>{esc(typed.rule)}</code>",
        f"It would have matched {_articles(len(matched))} in the last {LOOKBACK_DAYS} days.",
    ]
    if thread_id is not None:
        lines.append("Alerts for it will be posted in this topic.")
    return "\n".join(lines) + typed.note


def _articles(count: int) -> str:
    return "1 stored article" if count == 1 else f"{count} stored articles"


def _limit_text(limit: int) -> str:
    return (
        f"This chat already follows {limit} topics, the most allowed. "
        "Remove one first with /unsubscribe N (/list shows the numbers), "
        "or combine several with | into one rule."
    )
