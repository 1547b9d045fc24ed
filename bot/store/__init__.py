"""SQLite storage: feeds, articles (with full-text search), chats, subscriptions, outbox.

``Store`` (sync) and ``AsyncStore`` (the same methods, awaited, on the store's own thread) are
the entry points; each table's methods live in a module of their own (``chats.py``,
``subscriptions.py``, ``feeds.py``, ``articles.py``, ``outbox.py``, with ``polls.py`` and
``stats.py`` across tables) over one connection (``connection.py``).
"""

from bot.store.async_store import AsyncStore
from bot.store.errors import (
    DuplicateSubscription,
    SearchLimitReached,
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
    Linked,
    LinkedChannel,
    OutboxRow,
    PollOutcome,
    RecentSends,
    SavedRule,
    SearchLink,
    SearchWanted,
    StoredArticle,
    StoredPoll,
    StoredTranslation,
    StoreStats,
    StoryCopy,
    StoryUpdate,
    SubscriptionRow,
    Surge,
    SurgeStory,
    TopicActivity,
    Unlinked,
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
    "Linked",
    "LinkedChannel",
    "OutboxRow",
    "OutboxStatus",
    "Paused",
    "PollOutcome",
    "PollStatus",
    "RecentSends",
    "SavedRule",
    "SearchLimitReached",
    "SearchLink",
    "SearchWanted",
    "ShownAs",
    "Store",
    "StoreError",
    "StoreStats",
    "StoreUnavailable",
    "StoredArticle",
    "StoredPoll",
    "StoredTranslation",
    "StoryCopy",
    "StoryUpdate",
    "SubscriptionLimitReached",
    "SubscriptionRow",
    "Surge",
    "SurgeStory",
    "TopicActivity",
    "UnknownRow",
    "Unlinked",
]
