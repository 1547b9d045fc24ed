"""SQLite storage: feeds, articles (with full-text search), chats, subscriptions, outbox."""

from bot.store.async_store import AsyncStore
from bot.store.rows import (
    ChatRow,
    FeedRow,
    OutboxRow,
    PollOutcome,
    StoredArticle,
    StoredPoll,
    StoreStats,
    StoryUpdate,
    SubscriptionRow,
)
from bot.store.store import (
    DuplicateSubscription,
    Store,
    StoreError,
    StoreUnavailable,
    SubscriptionLimitReached,
    UnknownRow,
)

__all__ = [
    "AsyncStore",
    "ChatRow",
    "DuplicateSubscription",
    "FeedRow",
    "OutboxRow",
    "PollOutcome",
    "Store",
    "StoreError",
    "StoreStats",
    "StoreUnavailable",
    "StoredArticle",
    "StoredPoll",
    "StoryUpdate",
    "SubscriptionLimitReached",
    "SubscriptionRow",
    "UnknownRow",
]
