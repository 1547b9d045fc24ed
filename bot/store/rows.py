"""Typed rows the store hands out, so callers never index raw dicts by column name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.article import Article
from bot.sources import FeedKind, PageSelectors, Source, source_of
from bot.store.states import FeedOrigin, OutboxStatus, PollStatus, ShownAs


def to_iso(moment: datetime) -> str:
    """One text form for every stored time, so string order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the store keeps aware UTC times only")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class ChatRow:
    id: int
    type: str
    title: str | None
    timezone: str | None
    active: bool
    quiet: str | None = None
    """Quiet hours as /quiet set them ('22:00-07:00', 'off'); None: the configured default."""
    language: str | None = None
    """The chat's /language choice; None: none made."""
    telegram_language: str | None = None
    """Telegram's language_code of the chat's person (private) or of who registered it."""
    translate: bool | None = None
    """The chat's /translate choice; None: ``[translate] by_default``."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ChatRow:
        return cls(
            row["id"],
            row["type"],
            row["title"],
            row["timezone"],
            bool(row["active"]),
            row.get("quiet"),
            row.get("language"),
            row.get("telegram_language"),
            None if row.get("translate") is None else bool(row["translate"]),
        )


@dataclass(frozen=True)
class LinkedChannel:
    """A channel linked with /channel from a private chat, and whether it is selected there."""

    chat: ChatRow
    private_chat_id: int
    linked_by: int
    username: str | None
    """Its @name without the @, for a public channel; None for a private one."""
    selected: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LinkedChannel:
        return cls(
            ChatRow.from_row(row),
            row["private_chat_id"],
            row["linked_by"],
            row["username"],
            bool(row["selected"]),
        )


@dataclass(frozen=True)
class Linked:
    """A channel just linked, and how many of its topics that resumed."""

    channel: LinkedChannel
    resumed: int
    """Its topics paused when no one managed it (``Paused.UNLINKED``), on again now."""


@dataclass(frozen=True)
class Unlinked:
    """What unlinking a channel from one private chat left of it."""

    managed: bool
    """Whether another private chat still links it (its topics go on as they were)."""
    paused: int
    """Its topics paused because no one manages it any more; 0 while another chat does."""


@dataclass(frozen=True)
class StoredTranslation:
    """An article's title and summary in one language, as the translator wrote them."""

    source_language: str
    """The article's language, as the alert names it ("Translated from Russian")."""
    title: str
    summary: str


@dataclass(frozen=True)
class GoneChat:
    """A chat that blocked or removed the bot while it had topics (now paused)."""

    chat: ChatRow
    topics: int
    """Its topics paused because it is gone (``Paused.CHAT_GONE``)."""


@dataclass(frozen=True)
class SubscriptionRow:
    id: int
    chat_id: int
    thread_id: int | None
    rule: str
    canonical: str
    paused: bool
    alerts: int
    number: int
    """The number /list shows and commands take: given once per chat, never reused, so an old
    message that names it still means this topic."""
    frequency: str | None = None
    """How often it is delivered ('daily 08:00'); None: realtime (bot/schedule.py)."""
    surge: bool = False
    """Whether the chat is told when the topic surges (/surge, bot/ingest/surges.py)."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SubscriptionRow:
        return cls(
            row["id"],
            row["chat_id"],
            row["thread_id"],
            row["rule"],
            row["canonical"],
            bool(row["paused"]),
            row["alerts"],
            row["number"],
            row.get("frequency"),
            bool(row.get("surge")),
        )


@dataclass(frozen=True)
class FeedRow:
    id: int
    url: str
    name: str | None
    title: str | None
    origin: FeedOrigin
    interval: int | None
    full_text: bool
    enabled: bool
    etag: str | None
    last_modified: str | None
    ttl_minutes: int | None
    polls: int
    last_polled_at: datetime | None
    last_status: PollStatus | None
    last_error: str | None
    error_count: int
    next_poll_at: datetime | None
    fulltext_failures: int
    articles: int
    removed_at: datetime | None = None
    """When an operator removed it; a feed the config file lists stays off while this is set."""
    failing_since: datetime | None = None
    """When the current run of failed polls began; None while the last poll worked."""
    kind: FeedKind = FeedKind.FEED
    selectors: PageSelectors | None = None
    """A page's CSS selectors (``FeedKind.PAGE``)."""

    @property
    def source(self) -> Source:
        """What to read and how: the feed's address, kind and selectors."""
        return Source(self.url, self.kind, self.selectors)

    @property
    def display_name(self) -> str:
        return self.name or self.title or self.url

    @property
    def failure(self) -> str:
        """The last poll's error for a line that already names the feed: as recorded, less the
        feed's own URL in front (an error about a URL it was redirected to keeps that one)."""
        return (self.last_error or "error").removeprefix(f"{self.url}: ")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FeedRow:
        return cls(
            id=row["id"],
            url=row["url"],
            name=row["name"],
            title=row["title"],
            origin=FeedOrigin(row["origin"]),
            interval=row["interval"],
            full_text=bool(row["full_text"]),
            enabled=bool(row["enabled"]),
            etag=row["etag"],
            last_modified=row["last_modified"],
            ttl_minutes=row["ttl_minutes"],
            polls=row["polls"],
            last_polled_at=from_iso(row["last_polled_at"]),
            last_status=PollStatus(row["last_status"]) if row["last_status"] else None,
            last_error=row["last_error"],
            error_count=row["error_count"],
            next_poll_at=from_iso(row["next_poll_at"]),
            fulltext_failures=row["fulltext_failures"],
            articles=row.get("articles", 0),
            removed_at=from_iso(row.get("removed_at")),
            failing_since=from_iso(row.get("failing_since")),
            kind=FeedKind(row.get("kind") or FeedKind.FEED),
            selectors=PageSelectors.from_json(row["selectors"]) if row.get("selectors") else None,
        )


@dataclass(frozen=True)
class FeedRequest:
    """A chat's /addfeed waiting for an operator ([access] chat_feeds = "approval")."""

    id: int
    chat_id: int
    url: str
    title: str | None
    selectors: PageSelectors | None = None
    """A page's selectors: what is asked for is read as /addfeed read it."""

    @property
    def source(self) -> Source:
        return source_of(self.url, self.selectors)


@dataclass(frozen=True)
class StoredArticle:
    rowid: int
    feed_id: int
    article: Article
    seen_at: datetime
    story_id: int | None

    @property
    def when(self) -> datetime:
        """The time to show and sort by: the feed's date, else when we first saw it."""
        return self.article.published or self.seen_at

    @classmethod
    def from_row(cls, row: dict[str, Any], feed_url: str = "") -> StoredArticle:
        article = Article(
            id=row["guid"],
            feed_url=feed_url,
            url=row["url"],
            title=row["title"],
            text=row["text"],
            published=from_iso(row["published_at"]),
            source=row["source"],
            language=row["language"],
            authors=tuple(json.loads(row["authors"])),
            tags=tuple(json.loads(row["tags"])),
        )
        seen_at = datetime.fromisoformat(row["seen_at"])
        return cls(row["id"], row["feed_id"], article, seen_at, row["story_id"])


@dataclass(frozen=True)
class StoredPoll:
    """What ``Store.store_poll`` committed: the new articles and how many alerts it queued."""

    articles: list[StoredArticle]
    alerts: int
    """New messages queued (merged copies of a story not counted)."""


@dataclass(frozen=True)
class TopicActivity:
    """A topic's stories lately, as a surge is judged on them (``Store.topic_activity``)."""

    subscription: SubscriptionRow
    last_hour: int
    """Stories it matched in the hour up to now."""
    before: int
    """Stories it matched in the week before that hour (since it was followed, if later)."""
    followed_since: datetime
    last_surge_at: datetime | None
    """When it last surged; None: never, as far as the outbox keeps."""


@dataclass(frozen=True)
class SurgeStory:
    """One of the top stories a surge message lists."""

    title: str
    url: str | None
    outlets: int
    """Sources that published it: its first alert's and its copies'."""


@dataclass(frozen=True)
class Surge:
    """A topic's surge, as found: what its message says."""

    stories: int
    """Stories in the last hour."""
    usual: float
    """Stories an hour before that, on average."""
    history_hours: float
    """Hours that average covers: the week before the last hour, or less for a younger topic."""
    top: tuple[SurgeStory, ...]
    """The hour's stories with the most outlets first."""
    at: datetime | None = None
    """When it was found; None until stored."""


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat: ChatRow
    thread_id: int | None
    article: StoredArticle
    subscriptions: tuple[SubscriptionRow, ...]
    attempts: int
    created_at: datetime
    message_id: int | None = None
    """Telegram's id of the sent message, for editing it later."""
    status: OutboxStatus = OutboxStatus.PENDING
    shown_as: ShownAs | None = None
    """How the message that settled this row shows it; None until it is sent."""
    due_at: datetime | None = None
    """When the scheduled digest this row goes out in is due; None: an alert as it happens."""
    period_from: datetime | None = None
    """Where the period that digest covers begins."""
    surge: Surge | None = None
    """Set on the message that a topic surges (its only subscription), not an article's alert."""


@dataclass(frozen=True)
class Delivered:
    """Telegram accepted message ``message_id``, which shows outbox row ``outbox_id``."""

    outbox_id: int
    message_id: int
    shown_as: ShownAs


@dataclass(frozen=True)
class StoryCopy:
    """A later copy of a story: its outbox row, and the source and link the alert names."""

    outbox_id: int
    source: str
    url: str | None


@dataclass(frozen=True)
class StoryUpdate:
    """Copies of a story waiting for their first alert to settle; see ``Store.story_updates``."""

    original: OutboxRow
    """The story's first alert in this chat: sent or failed."""
    named: tuple[StoryCopy, ...]
    """Copies already named on that alert's "Also:" line; every edit keeps them."""
    waiting: tuple[StoryCopy, ...]
    """Copies not shown anywhere yet: named by an edit now, or sent on their own."""

    @property
    def editable(self) -> bool:
        """The first alert is a message of its own, which can gain an "Also:" line.

        An alert that failed or went out in a digest cannot: its copies are sent on their own.
        """
        return (
            self.original.status == OutboxStatus.SENT
            and self.original.shown_as == ShownAs.ALERT
            and self.original.message_id is not None
        )


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of a feed found out, written back in one statement."""

    status: PollStatus
    """Gone disables the feed."""
    polled_at: datetime
    next_poll_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    new_url: str | None = None
    title: str | None = None
    ttl_minutes: int | None = None
    fulltext_failures: int = 0


@dataclass(frozen=True)
class StoreStats:
    feeds: int
    """The shared feeds polled (config file, operators), not those chats brought."""
    feeds_failing: int
    chat_feeds: int
    """The feeds chats brought that are polled (each once, however many chats read it)."""
    chat_feeds_failing: int
    chats: int
    subscriptions: int
    subscriptions_paused: int
    articles: int
    outbox_pending: int
    outbox_failed: int
    outbox_copies_waiting: int
    """Copies of a story waiting for their first alert to be sent."""
    outbox_scheduled: int
    """Pending rows (among ``outbox_pending``) that wait for a digest not yet due."""
    sent_today: int
    """Outbox rows shown since midnight UTC, however shown (the four below add up to it)."""
    alone_today: int
    """... each in a message of its own, not counting the copies below."""
    copies_alone_today: int
    """... copies of a story that could not be named on its first alert, in their own message."""
    digested_today: int
    """... as a line of a digest."""
    also_today: int
    """... named with a link on the "Also:" line of their story's first alert."""
    oldest_due: datetime | None = None
    """When the oldest pending row that is due now (not waiting for a digest or the end of
    quiet hours) fell due: queued, or its digest's time came. How far delivery is behind;
    None when none is due."""
    last_poll_at: datetime | None = None
    """When any feed was last polled; None before the first poll."""
    feeds_search: int = 0
    """Of ``feeds``, the news searches kept for topics (``bot.news_search``)."""


@dataclass(frozen=True)
class Latency:
    """How long alerts took, in seconds: the median and the 95th percentile."""

    p50: float
    p95: float


@dataclass(frozen=True)
class RecentSends:
    """The outbox rows sent lately, and how long the alerts among them took to go out."""

    count: int
    """Rows shown by a message since then, however shown (alert, digest line, "Also:")."""
    from_stored: Latency | None
    """Alerts sent as they happen (not digests): from being queued to being sent."""
    from_published: Latency | None
    """The same alerts whose article has a date: from its publication to being sent."""


@dataclass(frozen=True)
class SavedRule:
    """A rule kept for a search's buttons (``since``/``up_to`` set) or a shared link (``token``)."""

    id: int
    rule: str
    chat_id: int
    token: str | None
    since: datetime | None
    up_to: int | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SavedRule:
        return cls(
            row["id"],
            row["rule"],
            row["chat_id"],
            row["token"],
            from_iso(row["since"]),
            row["up_to"],
        )


@dataclass(frozen=True)
class SearchWanted:
    """The news search a topic should have (``bot.news_search``): its feed's address, the
    query with its language and region, and how often it is polled."""

    url: str
    query: str
    language: str
    region: str
    interval: int

    @property
    def key(self) -> str:
        """What tells searches apart: the query in any case, as search engines read it."""
        return self.query.casefold()


@dataclass(frozen=True)
class SearchLink:
    """A topic's news search, as stored: the feed, its query, and the topic's rule when it
    was linked (a rule changed since is linked anew)."""

    subscription_id: int
    feed_id: int
    rule: str
    query: str
    language: str
    region: str
