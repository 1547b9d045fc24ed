"""A loopback HTTP server for the bundled sample feeds, so the demo runs the real fetcher.

It "publishes" in two steps: first only the items dated before a cut-off (what a feed already
carried when you added it), then everything. That lets the demo show both the quiet first
poll of a new feed and the alerts for news that arrives afterwards.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files

from lxml import etree

FEED_NAMES = ("world-desk.xml", "tech-wire.xml", "regional-news.xml")
PAGE_NAMES = ("herzog-visit.html",)
_DATE_TAGS = ("pubDate", "published", "updated", "date")


def bundled_file(folder: str, name: str) -> bytes:
    return files("bot.demo").joinpath(folder, name).read_bytes()


def _item_date(item: etree._Element) -> datetime | None:
    for child in item:
        if not isinstance(child.tag, str) or etree.QName(child).localname not in _DATE_TAGS:
            continue
        text = (child.text or "").strip()
        try:
            moment = (
                parsedate_to_datetime(text)
                if child.tag == "pubDate"
                else datetime.fromisoformat(text)
            )
        except (TypeError, ValueError):
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def published_before(content: bytes, cutoff: datetime) -> bytes:
    """The feed with every item or entry dated at or after ``cutoff`` removed."""
    root = etree.fromstring(content)
    for item in list(root.iter("{*}item", "{*}entry", "item", "entry")):
        when = _item_date(item)
        if when is None or when >= cutoff:
            parent = item.getparent()
            if parent is not None:  # an item or entry is never the root
                parent.remove(item)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


class _Handler(BaseHTTPRequestHandler):
    def __init__(self, site: DemoFeedServer, *args: object) -> None:
        self.site = site
        super().__init__(*args)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        folder, _, name = self.path.strip("/").partition("/")
        if (folder, name in FEED_NAMES, name in PAGE_NAMES) not in (
            ("feeds", True, False),
            ("pages", False, True),
        ):
            self.send_error(404)
            return
        body = bundled_file(folder, name)
        if folder == "feeds" and self.site.cutoff is not None:
            body = published_before(body, self.site.cutoff)
        kind = "application/xml" if folder == "feeds" else "text/html"
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the demo prints its own story."""


class DemoFeedServer:
    """``with DemoFeedServer() as site: site.url("world-desk.xml")``."""

    HOST = "127.0.0.1"

    def __init__(self) -> None:
        self.cutoff: datetime | None = None
        self._server = ThreadingHTTPServer((self.HOST, 0), partial(_Handler, self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, name: str, folder: str = "feeds") -> str:
        return f"http://{self.HOST}:{self._server.server_port}/{folder}/{name}"

    def __enter__(self) -> DemoFeedServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
