"""Delivery benchmark: alerts through the fake Bot API with Telegram's flood limits enforced.

Run from the repository root: ``python bench/bench_delivery.py`` (``--case spread``,
``--case burst`` or ``--case stories`` for one of them). No network; each case takes about a
minute by nature, since Telegram allows 30 messages a second and the point is to show the
sender uses that budget (target ≥ 97% of it) without ever being told to slow down (0 × 429),
losing an alert or sending one twice.

* ``spread``: 2,000 pending outbox rows, 4 alerts each for 500 chats, sent from the outbox.
* ``burst`` (issue 28): 200 alerts for each of 50 chats, sent as digests of several pages. It
  prints the total time and when the last chat got its first page and its last: a chat
  waiting out its own pace (a page a second) must not hold back the others.
* ``stories`` (issue 9): one feed publishes four short, distinct stories that share a
  background sentence; 300 chats follow ``Israel + Azerbaijan``. Everything is real: a local
  feed server, the pipeline (poll → match → stories → outbox) and the OutboxSender. It prints
  the (chat, article) pairs a chat can see against those expected, what was lost or sent
  twice, the 429s, the most sends any rolling second held (from the fake's arrival times) and
  the sustained rate.

The fake Bot API runs in a process of its own, as Telegram would: in the bot's process its
server threads waited for the interpreter lock behind the event loop, which delayed the
arrival times it records by several milliseconds at random.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import logging
import multiprocessing
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_httpserver import HTTPServer  # noqa: E402
from telegram import Bot  # noqa: E402

import rules  # noqa: E402
from bot.article import Article  # noqa: E402
from bot.delivery import OutboxSender, Pacer, render_outbox_row  # noqa: E402
from bot.matching import SubscriptionMatcher  # noqa: E402
from bot.store import AsyncStore, Store  # noqa: E402
from tests.support.botapi import FakeBotAPI  # noqa: E402
from tests.support.pipeline_env import FeedServer, close_env, item, make_config, open_env  # noqa: E402
from tests.support.story_pairs import labelled_articles  # noqa: E402

LIMIT = 30
"""Telegram's overall limit, messages a second."""
ALERTS = 2000
CHATS = 500
TEXT = "Israeli President Isaac Herzog landed in Baku. Israel and Azerbaijan signed deals."
BURST_CHATS = 50
BURST_ALERTS = 200
ALERT = re.compile(r"Alert (\d+):")
"""How a digest line names its alert (``fill_outbox``'s titles)."""
STORY_CHATS = 300
STORIES = ("trade-office", "direct-flights", "water-pact", "university-degree")
"""The issue's four stories (tests/data/stories/pairs.json), each with the shared sentence."""


@dataclass(frozen=True)
class Received:
    """What the fake Bot API saw, sent back from its process."""

    messages: list[tuple[int, str, float]]
    """(chat id, visible text, ``time.monotonic()`` of its arrival) of every message the chats
    hold, in arrival order."""
    arrivals: list[float]
    """``time.monotonic()`` of every sendMessage request, refused ones included."""
    rate_limited: int


def serve_fake_api(conn: Connection) -> None:
    """The fake Bot API's process: serve with flood limits on until told, then report."""
    with FakeBotAPI() as api:
        api.enforce_limits = True
        conn.send(api.base_url)
        conn.recv()
        messages = [(m.chat_id, m.plain, m.sent_at) for m in api.messages()]
        conn.send(Received(messages, api.arrivals("sendMessage"), api.rate_limited))


@contextmanager
def fake_api_process() -> Iterator[tuple[str, Connection]]:
    """The base URL of a fake Bot API in its own process, and the pipe to ask it for what it
    received (send anything, then receive a :class:`Received`)."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=serve_fake_api, args=(theirs,))
    process.start()
    try:
        yield ours.recv(), ours
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()


def received(conn: Connection) -> Received:
    conn.send("done")
    return conn.recv()


def fill_outbox(store: Store, alerts: int = ALERTS, chats: int = CHATS) -> None:
    """One subscription per chat (ids 1 to ``chats``); alert k is article k for chat
    k mod chats, as a feed burst matched by many chats leaves them (oldest first, chats
    interleaved)."""
    feed = store.add_feed("https://www.jpost.com/rss", name="The Jerusalem Post")
    subs = {
        chat: store.add_subscription(chat, rules.compile("Israel + Azerbaijan")).id
        for chat in range(1, chats + 1)
    }
    articles = [
        Article(
            id=str(k),
            feed_url=feed.url,
            url=f"https://www.jpost.com/a/{k}",
            title=f"Alert {k}: Herzog visits Azerbaijan",
            text=TEXT,
            published=datetime(2023, 5, 28, 15, 5, tzinfo=UTC),
            source="The Jerusalem Post",
        )
        for k in range(alerts)
    ]
    stored = store.add_articles(feed.id, articles, seen_at=datetime.now(UTC))
    matches = {}
    for k, article in enumerate(stored):
        chat = k % chats + 1
        matches[(chat, article.rowid)] = [subs[chat]]
    store.enqueue_alerts(matches)


async def deliver_all(base_url: str, astore: AsyncStore) -> float:
    """Drain the outbox; returns the seconds it took."""
    async with Bot(FakeBotAPI.token, base_url=base_url) as bot:
        sender = OutboxSender(
            bot,
            astore,
            pacer=Pacer(),
            render=partial(render_outbox_row, explain=SubscriptionMatcher(astore).explain),
        )
        started = time.perf_counter()
        while (await sender.deliver_pending()).touched:
            pass
        return time.perf_counter() - started


def most_in_one_second(times: list[float]) -> int:
    """The most arrivals any closed window [t, t + 1 s] holds."""
    ordered = sorted(times)
    counts = (bisect.bisect_right(ordered, t + 1.0) - i for i, t in enumerate(ordered))
    return max(counts, default=0)


def sustained_rate(times: list[float]) -> float:
    """Sends a second from the first arrival to the last."""
    ordered = sorted(times)
    return (len(ordered) - 1) / (ordered[-1] - ordered[0]) if len(ordered) > 1 else 0.0


def print_flood_figures(api: Received) -> None:
    arrivals = api.arrivals
    rate = sustained_rate(arrivals)
    print(f"429 answers: {api.rate_limited} (target 0)")
    print(f"most sends in any rolling second: {most_in_one_second(arrivals)} (target <= {LIMIT})")
    print(f"sustained rate: {rate:.2f} msg/s, {rate / LIMIT:.1%} of the limit (target >= 97%)")


def bench_burst() -> None:
    alerts = BURST_CHATS * BURST_ALERTS
    with tempfile.TemporaryDirectory() as tmp, fake_api_process() as (base_url, conn):
        store = Store.open(Path(tmp) / "bench.db")
        fill_outbox(store, alerts, BURST_CHATS)
        started = time.monotonic()
        seconds = asyncio.run(deliver_all(base_url, AsyncStore(store)))
        api = received(conn)
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        for chat, _, at in api.messages:
            first.setdefault(chat, at - started)
            last[chat] = at - started
        shown = Counter(
            (chat, number) for chat, text, _ in api.messages for number in ALERT.findall(text)
        )
        print(f"burst: {alerts} alerts, {BURST_ALERTS} for each of {BURST_CHATS} chats, as digests")
        print(f"total time: {seconds:.1f} s for {len(api.messages)} messages")
        print(f"the last chat's first page arrived at {max(first.values()):.1f} s")
        print(f"the last chat's last page arrived at {max(last.values()):.1f} s")
        print(f"lost: {alerts - len(shown)}, duplicates: {sum(shown.values()) - len(shown)}")
        print_flood_figures(api)
        store.close()


def bench_spread() -> None:
    with tempfile.TemporaryDirectory() as tmp, fake_api_process() as (base_url, conn):
        store = Store.open(Path(tmp) / "bench.db")
        fill_outbox(store)
        astore = AsyncStore(store)
        seconds = asyncio.run(deliver_all(base_url, astore))
        stats = store.stats()
        api = received(conn)
        shown = Counter((chat, text.splitlines()[0]) for chat, text, _ in api.messages)
        sent = sum(shown.values())
        print(f"spread: {ALERTS} alerts to {CHATS} chats from the outbox, flood limits enforced")
        print(f"total time: {seconds:.1f} s")
        print(
            f"lost: {ALERTS - len(shown)} (outbox pending {stats.outbox_pending}, "
            f"failed {stats.outbox_failed})"
        )
        print(f"duplicates: {sent - len(shown)}")
        print_flood_figures(api)
        store.close()


async def poll_and_deliver(base_url: str, feeds: HTTPServer, db: Path) -> float:
    """Subscribe the chats, poll the feed before and after it publishes the stories, drain
    the outbox; returns the seconds delivery took."""
    env, fetcher = await open_env(make_config(db, parse_workers=-1))
    try:
        for chat in range(1, STORY_CHATS + 1):
            env.subscribe(chat, "Israel + Azerbaijan")
        server = FeedServer(feeds)
        url = server.publish("/caspian.xml", [])
        await env.poll(url)  # a feed's first poll is its backlog and never alerts
        articles = labelled_articles()
        server.publish(
            "/caspian.xml",
            [
                item(name, articles[name].title, link=articles[name].link, text=articles[name].text)
                for name in STORIES
            ],
        )
        result = await env.poll(url)
        print(f"stories: one feed publishes {result.new_articles} stories, {result.alerts} alerts")
        return await deliver_all(base_url, env.astore)
    finally:
        await close_env(env, fetcher)


def bench_stories() -> None:
    articles = labelled_articles()
    titles = {articles[name].title for name in STORIES}
    with (
        tempfile.TemporaryDirectory() as tmp,
        fake_api_process() as (base_url, conn),
        HTTPServer() as feeds,
    ):
        seconds = asyncio.run(poll_and_deliver(base_url, feeds, Path(tmp) / "bench.db"))
        api = received(conn)
        shown = Counter(
            (chat, title) for chat, text, _ in api.messages for title in titles if title in text
        )
        expected = STORY_CHATS * len(STORIES)
        print(
            f"{len(STORIES)} short distinct stories with a shared sentence to {STORY_CHATS} "
            f"chats: delivery took {seconds:.1f} s"
        )
        print(f"pairs a chat can see: {len(shown)} of {expected} expected")
        print(f"lost: {expected - len(shown)}")
        print(f"duplicates: {sum(shown.values()) - len(shown)}")
        print_flood_figures(api)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=("spread", "burst", "stories", "all"), default="all")
    case = parser.parse_args().case
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per feed request
    if case in ("spread", "all"):
        bench_spread()
    if case in ("burst", "all"):
        bench_burst()
    if case in ("stories", "all"):
        bench_stories()


if __name__ == "__main__":
    main()
