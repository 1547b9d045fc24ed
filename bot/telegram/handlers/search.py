"""/search RULE [since]: every stored match of a rule, five a page, with Next, Previous and
Subscribe buttons; and the Subscribe button of a shared topic (see ``share.py``).

The search is saved (``saved_rules``) with its window, so the buttons carry only its row id and
a page number, and a page shows the same articles whenever it is asked for: articles stored
after the search ran wait for the next /search. /preview stays as it is, the short form: the
five latest matches of the week /subscribe counts, without buttons.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

import rules
from bot.compiling import chat_names
from bot.delivery.buttons import (
    Buttons,
    CallbackDataError,
    callback_data,
    parse_callback,
    to_markup,
)
from bot.i18n import N_, _, format_number, format_when, isolate, ngettext
from bot.markup import esc, shorten
from bot.search import PAGE_SIZE, SinceError, find, looks_like_since, parse_since
from bot.store import SavedRule, UnknownRow
from bot.telegram import texts
from bot.telegram.access import can_manage_chat
from bot.telegram.arguments import ArgumentError, command_argument, parse_rule, removal_note
from bot.telegram.article_lines import article_line
from bot.telegram.chats import stored_settings
from bot.telegram.following import follow, subscribe_row
from bot.telegram.replies import NO_PREVIEW, reply
from bot.telegram.services import HandlerDeps, services
from bot.telegram.updates import chat_of, message_of, query_of

logger = logging.getLogger(__name__)

USAGE = N_(
    "Give me a rule to search for, and how far back if not everything stored, e.g. "
    "<code>{example}</code> (24h, 7d, 2w…)."
)
EXAMPLE = "/search Israel + Azerbaijan 7d"
EXPIRED = N_("This search has expired; run /search again.")
ELSEWHERE = N_("These buttons belong to the chat that searched; run /search here.")
MATCHED_CHARS = 200
"""With titles cut as /preview cuts them, five articles stay well within one message."""


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    text = command_argument(message_of(update))
    rule_text, since = _rule_and_since(text, svc.now())
    if not rule_text:
        await reply(update, _(USAGE).format(example=EXAMPLE))
        return
    chat_id = chat_of(update).id
    typed = parse_rule(rule_text, await chat_names(svc.store, svc.config, chat_id))
    newest = await svc.store.newest_article_id()
    saved = await svc.store.save_search(chat_id, typed.rule.text, since=since, up_to=newest)
    page, buttons = await _page(svc, chat_id, saved, typed.rule, 0)
    await reply(update, page + removal_note(typed.cleaned), markup=to_markup(buttons))


def _rule_and_since(text: str, now: datetime) -> tuple[str, datetime | None]:
    """The rule and the start of the window: a last word like ``7d`` is the ``since``, back
    from ``now``."""
    words = text.rsplit(maxsplit=1)
    if len(words) < 2 or not looks_like_since(words[1]):
        return text, None
    try:
        span = parse_since(words[1])
    except SinceError as exc:
        raise ArgumentError(
            _("{error}. To search for <code>{word}</code> itself, put it in quotes.").format(
                error=esc(exc), word=esc(words[1])
            )
        ) from None
    return words[0], now - span


async def _page(
    svc: HandlerDeps, chat_id: int, saved: SavedRule, rule: rules.Rule, page: int
) -> tuple[str, Buttons]:
    """The text and buttons of one page of a saved search (``rule``: its rule, compiled)."""
    found = await find(
        svc.store,
        rule,
        since=saved.since,
        up_to=saved.up_to or 0,
        reader=chat_id,
        skip=page * PAGE_SIZE,
    )
    zone = (await stored_settings(svc, chat_id)).zone
    oldest = await svc.store.oldest_article_dated()
    window = _window(saved.since, oldest, zone, svc.config.storage.retention_days)
    subscribe = subscribe_row(saved)
    shown = esc(rule)  # in <code>, which a right-to-left catalog isolates
    if not found.matches:
        nothing = (
            _("No more stored articles match <code>{rule}</code>.")
            if page
            else _("No stored article matches <code>{rule}</code>.")
        )
        return f"{nothing.format(rule=shown)}\n{window}", [subscribe]
    first = page * PAGE_SIZE + 1
    last = first + len(found.matches) - 1
    numbers = isolate(f"{format_number(first)}–{format_number(last)}")
    lines = [
        # TRANSLATORS: {numbers} are those of the articles on this page, e.g. "6–10".
        _("Articles matching <code>{rule}</code>, latest first: {numbers}").format(
            rule=shown, numbers=numbers
        )
    ]
    for n, match in enumerate(found.matches, start=first):
        lines.append(f"{n}. {article_line(match.stored, zone)}")
        if match.matched:
            lines.append(f"    <i>{esc(shorten(match.matched, MATCHED_CHARS))}</i>")
    if found.stopped:
        lines.append(
            _("Stopped after checking many articles; a rarer word or a shorter span helps.")
        )
    lines.append(window)
    moves = [(_("◀ Previous"), callback_data("page", saved.id, page - 1))] if page else []
    if found.more:
        moves.append((_("Next ▶"), callback_data("page", saved.id, page + 1)))
    return "\n".join(lines), [moves, subscribe] if moves else [subscribe]


def _window(
    since: datetime | None, oldest: datetime | None, zone: tzinfo, retention_days: int
) -> str:
    """What was searched, and how far back the store goes: both by the date the pages show
    (an article's own, else when it was stored; ``Store.search_candidates``)."""
    kept = ngettext(
        "articles are kept {count} day", "articles are kept {count} days", retention_days
    ).format(count=format_number(retention_days))
    if oldest is not None:
        kept = _("the oldest is from {when}; {kept}").format(
            when=format_when(oldest, zone), kept=kept
        )
    if since is None:
        return _("Searched every stored article ({kept}).").format(kept=kept)
    return _("Searched articles published since {when} ({kept}).").format(
        when=format_when(since, zone), kept=kept
    )


def is_search_button(data: object) -> bool:
    """Whether callback data is a search's or a shared topic's (the handler's pattern)."""
    if not isinstance(data, str):
        return False
    try:
        return parse_callback(data).action in ("page", "follow")
    except CallbackDataError:
        return False


async def on_search_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = query_of(update)
    callback = parse_callback(query.data or "")
    svc = services(context)
    try:
        saved = await svc.store.get_saved_rule(callback.row_id)
        names = await chat_names(svc.store, svc.config, saved.chat_id)
        rule = names.compile(saved.rule)
    except (UnknownRow, rules.RuleSyntaxError):  # gone, or a rule a later release refuses
        await query.answer(_(EXPIRED))
        return
    here = chat_of(update).id
    if saved.token is None and saved.chat_id != here:
        await query.answer(_(ELSEWHERE))  # a forwarded search
        return
    if callback.action == "follow":
        if not await can_manage_chat(update, context):
            await query.answer(_(texts.ADMINS_ONLY), show_alert=True)
            return
        await follow(update, context, saved.rule)
        await query.answer()
        return
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_(EXPIRED))
        return
    text, buttons = await _page(svc, here, saved, rule, callback.page)
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=to_markup(buttons),
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    await query.answer()
