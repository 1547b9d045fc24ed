"""SQLite storage: feeds, articles (with full-text search), chats, subscriptions, outbox.

``Store`` (sync) and ``AsyncStore`` (the same methods, awaited, on the store's own thread) are
the entry points; each table's methods live in a module of their own (``chats.py``,
``subscriptions.py``, ``feeds.py``, ``articles.py``, ``outbox.py``, with ``polls.py`` and
``stats.py`` across tables) over one connection (``connection.py``).
"""

from bot.store.async_store import AsyncStore
from bot.store.errors import (
    DuplicateSubscription,
    StoreError,
    StoreUnavailable,
    SubscriptionLimitReached,
    UnknownRow,
)
from bot.store.rows import (
    ChatRow,
    Delivered,
    FeedRequest,
    FeedRow,
    GoneChat,
    OutboxRow,
    PollOutcome,
    RecentSends,
    SavedRule,
    StoredArticle,
    StoredPoll,
    StoreStats,
    StoryCopy,
    StoryUpdate,
    SubscriptionRow,
)
from bot.store.states import FeedOrigin, FeedState, OutboxStatus, Paused, PollStatus, ShownAs
from bot.store.store import Store

__all__ = [
    "AsyncStore",
    "ChatRow",
    "Delivered",
    "DuplicateSubscription",
    "FeedOrigin",
    "FeedRequest",
    "FeedRow",
    "FeedState",
    "GoneChat",
    "OutboxRow",
    "OutboxStatus",
    "Paused",
    "PollOutcome",
    "PollStatus",
    "RecentSends",
    "SavedRule",
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
