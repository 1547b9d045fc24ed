"""Ingestion benchmark: poll many feeds on loopback through the real pipeline, cold and warm.

Run from the repository root: ``python bench/bench_ingest.py`` (``--feeds/--items/--subs`` to
shrink). A separate process serves generated RSS feeds with ETags from ten sites (ports on
loopback, each its own host to the fetcher, polled under the default politeness of two requests
at a time per host and twenty in all). The cold cycle polls every
feed once with every entry new and alertable (each feed is primed as already polled, so its
entries are matched against all subscriptions and alerts are queued: the worst steady-state
cycle); the warm cycle polls again and gets 304s. Both are shown next to plain
``feedparser.parse`` on the same bytes. Targets: cold ≤ 1.6× plain parse, warm ≤ 5% of cold,
peak RSS ≤ 300 MB.

Then ``--channels`` Telegram channel previews (``t.me/s/NAME`` pages of twenty posts, the
markup of ``tests/support/channel_preview.py``) are polled the same way, all from one host as
on t.me, and their cost per source is printed beside the feeds': cold (every post new) and
warm, which for a preview is a full fetch and parse with nothing new, as t.me sends no
validators for a conditional GET.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import io
import multiprocessing
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402
from bot.config import Config, parse_config  # noqa: E402
from bot.feeds.fetcher import Fetcher  # noqa: E402
from bot.feeds.parser import make_parser  # noqa: E402
from bot.ingest.pipeline import Pipeline, fetch_limits  # noqa: E402
from bot.ingest.stories import StoryClusterer  # noqa: E402
from bot.matching import SubscriptionMatcher  # noqa: E402
from bot.runtime import settle_heap  # noqa: E402
from bot.sources import channel_source  # noqa: E402
from bot.store import AsyncStore, FeedRow, PollOutcome, PollStatus, Store  # noqa: E402
from tests.support.channel_preview import PAGE_SIZE, Post, preview_page  # noqa: E402

VOCABULARY = [f"w{n:05d}" for n in range(20_000)]
NAMES = ["Israel", "Azerbaijan", "Baku", "Herzog", "Aliyev", "Caspian", "Tehran", "Ankara"]
WARM_UP = b'<rss version="2.0"><channel><title>warm-up</title></channel></rss>'
SITES = 10
NAMED = 0.1
"""Share of articles naming one of NAMES: news names recur, but not in every story."""


def make_feed(feed: int, items: int, published: datetime) -> bytes:
    """A realistic RSS 2.0 feed: titles, HTML descriptions of ~80 words, dates, guids."""
    rng = random.Random(feed)
    entries = []
    for n in range(items):
        words = rng.sample(VOCABULARY, 80)
        if rng.random() < NAMED:
            words[rng.randrange(80)] = rng.choice(NAMES)
        title = " ".join(words[:8]).capitalize()
        body = "<p>" + " ".join(words[8:45]) + ".</p><p>" + " ".join(words[45:]) + ".</p>"
        link = f"https://site{feed % 97}.example/news/{feed}/{n}?utm_source=rss"
        when = format_datetime(published - timedelta(minutes=n))
        entries.append(
            f"<item><title>{escape(title)}</title><link>{link}</link>"
            f'<guid isPermaLink="false">f{feed}-{n}</guid><pubDate>{when}</pubDate>'
            f"<description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://site{feed % 97}.example/</link>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


def make_preview(channel: int, published: datetime) -> bytes:
    """A channel's preview page: PAGE_SIZE posts of ~80 words, numbered from 1 so that the
    page is the whole channel (a poll reads no older page)."""
    rng = random.Random(100_000 + channel)
    posts = []
    for n in range(1, PAGE_SIZE + 1):
        words = rng.sample(VOCABULARY, 80)
        if rng.random() < NAMED:
            words[rng.randrange(80)] = rng.choice(NAMES)
        text = " ".join(words[:40]).capitalize() + ".<br>" + " ".join(words[40:]) + "."
        posts.append(Post(n, text, published - timedelta(minutes=PAGE_SIZE - n)))
    return preview_page(f"chan{channel}", f"Channel {channel}", posts)


def answer_feed(handler: BaseHTTPRequestHandler, etag: str, body: Callable[[], bytes]) -> None:
    """Answer a GET of a feed whose version is ``etag``, as a news site does: 304 to a
    conditional request that names it, else the document ``body()`` makes, with the ETag."""
    if handler.headers.get("If-None-Match") == etag:
        handler.send_response(304)
        handler.send_header("ETag", etag)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    document = body()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("ETag", etag)
    handler.send_header("Content-Length", str(len(document)))
    handler.end_headers()
    handler.wfile.write(document)


def answer_preview(handler: BaseHTTPRequestHandler, document: bytes) -> None:
    """Answer a GET of a channel's preview as t.me does: the page, without validators."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(document)))
    handler.end_headers()
    handler.wfile.write(document)


def serve(
    feeds: list[bytes],
    previews: list[bytes],
    ports: multiprocessing.Array,  # type: ignore[valid-type]
) -> None:
    """The feed server process: one server per site, each with every /feed/<n>, ETag "<n>",
    and 304 on a matching If-None-Match, and every channel preview /s/chan<n>."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path.startswith("/s/chan"):
                answer_preview(self, previews[int(self.path.removeprefix("/s/chan"))])
                return
            n = int(self.path.rsplit("/", 1)[1])
            answer_feed(self, f'"{n}"', lambda: feeds[n])

        def log_message(self, *args: object) -> None:
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in ports]
    for site, server in enumerate(servers):
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports[site] = server.server_address[1]
    threading.Event().wait()


def subscribe(store: Store, count: int) -> None:
    """``count`` rules, five a chat: name-anchored ANDs, word pairs and an OR inside an AND."""
    rng = random.Random(7)
    chats = max(1, count // 5)
    for n in range(count):
        a, b, c = rng.sample(VOCABULARY, 3)
        shape = n % 3
        if shape == 0:
            text = f"{rng.choice(NAMES)} + {a} + {b}"
        elif shape == 1:
            text = f"{a} + {b}"
        else:
            text = f"({a} | {b}) + {c}"
        store.add_subscription(n % chats + 1, rules.compile(text), limit=10_000)


def plain_parse_seconds(documents: list[bytes]) -> float:
    start = time.perf_counter()
    for document in documents:
        feedparser.parse(io.BytesIO(document))
    return time.perf_counter() - start


class Cycle(NamedTuple):
    seconds: float
    loop_cpu: float
    """CPU seconds of the event loop's thread: fetching, storing's share, matching, story
    clustering and queueing, without the parse workers' (other processes) or the store's
    thread."""
    clustering_cpu: float
    """CPU seconds in ``StoryClusterer.assign`` (on the event loop's thread, as no
    embeddings endpoint is configured)."""
    clustered: int


class _ClusteringClock:
    """Times every ``StoryClusterer.assign`` of the process from its making on: how much of
    a cycle grouping stories takes, which the cycle's wall clock cannot show on a shared
    machine (the plain parse beside it moves by a fifth between runs). Made by ``main`` only,
    so that importing this module (as ``bench_clustering`` does) times nothing."""

    def __init__(self) -> None:
        self.seconds, self.calls = 0.0, 0
        assign = StoryClusterer.assign

        @functools.wraps(assign)
        def timed(clusterer: StoryClusterer, *args: Any, **kwargs: Any) -> str:
            start = time.thread_time()
            try:
                return assign(clusterer, *args, **kwargs)
            finally:
                self.seconds += time.thread_time() - start
                self.calls += 1

        StoryClusterer.assign = timed  # type: ignore[method-assign]


async def poll_cycles(
    store: Store, config: Config, clustering: _ClusteringClock
) -> dict[tuple[str, str], Cycle]:
    """Each (kind, cycle): the feeds' cold and warm cycles, then the channels'."""
    astore = AsyncStore(store)
    async with Fetcher(fetch_limits(config)) as fetcher:
        parser = make_parser(config.polling.parse_workers)  # as bot.wiring makes it
        pipeline = Pipeline(astore, fetcher, config, SubscriptionMatcher(astore), parser=parser)
        await pipeline.matcher.refresh()  # the daemon keeps its index between cycles
        settle_heap()  # as the daemon does once it has loaded the index
        # ... and its parse workers: start them (one tiny parse each) before the clock does.
        started = time.perf_counter()
        await asyncio.gather(*(parser.parse(WARM_UP, url="http://127.0.0.1/") for _ in range(4)))
        print(f"parse workers started in {time.perf_counter() - started:.2f} s (not timed)")
        timings = {}
        for kind in ("feed", "telegram"):
            for cycle in ("cold", "warm"):
                rows = [row for row in store.list_feeds() if row.kind == kind]
                timings[kind, cycle] = await _timed_cycle(pipeline, rows, clustering)
        parser.close()
    await astore.aclose()
    return timings


async def _timed_cycle(
    pipeline: Pipeline, rows: list[FeedRow], clustering: _ClusteringClock
) -> Cycle:
    """One poll of ``rows``, timed; none may fail, and a warm cycle finds nothing new."""
    start, cpu = time.perf_counter(), time.thread_time()
    clustered_seconds, clustered = clustering.seconds, clustering.calls
    results = await pipeline.poll_all(rows)
    cycle = Cycle(
        time.perf_counter() - start,
        time.thread_time() - cpu,
        clustering.seconds - clustered_seconds,
        clustering.calls - clustered,
    )
    bad = [r for r in results if r.status not in (PollStatus.OK, PollStatus.NOT_MODIFIED)]
    assert not bad, bad[:3]
    return cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--subs", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=200, help="Telegram channel previews")
    parser.add_argument(
        "--parse-workers", type=int, default=0, help="[polling] parse_workers (0: one per core)"
    )
    args = parser.parse_args()

    now = datetime.now(UTC)
    documents = [make_feed(n, args.items, now) for n in range(args.feeds)]
    previews = [make_preview(n, now) for n in range(args.channels)]
    megabytes = sum(map(len, documents)) / 1e6
    preview_mb = sum(map(len, previews)) / 1e6
    ports = multiprocessing.Array("i", SITES)
    server = multiprocessing.Process(target=serve, args=(documents, previews, ports), daemon=True)
    server.start()
    while not all(ports):
        time.sleep(0.01)
    plain = plain_parse_seconds(documents)
    del documents, previews

    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config(
            {
                "storage": {"path": f"{tmp}/bench.db"},
                "polling": {"parse_workers": args.parse_workers},
                "fetch": {"allow_hosts": ["127.0.0.1"]},  # the bench's own local sites
                # One host serves every preview, as t.me does.
                "sources": {"telegram_preview": f"http://127.0.0.1:{ports[0]}/s/"},
            }
        )
        store = Store.open(config.storage.path)
        setup = time.perf_counter()
        subscribe(store, args.subs)
        for n in range(args.feeds):
            site = ports[n % SITES]
            feed = store.add_feed(f"http://127.0.0.1:{site}/feed/{n}", name=f"Feed {n}")
            primed = PollOutcome(status=PollStatus.NOT_MODIFIED, polled_at=now, next_poll_at=now)
            store.record_polls([(feed.id, primed)])
        for n in range(args.channels):
            channel = channel_source(f"chan{n}")
            feed = store.add_feed(channel.url, kind=channel.kind)
            primed = PollOutcome(status=PollStatus.OK, polled_at=now, next_poll_at=now)
            store.record_polls([(feed.id, primed)])
        setup = time.perf_counter() - setup
        timings = asyncio.run(poll_cycles(store, config, _ClusteringClock()))
        stats = Store.open(config.storage.path).stats()
    cold_cycle, warm = timings["feed", "cold"], timings["feed", "warm"].seconds
    cold = cold_cycle.seconds
    server.terminate()

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.feeds} feeds × {args.items} items ({megabytes:.1f} MB of RSS), "
        f"{args.subs:,} subscriptions (setup {setup:.1f} s)"
    )
    print(f"plain feedparser.parse, same bytes: {plain:6.2f} s")
    print(
        f"cold cycle (fetch, parse, store, match, enqueue): {cold:6.2f} s "
        f"= {cold / plain:.2f}x plain parse (target ≤ 1.6x)"
    )
    print(f"  the event loop's CPU: {cold_cycle.loop_cpu:6.2f} s (the workers parse meanwhile)")
    print(
        f"  of which story clustering: {cold_cycle.clustering_cpu:6.2f} s for "
        f"{cold_cycle.clustered:,} matched articles = "
        f"{cold_cycle.clustering_cpu / max(1, cold_cycle.clustered) * 1e6:.0f} µs each"
    )
    print(f"warm cycle (all 304): {warm:6.2f} s = {warm / cold:.1%} of cold (target ≤ 5%)")
    if args.channels:
        print(
            f"{args.channels} channel previews × {PAGE_SIZE} posts ({preview_mb:.1f} MB of HTML), "
            "from one host"
        )
        for cycle, feeds_did in (("cold", "new entries"), ("warm", "304")):
            seconds = timings["telegram", cycle].seconds
            print(
                f"channels {cycle}: {seconds:6.2f} s = {seconds / args.channels * 1000:.1f} ms "
                f"a channel; RSS {cycle} ({feeds_did}): "
                f"{timings['feed', cycle].seconds / args.feeds * 1000:.1f} ms a feed"
            )
        per_post = timings["telegram", "cold"].seconds / (args.channels * PAGE_SIZE) * 1e6
        per_item = cold / (args.feeds * args.items) * 1e6
        print(f"cold, per article: {per_post:.0f} µs a post, {per_item:.0f} µs an RSS item")
    print(
        f"stored {stats.articles:,} articles, {stats.outbox_pending:,} alerts queued; "
        f"peak RSS {rss_mb:.0f} MB (target ≤ 300 MB)"
    )


if __name__ == "__main__":
    main()
