"""What /addfeed reads from its argument: which source, of which kind.

* ``https://…``: a feed, or a site that links to one (found when it is checked);
* ``@NAME``, ``t.me/NAME``, ``https://t.me/s/NAME``: a public Telegram channel;
* ``https://… css:ITEMS title:SELECTOR link:SELECTOR date:SELECTOR``: a web page without a
  feed, each element ``ITEMS`` matches an article; ``title:``, ``link:`` and ``date:`` are
  optional and say where, inside an item, those are (``bot.sources.PageSelectors``).

A selector may hold spaces (``div.news > article``): each runs to the next `` title:``,
`` link:`` or `` date:`` written after a space, which no CSS selector contains (a
pseudo-class such as ``a:link`` has no space before its colon).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.i18n import _
from bot.markup import esc
from bot.sources import FeedKind, PageSelectors, Source, channel_name, channel_source

_KEYWORD = re.compile(r"(?:^|\s+)(css|title|link|date):")


class SourceArgumentError(ValueError):
    """The argument names no source; ``str(err)`` is the reply, in the chat's language."""


def source_argument(text: str) -> Source:
    """The source ``text`` names; raises SourceArgumentError with the reply to give."""
    head, *pieces = _KEYWORD.split(text.strip())
    url = head.strip()
    if not pieces:
        name = channel_name(url)
        if name:
            return channel_source(name)
        _check_web_address(url)
        return Source(url)
    _check_web_address(url)
    given = list(zip(pieces[::2], (piece.strip() for piece in pieces[1::2]), strict=True))
    values = dict(given)
    empty = next((key for key, value in given if not value), None)
    if "css" not in values or empty is not None or len(values) < len(given):
        raise SourceArgumentError(
            # TRANSLATORS: keep: css:, title:, link:, date: (and the example as it is)
            _(
                "Write the page's address, then <code>css:</code> and the selector of its "
                "articles, once each: <code>/addfeed https://example.org/news "
                "css:article.item title:h2 link:a date:time</code> (title:, link: and date: "
                "are optional)."
            )
        )
    selectors = PageSelectors(
        values["css"], values.get("title"), values.get("link"), values.get("date")
    )
    unreadable = selectors.unreadable()
    if unreadable:
        # TRANSLATORS: keep: CSS
        reply = _("That is not a CSS selector: {detail}").format(detail=esc(unreadable))
        raise SourceArgumentError(reply)
    return Source(url, FeedKind.PAGE, selectors)


def _check_web_address(url: str) -> None:
    if _scheme(url) not in ("http", "https"):
        raise SourceArgumentError(
            _("Give the address of a feed or a site: <code>/addfeed https://…</code>")
        )


def _scheme(url: str) -> str:
    """The URL's scheme, '' when it cannot be read as a URL at all (``http://[``)."""
    try:
        return urlsplit(url).scheme
    except ValueError:
        return ""
