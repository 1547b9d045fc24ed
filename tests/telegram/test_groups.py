"""Groups, forum topics and the allowed-users list: who may change what, and where replies go."""

from __future__ import annotations

from tests.support.telegram_app import USER, StartBot

GROUP = -4001
FORUM = -1001234567890123
ADMIN, MEMBER = 501, 502


async def test_only_group_admins_change_subscriptions(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    group = {"chat_type": "group"}

    refused = await bot.send(GROUP, "/subscribe Baku", user_id=MEMBER, **group)
    allowed = await bot.send(GROUP, "/subscribe@topic_alert_test_bot Baku", user_id=ADMIN, **group)
    listed = await bot.send(GROUP, "/list", user_id=MEMBER, **group)

    assert refused.plain == "Only this group's administrators can change what it follows."
    assert allowed.plain.startswith("Following #1: Baku")
    assert "1. Baku — active" in listed.plain
    [sub] = await bot.store.list_subscriptions(GROUP)
    assert (await bot.store.get_chat(GROUP)).type == "group"
    assert sub.chat_id == GROUP


async def test_subscription_made_in_a_forum_topic_posts_there(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_admins(FORUM, [ADMIN])
    topic = {"chat_type": "supergroup", "is_forum": True, "thread_id": 77, "user_id": ADMIN}

    answer = await bot.send(FORUM, "/subscribe Israel + Azerbaijan", **topic)

    assert answer.thread_id == 77
    assert "Alerts for it will be posted in this topic." in answer.plain
    [sub] = await bot.store.list_subscriptions(FORUM)
    assert sub.thread_id == 77


async def test_people_outside_allowed_users_are_refused_once(start_bot: StartBot) -> None:
    bot = await start_bot(allowed_users=[USER])
    stranger = 666

    refusal = await bot.send(stranger, "/subscribe Baku", user_id=stranger)
    bot.api.user_sends(stranger, "/list", user_id=stranger)
    served = await bot.send(USER, "/list")

    assert refusal.plain == "Sorry, this is a private bot and you are not on its list of users."
    assert [m.plain for m in bot.api.messages(stranger)] == [refusal.plain]
    assert "You follow no topics yet" in served.plain
    assert await bot.store.list_subscriptions(stranger) == []


async def test_subscribe_alone_in_a_group_asks_for_a_reply(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_admins(GROUP, [ADMIN])
    group = {"chat_type": "group", "user_id": ADMIN}

    question = await bot.send(GROUP, "/subscribe", **group)
    answer = await bot.send(GROUP, "Baku", **group)

    assert question.reply_markup["force_reply"] is True
    assert answer.plain.startswith("Following #1: Baku")
