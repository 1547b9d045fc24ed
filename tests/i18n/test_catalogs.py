"""The catalogs are complete and safe: CI fails when a language misses a text, keeps a fuzzy
guess, breaks a placeholder or a tag, or gives Telegram HTML it would refuse.

The source texts are extracted from bot/ here, as ``pybabel extract`` does, so a text added to
the code without a translation in every language fails this test, not a user's chat.
"""

from __future__ import annotations

import asyncio
import re
import string
import zoneinfo
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from telegram import Bot
from telegram.constants import ParseMode
from telegram.request import HTTPXRequest

from bot.i18n import LANGUAGES, SOURCE_LANGUAGE
from bot.i18n.catalogs import LOCALES, catalog_path
from rules.syntax import Kind
from tests.support.botapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
_TAG = re.compile(r"</?([a-z-]+)[^>]*>")
_PLACEHOLDER_WORD = re.compile(
    r"(?<![\w/.])(?:[A-Z][a-z]+/[A-Z][a-z]+|[A-Z]{2,}(?::[A-Z]{2,})*|[A-Z])(?!\w)"
)
"""What stands for something a person types, in the English source: a word in capitals
("DAY", "HH:MM", "TERM", a lone "N") or an Area/City shape."""
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n]\s*)$")
_KEEP = re.compile(r"\bkeep: ([^(]+)")
_NAMES = {kind.value for kind in Kind if kind.value.isupper()} | zoneinfo.available_timezones()
"""Written as they are in every language: the rule syntax's operator words (AND, OR, NOT) and
time zone names (UTC, Europe/Berlin)."""


def _source_ids() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for package in ("bot", "rules"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")]
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def _ids(catalog: Catalog) -> set[str | tuple[str, str]]:
    return {m.id if isinstance(m.id, str) else (m.id[0], m.id[1]) for m in catalog if m.id}


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _tags(text: str) -> list[str]:
    return sorted(_TAG.findall(text))


def _placeholder_words(source: str) -> set[str]:
    """The placeholder words of a source text, outside its tags and ``{fields}``; a lone capital
    counts unless it begins a sentence or is the word "I"."""
    text = re.sub(r"<[^>]*>|\{[^}]*\}", " ", source)
    return {
        m.group()
        for m in _PLACEHOLDER_WORD.finditer(text)
        if len(m.group()) > 1
        or (m.group() != "I" and not _SENTENCE_START.search(text[: m.start()]))
    }


def _kept(message: Message) -> set[str]:
    """The words a text keeps on purpose: ``keep: A, B`` in a comment from the code
    (``# TRANSLATORS: keep: URL``, every language) or in the catalog's own translator comment
    (``# keep: HH:MM``, that language)."""
    kept: set[str] = set()
    for comment in (*message.auto_comments, *message.user_comments):
        for found in _KEEP.findall(comment):
            kept.update(word.strip() for word in found.split(","))
    return kept


def _pairs(catalog: Catalog) -> list[tuple[str, str, bool]]:
    """(source, translation, is a plural form) for every form of every message."""
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            pairs.append((message.id, str(message.string), False))
        else:
            plural = message.id[1]  # has every placeholder the singular has, and {count}
            pairs.extend((plural, form, True) for form in message.string)
    return pairs


def test_the_template_holds_every_text_of_the_code() -> None:
    template = _ids(_catalog(LOCALES / "messages.pot"))
    source = _source_ids()
    assert source - template == set(), "run the pybabel extract line of docs/translating.md"
    assert template - source == set(), "texts no longer in the code: extract and update"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated_without_guesses(language: str) -> None:
    catalog = _catalog(catalog_path(language), language)
    missing = sorted(map(str, _source_ids() - _ids(catalog)))
    assert missing == [], f"{language}: not in the catalog (pybabel update)"
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (not all(message.string) if isinstance(message.string, tuple) else not message.string)
    ]
    assert untranslated == [], f"{language}: no translation"
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert fuzzy == [], f"{language}: fuzzy entries are guesses; review and unmark them"
    plurals = [
        message.id
        for message in catalog
        if message.id
        and isinstance(message.string, tuple)
        and len(message.string) != catalog.num_plurals
    ]
    assert plurals == [], f"{language}: needs {catalog.num_plurals} plural forms"
    problems = [
        (message.id, errors) for message in catalog if (errors := list(message.check(catalog)))
    ]
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_and_tags_survive_translation(language: str) -> None:
    """A form for one item may say "one" in words ("تنبيه واحد") instead of {count}; every
    other placeholder must be kept, and none added (it would raise KeyError at run time)."""
    broken = []
    for source, text, plural in _pairs(_catalog(catalog_path(language), language)):
        wanted, got = set(_fields(source)), set(_fields(text))
        if plural:
            wanted.discard("count")
            got.discard("count")
        if wanted != got or _tags(source) != _tags(text):
            broken.append((source, text))
    assert broken == []


async def test_every_translated_text_is_html_telegram_accepts(botapi: FakeBotAPI) -> None:
    """Each text, its placeholders filled, sent through the fake Bot API's HTML validation
    (which also refuses more than 4096 characters); one chat per language, sent concurrently."""
    texts = {
        chat_id: [
            text.format_map({name: 3 for name in _fields(text)})
            for _source, text, _plural in _pairs(_catalog(catalog_path(language), language))
        ]
        for chat_id, language in enumerate(TRANSLATED, start=1001)
    }
    request = HTTPXRequest(connection_pool_size=len(texts))
    async with Bot(botapi.token, base_url=botapi.base_url, request=request) as bot:

        async def send_all(chat_id: int) -> None:
            for text in texts[chat_id]:
                await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)

        await asyncio.gather(*map(send_all, texts))
    for chat_id, sent in texts.items():
        assert [m.text for m in botapi.messages(chat_id)] == sent


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_placeholder_word_is_left_in_english(language: str) -> None:
    """ "HH:MM", "DAY", "/alias -TERM", "Area/City" in a translated text are English a reader
    has to decode: each is written in the language (ЧЧ:ММ, ДЕНЬ, ТЕРМИН), unless the code or
    the catalog marks it ``keep:`` (see docs/translating.md)."""
    catalog = _catalog(catalog_path(language), language)
    left = []
    for message in catalog:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set().union(*map(_placeholder_words, sources)) - _NAMES - _kept(message)
        for text in texts:
            plain = re.sub(r"<[^>]*>|\{[^}]*\}", " ", text)
            english = {w for w in wanted if re.search(rf"(?<![\w/.]){re.escape(w)}(?!\w)", plain)}
            if english:
                left.append((sorted(english), sources[0]))
    assert left == [], f"{language}: translate these words, or mark them '# keep: WORD'"


def test_the_placeholder_words_are_found_in_the_source() -> None:
    """The check above finds what it must: capital words and Area/City, not "I" or a capital
    that begins a sentence."""
    template = _catalog(LOCALES / "messages.pot")
    found = set().union(*(_placeholder_words(m.id) for m in template if isinstance(m.id, str)))
    assert {"HH:MM", "DAY", "TERM", "Area/City", "N"} <= found
    assert found.isdisjoint({"I", "A"})
