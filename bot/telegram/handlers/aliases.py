"""/alias: other names a term matches in every topic of the chat.

``/alias Eli Cohen = אלי כהן, Эли Коэн`` sets them, ``/alias`` lists them, ``/alias -Eli Cohen``
removes them. The matcher picks the change up as it picks up a new subscription (the table's
triggers bump ``subscriptions_version``); the rules themselves are stored unchanged.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

import rules
from bot.markup import esc
from bot.telegram.access import managers_only
from bot.telegram.arguments import ArgumentError, command_argument
from bot.telegram.chats import register_chat
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.updates import message_of

logger = logging.getLogger(__name__)

EXAMPLE = "<code>/alias Eli Cohen = אלי כהן, Эли Коэн</code>"
MAX_ARGUMENT = 500
MAX_NAMES = 20


@managers_only
async def alias(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    argument = rules.remove_invisible(
        command_argument(message_of(update), limit=MAX_ARGUMENT)
    ).text.strip()
    chat, _ = await register_chat(svc.store, update)
    if not argument:
        await reply(update, listing(await svc.store.list_aliases(chat.id)))
    elif argument.startswith("-"):
        term = _words(argument[1:], "the term")
        removed = await svc.store.remove_alias(chat.id, term)
        what = "has no other names here any more" if removed else "had no other names here"
        await reply(update, f"{esc(term)} {what}.")
    else:
        term, names = parse_alias(argument)
        await svc.store.set_alias(chat.id, term, names)
        logger.info("chat %s set %d aliases for %r", chat.id, len(names), term)
        shown = ", ".join(esc(name) for name in names)
        await reply(update, f"{esc(term)} now also matches {shown} in every topic here.")


def parse_alias(argument: str) -> tuple[str, list[str]]:
    """``TERM = A, B`` → the term and its other names; ArgumentError saying what is wrong."""
    term, equals, rest = argument.partition("=")
    if not equals:
        raise ArgumentError(f"Write the term, = and its other names: {EXAMPLE}")
    names = [_words(name, "each name") for name in rest.split(",") if name.strip()]
    if not names:
        raise ArgumentError(f"Name at least one other spelling after =: {EXAMPLE}")
    if len(names) > MAX_NAMES:
        raise ArgumentError(f"At most {MAX_NAMES} names per term.")
    return _words(term, "the term"), list(dict.fromkeys(names))


def _words(text: str, what: str) -> str:
    text = " ".join(text.split())
    if not rules.folded_words(text):
        raise ArgumentError(f"{what.capitalize()} needs letters or digits: {EXAMPLE}")
    return text


def listing(entries: dict[str, list[str]]) -> str:
    if not entries:
        return f"No aliases here. Give a term other names in every topic of this chat: {EXAMPLE}"
    lines = [f"{esc(term)} = {', '.join(esc(n) for n in names)}" for term, names in entries.items()]
    return (
        "Other names in every topic here:\n"
        + "\n".join(lines)
        + ("\nRemove one with <code>/alias -TERM</code>.")
    )
