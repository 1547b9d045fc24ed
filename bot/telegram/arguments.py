"""Reading command arguments the way people type them, and refusing the unusable ones clearly.

``context.args`` splits on whitespace and loses quoting, which would change a rule like
``"Eli  Cohen"``; rules are therefore read as the raw text after the command. Every refusal
is an :class:`ArgumentError` whose text is the reply: handlers registered through
:func:`answers_argument_errors` need no ``try`` of their own.
"""

from __future__ import annotations

import functools

from telegram import Message, Update
from telegram.ext import ContextTypes

import rules
from bot.compiling import RuleNames, TypedRule, UnusableRule, typed_rule
from bot.i18n import Deferred, _, format_list, format_number, isolate, ngettext, own_line
from bot.markup import esc
from bot.store import SubscriptionRow
from bot.telegram import texts
from bot.telegram.access import Handler
from bot.telegram.replies import reply
from bot.telegram.topics import thread_name

ECHO_CHARS = 60
"""How much of a refused argument a reply shows back."""
INSERTION_MARK = "\u2038"
"""‸, marking the end of a rule line where something is missing."""


class ArgumentError(ValueError):
    """A command argument that names nothing usable; ``str(exc)`` is HTML for the reply."""


def removal_note(cleaned: rules.CleanText) -> str:
    """A line telling what was removed ('' when nothing was), to end a reply with."""
    count = len(cleaned.removed)
    if not count:
        return ""
    note = ngettext(
        "Removed {count} invisible character ({kinds}) from the rule.",
        "Removed {count} invisible characters ({kinds}) from the rule.",
        count,
    )
    return "\n" + note.format(count=format_number(count), kinds=isolate(esc(cleaned.kinds())))


def answers_argument_errors(handler: Handler) -> Handler:
    """``handler``, with an ArgumentError it raises answered in the chat."""

    @functools.wraps(handler)
    async def answered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except ArgumentError as exc:
            await reply(update, str(exc))

    return answered


def command_argument(message: Message, *, limit: int | None = None) -> str:
    """Everything after ``/command`` or ``/command@bot``, inner spacing kept.

    Raises ArgumentError when it is longer than ``limit`` characters (rules are measured by
    :func:`parse_rule`, after invisible characters are removed).
    """
    text = message.text or ""
    if text.startswith("/"):
        parts = text.split(maxsplit=1)
        text = parts[1] if len(parts) > 1 else ""
    argument = text.strip()
    if limit is not None and len(argument) > limit:
        raise ArgumentError(too_long(argument, limit))
    return argument


def too_long(text: str, limit: int, *, rule: bool = False) -> str:
    """The reply to an over-long argument (``rule``: a rule): its length, the limit and how
    it begins."""
    if rule:
        template = _(
            "That rule is {length} characters long; the most is {limit}. "
            "It begins: <code>{start}</code>"
        )
    else:
        template = _(
            "That is {length} characters long; the most is {limit}. It begins: <code>{start}</code>"
        )
    return template.format(
        length=format_number(len(text)), limit=format_number(limit), start=esc(echo(text))
    )


def echo(text: str) -> str:
    """The start of what someone typed, as typed, to show it back in a refusal: cut at
    ``ECHO_CHARS`` characters, mid-word if need be (``bot.markup.shorten`` is for feed text,
    which may be re-spaced and cut between words)."""
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1].rstrip() + "…"


def on_or_off(word: str, usage: str) -> bool:
    """``word`` read as "on" (True) or "off" (False), in English or in the chat's language, for
    the commands that switch something (/surge, /translate); anything else is refused with
    ``usage``."""
    word = word.strip().casefold()
    # TRANSLATORS: the words /surge 2 on and /translate off take, typed by the user.
    if word in ("on", _("on").casefold()):
        return True
    if word in ("off", _("off").casefold()):
        return False
    refused = _("{word} is neither on nor off.").format(word=isolate(esc(repr(echo(word)))))
    raise ArgumentError(f"{refused}\n{usage}")


def ascii_number(text: str) -> int | None:
    """``text`` as a number when it is written in ASCII digits only, else None.

    ``str.isdigit`` also accepts ``²``, ``٣`` and ``５``, which ``int`` reads differently or
    not at all; nobody means those as a topic number.
    """
    return int(text) if text.isascii() and text.isdecimal() else None


def select_subscriptions(
    subscriptions: list[SubscriptionRow],
    argument: str,
    *,
    empty_means_all: bool,
    thread_id: int | None = None,
) -> list[SubscriptionRow]:
    """The subscriptions an ``N`` or ``RULE`` argument names, as shown by /list.

    A number is a topic's number; anything else is compiled as a rule and compared by
    meaning, so ``/unsubscribe azerbaijan + israel`` finds ``Israel + Azerbaijan``. It is
    compiled without names (:mod:`bot.compiling`): the meaning compared, ``canonical``, is
    the same with any, so building the chat's would cost a query for nothing. In a forum
    the same rule may be followed in several threads: the one of the thread the command came
    from (``thread_id``) is meant, and where that does not decide, the number is asked for.
    """
    if not argument:
        if empty_means_all:
            return subscriptions
        raise ArgumentError(_("Say which topic: a number from /list or the rule itself."))
    number = ascii_number(argument)
    if number is not None:
        found = [sub for sub in subscriptions if sub.number == number]
        if not found:
            raise ArgumentError(
                ngettext(
                    "There is no topic #{number}; /list shows {count} topic.",
                    "There is no topic #{number}; /list shows {count} topics.",
                    len(subscriptions),
                ).format(number=esc(echo(argument)), count=format_number(len(subscriptions)))
            )
        return found
    try:
        canonical = typed_rule(argument, RuleNames()).rule.canonical
    except UnusableRule:
        canonical = None
    found = [sub for sub in subscriptions if sub.canonical == canonical]
    if not found:
        raise ArgumentError(
            _("You do not follow <code>{rule}</code>; /list shows your topics and numbers.").format(
                rule=esc(echo(argument))
            )
        )
    here = [sub for sub in found if sub.thread_id == thread_id]
    if len(found) > 1 and len(here) != 1:
        places = format_list(
            _("#{number} in {thread}").format(number=sub.number, thread=thread_name(sub.thread_id))
            for sub in found
        )
        raise ArgumentError(
            _("Several threads follow that rule ({places}); say the number.").format(places=places)
        )
    return here or found


def parse_rule(text: str, names: RuleNames) -> TypedRule:
    """Compile a rule someone typed in a chat with the chat's ``names`` (``typed_rule``: the
    rule it runs, compiled once); a rule too long or with a syntax error becomes a reply that
    says so (and points at the spot)."""
    try:
        return typed_rule(text, names)
    except UnusableRule as exc:
        cleaned = exc.cleaned
        if len(cleaned.text) > rules.MAX_LENGTH:
            raise ArgumentError(too_long(cleaned.text, rules.MAX_LENGTH, rule=True)) from None
        reply_text = describe_rule_error(cleaned.text, exc.error) + removal_note(cleaned)
        raise ArgumentError(reply_text) from None


def rule_error_message(error: rules.RuleSyntaxError) -> str:
    """What is wrong with a rule, in the current language (plain text): the rule engine gives
    its message as an English template marked for the catalogs, and its parameters, which
    translate as any text made before its chat was known (:class:`bot.i18n.Deferred`:
    the words quoted from the rule kept in order in a right-to-left sentence)."""
    return Deferred(error.template, **error.params).translated()


def describe_rule_error(text: str, error: rules.RuleSyntaxError) -> str:
    """The error, the offending line of the rule with the spot marked, and a hint.

    The line is shown as written, in its own direction, with the offending character
    underlined in bold (``rules.Excerpt`` says why not a caret under it); where the rule
    ended too soon, an insertion mark stands at its end."""
    excerpt = error.excerpt(text)
    spot = f"<u><b>{esc(excerpt.spot or INSERTION_MARK)}</b></u>"
    line = own_line(f"{esc(excerpt.before)}{spot}{esc(excerpt.after)}")
    shown = f"{line}\n" if excerpt.line.strip() else ""
    return (
        _("That rule does not work: {error}").format(error=esc(rule_error_message(error)))
        + f"\n{shown}{_(texts.RULE_HINT)}"
    )
