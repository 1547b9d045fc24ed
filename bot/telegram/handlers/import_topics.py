"""/import answering a topics file (one /export topics wrote): follow its topics here."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import _
from bot.telegram.access import managers_only
from bot.telegram.replies import reply
from bot.telegram.topic_import import import_topics_file
from bot.telegram.updates import message_of


@managers_only
async def import_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    answered = message_of(update).reply_to_message
    document = answered.document if answered is not None else None
    if document is None:
        await reply(
            update,
            _(
                "Answer a file of /export topics with /import, or send the file with /import "
                "as its caption."
            ),
        )
        return
    await import_topics_file(update, context, document)
