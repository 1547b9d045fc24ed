"""Scheduled digests and quiet hours, read back from the chat in the fake Bot API.

The clock is moved with ``time-machine``: the store and the sender read the time from
``datetime.now``, so a test walks a chat through a day (or a daylight-saving change) in steps
and, after each, runs the sender until it has nothing to do, as the daemon's loop would.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

import rules
from bot.article import Article
from bot.store import AsyncStore, Store
from tests.delivery.queued import CHAT, at, follow, publish
from tests.support.botapi import FakeBotAPI, hrefs, utf16_len
from tests.support.outbox_env import drain, fast_sender

BERLIN = "Europe/Berlin"


async def test_a_daily_topic_gets_one_morning_digest_with_its_items(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT)
    store.set_chat_timezone(CHAT, BERLIN)
    daily = follow(store, "Azerbaijan", "daily 08:00")
    sender = fast_sender(bot, astore)
    morning = publish(store, [daily], ["Baku hosts talks", "Azerbaijan signs a deal"])
    await drain(sender)
    await at(clock, datetime(2026, 12, 3, 20, 0, tzinfo=UTC), sender)
    evening = publish(store, [daily], ["Azerbaijan at night"])

    await at(clock, datetime(2026, 12, 4, 6, 59, tzinfo=UTC), sender)  # 07:59 in Berlin
    assert botapi.messages(CHAT) == []
    await at(clock, datetime(2026, 12, 4, 7, 0, tzinfo=UTC), sender)
    await at(clock, datetime(2026, 12, 4, 9, 0, tzinfo=UTC), sender)

    [digest] = botapi.messages(CHAT)
    lines = digest.plain.splitlines()
    assert lines[0] == "Digest · 3 Dec 08:00 – 4 Dec 08:00 CET"
    assert lines[1] == "#1 Azerbaijan"
    assert lines[2].startswith("• Azerbaijan at night — Wire · 3 Dec 2026, 21:00 CET")
    assert Counter(hrefs(digest.text)) == Counter(morning + evening)
    assert hrefs(digest.text)[0] == evening[0]  # newest first
    assert not digest.silent


async def test_realtime_topics_still_alert_at_once_beside_a_daily_one(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    daily = follow(store, "Azerbaijan", "daily 08:00")
    now = follow(store, '"Eli Cohen"', None)
    publish(store, [daily], ["Azerbaijan news"])
    [both] = publish(store, [daily, now], ["Eli Cohen in Baku"])

    await drain(fast_sender(bot, astore))

    [alert] = botapi.messages(CHAT)
    assert hrefs(alert.text)[0] == both


async def test_a_digest_due_while_the_bot_was_down_goes_out_once_when_it_is_back(
    bot, botapi: FakeBotAPI, tmp_path, clock
) -> None:
    """Queued, scheduled, then the bot stops; it starts again after the digest was due."""
    first = AsyncStore(Store.open(tmp_path / "down.db"))
    hourly = follow(first.sync, "Azerbaijan", "hourly")
    queued = publish(first.sync, [hourly], ["Baku news"])
    await drain(fast_sender(bot, first))
    await first.aclose()

    clock.move_to(datetime(2026, 12, 3, 15, 20, tzinfo=UTC))
    again = AsyncStore(Store.open(tmp_path / "down.db"))
    try:
        await drain(fast_sender(bot, again))
        await drain(fast_sender(bot, again))
    finally:
        await again.aclose()

    [digest] = botapi.messages(CHAT)
    assert digest.plain.splitlines()[0] == "Digest · 3 Dec 12:00 – 3 Dec 13:00 UTC · sent late"
    assert hrefs(digest.text) == queued


async def test_alerts_queued_before_a_crash_are_scheduled_from_when_they_were_queued(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    """No cycle saw the row before the crash: the digest it belonged to is still the one."""
    daily = follow(astore.sync, "Azerbaijan", "daily 08:00")
    queued = publish(astore.sync, [daily], ["Baku news"])

    await at(clock, datetime(2026, 12, 5, 10, 0, tzinfo=UTC), fast_sender(bot, astore))

    [digest] = botapi.messages(CHAT)
    assert digest.plain.splitlines()[0] == "Digest · 3 Dec 08:00 – 4 Dec 08:00 UTC · sent late"
    assert hrefs(digest.text) == queued


async def test_quiet_hours_hold_alerts_and_send_one_digest_when_they_end(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT)
    store.set_chat_timezone(CHAT, BERLIN)
    store.set_chat_quiet(CHAT, "22:00-07:00")
    now = follow(store, "Azerbaijan", None)
    sender = fast_sender(bot, astore)

    clock.move_to(datetime(2026, 12, 3, 21, 30, tzinfo=UTC))  # 22:30 in Berlin
    held = publish(store, [now], ["Late news"])
    await drain(sender)
    clock.move_to(datetime(2026, 12, 4, 3, 0, tzinfo=UTC))
    held += publish(store, [now], ["Night news", "More night news"])
    await at(clock, datetime(2026, 12, 4, 5, 59, tzinfo=UTC), sender)
    assert botapi.messages(CHAT) == []

    await at(clock, datetime(2026, 12, 4, 6, 0, tzinfo=UTC), sender)
    await at(clock, datetime(2026, 12, 4, 7, 0, tzinfo=UTC), sender)
    day = publish(store, [now], ["Morning news"])
    await drain(sender)

    digest, alert = botapi.messages(CHAT)
    assert digest.plain.splitlines()[0] == "Digest · 3 Dec 22:00 – 4 Dec 07:00 CET"
    assert Counter(hrefs(digest.text)) == Counter(held)
    assert hrefs(alert.text)[0] == day[0]


async def test_silent_quiet_hours_deliver_without_a_notification(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT)
    store.set_chat_quiet(CHAT, "22:00-07:00 silent")
    now = follow(store, "Azerbaijan", None)
    sender = fast_sender(bot, astore)

    clock.move_to(datetime(2026, 12, 3, 23, 0, tzinfo=UTC))
    publish(store, [now], ["Night news"])
    await drain(sender)
    clock.move_to(datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    publish(store, [now], ["Morning news"])
    await drain(sender)

    night, morning = botapi.messages(CHAT)
    assert (night.silent, morning.silent) == (True, False)
    assert night.plain.startswith("Night news")


async def test_unsubscribing_drops_what_waits_for_its_digest(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    daily = follow(store, "Azerbaijan", "daily 08:00")
    weekly = follow(store, "Baku", "weekly Mon 09:00")
    publish(store, [daily], ["Azerbaijan news"])
    kept = publish(store, [weekly], ["Baku news"])
    sender = fast_sender(bot, astore)
    await drain(sender)

    store.remove_subscription(daily)
    await at(clock, datetime(2026, 12, 8, 12, 0, tzinfo=UTC), sender)

    [digest] = botapi.messages(CHAT)
    assert hrefs(digest.text) == kept
    assert digest.plain.splitlines()[1] == "#2 Baku"  # a topic keeps its number
    statuses = Counter(s for (s,) in store.conn.execute("SELECT status FROM outbox"))
    assert statuses == Counter({"dropped": 1, "sent": 1})


async def test_a_story_matched_by_two_scheduled_topics_is_listed_once(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    first = follow(store, "Azerbaijan", "daily 08:00")
    second = follow(store, "Baku", "daily 08:00")
    [url] = publish(store, [first, second], ["Baku, Azerbaijan"])

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), fast_sender(bot, astore))

    [digest] = botapi.messages(CHAT)
    assert hrefs(digest.text) == [url]
    assert digest.plain.splitlines()[2].endswith("also: #2 Baku")


async def test_a_story_told_by_two_sources_is_one_line_linking_both(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    daily = follow(store, "Azerbaijan", "daily 08:00")
    feed = store.add_feed("https://other.example/rss", name="Other")
    [first] = publish(store, [daily], ["Azerbaijan signs a deal"])
    original = store.conn.execute("SELECT id FROM articles WHERE url = ?", (first,)).fetchone()[0]
    copy = Article(
        id="copy",
        feed_url=feed.url,
        url="https://other.example/deal",
        title="Azerbaijan signs the deal",
        text="",
        published=datetime.now(UTC),
        source="Other Daily",
    )
    [stored] = store.add_articles(feed.id, [copy], seen_at=datetime.now(UTC))
    store.enqueue_alerts({(CHAT, stored.rowid): [daily]}, stories={stored.rowid: original})
    sender = fast_sender(bot, astore)
    await drain(sender)

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), sender)
    await at(clock, datetime(2026, 12, 5, 8, 0, tzinfo=UTC), sender)

    [digest] = botapi.messages(CHAT)
    assert hrefs(digest.text) == [first, "https://other.example/deal"]
    assert '<a href="https://other.example/deal">Other Daily</a>' in digest.text
    assert "— Wire, Other Daily · 3 Dec 2026, 12:00 UTC" in digest.plain.splitlines()[2]
    shown = store.conn.execute("SELECT status, shown_as FROM outbox ORDER BY id").fetchall()
    assert shown == [("sent", "digest"), ("sent", "also")]


def story_copies(store: Store, daily: int, first: str, sources: list[str]) -> list[str]:
    """Copies of the story at ``first``, one from each of ``sources``' feeds, queued after it
    as polls queue them; their links."""
    original = store.conn.execute("SELECT id FROM articles WHERE url = ?", (first,)).fetchone()[0]
    urls = []
    for n, source in enumerate(sources):
        feed = store.add_feed(f"https://copy{n}.example/rss", name=source)
        url = f"https://copy{n}.example/{'azerbaijan-deal-' * 8}{n}"
        copy = Article(str(n), feed.url, url, "Azerbaijan signs the deal", "", None, source)
        [stored] = store.add_articles(feed.id, [copy], seen_at=datetime.now(UTC))
        store.enqueue_alerts({(CHAT, stored.rowid): [daily]}, stories={stored.rowid: original})
        urls.append(url)
    return urls


async def test_a_story_told_by_five_sources_links_each_in_order_and_counts_the_rest(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    daily = follow(store, "Azerbaijan", "daily 08:00")
    [first] = publish(store, [daily], ["Azerbaijan signs a deal"])
    sources = ["Other Daily", "Caspian Post", "Baku Herald", "Desk Four"]
    urls = story_copies(store, daily, first, sources)

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), fast_sender(bot, astore))

    [digest] = botapi.messages(CHAT)
    assert hrefs(digest.text) == [first, *urls], "the title, then each other source, in order"
    line = digest.plain.splitlines()[2]
    assert "— Wire, Other Daily, Caspian Post and 2 more outlets: [4] [5] · 3 Dec" in line
    assert f'<a href="{urls[0]}">Other Daily</a>' in digest.text
    assert f'<a href="{urls[3]}">[5]</a>' in digest.text
    shown = store.conn.execute("SELECT shown_as FROM outbox ORDER BY id").fetchall()
    assert shown == [("digest",), *[("also",)] * len(sources)]


async def test_sources_past_what_a_digest_line_holds_come_on_their_own(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    daily = follow(store, "Azerbaijan", "daily 08:00")
    [first] = publish(store, [daily], ["Azerbaijan signs a deal"])
    urls = story_copies(store, daily, first, [f"Outlet {n}" for n in range(40)])

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), fast_sender(bot, astore))
    store.set_frequency(daily, None)  # what the digest could not name now comes at once
    await at(clock, datetime(2026, 12, 4, 8, 1, tzinfo=UTC), fast_sender(bot, astore))

    digest, *alone = botapi.messages(CHAT)
    named = hrefs(digest.text)[1:]
    assert 3 < len(named) < len(urls)
    assert named == urls[: len(named)]
    assert alone, "the rest came as alerts of their own"
    assert botapi.links(CHAT) == Counter([first, *urls]), "every outlet once, none lost"
    assert all(utf16_len(message.text) <= 4096 for message in botapi.messages(CHAT))


async def test_a_topic_made_realtime_sends_what_waited_for_its_digest_at_once(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    weekly = follow(store, "Azerbaijan", "weekly Mon 08:00")
    waiting = publish(store, [weekly], ["Azerbaijan news"])
    sender = fast_sender(bot, astore)
    await drain(sender)
    assert botapi.messages(CHAT) == []

    store.set_frequency(weekly, None)
    await drain(sender)

    [alert] = botapi.messages(CHAT)
    assert hrefs(alert.text)[0] == waiting[0]
    assert alert.plain.startswith("Azerbaijan news")


async def test_a_long_digest_is_split_between_lines_and_says_what_follows(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    daily = follow(astore.sync, "Azerbaijan", "daily 08:00")
    title = "Azerbaijan & Israel <sign> a deal 🤝 on water and trade, and talks go on " * 2
    urls = publish(astore.sync, [daily], [f"{n}: {title}" for n in range(60)])

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), fast_sender(bot, astore))

    pages = botapi.messages(CHAT)
    assert len(pages) > 1
    assert Counter(link for page in pages for link in hrefs(page.text)) == Counter(urls)
    listed = 0
    for number, page in enumerate(pages, start=1):
        assert utf16_len(page.text) <= 4096
        lines = page.plain.splitlines()
        assert lines[0].endswith(f"({number}/{len(pages)})")
        assert lines[1] == "#1 Azerbaijan"
        listed += len(hrefs(page.text))
        if number < len(pages):
            more = len(urls) - listed
            assert lines[-1] == f"{more} more in the next message{'s' if more > 1 else ''} ⤵"


@pytest.mark.parametrize(
    ("zone", "change"),
    [
        (BERLIN, datetime(2026, 3, 29, tzinfo=UTC)),  # 02:00 → 03:00
        (BERLIN, datetime(2026, 10, 25, tzinfo=UTC)),  # 03:00 → 02:00
        ("America/New_York", datetime(2026, 3, 8, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 11, 1, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("at_time", ["08:00", "02:30"])
async def test_daylight_saving_changes_neither_skip_nor_double_a_daily_digest(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock, zone, change, at_time
) -> None:
    """Four days around the change, an article every hour, the sender every 20 minutes:
    one digest a day, each listing what came since the one before. 02:30 does not exist on
    the night clocks jump forward, and happens twice on the night they fall back."""
    store = astore.sync
    store.upsert_chat(CHAT)
    store.set_chat_timezone(CHAT, zone)
    daily = follow(store, "Azerbaijan", f"daily {at_time}")
    sender = fast_sender(bot, astore)
    published: list[str] = []
    moment = change - timedelta(days=2)
    while moment < change + timedelta(days=2):
        clock.move_to(moment)
        if moment.minute == 0:
            published += publish(store, [daily], [f"Azerbaijan at {moment:%d %H:%M}"])
        await drain(sender)
        moment += timedelta(minutes=20)

    digests = botapi.messages(CHAT)
    assert len(digests) == 4
    assert sum(len(hrefs(d.text)) for d in digests) == len(set().union(*map(hrefs_of, digests)))
    days = [d.plain.splitlines()[0].split("– ")[1].split(" ")[0] for d in digests]
    assert len(set(days)) == 4, days
    assert all(not d.plain.splitlines()[0].endswith("sent late") for d in digests)
    sent = {link for d in digests for link in hrefs(d.text)}
    assert sent <= set(published)


def hrefs_of(message) -> set[str]:
    return set(hrefs(message.text))


async def test_a_digest_telegram_could_not_take_goes_out_once_after_the_backoff(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    daily = follow(astore.sync, "Azerbaijan", "daily 08:00")
    queued = publish(astore.sync, [daily], ["Azerbaijan news", "More Azerbaijan news"])
    sender = fast_sender(bot, astore)
    botapi.inject("sendMessage", status=502)

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), sender)
    assert botapi.messages(CHAT) == []
    await at(clock, datetime(2026, 12, 4, 8, 1, tzinfo=UTC), sender)
    await at(clock, datetime(2026, 12, 4, 9, 0, tzinfo=UTC), sender)

    [digest] = botapi.messages(CHAT)
    assert digest.plain.splitlines()[0] == "Digest · 3 Dec 08:00 – 4 Dec 08:00 UTC"
    assert Counter(hrefs(digest.text)) == Counter(queued)


async def test_a_digest_telegram_refuses_fails_its_rows_and_is_not_sent_again(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    daily = follow(astore.sync, "Azerbaijan", "daily 08:00")
    publish(astore.sync, [daily], ["Azerbaijan news"])
    sender = fast_sender(bot, astore)
    botapi.inject("sendMessage", status=400, description="Bad Request: injected")

    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), sender)
    await at(clock, datetime(2026, 12, 5, 8, 0, tzinfo=UTC), sender)

    assert botapi.messages(CHAT) == []
    [(status, reason)] = astore.sync.conn.execute("SELECT status, last_error FROM outbox")
    assert (status, reason) == ("failed", "Injected")


async def test_a_digest_due_in_quiet_hours_comes_when_they_end(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    store = astore.sync
    store.upsert_chat(CHAT)
    store.set_chat_quiet(CHAT, "22:00-07:00")
    daily = follow(store, "Azerbaijan", "daily 06:00")
    queued = publish(store, [daily], ["Azerbaijan news"])
    sender = fast_sender(bot, astore)

    await at(clock, datetime(2026, 12, 4, 6, 0, tzinfo=UTC), sender)
    assert botapi.messages(CHAT) == []
    await at(clock, datetime(2026, 12, 4, 7, 0, tzinfo=UTC), sender)
    await at(clock, datetime(2026, 12, 4, 8, 0, tzinfo=UTC), sender)

    [digest] = botapi.messages(CHAT)
    assert digest.plain.splitlines()[0] == "Digest · 3 Dec 06:00 – 4 Dec 07:00 UTC"
    assert hrefs(digest.text) == queued


async def test_a_forum_topic_s_digest_goes_to_its_thread(
    bot, botapi: FakeBotAPI, astore: AsyncStore, clock
) -> None:
    group = -100200
    store = astore.sync
    sub = store.add_subscription(
        group, rules.compile("Azerbaijan"), thread_id=77, frequency="hourly"
    )
    feed = store.add_feed("https://wire.example/rss", name="Wire")
    [stored] = store.add_articles(
        feed.id,
        [Article("t", feed.url, "https://wire.example/t", "Azerbaijan", "", None, "Wire")],
        seen_at=datetime.now(UTC),
    )
    store.enqueue_alerts({(group, stored.rowid): [sub.id]}, thread_ids={sub.id: 77})

    await at(clock, datetime(2026, 12, 3, 13, 0, tzinfo=UTC), fast_sender(bot, astore))

    [digest] = botapi.messages(group)
    assert (digest.thread_id, hrefs(digest.text)) == (77, ["https://wire.example/t"])
