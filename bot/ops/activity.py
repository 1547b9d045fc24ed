"""What the running bot has done, counted in one place: polls, alerts, Bot API calls.

The scheduler reports each poll, the sender each alert it settles, and the Bot API hook
(``bot.telegram.fairuse.PacedReplies``) each request and how Telegram answered. Everything an
operator reads about the process as it runs is derived from here: the Prometheus counters and
histograms (``registry``, served by ``bot.ops.server``), the one-line summary the log prints
each minute, the health check's "Telegram reached recently", and the notices about repeated
429s. What the database already knows (feeds by state, the outbox backlog, subscriptions) is
read from the store when asked, not counted twice.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Histogram
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.store import OutboxRow, PollStatus, ShownAs

LATENCY_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 90, 120, 300, 600, 1800, 3600, 4 * 3600, 86400)
"""Seconds: an alert is as fast as its feed's poll interval allows (minutes), a digest or
quiet hours hold one for hours."""
FLOOD_WINDOW_SECONDS = 600.0
"""How far back :meth:`Activity.recent_floods` looks."""


class TelegramAnswer(StrEnum):
    """How a Bot API request ended, as the metrics and notices name it."""

    OK = "ok"
    FLOOD = "flood"
    """429 Too Many Requests (RetryAfter)."""
    BLOCKED = "blocked"
    """403: the person blocked the bot, or it was removed from the chat."""
    BAD_REQUEST = "bad_request"
    MIGRATED = "migrated"
    """A group became a supergroup; the request names the new chat."""
    TIMEOUT = "timeout"
    NETWORK = "network"
    """Telegram not reached, or a 5xx answer."""
    UNAUTHORIZED = "unauthorized"
    OTHER = "other"

    @classmethod
    def of(cls, error: TelegramError) -> TelegramAnswer:
        # Order matters: TimedOut and the others are NetworkErrors, ChatMigrated is not.
        for kind, answer in _ANSWERS:
            if isinstance(error, kind):
                return answer
        return cls.OTHER

    @property
    def reached(self) -> bool:
        """Whether Telegram itself answered (so the Bot API is reachable)."""
        return self not in (TelegramAnswer.TIMEOUT, TelegramAnswer.NETWORK)


_ANSWERS: tuple[tuple[type[TelegramError], TelegramAnswer], ...] = (
    (RetryAfter, TelegramAnswer.FLOOD),
    (Forbidden, TelegramAnswer.BLOCKED),
    (BadRequest, TelegramAnswer.BAD_REQUEST),
    (ChatMigrated, TelegramAnswer.MIGRATED),
    (InvalidToken, TelegramAnswer.UNAUTHORIZED),
    (TimedOut, TelegramAnswer.TIMEOUT),
    (NetworkError, TelegramAnswer.NETWORK),
)


class TranslationOutcome(StrEnum):
    """What became of the translation an alert or digest line asked for."""

    TRANSLATED = "translated"
    """The translator was called for it (and answered)."""
    CACHED = "cached"
    """A translation made before (stored, or a call another chat was waiting for) served it."""
    FAILED = "failed"
    """The translator failed (an error, a refusal, a garbled answer), now or moments ago."""
    TIMEOUT = "timeout"
    """No answer within ``[translate] timeout``: sent untranslated."""
    OVER_BUDGET = "over_budget"
    """``[translate] hourly_chars`` spent: sent untranslated."""


@dataclass
class Window:
    """What happened since the last summary line (``Activity.take_window``)."""

    polls: Tally[PollStatus] = field(default_factory=Tally)
    """Poll outcomes → count."""
    new_articles: int = 0
    alerts_queued: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    floods: int = 0


class Activity:
    """The process's counters; one per :class:`bot.wiring.Services`."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        """``clock`` times the 429s and Telegram's answers (tests move it on)."""
        self._clock = clock
        self.started_at = datetime.now(UTC)
        self.registry = CollectorRegistry()
        """Only this process's own figures: tests and two bots in one process never share."""
        self.last_poll_at: datetime | None = None
        self.last_reached: float | None = None
        """``clock()`` of Telegram's latest answer, None before the first."""
        self.last_unreached: float | None = None
        """``clock()`` of the latest request that did not reach Telegram."""
        self._window = Window()
        self._floods: deque[float] = deque()
        self._polls = Counter(
            "topic_alert_polls", "Feed polls by outcome.", ["outcome"], registry=self.registry
        )
        self._articles = Counter(
            "topic_alert_articles_new", "New articles stored by polls.", registry=self.registry
        )
        self._queued = Counter(
            "topic_alert_alerts_queued",
            "Outbox rows written: one per chat and matching article.",
            registry=self.registry,
        )
        self._settled = Counter(
            "topic_alert_alerts",
            "Outbox rows settled, by outcome (sent, failed) and how they were shown "
            "(alert, digest, also: named on their story's first alert).",
            ["outcome", "shown_as"],
            registry=self.registry,
        )
        self._requests = Counter(
            "topic_alert_telegram_requests",
            "Bot API requests by method and how Telegram answered.",
            ["method", "answer"],
            registry=self.registry,
        )
        self._translations = Counter(
            "topic_alert_translations",
            "Alerts and digest lines in another language than their chat's, by what became of "
            "their translation: translated (a call made), cached (one made before), failed, "
            "timeout, over_budget (the last three sent untranslated).",
            ["outcome"],
            registry=self.registry,
        )
        self._translated_chars = Counter(
            "topic_alert_translation_characters",
            "Characters sent to the translator ([translate] hourly_chars caps them).",
            registry=self.registry,
        )
        self._search_links = Counter(
            "topic_alert_search_links",
            "Links of news searches followed to the article's own address, by outcome "
            "(resolved; unresolved: the search's link was kept).",
            ["outcome"],
            registry=self.registry,
        )
        self._story_checks = Counter(
            "topic_alert_story_checks",
            "Pairs of articles the lexical story check was unsure of, by what the embeddings "
            "endpoint said (same, different) or failed to say (failed: the lexical verdict "
            "stood).",
            ["outcome"],
            registry=self.registry,
        )
        self._from_published = Histogram(
            "topic_alert_alert_latency_published_seconds",
            "From the article's published time to Telegram accepting its alert "
            "(alerts sent as they happen, not digests).",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._from_stored = Histogram(
            "topic_alert_alert_latency_stored_seconds",
            "From the article being stored (its alert queued) to Telegram accepting its alert "
            "(alerts sent as they happen, not digests).",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    # -- reported by the parts --------------------------------------------------------------

    def polled(self, status: PollStatus, *, new_articles: int, alerts: int) -> None:
        """One poll finished with ``status``."""
        self.last_poll_at = datetime.now(UTC)
        self._polls.labels(status).inc()
        self._articles.inc(new_articles)
        self._queued.inc(alerts)
        self._window.polls[status] += 1
        self._window.new_articles += new_articles
        self._window.alerts_queued += alerts

    def sent(self, rows: Iterable[OutboxRow], shown_as: ShownAs) -> None:
        """Telegram accepted a message showing ``rows``; an alert's latency is observed."""
        now = datetime.now(UTC)
        for row in rows:
            self._settled.labels("sent", shown_as).inc()
            self._window.alerts_sent += 1
            if shown_as is not ShownAs.ALERT or row.due_at is not None:
                continue
            self._from_stored.observe(max(0.0, (now - row.created_at).total_seconds()))
            published = row.article.article.published
            if published is not None:
                self._from_published.observe(max(0.0, (now - published).total_seconds()))

    def search_link(self, *, resolved: bool) -> None:
        """A news search's link was followed to its article's address, or could not be."""
        self._search_links.labels("resolved" if resolved else "unresolved").inc()

    def named(self, count: int) -> None:
        """``count`` story copies were named ("Also:") on their first alert."""
        self._settled.labels("sent", ShownAs.ALSO).inc(count)
        self._window.alerts_sent += count

    def story_checked(self, outcome: str) -> None:
        """The embeddings endpoint was asked about a pair of articles (``bot.ingest.semantic``)."""
        self._story_checks.labels(outcome).inc()

    def failed(self, count: int, shown_as: ShownAs) -> None:
        """``count`` outbox rows were given up on."""
        self._settled.labels("failed", shown_as).inc(count)
        self._window.alerts_failed += count

    def translated(self, outcome: TranslationOutcome) -> None:
        """An alert or digest line needed a translation, and this became of it."""
        self._translations.labels(outcome).inc()

    def translator_called(self, characters: int) -> None:
        """``characters`` were sent to the translator in one call."""
        self._translated_chars.inc(characters)

    def answered(self, method: str, answer: TelegramAnswer) -> None:
        """A Bot API request ended so; see :class:`TelegramAnswer`."""
        self._requests.labels(method, answer).inc()
        if answer.reached:
            self.last_reached = self._clock()
        else:
            self.last_unreached = self._clock()
        if answer is TelegramAnswer.FLOOD:
            self._floods.append(self._clock())
            self._window.floods += 1

    # -- read by the operator's views ------------------------------------------------------

    def take_window(self) -> Window:
        """What happened since the previous call, and start counting afresh."""
        window, self._window = self._window, Window()
        return window

    def recent_floods(self) -> int:
        """429 answers in the last :data:`FLOOD_WINDOW_SECONDS`."""
        horizon = self._clock() - FLOOD_WINDOW_SECONDS
        while self._floods and self._floods[0] < horizon:
            self._floods.popleft()
        return len(self._floods)

    def seconds_since_reached(self) -> float | None:
        """How long ago Telegram last answered; None if it never has."""
        return None if self.last_reached is None else self._clock() - self.last_reached

    def telegram_answering(self, within: float) -> bool:
        """Whether Telegram answered in the last ``within`` seconds and no request has failed
        to reach it since: a long poll cut off by an outage counts at once, not ``within``
        seconds later."""
        since = self.seconds_since_reached()
        if since is None or since > within:
            return False
        return self.last_unreached is None or self.last_unreached < (self.last_reached or 0.0)
