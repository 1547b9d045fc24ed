"""The outbox sender: pending alerts → Telegram, each shown once, within the flood limits.

Alerts are written to the outbox before anything is sent, and a row is marked sent only
together with the Telegram message that shows its article. Every Telegram answer maps to one
store transition:

* success → ``mark_sent`` with the message id and how the message shows the row;
* 429 RetryAfter → wait as told and send again once; a second 429 leaves the row pending;
* 403 Forbidden (blocked, kicked) → chat inactive and its subscriptions paused, row failed;
* ChatMigrated (group became a supergroup) → ``migrate_chat`` and resend to the new id;
* 400 BadRequest → this row failed with Telegram's reason, the chat's other alerts go on;
* network errors, timeouts, 5xx → retried later with backoff, failed after ``max_attempts``.

**Digests.** Whether alerts become a digest is decided per chat (and forum thread) on all of
that chat's due alerts, which the store hands out whole chats at a time: more than
``digest_threshold`` make a digest. A digest lists every alert it settles, one linked line
each, over as many messages as needed; each message settles exactly the rows it lists.

**Scheduled digests.** A topic delivered ``hourly``, ``daily HH:MM`` or ``weekly DAY HH:MM``
(``bot.schedule``) has its alerts wait in the outbox: the first cycle that sees a
row gives it the due time of the digest after the row was queued (and the start of the period
that digest covers), so a row queued before a restart or a crash still goes out in the digest
that was due, late, once the daemon is back. When due, a chat's (forum thread's) waiting rows
go out as one digest, grouped by topic, that names its period; each message settles exactly
the rows it lists, as with any digest. A row that also matched a realtime topic is an alert.

**Quiet hours.** While a chat's quiet hours last, whatever falls due for it is scheduled
again for their end (one digest then), or, with ``silent`` quiet hours, sent without a
notification.

**Copies of a story.** A later copy waits (status ``merged``) until the story's first alert
has settled. If that alert is a message of its own, it is edited to add the copy, linked, to
its "Also:" line, and only then is the copy marked sent (shown as "also"). When that cannot
be done (the first alert failed or went out in a digest, the copy has no web link, the line
would be too long, or Telegram refuses the edit: not modified, too old, deleted, blocked) the
copy becomes a pending alert of its own, with the reason on its row.

**Storage faults.** When Telegram accepted a message but the row cannot be marked (database
locked, disk full, I/O error), the sender keeps the message id in memory and retries the
marking, not the send, at the start of every later cycle; until that works it sends nothing
new, and it never sends a row it knows was sent. The fault is logged once per episode
(``bot.store.health``). Only a crash before the marking succeeds repeats those messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.buttons import Buttons, to_markup
from bot.delivery.format import (
    CopyLike,
    DigestItem,
    RenderedAlert,
    digest_heading,
    fit_also,
    format_digest,
)
from bot.delivery.pacing import Pacer
from bot.i18n import SOURCE_LANGUAGE, _, chat_language, use
from bot.markup import MAX_MESSAGE, linkable, utf16_len
from bot.ops.activity import Activity
from bot.schedule import Frequency, QuietHours, stored_frequency, stored_quiet
from bot.store import (
    AsyncStore,
    Delivered,
    OutboxRow,
    ShownAs,
    StoryCopy,
    StoryUpdate,
    SubscriptionRow,
)
from bot.timezones import chat_zone

logger = logging.getLogger(__name__)

BLOCKED_REASON = "blocked by the user"
_FIRST_BACKOFF = timedelta(seconds=30)
_MAX_BACKOFF = timedelta(minutes=30)
_IDLE_POLL_SECONDS = 2.0

_Item = TypeVar("_Item", OutboxRow, StoryUpdate)


class Render(Protocol):
    """Builds an alert; ``also`` lists other articles of the same story, linked."""

    async def __call__(self, row: OutboxRow, *, also: Sequence[CopyLike] = ()) -> RenderedAlert: ...


@dataclass
class DeliveryReport:
    """What one cycle did, counted in outbox rows (a digest counts all the rows it lists)."""

    sent: int = 0
    """Rows shown by a message sent this cycle: alerts of their own and digest lines."""
    failed: int = 0
    retried: int = 0
    """Rows that met a 429 or a transient error: sent again after the wait, or deferred."""
    digests: int = 0
    """Digest messages sent (a long digest is several)."""
    merged: int = 0
    """Copies of a story named, linked, on its first alert by an edit."""
    alone: int = 0
    """Copies of a story that could not be named on its first alert: now alerts of their own."""

    @property
    def touched(self) -> int:
        return self.sent + self.failed + self.retried + self.merged + self.alone


@dataclass
class _Cycle:
    report: DeliveryReport = field(default_factory=DeliveryReport)
    store_failed: bool = False
    """A store write failed: send nothing more this cycle, it could not be recorded."""


@dataclass(frozen=True)
class _Message:
    """One sendMessage call and the outbox rows it settles."""

    rows: tuple[OutboxRow, ...]
    text: str
    buttons: Buttons
    thread_id: int | None
    shown_as: ShownAs
    silent: bool = False
    """Sent without a notification (silent quiet hours)."""
    also: tuple[int, ...] = ()
    """Copies of a story the message names on its story's line: settled as shown "also"."""


_Prepare = Callable[[], Awaitable[_Message | None]]
"""Makes a message when its send slot comes; None when it cannot be made (row failed)."""


async def _ready(message: _Message) -> _Message:
    """A message made already (a digest page): its :data:`_Prepare`."""
    return message


class _Unnamed(Exception):
    """The copies cannot be named on their first alert; ``reason`` goes on their rows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def scheduled_item(row: OutboxRow, copies: Sequence[StoryCopy] = ()) -> DigestItem:
    """A line of a scheduled digest: under the row's first topic, naming the others, and
    the other sources of its story."""
    article = row.article.article
    first, *others = [f"#{sub.number} {sub.rule}" for sub in _topics(row)] or [_("A removed topic")]
    sources = [article.source, *(copy.source for copy in copies)]
    return DigestItem(
        title=article.title,
        url=article.url,
        topic=first,
        published=row.article.when,
        source=", ".join(dict.fromkeys(s for s in sources if s)),
        also="; ".join(others),
    )


def _topics(row: OutboxRow) -> list[SubscriptionRow]:
    """The row's topics in /list order: a scheduled digest lists it under the first."""
    return sorted(row.subscriptions, key=lambda sub: sub.number)


def row_frequency(row: OutboxRow, tz: ZoneInfo) -> Frequency:
    """How often a row is delivered: as it happens when any topic it matched is realtime
    (or none is left), else by the topic whose digest is due first."""
    frequencies = [stored_frequency(sub.frequency) for sub in row.subscriptions]
    if not frequencies or any(f.realtime for f in frequencies):
        return Frequency()
    return min(frequencies, key=lambda f: f.next_due(row.created_at, tz))


def _newest_first_by_topic(row: OutboxRow) -> tuple[int, float]:
    topics = _topics(row)
    return (topics[0].number if topics else 0, -row.article.when.timestamp())


class OutboxSender:
    """Drains the outbox through a Pacer; see the module docstring for the rules.

    ``store`` is a ``bot.store.AsyncStore`` (every method awaited, so the event loop never
    blocks on SQLite). ``bot`` needs a connection pool larger than one (PTB's default for
    ``Bot`` is 256) because chats are served concurrently. Storage faults are named through
    the store's own ``health``, so ``/status`` and the pipeline see what the sender saw.
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
        quiet_hours: str = "",
        language: str = SOURCE_LANGUAGE,
        activity: Activity | None = None,
    ) -> None:
        self.bot = bot
        self.store = store
        self.pacer = pacer
        self.render = render
        self.digest_threshold = digest_threshold
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.default_timezone = default_timezone
        self.quiet_hours = quiet_hours
        """Quiet hours of a chat that set none (``[delivery] quiet_hours``); '' for none."""
        self.language = language
        """The language of a chat that chose none and whose person's is unknown
        (``[delivery] language``)."""
        self.health = store.health
        self.activity = activity or Activity()
        """Told of every row settled, for the metrics and the log's summary."""
        self._unrecorded: list[Delivered] = []
        """Messages Telegram accepted whose rows could not be marked yet."""

    async def deliver_pending(self) -> DeliveryReport:
        """One cycle: record what a storage fault left unrecorded (or stop there), send the
        due alerts of a batch of whole chats (chats in parallel, each chat's in order), then
        name or release the copies of stories whose first alert has settled."""
        cycle = _Cycle()
        if not await self._record_unrecorded():
            return cycle.report
        rows = await self.store.pending_alerts(limit=self.batch_size)
        await self._per_chat(rows, lambda row: row.chat.id, self._deliver_chat, cycle)
        if not cycle.store_failed:
            updates = await self.store.story_updates()
            await self._per_chat(updates, lambda u: u.original.chat.id, self._settle_copies, cycle)
        if cycle.report.touched:
            logger.debug("delivery cycle: %s", cycle.report)
            if not cycle.store_failed:
                self.health.ok()
        return cycle.report

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Deliver until ``stop_event`` is set, idling briefly when there is nothing to do.

        A failing cycle (database unreadable, Telegram unreachable) is logged, a storage fault
        once per episode, and retried after the idle pause rather than ending delivery.
        """
        while not stop_event.is_set():
            try:
                report = await self.deliver_pending()
            except Exception as exc:
                self._note_failure(exc, "reading the outbox")
                report = DeliveryReport()
            if report.touched == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop_event.wait(), _IDLE_POLL_SECONDS)
        if not await self._record_unrecorded():
            logger.error(
                "%d alerts were sent but could not be recorded; they will be sent again "
                "after the restart",
                len(self._unrecorded),
            )

    async def _per_chat(
        self,
        items: Sequence[_Item],
        chat_of: Callable[[_Item], int],
        work: Callable[[list[_Item], _Cycle], Awaitable[None]],
        cycle: _Cycle,
    ) -> None:
        """``work`` on each chat's items, chats concurrently.

        A failure ends that chat's work only. (A TaskGroup would cancel the other chats, some
        in the middle of a send Telegram has already accepted, whose record would be lost.)
        """
        by_chat: dict[int, list[_Item]] = {}
        for item in items:
            by_chat.setdefault(chat_of(item), []).append(item)
        await asyncio.gather(
            *(self._guard(work(group, cycle), cycle) for group in by_chat.values())
        )

    async def _guard(self, work: Awaitable[None], cycle: _Cycle) -> None:
        try:
            await work
        except Exception as exc:
            if self._note_failure(exc, "delivering to a chat"):
                cycle.store_failed = True

    def _note_failure(self, exc: Exception, doing: str) -> bool:
        """Name a storage fault once per episode (True); log anything else with its trace."""
        if self.health.failed(exc, doing) is not None:
            return True
        logger.error("%s failed", doing, exc_info=exc)
        return False

    # -- one chat's alerts ------------------------------------------------------------------

    async def _deliver_chat(self, rows: list[OutboxRow], cycle: _Cycle) -> None:
        """The chat's due alerts and digests, written in the chat's language."""
        with use(chat_language(rows[0].chat, self.language)):
            await self._deliver_in_language(rows, cycle)

    async def _deliver_in_language(self, rows: list[OutboxRow], cycle: _Cycle) -> None:
        chat = rows[0].chat
        tz = chat_zone(chat.timezone, self.default_timezone)
        quiet = stored_quiet(chat.quiet, self.quiet_hours)
        now = datetime.now(UTC)
        rows = await self._due_now(rows, quiet, tz, now)
        silent = quiet is not None and quiet.silent and quiet.contains(now, tz)
        scheduled = [row.id for row in rows if row.due_at is not None]
        copies = await self.store.waiting_copies(scheduled) if scheduled else {}
        chat_id = chat.id
        for prepare in self._messages(rows, cycle, silent=silent, now=now, copies=copies):
            next_chat_id = await self._send(chat_id, prepare, cycle)
            if next_chat_id is None:
                return
            chat_id = next_chat_id

    async def _due_now(
        self, rows: list[OutboxRow], quiet: QuietHours | None, tz: ZoneInfo, now: datetime
    ) -> list[OutboxRow]:
        """The rows to send now; the others are scheduled for their digest.

        A row of scheduled topics seen for the first time gets the due time of the digest
        after it was queued (already past after a restart: it goes now, late). While quiet
        hours hold, every row due now is scheduled again for their end.
        """
        plan: dict[int, tuple[datetime, datetime]] = {}
        for row in rows:
            frequency = row_frequency(row, tz)
            if row.due_at is None and not frequency.realtime:
                due = frequency.next_due(row.created_at, tz)
                plan[row.id] = (due, frequency.previous_due(due, tz))
        if quiet is not None and not quiet.silent and quiet.contains(now, tz):
            start, end = quiet.window(now, tz)
            for row in rows:
                due, since = plan.get(row.id, (row.due_at or now, row.period_from or start))
                if due <= now:
                    plan[row.id] = (end, since)
        if not plan:
            return rows
        await self.store.schedule_alerts(plan)
        due_rows = []
        for row in rows:
            if row.id in plan:
                due, since = plan[row.id]
                row = replace(row, due_at=due, period_from=row.period_from or since)
            if row.due_at is None or row.due_at <= now:
                due_rows.append(row)
        return due_rows

    def _messages(
        self,
        rows: list[OutboxRow],
        cycle: _Cycle,
        *,
        silent: bool,
        now: datetime,
        copies: Mapping[int, list[StoryCopy]],
    ) -> Iterator[_Prepare]:
        """Per forum thread: the scheduled digest when due, then the alerts as they happen:
        a digest when they pile up, else one alert per row, each made when its send slot
        comes (see :meth:`_send`)."""
        by_thread: dict[int | None, list[OutboxRow]] = {}
        for row in rows:
            by_thread.setdefault(row.thread_id, []).append(row)
        for thread_rows in by_thread.values():
            scheduled = [row for row in thread_rows if row.due_at is not None]
            alerts = [row for row in thread_rows if row.due_at is None]
            if scheduled:
                pages = self._scheduled_digest(scheduled, silent=silent, now=now, copies=copies)
                yield from (partial(_ready, page) for page in pages)
            if len(alerts) > self.digest_threshold:
                pages = self._digest(alerts, [digest_item(row) for row in alerts], silent=silent)
                yield from (partial(_ready, page) for page in pages)
            else:
                yield from (partial(self._alert, row, cycle, silent) for row in alerts)

    def _scheduled_digest(
        self,
        rows: list[OutboxRow],
        *,
        silent: bool,
        now: datetime,
        copies: Mapping[int, list[StoryCopy]],
    ) -> list[_Message]:
        """The digest of rows whose time has come: topic by topic, newest first, headed by
        the period it covers (and "sent late" when it is); a story's waiting copies are
        named on its line and settled with it."""
        rows = sorted(rows, key=_newest_first_by_topic)
        tz = chat_zone(rows[0].chat.timezone, self.default_timezone)
        due = max(row.due_at or now for row in rows)
        since = min(row.period_from or row.created_at for row in rows)
        heading = digest_heading(since, due, tz, now=now)
        items = [scheduled_item(row, copies.get(row.id, ())) for row in rows]
        return [
            replace(page, also=tuple(c.outbox_id for r in page.rows for c in copies.get(r.id, ())))
            for page in self._digest(rows, items, silent=silent, heading=heading)
        ]

    def _digest(
        self,
        rows: list[OutboxRow],
        items: list[DigestItem],
        *,
        silent: bool,
        heading: str | None = None,
    ) -> list[_Message]:
        """The digest's messages, each with exactly the rows it lists."""
        tz = chat_zone(rows[0].chat.timezone, self.default_timezone)
        messages, start = [], 0
        for page in format_digest(items, tz, heading=heading):
            listed = tuple(rows[start : start + page.count])
            messages.append(
                _Message(listed, page.text, [], rows[0].thread_id, ShownAs.DIGEST, silent)
            )
            start += page.count
        return messages

    async def _alert(self, row: OutboxRow, cycle: _Cycle, silent: bool) -> _Message | None:
        try:
            rendered = await self.render(row)
        except Exception as exc:  # one unrenderable article must not hold up the rest
            logger.exception("cannot render outbox row %s", row.id)
            await self.store.mark_failed(row.id, f"could not render the alert: {exc}")
            cycle.report.failed += 1
            self.activity.failed(1, ShownAs.ALERT)
            return None
        return _Message(
            (row,), rendered.text, rendered.buttons, row.thread_id, ShownAs.ALERT, silent
        )

    async def _send(self, chat_id: int, prepare: _Prepare, cycle: _Cycle) -> int | None:
        """Send one message, settling its rows; returns the chat id to go on with, or None
        when this chat must get nothing more this cycle.

        The message is made (an alert rendered) once its slot is granted, not before: every
        chat's task rendering ahead kept the event loop busy between other chats' grants and
        their sends, so sends left late and bunched up in Telegram's rolling second.
        """
        report = cycle.report
        may_retry_flood = True
        may_migrate = True
        message: _Message | None = None
        while True:
            slot = await self.pacer.wait(chat_id)
            if cycle.store_failed:
                return None
            if message is None:
                message = await prepare()
                if message is None:  # could not be made; its row is settled as failed
                    return chat_id
            try:
                sent = await self._send_message(chat_id, message, slot)
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
                report.sent += len(message.rows)
                report.digests += int(message.shown_as == ShownAs.DIGEST)
                report.merged += len(message.also)
                self.activity.sent(message.rows, message.shown_as)
                self.activity.named(len(message.also))
                shown = [Delivered(r.id, sent.message_id, message.shown_as) for r in message.rows]
                shown += [Delivered(c, sent.message_id, ShownAs.ALSO) for c in message.also]
                await self._record(shown, cycle)
                return None if cycle.store_failed else chat_id

    async def _send_message(self, chat_id: int, message: _Message, slot: float) -> Message:
        try:
            return await self.bot.send_message(
                chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(message.buttons),
                message_thread_id=message.thread_id,
                disable_notification=message.silent,
                link_preview_options=LinkPreviewOptions(
                    is_disabled=message.shown_as == ShownAs.DIGEST
                ),
            )
        finally:
            self.pacer.answered(slot)

    # -- copies of a story ------------------------------------------------------------------

    async def _settle_copies(self, updates: list[StoryUpdate], cycle: _Cycle) -> None:
        for update in updates:
            if cycle.store_failed:
                return
            await self._settle_story(update, cycle)

    async def _settle_story(self, update: StoryUpdate, cycle: _Cycle) -> None:
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
            with use(chat_language(original.chat, self.language)):
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
            await self._record(
                [Delivered(copy.outbox_id, message_id, ShownAs.ALSO) for copy in to_name], cycle
            )

    async def _edit(self, original: OutboxRow, also: Sequence[StoryCopy], cycle: _Cycle) -> bool:
        """Edit ``original``'s alert to name ``also``: True once edited, False when the cycle
        halted first; raises _Unnamed when it cannot be done, RetryAfter or NetworkError when
        it may work later."""
        slot = await self.pacer.wait(original.chat.id)  # rendered in its slot, as in _send
        if cycle.store_failed:
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

    # -- store transitions ------------------------------------------------------------------

    async def _record(self, shown: list[Delivered], cycle: _Cycle) -> None:
        """Mark rows sent; when the store fails, keep them to mark later and halt the cycle."""
        try:
            await self.store.mark_sent(shown)
        except Exception as exc:
            if not self._unrecorded:
                logger.warning(
                    "alerts sent but not recorded; sending nothing new until the database "
                    "records them"
                )
            self._unrecorded.extend(shown)
            cycle.store_failed = True
            self._note_failure(exc, "recording sent alerts")

    async def _record_unrecorded(self) -> bool:
        """Mark what earlier cycles sent but could not record; False while that still fails."""
        if not self._unrecorded:
            return True
        try:
            await self.store.mark_sent(self._unrecorded)
        except Exception as exc:
            self._note_failure(exc, "recording sent alerts")
            return False
        logger.warning("recorded %d alerts sent while the database failed", len(self._unrecorded))
        self._unrecorded.clear()
        self.health.ok()
        return True

    async def _fail(self, message: _Message, reason: str, report: DeliveryReport) -> None:
        logger.warning("alerts %s failed: %s", [r.id for r in message.rows], reason)
        for row in message.rows:
            await self.store.mark_failed(row.id, reason)
        report.failed += len(message.rows)
        self.activity.failed(len(message.rows), message.shown_as)

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
                self.activity.failed(1, message.shown_as)
            else:
                await self.store.defer_alert(row.id, error.message, now + backoff(attempts))
                report.retried += 1
        logger.warning("alerts %s not sent: %s", [r.id for r in message.rows], error.message)


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


def _forbidden_reason(error: Forbidden) -> str:
    """The outbox reason /status shows: the common case in plain words, else Telegram's."""
    return BLOCKED_REASON if "blocked" in error.message.lower() else error.message
