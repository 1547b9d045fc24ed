"""Issue 16, end to end: what the chat reads about its topics is what the bot does.

Topics are made with commands; articles are matched by the real matcher, stored with their
alerts in one poll write and delivered by the real sender to the fake Bot API, where buttons
are pressed as a person would. Every assertion is on the texts and buttons the chat shows.
"""

from __future__ import annotations

import pytest

from tests.support.botapi import SentMessage
from tests.support.telegram_app import USER, Bot, StartBot, alerts, publish

FORUM, ADMIN = -100_5001, 601


def current(bot: Bot, message: SentMessage) -> SentMessage:
    """The message as the chat sees it now, after any edits."""
    return next(m for m in bot.api.messages(message.chat_id) if m.message_id == message.message_id)


# -- 1. Stable topic numbers ------------------------------------------------------------------


async def test_a_mute_hint_still_means_its_topic_after_another_is_removed(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    for name in ("Alpha", "Bravo", "Charlie", "Delta"):
        await bot.send(USER, f"/subscribe {name}")
    await publish(bot, "Charlie wins the vote")
    [alert] = alerts(bot, USER)
    [[(_, mute), _]] = alert.buttons

    await bot.press(USER, alert.message_id, mute)
    muted = current(bot, alert)
    removed = await bot.send(USER, "/unsubscribe 1")
    resumed = await bot.send(USER, "/resume 3")
    again = await bot.send(USER, "/resume 4")
    added = await bot.send(USER, "/subscribe Echo")
    listed = await bot.send(USER, "/list")

    assert muted.plain.endswith("🔕 Paused. /resume 3 turns Charlie back on.")
    assert removed.plain == "Stopped following #1: Alpha"
    assert resumed.plain == "Resumed #3: Charlie"
    assert again.plain == "#4: Delta is already active."
    assert added.plain.startswith("Following #5: Echo"), "numbers are never reused"
    assert listed.plain.splitlines()[1:] == [
        "2. Bravo — active, 0 alerts",
        "3. Charlie — active, 1 alert",
        "4. Delta — active, 0 alerts",
        "5. Echo — active, 0 alerts",
    ]


async def test_unsubscribing_by_rule_names_the_number_the_topic_was_given(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe Israel")
    given = await bot.send(USER, "/subscribe Iran")
    await bot.send(USER, "/unsubscribe 1")

    answer = await bot.send(USER, "/unsubscribe IRAN")
    last = await bot.send(USER, "/subscribe Iran")

    assert given.plain.startswith("Following #2: Iran")
    assert answer.plain == "Stopped following #2: Iran"
    assert last.plain.startswith("Following #3: Iran"), "not #2 again, nor #1"


# -- 2. The grouping shown ---------------------------------------------------------------------


async def test_the_readme_example_shows_its_grouping_and_offers_the_likely_meant_one(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    confirmation = await bot.send(USER, "/subscribe Iran | Armenia -football")
    listed = await bot.send(USER, "/list")
    await publish(bot, "Iran football team wins the cup")
    [football] = alerts(bot, USER)

    await bot.press(USER, confirmation.message_id, confirmation.buttons[0][0][1])
    changed = current(bot, confirmation)
    relisted = await bot.send(USER, "/list")
    await publish(bot, "Iran football team loses the final")
    await publish(bot, "Armenia and Iran open a border crossing")

    assert confirmation.plain.splitlines() == [
        "Following #1: Iran | (Armenia -football)",
        "Did you mean (Iran | Armenia) -football?",
        "It would have matched 0 stored articles in the last 7 days.",
        "Iran also matches Иран, Іран, איראן and 2 more.",
        "Armenia also matches Армения, Вірменія, ארמניה and 5 more.",
    ]
    assert confirmation.buttons == [[("Follow (Iran | Armenia) -football instead", "regroup:1")]]
    assert "1. Iran | (Armenia -football) — active" in listed.plain
    assert football.plain.startswith("Iran football team wins the cup")
    assert football.plain.endswith("Topic: Iran | (Armenia -football)")
    assert changed.plain.splitlines() == [
        "Following #1: (Iran | Armenia) -football",
        "It would have matched 0 stored articles in the last 7 days.",
        "Iran also matches Иран, Іран, איראן and 2 more.",
        "Armenia also matches Армения, Вірменія, ארמניה and 5 more.",
    ]
    assert changed.buttons == []
    assert "1. (Iran | Armenia) -football — active, 1 alert" in relisted.plain
    assert [a.plain.splitlines()[0] for a in alerts(bot, USER)] == [
        "Iran football team wins the cup",
        "Armenia and Iran open a border crossing",
    ]


async def test_the_other_reading_already_followed_is_not_followed_twice(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    await bot.send(USER, "/subscribe (Iran | Armenia) -football")
    confirmation = await bot.send(USER, "/subscribe Iran | Armenia -football")

    answer = await bot.press(USER, confirmation.message_id, confirmation.buttons[0][0][1])

    assert answer == "You already follow that as #1."
    assert current(bot, confirmation).edits == []
    assert [s.rule for s in await bot.store.list_subscriptions(USER)] == [
        "(Iran | Armenia) -football",
        "Iran | (Armenia -football)",
    ]


async def test_and_inside_or_is_bracketed_and_single_quotes_quote_a_phrase(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()

    mixed = await bot.send(USER, "/subscribe Iran | Israel Azerbaijan")
    phrase = await bot.send(USER, "/subscribe 'Eli Cohen'")
    plain = await bot.send(USER, "/subscribe Israel Baku -football")

    assert mixed.plain.splitlines()[0] == "Following #1: Iran | (Israel + Azerbaijan)"
    assert mixed.buttons == [], "no exclusion at the end: no other reading to offer"
    assert phrase.plain.splitlines()[0] == 'Following #2: "Eli Cohen"'
    assert plain.plain.splitlines()[0] == "Following #3: Israel + Baku -football"
    assert "Did you mean" not in plain.plain


# -- 3. Buttons on an alert for several topics -------------------------------------------------


async def test_mute_on_an_alert_of_three_topics_asks_which_and_mutes_that_one(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    for rule in ('"Eli Cohen"', "Mossad", "Syria"):
        await bot.send(USER, f"/subscribe {rule}")
    await publish(bot, "Eli Cohen's Mossad files on Syria released")
    [alert] = alerts(bot, USER)
    original = alert.buttons
    [[(_, ask_mute), (_, ask_unsub)]] = original

    asked = await bot.press(USER, alert.message_id, ask_mute)
    choices = current(bot, alert).buttons
    await bot.press(USER, alert.message_id, choices[1][0][1])
    muted = current(bot, alert)
    state_after_mute = [s.paused for s in await bot.store.list_subscriptions(USER)]
    await bot.press(USER, alert.message_id, muted.buttons[0][0][1])
    undone = current(bot, alert)
    state_after_undo = [s.paused for s in await bot.store.list_subscriptions(USER)]

    assert original == [[("🔕 Mute…", ask_mute), ("✖ Unsubscribe…", ask_unsub)]]
    assert 'Topics: "Eli Cohen"; Mossad; Syria' in alert.plain
    assert asked == "Mute which topic?"
    assert [row[0][0] for row in choices] == [
        '🔕 #1 "Eli Cohen"',
        "🔕 #2 Mossad",
        "🔕 #3 Syria",
        "↩ Back",
    ]
    assert muted.plain.endswith("🔕 Paused. /resume 2 turns Mossad back on.")
    assert muted.buttons == [[("↩ Undo", muted.buttons[0][0][1])], *original], "others' kept"
    assert state_after_mute == [False, True, False], "only the chosen topic"
    assert undone.plain == alert.plain
    assert undone.buttons == original
    assert state_after_undo == [False, False, False]


async def test_unsubscribe_on_an_alert_of_several_topics_asks_which_and_back_goes_back(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    for rule in ("Mossad", "Syria"):
        await bot.send(USER, f"/subscribe {rule}")
    await publish(bot, "Mossad chief visits Syria")
    [alert] = alerts(bot, USER)
    [[(_, ask_mute), (_, ask_unsub)]] = alert.buttons

    await bot.press(USER, alert.message_id, ask_mute)
    back = current(bot, alert).buttons[-1][0][1]
    await bot.press(USER, alert.message_id, back)
    backed = current(bot, alert)
    asked = await bot.press(USER, alert.message_id, ask_unsub)
    choices = current(bot, alert).buttons
    await bot.press(USER, alert.message_id, choices[1][0][1])
    left = current(bot, alert)
    listed = await bot.send(USER, "/list")

    assert backed.buttons == alert.buttons and backed.plain == alert.plain
    assert asked == "Unsubscribe from which topic?"
    assert [row[0][0] for row in choices] == ["✖ #1 Mossad", "✖ #2 Syria", "↩ Back"]
    assert left.plain.endswith("🗑 Stopped following #2: Syria.")
    assert [[label for label, _ in row] for row in left.buttons] == [
        ["↩ Undo"],
        ["🔕 Mute", "✖ Unsubscribe"],  # Mossad's, the one topic left
    ]
    assert listed.plain.splitlines()[1:] == ["1. Mossad — active, 1 alert"]


# -- 4. Forum threads --------------------------------------------------------------------------


def in_forum(thread_id: int | None) -> dict[str, object]:
    return {"chat_type": "supergroup", "is_forum": True, "thread_id": thread_id, "user_id": ADMIN}


async def test_an_article_for_topics_of_two_threads_goes_to_each_thread_once(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_admins(FORUM, [ADMIN])
    in_77 = await bot.send(FORUM, "/subscribe Baku", **in_forum(77))
    in_general = await bot.send(FORUM, "/subscribe Baku", **in_forum(None))
    await bot.send(FORUM, "/subscribe Herzog", **in_forum(None))
    twice = await bot.send(FORUM, "/subscribe baku", **in_forum(77))

    await publish(bot, "Herzog lands in Baku")
    listed = await bot.send(FORUM, "/list", **in_forum(None))
    removed = await bot.send(FORUM, "/unsubscribe Baku", **in_forum(None))

    assert in_77.thread_id == 77 and in_77.plain.startswith("Following #1: Baku")
    assert in_general.thread_id is None and in_general.plain.startswith("Following #2: Baku")
    assert twice.plain == "You already follow this topic as #1: Baku"
    sent = sorted(alerts(bot, FORUM), key=lambda m: m.thread_id or 0)
    assert [(m.thread_id, m.plain.splitlines()[-1]) for m in sent] == [
        (None, "Topics: Baku; Herzog"),
        (77, "Topic: Baku"),
    ]
    assert listed.plain.splitlines()[1:] == [
        "1. Baku — active, 1 alert, posts in thread 77",
        "2. Baku — active, 1 alert, posts in General",
        "3. Herzog — active, 1 alert, posts in General",
    ]
    assert removed.plain == "Stopped following #2: Baku", "the rule of the thread it was sent in"


async def test_a_rule_followed_in_two_threads_is_named_by_number_from_a_third(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_admins(FORUM, [ADMIN])
    await bot.send(FORUM, "/subscribe Baku", **in_forum(77))
    await bot.send(FORUM, "/subscribe Baku", **in_forum(78))

    ambiguous = await bot.send(FORUM, "/pause Baku", **in_forum(None))
    here = await bot.send(FORUM, "/pause Baku", **in_forum(78))

    assert ambiguous.plain == (
        "Several threads follow that rule (#1 in thread 77, #2 in thread 78); say the number."
    )
    assert here.plain == "Paused #2: Baku"


# -- 6. In the chat's language ----------------------------------------------------------------

FSI, PDI = "\u2068", "\u2069"


def iso(text: str) -> str:
    """``text`` as a right-to-left message isolates it."""
    return f"{FSI}{text}{PDI}"


async def test_a_russian_user_reads_list_and_pause_in_russian(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ru")
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await bot.send(USER, "/subscribe Iran")
    await bot.send(USER, "/subscribe Baku")
    await publish(bot, "Iran and Baku talk")
    paused = await bot.send(USER, "/pause 2")
    listed = await bot.send(USER, "/list")
    everything = await bot.send(USER, "/resume")

    assert paused.plain == "На паузе: #2: Iran"
    assert listed.plain.splitlines() == [
        "Отслеживаемые темы",
        "1. Israel + Azerbaijan — активна, 0 уведомлений",
        "2. Iran — на паузе, 1 уведомление",
        "3. Baku — активна, 1 уведомление",
    ]
    assert everything.plain == "Возобновлены все 3 темы этого чата."


async def test_an_arabic_user_reads_pause_and_unsubscribe_with_the_rule_kept_in_order(
    start_bot: StartBot,
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "ar")
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    paused = await bot.send(USER, "/pause 1")
    again = await bot.send(USER, "/pause 1")
    removed = await bot.send(USER, "/unsubscribe 1")

    for reply, arabic in [
        (paused, "تم الإيقاف المؤقت: "),
        (again, " متوقف مؤقتًا بالفعل."),
        (removed, "توقفت عن متابعة "),
    ]:
        text = reply.plain
        assert arabic in text
        rule = text.index("#1: Israel + Azerbaijan")
        assert FSI in text[:rule] and PDI in text[rule:], "the Latin rule is one isolated run"
    assert await bot.store.list_subscriptions(USER) == []


async def test_a_hebrew_user_presses_mute_and_undo_in_hebrew(start_bot: StartBot) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, "he")
    await bot.send(USER, "/subscribe Baku")
    await publish(bot, "Baku hosts the talks")
    [alert] = alerts(bot, USER)
    [[(_label, mute), _unsubscribe]] = alert.buttons

    muted_answer = await bot.press(USER, alert.message_id, mute)
    muted = current(bot, alert)
    [[(_undo_label, undo)]] = muted.buttons
    undo_answer = await bot.press(USER, alert.message_id, undo)

    assert muted_answer == "הושהה"
    resume = f"{FSI}/resume 1{PDI}"
    assert muted.plain.endswith(f"🔕 הושהה. הפקודה {resume} תפעיל שוב את {FSI}Baku{PDI}.")
    assert undo_answer == "המעקב חודש"
    assert current(bot, alert).plain == alert.plain


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "1. Baku — активна, 0 уведомлений, публикуется в ветке «Новости Баку»",
                "2. Herzog — активна, 0 уведомлений, публикуется в ветке «Визиты»",
                "3. Iran — активна, 0 уведомлений, публикуется в ветке 79",
            ],
        ),
        (
            "he",
            [
                f"1. {iso('Baku')} — פעיל, 0 התראות, מתפרסם בשרשור „{iso('חדשות באקו')}“",
                f"2. {iso('Herzog')} — פעיל, 0 התראות, מתפרסם בשרשור „{iso('ביקורים')}“",
                f"3. {iso('Iran')} — פעיל, 0 התראות, מתפרסם בשרשור 79",
            ],
        ),
    ],
)
async def test_list_names_a_forum_thread_as_created_or_renamed(
    start_bot: StartBot, language: str, expected: list[str]
) -> None:
    bot = await start_bot()
    bot.api.set_admins(FORUM, [ADMIN])
    bot.api.set_user_language(ADMIN, language)
    names = {"ru": ("Новости Баку", "Старое", "Визиты"), "he": ("חדשות באקו", "ישן", "ביקורים")}
    news, old, visits = names[language]
    bot.api.thread_named(FORUM, 77, news)
    bot.api.thread_named(FORUM, 78, old)
    bot.api.thread_named(FORUM, 78, visits, edited=True)
    bot.api.thread_named(FORUM, 78, None, edited=True)  # the icon alone changed
    await bot.send(FORUM, "/subscribe Baku", **in_forum(77))
    await bot.send(FORUM, "/subscribe Herzog", **in_forum(78))
    await bot.send(FORUM, "/subscribe Iran", **in_forum(79))  # created before the bot came

    listed = await bot.send(FORUM, "/list", **in_forum(None))

    assert listed.plain.splitlines()[1:] == expected


@pytest.mark.parametrize(
    ("language", "answers"),
    [
        ("ru", ("На паузе", "Подписка отменена", "Снова слежу за темой")),
        ("he", ("הושהה", "המינוי בוטל", "שוב במעקב")),
    ],
)
async def test_a_press_on_one_topic_keeps_the_others_buttons_and_unsubscribe_can_be_undone(
    start_bot: StartBot, language: str, answers: tuple[str, str, str]
) -> None:
    """An alert for three topics of a thread: Mute on one, then Unsubscribe on another, each
    leaves the buttons of the rest; Undo after Unsubscribe brings the topic back as it was
    (number, rule, thread, frequency), and the alert's own buttons with it."""
    bot = await start_bot()
    bot.api.set_admins(FORUM, [ADMIN])
    bot.api.set_user_language(ADMIN, language)
    for rule in ("Mossad", "Syria", "Iran"):
        await bot.send(FORUM, f"/subscribe {rule}", **in_forum(77))
    await publish(bot, "Mossad on Syria and Iran")
    await bot.send(FORUM, "/frequency 2 daily 08:00", **in_forum(77))
    before = await bot.send(FORUM, "/list", **in_forum(77))
    [alert] = alerts(bot, FORUM)
    [[(_, ask_mute), _]] = alert.buttons

    await bot.press(FORUM, alert.message_id, ask_mute, user_id=ADMIN)
    muted_answer = await bot.press(
        FORUM, alert.message_id, current(bot, alert).buttons[2][0][1], user_id=ADMIN
    )  # Iran
    muted = current(bot, alert)
    await bot.press(FORUM, alert.message_id, muted.buttons[1][1][1], user_id=ADMIN)
    left_answer = await bot.press(
        FORUM, alert.message_id, current(bot, alert).buttons[1][0][1], user_id=ADMIN
    )  # Syria
    left = current(bot, alert)
    undone_answer = await bot.press(FORUM, alert.message_id, left.buttons[0][0][1], user_id=ADMIN)
    undone = current(bot, alert)
    await bot.send(FORUM, "/resume 3", **in_forum(77))
    after = await bot.send(FORUM, "/list", **in_forum(77))

    assert (muted_answer, left_answer, undone_answer) == answers
    assert [len(row) for row in muted.buttons] == [1, 2], "Undo, then the other topics' asks"
    assert muted.buttons[1] == alert.buttons[0]
    assert [len(row) for row in left.buttons] == [1, 2]
    assert left.buttons[1] == alert.buttons[0], "Mossad and the muted Iran are still there"
    assert undone.plain == muted.plain, "Syria's note is gone, Iran's mute stays"
    assert undone.buttons[-1] == alert.buttons[0]
    assert after.plain == before.plain, "number, rule, thread and frequency as they were"
