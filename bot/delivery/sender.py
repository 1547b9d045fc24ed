"""The outbox sender: pending alerts → Telegram, each exactly once, within the flood limits.

Alerts are written to the outbox before anything is sent and marked sent as soon as Telegram
answers, so a crash between the two can at worst repeat one message, never lose one. Every
Telegram answer maps to one store transition:

* success → ``mark_sent`` with the message id;
* 429 RetryAfter → wait as told and send again once; a second 429 leaves the row pending;
* 403 Forbidden (blocked, kicked) → chat inactive and its subscriptions paused, row failed;
* ChatMigrated (group became a supergroup) → ``migrate_chat`` and resend to the new id;
* 400 BadRequest → this row failed with Telegram's reason, the chat's other alerts go on;
* network errors, timeouts, 5xx → retried later with backoff, failed after ``max_attempts``.

A chat with more than ``digest_threshold`` pending alerts in one cycle gets one digest
message instead of a flood; every alert in it is marked sent with the digest's message id.

A later copy of a story the chat was already alerted to (the store marks it "merged") sends
nothing new: the first alert is edited to add "Also: <source>".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from telegram import (
    Bot,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.buttons import Buttons, to_markup
from bot.delivery.format import DigestItem, RenderedAlert, chat_zone, format_digest
from bot.delivery.pacing import Pacer
from bot.store import AsyncStore, OutboxRow, StoryUpdate

logger = logging.getLogger(__name__)

BLOCKED_REASON = "blocked by the user"
_FIRST_BACKOFF = timedelta(seconds=30)
_MAX_BACKOFF = timedelta(minutes=30)
_IDLE_POLL_SECONDS = 2.0


class Render(Protocol):
    """Builds an alert; ``also`` lists other sources of the same story."""

    async def __call__(self, row: OutboxRow, *, also: Sequence[str] = ()) -> RenderedAlert: ...


@dataclass
class DeliveryReport:
    """What one cycle did, counted in outbox rows (a digest counts all the rows it covers)."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    """Rows that met a 429 or a transient error: sent again after the wait, or deferred."""
    digests: int = 0
    merged: int = 0
    """Copies of a story named on its first alert by an edit, instead of a new message."""

    @property
    def touched(self) -> int:
        return self.sent + self.failed + self.retried + self.merged


@dataclass(frozen=True)
class _Message:
    """One sendMessage call and the outbox rows it settles."""

    rows: tuple[OutboxRow, ...]
    text: str
    buttons: Buttons
    thread_id: int | None
    is_digest: bool = False


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked us to wait, whichever type PTB 22 hands back."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)  # int retry_after is deprecated
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` transient failures: 30 s, 1 min, 2 min, …"""
    return min(_MAX_BACKOFF, _FIRST_BACKOFF * 2 ** max(0, attempts - 1))


def digest_item(row: OutboxRow) -> DigestItem:
    article = row.article.article
    topic = "; ".join(sub.rule for sub in row.subscriptions)
    return DigestItem(title=article.title, url=article.url, topic=topic, published=row.article.when)


class OutboxSender:
    """Drains the outbox through a Pacer; see the module docstring for the rules.

    ``store`` is a ``bot.store.AsyncStore`` (every method awaited, so the event loop never
    blocks on SQLite). ``bot`` needs a connection pool larger than one (PTB's default for
    ``Bot`` is 256) because chats are served concurrently.
    """

    def __init__(
        self,
        bot: Bot,
        store: AsyncStore,
        *,
        pacer: Pacer,
        render: Render,
        digest_threshold: int = 10,
        max_attempts: int = 5,
        batch_size: int = 500,
        default_timezone: str = "UTC",
    ) -> None:
        self.bot = bot
        self.store = store
        self.pacer = pacer
        self.render = render
        self.digest_threshold = digest_threshold
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.default_timezone = default_timezone

    async def deliver_pending(self) -> DeliveryReport:
        """Send one batch of due alerts, chats in parallel, each chat's alerts in order."""
        report = DeliveryReport()
        rows = await self.store.pending_alerts(limit=self.batch_size)
        by_chat: dict[int, list[OutboxRow]] = {}
        for row in rows:
            by_chat.setdefault(row.chat.id, []).append(row)
        async with asyncio.TaskGroup() as group:
            for chat_id, chat_rows in by_chat.items():
                group.create_task(self._deliver_chat(chat_id, chat_rows, report))
        for update in await self.store.story_updates():
            await self._name_copies(update, report)
        if rows:
            logger.info("delivery cycle: %s", report)
        return report

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Deliver until ``stop_event`` is set, idling briefly when the outbox is empty.

        A failing cycle (database locked, Telegram unreachable) is logged and retried after
        the idle pause rather than ending delivery for good.
        """
        while not stop_event.is_set():
            try:
                report = await self.deliver_pending()
            except Exception:
                logger.exception("delivery cycle failed; retrying in %ss", _IDLE_POLL_SECONDS)
                report = DeliveryReport()
            if report.touched == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop_event.wait(), _IDLE_POLL_SECONDS)

    # -- one chat ---------------------------------------------------------------------------

    async def _deliver_chat(
        self, chat_id: int, rows: list[OutboxRow], report: DeliveryReport
    ) -> None:
        for batch, is_digest in self._batches(rows):
            message = await self._prepare(batch, is_digest, report)
            if message is None:
                continue
            next_chat_id = await self._send(chat_id, message, report)
            if next_chat_id is None:
                return
            chat_id = next_chat_id

    def _batches(self, rows: list[OutboxRow]) -> list[tuple[list[OutboxRow], bool]]:
        """Per forum thread: every row alone, or all of them as one digest when they pile up."""
        by_thread: dict[int | None, list[OutboxRow]] = {}
        for row in rows:
            by_thread.setdefault(row.thread_id, []).append(row)
        batches: list[tuple[list[OutboxRow], bool]] = []
        for thread_rows in by_thread.values():
            if len(thread_rows) > self.digest_threshold:
                batches.append((thread_rows, True))
            else:
                batches.extend(([row], False) for row in thread_rows)
        return batches

    async def _prepare(
        self, rows: list[OutboxRow], is_digest: bool, report: DeliveryReport
    ) -> _Message | None:
        if is_digest:
            text = format_digest(
                [digest_item(r) for r in rows],
                chat_zone(rows[0].chat.timezone or self.default_timezone),
            )
            return _Message(tuple(rows), text, [], rows[0].thread_id, is_digest=True)
        [row] = rows
        await self.pacer.turn()  # rendering every chat's alert at once stalled the Pacer
        try:
            rendered = await self.render(row)
        except Exception as exc:  # one unrenderable article must not hold up the rest
            logger.exception("cannot render outbox row %s", row.id)
            await self.store.mark_failed(row.id, f"could not render the alert: {exc}")
            report.failed += 1
            return None
        return _Message((row,), rendered.text, rendered.buttons, row.thread_id)

    async def _send(self, chat_id: int, message: _Message, report: DeliveryReport) -> int | None:
        """Send one message, settling its rows; returns the chat id to go on with, or None
        when this chat must get nothing more this cycle."""
        may_retry_flood = True
        may_migrate = True
        while True:
            try:
                await self.pacer.wait(chat_id)
                sent = await self._send_message(chat_id, message)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                self.pacer.hold(chat_id, seconds)
                report.retried += len(message.rows)
                if not may_retry_flood:
                    logger.warning("chat %s still flood-limited; alerts stay pending", chat_id)
                    return None
                may_retry_flood = False
            except ChatMigrated as exc:
                if not may_migrate:
                    await self._fail(message, f"chat migrated twice, to {exc.new_chat_id}", report)
                    return None
                logger.info("chat %s migrated to %s", chat_id, exc.new_chat_id)
                await self.store.migrate_chat(chat_id, exc.new_chat_id)
                chat_id, may_migrate = exc.new_chat_id, False
            except Forbidden as exc:
                logger.info("chat %s refuses messages (%s); pausing it", chat_id, exc.message)
                await self.store.set_chat_active(chat_id, False)
                await self._fail(message, _forbidden_reason(exc), report)
                return None
            except BadRequest as exc:
                await self._fail(message, exc.message, report)
                return chat_id
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                await self._defer(message, exc, report)
                return chat_id
            else:
                await self._settle(message, sent, report)
                return chat_id

    async def _send_message(self, chat_id: int, message: _Message) -> Message:
        return await self.bot.send_message(
            chat_id,
            message.text,
            parse_mode=ParseMode.HTML,
            reply_markup=to_markup(message.buttons),
            message_thread_id=message.thread_id,
            link_preview_options=LinkPreviewOptions(is_disabled=message.is_digest),
        )

    async def _name_copies(self, update: StoryUpdate, report: DeliveryReport) -> None:
        """Edit a story's alert to list the other sources; a failed edit stays quiet.

        The copies are settled either way except on a flood wait or a network error (then
        the next cycle tries again): a second message about the same story is the one thing
        this feature exists to avoid.
        """
        original = update.original
        if not update.in_digest:
            rendered = await self.render(original, also=update.also)
            try:
                await self.pacer.wait(original.chat.id)
                await self.bot.edit_message_text(
                    rendered.text,
                    chat_id=original.chat.id,
                    message_id=original.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=to_markup(rendered.buttons),
                )
            except (BadRequest, Forbidden) as exc:  # too old to edit, deleted, bot blocked
                logger.info("story edit of outbox row %s refused: %s", original.id, exc)
            except (RetryAfter, NetworkError) as exc:
                logger.info("story edit of outbox row %s postponed: %s", original.id, exc)
                return
        await self.store.settle_merged(update.merged_ids, original.message_id)
        report.merged += len(update.merged_ids)

    # -- store transitions ------------------------------------------------------------------

    async def _settle(self, message: _Message, sent: Message, report: DeliveryReport) -> None:
        for row in message.rows:
            await self.store.mark_sent(row.id, sent.message_id)
        report.sent += len(message.rows)
        report.digests += int(message.is_digest)

    async def _fail(self, message: _Message, reason: str, report: DeliveryReport) -> None:
        logger.warning("alerts %s failed: %s", [r.id for r in message.rows], reason)
        for row in message.rows:
            await self.store.mark_failed(row.id, reason)
        report.failed += len(message.rows)

    async def _defer(self, message: _Message, error: NetworkError, report: DeliveryReport) -> None:
        """Try again later, or give up for good once a row has used ``max_attempts``."""
        now = datetime.now(UTC)
        for row in message.rows:
            attempts = row.attempts + 1
            if attempts >= self.max_attempts:
                plural = "s" if attempts > 1 else ""
                reason = f"gave up after {attempts} attempt{plural}: {error.message}"
                await self.store.mark_failed(row.id, reason)
                report.failed += 1
            else:
                await self.store.defer_alert(row.id, error.message, now + backoff(attempts))
                report.retried += 1
        logger.warning("alerts %s not sent: %s", [r.id for r in message.rows], error.message)


def _forbidden_reason(error: Forbidden) -> str:
    """The outbox reason /status shows: the common case in plain words, else Telegram's."""
    return BLOCKED_REASON if "blocked" in error.message.lower() else error.message
