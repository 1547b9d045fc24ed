"""What ``GET /healthz`` answers: whether the bot can do its job now, check by check.

Three checks, each cheap enough for a container's health probe every few seconds:

* **store**: the database takes writes. A fault the store already knows of (``AsyncStore.
  health``: disk full, locked, read-only, damaged) fails it at once; otherwise a write is tried
  and rolled back (``Store.check_usable``), which a held lock or a read-only file fails.
* **telegram**: the Bot API answered lately. Long polling asks every few seconds, so its
  answers (:meth:`bot.ops.activity.Activity.telegram_answering`) usually settle it; with a
  webhook nothing may call Telegram for hours, and after a failed request the next one may be
  far off, so then one ``getMe`` asks. Before the bot first connected it fails.
* **scheduler**: feeds are polled. APScheduler runs, no poll due a while ago has failed to
  start, and no poll has hung far beyond what its fetch timeouts allow.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot.ingest import FeedScheduler
from bot.ops.activity import Activity
from bot.store import AsyncStore

TELEGRAM_FRESH_SECONDS = 60.0
"""How recent an answer from Telegram must be to count without asking again (a long poll
answers every 10 s)."""
PROBE_TIMEOUT_SECONDS = 5.0
"""How long the ``getMe`` probe may take: the probe's caller (Docker, a load balancer) waits."""
LATE_AFTER = timedelta(minutes=1)
"""APScheduler starts a due poll within moments; one a minute late means polls no longer start."""
STUCK_AFTER = timedelta(minutes=15)
"""A poll in flight this long is hung: its fetches time out in seconds, even behind a queue of
hundreds of feeds waiting for a connection."""


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    """What was found, in a few words an operator reads in the JSON body."""


@dataclass(frozen=True)
class Report:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        """The body of the answer: which checks failed first, then each check's finding."""
        return {
            "status": "ok" if self.ok else "failing",
            "failed": [name for name, check in self.checks.items() if not check.ok],
            "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in self.checks.items()},
        }


class Health:
    """The three checks over the daemon's parts; :meth:`connected` once Telegram answered."""

    def __init__(
        self,
        store: AsyncStore,
        scheduler: FeedScheduler,
        activity: Activity,
        *,
        telegram_fresh: float = TELEGRAM_FRESH_SECONDS,
    ) -> None:
        self.store = store
        self.scheduler = scheduler
        self.activity = activity
        self.telegram_fresh = telegram_fresh
        self.bot: Bot | None = None
        """The Application's bot once it connected; None while start-up still tries."""

    def connected(self, bot: Bot) -> None:
        """The daemon reached Telegram with ``bot``, which the probe asks from now on."""
        self.bot = bot

    async def report(self) -> Report:
        store, telegram = await asyncio.gather(self._store(), self._telegram())
        return Report({"store": store, "telegram": telegram, "scheduler": self._scheduler()})

    async def _store(self) -> Check:
        if self.store.health.fault is None:
            try:
                await self.store.check_usable(room=0)
            except sqlite3.Error as exc:
                if self.store.health.fault is None:  # not a storage fault: say what it was
                    return Check(False, f"a test write failed: {exc}")
        fault, since = self.store.health.fault, self.store.health.since
        if fault is None:
            return Check(True, "a test write went through")
        when = f" (since {since:%Y-%m-%d %H:%M:%S} UTC)" if since else ""
        return Check(False, f"{fault.kind}: {fault.sentence}{when}")

    async def _telegram(self) -> Check:
        if self.bot is None:
            return Check(False, "not connected yet: start-up is still trying to reach the Bot API")
        if self.activity.telegram_answering(self.telegram_fresh):
            return Check(True, f"answered {self.activity.seconds_since_reached():.0f} s ago")
        timeout = PROBE_TIMEOUT_SECONDS
        try:
            await self.bot.get_me(
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        except TelegramError as exc:
            since = self.activity.seconds_since_reached()
            last = "never answered" if since is None else f"last answered {since:.0f} s ago"
            return Check(False, f"not reached ({last}); getMe: {exc.message}")
        return Check(True, "answered getMe just now")

    def _scheduler(self) -> Check:
        state = self.scheduler.state()
        now = datetime.now(UTC)
        if not state.running:
            return Check(False, "the feed scheduler is not running")
        if state.oldest_poll is not None and now - state.oldest_poll > STUCK_AFTER:
            return Check(False, f"a poll has been running since {state.oldest_poll:%H:%M:%S} UTC")
        if state.next_due is not None and now - state.next_due > LATE_AFTER:
            return Check(False, f"a poll due at {state.next_due:%H:%M:%S} UTC has not started")
        last = self.activity.last_poll_at
        polled = f"last poll at {last:%H:%M:%S} UTC" if last else "no poll finished yet"
        return Check(True, f"{state.feeds} feeds scheduled, {polled}")
