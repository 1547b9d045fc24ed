"""``topic-alert doctor`` on a good and on broken setups: the fake Bot API as Telegram, feeds on
a local server allowed by ``[fetch] allow_hosts``, a real SQLite file. The assertions read the
printed table as an operator does: the row of each check, its result and what to do."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from telegram import Bot
from telegram.error import Conflict

from bot.cli import main
from bot.config import TOKEN_ENV, TelegramConfig
from bot.doctor import Status
from bot.doctor.telegram import bot_api, check_token
from bot.store import FeedOrigin, Store
from bot.store.migrations import MIGRATIONS
from tests.support.botapi import FakeBotAPI
from tests.support.channel_preview import ChannelServer, news_page, post
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import FeedServer, item

STATUSES = tuple(f"{status.value}:" for status in Status)


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch, botapi: FakeBotAPI) -> str:
    """The token the fake Bot API knows, in the environment as an operator sets it."""
    monkeypatch.setenv(TOKEN_ENV, botapi.token)
    return botapi.token


def write_config(tmp_path: Path, base_url: str, *sections: str, db: str = "bot.db") -> Path:
    path = tmp_path / "config.toml"
    head = f'[storage]\npath = "{tmp_path / db}"\n[polling]\ntimeout = 5\n{LOCAL_FETCH_TOML}'
    telegram = f'[telegram]\nbase_url = "{base_url}"\n'
    path.write_text("\n".join([head, *sections, telegram]), encoding="utf-8")
    return path


def feed(name: str | None, url: str) -> str:
    """A ``[[feeds]]`` table; without a name, alerts (and the doctor) use the feed's title."""
    return f'[[feeds]]\nurl = "{url}"\n' + (f'name = "{name}"\n' if name else "")


ADMINS = "[access]\nadmins = [7001]\n"


def doctor(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str], str]:
    """Run ``topic-alert doctor``: (exit status, {check: result and what to do, as one line of
    text}, the summary line)."""
    status = main(["doctor", "--config", str(config)])
    lines = capsys.readouterr().out.splitlines()
    return status, read_table(lines[: lines.index("")]), lines[-1]


def read_table(lines: list[str]) -> dict[str, str]:
    """The table's rows, each cell's wrapped lines joined: a row starts where a RESULT cell
    starts with a status ("ok:", "FAILED:" …)."""
    header, *body = lines
    result_at, todo_at = header.index("RESULT"), header.index("WHAT TO DO")
    rows: dict[str, list[list[str]]] = {}
    check = ""
    for line in body:
        cells = [line[:result_at], line[result_at:todo_at], line[todo_at:]]
        if cells[1].startswith(STATUSES):
            check = cells[0].strip()
            rows[check] = [[], [], []]
        for i, cell in enumerate(cells):
            if cell.strip():
                rows[check][i].append(cell.strip())
    return {
        name: " | ".join(" ".join(parts) for parts in cells[1:] if parts)
        for name, cells in rows.items()
    }


def test_a_good_setup_is_ok_throughout(
    tmp_path: Path, botapi: FakeBotAPI, server: FeedServer, token: str, capsys
) -> None:
    world = server.publish("/world", [item(f"w{n}", f"Story {n} from Baku") for n in range(12)])
    teasers = server.publish(
        "/teasers", [item("t1", "Short", text="A teaser."), item("t2", "Long")], title="Wire"
    )
    added = server.publish("/added", [item("a1", "Added by a chat")], title="Chat Feed")
    store = Store.open(tmp_path / "bot.db")
    store.add_feed(added, origin=FeedOrigin.CHAT)
    store.close()
    config = write_config(
        tmp_path, botapi.base_url, ADMINS, feed("World", world), feed(None, teasers)
    )

    status, table, last = doctor(config, capsys)

    assert status == 0
    assert last == "all 10 checks ok"
    assert all(result.startswith("ok:") for result in table.values()), table
    assert table["token"] == (
        "ok: @topic_alert_test_bot (id 123456), token from TELEGRAM_BOT_TOKEN; "
        "inline mode off (/setinline at @BotFather)"
    )
    assert table["webhook settings"] == "ok: long polling (no webhook_url)"
    assert table["webhook at Telegram"] == "ok: none registered, as long polling needs"
    assert table["admins"] == "ok: 1 (7001)"
    assert table["database"].startswith(f"ok: {tmp_path / 'bot.db'}: ")
    assert table["database"].endswith(f"MB, schema version {len(MIGRATIONS)}, intact, writable")
    assert table["disk space"].startswith("ok: ") and f"free in {tmp_path}" in table["disk space"]
    assert table["feed World"].startswith("ok: HTTP 200, 12 entries, newest ")
    assert table["feed World"].endswith("UTC, language en, full text: not needed")
    assert table["feed Wire"].endswith(
        "full text: 1 of 2 entries are teasers (under 300 characters), their pages are fetched"
    )
    assert table["feed Chat Feed"].startswith("ok: HTTP 200, 1 entry, ")
    store = Store.open(tmp_path / "bot.db")
    [stored] = store.list_feeds()
    assert (stored.url, stored.polls, stored.articles) == (added, 0, 0)  # nothing was stored
    store.close()


def test_a_topic_s_news_search_is_checked_as_a_news_search(
    tmp_path: Path, botapi: FakeBotAPI, server: FeedServer, token: str, capsys
) -> None:
    search = server.publish("/rss/search", [item("g1", "Talks in Baku - Caspian Daily")])
    store = Store.open(tmp_path / "bot.db")
    store.add_feed(search, name="Baku", origin=FeedOrigin.SEARCH)
    store.close()

    _, table, _ = doctor(write_config(tmp_path, botapi.base_url, ADMINS), capsys)

    assert table["news search Baku"].startswith("ok: HTTP 200, 1 entry, ")


def test_a_broken_setup_names_each_problem(
    tmp_path: Path, botapi: FakeBotAPI, httpserver: HTTPServer, token: str, capsys
) -> None:
    httpserver.expect_request("/gone-missing").respond_with_data("nope", status=404)
    httpserver.expect_request("/garbled").respond_with_data(
        b"\x00\x9f\x92garbage", content_type="application/rss+xml"
    )
    missing, garbled = httpserver.url_for("/gone-missing"), httpserver.url_for("/garbled")
    (tmp_path / "bot.db").write_bytes(b"\x13garbage" * 512)
    botapi.webhook_registered("https://old.example.org/hook")
    config = write_config(
        tmp_path, botapi.base_url, feed("Missing", missing), feed("Garbled", garbled)
    )

    status, table, last = doctor(config, capsys)

    assert status == 2
    assert last == "4 FAILED and 1 WARNING of 9 checks: see WHAT TO DO"
    assert table["webhook at Telegram"] == (
        "FAILED: a webhook is registered (https://old.example.org/hook, 0 updates waiting) but "
        "the config says long polling: Telegram refuses getUpdates while it is, so a running "
        "bot hears nothing | restart `topic-alert run`: it deletes the webhook when it starts. "
        "If another deployment uses this token with a webhook, stop it first: two bots cannot "
        "share one"
    )
    assert table["admins"].startswith("WARNING: [access] admins is empty")
    assert "send /whoami to the bot" in table["admins"]
    assert table["database"] == (
        f"FAILED: {tmp_path / 'bot.db'}: file is not a database | the database file is "
        "damaged; restore it from a backup (see the README, 'Backups')"
    )
    assert table["feed Missing"] == (
        f"FAILED: {missing}: HTTP 404 NOT FOUND | open the URL in a browser: the feed may "
        "have moved"
    )
    assert table["feed Garbled"].startswith(f"FAILED: {garbled}: not an RSS or Atom feed")
    assert table["feed Garbled"].endswith(
        "| not RSS or Atom: check the URL, or tell the publisher the feed is broken"
    )
    assert table["token"].startswith("ok: @topic_alert_test_bot")


def test_a_refused_token_is_named_and_never_printed(
    tmp_path: Path, botapi: FakeBotAPI, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    wrong = "999999:NOT-THE-TOKEN-THE-BOT-HAS"
    config = write_config(tmp_path, botapi.base_url, ADMINS)
    config.write_text(config.read_text() + f'token = "{wrong}"\n')

    status, table, _ = doctor(config, capsys)

    server = botapi.base_url.removesuffix("/bot")
    assert status == 2
    assert table["token"] == (
        f"FAILED: {server} refused the token (unauthorized) | copy the token again from "
        "@BotFather (/mybots, API Token) into TELEGRAM_BOT_TOKEN"
    )
    assert table["webhook at Telegram"] == "not checked: needs an answer to getMe (see the token)"
    assert wrong not in str(table)


def test_an_unreachable_bot_api_is_named(tmp_path: Path, token: str, capsys) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = write_config(tmp_path, f"{closed}/bot", ADMINS)

    status, table, _ = doctor(config, capsys)

    assert status == 2
    assert table["token"].startswith(f"FAILED: cannot reach {closed}: ")
    assert table["token"].endswith("| check the network, DNS and [telegram] base_url")


async def test_a_bot_api_that_does_not_answer_in_time_is_named(botapi: FakeBotAPI) -> None:
    botapi.inject("getMe", hang=2)
    telegram = TelegramConfig(base_url=botapi.base_url)
    async with bot_api(botapi.token, botapi.base_url, timeout=0.2) as bot:
        row = await check_token(bot, telegram, timeout=0.2)
    assert row.status is Status.FAILED
    assert row.result == f"{botapi.base_url.removesuffix('/bot')} did not answer within 0.2 s"


def test_webhook_settings_and_what_telegram_has(
    tmp_path: Path, botapi: FakeBotAPI, token: str, capsys
) -> None:
    hook = "https://bot.example.org/hook"
    webhook = (
        f'webhook_url = "{hook}"\nwebhook_secret = "s3cret-token"\n'
        'webhook_listen = "127.0.0.1"\nwebhook_port = 8443\n'
    )
    config = write_config(tmp_path, botapi.base_url, ADMINS)
    config.write_text(config.read_text() + webhook)

    _, before, _ = doctor(config, capsys)
    botapi.webhook_registered(hook)
    botapi.user_sends(7001, "/start")
    botapi.webhook_fails("Connection refused")
    status, failing, _ = doctor(config, capsys)

    assert before["webhook settings"] == f"ok: {hook} with a secret, served on 127.0.0.1:8443"
    assert before["webhook at Telegram"].startswith("WARNING: no webhook registered yet")
    assert status == 2
    assert failing["webhook at Telegram"] == (
        "FAILED: registered, 1 update waiting; Telegram's last delivery failed 0 min ago: "
        f"Connection refused | check that {hook} reaches 127.0.0.1:8443 through your reverse "
        "proxy (port open, valid certificate)"
    )
    assert "s3cret-token" not in str(failing)


def test_webhook_settings_telegram_would_refuse(
    tmp_path: Path, botapi: FakeBotAPI, token: str, capsys
) -> None:
    webhook = 'webhook_url = "https://bot.example.org:8080/hook"\nwebhook_port = 443\n'
    config = write_config(tmp_path, botapi.base_url, ADMINS)
    config.write_text(config.read_text() + webhook)

    status, table, _ = doctor(config, capsys)

    assert status == 2
    assert table["webhook settings"] == (
        "FAILED: webhook_url is on port 8080, which Telegram does not post to; no "
        "webhook_secret: anyone who finds the URL can post fake updates; webhook_port 443 "
        "needs root to listen on | serve it on port 443, 80, 88 or 8443 (your reverse proxy "
        "forwards to webhook_port); set [telegram] webhook_secret to a random string of "
        "letters, digits, _ and -; use a port from 1024 up (the service runs unprivileged) "
        "and let the proxy forward 443 to it"
    )


def test_warnings_alone_exit_0(
    tmp_path: Path, botapi: FakeBotAPI, server: FeedServer, token: str, capsys
) -> None:
    quiet = server.publish("/quiet", [item("q1", "Story", age=timedelta(days=40))])
    config = write_config(tmp_path, botapi.base_url, feed("Quiet", quiet))

    status, table, last = doctor(config, capsys)

    assert status == 0
    assert last == "2 WARNINGS of 8 checks: see WHAT TO DO"
    assert table["admins"].startswith("WARNING: ")
    assert table["feed Quiet"].startswith("WARNING: HTTP 200, 1 entry, newest ")
    assert table["feed Quiet"].endswith(
        "| nothing new in 30 days: the feed may have moved; check its site"
    )
    assert table["database"] == (
        f"ok: {tmp_path / 'bot.db'}: none yet, created when the bot first starts"
    )
    assert not (tmp_path / "bot.db").exists()


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "7",
            "WARNING: {db}: {size}, schema version 7, intact and writable; this release "
            "upgrades it to version {current} when it starts | `topic-alert backup PATH` first "
            "if you may want to go back to the older release",
        ),
        (
            "99",
            "FAILED: {db}: schema version 99 is newer than this release knows ({current}) | "
            "upgrade topic-alert, or restore a backup made by this release",
        ),
    ],
)
def test_a_database_of_another_release(
    tmp_path: Path, botapi: FakeBotAPI, token: str, capsys, version: str, expected: str
) -> None:
    db = tmp_path / "bot.db"
    store = Store.open(db)
    store.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    store.close()
    config = write_config(tmp_path, botapi.base_url, ADMINS)

    _, table, _ = doctor(config, capsys)

    size = table["database"].split(": ")[2].split(",")[0]  # e.g. "0.1 MB"
    assert table["database"] == expected.format(db=db, size=size, current=len(MIGRATIONS))
    conn = sqlite3.connect(db)
    [(stored,)] = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    conn.close()
    assert stored == version  # not migrated


def test_a_database_folder_that_does_not_exist(
    tmp_path: Path, botapi: FakeBotAPI, token: str, capsys
) -> None:
    config = write_config(tmp_path, botapi.base_url, ADMINS, db="no/such/bot.db")

    status, table, _ = doctor(config, capsys)

    assert status == 2
    assert table["database"] == (
        f"FAILED: {tmp_path / 'no/such/bot.db'}: its folder {tmp_path / 'no/such'} does not "
        "exist | create the folder, or set [storage] path to a file in an existing one"
    )
    assert table["feeds"].startswith("WARNING: none in the config file or the database")


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for this process, root included (root writes past file modes, so
    for root the file is made immutable: ``chattr +i``, where the file system allows it)."""
    path.chmod(0o444)
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", str(path)], check=False).returncode:
        pytest.skip("running as root where chattr +i is not allowed: no file is read-only")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_a_read_only_database(tmp_path: Path, botapi: FakeBotAPI, token: str, capsys) -> None:
    Store.open(tmp_path / "bot.db").close()
    config = write_config(tmp_path, botapi.base_url, ADMINS)

    with read_only(tmp_path / "bot.db"):
        status, table, _ = doctor(config, capsys)

    assert status == 2
    assert table["database"] == (
        f"FAILED: {tmp_path / 'bot.db'}: attempt to write a readonly database | the database "
        "file or its folder is read-only; make it writable"
    )


def test_many_feeds_show_progress(
    tmp_path: Path, botapi: FakeBotAPI, server: FeedServer, token: str, capsys
) -> None:
    feeds = [feed(f"F{n}", server.publish(f"/f{n}", [item(f"g{n}", "Story")])) for n in range(10)]
    config = write_config(tmp_path, botapi.base_url, ADMINS, *feeds)

    assert main(["doctor", "--config", str(config)]) == 0
    assert "10/10" in capsys.readouterr().err


def test_a_config_that_does_not_load(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[polling]\nintervall = 60\n")

    status, table, last = doctor(config, capsys)

    assert status == 2
    assert table == {
        "config": f"FAILED: {config}: polling: unknown key 'intervall'; known keys here: "
        "full_text_threshold, interval, max_age_hours, max_bytes, max_concurrency, "
        "parse_workers, per_host, timeout | fix it: config.example.toml explains every key"
    }
    assert last == "1 FAILED of 1 check: see WHAT TO DO"


async def test_the_fake_refuses_get_updates_while_a_webhook_is_registered(
    botapi: FakeBotAPI, bot: Bot
) -> None:
    """What the doctor warns of, as Telegram does it."""
    botapi.webhook_registered("https://old.example.org/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)


def test_a_setup_made_by_environment_variables_alone_says_so(
    tmp_path: Path, botapi: FakeBotAPI, token: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """How a container is configured: no file, TOPIC_ALERT__ variables."""
    monkeypatch.setenv("TOPIC_ALERT__STORAGE__PATH", str(tmp_path / "bot.db"))
    monkeypatch.setenv("TOPIC_ALERT__TELEGRAM__BASE_URL", botapi.base_url)
    monkeypatch.setenv("TOPIC_ALERT__ACCESS__ADMINS", "[7001]")
    absent = tmp_path / "config.toml"

    status, table, _ = doctor(absent, capsys)

    assert status == 0
    assert table["config"] == f"ok: TOPIC_ALERT__* variables (no {absent}), 0 feeds listed"
    assert table["token"].startswith("ok: @topic_alert_test_bot")


def test_a_channel_and_a_page_are_checked_as_the_daemon_reads_them(
    tmp_path: Path, botapi: FakeBotAPI, httpserver: HTTPServer, token: str, capsys
) -> None:
    channels = ChannelServer(httpserver)
    channels.publish("caspian_wire", "Caspian Wire", [post(1, "Baku"), post(2, "Port")])
    httpserver.expect_request("/news").respond_with_data(
        news_page([("/port", "Port", "Ships.")]), content_type="text/html"
    )
    page = httpserver.url_for("/news")
    sources = f'[sources]\ntelegram_preview = "{channels.preview_base}"\n'
    config = write_config(
        tmp_path,
        botapi.base_url,
        ADMINS,
        sources,
        feed(None, "https://t.me/caspian_wire"),
        feed("Courier", page) + 'items = "div.teaser"\n',
    )

    status, table, _ = doctor(config, capsys)

    assert status == 2
    assert table["channel Caspian Wire"].startswith("ok: HTTP 200, 2 entries, newest ")
    assert table["page Courier"] == (
        f"FAILED: {page}: the selector matched nothing: the page changed? (div.teaser) | open "
        "the page and fix the selector ([[feeds]] items)"
    )
