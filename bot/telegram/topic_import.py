"""/import's work, whether the topics file came with /import as its caption or /import
answered it: read the file, follow its topics in the chat, say what came of each."""

from __future__ import annotations

from telegram import Document, Update
from telegram.ext import ContextTypes

from bot.telegram.acting import acting_chat
from bot.telegram.imports import document_bytes
from bot.telegram.replies import reply, reply_lines
from bot.telegram.services import services
from bot.telegram.topic_files import TopicsFileError, import_topics, read_topics
from bot.telegram.updates import message_of, user_of


async def import_topics_file(
    update: Update, context: ContextTypes.DEFAULT_TYPE, document: Document
) -> None:
    """Follow the topics of ``document`` in the chat the update acts on."""
    data = await document_bytes(message_of(update), document)
    try:
        listed = read_topics(data)
    except TopicsFileError as exc:
        await reply(update, str(exc))
        return
    svc = services(context)
    report = await import_topics(
        svc, (await acting_chat(update, context)).id, listed, user_of(update).id
    )
    await reply_lines(update, report.lines())
