"""What an import (an OPML document's feeds, a topics file) answers: how many were added, how
many were there already, and each refused entry with why, one line each up to a limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from telegram import Document, Message

from bot.i18n import _, format_number, isolate, ngettext
from bot.markup import esc, shorten
from bot.telegram.arguments import ArgumentError

REFUSED_LINES = 10
"""Refused entries named one by one; the rest are counted."""
ENTRY_CHARS = 120
"""How much of a refused entry's address or rule its line shows."""
MAX_FILE_BYTES = 1_000_000
"""The largest file an import downloads: a list of hundreds of feeds or topics is far less."""


class Kind(Enum):
    FEEDS = "feeds"
    TOPICS = "topics"


@dataclass
class ImportReport:
    kind: Kind
    added: int = 0
    present: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(the entry as the file had it, why it was refused), in the file's order."""

    def lines(self) -> list[str]:
        """The reply, in the chat's language."""
        if self.kind is Kind.FEEDS:
            added = ngettext(
                "Added {count} feed to this chat's own feeds.",
                "Added {count} feeds to this chat's own feeds.",
                self.added,
            )
        else:
            added = ngettext("Added {count} topic.", "Added {count} topics.", self.added)
        lines = [added.format(count=format_number(self.added))]
        if self.present:
            lines.append(
                ngettext(
                    "{count} was there already.", "{count} were there already.", self.present
                ).format(count=format_number(self.present))
            )
        if self.refused:
            count = len(self.refused)
            lines.append(
                ngettext("{count} refused:", "{count} refused:", count).format(
                    count=format_number(count)
                )
            )
            lines += [
                f"• {isolate(esc(shorten(entry, ENTRY_CHARS)))}: {esc(why)}"
                for entry, why in self.refused[:REFUSED_LINES]
            ]
            if count > REFUSED_LINES:
                left = count - REFUSED_LINES
                lines.append(
                    ngettext("… and {count} more.", "… and {count} more.", left).format(
                        count=format_number(left)
                    )
                )
        return lines


async def document_bytes(message: Message, document: Document) -> bytes:
    """The content of a file someone sent, refused (ArgumentError) past :data:`MAX_FILE_BYTES`:
    before anything is downloaded when the message says its size, else once downloaded."""
    if (document.file_size or 0) <= MAX_FILE_BYTES:
        file = await message.get_bot().get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        if len(data) <= MAX_FILE_BYTES:
            return data
    raise ArgumentError(
        # TRANSLATORS: keep: KB
        _("This file is too large to import: the most is {size} KB.").format(
            size=format_number(MAX_FILE_BYTES // 1000)
        )
    )
