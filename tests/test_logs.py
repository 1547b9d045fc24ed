"""No secret in anything the bot writes: the token appears in no log line at any level.

The daemon runs as a real process against the fake Bot API (whose URLs carry the token) and
everything it writes is searched; so is the output of the one-shot commands.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.logs import REDACTED, RedactSecrets, hide, redact
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_process import start, terminate, wait_until, write_config
from tests.support.feeds_samples import rss
from tests.support.local_hosts import LOCAL_FETCH_TOML
from tests.support.pipeline_env import item
from tests.support.telegram_app import HELP_MESSAGES

CHAT = 7001


@pytest.fixture
def log_stream() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler carries the filter, as the root handler does in the bot."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test_logs.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_a_secret_is_redacted_in_message_arguments_traceback_and_stack(log_stream) -> None:
    logger, stream = log_stream
    hide("555:SECRET-for-this-test")
    url = "https://api.telegram.org/bot555:SECRET-for-this-test/getUpdates"

    logger.warning("HTTP Request: POST %s %r", url, {"token": "555:SECRET-for-this-test"})
    try:
        raise ConnectionError(f"cannot reach {url}")
    except ConnectionError:
        logger.exception("poll failed", stack_info=True)

    written = stream.getvalue()
    assert "SECRET" not in written
    assert written.count(REDACTED) == 3  # in the message, its argument and the exception
    assert "HTTP Request: POST https://api.telegram.org/bot<redacted>/getUpdates" in written


def test_a_token_nobody_registered_is_still_cut_from_bot_api_urls() -> None:
    assert redact("GET http://127.0.0.1:80/bot42:abc_DEF-9/getMe failed") == (
        "GET http://127.0.0.1:80/bot<redacted>/getMe failed"
    )
    assert redact("the robot 42:abc said hi") == "the robot 42:abc said hi"


@pytest.mark.parametrize("verbosity", [[], ["-vv"]], ids=["default", "debug"])
def test_the_daemon_never_writes_the_token(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, verbosity: list[str]
) -> None:
    """Requests, replies, an alert, a flood wait and a failed send: the token in none."""
    story = "Herzog landed in Baku for talks on energy. " * 10
    httpserver.expect_request("/feed").respond_with_data(
        rss([item("a1", "Herzog in Baku", text=story)]), content_type="application/rss+xml"
    )
    extra = f'[[feeds]]\nurl = "{httpserver.url_for("/feed")}"\n{LOCAL_FETCH_TOML}'
    config = write_config(tmp_path, botapi.base_url, extra)
    daemon = start(config, botapi.token, *verbosity)
    botapi.inject("sendMessage", retry_after=1)
    botapi.inject("sendMessage", status=502)
    try:
        wait_until(daemon, lambda: botapi.calls("getUpdates"), "polling for updates")
        for command in ("/subscribe Baku", "/whoami", "/nonsense", "/list"):
            botapi.user_sends(CHAT, command)
        botapi.wait_for_messages(CHAT, 4, timeout=30)
    finally:
        status, out, err = terminate(daemon)

    assert status == 0, err
    assert botapi.token not in out + err
    assert botapi.token.split(":")[1] not in out + err
    if verbosity:  # PTB itself logs its Bot API URL at DEBUG: the filter must have caught it
        assert f"/bot{REDACTED}" in err
    assert "stopped cleanly" in err


def test_a_debug_log_longer_than_a_pipe_holds_does_not_stall_the_daemon(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    """At DEBUG each Bot API request is logged with its whole text: five /help answers are
    some 80 KB of log, more than a pipe holds (64 KB). Read as it is written (as the journal
    or Docker reads it), the daemon answers every one; the harness once left the pipe unread
    until the end, and the daemon stalled in a log write."""
    daemon = start(write_config(tmp_path, botapi.base_url), botapi.token, "-vv")
    try:
        wait_until(daemon, lambda: botapi.calls("getUpdates"), "polling for updates")
        for _ in range(5):
            botapi.user_sends(CHAT, "/help")
        botapi.wait_for_messages(CHAT, 5 * HELP_MESSAGES, timeout=30)
    finally:
        status, _, err = terminate(daemon)

    assert status == 0, err[-2000:]
    assert len(err.encode()) > 64 * 1024


def test_a_refused_token_is_named_but_not_shown(botapi: FakeBotAPI, tmp_path: Path) -> None:
    """PTB's InvalidToken message quotes the token; the one line on stderr must not."""
    daemon = start(write_config(tmp_path, botapi.base_url), "999:WRONG-token", "-vv")
    out, err = daemon.communicate(timeout=60)

    assert daemon.returncode == 2
    assert "Telegram refused the bot token" in err
    assert "WRONG-token" not in out + err
    assert "Traceback" not in err


def test_the_one_shot_commands_never_print_the_token(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    token = "314159:CLI-token-never-printed"
    httpserver.expect_request("/feed").respond_with_data(
        rss([item("a1", "Talks in Baku")]), content_type="application/rss+xml"
    )
    extra = f'[[feeds]]\nurl = "{httpserver.url_for("/feed")}"\n{LOCAL_FETCH_TOML}'
    config = write_config(tmp_path, f"{httpserver.url_for('/')}bot", extra)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token}
    outputs = []
    for command in (
        ["poll-once", "--config", str(config)],
        ["feeds", "--config", str(config)],
        ["check", "Baku", "--feed", httpserver.url_for("/feed"), "--config", str(config)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "-vv", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)

    assert all(token not in output for output in outputs)
    assert "1 of 1 articles match Baku" in outputs[2]
