"""The daemon on the test's own event loop, as ``serve`` runs it: the feeds a test publishes
into while it polls, and the config that points it at them and at the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import Config, FeedSpec, PollingConfig, StorageConfig, TelegramConfig
from tests.support.botapi import FakeBotAPI
from tests.support.feeds_samples import rss
from tests.support.local_hosts import LOCAL_FETCH

CHAT = 5001
SAMPLE_TITLE = "Israel's Herzog to visit Azerbaijan, key ally bordering on Iran"
SAMPLE_URL = "https://www.jpost.com/israel-news/article-744617"


class Feed:
    """A feed whose items the test publishes while the daemon polls it."""

    def __init__(self, server: HTTPServer, path: str, *, language: str | None = None) -> None:
        self.language = language
        """The channel's declared ``<language>``, if any."""
        self.items: list[dict[str, str]] = [
            {"title": "Weather: a mild week ahead", "link": f"https://example.org{path}/weather"}
        ]
        self.url = server.url_for(path)
        self.polls = 0
        server.expect_request(path).respond_with_handler(self._serve)

    def _serve(self, request: Request) -> Response:
        self.polls += 1
        return Response(rss(self.items, language=self.language), content_type="application/rss+xml")

    def publish(self, title: str, link: str, description: str) -> None:
        now = format_datetime(datetime.now(UTC))
        self.items.insert(
            0,
            {
                "title": title,
                "link": link,
                "description": description,
                "guid": link,
                "pubDate": now,
            },
        )


def daemon_config(db: Path, botapi: FakeBotAPI, *feeds: Feed) -> Config:
    """The daemon's config: database ``db``, the fake Bot API, ``feeds``, a poll a second."""
    return Config(
        storage=StorageConfig(path=str(db)),
        polling=PollingConfig(interval=1, timeout=5),
        fetch=LOCAL_FETCH,
        feeds=[FeedSpec(url=feed.url) for feed in feeds],
        telegram=TelegramConfig(base_url=botapi.base_url),
    )
