"""Files sent to the bot: an OPML feed list brings its feeds as the chat's own; a topics file
with /import as its caption is followed (``bot.telegram.topic_import``)."""

from __future__ import annotations

from telegram import Document, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.feeds.opml import OpmlError, read_opml
from bot.i18n import _
from bot.telegram import chat_feeds
from bot.telegram.access import can_manage_chat
from bot.telegram.acting import acting_chat
from bot.telegram.feed_lists import import_feeds
from bot.telegram.imports import document_bytes
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.texts import ADMINS_ONLY
from bot.telegram.topic_import import import_topics_file
from bot.telegram.updates import chat_of, message_of

OPML_ENDINGS = (".opml", ".xml")
IMPORT_CAPTION = "/import"


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = message_of(update)
    document = message.document
    if document is None:
        return
    if (message.caption or "").split("@")[0].split(" ")[0].lower() == IMPORT_CAPTION:
        if await can_manage_chat(update, context):
            await import_topics_file(update, context, document)
        else:
            await reply(update, _(ADMINS_ONLY))
        return
    if _is_opml(document):
        await _import_opml(update, context, document)
    elif chat_of(update).type == ChatType.PRIVATE:  # a group's files are not for the bot
        await reply(
            update,
            # TRANSLATORS: keep: OPML
            _(
                "Send me an OPML file (.opml) to add its feeds to this chat's own, or a file of "
                "/export topics with /import as its caption to follow its topics."
            ),
        )


def _is_opml(document: Document) -> bool:
    name = (document.file_name or "").lower()
    return name.endswith(OPML_ENDINGS) or "opml" in (document.mime_type or "")


async def _import_opml(
    update: Update, context: ContextTypes.DEFAULT_TYPE, document: Document
) -> None:
    refused = await chat_feeds.refusal(update, context)
    if refused is None and chat_feeds.needs_approval(update, context):
        refused = _(
            "On this bot an operator approves each feed a chat brings: add them one by one "
            "with /addfeed."
        )
    if refused is not None:
        await reply(update, refused)
        return
    data = await document_bytes(message_of(update), document)
    try:
        listed = read_opml(data)
    except OpmlError:
        # TRANSLATORS: keep: OPML
        await reply(update, _("This file is no OPML feed list I can read."))
        return
    report = await import_feeds(services(context), (await acting_chat(update, context)).id, listed)
    await reply_lines(update, report.lines())
