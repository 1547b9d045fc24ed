"""A real pipeline for tests: SQLite file in tmp_path, local feeds, real fetcher and rules."""

from __future__ import annotations

import random
import shutil
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import rules
from bot.article import Article
from bot.clock import Clock, utcnow
from bot.config import Config, parse_config
from bot.feeds.fetcher import Fetcher
from bot.feeds.parser import make_parser
from bot.ingest.pipeline import Pipeline, PollResult, fetch_limits
from bot.ingest.semantic import semantic_from_config
from bot.matching import SubscriptionMatcher
from bot.ops.activity import Activity
from bot.store import AsyncStore, FeedRow, PollOutcome, Store
from tests.support.feeds_samples import rss
from tests.support.local_hosts import LOCAL_HOSTS

STORY = "Israeli President Isaac Herzog landed in Baku for talks on energy and security. " * 5


def item(
    guid: str,
    title: str,
    *,
    link: str | None = None,
    text: str = STORY,
    age: timedelta | None = timedelta(hours=1),
) -> dict[str, str]:
    """One RSS <item>, published ``age`` ago (None: no date)."""
    fields = {
        "guid": guid,
        "title": title,
        "link": link or f"https://news.example.org/{guid}",
        "description": text,
    }
    if age is not None:
        fields["pubDate"] = format_datetime(datetime.now(UTC) - age)
    return fields


def numbered_article(n: int, feed_url: str = "https://news.example.org/feed.xml") -> Article:
    """Article ``n`` of a feed, as the parser makes it: a few hundred characters on Baku."""
    return Article(
        id=f"a{n}",
        feed_url=feed_url,
        url=f"https://news.example.org/{n}",
        title=f"Baku story {n}",
        text="A story about Baku that fills the pages of the database. " * 8,
        published=datetime.now(UTC),
        source="Example News",
    )


def copy_of(template: Path, name: str) -> Path:
    """A copy of the database file ``template`` beside it, as ``name``.db."""
    db = template.with_name(f"{name}.db")
    shutil.copy(template, db)
    return db


def burst(
    count: int,
    word: str = "Baku",
    *,
    tag: str = "burst",
    age: timedelta | None = timedelta(hours=1),
) -> list[dict[str, str]]:
    """``count`` different stories that all name ``word``, as a busy feed publishes them,
    each ``age`` old (None: undated, as new at any time a test's clock says).

    Each has its own random words, so none is taken for a copy of another (one alert each);
    bursts of another ``tag`` are other stories, with other ids.
    """
    rng = random.Random(f"{tag}-{count}")
    vocabulary = [f"w{n:04d}" for n in range(5000)]
    items = []
    for n in range(count):
        words = rng.sample(vocabulary, 90)
        title = f"{word} report {n}: " + " ".join(words[:6])
        text = f"{word} " + " ".join(words[6:]) + "."
        items.append(item(f"{tag}-{n}", title, text=text, age=age))
    return items


def prime(db: Path, feed_url: str, *, chats: int, rule: str = "Baku") -> None:
    """A database where ``chats`` chats follow ``rule`` and the feed has been polled once, so
    its new entries alert (a feed's first poll never does)."""
    store = Store.open(db)
    for chat_id in range(1, chats + 1):
        store.add_subscription(chat_id, rules.compile(rule))
    feed = store.add_feed(feed_url)
    now = datetime.now(UTC)
    store.record_polls([(feed.id, PollOutcome("not_modified", polled_at=now, next_poll_at=now))])
    store.close()


def outbox_pairs(db: Path) -> tuple[int, int]:
    """Outbox rows, and distinct (chat, article URL) pairs among them: equal when no alert
    is queued twice, whatever rows the articles got."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            """SELECT count(*), count(DISTINCT outbox.chat_id || ' ' || articles.url)
               FROM outbox JOIN articles ON articles.id = outbox.article_id"""
        ).fetchone()
    finally:
        conn.close()


class FeedServer:
    """Feeds on a local server that answer conditional GETs like a real one (ETag → 304)."""

    def __init__(self, httpserver: HTTPServer) -> None:
        self.httpserver = httpserver
        self.documents: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        """(path, If-None-Match sent) of every feed request, in order."""

    def publish(self, path: str, items: list[dict[str, str]], **rss_options: object) -> str:
        """Serve ``items`` at ``path`` from now on; returns the feed's URL."""
        first = path not in self.documents
        self.documents[path] = rss(items, **rss_options)  # type: ignore[arg-type]
        if first:
            self.httpserver.expect_request(path).respond_with_handler(self._handler(path))
        return self.httpserver.url_for(path)

    def _handler(self, path: str) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            body = self.documents[path]
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            sent = request.headers.get("If-None-Match")
            self.requests.append((path, sent))
            if sent == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(body, headers={"ETag": etag}, content_type="application/rss+xml")

        return handler


def make_config(db: Path, **polling: object) -> Config:
    return parse_config(
        {
            "storage": {"path": str(db)},
            "polling": {"timeout": 5, **polling},
            "fetch": {"allow_hosts": list(LOCAL_HOSTS)},
        }
    )


@dataclass
class PipelineEnv:
    """Everything one test polls with; ``store`` is the synchronous view for assertions."""

    store: Store
    astore: AsyncStore
    pipeline: Pipeline

    async def poll(self, url: str) -> PollResult:
        feed = self.store.feed_by_url(url) or self.store.add_feed(url)
        return await self.pipeline.poll_feed(feed)

    def subscribe(self, chat_id: int, rule: str, thread_id: int | None = None) -> int:
        return self.store.add_subscription(chat_id, rules.compile(rule), thread_id=thread_id).id

    def feed(self, url: str) -> FeedRow:
        feed = self.store.feed_by_url(url)
        assert feed is not None, url
        return feed


async def open_env(
    config: Config,
    *,
    now: Clock = utcnow,
    activity: Activity | None = None,
    **store_options: float,
) -> tuple[PipelineEnv, Fetcher]:
    """A PipelineEnv on ``config``'s database (``Store.open`` options, e.g. a short
    ``busy_timeout``), its polls on the clock ``now``, and the embeddings endpoint ``[stories]``
    names counted in ``activity``; close with :func:`close_env`."""
    store = Store.open(config.storage.path, **store_options)
    astore = AsyncStore(store)
    fetcher = Fetcher(fetch_limits(config))
    parser = make_parser(config.polling.parse_workers)
    count = activity.story_checked if activity is not None else None
    pipeline = Pipeline(
        astore,
        fetcher,
        config,
        SubscriptionMatcher(astore),
        parser=parser,
        now=now,
        semantic=semantic_from_config(config.stories, count=count),
    )
    return PipelineEnv(store, astore, pipeline), fetcher


async def close_env(env: PipelineEnv, fetcher: Fetcher) -> None:
    await fetcher.aclose()
    env.pipeline.parser.close()
    await env.astore.aclose()


ARTICLES = 200
"""Stories in a BurstFeed: a poll large enough to be caught in the middle."""
WAIT = 60.0
"""Seconds a process may take to do what the test waits for (a hang guard)."""


class BurstFeed:
    """ARTICLES stories at one URL; ``fetched`` is set whenever a poll fetches them (``fetches``
    counts them), and ``on_fetch`` (when set) runs first, in the server's thread."""

    def __init__(self, httpserver: HTTPServer) -> None:
        self.document = rss(burst(ARTICLES))
        self.fetched = threading.Event()
        self.fetches = 0
        self.on_fetch: Callable[[], None] | None = None
        httpserver.expect_request("/burst.xml").respond_with_handler(self._serve)
        self.url = httpserver.url_for("/burst.xml")

    def _serve(self, request: Request) -> Response:
        self.fetches += 1
        if self.on_fetch is not None:
            self.on_fetch()
        self.fetched.set()
        return Response(self.document, content_type="application/rss+xml")


async def poll_again(db: Path) -> None:
    """The restart: a new store and pipeline on the file, polling every feed once."""
    env, fetcher = await open_env(make_config(db))
    try:
        results = await env.pipeline.poll_all(env.store.list_feeds())
        assert [r.status for r in results] == ["ok"], results
    finally:
        await close_env(env, fetcher)
