"""Telling the operators in Telegram what needs them: once when a problem starts, once when it ends.

Every minute the watcher looks at what the bot already knows and names each problem by a key:

* ``feed-failing:ID`` a feed whose polls have failed in a row for ``[alerts] feed_failing_after``
  (``feeds.failing_since``), ``feed-gone:ID`` one whose server said 410 Gone (it is disabled);
* ``storage``: the database has a fault (``AsyncStore.health``);
* ``backlog``: an alert due to be sent has waited longer than ``[alerts] backlog_after``
  (``StoreStats.oldest_due``);
* ``rate-limited``: Telegram answered 429 ``[alerts] rate_limited_after`` times within ten
  minutes (``Activity.recent_floods``);
* ``chat-gone:ID``: a chat with topics blocked or removed the bot (the sender's 403, or the
  bot's own ``my_chat_member`` update), so its topics are paused;
* ``chat-feed-failing:ID``, ``chat-feed-gone:ID``: the same as the feed keys for a feed chats
  brought, told to the chats that read it (``feed_readers``) instead of the operators: it is
  theirs to fix or remove.

A key that appears is told to every user id in ``[access] admins`` (a chat feed's to its
readers), in their private chat and language, with what to do; a key that disappears is told
as over, unless it ended because someone removed what it was about (a failing feed taken off
with /removefeed ends silently).
The messages go through the application's bot, so the same Pacer as every reply and alert
spaces them.

What the watcher has told is kept in memory and, for the problems read from the database
(feeds, chats, the backlog), in its ``notices`` table: a restart does not tell those again. The
problems this process observed itself (a storage fault, 429s) are not kept: the new process
tells them again if it meets them again, and never tells as over what it did not see.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.chat_settings import chat_settings
from bot.config import AlertsConfig, DeliveryConfig
from bot.i18n import _, format_duration, format_number, isolate, ngettext, use
from bot.markup import esc
from bot.ops.activity import FLOOD_WINDOW_SECONDS, Activity
from bot.store import AsyncStore, ChatRow, FeedOrigin, FeedRow, GoneChat, PollStatus, StoreStats
from bot.telegram.feed_approval import chat_name
from bot.telegram.feed_lines import linked
from bot.telegram.replies import NO_PREVIEW
from bot.telegram.texts import fault_reason
from bot.wiring import Services

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0
"""Seconds between two looks at the bot's state."""
STORAGE, RATE_LIMITED, BACKLOG = "storage", "rate-limited", "backlog"
CHAT_FEED = "chat-feed"
"""The keys of a feed chats brought begin so: its readers are told, not the operators."""
PROCESS_KEYS = frozenset({STORAGE, RATE_LIMITED})
"""Problems this process observed itself: not kept in the database (see the module docstring)."""

Text = Callable[[], str]
"""A message written when called, in the language :func:`bot.i18n.use` set (each operator's)."""


@dataclass(frozen=True)
class Snapshot:
    """What the database says at one look."""

    now: datetime
    feeds: Sequence[FeedRow]
    """Every feed, removed ones too (a gone feed is disabled)."""
    stats: StoreStats
    gone: Sequence[GoneChat]
    readers: Mapping[int, Sequence[int]]
    """The chats each feed chats brought is read by (feed id → chat ids)."""


class NoticeWatcher:
    """Looks for problems (:meth:`check`) and tells ``admins`` of each once, and of its end."""

    def __init__(
        self,
        bot: Bot,
        store: AsyncStore,
        activity: Activity,
        *,
        admins: Sequence[int],
        alerts: AlertsConfig,
        delivery: DeliveryConfig,
        now: Callable[[], datetime],
    ) -> None:
        self.bot = bot
        self.store = store
        self.activity = activity
        self.admins = list(admins)
        self.alerts = alerts
        self.delivery = delivery
        """The language of an operator whose chat chose none, or that the bot does not know."""
        self.now = now
        self.told: dict[str, datetime] = {}
        """The problems told and not yet over, by key, with when they were told."""
        self._loaded = False
        """Whether :attr:`told` has what the database kept from earlier processes."""
        self._unsaved = False
        """Whether the database's copy of :attr:`told` is behind (see :meth:`_save`)."""

    async def run(self, stop: asyncio.Event) -> None:
        """Check now and every :data:`CHECK_EVERY` seconds until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.check()
            except Exception:
                logger.exception("looking for problems to tell the operators failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), CHECK_EVERY)

    async def check(self) -> None:
        """One look: tell what started and what ended since the last one.

        When the database cannot be read, the problems read from it stay as they were (not
        being able to look is no news); the storage fault itself is told all the same.
        """
        snapshot = await self._snapshot()
        current = self._process_problems()
        known = set(PROCESS_KEYS)
        if snapshot is not None:
            current |= self._stored_problems(snapshot)
            known |= {key for key in self.told if key not in PROCESS_KEYS}
        for key, notice in current.items():
            if key not in self.told and await self._tell(notice, self._told_to(key, snapshot)):
                logger.info("operators told: %s", key)
                self.told[key] = self.now()
                self._unsaved |= key not in PROCESS_KEYS
        for key in [key for key in self.told if key in known and key not in current]:
            ended = await self._ended(key, snapshot)
            if ended is None or await self._tell(ended, self._told_to(key, snapshot)):
                logger.info("over: %s%s", key, "" if ended is None else " (operators told)")
                del self.told[key]
                self._unsaved |= key not in PROCESS_KEYS
        await self._save()

    # -- the problems -----------------------------------------------------------------------

    def _process_problems(self) -> dict[str, Text]:
        problems: dict[str, Text] = {}
        fault, since = self.store.health.fault, self.store.health.since
        if fault is not None and since is not None:
            problems[STORAGE] = lambda: _(
                "⚠️ The database has a problem since {time} UTC: {reason}. Feeds are not "
                "polled until it can store again; the bot's log says what to do."
            ).format(time=f"{since:%H:%M}", reason=fault_reason(fault.kind))
        floods = self.activity.recent_floods()
        if floods >= self.alerts.rate_limited_after:
            problems[RATE_LIMITED] = lambda: ngettext(
                '⚠️ Telegram answered "too many requests" {count} time in {minutes} minutes. '
                "The bot waits as told; if this goes on, another program may be using the same "
                "bot token.",
                '⚠️ Telegram answered "too many requests" {count} times in {minutes} minutes. '
                "The bot waits as told; if this goes on, another program may be using the same "
                "bot token.",
                floods,
            ).format(
                count=format_number(floods), minutes=format_number(int(FLOOD_WINDOW_SECONDS // 60))
            )
        return problems

    def _stored_problems(self, snapshot: Snapshot) -> dict[str, Text]:
        problems: dict[str, Text] = {}
        failing_after = timedelta(seconds=self.alerts.feed_failing_after)
        for feed in snapshot.feeds:
            kind = CHAT_FEED if feed.origin is FeedOrigin.PRIVATE else "feed"
            if feed.last_status is PollStatus.GONE:
                problems[f"{kind}-gone:{feed.id}"] = _gone_notice(feed)
            elif feed.enabled and feed.failing_since is not None:
                failing = snapshot.now - feed.failing_since
                if failing >= failing_after:
                    problems[f"{kind}-failing:{feed.id}"] = _failing_notice(feed, failing)
        stats = snapshot.stats
        if stats.oldest_due is not None:
            waited = snapshot.now - stats.oldest_due
            if waited >= timedelta(seconds=self.alerts.backlog_after):
                waiting = stats.outbox_pending - stats.outbox_scheduled
                problems[BACKLOG] = _backlog_notice(waiting, waited)
        for gone in snapshot.gone:
            problems[f"chat-gone:{gone.chat.id}"] = _chat_gone_notice(gone)
        return problems

    async def _ended(self, key: str, snapshot: Snapshot | None) -> Text | None:
        """What to tell of a problem that is over; None when nothing is to be told (what it
        was about was removed, or it turned into another problem, told as such)."""
        kind, _sep, subject = key.partition(":")
        if kind.endswith(("feed-failing", "feed-gone")) and snapshot is not None:
            feed = next((feed for feed in snapshot.feeds if str(feed.id) == subject), None)
            works = feed is not None and feed.enabled and feed.failing_since is None
            return _feed_works_notice(feed) if feed is not None and works else None
        if kind == "chat-gone":
            chat = await self.store.get_chat(int(subject))
            return _chat_back_notice(chat) if chat is not None and chat.active else None
        return _OVER.get(key)

    # -- the database -----------------------------------------------------------------------

    async def _snapshot(self) -> Snapshot | None:
        """What the database says now (and, the first time, what it kept of earlier
        notices); None while it cannot be read."""
        now = self.now()
        try:
            if not self._loaded:
                self.told = await self.store.open_notices() | self.told
                self._loaded = True
            return Snapshot(
                now=now,
                feeds=await self.store.list_feeds(enabled_only=False),
                stats=await self.store.stats(now=now),
                gone=await self.store.chats_gone(),
                readers=await self.store.all_readers(),
            )
        except sqlite3.Error:
            return None  # the store's health has it, and it is told as a problem of its own

    async def _save(self) -> None:
        """Keep what was told of the database's problems, for the next process; while the
        database fails, try again at the next look."""
        if not self._unsaved:
            return
        kept = {key: at for key, at in self.told.items() if key not in PROCESS_KEYS}
        try:
            await self.store.save_notices(kept)
        except sqlite3.Error:
            return
        self._unsaved = False

    # -- telling ----------------------------------------------------------------------------

    def _told_to(self, key: str, snapshot: Snapshot | None) -> Sequence[int]:
        """Who is told of ``key``: a chat feed's readers (as the last look found them), the
        operators for everything else."""
        if not key.startswith(CHAT_FEED):
            return self.admins
        readers = snapshot.readers if snapshot is not None else {}
        return readers.get(int(key.partition(":")[2]), ())

    async def _tell(self, text: Text, recipients: Sequence[int]) -> bool:
        """Send ``text`` to each recipient in their language; whether Telegram was reached (if
        not, the next look tries again; with nobody to tell there is nothing to try again). A
        chat Telegram refuses to write to (an operator who never sent the bot /start) is
        logged and skipped."""
        reached = not recipients
        for admin in recipients:
            with use(await self._language_of(admin)):
                body = text()
            try:
                await self.bot.send_message(
                    admin, body, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                )
            except (Forbidden, BadRequest) as exc:
                reached = True
                logger.warning(
                    "cannot write to chat %s (%s); an operator must send the bot /start first",
                    admin,
                    exc.message,
                )
            except TelegramError as exc:
                logger.warning("could not tell chat %s: %s", admin, exc.message)
            else:
                reached = True
        return reached

    async def _language_of(self, admin: int) -> str:
        try:
            chat = await self.store.get_chat(admin)
        except sqlite3.Error:
            chat = None
        return chat_settings(chat, self.delivery).language


@asynccontextmanager
async def notifying(services: Services, bot: Bot) -> AsyncIterator[None]:
    """Watch for problems and tell the operators through ``bot`` until the block ends."""
    config = services.config
    if not config.access.admins:
        logger.warning(
            "[access] admins is empty: nobody is told in Telegram when feeds fail or alerts "
            "are held up (/whoami tells a person their user id); chats are still told when "
            "a feed of their own fails"
        )
    watcher = NoticeWatcher(
        bot,
        services.store,
        services.activity,
        admins=config.access.admins,
        alerts=config.alerts,
        delivery=config.delivery,
        now=services.now,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop), name="notices")
    try:
        yield
    finally:
        stop.set()
        await task


# -- the texts ------------------------------------------------------------------------------


def _failing_notice(feed: FeedRow, failing: timedelta) -> Text:
    return lambda: _(
        "⚠️ The feed {feed} has failed for {duration}: {error}\n"
        "Check that its address still works; /feeds lists the sources and /removefeed stops "
        "polling one."
    ).format(
        feed=linked(feed),
        duration=format_duration(failing.total_seconds()),
        error=isolate(esc(feed.failure)),
    )


def _gone_notice(feed: FeedRow) -> Text:
    # TRANSLATORS: keep: HTTP
    return lambda: _(
        "⚠️ The feed {feed} is gone: its server says it was removed for good (HTTP 410), so it "
        "is no longer polled. If the site moved it, add the new address with /addfeed."
    ).format(feed=linked(feed))


def _feed_works_notice(feed: FeedRow) -> Text:
    return lambda: _("✅ The feed {feed} works again.").format(feed=linked(feed))


def _backlog_notice(waiting: int, waited: timedelta) -> Text:
    return lambda: ngettext(
        "⚠️ Alerts are held up: {count} is waiting to be sent, the oldest for {duration}. "
        "Telegram may be unreachable or slowing the bot down; the bot's log says why.",
        "⚠️ Alerts are held up: {count} are waiting to be sent, the oldest for {duration}. "
        "Telegram may be unreachable or slowing the bot down; the bot's log says why.",
        waiting,
    ).format(count=format_number(waiting), duration=format_duration(waited.total_seconds()))


def _chat_gone_notice(gone: GoneChat) -> Text:
    if gone.chat.type == ChatType.CHANNEL:  # nobody sends /start in a channel
        return lambda: ngettext(
            "⚠️ The channel {chat} removed the bot or no longer lets it post; its {count} "
            "topic is paused until the bot may post there again (whoever linked it with "
            "/channel was told).",
            "⚠️ The channel {chat} removed the bot or no longer lets it post; its {count} "
            "topics are paused until the bot may post there again (whoever linked it with "
            "/channel was told).",
            gone.topics,
        ).format(chat=_chat_name(gone.chat), count=format_number(gone.topics))
    return lambda: ngettext(
        "⚠️ The chat {chat} blocked or removed the bot; its {count} topic is paused until "
        "someone there sends /start.",
        "⚠️ The chat {chat} blocked or removed the bot; its {count} topics are paused until "
        "someone there sends /start.",
        gone.topics,
    ).format(chat=_chat_name(gone.chat), count=format_number(gone.topics))


def _chat_back_notice(chat: ChatRow) -> Text:
    return lambda: _("✅ The chat {chat} is back; its topics are on again.").format(
        chat=_chat_name(chat)
    )


def _chat_name(chat: ChatRow) -> str:
    return chat_name(chat.id, chat.title)


_OVER: Mapping[str, Text] = {
    STORAGE: lambda: _("✅ The database works again; feeds are polled again."),
    RATE_LIMITED: lambda: _("✅ Telegram no longer asks the bot to slow down."),
    BACKLOG: lambda: _("✅ Alerts are going out again."),
}
