"""/export: the chat's own feeds as an OPML document; /export topics: its topics as the file
/import reads back (here or on another topic-alert)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.telegram.acting import acting_chat
from bot.telegram.arguments import command_argument
from bot.telegram.feed_lists import EXPORT_NAME as FEEDS_FILE
from bot.telegram.feed_lists import export_document
from bot.telegram.replies import reply
from bot.telegram.services import services
from bot.telegram.topic_files import EXPORT_NAME as TOPICS_FILE
from bot.telegram.topic_files import topics_document
from bot.telegram.updates import message_of

TOPICS_WORD = "topics"


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat_id = (await acting_chat(update, context)).id
    message = message_of(update)
    what = command_argument(message).lower()
    if what == TOPICS_WORD:
        subs = await svc.store.list_subscriptions(chat_id)
        if not subs:
            await reply(update, _("This chat follows no topics yet: /subscribe adds one."))
            return
        await message.reply_document(
            topics_document(subs),
            filename=TOPICS_FILE,
            caption=_(
                "This chat's topics: send this file with /import as its caption to follow "
                "them in another chat or bot."
            ),
        )
    elif what:
        await reply(
            update, _("Write /export for this chat's feeds, /export topics for its topics.")
        )
    else:
        feeds = await svc.store.chat_feeds(chat_id)
        if not feeds:
            await reply(update, _("This chat has no feeds of its own: /addfeed adds one."))
            return
        await message.reply_document(
            export_document(feeds),
            filename=FEEDS_FILE,
            # TRANSLATORS: keep: OPML
            caption=_("This chat's own feeds, as OPML: any feed reader imports the file."),
        )
