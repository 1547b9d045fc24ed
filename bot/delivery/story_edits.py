"""Story-copy edits: the "Also:" line of a sent alert gains the later copies of its story.

A later copy of a story waits (status ``merged``) until the story's first alert has settled.
If that alert is a message of its own, it is edited to add the copy, linked, to its "Also:"
line, and only then is the copy marked sent (shown as "also"). When that cannot be done (the
first alert failed or went out in a digest, the copy has no web link, the line would be too
long, or Telegram refuses the edit: not modified, too old, deleted, blocked) the copy becomes a
pending alert of its own, with the reason on its row.

An edit changes a message already sent rather than sending one, and has its own failures
(``_Unnamed``), so it lives apart from the sender; it shares the sender's pacer, renderer,
cycle and recording.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.chat_settings import chat_settings
from bot.config import DeliveryConfig
from bot.delivery.buttons import to_markup
from bot.delivery.cycle import Cycle
from bot.delivery.format import fit_also
from bot.delivery.pacing import Pacer, retry_after_seconds
from bot.delivery.recording import SendRecorder
from bot.delivery.render import Render
from bot.i18n import use
from bot.markup import MAX_MESSAGE, linkable, utf16_len
from bot.ops.activity import Activity
from bot.store import AsyncStore, Delivered, OutboxRow, ShownAs, StoryCopy, StoryUpdate

logger = logging.getLogger(__name__)


class _Unnamed(Exception):
    """The copies cannot be named on their first alert; ``reason`` goes on their rows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoryEditor:
    """Names a story's waiting copies on its first alert, or sends them on their own."""

    def __init__(
        self,
        bot: Bot,
        store: AsyncStore,
        *,
        pacer: Pacer,
        render: Render,
        recorder: SendRecorder,
        activity: Activity,
        delivery: DeliveryConfig,
    ) -> None:
        self.bot = bot
        self.store = store
        self.pacer = pacer
        self.render = render
        self.recorder = recorder
        self.activity = activity
        self.delivery = delivery
        """What a chat has not chosen itself; its alert is edited in its language."""

    async def settle(self, updates: list[StoryUpdate], cycle: Cycle) -> None:
        """One chat's stories, in order, until a store write fails."""
        for update in updates:
            if cycle.halted:
                return
            await self._settle_story(update, cycle)

    async def _settle_story(self, update: StoryUpdate, cycle: Cycle) -> None:
        """Name the waiting copies, linked, on the first alert, or send them on their own."""
        report = cycle.report
        to_name, alone = _nameable(update)
        if alone:
            await self.store.send_alone(alone)
            report.alone += len(alone)
        if not to_name:
            return
        original = update.original
        try:
            with use(chat_settings(original.chat, self.delivery).language):
                edited = await self._edit(original, [*update.named, *to_name], cycle)
        except _Unnamed as exc:
            logger.info("copies of outbox row %s go on their own: %s", original.id, exc.reason)
            await self.store.send_alone({copy.outbox_id: exc.reason for copy in to_name})
            report.alone += len(to_name)
        except RetryAfter as exc:
            self.pacer.hold(original.chat.id, retry_after_seconds(exc))
            report.retried += len(to_name)
        except NetworkError as exc:  # the next cycle tries again
            logger.info("story edit of outbox row %s postponed: %s", original.id, exc)
            report.retried += len(to_name)
        else:
            if not edited:
                return
            report.merged += len(to_name)
            self.activity.named(len(to_name))
            message_id = original.message_id
            assert message_id is not None  # an editable update's alert has one
            await self.recorder.record(
                [Delivered(copy.outbox_id, message_id, ShownAs.ALSO) for copy in to_name], cycle
            )

    async def _edit(self, original: OutboxRow, also: Sequence[StoryCopy], cycle: Cycle) -> bool:
        """Edit ``original``'s alert to name ``also``: True once edited, False when the cycle
        halted first; raises _Unnamed when it cannot be done, RetryAfter or NetworkError when
        it may work later."""
        slot = await self.pacer.wait(original.chat.id)  # rendered in its slot, as sends are
        if cycle.halted:
            return False
        try:
            rendered = await self.render(original, also=also)
        except Exception as exc:
            logger.exception("cannot render outbox row %s", original.id)
            raise _Unnamed(f"could not render the alert: {exc}") from exc
        if utf16_len(rendered.text) > MAX_MESSAGE:
            raise _Unnamed(f"the alert would be longer than {MAX_MESSAGE} characters")
        try:
            await self.bot.edit_message_text(
                rendered.text,
                chat_id=original.chat.id,
                message_id=original.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(rendered.buttons),
            )
        except (BadRequest, Forbidden, ChatMigrated) as exc:  # not modified, too old, deleted…
            raise _Unnamed(f"Telegram refused the edit: {exc.message}") from exc
        finally:
            self.pacer.answered(slot)
        return True


def _nameable(update: StoryUpdate) -> tuple[list[StoryCopy], dict[int, str]]:
    """The waiting copies an edit of the first alert can name, and why each other one cannot
    (outbox id → reason)."""
    if not update.editable:
        why = (
            "it went out in a digest"
            if update.original.shown_as == ShownAs.DIGEST
            else "it was not sent"
        )
        return [], {copy.outbox_id: why for copy in update.waiting}
    linked = [copy for copy in update.waiting if linkable(copy.url)]
    alone = {c.outbox_id: "no web link to name it by" for c in update.waiting if c not in linked}
    fits = fit_also(update.named, linked)
    alone |= {copy.outbox_id: "too many sources for one alert" for copy in linked[fits:]}
    return linked[:fits], alone
