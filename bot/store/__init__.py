"""SQLite storage: feeds, articles (with full-text search), chats, subscriptions, outbox."""

from bot.store.async_store import AsyncStore
from bot.store.rows import (
    ChatRow,
    Delivered,
    FeedRow,
    OutboxRow,
    PollOutcome,
    ShownAs,
    StoredArticle,
    StoredPoll,
    StoreStats,
    StoryCopy,
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
    "Delivered",
    "DuplicateSubscription",
    "FeedRow",
    "OutboxRow",
    "PollOutcome",
    "ShownAs",
    "Store",
    "StoreError",
    "StoreStats",
    "StoreUnavailable",
    "StoredArticle",
    "StoredPoll",
    "StoryCopy",
    "StoryUpdate",
    "SubscriptionLimitReached",
    "SubscriptionRow",
    "UnknownRow",
]
