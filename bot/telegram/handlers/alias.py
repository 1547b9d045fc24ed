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
from bot.i18n import N_, _, format_list, format_number, isolate, ngettext, own_line
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
TERM_NEEDS_LETTERS = N_("The term needs letters or digits: {example}")
NAME_NEEDS_LETTERS = N_("Each name needs letters or digits: {example}")


@managers_only
async def alias(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    argument = rules.remove_invisible(
        command_argument(message_of(update), limit=MAX_ARGUMENT)
    ).text.strip()
    chat, _returning = await register_chat(svc.store, update)
    if not argument:
        await reply(update, listing(await svc.store.list_aliases(chat.id)))
    elif argument.startswith("-"):
        term = _words(argument[1:], TERM_NEEDS_LETTERS)
        removed = await svc.store.remove_alias(chat.id, term)
        done = (
            _("{term} has no other names here any more.")
            if removed
            else _("{term} had no other names here.")
        )
        await reply(update, done.format(term=isolate(esc(term))))
    else:
        term, names = parse_alias(argument)
        await svc.store.set_alias(chat.id, term, names)
        logger.info("chat %s set %d aliases for %r", chat.id, len(names), term)
        shown = format_list(isolate(esc(name)) for name in names)
        await reply(
            update,
            _("{term} now also matches {names} in every topic here.").format(
                term=isolate(esc(term)), names=shown
            ),
        )


def parse_alias(argument: str) -> tuple[str, list[str]]:
    """``TERM = A, B`` → the term and its other names; ArgumentError saying what is wrong."""
    term, equals, rest = argument.partition("=")
    if not equals:
        raise ArgumentError(
            _("Write the term, = and its other names: {example}").format(example=_example())
        )
    names = [_words(name, NAME_NEEDS_LETTERS) for name in rest.split(",") if name.strip()]
    if not names:
        raise ArgumentError(
            _("Name at least one other spelling after =: {example}").format(example=_example())
        )
    if len(names) > MAX_NAMES:
        raise ArgumentError(
            ngettext(
                "At most {count} name per term.", "At most {count} names per term.", MAX_NAMES
            ).format(count=format_number(MAX_NAMES))
        )
    return _words(term, TERM_NEEDS_LETTERS), list(dict.fromkeys(names))


def _words(text: str, refusal: str) -> str:
    """``text`` with its spaces tidied; ArgumentError with ``refusal`` (translated) if it has
    no word a rule could match."""
    text = " ".join(text.split())
    if not rules.folded_words(text):
        raise ArgumentError(_(refusal).format(example=_example()))
    return text


def _example() -> str:
    """The example of /alias, kept in order inside a right-to-left sentence."""
    return isolate(EXAMPLE)


def listing(entries: dict[str, list[str]]) -> str:
    if not entries:
        return _(
            "No aliases here. Give a term other names in every topic of this chat: {example}"
        ).format(example=_example())
    lines = [
        own_line(f"{esc(term)} = {format_list(map(esc, names))}") for term, names in entries.items()
    ]
    return "\n".join(
        [
            _("Other names in every topic here:"),
            *lines,
            # TRANSLATORS: TERM stands for the term to remove: write it in your language; "/alias -"
            # is typed as shown.
            _("Remove one with <code>/alias -TERM</code>."),
        ]
    )
