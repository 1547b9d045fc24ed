"""What a feed row says to read: an RSS/Atom feed, a public Telegram channel, or a web page
whose items CSS selectors pick.

A source is data (kind, address, selectors), shared by the config file, the store, /addfeed
and the readers in ``bot.feeds``; nothing here fetches. A channel's address is always its
public preview on t.me (``https://t.me/s/NAME``): that is what the feed is called in /feeds
and the database, whichever host ``[sources] telegram_preview`` reads it from.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError

TELEGRAM_HOME = "https://t.me/"
"""Where a channel's posts live: post ``ID`` of channel ``NAME`` is ``https://t.me/NAME/ID``."""
TELEGRAM_PREVIEW = "https://t.me/s/"
"""Telegram's public web preview of channels, the default ``[sources] telegram_preview``."""
_TELEGRAM_HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me"})
_CHANNEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
"""A public username: 4 to 32 letters, digits and underscores, a letter first (Telegram's
rule allows 5 for new names; some old channels keep 4)."""


class FeedKind(StrEnum):
    """``feeds.kind``: how a feed's address is read."""

    FEED = "feed"
    """An RSS or Atom document (or a site that links to one)."""
    TELEGRAM = "telegram"
    """A public Telegram channel, through its web preview."""
    PAGE = "page"
    """A web page without a feed: each element its item selector matches is an article."""


@dataclass(frozen=True)
class PageSelectors:
    """The CSS selectors that turn a page into articles.

    ``item`` picks each article's element; the others are looked for inside it: ``title``
    (default: the element's first heading, else its first link's text), ``link`` (an element
    whose ``href`` is the article's address; default: the first link) and ``date`` (an element
    whose ``datetime`` attribute or text is the date; default: none, the time it was seen).
    """

    item: str
    title: str | None = None
    link: str | None = None
    date: str | None = None

    def to_json(self) -> str:
        """How ``feeds.selectors`` keeps them."""
        return json.dumps({key: value for key, value in asdict(self).items() if value})

    @classmethod
    def from_json(cls, text: str) -> PageSelectors:
        return cls(**json.loads(text))

    def unreadable(self) -> str | None:
        """The first selector cssselect cannot read, with its reason; None when all read."""
        for selector in (self.item, self.title, self.link, self.date):
            if selector is None:
                continue
            try:
                GenericTranslator().css_to_xpath(selector)
            except SelectorError as exc:
                return f"{selector!r}: {exc}"
        return None


@dataclass(frozen=True)
class Source:
    """A feed's address and how to read it."""

    url: str
    kind: FeedKind = FeedKind.FEED
    selectors: PageSelectors | None = None
    """A page's selectors (``FeedKind.PAGE`` only)."""

    @property
    def channel(self) -> str:
        """A channel's name (``FeedKind.TELEGRAM`` only)."""
        return self.url.removeprefix(TELEGRAM_PREVIEW)


def channel_name(text: str) -> str | None:
    """The channel ``text`` names, or None: ``@NAME``, ``t.me/NAME``, ``t.me/s/NAME``, with or
    without ``https://`` (telegram.me too)."""
    text = text.strip()
    if text.startswith("@"):
        name = text[1:]
    else:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if parts.scheme not in ("http", "https") or parts.hostname not in _TELEGRAM_HOSTS:
            return None
        path = parts.path.strip("/").split("/")
        name = path[1] if path[0] == "s" and len(path) == 2 else path[0] if len(path) == 1 else ""
    return name if _CHANNEL_NAME.fullmatch(name) else None


def channel_source(name: str) -> Source:
    """The channel ``name``'s source, at its preview address on t.me."""
    return Source(f"{TELEGRAM_PREVIEW}{name}", FeedKind.TELEGRAM)


def source_of(url: str, selectors: PageSelectors | None = None) -> Source:
    """The source an address means: a t.me address is a channel, a page with selectors is a
    page, anything else a feed (the config file's ``[[feeds]]`` entries)."""
    if selectors is not None:
        return Source(url, FeedKind.PAGE, selectors)
    name = channel_name(url)
    return channel_source(name) if name else Source(url)
