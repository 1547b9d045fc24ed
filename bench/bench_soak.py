"""Soak benchmark: days of a steady article stream in minutes, to show memory levels off.

Run from the repository root: ``python bench/bench_soak.py`` (72 simulated hours, 1,000
articles an hour; a few minutes) or ``--hours 6 --rate 200`` for a smoke run. No network.

What runs is the daemon's own wiring (``bot.wiring.build``) with its one clock
(``bot.clock``) replaced by one the bench moves on a tick at a time, faster than real time:

* ``FEEDS`` local RSS feeds, served by a process of their own over HTTP as real feeds are,
  each publishing its share of the hour's articles every tick (a document holds the latest
  ``KEPT_TICKS`` ticks' items, so entries already seen come back as they do in real feeds).
  Fetching is not what is measured, so no page is fetched for full text; a fifth of the
  articles are copies of another feed's article of the same tick under a new headline, so
  the story memory groups them.
* ``CHATS`` chats, each following one of ``TOPICS`` topic words; every article names one of
  them, so each is matched (and clustered) and alerts two chats.
* every tick, each feed is polled once (``Pipeline.poll_all``, what the scheduler calls) and
  the sender delivers the outbox (``OutboxSender.deliver_pending``) to a bot that counts
  instead of sending (the demo's ``TerminalChat``, silenced).

Every ``--every`` simulated hours it prints resident memory (VmRSS, and RssAnon: without mapped
files), what tracemalloc traces now and at its peak since the last line (a transient peak
leaves the C heap that large), the database's size on disk (with its WAL), the articles
inside the story window, the alerts sent, and the
time of a ``/list``-equivalent store call (a chat's subscriptions) and a ``/search``
(``bot.search.find`` for a topic word, first page), the real seconds so far, and what Python
holds per article of the window (traced memory grown since the first poll, over the window's
articles: an upper bound, as it counts every other cache too). At ``--snapshot-at`` (a third
of the way in) and at the end it takes tracemalloc snapshots and prints the allocation sites
that grew most between them: where memory goes. The first snapshot stays in memory until the
end, outside what tracemalloc traces but inside RSS (some 100 bytes a traced block: 377 MB of
the process before issue 28), so it is taken before the span whose flatness matters.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench_ingest import answer_feed  # noqa: E402

import rules  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.delivery import Pacer  # noqa: E402
from bot.demo import TerminalChat  # noqa: E402
from bot.runtime import settle_heap  # noqa: E402
from bot.search import find  # noqa: E402
from bot.wiring import Services, build  # noqa: E402

FEEDS = 50
CHATS = 500
TOPICS = 250
TICK = timedelta(minutes=15)
KEPT_TICKS = 4
COPY_EVERY = 5
"""Every fifth article of a feed (after the first feed) is a copy of feed 0's article."""
START = datetime(2026, 1, 5, tzinfo=UTC)
VOCABULARY = [
    a + b + c + d + e
    for a in "bdklmst"
    for b in "aeiou"
    for c in "nrvz"
    for d in "aeiou"
    for e in "kmt"
]
"""6,300 made-up words without digits (a digit is a figure to the story memory): two articles
that are not copies share about as few word pairs as two real ones do."""


class SimulatedClock:
    """The process's clock (a ``bot.clock.Clock``), moved on by the bench, not by time."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


class SilentChat(TerminalChat):
    """The demo's stand-in for ``telegram.Bot``, without printing what it is sent."""

    def _show(self, text: str, options: dict[str, Any]) -> None:
        pass

    async def edit_message_text(self, text: str, **options: Any) -> None:
        pass


def article_words(feed: int, tick: int, n: int) -> tuple[str, str, int]:
    """Title, text and topic of article ``n`` of ``feed`` at ``tick``: a copy of feed 0's
    article ``n`` (new headline, same text) for every ``COPY_EVERY``-th of the other feeds."""
    copy = feed > 0 and n % COPY_EVERY == 0
    rng = random.Random(f"{0 if copy else feed}-{tick}-{n}")
    words = rng.sample(VOCABULARY, 220)
    topic = rng.randrange(TOPICS)
    words[rng.randrange(20, 60)] = f"topic{topic}"
    sentences = [" ".join(words[i : i + 20]).capitalize() + "." for i in range(20, 220, 20)]
    title = " ".join(words[:8]).capitalize()
    if copy:
        title = "Update: " + " ".join(random.Random(f"{feed}-{tick}-{n}").sample(VOCABULARY, 7))
    return title, " ".join(sentences), topic


def feed_document(feed: int, tick: int, per_tick: int) -> bytes:
    entries = []
    for t in range(max(0, tick - KEPT_TICKS + 1), tick + 1):
        when = format_datetime(START + t * TICK)
        for n in range(per_tick):
            title, text, _ = article_words(feed, t, n)
            entries.append(
                f"<item><title>{escape(title)}</title>"
                f"<link>https://site{feed}.example/{t}/{n}</link>"
                f"<guid>f{feed}-{t}-{n}</guid><pubDate>{when}</pubDate>"
                f"<description>{escape(text)}</description></item>"
            )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>https://site{feed}.example/</link>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


def serve(tick: multiprocessing.Value, per_tick: int, port: multiprocessing.Value) -> None:  # type: ignore[valid-type]
    """The feed server process: /feed/<n> is feed n as of the current tick, ETag the tick."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            feed, now = int(self.path.rsplit("/", 1)[1]), tick.value
            answer_feed(self, f'"{now}"', lambda: feed_document(feed, now, per_tick))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Event().wait()


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory (``RssAnon``: without mapped files such as libraries), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status: the bench needs Linux")


def db_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


async def reply_ms(services: Services, chat_id: int) -> tuple[float, float]:
    """Milliseconds of a /list-equivalent and a /search-equivalent store call."""
    start = time.perf_counter()
    await services.store.list_subscriptions(chat_id)
    listed = time.perf_counter()
    rule = rules.compile(f"topic{chat_id % TOPICS}")
    await find(services.store, rule, since=None, up_to=2**62, reader=None)
    return (listed - start) * 1000, (time.perf_counter() - listed) * 1000


def top_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, count: int) -> None:
    print(f"\nallocation sites that grew most (tracemalloc, top {count}):")
    for stat in after.compare_to(before, "lineno")[:count]:
        frame = stat.traceback[0]
        where = frame.filename.replace(str(ROOT) + "/", "")
        print(
            f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+8d} blocks  "
            f"{where}:{frame.lineno}"
        )


async def soak(args: argparse.Namespace, db: Path) -> None:
    ticks_per_hour = timedelta(hours=1) // TICK
    per_tick = max(1, round(args.rate / ticks_per_hour / FEEDS))
    tick, port = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=serve, args=(tick, per_tick, port), daemon=True)
    server.start()
    while not port.value:
        await asyncio.sleep(0.05)
    config = parse_config(
        {
            "storage": {"path": str(db)},
            "polling": {"timeout": 10, "max_age_hours": 6},
            "fetch": {"allow_hosts": ["127.0.0.1"]},
            "feeds": [{"url": f"http://127.0.0.1:{port.value}/feed/{n}"} for n in range(FEEDS)],
        }
    )
    clock = SimulatedClock(START)
    now: Clock = clock
    async with build(config, now=now, pacer=Pacer(per_second=1e6, per_chat_interval=0)) as svc:
        for chat_id in range(1, CHATS + 1):
            rule = rules.compile(f"topic{chat_id % TOPICS}")
            await svc.store.add_subscription(chat_id, rule, limit=10_000)
        await svc.store.sync_config_feeds(config.feeds)
        sender = svc.sender(SilentChat(color=False))  # type: ignore[arg-type]
        print(
            f"{FEEDS} feeds, {per_tick * FEEDS * ticks_per_hour} articles an hour, {CHATS} chats; "
            f"a tick is {TICK.seconds // 60} simulated minutes"
        )
        print(
            " hour  RSS MB  anon MB  traced MB  peak MB  db MB  window  sent    list ms  "
            "search ms  real s  KB/article"
        )
        snapshot: tracemalloc.Snapshot | None = None
        baseline = 0.0  # traced MB after the first poll: what the window adds is counted from it
        started, sent = time.perf_counter(), 0
        for n in range(1, args.hours * ticks_per_hour + 1):
            clock.moment = START + n * TICK
            tick.value = n
            await svc.pipeline.poll_all(await svc.store.list_feeds())
            sent += (await sender.deliver_pending()).sent
            if n == 1:  # the feeds' first poll, which alerts nothing
                settle_heap()  # as the daemon does once start-up has built what lives on
                baseline = tracemalloc.get_traced_memory()[0] / 2**20
            if n % (args.every * ticks_per_hour):
                continue
            hour = n // ticks_per_hour
            listed, searched = await reply_ms(svc, hour % CHATS + 1)
            traced, peak = (size / 2**20 for size in tracemalloc.get_traced_memory())
            tracemalloc.reset_peak()
            window = svc.pipeline.stories.remembered
            per_article = (traced - baseline) * 1024 / window if window else 0.0
            print(
                f"{hour:5d}  {rss_mb():6.1f}  {rss_mb('RssAnon'):7.1f}  {traced:9.1f}  "
                f"{peak:7.1f}  {db_mb(db):5.1f}  {window:6d}  {sent:6d}  {listed:7.2f}  "
                f"{searched:9.2f}  {time.perf_counter() - started:6.0f}  {per_article:10.2f}",
                flush=True,
            )
            if hour == args.snapshot_at:
                snapshot = tracemalloc.take_snapshot()
        if snapshot is not None:
            top_growth(snapshot, tracemalloc.take_snapshot(), args.top)
        story_memory(svc)
    server.terminate()


def story_memory(services: Services) -> None:
    """What the story memory holds, measured by letting it go: traced memory before and after."""
    window = services.pipeline.stories.remembered
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    services.pipeline.stories.forget()
    gc.collect()
    held -= tracemalloc.get_traced_memory()[0]
    print(
        f"\nstory memory: {held / 2**20:.1f} MB for the {window} articles of its window, "
        f"{held / max(window, 1):.0f} bytes an article"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=72, help="simulated hours (72)")
    parser.add_argument("--rate", type=int, default=1000, help="articles an hour (1000)")
    parser.add_argument("--every", type=int, default=6, help="print every N hours (6)")
    parser.add_argument(
        "--snapshot-at", type=int, default=None, help="hour of the first snapshot (1/3 in)"
    )
    parser.add_argument("--top", type=int, default=15, help="allocation sites to print")
    args = parser.parse_args()
    if args.snapshot_at is None:
        args.snapshot_at = args.hours // 3 // args.every * args.every
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        asyncio.run(soak(args, Path(tmp) / "soak.db"))


if __name__ == "__main__":
    main()
