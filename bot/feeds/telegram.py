"""A public Telegram channel's web preview (``t.me/s/NAME``) → Articles.

The preview is an HTML page of the channel's latest posts (about twenty), oldest first, each a
``.tgme_widget_message`` whose ``data-post`` is ``NAME/ID``. A post becomes an article: its
text (``.js-message_text``; the quoted post a reply shows has a class of its own and is left
out), who it was forwarded from, the captions of what it carries (a document's name, a poll, a
linked page's preview), and the addresses of its links written out beside their words, so a
rule can match them; its link is ``https://t.me/NAME/ID`` and its date the post's
``time[datetime]``. Older posts are at ``?before=ID``, the smallest ID on the page, which
:attr:`ParsedFeed.before` gives the reader (``bot.feeds.reading``) for paging.

Telegram answers the preview of a private channel, a group, a person or a name nobody has with
a redirect to the name's own page (``t.me/NAME``), which has no posts and no channel header:
that page is :class:`NotAChannel`. Runs in the parse workers, like feedparser; whatever the
bytes, the result is a ParsedFeed or a FeedParseError.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from lxml import etree
from lxml.cssselect import CSSSelector

from bot.article import Article
from bot.feeds.errors import NotAChannel
from bot.feeds.normalize import element_text, html_root, selected, words_of
from bot.feeds.parser import ParsedFeed
from bot.i18n import N_, Deferred
from bot.markup import shorten
from bot.sources import TELEGRAM_HOME

TITLE_CHARS = 120
"""A post has no title: its first line is one, cut to this length (a headline's)."""

_MESSAGE = CSSSelector(".tgme_widget_message[data-post]")
_TEXT = CSSSelector(".js-message_text")
_LINKS = CSSSelector("a[href]")
_FORWARDED = CSSSelector(".tgme_widget_message_forwarded_from")
_DATES = (CSSSelector(".tgme_widget_message_date time[datetime]"), CSSSelector("time[datetime]"))
"""The post's own time (its footer's link), else any time the post shows."""
_CAPTIONS = CSSSelector(
    ".tgme_widget_message_document_title, .tgme_widget_message_poll_question, "
    ".tgme_widget_message_poll_option_text, .link_preview_site_name, .link_preview_title, "
    ".link_preview_description"
)
_CHANNEL_TITLE = CSSSelector(".tgme_channel_info_header_title")
_CHANNEL_INFO = CSSSelector(".tgme_channel_info")


def parse_preview(
    content: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    name: str | None = None,
    first_seen: datetime | None = None,
) -> ParsedFeed:
    """One preview page's posts as Articles (``parse_feed``'s arguments, positional so that a
    parse worker can be handed them); raises NotAChannel for a page without a channel."""
    root = html_root(content, (headers or {}).get("content-type"))
    messages = selected(_MESSAGE, root) if root is not None else []
    if root is None or not (messages or selected(_CHANNEL_INFO, root)):
        raise NotAChannel(
            url,
            Deferred(
                N_(
                    "no public channel there: Telegram shows no posts for it (a private "
                    "channel, a group, a person, or no such name)"
                )
            ),
        )
    title = words_of(next(iter(selected(_CHANNEL_TITLE, root)), None))
    posts = [_Post(message) for message in messages]
    source = name or title or url
    articles = [article for post in posts if (article := post.article(url, source, first_seen))]
    numbers = [post.number for post in posts if post.number is not None]
    oldest = min(numbers, default=None)
    return ParsedFeed(
        title=title,
        ttl_minutes=None,
        articles=articles,
        before=oldest if oldest is not None and oldest > 1 else None,
    )


class _Post:
    """One ``.tgme_widget_message`` of the page."""

    def __init__(self, message: etree._Element) -> None:
        self.message = message
        channel, _, number = (message.get("data-post") or "").strip().rpartition("/")
        self.channel = channel
        self.number = int(number) if number.isascii() and number.isdigit() else None

    def article(self, feed_url: str, source: str, first_seen: datetime | None) -> Article | None:
        """The post as an Article; None for one without words (a sticker, a bare photo, a
        service message) or without a number to link to."""
        if self.number is None or not self.channel:
            return None
        body = self._body()
        captions = [element_text(node) for node in selected(_CAPTIONS, self.message)]
        words = [part for part in (body, *captions) if part]
        if not words:
            return None
        forwarded = [element_text(node) for node in selected(_FORWARDED, self.message)[:1]]
        link = f"{TELEGRAM_HOME}{self.channel}/{self.number}"
        published = self._published()
        if published and first_seen and published > first_seen:
            published = first_seen
        return Article(
            id=link,
            feed_url=feed_url,
            url=link,
            title=shorten(words[0].split("\n", 1)[0], TITLE_CHARS),
            text="\n\n".join(part for part in (*forwarded, *words) if part),
            published=published,
            source=source,
        )

    def _body(self) -> str:
        """The post's own text, each link's address written after its words when they differ
        (a link's words alone would hide the site a rule may name)."""
        texts = selected(_TEXT, self.message)
        if not texts:
            return ""
        text = texts[0]
        for anchor in selected(_LINKS, text):
            href = (anchor.get("href") or "").strip()
            words = words_of(anchor)
            if href.startswith(("http://", "https://")) and words and words not in href:
                anchor.tail = f" ({href}){anchor.tail or ''}"
        return element_text(text)

    def _published(self) -> datetime | None:
        nodes = next((found for date in _DATES if (found := selected(date, self.message))), [])
        for node in nodes[:1]:
            try:
                moment = datetime.fromisoformat((node.get("datetime") or "").strip())
                return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
            except (ValueError, OverflowError):
                return None
        return None
