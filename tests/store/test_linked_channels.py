"""Channels linked from private chats: who linked which, the one selected in each chat, and a
channel's pausing told once (``set_chat_active`` says whether it changed the chat)."""

from __future__ import annotations

import rules
from bot.store import AsyncStore, Paused

CHANNEL, OTHER_CHANNEL = -1001777000111, -1001777000222
ALICE, BOB = 1001, 1002


async def test_each_private_chat_selects_one_of_its_channels(astore: AsyncStore) -> None:
    store = astore.sync
    baku = store.upsert_chat(CHANNEL, type="channel", title="Baku News")
    desk = store.upsert_chat(OTHER_CHANNEL, type="channel", title="Desk")

    store.link_channel(baku, private_chat_id=ALICE, linked_by=ALICE, username="baku_news")
    store.link_channel(desk, private_chat_id=ALICE, linked_by=ALICE, username=None)
    store.link_channel(baku, private_chat_id=BOB, linked_by=BOB, username="baku_news")

    assert [(c.chat.id, c.selected) for c in store.linked_channels(ALICE)] == [
        (CHANNEL, False),
        (OTHER_CHANNEL, True),
    ]
    assert store.selected_channel(BOB).chat.id == CHANNEL
    assert [c.private_chat_id for c in store.channel_links(CHANNEL)] == [ALICE, BOB]
    store.select_channel(ALICE, None)
    assert store.selected_channel(ALICE) is None
    assert store.selected_channel(BOB).chat.id == CHANNEL


async def test_a_channel_pauses_and_resumes_once_each(astore: AsyncStore) -> None:
    store = astore.sync
    store.upsert_chat(CHANNEL, type="channel", title="Baku News")
    sub = store.add_subscription(CHANNEL, rules.compile("Baku"))

    changes = [store.set_chat_active(CHANNEL, active) for active in (False, False, True, True)]

    assert changes == [True, False, True, False]
    assert store.get_subscription(sub.id).paused == Paused.NO


async def test_the_last_unlink_pauses_only_active_topics_and_relinking_resumes_those(
    astore: AsyncStore,
) -> None:
    store = astore.sync
    baku = store.upsert_chat(CHANNEL, type="channel", title="Baku News")
    store.link_channel(baku, private_chat_id=ALICE, linked_by=ALICE, username="baku_news")
    store.link_channel(baku, private_chat_id=BOB, linked_by=BOB, username="baku_news")
    store.add_subscription(CHANNEL, rules.compile("Baku"))
    by_user = store.add_subscription(CHANNEL, rules.compile("Ganja"))
    store.set_paused(by_user.id, True)

    def why_paused() -> list[int]:
        return [p for (p,) in store.conn.execute("SELECT paused FROM subscriptions ORDER BY id")]

    first = store.unlink_channel(CHANNEL, ALICE)
    last = store.unlink_channel(CHANNEL, BOB)
    unlinked = why_paused()
    relinked = store.link_channel(baku, private_chat_id=BOB, linked_by=BOB, username=None)

    assert (first.managed, first.paused) == (True, 0)
    assert (last.managed, last.paused) == (False, 1)
    assert unlinked == [Paused.UNLINKED, Paused.BY_USER]
    assert relinked.resumed == 1
    assert why_paused() == [Paused.NO, Paused.BY_USER]
