"""``topic-alert demo``: the whole pipeline, offline, on the bundled sample feeds.

Nothing is faked but Telegram itself: the process is wired by ``bot.wiring.build`` exactly as
the daemon is, and the demo swaps only its inputs. The feeds are served over loopback HTTP and
fetched by the real fetcher, parsed, deduplicated, stored in a temporary SQLite file, matched
against example subscriptions, queued in the outbox, and delivered by the real outbox sender
to a "chat" that prints each message as Telegram would show it (and, having no flood limits,
is not paced).

The narration between the chat's messages is in the chat's language too (``--language``): it
tells a reader what the chat is seeing, so it reads as the chat does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.compiling import UnusableRule, chat_names, typed_rule
from bot.config import Config, DeliveryConfig, FeedSpec, FetchConfig, PollingConfig, StorageConfig
from bot.delivery import Pacer
from bot.demo.server import FEED_NAMES, PAGE_NAMES, DemoFeedServer
from bot.demo.terminal import chat_bubble, html_to_terminal
from bot.feeds.fetcher import Fetcher
from bot.feeds.normalize import html_to_text
from bot.i18n import N_, SOURCE_LANGUAGE, _, format_number, ngettext, use
from bot.ingest import Pipeline, PollResult
from bot.ingest.fulltext import extract_page
from bot.store import AsyncStore, PollStatus
from bot.telegram.arguments import describe_rule_error
from bot.wiring import build

DEMO_CHAT = 1001
DEMO_NOW = datetime(2023, 5, 30, 12, 0, tzinfo=UTC)
"""The demo's clock: the sample feeds are from late May 2023, so "now" is set there."""
ALREADY_PUBLISHED = datetime(2023, 5, 26, tzinfo=UTC)
"""Items before this are in the feeds when they are first added; the rest arrive later."""
SUBSCRIPTIONS = (
    "Israel + Azerbaijan",
    "Iran | Armenia -football",
    "title:(Rust | Python)",
    "Azərbaycan",
)
BAD_RULE = "Israel + (Azerbaijan"
POLL_WORDS = {
    PollStatus.OK: N_("ok"),
    PollStatus.NOT_MODIFIED: N_("not modified"),
    PollStatus.ERROR: N_("failed"),
    PollStatus.GONE: N_("gone"),
}
"""What a poll found, as the demo's narration says it (``PollStatus.words`` is the log's)."""


@dataclass(frozen=True)
class _Sent:
    message_id: int


class TerminalChat:
    """Stands where ``telegram.Bot`` stands for the sender, and prints instead of sending."""

    def __init__(self, *, color: bool) -> None:
        self.color = color
        self.sent = 0

    async def send_message(self, chat_id: int, text: str, **options: Any) -> _Sent:
        self.sent += 1
        self._show(text, options)
        return _Sent(self.sent)

    async def edit_message_text(self, text: str, **options: Any) -> None:
        print(_("(message {number} is edited to read:)").format(number=options["message_id"]))
        self._show(text, options)

    def _show(self, text: str, options: dict[str, Any]) -> None:
        markup = options.get("reply_markup")
        labels = [b.text for row in markup.inline_keyboard for b in row] if markup else []
        print(chat_bubble(text, buttons=labels, color=self.color), end="\n\n")


def run_demo(args: argparse.Namespace | None = None) -> int:
    """``language`` (``--language ru``) is the chat's: its alerts and replies are written in
    it, as a chat of a person whose Telegram app is set to it reads them."""
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    language = getattr(args, "language", None) or SOURCE_LANGUAGE
    with use(language):
        asyncio.run(_demo(color=color, language=language))
    return 0


async def _demo(*, color: bool, language: str) -> None:
    with tempfile.TemporaryDirectory(prefix="topic-alert-demo-") as tmp, DemoFeedServer() as site:
        urls = [site.url(name) for name in FEED_NAMES]
        config = _demo_config(Path(tmp) / "demo.db", urls, language)
        unpaced = Pacer(per_second=1000, per_chat_interval=0)
        async with build(config, now=lambda: DEMO_NOW, pacer=unpaced) as services:
            store = services.store
            feeds = len(FEED_NAMES)
            print(_intro(feeds).format(count=format_number(feeds), path=config.storage.path) + "\n")
            await _subscribe(store, config, color=color)
            await store.sync_config_feeds(config.feeds)
            await _poll_twice(services.pipeline, store, site)
            await _show_full_text(services.fetcher, site.url(PAGE_NAMES[0], "pages"))
            print("\n" + _("What the chat receives:") + "\n")
            chat = TerminalChat(color=color)
            report = await services.sender(chat).deliver_pending()  # type: ignore[arg-type]
            print(_delivery_summary(report.sent, report.failed, report.merged))


def _intro(feeds: int) -> str:
    """The demo's first lines: what it runs on (a count, so a form per language's plural)."""
    return ngettext(
        "topic-alert demo: {count} bundled sample feed served on loopback,\n"
        "a fresh SQLite database in {path}, and no Telegram token.",
        "topic-alert demo: {count} bundled sample feeds served on loopback,\n"
        "a fresh SQLite database in {path}, and no Telegram token.",
        feeds,
    )


def _delivery_summary(sent: int, failed: int, merged: int) -> str:
    """The last line: three counts, each a counted text of its own (one sentence could take
    only one count's plural form)."""
    parts = (
        ngettext("{count} alert delivered", "{count} alerts delivered", sent),
        ngettext("{count} failed", "{count} failed", failed),
        ngettext(
            "{count} later copy of a story named on its first alert instead",
            "{count} later copies of a story named on its first alert instead",
            merged,
        ),
    )
    counts = (sent, failed, merged)
    return (
        ", ".join(p.format(count=format_number(n)) for p, n in zip(parts, counts, strict=True))
        + "."
    )


async def _poll_twice(pipeline: Pipeline, store: AsyncStore, site: DemoFeedServer) -> None:
    """A quiet first poll of the new feeds, then the news that arrives afterwards."""
    site.cutoff = ALREADY_PUBLISHED
    _report(_("First poll (the feeds are new to the bot)"), await _poll_each(pipeline, store))
    print("  " + _("A newly added feed alerts nothing: its backlog is old news.") + "\n")
    site.cutoff = None
    _report(_("Second poll (the feeds have published more)"), await _poll_each(pipeline, store))


async def _poll_each(pipeline: Pipeline, store: AsyncStore) -> list[PollResult]:
    """Each feed's poll as the scheduler runs it, one after the other, so that the story's
    first report is always the same one (polled together, whichever finished first was)."""
    return [await pipeline.poll_feed(feed) for feed in await store.list_feeds()]


async def _show_full_text(fetcher: Fetcher, url: str) -> None:
    """What the bot reads behind a teaser entry: the story, without the page around it."""
    page = await fetcher.fetch_page(url)
    extracted = extract_page(page.content, url)
    if extracted is None:
        return
    raw = len(html_to_text(page.content.decode("utf-8", "replace")))
    story = len(extracted.text)
    page_text = ngettext(
        "Full text: for teaser entries the bot reads the article page ({count} character of "
        "text with menus, cookie notice and footer);",
        "Full text: for teaser entries the bot reads the article page ({count} characters of "
        "text with menus, cookie notice and footer);",
        raw,
    )
    story_text = ngettext(
        "the story extracted from it has {count} character and begins:",
        "the story extracted from it has {count} characters and begins:",
        story,
    )
    page_said = page_text.format(count=format_number(raw))
    story_said = story_text.format(count=format_number(story))
    print("\n" + textwrap.fill(f"{page_said} {story_said}", 90))
    print(textwrap.indent(textwrap.fill(extracted.text[:240] + "…", 90), "  "))


def _demo_config(db: Path, urls: list[str], language: str) -> Config:
    """The defaults, but with a week's max age (the samples are dated), no page fetches
    (the sample articles' own sites are fictional, and the demo stays offline), its own
    loopback server allowed (the bot fetches from no internal address unless told), and the
    chat's language as the default one."""
    return Config(
        delivery=DeliveryConfig(language=language),
        storage=StorageConfig(path=str(db)),
        polling=PollingConfig(max_age_hours=24 * 7, full_text_threshold=0),
        fetch=FetchConfig(allow_hosts=[DemoFeedServer.HOST]),
        feeds=[FeedSpec(url=url) for url in urls],
    )


async def _subscribe(store: AsyncStore, config: Config, *, color: bool) -> None:
    """The demo chat's /subscribe of each of :data:`SUBSCRIPTIONS`, and of a broken rule."""
    print(_("The chat subscribes:"))
    names = await chat_names(store, config, DEMO_CHAT)
    for text in SUBSCRIPTIONS:
        rule = typed_rule(text, names).rule
        sub = await store.add_subscription(DEMO_CHAT, rule)
        print(f"  /subscribe {text}\n      → #{sub.number}: {sub.rule}")
        if rule.other_reading is not None:
            did_you_mean = _("Did you mean {rule}? (a button follows that instead)")
            print("      " + did_you_mean.format(rule=rule.other_reading))
    try:
        typed_rule(BAD_RULE, names)
    except UnusableRule as exc:
        reply = html_to_terminal(describe_rule_error(exc.cleaned.text, exc.error), color=color)
        indented = "\n".join("      " + line for line in reply.splitlines())
        print(f"  /subscribe {BAD_RULE}\n{indented}")
    print()


def _report(title: str, results: list[PollResult]) -> None:
    print(f"{title}:")
    for result in results:
        articles = ngettext("{count} new article", "{count} new articles", result.new_articles)
        alerts = ngettext("{count} alert queued", "{count} alerts queued", result.alerts)
        found = ", ".join(
            (
                _(POLL_WORDS[PollStatus(result.status)]),
                articles.format(count=format_number(result.new_articles)),
                alerts.format(count=format_number(result.alerts)),
            )
        )
        print(f"  {result.name}: {found}" + (f" ({result.error})" if result.error else ""))
