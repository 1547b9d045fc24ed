"""Exceptions of the feed stage.

Every message names the URL and says what happened and what it means for the feed, because
these strings end up in logs and in the bot's /feeds status that a person reads. An error a
chat can meet when /addfeed refuses a URL also carries its ``reason`` untranslated
(:class:`~bot.i18n.deferred.Deferred`), for the handler to put in the chat's language.
"""

from __future__ import annotations

from bot.i18n import Deferred


class FetchError(Exception):
    """A feed or page could not be fetched; ``str(err)`` is a complete, readable message.

    ``url`` is the URL whose request failed: the one asked for or, after redirects, the hop
    that failed (the message names it either way). Given a :class:`Deferred` reason rather
    than a message, the message is the URL and the reason in English, and ``reason`` keeps it
    for a chat.
    """

    def __init__(self, url: str, message: str | Deferred) -> None:
        self.reason = message if isinstance(message, Deferred) else None
        super().__init__(f"{url}: {message}" if self.reason else message)
        self.url = url


class UnsupportedURL(FetchError):
    """The URL is not an http(s) URL the fetcher can request."""


class AddressNotAllowed(FetchError):
    """The host is (or resolves to) an internal address: loopback, private, link-local,
    multicast or reserved. The bot fetches only from the public internet unless the operator
    allows more ([fetch] allow_private, allow_hosts)."""


class FeedUnreachable(FetchError):
    """DNS, connection, TLS or protocol failure: the server was not reached or hung up."""


class FetchTimeout(FetchError):
    """The whole exchange (headers and body) took longer than the configured timeout."""


class TooManyRedirects(FetchError):
    """The server redirected in a loop or more often than the configured limit."""


class ResponseTooLarge(FetchError):
    """The (decompressed) body is larger than the configured limit."""


class HTTPStatusError(FetchError):
    """The server answered with an error status that has no more specific class."""

    def __init__(self, url: str, message: str | Deferred, status: int) -> None:
        super().__init__(url, message)
        self.status = status


class FeedGone(HTTPStatusError):
    """HTTP 410: the server says the feed was removed for good; stop polling it."""


class RateLimited(HTTPStatusError):
    """HTTP 429 or 503: the server asks us to come back later (``retry_after`` seconds)."""

    def __init__(
        self, url: str, message: str | Deferred, status: int, retry_after: float | None
    ) -> None:
        super().__init__(url, message, status)
        self.retry_after = retry_after


class NotAFeed(FetchError):
    """The URL serves an HTML page that links to no RSS/Atom feed."""


class FeedParseError(ValueError):
    """The bytes are not something feedparser can make a feed of (HTML, binary, empty).

    Raised in parse workers too, so it pickles as its URL and reason.
    """

    def __init__(self, url: str, reason: Deferred) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[type[FeedParseError], tuple[str, Deferred]]:
        return type(self), (self.url, self.reason)


class NotAChannel(FeedParseError):
    """A channel's preview address shows no public channel: Telegram sends the preview of a
    private channel, a group, a person or a name nobody has to the name's own page."""


class SelectorMatchedNothing(FeedParseError):
    """A page's item selector found no element: the site changed its layout, or the selector
    never fit it. Reported like any failing feed, so the operator can fix the selector."""


class OpmlError(ValueError):
    """The bytes are not an OPML document."""
