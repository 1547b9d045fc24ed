"""Feed autodiscovery: people paste a site's address, not its feed's.

A page announces its feeds with ``<link rel="alternate" type="application/rss+xml" href=…>``
in its head; this module finds those links and tells an HTML page from a feed.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from lxml import etree

from bot.feeds.normalize import canonical_url

logger = logging.getLogger(__name__)

# In preference order: RSS first because it is the more common and the better supported
# flavour when a site offers both (WordPress, for example, offers RSS and Atom of one feed).
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_BYTES = 4096
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_FIRST_ELEMENT = re.compile(rb"<([a-z][\w:.-]*)")
_DOCTYPE_HTML = re.compile(rb"<!doctype\s+html")
_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf", b"channel"})


def find_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page links to: RSS links first, each in page order.

    Relative hrefs resolve against the page's ``<base href>`` if any, else ``base_url``.
    Returns [] for anything that is not parseable HTML.
    """
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    encoding = "utf-8" if isinstance(html, str) else None
    try:
        root = etree.fromstring(data, etree.HTMLParser(encoding=encoding))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    base = _document_base(root, base_url)
    by_type: dict[str, list[str]] = {feed_type: [] for feed_type in FEED_TYPES}
    for link in root.iter("link"):
        feed_type = (link.get("type") or "").strip().lower()
        rels = (link.get("rel") or "").lower().split()
        url = canonical_url(link.get("href") or "", base)
        if feed_type in by_type and "alternate" in rels and url:
            by_type[feed_type].append(url)
    links = [url for feed_type in FEED_TYPES for url in by_type[feed_type]]
    return list(dict.fromkeys(links))


def _document_base(root: etree._Element, page_url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` when the page sets one."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                return urljoin(page_url, href)
            except ValueError:
                logger.debug("%s: ignoring unusable <base href=%r>", page_url, href)
    return page_url


def looks_like_html(content: bytes, content_type: str | None) -> bool:
    """Whether a response is an HTML page rather than a feed.

    The body decides when it can: many servers send feeds as text/html and a few send pages
    as text/xml, so the first element (``<rss>``/``<feed>``/``<rdf:RDF>`` vs ``<html>`` or an
    HTML doctype) is more reliable than the header, which only decides when the start of the
    body says neither.
    """
    head = _COMMENT.sub(b"", content[:_SNIFF_BYTES].lower())
    first = _FIRST_ELEMENT.search(head)
    root = first.group(1).rpartition(b":")[2] if first else b""
    if root in _FEED_ROOTS:
        return False
    if root == b"html" or _DOCTYPE_HTML.search(head):
        return True
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type in _HTML_TYPES
