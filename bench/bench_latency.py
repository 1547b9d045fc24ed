"""Alert latency benchmark: an article published → its alert arriving at Telegram, end to end.

Run from the repository root: ``python bench/bench_latency.py`` (one run at the issue's size:
1,000 feeds, 1,800 chats; about 5½ minutes), ``--grid`` for 100/500/1,000 feeds × 180/900/1,800
chats (about 40 minutes), or smaller lists, e.g. ``--feeds 30 --chats 60 --window 30`` for a
quick look. ``--fanout`` (how many chats each article alerts) accepts a list too.

The bot is the real daemon, ``python -m bot run`` in a process of its own, as an operator runs
it: ``[polling] interval = 60`` and otherwise the defaults (two parse workers, 20 requests in
flight, 2 a host). This process is the outside world:

* **the feeds' sites**: ten feeds per loopback address (127.0.1.1, 127.0.1.2, … Linux routes
  all of 127.0.0.0/8 to the loopback interface), so the default ``[polling] per_host = 2`` holds
  as it would for real news sites, listed in ``[fetch] allow_hosts``. Each feed is an RSS
  document of ten old entries (already stored, as after any earlier poll) that answers
  conditional GETs with 304 until its one new article is published, at a random moment of the
  publishing window; from then on the document carries it, with that moment as its
  ``pubDate``. The daemon starts with every feed polled before (ETag known): the steady state.
* **Telegram**: ``tests/support/botapi.py``'s FakeBotAPI with Telegram's flood limits enforced (30
  messages a second, one a second per chat), which records when each message arrives.

Each of the ``--chats`` chats follows one topic; there are chats ÷ fanout topics, and each
article names one of them, so it alerts ``--fanout`` chats. The window opens once the daemon
has polled every feed (its start-up spreads first polls 0.1 s apart: 100 s for 1,000 feeds) and
lasts ``--window`` seconds; the run ends when every expected alert has arrived (or a deadline).

Printed per run: published → arrived (every chat's alert), split into the wait for the feed's
next poll (published → the feed server first serves the article) and what follows (fetch,
parse, match, store, outbox, pacing, send: served → arrived), plus stored → sent from the
outbox's own timestamps (whole seconds); and alerts lost, sent twice, 429s. Goal (issue 21):
p95 of published → arrived ≤ poll interval + 5 s.
"""

from __future__ import annotations

import argparse
import math
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rules  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.ingest.scheduler import START_STAGGER  # noqa: E402
from bot.store import PollOutcome, PollStatus, Store  # noqa: E402
from tests.support.botapi import FakeBotAPI, hrefs  # noqa: E402
from tests.support.daemon_process import start, wait_until, write_config  # noqa: E402
from tests.support.feeds_samples import rss  # noqa: E402

INTERVAL = 60
"""``[polling] interval``, seconds: the issue's figure."""
GOAL = INTERVAL + 5
START_UP = 15
"""Seconds the daemon is given to start (import, open the store, load the rules, start its
parse workers) before its first polls are due; it takes about 4 on an idle machine."""
FEEDS_PER_HOST = 10
OLD_ENTRIES = 10
WORDS = 70
"""Words of an article's text: over ``[polling] full_text_threshold`` (300 characters), so no
article page is fetched, as for a feed that carries its articles' text."""
VOCABULARY = [f"w{n:05d}" for n in range(20_000)]
GRID_FEEDS = (100, 500, 1000)
GRID_CHATS = (180, 900, 1800)
WALL_OFFSET = time.time() - time.monotonic()
"""Adds to ``time.monotonic()`` (the clock the fake Bot API records arrivals with, the same in
every process) to give the wall-clock time an article's ``pubDate`` shows."""


def wall(moment: float) -> datetime:
    return datetime.fromtimestamp(moment + WALL_OFFSET, UTC)


def topic_word(topic: int) -> str:
    return f"t{topic:04d}"


@dataclass
class Story:
    """A feed's one new article in this run."""

    feed: int
    topic: int
    url: str
    title: str
    text: str
    published: float | None = None
    """``time.monotonic()`` when it appears in the feed; None until the window opens."""
    served: float | None = None
    """When the feed server first answered a poll with it in the document."""


@dataclass
class Feed:
    """One feed of a site: its old entries and its story, and the document a poll gets."""

    number: int
    url: str
    old: list[dict[str, str]]
    story: Story
    documents: dict[bool, bytes] = field(default_factory=dict)
    """The document before (False) and after (True) the story is published."""

    def etag(self, fresh: bool) -> str:
        return f'"{self.number}-{int(fresh)}"'


def random_text(rng: random.Random, topic: str | None = None) -> tuple[str, str]:
    """A title and a text of random vocabulary words; ``topic`` in both when given."""
    words = rng.sample(VOCABULARY, WORDS + 8)
    title, text = words[:8], words[8:]
    if topic is not None:
        title[rng.randrange(8)] = topic
        text[rng.randrange(WORDS)] = topic
    return " ".join(title).capitalize(), " ".join(text) + "."


def make_feed(number: int, url: str, topics: int, rng: random.Random) -> Feed:
    site = f"https://site{number // FEEDS_PER_HOST}.example/news/{number}"
    old = []
    for n in range(OLD_ENTRIES):
        title, text = random_text(rng)
        published = datetime.now(UTC) - timedelta(days=3, hours=n)
        old.append(
            {
                "guid": f"{site}/{n}",
                "title": title,
                "link": f"{site}/{n}",
                "description": text,
                "pubDate": format_datetime(published),
            }
        )
    topic = rng.randrange(topics)
    title, text = random_text(rng, topic_word(topic))
    story = Story(number, topic, f"{site}/new", title, text)
    feed = Feed(number, url, old, story)
    feed.documents[False] = rss(old, title=f"Feed {number}")
    return feed


def old_articles(feed: Feed) -> list[Article]:
    """The feed's old entries as the daemon stored them at an earlier poll."""
    return [
        Article(
            id=entry["guid"],
            feed_url=feed.url,
            url=entry["link"],
            title=entry["title"],
            text=entry["description"],
            published=None,
            source=f"Feed {feed.number}",
        )
        for entry in feed.old
    ]


class FeedSites:
    """The feeds' web servers, ``FEEDS_PER_HOST`` feeds per loopback address: each feed
    answers a conditional GET with 304 while its document is unchanged, as real sites do."""

    def __init__(self, feeds: int, topics: int, rng: random.Random) -> None:
        self.hosts = [f"127.0.1.{n + 1}" for n in range(math.ceil(feeds / FEEDS_PER_HOST))]
        self.servers = [ThreadingHTTPServer((host, 0), self._handler()) for host in self.hosts]
        self.feeds = [
            make_feed(n, self._url(n), topics, rng) for n in range(feeds)
        ]  # after the servers: their ports are in the URLs
        self.answers: Counter[int] = Counter()
        """Responses by status."""

    def _url(self, number: int) -> str:
        host, port = self.servers[number // FEEDS_PER_HOST].server_address[:2]
        return f"http://{host}:{port}/feed/{number}"

    def __enter__(self) -> FeedSites:
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def publish(self, start: float, window: float, rng: random.Random) -> None:
        """Give every story its moment, at random within [start, start + window)."""
        for feed in self.feeds:
            story = feed.story
            story.published = start + rng.uniform(0, window)
            entry = {
                "guid": story.url,
                "title": story.title,
                "link": story.url,
                "description": story.text,
                "pubDate": format_datetime(wall(story.published)),
            }
            feed.documents[True] = rss([entry, *feed.old], title=f"Feed {feed.number}")

    def answer(self, number: int, validator: str | None) -> tuple[int, str, bytes]:
        """(status, ETag, body) for a poll of feed ``number`` that sent ``validator``."""
        now = time.monotonic()
        feed = self.feeds[number]
        story = feed.story
        fresh = story.published is not None and now >= story.published
        etag = feed.etag(fresh)
        status = 304 if validator == etag else 200
        self.answers[status] += 1
        if status == 200 and fresh and story.served is None:
            story.served = now
        return status, etag, b"" if status == 304 else feed.documents[fresh]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                number = int(self.path.rsplit("/", 1)[1])
                status, etag, body = sites.answer(number, self.headers.get("If-None-Match"))
                self.send_response(status)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def prepare(db: Path, sites: FeedSites, chats: int, topics: int, rng: random.Random) -> float:
    """The database of a bot that has polled every feed before (its ETag and old entries
    known), where chat c follows topic c mod ``topics``. Returns when (``time.monotonic()``)
    the daemon's start-up is over and its polls are in their steady rhythm.

    Each feed's next poll is at a random phase of the interval, and no earlier than the
    daemon's start-up would let it be (it starts due feeds ``START_STAGGER`` apart in the
    order it lists them), so each feed is polled every interval from its first poll on.
    """
    store = Store.open(db)
    for chat in range(1, chats + 1):
        store.add_subscription(chat, rules.compile(topic_word(chat % topics)))
    rows = []
    for feed in sites.feeds:
        row = store.add_feed(feed.url, name=f"Feed {feed.number}")
        store.add_articles(row.id, old_articles(feed), seen_at=datetime.now(UTC))
        rows.append((row.id, feed.etag(False)))
    stagger = START_STAGGER.total_seconds()
    now = datetime.now(UTC)
    settled = time.monotonic() + START_UP + stagger * len(rows)
    polls = []
    for position, (feed_id, etag) in enumerate(rows):
        due = now + timedelta(
            seconds=START_UP + stagger * (position + 1) + rng.uniform(0, INTERVAL)
        )
        polled_at = due - timedelta(seconds=INTERVAL)
        polls.append((feed_id, PollOutcome(PollStatus.OK, polled_at, due, etag=etag)))
    store.record_polls(polls)
    store.close()
    return settled


def config_toml(hosts: Sequence[str]) -> str:
    allowed = ", ".join(f'"{host}"' for host in hosts)
    return f"[polling]\ninterval = {INTERVAL}\n[fetch]\nallow_hosts = [{allowed}]\n"


class DaemonLog:
    """Reads the daemon's stderr as it comes (a full pipe would stall it) and keeps its
    warnings and errors."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines = 0
        self.problems: list[str] = []
        self.running = threading.Event()
        """Set at the line the daemon writes once it has connected to Telegram."""
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self.lines += 1
            if "topic-alert is running" in line:
                self.running.set()
            if line.startswith(("WARNING", "ERROR", "CRITICAL", "Traceback")):
                self.problems.append(line.rstrip())

    def join(self) -> None:
        self._thread.join(timeout=10)


@contextmanager
def daemon(config: Path) -> Iterator[tuple[subprocess.Popen[str], DaemonLog]]:
    """``python -m bot run`` on ``config``; SIGTERM at the end, as systemd stops it."""
    process = start(config, FakeBotAPI.token)
    log = DaemonLog(process)
    try:
        yield process, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.join()


def received(api: FakeBotAPI, urls: set[str]) -> tuple[dict[tuple[int, str], float], int]:
    """When each (chat, story URL) first arrived, and how many arrived again."""
    first: dict[tuple[int, str], float] = {}
    again = 0
    for message in api.messages():
        for url in hrefs(message.text):
            if url not in urls:
                continue
            key = (message.chat_id, url)
            if key in first:
                again += 1
            else:
                first[key] = message.sent_at
    return first, again


def outbox_delays(db: Path) -> list[float]:
    """Stored → sent of every alert sent, from the outbox's timestamps (whole seconds)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT created_at, sent_at FROM outbox WHERE sent_at IS NOT NULL"
        ).fetchall()
    finally:
        conn.close()
    return [
        (datetime.fromisoformat(sent) - datetime.fromisoformat(created)).total_seconds()
        for created, sent in rows
    ]


@dataclass(frozen=True)
class Figures:
    feeds: int
    chats: int
    fanout: int
    alerts: int
    """Alerts expected: each story × the chats that follow its topic."""
    offered: float
    """Alerts a second the window asks for, against Telegram's 30."""
    arrived: list[float]
    """Published → arrived, per alert."""
    poll_wait: list[float]
    """Published → first served, per alert."""
    after_poll: list[float]
    """First served → arrived, per alert."""
    stored_sent: list[float]
    lost: int
    twice: int
    rate_limited: int
    answers: Counter[int]
    """The feed servers' responses by status: 304 while a feed is unchanged."""
    log_lines: int
    problems: list[str]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else 0.0


def spread(values: list[float]) -> str:
    """p50 / p95 / max, in seconds."""
    if not values:
        return "-"
    return f"{statistics.median(values):.1f} / {p95(values):.1f} / {max(values):.1f}"


def run(feeds: int, chats: int, fanout: int, window: float, seed: int) -> Figures:
    """One run: set up, start the daemon, publish over ``window`` seconds, wait for alerts."""
    rng = random.Random(seed)
    topics = max(1, chats // fanout)
    followers: Counter[int] = Counter(chat % topics for chat in range(1, chats + 1))
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeBotAPI() as api,
        FeedSites(feeds, topics, rng) as sites,
    ):
        api.enforce_limits = True
        db = Path(tmp) / "bot.db"
        settled = prepare(db, sites, chats, topics, rng)
        config = write_config(Path(tmp), api.base_url, config_toml(sites.hosts))
        stories = {feed.story.url: feed.story for feed in sites.feeds}
        expected = sum(followers[story.topic] for story in stories.values())
        with daemon(config) as (process, log):
            started = time.monotonic()
            wait_until(process, log.running.is_set, "the daemon running", timeout=START_UP)
            print(
                f"  daemon running {time.monotonic() - started:.1f} s after start; publishing "
                f"over {window:.0f} s from {settled - started:.0f} s",
                flush=True,
            )
            time.sleep(max(0.0, settled - time.monotonic()))
            sites.publish(settled, window, rng)
            deadline = settled + window + INTERVAL * 1.1 + expected / 20 + 30
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(2)
                if len(received(api, set(stories))[0]) >= expected:
                    break
        first, twice = received(api, set(stories))
        arrived, poll_wait, after_poll = [], [], []
        for (_, url), moment in first.items():
            story = stories[url]
            assert story.published is not None and story.served is not None
            arrived.append(moment - story.published)
            poll_wait.append(story.served - story.published)
            after_poll.append(moment - story.served)
        return Figures(
            feeds=feeds,
            chats=chats,
            fanout=fanout,
            alerts=expected,
            offered=expected / window,
            arrived=arrived,
            poll_wait=poll_wait,
            after_poll=after_poll,
            stored_sent=outbox_delays(db),
            lost=expected - len(first),
            twice=twice,
            rate_limited=api.rate_limited,
            answers=sites.answers,
            log_lines=log.lines,
            problems=log.problems,
        )


def report(figures: Figures) -> None:
    f = figures
    worst = p95(f.arrived)
    print(
        f"{f.feeds} feeds, {f.chats} chats, each article alerts {f.fanout}: {f.alerts} alerts "
        f"({f.offered:.1f}/s offered, Telegram allows 30/s)"
    )
    print(f"  published → arrived   p50/p95/max s: {spread(f.arrived)}")
    print(f"    wait for the poll   p50/p95/max s: {spread(f.poll_wait)}")
    print(f"    served → arrived    p50/p95/max s: {spread(f.after_poll)}")
    print(f"  stored → sent (outbox, whole s)    : {spread(f.stored_sent)}")
    print(
        f"  p95 {worst:.1f} s against the goal ≤ {GOAL} s: {'met' if worst <= GOAL else 'MISSED'}; "
        f"lost {f.lost}, sent twice {f.twice}, 429s {f.rate_limited}"
    )
    print(
        f"  {f.answers.total()} polls: {f.answers[304]} answered 304, {f.answers[200]} 200 "
        "(one a feed, once its article is out)"
    )
    print(f"  daemon log: {f.log_lines} lines, {len(f.problems)} warnings or errors")
    for line in f.problems[:5]:
        print(f"    {line}")


def table(results: list[Figures]) -> None:
    print(
        "\n| feeds | chats | fan-out | alerts | offered /s | published → arrived p50 / p95 / max s "
        "| poll wait | served → arrived | stored → sent | lost | 429s |"
    )
    print("|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|")
    for f in results:
        print(
            f"| {f.feeds:,} | {f.chats:,} | {f.fanout} | {f.alerts:,} | {f.offered:.1f} "
            f"| {spread(f.arrived)} | {spread(f.poll_wait)} | {spread(f.after_poll)} "
            f"| {spread(f.stored_sent)} | {f.lost} | {f.rate_limited} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, nargs="+", default=[1000])
    parser.add_argument("--chats", type=int, nargs="+", default=[1800])
    parser.add_argument(
        "--fanout", type=int, nargs="+", default=[2], help="chats each article alerts"
    )
    parser.add_argument(
        "--window", type=float, default=120, help="seconds over which the articles appear"
    )
    parser.add_argument(
        "--grid", action="store_true", help=f"feeds {GRID_FEEDS} × chats {GRID_CHATS}"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    feeds, chats = (GRID_FEEDS, GRID_CHATS) if args.grid else (args.feeds, args.chats)
    results = []
    for feed_count, chat_count, fanout in product(feeds, chats, args.fanout):
        results.append(run(feed_count, chat_count, fanout, args.window, args.seed))
        report(results[-1])
    table(results)


if __name__ == "__main__":
    main()
