"""One alert per story, and never a copy the chat cannot see.

A later copy of a story is named, linked, on the story's first alert ("Also: <a>Source B</a>")
and counts as delivered only once that edit is made. Whenever it cannot be (Telegram refuses
the edit, the first alert failed or went out in a digest, the copy has no link, the alert would
grow too long) the copy arrives as an alert of its own. Every test reads the chat's messages as
they look after all edits: each article's link must be there exactly once.
"""

from __future__ import annotations

from collections import Counter

import pytest

import rules
from bot.delivery import RenderedAlert
from bot.delivery.format import also_line
from bot.markup import link
from bot.store import AsyncStore, OutboxRow, Store
from tests.delivery.queued import FIRST, STORY_CHAT, follow_story, store_article
from tests.support.bidi_layout import drawn, drawn_as_written, reads_right_to_left, unmarked
from tests.support.botapi import hrefs
from tests.support.outbox_env import drain, fast_sender


def queue_story(store: Store, sub: int, copies: list[tuple[str, str | None]]) -> None:
    """The first article and its copies, queued together as one poll leaves them."""
    first = store_article(store, "World Desk", FIRST)
    rowids = [store_article(store, source, url) for source, url in copies]
    store.enqueue_alerts(
        {(STORY_CHAT, rowid): [sub] for rowid in [first, *rowids]},
        stories=dict.fromkeys(rowids, first),
    )


def outbox(astore: AsyncStore) -> list[tuple[str | None, str, str | None, str | None]]:
    """(article URL, status, shown_as, last_error) per row, in queue order."""
    return astore.sync.conn.execute(
        """SELECT articles.url, status, shown_as, last_error FROM outbox
           JOIN articles ON articles.id = article_id ORDER BY outbox.id"""
    ).fetchall()


async def test_copies_from_other_sources_are_linked_on_the_first_alert(bot, botapi, astore) -> None:
    store = astore.sync
    sub = follow_story(store)
    first = store_article(store, "World Desk", FIRST)
    assert store.enqueue_alerts({(STORY_CHAT, first): [sub]}) == 1
    sender = fast_sender(bot, astore)
    await sender.deliver_pending()
    [alert] = botapi.messages(STORY_CHAT)
    assert "Also:" not in alert.plain

    copies = {"Regional News": "https://regional.example/h", "Wire Service": "https://w.example/h"}
    for source, url in copies.items():
        copy = store_article(store, source, url)
        queued = store.enqueue_alerts({(STORY_CHAT, copy): [sub]}, stories={copy: first})
        assert queued == 0, "a copy of a story already alerted queues no new message"
    report = await sender.deliver_pending()

    [alert] = botapi.messages(STORY_CHAT)
    assert alert.plain.count("Herzog to visit Azerbaijan") == 1
    assert alert.plain.splitlines()[-1] == "Also: Regional News, Wire Service"
    assert '<a href="https://regional.example/h">Regional News</a>' in alert.text
    assert botapi.links(STORY_CHAT) == Counter([FIRST, *copies.values()])
    assert report.merged == 2
    assert [row[1:3] for row in outbox(astore)] == [("sent", "alert"), *[("sent", "also")] * 2]
    assert {m for (m,) in store.conn.execute("SELECT message_id FROM outbox")} == {alert.message_id}


OUTLETS = ["Regional News", "Wire Service", "Caspian Daily", "Baku Post", "Tel Aviv Times"]


async def six_outlets_carry_the_story(bot, astore: AsyncStore) -> list[str]:
    """The story alerted from its first outlet, then each of OUTLETS' copies arriving one by
    one (:func:`copies_arrive_one_by_one`); the copies' links, in the order they arrived."""
    store = astore.sync
    sub = follow_story(store)
    first = store_article(store, "World Desk", FIRST)
    store.enqueue_alerts({(STORY_CHAT, first): [sub]})
    sender = fast_sender(bot, astore)
    await drain(sender)
    return await copies_arrive_one_by_one(store, sender, sub, first)


async def copies_arrive_one_by_one(store: Store, sender, sub: int, first: int) -> list[str]:
    """Each outlet's copy of the story is queued in a poll of its own, the sender run after
    each, as the daemon would: the alert is edited once per copy. The copies' links, in the
    order they arrived."""
    urls = []
    for n, source in enumerate(OUTLETS):
        url = f"https://outlet{n}.example/herzog"
        copy = store_article(store, source, url)
        store.enqueue_alerts({(STORY_CHAT, copy): [sub]}, stories={copy: first})
        await drain(sender)
        urls.append(url)
    return urls


async def test_a_story_carried_by_six_outlets_links_each_in_arrival_order_and_counts_them(
    bot, botapi, astore
) -> None:
    urls = await six_outlets_carry_the_story(bot, astore)

    [alert] = botapi.messages(STORY_CHAT)
    assert len(alert.edits) == len(OUTLETS)
    assert hrefs(alert.text) == [FIRST, *urls], "every outlet linked, in the order it came"
    assert alert.plain.splitlines()[-1] == (
        "Also: Regional News, Wire Service, Caspian Daily and 2 more outlets: [5] [6]"
    )
    assert f'<a href="{urls[3]}">[5]</a> <a href="{urls[4]}">[6]</a>' in alert.text
    assert [row[2] for row in outbox(astore)] == ["alert", *["also"] * len(OUTLETS)]


@pytest.mark.parametrize(
    ("language", "also", "more"),
    [
        ("ru", "Также: ", "и ещё 2 издания: [5] [6]"),
        ("he", "ראו גם: ", "ועוד 2 כלי תקשורת: [5] [6]"),
        ("ar", "أيضًا في: ", "و2 وسيلتا إعلام أخريان: [5] [6]"),
    ],
)
async def test_the_count_of_outlets_is_in_the_chats_language_and_reads_in_its_direction(
    bot, botapi, astore, language: str, also: str, more: str
) -> None:
    astore.sync.upsert_chat(STORY_CHAT)
    astore.sync.set_chat_language(STORY_CHAT, language)
    urls = await six_outlets_carry_the_story(bot, astore)

    [alert] = botapi.messages(STORY_CHAT)
    line = alert.plain.splitlines()[-1]
    assert unmarked(line).startswith(also) and unmarked(line).endswith(more)
    assert hrefs(alert.text) == [FIRST, *urls]
    if language in ("he", "ar"):
        assert reads_right_to_left(line)
        for name in [*OUTLETS[:3], "[5]", "[6]"]:
            assert drawn_as_written(line, name), f"{name} in {drawn(line)!r}"


async def test_four_stories_of_one_feed_taken_for_copies_all_stay_visible(
    bot, botapi, astore
) -> None:
    """Issue 9: one feed's four distinct items judged one story. Naming the copies by their
    feed alone left the alert unchanged ("message is not modified") and three articles unseen;
    named by their own links, each one is there to open."""
    store = astore.sync
    urls = [f"https://caspian.example/{slug}" for slug in ("trade", "flights", "water")]
    queue_story(store, follow_story(store), [("World Desk", url) for url in urls])

    await drain(fast_sender(bot, astore))

    [alert] = botapi.messages(STORY_CHAT)
    assert alert.plain.splitlines()[-1] == "Also: World Desk, World Desk, World Desk"
    assert botapi.links(STORY_CHAT) == Counter([FIRST, *urls])
    assert [row[2] for row in outbox(astore)] == ["alert", "also", "also", "also"]


@pytest.mark.parametrize(
    "refusal",
    [
        "Bad Request: message is not modified: specified new message content and reply "
        "markup are exactly the same as a current content and reply markup of the message",
        "Bad Request: message can't be edited",
        "Bad Request: message to edit not found",
    ],
)
async def test_a_refused_edit_sends_the_copy_as_an_alert_of_its_own(
    bot, botapi, astore, refusal
) -> None:
    store = astore.sync
    copy = "https://regional.example/herzog"
    queue_story(store, follow_story(store), [("Regional News", copy)])
    botapi.inject("editMessageText", status=400, description=refusal)

    reports = await drain(fast_sender(bot, astore))

    first, second = botapi.messages(STORY_CHAT)
    assert "Also:" not in first.plain
    assert second.text.startswith(f'<b><a href="{copy}">Herzog to visit Azerbaijan</a></b>')
    assert botapi.links(STORY_CHAT) == Counter([FIRST, copy])
    [_, (_, status, shown_as, reason)] = outbox(astore)
    assert (status, shown_as) == ("sent", "alert")
    assert reason.startswith("not named on its first alert: Telegram refused the edit: ")
    assert sum(r.alone for r in reports) == 1
    assert sum(r.merged for r in reports) == 0
    stats = store.stats()
    assert (stats.alone_today, stats.copies_alone_today, stats.also_today) == (1, 1, 0)


async def test_a_bot_blocked_before_the_edit_shows_the_copy_nowhere_and_says_so(
    bot, botapi, astore
) -> None:
    store = astore.sync
    queue_story(store, follow_story(store), [("Regional News", "https://regional.example/herzog")])
    botapi.inject("editMessageText", status=403, chat_id=STORY_CHAT)
    sender = fast_sender(bot, astore)
    await sender.deliver_pending()  # the first alert goes out; then the user blocks the bot
    botapi.inject("sendMessage", status=403, chat_id=STORY_CHAT)

    await drain(sender)

    [alert] = botapi.messages(STORY_CHAT)
    assert "Also:" not in alert.plain
    assert [row[1:3] for row in outbox(astore)] == [("sent", "alert"), ("failed", None)]
    assert outbox(astore)[1][3] == "blocked by the user"
    assert not store.get_chat(STORY_CHAT).active


async def test_a_copy_of_an_alert_that_went_out_in_a_digest_comes_on_its_own(
    bot, botapi, astore
) -> None:
    store = astore.sync
    sub = follow_story(store)
    others = [
        store_article(store, "Daily", f"https://daily.example/{n}", f"N{n}") for n in range(11)
    ]
    store.enqueue_alerts({(STORY_CHAT, rowid): [sub] for rowid in others})
    copy = "https://regional.example/herzog"
    queue_story(store, sub, [("Regional News", copy)])

    await drain(fast_sender(bot, astore))

    digest, alone = botapi.messages(STORY_CHAT)
    assert digest.plain.startswith("12 new alerts")
    assert alone.text.startswith(f'<b><a href="{copy}">')
    assert sum(botapi.links(STORY_CHAT).values()) == 13
    assert set(botapi.links(STORY_CHAT).values()) == {1}
    assert outbox(astore)[-1][1:] == (
        "sent",
        "alert",
        "not named on its first alert: it went out in a digest",
    )


async def test_a_copy_of_an_alert_that_failed_comes_on_its_own(bot, botapi, astore) -> None:
    store = astore.sync
    copy = "https://regional.example/herzog"
    queue_story(store, follow_story(store), [("Regional News", copy)])
    botapi.inject("sendMessage", status=400, description="Bad Request: some refusal")

    await drain(fast_sender(bot, astore))

    [alone] = botapi.messages(STORY_CHAT)
    assert alone.plain.startswith("Herzog to visit Azerbaijan\nRegional News")
    assert botapi.links(STORY_CHAT) == Counter([copy])
    assert [row[1:3] for row in outbox(astore)] == [("failed", None), ("sent", "alert")]


async def test_a_copy_waits_while_its_first_alert_waits(bot, botapi, astore) -> None:
    store = astore.sync
    copy = "https://regional.example/herzog"
    queue_story(store, follow_story(store), [("Regional News", copy)])
    botapi.inject("sendMessage", status=502, description="Bad Gateway")
    sender = fast_sender(bot, astore)

    await drain(sender)
    waiting = [row[1] for row in outbox(astore)]
    store.conn.execute("UPDATE outbox SET not_before = NULL")  # the backoff has passed
    await drain(sender)

    assert waiting == ["pending", "merged"]
    [alert] = botapi.messages(STORY_CHAT)
    assert botapi.links(STORY_CHAT) == Counter([FIRST, copy])
    assert alert.plain.splitlines()[-1] == "Also: Regional News"


async def test_a_copy_that_would_overfill_the_alert_comes_on_its_own(bot, botapi, astore):
    store = astore.sync
    copy = "https://regional.example/herzog"
    queue_story(store, follow_story(store), [("Regional News", copy)])

    async def full_render(row: OutboxRow, *, also=()) -> RenderedAlert:
        """An alert that already fills almost all of a message."""
        article = row.article.article
        footer = f"\n{also_line(also)}" if also else ""
        return RenderedAlert(f"<b>{link(article.title, article.url)}</b>\n{'x' * 4000}{footer}")

    await drain(fast_sender(bot, astore, render=full_render))

    assert len(botapi.messages(STORY_CHAT)) == 2
    assert botapi.links(STORY_CHAT) == Counter([FIRST, copy])
    assert outbox(astore)[1][3].endswith("the alert would be longer than 4096 characters")


async def test_sources_past_what_one_alert_can_name_come_on_their_own(bot, botapi, astore):
    store = astore.sync
    urls = [f"https://s{n}.example/{'story-' * 20}{n}" for n in range(30)]
    queue_story(store, follow_story(store), [(f"Source {n}", url) for n, url in enumerate(urls)])

    await drain(fast_sender(bot, astore))

    alert, *rest = botapi.messages(STORY_CHAT)
    named = hrefs(alert.text)[1:]
    assert 0 < len(named) < 30
    assert named == urls[: len(named)], "named in the order they arrived"
    numbers = " ".join(f"[{n}]" for n in range(5, len(named) + 2))
    assert alert.plain.splitlines()[-1] == (
        f"Also: Source 0, Source 1, Source 2 and {len(named) - 3} more outlets: {numbers}"
    )
    assert all(message.plain.startswith(f"{30 - len(named)} new alerts") for message in rest)
    assert botapi.links(STORY_CHAT) == Counter([FIRST, *urls])
    assert {row[3] for row in outbox(astore)[1 + len(named) :]} == {
        "not named on its first alert: too many sources for one alert"
    }


async def test_a_copy_without_a_link_comes_on_its_own(bot, botapi, astore) -> None:
    store = astore.sync
    queue_story(store, follow_story(store), [("Radio Baku", None)])

    await drain(fast_sender(bot, astore))

    first, alone = botapi.messages(STORY_CHAT)
    assert "Also:" not in first.plain
    assert alone.plain.startswith("Herzog to visit Azerbaijan\nRadio Baku")


async def test_a_flood_wait_on_the_edit_names_the_copy_later(bot, botapi, astore) -> None:
    store = astore.sync
    copy = "https://regional.example/herzog"
    queue_story(store, follow_story(store), [("Regional News", copy)])
    botapi.inject("editMessageText", retry_after=1)
    sender = fast_sender(bot, astore)

    first_cycle = await sender.deliver_pending()
    await drain(sender)

    assert (first_cycle.sent, first_cycle.retried, first_cycle.merged) == (1, 1, 0)
    [alert] = botapi.messages(STORY_CHAT)
    assert botapi.links(STORY_CHAT) == Counter([FIRST, copy])
    assert len(alert.edits) == 1


async def test_a_copy_alerts_normally_where_the_first_did_not(astore: AsyncStore) -> None:
    """A chat that never saw the first copy (its rule did not match it) gets this one."""
    store = astore.sync
    sub = store.add_subscription(STORY_CHAT, rules.compile("Herzog"))
    first = store_article(store, "World Desk", FIRST)
    copy = store_article(store, "Regional News", "https://regional.example/herzog")
    assert store.enqueue_alerts({(STORY_CHAT, copy): [sub.id]}, stories={copy: first}) == 1
    [pending] = store.pending_alerts()
    assert pending.article.article.source == "Regional News"
