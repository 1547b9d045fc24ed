"""Feed changes take effect in a running daemon: what the CLI adds or removes in its database
is polled or dropped without a restart, and an operator's /removefeed of a feed config.toml
lists holds across CLI commands and restarts until the feed is added again.

The daemon is the installed command as a real process; feeds come from a local server, whose
request count is the daemon's polls, and the chat is the fake Bot API.
"""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.support.botapi import FakeBotAPI
from tests.support.daemon_env import SAMPLE_TITLE, SAMPLE_URL, Feed
from tests.support.daemon_process import run_command, start, terminate, wait_until, write_config
from tests.support.local_hosts import LOCAL_FETCH_TOML

CHAT = 5021
ADMIN = 5022
FAST_POLLS = "[polling]\ninterval = 1\ntimeout = 5\n"
"""A poll a second, so the daemon also looks for changed feeds every second."""


def config_with(tmp_path: Path, botapi: FakeBotAPI, feeds: dict[str, Feed]) -> Path:
    """A config file: fast polls, local feeds allowed, ADMIN as operator, ``feeds`` by name."""
    listed = "".join(
        f'[[feeds]]\nurl = "{feed.url}"\nname = "{name}"\n' for name, feed in feeds.items()
    )
    extra = f"{FAST_POLLS}{LOCAL_FETCH_TOML}[access]\nadmins = [{ADMIN}]\n{listed}"
    return write_config(tmp_path, botapi.base_url, extra)


def test_a_feed_the_cli_imports_alerts_without_a_restart_and_one_it_removes_stops(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, sample_article_text: str
) -> None:
    news, late = Feed(httpserver, "/news.xml"), Feed(httpserver, "/late.xml")
    config = config_with(tmp_path, botapi, {"News": news})
    opml = tmp_path / "reader.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="Late" xmlUrl="{late.url}"/></body></opml>',
        encoding="utf-8",
    )
    daemon = start(config, botapi.token)
    try:
        botapi.user_sends(CHAT, "/subscribe Israel + Azerbaijan")
        botapi.wait_for_messages(CHAT, 1)
        wait_until(daemon, lambda: news.polls >= 2, "two polls of the configured feed")

        imported = run_command(config, "import-opml", str(opml))
        wait_until(daemon, lambda: late.polls >= 1, "the imported feed's first poll")
        late.publish(SAMPLE_TITLE, SAMPLE_URL, sample_article_text)
        alert = botapi.wait_for_messages(CHAT, 2)[1]

        removed = run_command(config, "remove-feed", late.url)
        since_removal = news.polls
        wait_until(daemon, lambda: news.polls >= since_removal + 3, "the daemon to resync")
        last_polls, since_resync = late.polls, news.polls
        wait_until(daemon, lambda: news.polls >= since_resync + 3, "three more polls")
    finally:
        status, _, log = terminate(daemon)

    assert imported == f"imported 1 feed from {opml} (0 known)\n"
    assert SAMPLE_TITLE in alert.plain
    assert "Topic: Israel + Azerbaijan" in alert.plain
    assert removed == f"removed feed 2: Late ({late.url})\n"
    assert late.polls == last_polls, "a removed feed is polled no more"
    assert status == 0, log
    assert "feeds changed outside the bot: 1 added, 0 removed, 0 with a new interval" in log
    # The resync drops the job, or the feed's own next poll finds it disabled first.
    dropped = ("feeds changed outside the bot: 0 added, 1 removed", "feed 2: no longer scheduled")
    assert any(line in log for line in dropped)


def test_removefeed_of_a_config_feed_holds_across_cli_commands_and_restarts(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    news, sport = Feed(httpserver, "/news.xml"), Feed(httpserver, "/sport.xml")
    config = config_with(tmp_path, botapi, {"News": news, "Sport": sport})
    daemon = start(config, botapi.token)
    try:
        wait_until(daemon, lambda: news.polls and sport.polls, "the first polls")
        botapi.user_sends(ADMIN, "/removefeed 1")
        answer = botapi.wait_for_messages(ADMIN, 1)[0]
        table = run_command(config, "feeds")  # reads config.toml, as every CLI command does
    finally:
        terminate(daemon)
    polls = news.polls

    daemon = start(config, botapi.token)
    try:
        botapi.user_sends(ADMIN, "/feeds")
        listing = botapi.wait_for_messages(ADMIN, 2)[1]
        since_restart = sport.polls
        wait_until(daemon, lambda: sport.polls >= since_restart + 3, "polls of the other feed")
        unpolled = news.polls
        botapi.user_sends(ADMIN, f"/addfeed {news.url}")
        added = botapi.wait_for_messages(ADMIN, 3)[2]
        wait_until(daemon, lambda: news.polls >= unpolled + 2, "a poll after /addfeed's check")
    finally:
        status, _, log = terminate(daemon)

    assert answer.plain == (
        "Removed News. It is also listed in config.toml: it stays removed, after restarts too, "
        "until it is deleted there or added again with /addfeed."
    )
    assert " ok (removed) " in next(line for line in table.splitlines() if " News " in line)
    assert listing.plain.splitlines() == ["Sources (1)", "1. Sport"]
    assert unpolled == polls, "nothing polled the removed feed after the restart"
    assert added.plain == "Added Example News. /feeds lists all sources."
    assert status == 0, log
    warning = f"feed {news.url} is listed in the config file but an operator removed it at "
    assert log.count(warning) == 1
