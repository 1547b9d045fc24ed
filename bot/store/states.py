"""Named values of the store's state columns, so no SQL or caller spells a bare 0, 2 or 'merged'.

The enums are ``IntEnum``/``StrEnum``: each member is the very value stored in its column, so
it goes into a query as a parameter and compares equal to what a row holds.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Paused(IntEnum):
    """``subscriptions.paused``: whether a rule is left out of matching, and why."""

    NO = 0
    BY_USER = 1
    """Paused with /pause or its button; only the user resumes it."""
    CHAT_GONE = 2
    """Paused because the chat blocked or removed the bot; coming back resumes exactly these,
    leaving the ones the user paused alone."""
    UNLINKED = 3
    """A channel's, paused because no one manages it any more (``/channel remove``); linking
    it again resumes exactly these."""


class OutboxStatus(StrEnum):
    """``outbox.status``: where an alert is on its way to the chat."""

    PENDING = "pending"
    """Due to be sent (at ``not_before``, if set)."""
    SENT = "sent"
    """Shown to the chat (how: ``shown_as``); never sent again."""
    FAILED = "failed"
    """Given up on (the chat is gone, or Telegram refused it for good)."""
    MERGED = "merged"
    """A later copy of a story, waiting for its first alert (``story_of``) to settle."""
    DROPPED = "dropped"
    """Waited for a scheduled digest of a topic that was unsubscribed before it was due."""


class ShownAs(StrEnum):
    """How the chat sees an outbox row that is sent: the ``shown_as`` column."""

    ALERT = "alert"
    """A message of its own (a story's copy that could not be named on its first alert, too)."""
    DIGEST = "digest"
    """One linked line of a digest message."""
    ALSO = "also"
    """Named with a link in the "Also:" line of its story's first alert (``story_of``)."""


class PollStatus(StrEnum):
    """``feeds.last_status``: what the last poll of a feed found."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    """A 304: the validators (``etag``, ``last_modified``) still describe what we have."""
    ERROR = "error"
    GONE = "gone"
    """The feed is gone for good (410); the poll disables it."""

    @property
    def words(self) -> str:
        """The status as a person reads it: "not modified", not ``not_modified``."""
        return _POLL_WORDS[self]


_POLL_WORDS = {
    PollStatus.OK: "ok",
    PollStatus.NOT_MODIFIED: "not modified",
    PollStatus.ERROR: "failed",
    PollStatus.GONE: "gone",
}


class FeedState(StrEnum):
    """Where a feed stands, as the metrics count feeds: derived from ``feeds.enabled``,
    ``error_count`` and ``last_status``, not a column of its own."""

    OK = "ok"
    """Polled, and its last poll worked."""
    FAILING = "failing"
    """Polled, and its last poll failed (it backs off)."""
    GONE = "gone"
    """No longer polled: it answered 410 Gone."""
    DISABLED = "disabled"
    """No longer polled: removed with /removefeed or from the config file."""


FAILED_POLLS = (PollStatus.ERROR, PollStatus.GONE)
"""Poll statuses that count as a failure of the feed (``feeds.error_count``)."""


class FeedOrigin(StrEnum):
    """``feeds.origin``: who added a feed, which decides who may take it away."""

    CONFIG = "config"
    """Listed in the config file; disabled when it leaves the file. An operator's removal
    (``feeds.removed_at``) keeps it off although the file lists it."""
    CHAT = "chat"
    """Added by an operator with /addfeed: shared by every chat, like the config file's."""
    OPML = "opml"
    """Imported from an OPML file with ``topic-alert import-opml``."""
    SEARCH = "search"
    """A news search the bot keeps for its topics' queries (``search_feeds``); disabled when
    no active topic uses it."""
    PRIVATE = "private"
    """Brought by chats (/addfeed by anyone, an OPML document): its articles are matched and
    searched only for the chats that added it (``feed_readers``)."""
