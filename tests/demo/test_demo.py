"""``topic-alert demo``, the README's first command, as a person reads its output."""

from __future__ import annotations

import argparse
import re

import pytest

from bot.demo import run_demo
from bot.i18n.bidi import FSI, PDI


def test_the_demo_shows_each_story_once_and_nothing_unwanted(capsys) -> None:
    assert run_demo() == 0
    out = capsys.readouterr().out

    first_poll = out.split("First poll")[1].split("Second poll")[0]
    assert re.findall(r"(\d+) alerts queued", first_poll) == ["0", "0", "0"]
    herzog = "<https://world-desk.example/2023/05/28/herzog-azerbaijan-visit>"
    assert out.count(herzog) == 2, "one alert for the story, then that alert edited with Also:"
    assert "is edited to read" in out and "Also: " in out
    assert "national football team" not in out, "Iran | Armenia -football skips the match"
    assert "#2: Iran | (Armenia -football)\n      Did you mean (Iran | Armenia) -football?" in out
    assert "Water-from-air" not in out, "'Israeli' alone is not the word Israel"
    assert "Tehran" not in out.split("What the chat receives")[1]
    assert 'unclosed "(" opened at position 10' in out
    assert "Full text:" in out
    assert re.search(r"(\d+) alerts delivered, 0 failed", out)


def test_the_demo_counts_in_words_and_keeps_links_whole(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")  # a narrow terminal: links longer than a line
    assert run_demo() == 0
    out = capsys.readouterr().out

    assert "Regional News (demo): ok, 5 new articles, 1 alert queued" in out
    assert not re.search(r"\b1 (alerts|new articles|later copies)\b", out)
    links = [line for line in out.splitlines() if "<https://" in line]
    assert links, "every alert shows its link"
    assert all(re.search(r"<https://\S+>", line) for line in links), "a link was cut"


def test_the_demo_chat_can_read_another_language(capsys) -> None:
    assert run_demo(argparse.Namespace(language="he")) == 0
    out = capsys.readouterr().out

    quoted = f'{FSI}"("{PDI}'  # the bracket kept as typed, not mirrored
    assert f"הכלל הזה לא עובד: הסוגר {quoted} שנפתח במיקום 10 לא נסגר" in out  # the typo's reply
    assert "התאמה: " in out and "נושאים: " in out  # alert chrome
    assert "28 במאי 2023, 14:20 UTC" in out  # the date as Hebrew writes it
    assert "Herzog heads to Azerbaijan" in out  # articles are never translated


NARRATION = (
    "topic-alert demo:",
    "The chat subscribes:",
    "Did you mean",
    "First poll",
    "new articles",
    "alerts queued",
    "A newly added feed",
    "Second poll",
    "Full text:",
    "What the chat receives:",
    "is edited to read",
    "delivered",
)
"""The English narration's words: none is left when the chat reads another language."""


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "ru",
            [
                "Чат подписывается:",
                "      Может, вы имели в виду (Iran | Armenia) -football? "
                "(кнопка подпишет на это правило)",
                "Первый опрос (ленты для бота новые):",
                "  Regional News (demo): в порядке, 5 новых статей, 1 уведомление в очереди",
                "Что получает чат:",
            ],
        ),
        (
            "he",
            [
                "הצ'אט נרשם:",
                "      אולי הכוונה ל־(Iran | Armenia) -football? (כפתור עוקב אחרי זה במקום)",
                "סבב ראשון (הפידים חדשים לבוט):",
                "  Regional News (demo): תקין, 5 כתבות חדשות, התראה אחת בתור",
                "מה הצ'אט מקבל:",
            ],
        ),
    ],
)
def test_the_narration_is_in_the_chats_language(capsys, language: str, lines: list[str]) -> None:
    assert run_demo(argparse.Namespace(language=language)) == 0
    out = capsys.readouterr().out

    assert set(lines) <= set(out.splitlines())
    assert [words for words in NARRATION if words in out] == []
    assert "Herzog heads to Azerbaijan" in out  # articles are never translated
