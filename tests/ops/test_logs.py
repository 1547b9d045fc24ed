"""The daemon's log at its default level, as an operator reads it: no APScheduler line per
job, one summary line per period in which something happened, a failing feed named when it
starts failing and when it polls again, not at every poll; ``-v`` brings the detail back."""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.ops.activity import Window
from bot.ops.logsummary import describe
from bot.store import PollStatus
from tests.support.botapi import FakeBotAPI
from tests.support.daemon_process import start, stop, terminate, wait_until
from tests.support.feeds_samples import rss
from tests.support.local_hosts import free_port
from tests.support.ops_http import OpsPort
from tests.support.pipeline_env import item

SUMMARY = re.compile(r"^INFO bot\.ops\.logsummary: last 1 s: (\d+) polls? \(")
FAILURES_BEFORE_RECOVERY = 3
CHAT = 8201
OUTAGE_SECONDS = 8
GET_UPDATES = re.compile("get_?updates", re.IGNORECASE)
LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ")


class CountedFeed:
    """A feed that answers 500 to its first ``failures`` polls, then RSS; counts its polls."""

    def __init__(self, server: HTTPServer, path: str, failures: int) -> None:
        self.url = server.url_for(path)
        self.failures = failures
        self.polls = 0
        server.expect_request(path).respond_with_handler(self._serve)

    def _serve(self, request: Request) -> Response:
        self.polls += 1
        if self.polls <= self.failures:
            return Response("down for maintenance", status=500)
        return Response(rss([item("a1", "Talks in Baku")]), content_type="application/rss+xml")


def run_a_while(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path, *options: str
) -> tuple[str, CountedFeed, CountedFeed]:
    """The daemon polling a failing and a recovering feed (every second, summing up every
    second) until the failing one was polled 4 times and the other recovered a few seconds
    ago; its stderr."""
    failing = CountedFeed(httpserver, "/failing.xml", failures=1_000)
    recovering = CountedFeed(httpserver, "/recovering.xml", failures=FAILURES_BEFORE_RECOVERY)
    extra = "[logging]\nsummary_every = 1\n"
    config = OpsPort().config(tmp_path, botapi.base_url, [failing.url, recovering.url], extra)
    daemon = start(config, botapi.token, *options)
    try:
        wait_until(daemon, lambda: failing.polls >= 4, "four polls of the failing feed")
        wait_until(
            daemon,
            lambda: recovering.polls > FAILURES_BEFORE_RECOVERY + 2,
            "three good polls of the recovering feed",
        )
    finally:
        status, _, err = terminate(daemon)
    assert status == 0, err
    return err, failing, recovering


def test_the_default_log_sums_up_and_names_each_failing_feed_once(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    err, failing, recovering = run_a_while(botapi, httpserver, tmp_path)
    lines = err.splitlines()

    assert not [line for line in lines if "apscheduler" in line], err
    assert not [line for line in lines if "delivery cycle" in line], err
    assert [line for line in lines if failing.url in line] == [
        f"WARNING bot.ingest.pipeline: {failing.url}: poll failed: HTTP 500 INTERNAL SERVER ERROR"
    ]
    assert [line for line in lines if recovering.url in line] == [
        f"WARNING bot.ingest.pipeline: {recovering.url}: poll failed: "
        "HTTP 500 INTERNAL SERVER ERROR",
        f"INFO bot.ingest.pipeline: {recovering.url}: polls again after "
        f"{FAILURES_BEFORE_RECOVERY} failures",
    ]
    summaries = [SUMMARY.match(line) for line in lines if "bot.ops.logsummary" in line]
    assert len(summaries) >= 2 and all(summaries), err
    polls_summed = sum(int(match.group(1)) for match in summaries if match)
    assert polls_summed <= failing.polls + recovering.polls  # each poll in one line at most
    assert any("; 2 feeds failing now" in line for line in lines)
    assert any("; 1 feed failing now" in line for line in lines)  # after the recovery


def test_verbose_brings_the_job_lines_and_every_failure_back(
    botapi: FakeBotAPI, httpserver: HTTPServer, tmp_path: Path
) -> None:
    err, failing, _ = run_a_while(botapi, httpserver, tmp_path, "-v")

    assert "Running job" in err and "executed successfully" in err
    repeated = [line for line in err.splitlines() if f"{failing.url}: poll failed" in line]
    assert len(repeated) >= 4  # every poll
    assert repeated[0].startswith("WARNING")
    assert all(line.startswith("DEBUG") for line in repeated[1:])


def test_telegram_failing_after_start_is_two_lines_not_a_traceback_a_retry(
    botapi: FakeBotAPI, tmp_path: Path
) -> None:
    daemon = start(OpsPort().config(tmp_path, botapi.base_url, []), botapi.token)
    try:
        wait_until(daemon, lambda: botapi.calls("getUpdates"), "the long poll")
        botapi.inject("getUpdates", status=502, times=3)
        botapi.user_sends(CHAT, "/help")  # ends the long poll in flight: the next one fails
        wait_until(daemon, lambda: len(botapi.calls("getUpdates")) >= 5, "three failed tries")
        botapi.wait_for_messages(CHAT, 1, timeout=30)
        wait_until(daemon, lambda: len(botapi.calls("getUpdates")) >= 6, "a long poll that works")
    finally:
        status, _, err = terminate(daemon)
    assert status == 0, err

    assert "Traceback" not in err
    told = [line for line in err.splitlines() if "getUpdates" in line]
    assert len(told) == 2, err
    assert told[0] == (
        "WARNING bot.telegram.updates_request: getUpdates failed (Internal Server Error); "
        "no updates until it works again"
    )
    assert re.fullmatch(
        r"INFO bot\.telegram\.updates_request: getUpdates works again after 3 failed tries "
        r"in \d+ s",
        told[1],
    )


def test_the_summary_counts_in_the_right_number_and_leaves_out_what_did_not_happen() -> None:
    one = Window(polls=Counter({PollStatus.ERROR: 1}), new_articles=1, alerts_sent=1)
    many = Window(
        polls=Counter({PollStatus.OK: 2, PollStatus.NOT_MODIFIED: 1}), alerts_queued=3, floods=2
    )

    assert describe(one) == ["1 poll (1 failed)", "1 new article", "1 alert sent"]
    assert describe(many) == [
        "3 polls (2 ok, 1 not modified)",
        "3 alerts queued",
        "2 flood waits (429)",
    ]
    assert describe(Window()) == []


def test_the_bot_api_unreachable_while_running_is_one_line_an_episode_not_a_traceback(
    tmp_path: Path,
) -> None:
    """Telegram goes away (connections dropped, the port closed) twice, the second time until
    the daemon is stopped: each episode is a line when it starts and one when it ends."""
    port = free_port()
    telegram = FakeBotAPI(port=port)
    telegram.start()
    daemon = start(OpsPort().config(tmp_path, telegram.base_url, []), telegram.token)
    log = daemon.log
    try:
        wait_until(daemon, lambda: telegram.calls("getUpdates"), "the long poll")
        telegram.stop()
        wait_until(daemon, lambda: log.says("getUpdates failed"), "the outage noticed")
        time.sleep(OUTAGE_SECONDS)  # PTB retries meanwhile, with backoff
        with FakeBotAPI(port=port) as back:
            wait_until(daemon, lambda: log.says("getUpdates works again"), "Telegram back", 60)
            back.user_sends(CHAT, "/list")
            back.wait_for_messages(CHAT, 1, timeout=30)
        wait_until(daemon, lambda: log.count("getUpdates failed") == 2, "the second outage")
    finally:
        status = stop(daemon, signal.SIGTERM)  # while Telegram is still away
    lines = log.lines()
    err = "\n".join(lines)

    assert status == 0, err
    assert "Traceback" not in err
    assert all(LOG_LINE.match(line) for line in lines), err  # no line carries on another
    told = [line for line in lines if GET_UPDATES.search(line) or "Bot API" in line]
    assert len(told) == 4, err
    assert told[0].startswith(
        "WARNING bot.telegram.updates_request: getUpdates failed (httpx.RemoteProtocolError"
    )
    assert re.fullmatch(
        r"INFO bot\.telegram\.updates_request: getUpdates works again after \d+ failed tries "
        r"in \d+ s",
        told[1],
    )
    assert told[2].startswith("WARNING bot.telegram.updates_request: getUpdates failed (")
    assert told[3].startswith("WARNING telegram.ext.Updater: Error while calling `get_updates`")
