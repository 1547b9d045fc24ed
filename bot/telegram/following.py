"""Following a topic: the rule (and how often) stored for the chat, and the confirmation
that says what it matches; /subscribe, the Subscribe buttons of /search and of a shared topic,
and a confirmation's "Follow … instead" button all end here.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

import rules
from bot.chat_settings import ChatSettings, chat_settings
from bot.compiling import chat_names
from bot.delivery.buttons import Buttons, callback_data, regroup_buttons, to_markup
from bot.i18n import _, format_list, format_number, isolate, ngettext
from bot.markup import esc
from bot.matching import LOOKBACK_DAYS, matching_articles
from bot.news_search import Searching, give_search
from bot.schedule import FREQUENCY_HELP, Frequency, ScheduleError, split_frequency
from bot.store import DuplicateSubscription, SavedRule, SubscriptionLimitReached, SubscriptionRow
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import ArgumentError, parse_rule, removal_note
from bot.telegram.chats import stored_settings, topic_thread
from bot.telegram.frequency_wording import frequency_note
from bot.telegram.replies import reply
from bot.telegram.rule_hints import rule_hints
from bot.telegram.search_lines import search_line
from bot.telegram.services import services
from bot.telegram.surge_wording import split_surge, surge_state
from bot.telegram.topics import numbered
from bot.telegram.updates import message_of, user_of

logger = logging.getLogger(__name__)


async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Follow ``text`` (a rule, maybe ending in how often) in the chat the update acts on (its
    own, or the channel selected there: ``bot.telegram.acting``) and reply with the
    confirmation: for /subscribe, and for the Subscribe buttons of /search and of a shared
    topic (the caller checks who may follow)."""
    svc = services(context)
    chat = await acting_chat(update, context)
    text, surge = split_surge(text)
    text, asked = _how_often(text)
    names = await chat_names(svc.store, svc.config, chat.id)
    typed = parse_rule(text, names)
    rule = typed.rule
    row = await chat.row(svc, update)
    frequency = asked or chat_settings(row, svc.config.delivery).frequency
    try:
        sub = await svc.store.add_subscription(
            chat.id,
            rule,
            thread_id=topic_thread(message_of(update)),
            created_by=user_of(update).id,
            limit=svc.config.subscriptions.max_per_chat,
            frequency=None if frequency.realtime else str(frequency),
            surge=surge,
            now=svc.now(),
        )
    except DuplicateSubscription as exc:
        await reply(update, await _followed_already(context, exc.existing, asked, surge))
        return
    except SubscriptionLimitReached as exc:
        await reply(update, _limit_text(exc.limit))
        return
    logger.info("chat %s subscribed to %r", chat.id, rule.canonical)
    text, buttons = await confirmation(context, rule, sub)
    hints = "".join(f"\n{line}" for line in await rule_hints(svc.store, names, sub, rule))
    searched = await _news_search(context, sub, rule, chat_settings(row, svc.config.delivery))
    await reply(
        update, text + hints + searched + removal_note(typed.cleaned), markup=to_markup(buttons)
    )


async def _news_search(
    context: ContextTypes.DEFAULT_TYPE,
    sub: SubscriptionRow,
    rule: rules.Rule,
    settings: ChatSettings,
) -> str:
    """The new topic's news search, when the bot runs them: linked (a search not polled until
    now is scheduled at once), and the line that says what it searches or why it has none."""
    svc = services(context)
    if not svc.config.sources.news_search:
        return ""
    outcome = await give_search(svc.store, svc.config, sub, rule, settings.language)
    if isinstance(outcome, Searching) and outcome.started and svc.feed_added is not None:
        await svc.feed_added(outcome.feed)
    return "\n" + search_line(outcome)


def _how_often(text: str) -> tuple[str, Frequency | None]:
    """The rule's text without a trailing ``@daily 08:00``, and that frequency (None when the
    text names none)."""
    try:
        return split_frequency(text)
    except ScheduleError as exc:
        raise ArgumentError(f"{esc(str(exc))}\n{esc(_(FREQUENCY_HELP))}") from None


async def _followed_already(
    context: ContextTypes.DEFAULT_TYPE, sub: SubscriptionRow, asked: Frequency | None, surge: bool
) -> str:
    """The answer to following a topic the chat follows: when the text asked for another
    frequency (``/subscribe Iran @daily``) or for surge alerts (``@surge``), the topic takes
    them, as the person meant, and the answer says so; otherwise it only names the topic."""
    svc = services(context)
    surge_line = ""
    if surge and not sub.surge:
        await svc.store.set_surge(sub.id, True)
        surge_line = "\n" + surge_state(True, svc.config.surges)
    wanted = None if asked is None or asked.realtime else str(asked)
    if asked is None or wanted == sub.frequency:
        return (
            _("You already follow this topic as {topic}").format(topic=numbered(sub)) + surge_line
        )
    await svc.store.set_frequency(sub.id, wanted)
    logger.info("chat %s set topic %s to %s", sub.chat_id, sub.id, asked)
    settings = await stored_settings(svc, sub.chat_id)
    return (
        _("You already follow this topic as {topic}; it now comes {frequency}.").format(
            topic=numbered(sub), frequency=frequency_note(wanted, settings.zone, svc.now())
        )
        + surge_line
    )


async def confirmation(
    context: ContextTypes.DEFAULT_TYPE, rule: rules.Rule, sub: SubscriptionRow
) -> tuple[str, Buttons]:
    """What following ``rule`` (compiled with the chat's names) as ``sub`` is answered with:
    the rule as understood, with its grouping shown, how often it would have alerted lately,
    and, when the rule likely means something else than it says (``Iran | Armenia
    -football``), the other reading with a button that follows that instead."""
    svc = services(context)
    matched = await matching_articles(svc.store, rule, reader=sub.chat_id, now=svc.now)
    lines = [
        _("Following {topic}").format(topic=numbered(sub)),
        # TRANSLATORS: {days} is 7; write the days in the form that number takes.
        ngettext(
            "It would have matched {count} stored article in the last {days} days.",
            "It would have matched {count} stored articles in the last {days} days.",
            len(matched),
        ).format(count=format_number(len(matched)), days=format_number(LOOKBACK_DAYS)),
        *also_matches(rule),
    ]
    buttons: Buttons = []
    other = rule.other_reading
    if other is not None:
        lines.insert(1, _("Did you mean <code>{rule}</code>?").format(rule=esc(other)))
        buttons = regroup_buttons(sub.id, other)
    if sub.thread_id is not None:
        lines.append(_("Alerts for it will be posted in this topic."))
    if sub.frequency:
        lines.append(
            _("As a digest: {schedule}.").format(schedule=await _digest_note(context, sub))
        )
    if sub.surge:
        lines.append(surge_state(True, svc.config.surges))
    return "\n".join(lines), buttons


ALSO_SHOWN = 3
"""Other names a confirmation lists for a term before it says how many more there are."""


def also_matches(rule: rules.Rule) -> list[str]:
    """ "Azerbaijan also matches Азербайджан, אזרבייג׳ן, أذربيجان and 8 more.": one line
    per term that stands for other names (``=Azerbaijan`` would not)."""
    lines = []
    for term, names in rule.also_matches().items():
        if not names:
            continue
        shown = isolate(format_list(esc(name) for name in names[:ALSO_SHOWN]))
        more = len(names) - ALSO_SHOWN
        if more > 0:
            line = ngettext(
                "{term} also matches {names} and {count} more.",
                "{term} also matches {names} and {count} more.",
                more,
            ).format(term=isolate(esc(term)), names=shown, count=format_number(more))
        else:
            line = _("{term} also matches {names}.").format(term=isolate(esc(term)), names=shown)
        lines.append(line)
    return lines


async def _digest_note(context: ContextTypes.DEFAULT_TYPE, sub: SubscriptionRow) -> str:
    """ "daily 08:00, next digest 4 Dec 08:00 CET" in the chat's time zone."""
    svc = services(context)
    settings = await stored_settings(svc, sub.chat_id)
    return frequency_note(sub.frequency, settings.zone, svc.now())


async def regroup(
    query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, sub: SubscriptionRow
) -> None:
    """The "Follow … instead" button of a confirmation: the topic keeps its number and thread
    and follows the other reading of its rule; the confirmation shows what it follows now."""
    svc = services(context)
    names = await chat_names(svc.store, svc.config, sub.chat_id)
    other = names.compile(sub.rule).other_reading
    if other is None:
        await query.answer(_("This topic already reads that way."))
        return
    rule = names.compile(other)
    store = svc.store
    try:
        changed = await store.change_rule(sub.id, rule)
    except DuplicateSubscription as exc:
        await query.answer(
            _("You already follow that as #{number}.").format(number=exc.existing.number),
            show_alert=True,
        )
        return
    logger.info("chat %s regrouped #%d to %r", sub.chat_id, sub.number, rule.canonical)
    text, buttons = await confirmation(context, rule, changed)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=to_markup(buttons))
    await query.answer(_("Changed"))


def _limit_text(limit: int) -> str:
    # TRANSLATORS: keep: N
    return ngettext(
        "This chat already follows {count} topic, the most allowed. "
        "Remove one first with /unsubscribe N (/list shows the numbers), "
        "or combine several with | into one rule.",
        "This chat already follows {count} topics, the most allowed. "
        "Remove one first with /unsubscribe N (/list shows the numbers), "
        "or combine several with | into one rule.",
        limit,
    ).format(count=format_number(limit))


def subscribe_row(saved: SavedRule) -> list[tuple[str, str]]:
    """The Subscribe button under a search and under a shared topic's offer."""
    return [(_("🔔 Subscribe"), callback_data("follow", saved.id))]
