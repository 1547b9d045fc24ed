"""The chat a command acts on: whose feeds /addfeed, /feeds, /removefeed, /export and an OPML
document change or list, and whose topics /export topics and /import move.

One function, so that every such command agrees: today it is the chat the command was sent
in; a chat that manages another from here (a channel selected from a private chat) changes it
in this one place.
"""

from __future__ import annotations

from telegram import Update

from bot.telegram.updates import chat_of


def acted_on(update: Update) -> int:
    """The id of the chat whose feeds and topics the update's command reads and changes."""
    return chat_of(update).id
