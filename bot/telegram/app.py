"""Building the Application: every handler is registered here and nowhere else.

Handler groups run in order and each update passes through all of them:

* ``-5`` choosing the language of every text written for the update (``speaking``),
* ``-4`` bookkeeping that must happen whoever sent the update (group → supergroup moves, the
  bot removed from or blocked in a chat),
* ``-3`` the access gate, which stops updates from people outside ``allowed_users``,
* ``-2`` the per-person command limit (``[access] commands_per_minute``),
* ``-1`` forgetting a pending "send me the rule" question when any command arrives,
* ``0`` the commands, buttons and the plain-text rule answer, then the catch-alls for
  unknown commands and buttons.

Updates are handled concurrently, so a reply waiting for its send slot, or an /addfeed
waiting for a slow server, never holds up anyone else's command.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.clock import Clock, utcnow
from bot.config import Config
from bot.delivery.pacing import Pacer
from bot.ops.activity import Activity
from bot.store import AsyncStore
from bot.telegram.access import gate
from bot.telegram.arguments import answers_argument_errors
from bot.telegram.fairuse import CommandLimiter, PacedReplies
from bot.telegram.handlers import (
    alias,
    buttons,
    channel,
    documents,
    errors,
    export,
    feed_requests,
    feeds,
    forum,
    frequency,
    import_topics,
    inline,
    language,
    listing,
    membership,
    migration,
    pausing,
    preview,
    quiet,
    search,
    share,
    start,
    status,
    subscribe,
    surge,
    timezone,
    translate,
    unknown,
    unsubscribe,
    whoami,
)
from bot.telegram.menus import publish_menus
from bot.telegram.services import KEY, FeedChanged, FeedValidator, HandlerDeps
from bot.telegram.speaking import speak_their_language
from bot.telegram.updates_request import ReportedUpdates

logger = logging.getLogger(__name__)

_NEW_MESSAGES = filters.UpdateType.MESSAGE
"""Commands are read from new messages only: editing an old /subscribe must not subscribe again,
and a channel's posts (``channel_post`` updates, which anyone who may post there writes) are
not commands to the bot."""


def build_application(
    *,
    token: str,
    base_url: str,
    store: AsyncStore,
    config: Config,
    validate_feed: FeedValidator | None = None,
    on_feed_added: FeedChanged | None = None,
    on_feed_removed: FeedChanged | None = None,
    pacer: Pacer | None = None,
    activity: Activity | None = None,
    now: Clock = utcnow,
    menus: bool = True,
) -> Application:
    """The bot's Application, not yet initialized.

    Every message ``application.bot`` sends waits for a slot of ``pacer`` (a reply goes ahead
    of alerts waiting there); give the OutboxSender the same Pacer and a bot of its own.
    ``validate_feed(url) -> (final_url, title)`` checks a URL given to /addfeed (fetch once,
    with autodiscovery) and raises to refuse it; without it /addfeed is disabled.
    ``on_feed_added(feed_row)`` is awaited after /addfeed stored a feed, and
    ``on_feed_removed(feed_row)`` after /removefeed disabled one. ``activity`` counts every
    Bot API request and its answer, the long poll's included (the process's one, so metrics
    and /status see them). ``now`` is the process's clock, which the commands that tell
    the time (next digests, /search spans, /status) read. ``menus=False`` leaves the command
    menus and descriptions Telegram has as they are instead of publishing them at start-up:
    eight languages' worth of requests that an Application started many times over (the
    tests' harness) does not need.
    """
    activity = activity or Activity()
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url(base_url))
        .rate_limiter(PacedReplies(pacer or Pacer(), activity))
        .get_updates_request(ReportedUpdates(activity))
        .concurrent_updates(True)
    )
    if menus:
        builder = builder.post_init(publish_commands)
    application = builder.build()
    application.bot_data[KEY] = HandlerDeps(
        store=store,
        config=config,
        validate_feed=validate_feed,
        feed_added=on_feed_added,
        feed_removed=on_feed_removed,
        activity=activity,
        now=now,
    )
    application.add_handler(TypeHandler(Update, speak_their_language), group=-5)
    migrated = filters.StatusUpdate.MIGRATE & filters.ChatType.GROUP
    application.add_handler(MessageHandler(migrated, migration.chat_migrated), group=-4)
    named = filters.StatusUpdate.FORUM_TOPIC_CREATED | filters.StatusUpdate.FORUM_TOPIC_EDITED
    application.add_handler(MessageHandler(named, forum.thread_named), group=-4)
    application.add_handler(
        ChatMemberHandler(membership.bot_member_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        group=-4,
    )
    application.add_handler(TypeHandler(Update, gate), group=-3)
    limiter = CommandLimiter(config.access.commands_per_minute)
    application.add_handler(TypeHandler(Update, limiter), group=-2)
    application.add_handler(
        MessageHandler(_NEW_MESSAGES & filters.COMMAND, subscribe.forget_question), group=-1
    )
    application.add_handlers(_command_handlers())
    application.add_handler(
        CallbackQueryHandler(buttons.on_button, pattern=buttons.is_alert_button)
    )
    application.add_handler(
        CallbackQueryHandler(search.on_search_button, pattern=search.is_search_button)
    )
    application.add_handler(
        CallbackQueryHandler(language.on_language_button, pattern=language.is_language_button)
    )
    forwarded = _NEW_MESSAGES & filters.ChatType.PRIVATE & channel.FORWARDED_FROM_CHANNEL
    application.add_handler(
        MessageHandler(forwarded, answers_argument_errors(channel.forwarded_post))
    )
    application.add_handler(
        CallbackQueryHandler(
            feed_requests.on_feed_request_button, pattern=feed_requests.is_feed_request_button
        )
    )
    application.add_handler(
        MessageHandler(_NEW_MESSAGES & filters.TEXT & ~filters.COMMAND, subscribe.rule_message)
    )
    application.add_handler(
        MessageHandler(
            _NEW_MESSAGES & filters.Document.ALL, answers_argument_errors(documents.on_document)
        )
    )
    application.add_handler(InlineQueryHandler(inline.inline_search))
    known = [name for names in COMMAND_HANDLERS for name in names]
    application.add_handler(
        MessageHandler(_NEW_MESSAGES & filters.COMMAND, unknown.unknown_command_handler(known))
    )
    application.add_handler(CallbackQueryHandler(buttons.on_unknown_button))
    application.add_error_handler(errors.on_error)
    return application


def file_url(base_url: str) -> str:
    """Where the files people send are downloaded from: beside the Bot API's methods, as
    Telegram's ``https://api.telegram.org/file/bot`` is (and a local Bot API server's)."""
    root, _bot, _end = base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot"


COMMAND_HANDLERS = {
    ("start",): start.start,
    ("help",): start.help_command,
    ("subscribe", "sub", "add"): subscribe.subscribe,
    ("cancel",): subscribe.cancel,
    ("list",): listing.list_subscriptions,
    ("unsubscribe", "unsub", "remove"): unsubscribe.unsubscribe,
    ("pause",): pausing.pause,
    ("resume",): pausing.resume,
    ("preview",): preview.preview,
    ("search",): search.search,
    ("share",): share.share,
    ("timezone",): timezone.set_timezone,
    ("language",): language.language,
    ("translate",): translate.translate,
    ("frequency",): frequency.set_frequency,
    ("quiet",): quiet.set_quiet,
    ("surge",): surge.set_surge,
    ("alias",): alias.alias,
    ("feeds",): feeds.list_feeds,
    ("addfeed",): feeds.add_feed,
    ("removefeed",): feeds.remove_feed,
    ("export",): export.export,
    ("import",): import_topics.import_topics,
    ("status",): status.status,
    ("whoami",): whoami.whoami,
    ("channel",): channel.channel,
}
"""Every command: its names (the first is the one /help and the menu show) and its handler."""


def _command_handlers() -> list[BaseHandler]:
    return [
        CommandHandler(names, answers_argument_errors(callback), filters=_NEW_MESSAGES)
        for names, callback in COMMAND_HANDLERS.items()
    ]


async def publish_commands(application: Application) -> None:
    """Fill Telegram's command menus and descriptions (``bot.telegram.menus``) at start-up."""
    svc: HandlerDeps = application.bot_data[KEY]
    operators = {}
    for admin in svc.config.access.admins:
        chat = await svc.store.get_chat(admin)
        operators[admin] = chat.language if chat else None
    await publish_menus(application.bot, svc.config.delivery.language, operators)
