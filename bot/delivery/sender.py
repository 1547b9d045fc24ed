"""The outbox sender: pending alerts → Telegram, each shown once, within the flood limits.

Alerts are written to the outbox before anything is sent, and a row is marked sent only
together with the Telegram message that shows its article. Every Telegram answer maps to one
store transition:

* success → ``mark_sent`` with the message id and how the message shows the row;
* 429 RetryAfter → wait as told and send again once; a second 429 leaves the row pending;
* 403 Forbidden (blocked, kicked, a channel that no longer lets the bot post) → chat inactive
  and its subscriptions paused, row failed; ``chat_gone`` is told when this made the chat
  inactive (so a channel's linkers hear of it once); its other alerts wait in the outbox;
* ChatMigrated (group became a supergroup) → ``migrate_chat`` and resend to the new id;
* 400 BadRequest → this row failed with Telegram's reason, the chat's other alerts go on;
* network errors, timeouts, 5xx → retried later with backoff, failed after ``max_attempts``.

The store hands out whole chats at a time; each chat's rows are sent in order, chats
concurrently, and a chat starts as soon as it is read, not when the chats read before it are
done (``_deliver_due``). What is sent, and when, is decided beside this module, one concept each:

* ``plan``: which rows are due now: scheduled digests (hourly, daily, weekly) and quiet hours;
* ``digests``: what a digest says, burst (more than ``digest_threshold`` due at once) or
  scheduled, over as many messages as needed, each settling exactly the rows it lists;
* ``story_edits``: later copies of a story named on the "Also:" line of its first alert;
* ``recording``: whether a send could be recorded before it goes out, marking rows sent,
  and what a storage fault left unrecorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.chat_settings import ChatSettings, chat_settings
from bot.clock import Clock, utcnow
from bot.config import DeliveryConfig
from bot.delivery.buttons import Buttons, to_markup
from bot.delivery.cycle import Cycle, DeliveryReport
from bot.delivery.digests import (
    UNTRANSLATED,
    DigestMessage,
    Titles,
    burst_digest,
    digest_period,
    scheduled_digest,
)
from bot.delivery.pacing import Pacer, retry_after_seconds
from bot.delivery.plan import plan_delivery
from bot.delivery.recording import SendRecorder, note_failure
from bot.delivery.render import Render
from bot.delivery.story_edits import StoryEditor
from bot.delivery.surge_message import format_surge
from bot.i18n import use
from bot.ops.activity import Activity
from bot.store import AsyncStore, Delivered, OutboxRow, ShownAs, StoryCopy, StoryUpdate
from bot.translation import AlertTranslator

logger = logging.getLogger(__name__)

BLOCKED_REASON = "blocked by the user"
_FIRST_BACKOFF = timedelta(seconds=30)
_MAX_BACKOFF = timedelta(minutes=30)
_IDLE_POLL_SECONDS = 2.0

_Item = TypeVar("_Item", OutboxRow, StoryUpdate)
ChatGone = Callable[[int], Awaitable[None]]
"""Told the id of a chat a 403 has just made inactive."""


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

    @classmethod
    def digest(cls, page: DigestMessage, *, silent: bool) -> _Message:
        return cls(
            page.rows, page.text, [], page.rows[0].thread_id, ShownAs.DIGEST, silent, page.also
        )

    @classmethod
    def surge(cls, row: OutboxRow, *, silent: bool) -> _Message:
        """The message that a topic surges (``row.surge`` is set)."""
        assert row.surge is not None, "a surge's row"
        text = format_surge(row, row.surge)
        return cls((row,), text, [], row.thread_id, ShownAs.ALERT, silent)


_Prepare = Callable[[], Awaitable[_Message | None]]
"""Makes a message when its send slot comes; None when it cannot be made (row failed)."""


async def _ready(message: _Message) -> _Message:
    """A message made already (a digest page): its :data:`_Prepare`."""
    return message


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` transient failures: 30 s, 1 min, 2 min, …"""
    return min(_MAX_BACKOFF, _FIRST_BACKOFF * 2 ** max(0, attempts - 1))


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
        digest_threshold: int | None = None,
        max_attempts: int = 5,
        batch_size: int = 500,
        cycle_rows: int = 20_000,
        delivery: DeliveryConfig | None = None,
        activity: Activity | None = None,
        now: Clock = utcnow,
        chat_gone: ChatGone | None = None,
        translator: AlertTranslator | None = None,
    ) -> None:
        self.bot = bot
        self.chat_gone = chat_gone
        """Told when a 403 made a chat inactive (``bot.telegram.channel_state.tell_paused``)."""
        self.store = store
        self.pacer = pacer
        self.render = render
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        """Rows one read of the outbox takes (whole chats, at least one)."""
        self.cycle_rows = cycle_rows
        """Rows one cycle reads at most, batch after batch (see :meth:`_deliver_due`)."""
        self.delivery = delivery or DeliveryConfig()
        """``[delivery]``: what a chat has not chosen itself (language, time zone, quiet
        hours; see :func:`bot.chat_settings.chat_settings`) and the digest threshold."""
        self.digest_threshold = (
            self.delivery.digest_threshold if digest_threshold is None else digest_threshold
        )
        self.now = now
        """The process's clock: what is due, quiet hours, digest periods, retry times."""
        self.health = store.health
        self.activity = activity or Activity()
        """Told of every row settled, for the metrics and the log's summary."""
        self.translator = translator
        """Translates the titles a digest lists (``[translate]``); alerts, ``render``."""
        self.recorder = SendRecorder(store)
        self._failing = False
        """Sends have met network errors since the last one that got through (an outage)."""
        self.stories = StoryEditor(
            bot,
            store,
            pacer=pacer,
            render=render,
            recorder=self.recorder,
            activity=self.activity,
            delivery=self.delivery,
        )

    async def deliver_pending(self, stopping: asyncio.Event | None = None) -> DeliveryReport:
        """One cycle: record what a storage fault left unrecorded (or stop there), send the
        due alerts of a batch of whole chats (chats in parallel, each chat's in order), then
        name or release the copies of stories whose first alert has settled. Once
        ``stopping`` is set, nothing new is sent."""
        cycle = Cycle(stopping=stopping or asyncio.Event())
        if not await self.recorder.catch_up():
            return cycle.report
        await self._deliver_due(cycle)
        if not cycle.halted:
            updates = await self.store.story_updates()
            await self._per_chat(updates, lambda u: u.original.chat.id, self.stories.settle, cycle)
        if cycle.report.touched:
            logger.debug("delivery cycle: %s", cycle.report)
            if not cycle.store_failed:
                self.health.ok()
        return cycle.report

    async def run_forever(self, stop_event: asyncio.Event, *, grace: float) -> None:
        """Deliver until ``stop_event`` is set, idling briefly when there is nothing to do;
        then send nothing new, and give the store until ``grace`` seconds after the stop to
        record what was sent (a held lock may clear meanwhile).

        A failing cycle (database unreadable, Telegram unreachable) is logged, a storage fault
        once per episode, and retried after the idle pause rather than ending delivery.
        """
        stopped_at = asyncio.create_task(_when_set(stop_event))
        try:
            while not stop_event.is_set():
                try:
                    report = await self.deliver_pending(stop_event)
                except Exception as exc:
                    note_failure(self.health, exc, "reading the outbox")
                    report = DeliveryReport()
                if report.touched == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop_event.wait(), _IDLE_POLL_SECONDS)
            await self.recorder.finish(deadline=await stopped_at + grace)
        finally:
            stopped_at.cancel()

    async def _deliver_due(self, cycle: Cycle) -> None:
        """The chats with due alerts, read ``batch_size`` rows (whole chats) at a time, up to
        ``cycle_rows`` rows a cycle; each chat starts sending as soon as it is read, and the
        next batch is read without waiting for the chats before it to finish.

        So a chat waiting out its own pace (one message a second, a digest's pages) never
        holds back the others; only the Pacer's overall limit does. Chats read this cycle are
        not read again (``Cycle.taken``), and none once the bot stops. While chats are still
        being sent, a batch that found nothing is tried again every idle pause, so an alert
        queued meanwhile does not wait for the slowest chat; ``cycle_rows`` bounds the rows
        held, and lets a cycle end (and story edits come) however steadily alerts arrive.
        """
        sending: set[asyncio.Task[None]] = set()
        taken = 0
        try:
            while not cycle.store_failed:
                if taken < self.cycle_rows and not cycle.stopping.is_set():
                    rows = await self.store.pending_alerts(
                        limit=self.batch_size, now=self.now(), skip=frozenset(cycle.taken)
                    )
                    taken += len(rows)
                    for chat_id, chat_rows in _by_chat(rows, lambda row: row.chat.id).items():
                        if chat_id not in cycle.taken:  # else: a chat that migrated meanwhile
                            cycle.taken.add(chat_id)
                            work = self._guard(self._deliver_chat(chat_rows, cycle), cycle)
                            sending.add(asyncio.create_task(work))
                    if rows:
                        continue
                if not sending:
                    return
                _, sending = await asyncio.wait(
                    sending, timeout=_IDLE_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
            await asyncio.gather(*sending)
        except asyncio.CancelledError:  # the chats' sends with it, as a gather of them would
            for task in sending:
                task.cancel()
            raise

    async def _per_chat(
        self,
        items: Sequence[_Item],
        chat_of: Callable[[_Item], int],
        work: Callable[[list[_Item], Cycle], Awaitable[None]],
        cycle: Cycle,
    ) -> None:
        """``work`` on each chat's items, chats concurrently.

        A failure ends that chat's work only. (A TaskGroup would cancel the other chats, some
        in the middle of a send Telegram has already accepted, whose record would be lost.)
        """
        await asyncio.gather(
            *(self._guard(work(group, cycle), cycle) for group in _by_chat(items, chat_of).values())
        )

    async def _guard(self, work: Awaitable[None], cycle: Cycle) -> None:
        try:
            await work
        except Exception as exc:
            if note_failure(self.health, exc, "delivering to a chat"):
                cycle.store_failed = True

    # -- one chat's alerts ------------------------------------------------------------------

    async def _deliver_chat(self, rows: list[OutboxRow], cycle: Cycle) -> None:
        """The chat's due alerts and digests, written in the chat's language."""
        settings = chat_settings(rows[0].chat, self.delivery)
        with use(settings.language):
            await self._deliver_in_language(rows, settings, cycle)

    async def _deliver_in_language(
        self, rows: list[OutboxRow], settings: ChatSettings, cycle: Cycle
    ) -> None:
        now = self.now()
        plan = plan_delivery(rows, settings, now=now)
        if plan.schedule:
            await self.store.schedule_alerts(plan.schedule)
        scheduled = [row for row in plan.due if row.due_at is not None and row.surge is None]
        copies = await self.store.waiting_copies([row.id for row in scheduled]) if scheduled else {}
        surged = await self._surged(scheduled, now)
        titles = await self._digest_titles(plan.due, settings)
        messages = self._messages(
            plan.due,
            cycle,
            zone=settings.zone,
            silent=plan.silent,
            now=now,
            copies=copies,
            surged=surged,
            titles=titles,
        )
        chat_id = rows[0].chat.id
        for prepare in messages:
            next_chat_id = await self._send(chat_id, prepare, cycle)
            if next_chat_id is None:
                return
            chat_id = next_chat_id

    async def _surged(self, scheduled: list[OutboxRow], now: datetime) -> set[int]:
        """The topics of a scheduled digest's rows that surged in the period it covers."""
        if not scheduled:
            return set()
        since, _due = digest_period(scheduled, now)
        topics = {sub.id for row in scheduled for sub in row.subscriptions}
        return await self.store.surged_topics(topics, since=since, until=now)

    def _messages(
        self,
        rows: list[OutboxRow],
        cycle: Cycle,
        *,
        zone: tzinfo,
        silent: bool,
        now: datetime,
        copies: Mapping[int, list[StoryCopy]],
        surged: set[int],
        titles: Titles,
    ) -> Iterator[_Prepare]:
        """Per forum thread: its topics' surges, the scheduled digest when due (marking the
        topics in ``surged``), then the alerts as they happen: a digest when they pile up,
        else one alert per row, each made when its send slot comes (see :meth:`_send`). A
        surge is a message of its own, never a digest's line."""
        by_thread: dict[int | None, list[OutboxRow]] = {}
        for row in rows:
            by_thread.setdefault(row.thread_id, []).append(row)
        for thread_rows in by_thread.values():
            surges = [_Message.surge(row, silent=silent) for row in thread_rows if row.surge]
            rest = [row for row in thread_rows if row.surge is None]
            scheduled = [row for row in rest if row.due_at is not None]
            alerts = [row for row in rest if row.due_at is None]
            pages = (
                scheduled_digest(
                    scheduled, zone, now=now, copies=copies, surged=surged, titles=titles
                )
                if scheduled
                else []
            )
            if len(alerts) > self.digest_threshold:
                pages, alerts = pages + burst_digest(alerts, zone, titles=titles), []
            yield from (partial(_ready, message) for message in surges)
            yield from (partial(_ready, _Message.digest(page, silent=silent)) for page in pages)
            yield from (partial(self._alert, row, cycle, silent) for row in alerts)

    async def _digest_titles(self, rows: list[OutboxRow], settings: ChatSettings) -> Titles:
        """The translated titles of the articles the chat's digests will list, when it reads
        translations: asked for together, so a digest waits at most one translation's bound.

        Rows held for a scheduled digest are listed in one; alerts due now are when there are
        more than the digest threshold of them (counted over the chat, so a chat whose forum
        threads stay under it each has titles translated that its alerts then reuse).
        """
        if self.translator is None or not rows or not self.translator.wanted_by(rows[0].chat):
            return UNTRANSLATED
        alerts = [row for row in rows if row.due_at is None]
        listed = rows if len(alerts) > self.digest_threshold else [r for r in rows if r.due_at]
        if not listed:
            return UNTRANSLATED
        translated = await self.translator.translate_all(
            [row.article for row in listed], settings.language
        )
        return {rowid: translation.title for rowid, translation in translated.items()}

    async def _alert(self, row: OutboxRow, cycle: Cycle, silent: bool) -> _Message | None:
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

    async def _send(self, chat_id: int, prepare: _Prepare, cycle: Cycle) -> int | None:
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
            if cycle.halted:
                return None
            if message is None:
                message = await prepare()
                if message is None:  # could not be made; its row is settled as failed
                    return chat_id
            if not await self.recorder.may_send():  # it could not be recorded
                cycle.store_failed = True
                return None
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
                cycle.taken.add(exc.new_chat_id)  # its rows are this chat's, being sent
                await self.store.migrate_chat(chat_id, exc.new_chat_id)
                chat_id, may_migrate = exc.new_chat_id, False
            except Forbidden as exc:
                logger.info("chat %s refuses messages (%s); pausing it", chat_id, exc.message)
                gone = await self.store.set_chat_active(chat_id, False)
                await self._fail(message, _forbidden_reason(exc), report)
                if gone and self.chat_gone is not None:
                    await self.chat_gone(chat_id)
                return None
            except BadRequest as exc:
                await self._fail(message, exc.message, report)
                return chat_id
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                await self._defer(message, exc, report)
                return chat_id
            else:
                self._got_through()
                report.sent += len(message.rows)
                report.digests += int(message.shown_as == ShownAs.DIGEST)
                report.merged += len(message.also)
                self.activity.sent(message.rows, message.shown_as)
                self.activity.named(len(message.also))
                shown = [Delivered(r.id, sent.message_id, message.shown_as) for r in message.rows]
                shown += [Delivered(c, sent.message_id, ShownAs.ALSO) for c in message.also]
                await self.recorder.record(shown, cycle)
                return None if cycle.halted else chat_id

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

    # -- store transitions ------------------------------------------------------------------

    async def _fail(self, message: _Message, reason: str, report: DeliveryReport) -> None:
        logger.warning("alerts %s failed: %s", [r.id for r in message.rows], reason)
        for row in message.rows:
            await self.store.mark_failed(row.id, reason)
        report.failed += len(message.rows)
        self.activity.failed(len(message.rows), message.shown_as)

    async def _defer(self, message: _Message, error: NetworkError, report: DeliveryReport) -> None:
        """Try again later, or give up for good once a row has used ``max_attempts``."""
        now = self.now()
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
        self._did_not_get_through([r.id for r in message.rows], error)

    def _did_not_get_through(self, ids: list[int], error: NetworkError) -> None:
        """Told when sends start failing, then at DEBUG: an outage of hours with alerts
        pending is one line, not one per alert at each retry."""
        if self._failing:
            logger.debug("alerts %s not sent: %s", ids, error.message)
            return
        self._failing = True
        logger.warning(
            "alerts %s not sent: %s; alerts stay pending and are retried with backoff until "
            "sends get through again",
            ids,
            error.message,
        )

    def _got_through(self) -> None:
        if self._failing:
            self._failing = False
            logger.info("sends get through again")


async def _when_set(event: asyncio.Event) -> float:
    """The event loop's time when ``event`` is set: a stop's grace period counts from it."""
    await event.wait()
    return asyncio.get_running_loop().time()


def _by_chat(items: Sequence[_Item], chat_of: Callable[[_Item], int]) -> dict[int, list[_Item]]:
    """``items`` grouped by chat, each chat's in the order given."""
    by_chat: dict[int, list[_Item]] = {}
    for item in items:
        by_chat.setdefault(chat_of(item), []).append(item)
    return by_chat


def _forbidden_reason(error: Forbidden) -> str:
    """The outbox reason /status shows: the common case in plain words, else Telegram's."""
    return BLOCKED_REASON if "blocked" in error.message.lower() else error.message
