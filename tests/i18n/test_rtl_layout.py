"""Hebrew and Arabic messages as a Telegram client draws them (the Unicode Bidirectional
Algorithm, python-bidi, line by line: ``bidi_layout``), through the fake Bot API.

In a right-to-left message every command is drawn with its ``/`` at its start, an example
reads as written, every line of the bot's own words reads right to left, the spot a rule error
points at is the offending character wherever the rule's letters put it, and Arabic separates
listed terms with its own comma.
"""

from __future__ import annotations

import re

import pytest

from bot.i18n.bidi import FSI, PDI, RLM, lay_out
from tests.support.bidi_layout import drawn, drawn_as_written, glyphs, reads_right_to_left
from tests.support.botapi import SentMessage, html_to_plain
from tests.support.telegram_app import (
    USER,
    StartBot,
    alerts,
    publish,
)

RTL = ["he", "ar"]
_COMMAND = re.compile(r"(?<![A-Za-z0-9_/])/[a-z]+")
_RTL_LETTER = re.compile(r"[\u0590-\u08ff]")
_INVISIBLE = re.compile("[\u200e\u200f\u061c\u2066-\u2069]")


def commands_drawn_as_written(message: SentMessage) -> None:
    for line in message.plain.splitlines():
        for command in _COMMAND.findall(line):
            assert drawn_as_written(line, command), f"{command} is drawn {drawn(line)!r}"


def own_lines_read_right_to_left(message: SentMessage) -> None:
    for line in message.plain.splitlines():
        if _RTL_LETTER.search(line):
            assert reads_right_to_left(line), f"left to right: {drawn(line)!r}"


@pytest.mark.parametrize("language", RTL)
async def test_start_and_help_draw_commands_and_examples_as_written(
    start_bot: StartBot, language: str
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, language)

    welcome = await bot.send(USER, "/start")
    help_text = await bot.send(USER, "/help")

    for message in (welcome, help_text):
        commands_drawn_as_written(message)
        own_lines_read_right_to_left(message)
    [example] = [line for line in welcome.plain.splitlines() if "/subscribe" in line]
    assert drawn_as_written(example, "/subscribe Israel + Azerbaijan")
    lines = help_text.plain.splitlines()
    [digest] = [line for line in lines if "@daily 08:00" in line]
    assert drawn_as_written(digest, "/subscribe Azerbaijan @daily 08:00")
    assert drawn_as_written(digest, '"@daily"')
    [exclusion] = [line for line in lines if "-football" in line]
    assert drawn_as_written(exclusion, "Azerbaijan -football")
    assert sum(line.lstrip("\u200f\u061c\u2068").startswith("/") for line in lines) >= 14


def pointed_at(message: SentMessage) -> tuple[str, int]:
    """The line of the rule a rule error shows, and where in it the character it points at
    is: the one marked in the line, or the one drawn above a caret line's ``^``."""
    marked = re.search(r"<u><b>(.*?)</b></u>", message.text)
    plain = message.plain
    if marked:
        at = len(html_to_plain(message.text[: marked.start()]))
        start = plain.rfind("\n", 0, at) + 1
        end = plain.find("\n", at)
        return plain[start:end], at - start
    lines = plain.splitlines()
    [caret_at] = [i for i, line in enumerate(lines) if line.strip("\u200e ") == "^"]
    column = [glyph.shape for glyph in glyphs(lines[caret_at])].index("^")
    line = lines[caret_at - 1]
    return line, glyphs(line)[column].index


@pytest.mark.parametrize("language", RTL)
@pytest.mark.parametrize(
    ("rule", "offending"),
    [
        ("ישראל + (אזרבייג׳ן", 8),  # the bracket left open
        ("ישראל + + אזרבייג׳ן", 6),  # the first "+" has no term after it
        ("Israel + (Azerbaijan", 9),
    ],
)
async def test_a_rule_error_points_at_the_offending_character_as_drawn(
    start_bot: StartBot, language: str, rule: str, offending: int
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, language)

    answer = await bot.send(USER, f"/subscribe {rule}")

    line, at = pointed_at(answer)
    assert drawn(line) == drawn(rule)  # the rule is drawn as the user's own message draws it
    assert line[at] == rule[offending]
    # the pointed character is drawn where the user's rule draws the offending one
    shown = [glyph.index for glyph in glyphs(line)]
    assert shown.index(at) == [glyph.index for glyph in glyphs(rule)].index(offending)
    own_lines_read_right_to_left(answer)
    first = answer.plain.splitlines()[0]
    quoted = re.search(r'"[^"]*"', first)  # the bracket or sign named: drawn as typed, unmirrored
    assert quoted and drawn_as_written(first, quoted.group(0))
    assert _INVISIBLE.sub("", quoted.group(0)) in drawn(first)


@pytest.mark.parametrize(
    ("language", "comma", "semicolon"), [("he", ", ", "; "), ("ar", "، ", "؛ ")]
)
async def test_an_alerts_lists_use_the_languages_comma_and_semicolon(
    start_bot: StartBot, language: str, comma: str, semicolon: str
) -> None:
    bot = await start_bot()
    bot.api.set_user_language(USER, language)
    await bot.send(USER, "/subscribe Israel + Azerbaijan")
    await bot.send(USER, "/subscribe Baku")

    await publish(
        bot, "Israel and Azerbaijan sign a deal", "Israel and Azerbaijan signed it in Baku."
    )

    [alert] = alerts(bot)
    [matched] = [line for line in alert.plain.splitlines() if "Israel\u2069" in line]
    assert f"\u2068Israel\u2069{comma}\u2068Azerbaijan\u2069" in matched
    fields = matched[matched.index("(") + 1 : matched.index(")")]
    assert comma in fields and (comma == ", " or ", " not in fields)
    [topics] = [line for line in alert.plain.splitlines() if "Azerbaijan\u2069" + semicolon in line]
    assert f"\u2068Israel + Azerbaijan\u2069{semicolon}\u2068Baku\u2069" in topics
    for line in (matched, topics):
        assert reads_right_to_left(line)
        assert drawn_as_written(line, "Israel") and drawn_as_written(line, "Azerbaijan")


@pytest.mark.parametrize(
    ("translation", "laid_out"),
    [
        ("ראו /help.", "ראו ⁅/help⁆."),
        ("(גם /sub, ו/add)", "(גם ⁅/sub⁆, ו⁅/add⁆)"),  # after a prefix written onto it
        ("/quiet off — שקט", "‹⁅/quiet off⁆ — שקט"),  # a command with its arguments
        ("נושא: /subscribe Israel + Azerbaijan", "נושא: ⁅/subscribe Israel + Azerbaijan⁆"),
        ("/alias -<i>מונח</i> מסיר", "‹⁅/alias⁆ -<i>מונח</i> מסיר"),  # "-" stays with the term
        ("הפקודה /resume {number} תפעיל", "הפקודה ⁅/resume {number}⁆ תפעיל"),
        ("אולי ל־/{command}?", "אולי ל־⁅/{command}⁆?"),
        ('הסוגר "(" ו־")"', 'הסוגר ⁅"("⁆ ו־⁅")"⁆'),  # a quoted sign drawn as typed
        ('צה"ל אמר "שלום"', 'צה"ל אמר "שלום"'),  # an abbreviation, a Hebrew quotation
        ("למשל <code>Azer*</code> — מילה", "למשל ⁅<code>Azer*</code>⁆ — מילה"),
        ("<code>Azer*</code> — מילה", "‹⁅<code>Azer*</code>⁆ — מילה"),
        (
            '<a href="https://x.org/a">כאן</a> או https://y.org',
            '<a href="https://x.org/a">כאן</a> או ⁅https://y.org⁆',  # not in an attribute
        ),
        ("{count} התראות חדשות", "{count} התראות חדשות"),  # a count: right to left already
        ("HTTP {status} — השרת", "‹HTTP {status} — השרת"),
        ("{title}\n{source} · {date}", "{title}\n{source} · {date}"),  # no words of its own
    ],
)
def test_a_right_to_left_translation_is_laid_out(translation: str, laid_out: str) -> None:
    shown = lay_out(translation, RLM).replace(FSI, "⁅").replace(PDI, "⁆").replace(RLM, "‹")
    assert shown == laid_out
